"""The worker's turn at the record (every RECORD_INTEGRATE_EVERY seconds, and `flask journal
integrate`): integrate each log's waiting entries and sign its checkpoint; then send the
checkpoints out — published as files, pushed to the witnesses."""

from __future__ import annotations

import logging
from datetime import datetime

from . import log

logger = logging.getLogger(__name__)


def run(now: datetime | None = None) -> list[log.Integrated]:
    integrated = log.integrate_all(now=now)
    for result in integrated:
        if result.added:
            logger.info("record %s: %s entries integrated, size %s", result.origin, result.added, result.size)
    return integrated
