"""/healthz: "ok" for anyone (the process answers; nothing is looked up, so it costs nothing to ask);
the details — database reachable, the workers' heartbeat, the outbox backlog — as JSON only for a
request made on this host (not through a proxy) or with `Authorization: Bearer <HEALTHZ_TOKEN>`."""

import hmac
import time
from datetime import UTC, timedelta

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import func, select, text

from ..extensions import db
from ..models._common import utcnow
from ..security import talisman

bp = Blueprint("health", __name__)

LOOPBACK = {"127.0.0.1", "::1"}
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
WORKER_SILENT_AFTER = 60  # seconds without a beat: the worker is presumed down
BACKLOG_TOO_OLD = 15 * 60  # seconds: the oldest pending message should not wait longer


def _may_see_details() -> bool:
    token = current_app.config.get("HEALTHZ_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    # A reverse proxy on this host would make every visitor look local: a forwarded request is not.
    return request.remote_addr in LOOPBACK and not any(h in request.headers for h in PROXY_HEADERS)


def _details() -> tuple[dict, int]:
    from ..delivery import summary
    from ..models import WorkerHeartbeat

    now = utcnow()
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:
        db.session.rollback()
        return {"status": "down", "database": {"ok": False, "error": type(error).__name__}}, 503
    database = {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    last_beat = db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    if last_beat is not None and last_beat.tzinfo is None:
        last_beat = last_beat.replace(tzinfo=UTC)  # SQLite's aggregate may lose the column's type
    age = round((now - last_beat).total_seconds()) if last_beat else None
    running = db.session.scalar(
        select(func.count()).where(WorkerHeartbeat.beat_at >= now - timedelta(seconds=WORKER_SILENT_AFTER))
    )
    counts = summary(now)
    outbox = {k: counts[k] for k in ("pending", "sending", "uncertain", "held", "failed", "oldest_pending_seconds")}
    healthy = running and (outbox["oldest_pending_seconds"] or 0) < BACKLOG_TOO_OLD
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "worker": {"running": running, "heartbeat_age_seconds": age},
        "outbox": outbox,
    }
    return body, 200


@bp.get("/healthz")
@talisman(force_https=False)  # monitoring asks over plain HTTP on the host itself
def healthz():
    if not _may_see_details():
        response = current_app.response_class("ok\n", mimetype="text/plain")
    else:
        body, status = _details()
        response = jsonify(body)
        response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
