"""The state's hierarchy of akimats: a region over its districts, a district over its rural
districts. A higher akimat sees its subordinates' figures — never residents' personal data, which
stays with the akimat that holds the letter (PRODUCT.md, "Tenants and the hierarchy")."""

from sqlalchemy import select

from ...extensions import db
from ...models import Akimat

# Region → district → rural district → village: a deeper chain is a data error, not a hierarchy.
MAX_DEPTH = 6


def subordinate_ids(akimat_id: int) -> list[int]:
    """Every akimat under `akimat_id`, at any depth, nearest first (one query per level)."""
    found: list[int] = []
    level = [akimat_id]
    for _ in range(MAX_DEPTH):
        level = list(db.session.scalars(select(Akimat.id).where(Akimat.parent_id.in_(level))))
        if not level:
            break
        found += level
    return found


def ancestor_ids(akimat: Akimat) -> list[int]:
    """The akimats above `akimat`, nearest first."""
    found: list[int] = []
    parent_id = akimat.parent_id
    while parent_id is not None and len(found) < MAX_DEPTH and parent_id not in found:
        found.append(parent_id)
        parent_id = db.session.scalar(select(Akimat.parent_id).where(Akimat.id == parent_id))
    return found


def is_above(higher_id: int, lower: Akimat) -> bool:
    return higher_id in ancestor_ids(lower)
