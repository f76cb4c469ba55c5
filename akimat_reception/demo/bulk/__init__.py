"""The bulk demo: K akimats and N letters (a million in minutes), written with bulk inserts —
COPY on PostgreSQL, executemany on SQLite — instead of one transaction per change.

Every row is one the application would have written itself, so the site, `flask journal verify`
and the daily jobs accept it as genuine:
- numbers gap-free per akimat and year, in order of receipt, with their LetterCounter;
- deadlines and forwarding terms from the working calendar (domain.deadlines, cached per day);
- access codes stored as their hash (the demo's codes can be recomputed: `demo_access_code`);
- each letter's life planned as the lifecycle would live it (registered, routed, moved, extended,
  refused after a hearing, drafted, returned, answered, rated, disputed, upheld, closed, reminded),
  cut at `now`: what has not happened yet is not written, so recent letters are still open and a
  few forgotten ones are overdue;
- the journal hash-chained by domain.journal.content_hash, the newest hash in letter.journal_head,
  and the letter row equal to the replay of its journal;
- answers for answered letters, requests for more time, the personal-data log of recent letters;
- no outbox rows: the notifications of old letters were delivered long ago.

The package, in the order a load runs: akimats.py the generated akimats and their staff, tenant.py
what a letter's plan needs of its akimat (ids, the calendar's days), plan.py the life of one letter
as a list of events built by domain/events.py, rows.py the letter's rows from its plan, writer.py
the batched inserts, load.py the whole load.
"""

from .akimats import create_akimat
from .load import Report, add_letters, finish, load_bulk
from .rows import demo_access_code

__all__ = ["Report", "add_letters", "create_akimat", "demo_access_code", "finish", "load_bulk"]
