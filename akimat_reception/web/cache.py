"""Results a worker keeps until the akimat's journal moves on.

Every change of a letter, an answer or a request for more time appends an event to the journal,
so the akimat's journal revision (`journal.revision`: its newest event id, and how many of its events
are among the newest ids, which catches a transaction committing after a later-numbered one) changes
with any of them: a result computed at a revision is still right while the revision stays the same.
An entry is also recomputed after `ttl` seconds in any case. Values must be plain data (no ORM
objects: each request has its own session)."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app

SIZE = 256
_lock = threading.Lock()


def by_revision(key: Hashable, revision: Any, compute: Callable[[], Any], ttl: float = 5.0) -> Any:
    store = current_app.extensions.setdefault("revision_cache", OrderedDict())
    now = time.monotonic()
    with _lock:
        kept = store.get(key)
        if kept is not None and kept[0] == revision and now - kept[1] < ttl:
            store.move_to_end(key)
            return kept[2]
    value = compute()
    with _lock:
        store[key] = (revision, now, value)
        store.move_to_end(key)
        while len(store) > SIZE:
            store.popitem(last=False)
    return value
