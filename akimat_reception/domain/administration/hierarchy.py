"""The state's hierarchy of akimats: a region over its districts, a district over its rural
districts. A higher akimat sees its subordinates' figures — never residents' personal data, which
stays with the akimat that holds the letter (PRODUCT.md, "Tenants and the hierarchy")."""

from datetime import date

from sqlalchemy import or_, select

from ...extensions import db
from ...models import Akimat, AkimatPlacement

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


# A stretch of days [start, end) during which an akimat stood under another (end None: still).
Window = tuple[date, date | None]


def subordinates_during(akimat_id: int, start: date, end: date) -> dict[int, list[Window]]:
    """The akimats under `akimat_id`, at any depth, at some time from `start` to `end` (the day
    after the period), each with the days it stood there, cut to the period: a district moved from
    one region to another mid-month counts for the first region until the move and for the second
    after it (AkimatPlacement). One query per level."""
    found: dict[int, list[Window]] = {}
    level: dict[int, list[Window]] = {akimat_id: [(start, end)]}
    for _ in range(MAX_DEPTH):
        rows = db.session.scalars(
            select(AkimatPlacement).where(
                AkimatPlacement.parent_id.in_(level),
                AkimatPlacement.valid_from < end,
                or_(AkimatPlacement.valid_to.is_(None), AkimatPlacement.valid_to > start),
            )
        ).all()
        below: dict[int, list[Window]] = {}
        for placement in rows:
            if placement.parent_id is None:
                continue
            for parent_from, parent_to in level[placement.parent_id]:
                window = _overlap((parent_from, parent_to), (placement.valid_from, placement.valid_to))
                if window is not None:
                    below.setdefault(placement.akimat_id, []).append(window)
        below = {i: windows for i, windows in below.items() if i not in found and i != akimat_id}
        if not below:
            break
        found.update(below)
        level = below
    return found


def _overlap(a: Window, b: Window) -> Window | None:
    start = max(a[0], b[0])
    ends = [e for e in (a[1], b[1]) if e is not None]
    end = min(ends) if ends else None
    return (start, end) if end is None or start < end else None
