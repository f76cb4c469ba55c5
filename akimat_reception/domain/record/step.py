"""The worker's turn at the record (every RECORD_INTEGRATE_EVERY seconds, and `flask journal
integrate`): integrate each log's waiting entries and sign its checkpoint; then send the
checkpoints out — published as files, pushed to the witnesses."""

from __future__ import annotations

import logging
from datetime import datetime

from ...extensions import db
from ...models import RecordLog
from . import log, publish, witnesses

logger = logging.getLogger(__name__)


def run(now: datetime | None = None) -> list[log.Integrated]:
    integrated = log.integrate_all(now=now)
    for result in integrated:
        if result.added:
            logger.info("record %s: %s entries integrated, size %s", result.origin, result.added, result.size)
        if result.checkpoint is not None:
            _publish(result)
    _push_to_witnesses(now)
    return integrated


def _publish(result: log.Integrated) -> None:
    """The checkpoint as files. The integration is committed already: a folder that cannot be
    written is logged, and the next publication fills in what this one missed."""
    record_log = db.session.get(RecordLog, result.log_id)
    assert record_log is not None and result.checkpoint is not None
    try:
        publish.publish(record_log, result.checkpoint)
    except (OSError, LookupError, publish.RolledBack) as error:
        logger.error("record %s: checkpoint %s not published: %s", result.origin, result.size, error)


def _push_to_witnesses(now: datetime | None) -> None:
    """A witness that misbehaves must not stop the rest of the turn (the record is integrated)."""
    try:
        for pushed in witnesses.push(now):
            logger.info(
                "record %s: size %s to witness %s: %s", pushed.origin, pushed.size, pushed.witness, pushed.outcome
            )
    except Exception:
        logger.exception("record: pushing checkpoints to the witnesses")
        db.session.rollback()
