"""This installation as a witness of others' records: the C2SP tlog-witness add-checkpoint endpoint
the other installations' workers push to, and a public page of what it holds, so that anyone can
compare a log's checkpoint with the one its witness keeps (domain/record/witnessed.py judges)."""

from flask import Blueprint, current_app, render_template, request
from flask_limiter.util import get_remote_address
from sqlalchemy import func, select, tuple_

from ...domain.record import witnessed
from ...domain.record.witness_protocol import MAX_BODY, PATH
from ...extensions import csrf, limiter
from ...models import WitnessedCheckpoint
from ..pagination import paginate

bp = Blueprint("witness", __name__)


def _rate_limit() -> str:
    return current_app.config["RECORD_WITNESS_RATE_LIMIT"]


@bp.post(PATH)
@csrf.exempt  # a machine's request with a signed body, not a form of a signed-in browser
@limiter.limit(_rate_limit, key_func=get_remote_address)
def add_checkpoint():
    body = request.stream.read(MAX_BODY + 1)  # never more than that is read, whatever is sent
    if len(body) > MAX_BODY or (request.content_length or 0) > MAX_BODY:
        return "the request is too long\n", 413, {"Content-Type": witnessed.TEXT}
    answer = witnessed.add_checkpoint(body)
    return answer.body, answer.status, {"Content-Type": answer.content_type, "Cache-Control": "no-store"}


@bp.get("/record/witnessed")
def held():
    """The newest checkpoint this installation holds of each log it witnesses, by origin."""
    newest = select(WitnessedCheckpoint.origin, func.max(WitnessedCheckpoint.size)).group_by(WitnessedCheckpoint.origin)
    stmt = (
        select(WitnessedCheckpoint)
        .where(tuple_(WitnessedCheckpoint.origin, WitnessedCheckpoint.size).in_(newest))
        .order_by(WitnessedCheckpoint.origin)
    )
    page = paginate(stmt)
    keys = [verifier.encode() for verifier in witnessed.witnessed_keys()]
    return render_template("record/witnessed.html", page=page, keys=keys)
