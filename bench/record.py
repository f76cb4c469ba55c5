"""The sealed record's benchmark (issue 15), on the demo database bench/run.py generates:

1. submission throughput before and after the record, in turns: residents writing letters
   (record_load.py) against the site of an older commit (`--before`, a `git worktree` of it) on its
   own database, then against this one, each on a copy;
2. integration delay: during this site's turns the worker's record step runs every
   RECORD_INTEGRATE_EVERY seconds (a process of its own, as the worker is); each entry's delay is
   the time from its writing (created_at) to the first signed checkpoint that holds it;
3. verification: `flask journal verify --full` (the plain `flask journal verify` while the CLI has no
   `--full`), then a day of a city's letters added (2,000 letters received in the last day, with
   their events, sealed), then the incremental `flask journal verify --akimat astana`: whatever the
   CLI does, timed from outside;
4. checkpoint time, last: 100, 1,000 and 10,000 waiting entries of the largest log integrated and
   signed, then one inclusion and one consistency proof.

    PYTHONPATH=$PWD .venv/bin/python bench/record.py --size 1000000 --before /tmp/before

Results: printed, kept in bench/.work/record-<time>.json, and written into RESULTS.md between
`<!-- record <size>:start -->` and its end marker. More: bench/README.md ("The record's benchmark").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run  # noqa: E402  (bench/run.py: the databases, the server, the CPU counters)
from record_load import write_letters  # noqa: E402

import akimat_reception.demo.bulk  # noqa: E402, F401  (this checkout's, before run.py imports a "before" one)

KEY = run.WORK / "record-signing.key"  # the benchmark installation's signing key (never committed)
SLUG = run.SLUG


@contextmanager
def code_of(root: Path):
    """bench/run.py's databases and servers running the code of another checkout (the "before")."""
    saved = run.ROOT, run.BENCH, os.environ.get("PYTHONPATH")
    run.ROOT, run.BENCH, os.environ["PYTHONPATH"] = root, root / "bench", str(root)
    try:
        yield
    finally:
        run.ROOT, run.BENCH = saved[0], saved[1]
        os.environ["PYTHONPATH"] = saved[2] or ""


def database(size: int, options, before: bool = False) -> run.Database:
    found = run.Database("postgresql", size, options.akimats, options.seed, options.pg_server)
    if before:  # its own database: the older schema has no record
        found.name = f"akimat_before_{size}_k{options.akimats}_s{options.seed}"
        found.marker = run.WORK / f"postgresql-{found.name}.json"
    return found


def app_for(url: str):
    from akimat_reception import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RECORD_SIGNING_KEY_FILE": str(KEY)})


def site_env(url: str, options) -> dict:
    return {
        "DATABASE_URL": url,
        "RECORD_SIGNING_KEY_FILE": str(KEY),
        "RECORD_INTEGRATE_EVERY": str(options.every),
    }


def load(url: str, options) -> dict:
    """Residents write letters for options.duration seconds; the server's CPU per letter too."""
    _letters, category = run.sample_letters(url, options.seed)
    server = run.Server("wsgi:app", site_env(url, options), options.workers, 1)
    try:
        pids = run.children(server.process.pid) + run.backends(url)
        cpu = run.cpu_seconds(pids)
        result = write_letters(server.port, SLUG, category, options.duration, options.residents)
        cpu = run.cpu_seconds(pids) - cpu
    finally:
        server.stop()
    summary = result.summary()
    summary["server_cpu_ms_per_letter"] = round(cpu * 1000 / max(result.letters, 1), 1)
    summary["load_average"] = round(os.getloadavg()[0], 1)
    return summary


# --- the worker's record step, in its own process ------------------------------------------------


def integrator(url: str, every: float, stop: Path) -> None:
    """`record.py integrator`: the worker's record step every `every` seconds until the file `stop`
    exists, and once more after."""
    from akimat_reception.domain.record import step
    from akimat_reception.extensions import db

    app = app_for(url)
    while True:
        last = stop.exists()
        began = time.monotonic()
        with app.app_context():
            added = sum(r.added for r in step.run())
            db.session.remove()
        print(f"integrated {added} entries in {time.monotonic() - began:.2f} s", flush=True)
        if last:
            return
        while time.monotonic() - began < every and not stop.exists():
            time.sleep(0.05)


def delays(url: str, since_id: int) -> dict:
    """Per entry written after `since_id`: from its writing to the first checkpoint that holds it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        values = sorted(
            conn.execute(
                text("""
                SELECT extract(epoch FROM c.signed_at - e.created_at) FROM log_entry e
                JOIN LATERAL (SELECT signed_at FROM signed_checkpoint c WHERE c.log_id = e.log_id
                              AND c.size > e.log_index ORDER BY c.size LIMIT 1) c ON true
                WHERE e.id > :since"""),
                {"since": since_id},
            ).scalars()
        )
        waiting = conn.execute(
            text("SELECT count(*) FROM log_entry WHERE id > :since AND log_index IS NULL"), {"since": since_id}
        ).scalar()
    engine.dispose()
    if not values:
        return {"entries": 0, "not_integrated": waiting}

    def at(q: float) -> float:
        return round(float(values[min(len(values) - 1, int(q * len(values)))]), 2)

    return {"entries": len(values), "not_integrated": waiting, "p50_s": at(0.5), "p99_s": at(0.99), "max_s": at(1.0)}


def last_entry_id(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT coalesce(max(id), 0) FROM log_entry")).scalar()
    engine.dispose()
    return int(found)


def delay_and_throughput(url: str, options) -> dict:
    since = last_entry_id(url)
    stop = run.WORK / "integrator.stop"
    stop.unlink(missing_ok=True)
    worker = subprocess.Popen(
        [sys.executable, __file__, "integrator", "--url", url, "--every", str(options.every), "--stop", str(stop)],
        env={**os.environ, "PYTHONPATH": str(run.ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        result = load(url, options)
    finally:
        # A turn after the load: the delay of the last letters is the wait for it, as in the worker.
        time.sleep(options.every)
        stop.touch()
        out, _ = worker.communicate(timeout=600)
    turns = [float(line.split(" in ")[1].split()[0]) for line in out.splitlines() if " in " in line]
    result["integrator_turns"] = len(turns)
    result["integrator_turn_max_s"] = max(turns, default=None)
    result["delay"] = delays(url, since)
    return result


# --- a checkpoint at this size --------------------------------------------------------------------


def checkpoint_times(url: str, options) -> dict:
    """The largest log's waiting entries integrated and signed 100, 1,000 and 10,000 at a time (each:
    one transaction, one signature). The entries are queued straight into log_entry, with random
    commitments (integrating reads nothing but the commitment): writing 14,000 letters through the
    site would take longer than the benchmark. Run last: the audit would call them breaks."""
    from sqlalchemy import insert, select

    from akimat_reception.domain.record import log as record_log
    from akimat_reception.domain.record import merkle
    from akimat_reception.extensions import db
    from akimat_reception.models import Akimat, LogEntry, RecordLog
    from akimat_reception.models._common import utcnow

    found: dict = {}
    with app_for(url).app_context():
        akimat = db.session.scalar(select(Akimat).where(Akimat.slug == SLUG))
        log_id = record_log.log_of(akimat.id).id
        record_log.integrate(log_id)  # what the site wrote, first
        found["log_size_before"] = db.session.get(RecordLog, log_id).size
        for batch, times in ((100, 3), (1000, 3), (10_000, 1)):
            found[f"batch_{batch}_s"] = []
            for _ in range(times):
                rows = [
                    {
                        "log_id": log_id,
                        "source": "admin",
                        "source_id": 0,
                        "nonce": os.urandom(16).hex(),
                        "commitment": os.urandom(32).hex(),
                        "created_at": utcnow(),
                    }
                    for _ in range(batch)
                ]
                db.session.execute(insert(LogEntry), rows)
                db.session.commit()
                began = time.perf_counter()
                result = record_log.integrate(log_id, limit=batch)
                found[f"batch_{batch}_s"].append(round(time.perf_counter() - began, 3))
                assert result.added == batch
                db.session.remove()
        log_row = db.session.get(RecordLog, log_id)
        found["log_size"] = size = log_row.size
        began = time.perf_counter()
        proof = record_log.inclusion(log_id, size // 2, size)
        found["inclusion_proof_s"] = round(time.perf_counter() - began, 3)
        middle = select(LogEntry.commitment).where(LogEntry.log_id == log_id, LogEntry.log_index == size // 2)
        leaf = bytes.fromhex(db.session.scalar(middle))
        merkle.verify_inclusion(size // 2, size, leaf, proof, bytes.fromhex(log_row.root))
        began = time.perf_counter()
        record_log.consistency(log_id, size // 3, size)
        found["consistency_proof_s"] = round(time.perf_counter() - began, 3)
        db.session.remove()
    return found


# --- verification -----------------------------------------------------------------------------------


def timed_flask(url: str, *args: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "RECORD_SIGNING_KEY_FILE": str(KEY), "FLASK_APP": "akimat_reception"}
    began = time.monotonic()
    done = subprocess.run([str(run.BIN / "flask"), *args], cwd=run.ROOT, env=env, capture_output=True, text=True)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return {
        "command": "flask " + " ".join(args),
        "seconds": round(time.monotonic() - began, 1),
        "exit": done.returncode,
        "last_line": lines[-1][:300] if lines else "",
        "breaks_listed": sum(1 for line in lines if line.startswith("BREAK")),
    }


def add_a_day(url: str, letters: int, seed: int) -> dict:
    """A city's day: `letters` letters received in Astana over the last day, with their events, sealed."""
    from sqlalchemy import select

    from akimat_reception.demo.bulk import add_letters
    from akimat_reception.extensions import db
    from akimat_reception.models import Akimat

    with app_for(url).app_context():
        akimat = db.session.scalar(select(Akimat).where(Akimat.slug == SLUG))
        report = add_letters([akimat], letters, seed=seed + 1, span_days=1, weights=[1.0])
        db.session.remove()
    return {
        "letters": report.letters,
        "events": report.events,
        "entries": report.entries,
        "seconds": round(report.seconds, 1),
    }


def verification(url: str, options) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "akimat_reception"}
    helped = subprocess.run(
        [str(run.BIN / "flask"), "journal", "verify", "--help"], cwd=run.ROOT, env=env, capture_output=True, text=True
    )
    has_full = "--full" in helped.stdout
    startup = timed_flask(url, "journal", "--help")  # the CLI's own start, in every time below
    full = timed_flask(url, "journal", "verify", *(["--full"] if has_full else []))
    day = add_a_day(url, options.day_letters, options.seed)
    incremental = timed_flask(url, "journal", "verify", "--akimat", SLUG)
    return {"cli_has_full": has_full, "startup": startup, "full": full, "day": day, "incremental": incremental}


# --- the whole run ------------------------------------------------------------------------------------


def copy_of(database: run.Database, name: str) -> str:
    """A copy of the generated database under a name of its own (both copies live at once)."""
    from sqlalchemy import text

    database._drop(name)
    engine = database._admin()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{database.name}"'))
    engine.dispose()
    return database.url(name)


def measure(size: int, options) -> dict:
    """Before and after in turns (the machine is shared: turns spread the others' load over both).
    What is measured so far is kept in bench/.work/record-partial.json after each step."""
    results: dict = {"size": size, "started": datetime.now(UTC).isoformat(timespec="seconds")}

    def keep() -> None:
        (run.WORK / "record-partial.json").write_text(json.dumps(results, indent=1))

    results["load_average_before"] = round(os.getloadavg()[0], 1)
    mine = database(size, options)
    mine.prepare()
    results["generated_s"] = mine.generated_s
    theirs, root = None, Path(options.before).resolve() if options.before else None
    if root is not None:
        with code_of(root):
            theirs = database(options.before_size or size, options, before=True)
            theirs.prepare()
            results["before_generated_s"] = theirs.generated_s
            results["before_size"] = theirs.size
            before_url = copy_of(theirs, "akimat_record_run_before")
    url = copy_of(mine, "akimat_record_run_after")
    steps = options.steps.split()
    try:
        results["before"], results["after"] = [], []
        for turn in range(options.turns if "turns" in steps else 0):
            if root is not None:
                with code_of(root):
                    run.log(f"turn {turn + 1}: before ({root}) ...")
                    results["before"].append(load(before_url, options))
                run.log(f"before: {results['before'][-1]}")
            run.log(f"turn {turn + 1}: after, the integrator running ...")
            results["after"].append(delay_and_throughput(url, options))
            run.log(f"after: {results['after'][-1]}")
            keep()
        if "verify" in steps:
            run.log("verification ...")
            results["verify"] = verification(url, options)
            run.log(f"verify: {results['verify']}")
            keep()
        if "checkpoint" in steps:
            run.log("checkpoint times ...")
            results["checkpoint"] = checkpoint_times(url, options)
            run.log(f"checkpoint: {results['checkpoint']}")
    finally:
        mine._drop("akimat_record_run_after")
        if theirs is not None:
            theirs._drop("akimat_record_run_before")
    results["load_average_after"] = round(os.getloadavg()[0], 1)
    return results


# --- the section of RESULTS.md -------------------------------------------------------------------------


def _mean(runs: list[dict], key: str) -> float:
    return sum(r[key] for r in runs) / len(runs) if runs else float("nan")


def section(r: dict) -> str:
    """The results as the markdown RESULTS.md keeps between <!-- record <size>:start --> and its end marker."""
    o = r["options"]
    lines = [
        f"Run of {r['started'][:16].replace('T', ' ')} UTC: `PYTHONPATH=$PWD .venv/bin/python bench/record.py "
        f"--size {r['size']}{' --before /tmp/before' if o.get('before') else ''} --duration {o['duration']:g} "
        f"--turns {o['turns']}"
        + (f" --before-size {o['before_size']}" if o.get("before_size") else "")
        + (f" --steps '{o['steps']}'" if o.get("steps", "turns verify checkpoint") != "turns verify checkpoint" else "")
        + f"` (PostgreSQL, {r['size']:,} letters in {o['akimats']} akimats, seed {o['seed']}).",
        "",
        f"- Machine: {r['machine']}; load average {r['load_average_before']} before, {r['load_average_after']} after.",
        f"- Generation (`flask demo --bulk`, with its record sealed and integrated): {r['generated_s']:.0f} s"
        + (
            f"; before the record ({r.get('before_size', r['size']):,} letters): {r['before_generated_s']:.0f} s."
            if "before_generated_s" in r
            else "."
        ),
        "",
        "**Submissions** ({} residents, {} gunicorn workers, {:g} s per turn; POST = the letter sent, 302):".format(
            o["residents"], o["workers"], o["duration"]
        ),
        "",
        "| site | turn | letters/s | POST p50 ms | POST p99 ms | server CPU ms/letter | failed | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in (("before (331c27a)", r.get("before", [])), ("after (the record)", r["after"])):
        for n, run_ in enumerate(runs, start=1):
            lines.append(
                f"| {name} | {n} | {run_['letters_per_s']} | {run_['post_p50_ms']} | {run_['post_p99_ms']} | "
                f"{run_['server_cpu_ms_per_letter']} | {run_['failed']} | {run_['load_average']} |"
            )
    if r.get("before"):
        ratio = _mean(r["after"], "letters_per_s") / _mean(r["before"], "letters_per_s")
        cpu = _mean(r["after"], "server_cpu_ms_per_letter") / _mean(r["before"], "server_cpu_ms_per_letter")
        lines += [
            "",
            f"After / before: letters/s × {ratio:.2f}, server CPU per letter × {cpu:.2f} (means of the turns).",
        ]
    if r["after"]:
        lines += ["", f"**Integration delay** (the worker's record step every {o['every']:g} s, during the turns):", ""]
        lines += [
            "| turn | entries | p50 s | p99 s | max s | not integrated | longest step s |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for n, run_ in enumerate(r["after"], start=1):
            d = run_["delay"]
            lines.append(
                f"| {n} | {d['entries']} | {d.get('p50_s')} | {d.get('p99_s')} | {d.get('max_s')} | "
                f"{d['not_integrated']} | {run_['integrator_turn_max_s']} |"
            )
    c = r.get("checkpoint")
    if c:

        def times(key: str) -> str:
            return ", ".join(f"{t:.3f}" for t in c[key])

        lines += [
            "",
            f"**Checkpoint** (Astana's log, {c['log_size_before']:,} entries): integrate and sign 100 entries "
            f"{times('batch_100_s')} s; 1,000: {times('batch_1000_s')} s; 10,000: {times('batch_10000_s')} s. "
            f"At {c['log_size']:,} entries an inclusion proof takes {c['inclusion_proof_s']:.3f} s and a consistency "
            f"proof {c['consistency_proof_s']:.3f} s (from the stored subtrees).",
        ]
    v = r.get("verify")
    if v:
        lines += [
            "",
            "**Verification** (timed from outside, the CLI's start-up of "
            f"{v['startup']['seconds']} s included; `--full` "
            + ("exists):" if v["cli_has_full"] else "does not exist yet: the plain verify is what ran):"),
            "",
            "| command | seconds | exit | its last line |",
            "| --- | ---: | ---: | --- |",
            f"| `{v['full']['command']}` | {v['full']['seconds']} | {v['full']['exit']} | {v['full']['last_line']} |",
            f"| a day added: {v['day']['letters']:,} letters, {v['day']['events']:,} events, "
            f"{v['day']['entries']:,} entries (bulk) "
            f"| {v['day']['seconds']} | | |",
            f"| `{v['incremental']['command']}` | {v['incremental']['seconds']} | {v['incremental']['exit']} | "
            f"{v['incremental']['last_line']} |",
        ]
    return "\n".join(lines)


def write_section(text: str, size: int) -> None:
    """One section per database size, so that a run at 100k does not replace the one at 1M."""
    title = "## The sealed record (issue 15)"
    start, end = f"<!-- record {size}:start -->", f"<!-- record {size}:end -->"
    current = run.RESULTS.read_text()
    if title not in current:
        current += f"\n{title}\n\nWritten by `bench/record.py`; how to read it: bench/README.md.\n"
    if start not in current:
        head, rest = current.split(title, 1)
        current = f"{head}{title}{rest.rstrip()}\n\n### {size:,} letters\n\n{start}\n{end}\n"
    head, rest = current.split(start, 1)
    run.RESULTS.write_text(f"{head}{start}\n{text}\n{end}{rest.split(end, 1)[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="bench", choices=["bench", "integrator"])
    parser.add_argument("--size", type=int, default=1_000_000, help="Letters in the generated database.")
    parser.add_argument("--akimats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--pg-server", default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--before", help="A checkout of the commit before the record (git worktree add ... 331c27a).")
    parser.add_argument("--duration", type=float, default=20, help="Seconds of writing letters per run.")
    parser.add_argument("--residents", type=int, default=8, help="Processes writing letters.")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's workers.")
    parser.add_argument("--every", type=float, default=10, help="RECORD_INTEGRATE_EVERY, seconds.")
    parser.add_argument("--turns", type=int, default=2, help="Runs of before and after, in turns.")
    parser.add_argument("--day-letters", type=int, default=2000)
    parser.add_argument(
        "--steps", default="turns verify checkpoint", help="Which measures (checkpoint runs last: it queues fakes)."
    )
    parser.add_argument("--before-size", type=int, help="The older site's database size (default: --size).")
    parser.add_argument("--no-write", action="store_true", help="Print the section; leave RESULTS.md alone.")
    parser.add_argument("--render", type=Path, nargs="+", help="Only write the section of kept record-*.json.")
    parser.add_argument("--url", help="integrator: the database.")
    parser.add_argument("--stop", type=Path, help="integrator: stop once this file exists.")
    options = parser.parse_args()
    if options.command == "integrator":
        integrator(options.url, options.every, options.stop)
        return
    if options.render:
        kept: dict = {}
        for path in options.render:  # runs of different steps on one size: merged, later ones win
            kept.update({k: v for k, v in json.loads(path.read_text()).items() if v or k not in kept})
        text = section(kept)
        print(text)
        if not options.no_write:
            write_section(text, kept["size"])
        return
    run.WORK.mkdir(parents=True, exist_ok=True)
    os.environ["RECORD_SIGNING_KEY_FILE"] = str(KEY)  # the generation signs its checkpoints with it
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ["PYTHONPATH"] = str(run.ROOT)
    results = measure(options.size, options)
    results["machine"] = run.machine()
    results["options"] = {k: v for k, v in vars(options).items() if k not in ("url", "stop", "command")}
    out = run.WORK / f"record-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=1))
    text = section(results)
    print(text)
    if not options.no_write:
        write_section(text, results["size"])
    run.log(f"kept in {out}")


if __name__ == "__main__":
    main()
