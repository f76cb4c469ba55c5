"""The sealed record in public: the pages a resident, a journalist or a higher body reads to keep
the checkpoints, and the files a mirror, a witness or a verifier fetches (the same bytes as
domain/record/publish.py writes). Nothing here shows personal data: checkpoints, leaf hashes
(salted commitments), the key, sizes and times.

- `/record`: what the record is and proves, its limits, the key, every log (installation_bp);
- `/<akimat>/record`: the akimat's log and its checkpoints (akimat_bp);
- the files, under `/<akimat>/record/` and, for the platform's own log, `/record/platform/`:
  `checkpoint`, `checkpoints/<size>`, `tile/0/<N>[.p/<W>]`, `consistency`, `inclusion`.
"""

import logging

from flask import Blueprint, Response, abort, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from werkzeug.exceptions import HTTPException

from ...domain.record import log as record
from ...domain.record import merkle, publish, tiles
from ...extensions import db
from ...models import Akimat, LogEntry, RecordLog, SignedCheckpoint
from ..pagination import MAX_PAGE, Page, paginate
from ..tenancy import make_tenant_blueprint

logger = logging.getLogger(__name__)

installation_bp = Blueprint("public_record", __name__, url_prefix="/record")
akimat_bp = make_tenant_blueprint("akimat_record", __name__, "/record")
platform_bp = Blueprint("platform_record", __name__, url_prefix="/record/platform")

LOGS_PER_PAGE = 50
CHECKPOINTS_PER_PAGE = 50
FOREVER = "public, max-age=31536000, immutable"  # named by their size: their bytes never change
AN_HOUR = "public, max-age=3600"
VERIFY_PAGE = "/record/verify"  # the offline verifier (another page): linked when it is there


# --- the pages ---------------------------------------------------------------------------------


@installation_bp.get("")
def index():
    return render_template(
        "public/record.html",
        key=publish.verifier_key(),
        page=_logs_page(),
        verify_url=VERIFY_PAGE if _routed(VERIFY_PAGE) else None,
        max_delay=current_app.config["RECORD_MAX_DELAY"],
    )


def _logs_page() -> Page:
    """A page of the logs, the platform's first, then the akimats' by slug: each with its akimat and
    the time of its latest checkpoint (the one of its size), in one query."""
    number = max(1, min(request.args.get("page", 1, type=int), MAX_PAGE))
    rows = db.session.execute(
        select(RecordLog, Akimat, SignedCheckpoint.signed_at)
        .outerjoin(Akimat, Akimat.id == RecordLog.akimat_id)
        .outerjoin(
            SignedCheckpoint, (SignedCheckpoint.log_id == RecordLog.id) & (SignedCheckpoint.size == RecordLog.size)
        )
        .order_by(case((RecordLog.akimat_id.is_(None), 0), else_=1), Akimat.slug, RecordLog.id)
        .limit(LOGS_PER_PAGE + 1)
        .offset((number - 1) * LOGS_PER_PAGE)
    ).all()
    return Page(items=rows[:LOGS_PER_PAGE], number=number, has_previous=number > 1, has_next=len(rows) > LOGS_PER_PAGE)


def _routed(path: str) -> bool:
    try:
        rule, _args = current_app.url_map.bind("").match(path, return_rule=True)
    except HTTPException:
        return False
    return rule.rule.startswith("/record/")


@akimat_bp.get("")
def page():
    log = _log_or_none()
    latest = pending = history = None
    if log is not None:
        latest = db.session.scalar(
            select(SignedCheckpoint).where(SignedCheckpoint.log_id == log.id, SignedCheckpoint.size == log.size)
        )
        pending = db.session.scalar(
            select(func.count()).select_from(LogEntry).where(LogEntry.log_id == log.id, LogEntry.log_index.is_(None))
        )
        history = paginate(
            select(SignedCheckpoint).where(SignedCheckpoint.log_id == log.id),
            per_page=CHECKPOINTS_PER_PAGE,
            order=(SignedCheckpoint.id,),
            descending=True,
        )
    return render_template(
        "public/record_akimat.html",
        log=log,
        latest=latest,
        pending=pending,
        history=history,
        max_delay=current_app.config["RECORD_MAX_DELAY"],
    )


# --- the files ----------------------------------------------------------------------------------


def _log_or_none() -> RecordLog | None:
    """The log of the akimat in the URL, or the platform's under /record/platform/."""
    akimat = g.get("akimat")
    akimat_id = akimat.id if akimat is not None else None
    condition = RecordLog.akimat_id == akimat_id if akimat_id is not None else RecordLog.akimat_id.is_(None)
    return db.session.scalar(select(RecordLog).where(condition))


def _log() -> RecordLog:
    return _log_or_none() or abort(404)


def _file(body: bytes | str, cache: str, mimetype: str = "text/plain; charset=utf-8") -> Response:
    """A file of the record: the same for everyone, so any cache may keep it as long as `cache` says
    (security.cache_policy leaves it so for a visitor without a session), and any page may read it
    (a saved verifier page opened from disk, a mirror in a browser)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@installation_bp.get("/key")
def key():
    verifier_key = publish.verifier_key() or abort(404)
    return _file(verifier_key + "\n", AN_HOUR)


def checkpoint():
    log = _log()
    latest = record.latest_checkpoint(log.id) or abort(404)
    # A new checkpoint comes at most every RECORD_INTEGRATE_EVERY seconds: kept no longer than that.
    seconds = max(1, min(60, int(current_app.config["RECORD_INTEGRATE_EVERY"])))
    return _file(latest.note, f"public, max-age={seconds}")


def checkpoint_of_size(size: int):
    log = _log()
    note = db.session.scalar(
        select(SignedCheckpoint.note).where(SignedCheckpoint.log_id == log.id, SignedCheckpoint.size == size)
    )
    return _file(note or abort(404), FOREVER)


def tile(index: str):
    """A level-0 tile of C2SP tlog-tiles: `x001/234` whole (256 leaf hashes), `x001/234.p/17` the
    first 17 of them; 404 for any leaf the integrated tree does not have yet."""
    log = _log()
    n, width = _tile_address(index)
    if n * tiles.TILE_WIDTH + width > log.size:
        abort(404)
    start = n * tiles.TILE_WIDTH
    try:
        hashes = publish.leaf_hashes(log.id, start, start + width)
    except LookupError as error:  # a leaf deleted behind the log's back: no tile with a hole in it
        logger.error("record %s: tile %s not served: %s", log.origin, index, error)
        abort(500)
    return _file(
        tiles.tile_bytes(hashes), FOREVER if width == tiles.TILE_WIDTH else AN_HOUR, "application/octet-stream"
    )


def _tile_address(index: str) -> tuple[int, int]:
    """(tile number, width) of a tile path, written exactly as C2SP writes it; 404 otherwise."""
    base, partial, width_text = index.partition(".p/")
    try:
        n = tiles.decode_index(base)
    except ValueError:
        abort(404)
    width = tiles.TILE_WIDTH
    if partial:
        if not width_text.isdigit() or width_text != str(int(width_text)) or not 0 < int(width_text) < width:
            abort(404)
        width = int(width_text)
    if tiles.encode_index(n) != base:
        abort(404)
    return n, width


def _sizes(*names: str) -> list[int] | None:
    """The query's whole numbers, or None if one is missing or not a plain decimal number."""
    values = [request.args.get(name, "") for name in names]
    if not all(v.isdigit() and len(v) <= 15 for v in values):
        return None
    return [int(v) for v in values]


def _bad_request(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response


def consistency():
    """That the tree of size `old` is a prefix of the tree of size `new` (RFC 6962 2.1.2)."""
    log = _log()
    sizes = _sizes("old", "new")
    if sizes is None or not sizes[0] <= sizes[1] <= log.size:
        return _bad_request(
            _(
                "Give old and new as tree sizes: whole numbers, old not larger than new, new at most %(size)s.",
                size=log.size,
            )
        )
    old, new = sizes
    proof = record.consistency(log.id, old, new)
    response = jsonify({"old": old, "new": new, "proof": merkle.hexes(proof)})
    return _cached(response)


def inclusion():
    """The audit path of the leaf at `index` in the tree of `size` (RFC 6962 2.1.1)."""
    log = _log()
    sizes = _sizes("index", "size")
    if sizes is None or not sizes[0] < sizes[1] <= log.size:
        return _bad_request(
            _(
                "Give index and size as whole numbers: index smaller than size, size at most %(size)s.",
                size=log.size,
            )
        )
    index_, size = sizes
    proof = record.inclusion(log.id, index_, size)
    response = jsonify({"index": index_, "size": size, "proof": merkle.hexes(proof)})
    return _cached(response)


def _cached(response: Response) -> Response:
    # A proof between sizes the tree has is fixed by them; an hour spares the database repeats.
    response.headers["Cache-Control"] = AN_HOUR
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


for _bp in (akimat_bp, platform_bp):
    _bp.add_url_rule("/checkpoint", view_func=checkpoint, methods=["GET"])
    _bp.add_url_rule("/checkpoints/<int:size>", view_func=checkpoint_of_size, methods=["GET"])
    _bp.add_url_rule("/tile/0/<path:index>", view_func=tile, methods=["GET"])
    _bp.add_url_rule("/consistency", view_func=consistency, methods=["GET"])
    _bp.add_url_rule("/inclusion", view_func=inclusion, methods=["GET"])

# The files whose caching the view decides (security.cache_policy), on both blueprints.
FILE_ENDPOINTS = frozenset(
    {"public_record.key"}
    | {
        f"{bp.name}.{view}"
        for bp in (akimat_bp, platform_bp)
        for view in ("checkpoint", "checkpoint_of_size", "tile", "consistency", "inclusion")
    }
)
