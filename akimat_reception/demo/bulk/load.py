"""The whole load: akimats, then letters in order of receipt, in batches, then the counters,
statistics and indexes."""

from __future__ import annotations

import random
import time as clock
from bisect import bisect_right
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from sqlalchemy import select, text

from ...domain.ratings import rebuild_department_stats
from ...extensions import db
from ...models import Akimat, Letter, LetterCounter
from .akimats import create_akimat
from .record import Sealer
from .rows import write_letter
from .tenant import DAY, EPOCH, HOUR, Clock, Tenant
from .writer import MODELS, TABLE_ORDER, Ids, Writer, _check_columns

SPAN_DAYS = 3 * 365  # letters arrive over the last three years
BATCH = 5000  # letters written per transaction


@dataclass
class Report:
    akimats: int = 0
    letters: int = 0
    events: int = 0
    answers: int = 0
    entries: int = 0  # entries of the sealed record written (and integrated) for them
    seconds: float = 0.0
    statuses: dict = field(default_factory=dict)


def add_letters(
    akimats: list[Akimat],
    letters: int,
    *,
    seed: int = 2026,
    now: datetime | None = None,
    span_days: int = SPAN_DAYS,
    weights: list[float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Adds `letters` letters in all to existing akimats, received over the last `span_days` days
    (the first two akimats, the big cities, get three times the share of the others), numbered on
    from the akimats' counters."""
    _check_columns()
    started = clock.monotonic()
    now = now or datetime.now(UTC)
    now_us = (now - EPOCH) // timedelta(microseconds=1)
    rng = random.Random(seed)
    weights = weights or [3.0 if i < 2 else 1.0 for i in range(len(akimats))]
    tenants = [Tenant.of(a, w) for a, w in zip(akimats, weights, strict=False)]
    clocks = [Clock(t) for t in tenants]
    report = Report(akimats=len(tenants))

    # When each letter arrives, and where: one sortable integer per letter.
    total = sum(weights)
    cumulative = list(accumulate(w_ / total for w_ in weights))
    span_us = span_days * DAY
    latest = now_us - 60_000_000
    width = len(tenants).bit_length() + 1
    arrivals = []
    for _ in range(letters):
        index = min(bisect_right(cumulative, rng.random()), len(tenants) - 1)
        us = latest - int(rng.random() ** 1.15 * span_us)  # a little busier lately
        local_time = (us + 5 * HOUR) % DAY
        if rng.random() < 0.7 and not 8 * HOUR <= local_time < 22 * HOUR:  # mostly written in the daytime
            us += 8 * HOUR - local_time + rng.randrange(14 * HOUR)
            if us > latest:
                us -= DAY
        arrivals.append((us << width) | index)
    arrivals.sort()

    counters = {
        (t.id, row.year): row.last_seq
        for t in tenants
        for row in db.session.scalars(select(LetterCounter).where(LetterCounter.akimat_id == t.id))
    }
    sealer = Sealer(seed)
    sealer.open([t.id for t in tenants])
    ids = Ids()
    writer = Writer()
    if writer.dialect == "sqlite":  # a crash mid-load leaves a demo to reload, not data to save
        synchronous = writer.raw.execute("PRAGMA synchronous").fetchone()[0]
        writer.raw.execute("PRAGMA synchronous=OFF")
    mask = (1 << width) - 1
    for n, packed in enumerate(arrivals, start=1):
        index, us = packed & mask, packed >> width
        tenant, clk = tenants[index], clocks[index]
        year = clk.day(us).year
        seq = counters.get((tenant.id, year), 0) + 1
        counters[(tenant.id, year)] = seq
        status = write_letter(writer, ids, tenant, clk, rng, us, year, seq, now_us, seed, sealer)
        report.statuses[status] = report.statuses.get(status, 0) + 1
        if n % BATCH == 0 or n == letters:
            report.events += len(writer.rows.get("event", ()))
            report.answers += len(writer.rows.get("answer", ()))
            sealer.flush_nodes(writer)
            writer.flush(TABLE_ORDER)
            db.session.commit()
            writer = Writer()
            if progress and (n % (BATCH * 20) == 0 or n == letters):
                progress(f"{n} letters ({clock.monotonic() - started:.0f} s)")
    if writer.dialect == "sqlite":
        writer.raw.execute(f"PRAGMA synchronous={synchronous}")
    _save_counters(counters)
    for tenant in tenants:  # the departments' answer counts, as the lifecycle keeps them
        rebuild_department_stats(tenant.id)
    db.session.commit()
    _continue_sequences()
    sealer.close()  # after the sequences: signing writes a row with the ORM
    report.entries = sealer.entries
    report.letters = letters
    report.seconds = clock.monotonic() - started
    return report


def _save_counters(counters: dict) -> None:
    for (akimat_id, year), last_seq in counters.items():
        row = db.session.get(LetterCounter, (akimat_id, year))
        if row is None:
            db.session.add(LetterCounter(akimat_id=akimat_id, year=year, last_seq=last_seq))
        else:
            row.last_seq = last_seq


def _continue_sequences() -> None:
    """Rows were written with explicit ids: PostgreSQL's sequences must continue after them."""
    if db.session.connection().dialect.name != "postgresql":
        return
    for table in MODELS:
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )
    db.session.commit()


def finish(progress: Callable[[str], None] | None = None) -> None:
    """Fresh statistics for the planner (and PostgreSQL's visibility map, for index-only scans)."""
    dialect = db.session.connection().dialect.name
    db.session.commit()
    if dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    if progress:
        progress("statistics updated")


@contextmanager
def _indexes_built_after(tables: Iterable[str]):
    """Drops the tables' secondary indexes (not their unique constraints) for the load and builds
    them again after it, whatever happens: one sort per index instead of a million insertions."""
    indexes = [index for name in tables for index in db.metadata.tables[name].indexes if not index.unique]
    bind = db.session.connection()
    for index in indexes:
        index.drop(bind)
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        bind = db.session.connection()
        if bind.dialect.name == "postgresql":
            bind.execute(text("SET maintenance_work_mem = '256MB'"))
        for index in indexes:
            index.create(bind)
        db.session.commit()


def load_bulk(
    letters: int,
    akimats: int = 2,
    *,
    seed: int = 2026,
    now: datetime | None = None,
    span_days: int = SPAN_DAYS,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The large demo: Astana, Almaty and `akimats - 2` generated akimats with staff and phone
    directories, and `letters` letters in all, received over the last `span_days` days, written in bulk
    into an installation without letters yet."""
    if akimats < 1:
        raise ValueError("at least one akimat")
    if db.session.scalar(select(Letter.id).limit(1)) is not None:
        raise RuntimeError("the bulk demo loads into an installation without letters")
    now = now or datetime.now(UTC)
    started = clock.monotonic()
    created = [create_akimat(i, now) for i in range(akimats)]
    with _indexes_built_after(MODELS):
        report = add_letters(created, letters, seed=seed, now=now, span_days=span_days, progress=progress)
        if progress:
            progress(f"{letters} letters written in {clock.monotonic() - started:.0f} s; building the indexes")
    finish(progress)
    report.seconds = clock.monotonic() - started
    return report
