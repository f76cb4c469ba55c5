#!/usr/bin/env python3
"""The load benchmark: for each database and size, a bulk demo database (generated once and kept
under bench/.work/ or as a PostgreSQL database), the site under gunicorn on 127.0.0.1, and wrk
driving each scenario from a second process; then a table of requests/s, p50 and p99 and the ratio
to a bare Flask "hello world" served the same way in the same run, written to bench/RESULTS.md.

    .venv/bin/python bench/run.py --sizes "10000 1000000" --databases "sqlite postgresql"

Writing letters runs against a fresh copy of the generated database (the letters the benchmark
writes do not pile up from run to run). See bench/README.md."""

import argparse
import contextlib
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
LUA = BENCH / "lua"
BIN = Path(sys.executable).parent
RESULTS = BENCH / "RESULTS.md"
SLUG = "astana"
PASSWORD = "Reception-demo-2026"
START, END = "<!-- results:start -->", "<!-- results:end -->"

# name, title, script, path, cookie role
SCENARIOS = [
    ("reception", "Reception page", "get.lua", f"/{SLUG}/", None),
    ("letter", "Write a letter (GET form + POST)", "letter.lua", f"/{SLUG}/letters/new", None),
    ("track", "Track a letter (POST code + GET page)", "track.lua", f"/{SLUG}/track", None),
    ("inbox", "Staff inbox (registrar)", "get.lua", f"/{SLUG}/office/", "registrar"),
    ("dashboard", "Akim dashboard", "get.lua", f"/{SLUG}/akim/", "akim"),
    ("phones", "Phone directory", "get.lua", f"/{SLUG}/phones", None),
]

# The targets of issue 8, checked on PostgreSQL with 1M letters.
TARGETS = {
    "dashboard": "p99 < 150 ms",
    "inbox": "p99 < 150 ms",
    "letter": ">= 100 letters/s, POST p99 < 300 ms",
    "reception": ">= 40% of hello",
    "track": ">= 40% of hello",
    "phones": ">= 40% of hello",
}


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env={**os.environ, **env, "FLASK_APP": "akimat_reception"},
        check=True,
        text=True,
        capture_output=capture,
    )


# --- databases ------------------------------------------------------------------------------------


class Database:
    """A generated demo database, kept between runs (writing letters works on a fresh copy of it)."""

    def __init__(self, kind: str, size: int, akimats: int, seed: int, pg_server: str):
        self.kind, self.size, self.akimats, self.seed = kind, size, akimats, seed
        self.name = f"akimat_bench_{size}_k{akimats}_s{seed}"
        self.marker = WORK / f"{kind}-{self.name}.json"
        self.pg_server = pg_server
        self.generated_s = None

    # URLs
    def url(self, name: str | None = None) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{WORK / ((name or self.name) + '.sqlite3')}"
        return self.pg_server.rsplit("/", 1)[0] + "/" + (name or self.name)

    def _admin(self):
        from sqlalchemy import create_engine

        return create_engine(self.pg_server, isolation_level="AUTOCOMMIT")

    def _exists(self) -> bool:
        if self.kind == "sqlite":
            return (WORK / f"{self.name}.sqlite3").exists()
        from sqlalchemy import text

        engine = self._admin()
        with engine.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": self.name}).scalar()
        engine.dispose()
        return bool(found)

    def _drop(self, name: str) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                (WORK / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
            return
        from sqlalchemy import text

        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    def prepare(self, regenerate: bool = False) -> None:
        """Generates the database once (its generation time is kept in the marker); later runs
        only bring its schema to the newest revision."""
        WORK.mkdir(parents=True, exist_ok=True)
        if regenerate or not (self.marker.exists() and self._exists()):
            self._drop(self.name)
            self.marker.unlink(missing_ok=True)
            if self.kind == "postgresql":
                from sqlalchemy import text

                engine = self._admin()
                with engine.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{self.name}"'))
                engine.dispose()
            env = {"DATABASE_URL": self.url()}
            flask(env, "init-db", capture=True)
            log(f"generating {self.size} letters in {self.akimats} akimats on {self.kind} ...")
            started = time.monotonic()
            out = flask(
                env,
                "demo",
                "--bulk",
                "--letters",
                str(self.size),
                "--akimats",
                str(self.akimats),
                "--seed",
                str(self.seed),
                capture=True,
            ).stdout
            seconds = time.monotonic() - started
            log(out.strip().splitlines()[-1])
            self.marker.write_text(
                json.dumps(
                    {
                        "size": self.size,
                        "akimats": self.akimats,
                        "seed": self.seed,
                        "generated_s": round(seconds, 1),
                        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "command": f"flask demo --bulk --letters {self.size} "
                        f"--akimats {self.akimats} --seed {self.seed}",
                    }
                )
            )
        else:
            started = time.monotonic()
            flask({"DATABASE_URL": self.url()}, "init-db", capture=True)  # new migrations, if any
            log(f"reusing {self.kind} {self.name} (schema checked in {time.monotonic() - started:.0f} s)")
        self.generated_s = json.loads(self.marker.read_text())["generated_s"]

    def fresh_copy(self) -> str:
        """A copy of the generated database for one run; returns its URL."""
        run = "akimat_bench_run"
        self._drop(run)
        if self.kind == "sqlite":
            shutil.copyfile(WORK / f"{self.name}.sqlite3", WORK / f"{run}.sqlite3")
        else:
            from sqlalchemy import text

            engine = self._admin()
            with engine.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{run}" TEMPLATE "{self.name}"'))
            engine.dispose()
        return self.url(run)

    def drop_copy(self) -> None:
        self._drop("akimat_bench_run")


def sample_letters(url: str, seed: int, count: int = 200) -> tuple[list[tuple[str, str]], int]:
    """Numbers and access codes of letters of the benchmark's akimat (new and old, every state),
    and the id of a category for new letters."""
    from sqlalchemy import create_engine, text

    sys.path.insert(0, str(ROOT))
    from akimat_reception.demo.bulk import demo_access_code

    engine = create_engine(url)
    with engine.connect() as conn:
        akimat = conn.execute(text("SELECT id FROM akimat WHERE slug = :s"), {"s": SLUG}).scalar_one()
        demo = "akimat_id = :a AND submission_token LIKE 'bulk-%'"  # letters whose codes derive from the seed
        newest = (
            conn.execute(
                text(f"SELECT number FROM letter WHERE {demo} ORDER BY id DESC LIMIT :n"),
                {"a": akimat, "n": count // 2},
            )
            .scalars()
            .all()
        )
        spread = (
            conn.execute(
                text(f"SELECT number FROM letter WHERE {demo} AND id % 97 = 3 ORDER BY id LIMIT :n"),
                {"a": akimat, "n": count - len(newest)},
            )
            .scalars()
            .all()
        )
        category = conn.execute(
            text("SELECT id FROM category WHERE akimat_id = :a AND code = 'utilities'"), {"a": akimat}
        ).scalar_one()
    engine.dispose()
    numbers = list(dict.fromkeys(newest + spread))
    return [(n, demo_access_code(n, seed)) for n in numbers], category


# --- the server and the load ----------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far (those that have exited count nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
    return found


def backends(url: str | None) -> list[int]:
    """PostgreSQL's server processes serving the benchmark's database."""
    if not url or not url.startswith("postgresql"):
        return []
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        pids = (
            conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return list(pids)


class Server:
    """gunicorn on 127.0.0.1 with the same settings for the site and for hello world."""

    def __init__(self, app: str, env: dict, workers: int, threads: int):
        self.url = env.get("DATABASE_URL")
        self.port = free_port()
        self.log = WORK / "gunicorn.log"
        args = [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--chdir",
            str(BENCH),
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            "--timeout",
            "60",
        ]
        if threads > 1:
            args += ["--worker-class", "gthread", "--threads", str(threads)]
        self.process = subprocess.Popen(
            args + [app], cwd=BENCH, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                urllib.request.urlopen(self.base + "/", timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def staff_cookie(base: str, role: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    html = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": f"{role}@{SLUG}.demo.kz", "password": PASSWORD}
    ).encode()
    try:
        opener.open(base + "/login", data=data)
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookies:
        raise RuntimeError(f"could not sign in as {role}")
    return cookies


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(base: str, script: str, path: str, seconds: int, connections: int, headers: dict, args: list[str]) -> dict:
    command = [
        "wrk",
        "-t",
        str(connections),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA / script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [base + path]
    if args:
        command += ["--", *args]
    for _attempt in range(3):
        completed = subprocess.run(command, capture_output=True, text=True, errors="replace")
        if completed.returncode >= 0:
            break
        # wrk 4.1 now and then dies of a signal at the end of a scripted run: run it again.
        log(f"wrk died of signal {-completed.returncode}; running it again")
    out = completed.stdout
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{out}\n{completed.stderr}")
    line = next((row for row in out.splitlines() if row.startswith("BENCH-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}\n{completed.stderr}")
    noise = [row for row in out.splitlines() if "error" in row.lower() and not row.startswith("BENCH-JSON")]
    if noise:
        log("wrk said: " + " | ".join(noise[:3]))
    return json.loads(line[len("BENCH-JSON ") :])


def run_scenario(
    server: "Server",
    name: str,
    script: str,
    path: str,
    cookie: str | None,
    seconds: int,
    warmup: int,
    connections: int,
    extra: list[str],
) -> dict:
    """One scenario: warm-up, then the measured run, with the CPU time the server side spent
    (gunicorn's workers and the database's server processes), which other load on the machine
    does not change."""
    import resource

    base = server.base
    headers = {"Accept-Language": "ru"}
    if cookie:
        headers["Cookie"] = cookie
    if warmup:
        wrk(base, script, path, warmup, connections, headers, extra)
    pids = children(server.process.pid) + backends(server.url)
    server_cpu = cpu_seconds(pids)
    load_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = wrk(base, script, path, seconds, connections, headers, extra)
    server_cpu = cpu_seconds(pids) - server_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime - load_cpu.ru_utime) + (after.ru_stime - load_cpu.ru_stime)
    result["rps"] = result["requests"] / result["duration_s"]
    result["server_cpu_ms"] = server_cpu * 1000 / max(result["requests"], 1)
    result["wrk_cpu_ms"] = wrk_cpu * 1000 / max(result["requests"], 1)
    errors = result["errors"]
    result["failed"] = sum(errors.values())
    kinds = result.get("kinds", {})
    if name == "letter":
        post = kinds.get("post", {})
        result["letters_per_s"] = post.get("statuses", {}).get("302", 0) / result["duration_s"]
        result["post_p99_ms"] = post.get("p99_ms")
        result["post_p50_ms"] = post.get("p50_ms")
    return result


def run_one(server: "Server", url: str, name: str, script: str, path: str, role: str | None, options) -> dict:
    extra = []
    if name in ("letter", "track"):
        letters, category = sample_letters(url, options.seed)
        if name == "letter":
            extra = [SLUG, str(category)]
        else:
            codes = WORK / "track-letters.txt"
            codes.write_text("".join(f"{n} {c}\n" for n, c in letters))
            extra = [SLUG, str(codes)]
    cookie = staff_cookie(server.base, role) if role else None
    return run_scenario(
        server, name, script, path, cookie, options.duration, options.warmup, options.connections, extra
    )


def machine() -> str:
    cpu = next(
        (
            row.split(":", 1)[1].strip()
            for row in Path("/proc/cpuinfo").read_text().splitlines()
            if row.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            int(row.split()[1]) // 1024 // 1024
            for row in Path("/proc/meminfo").read_text().splitlines()
            if row.startswith("MemTotal")
        ),
        0,
    )
    pg = ""
    with contextlib.suppress(OSError):
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {pg}"
    )


# --- the report -----------------------------------------------------------------------------------


def target_met(name: str, r: dict, hello_rps: float) -> bool:
    if name in ("dashboard", "inbox"):
        return r["p99_ms"] < 150 and not r["failed"]
    if name == "letter":
        return r["letters_per_s"] >= 100 and (r["post_p99_ms"] or 1e9) < 300 and not r["failed"]
    return r["rps"] >= 0.4 * hello_rps and not r["failed"]


def table(results: list[dict], hello: dict) -> str:
    rows = [
        "| database | letters | scenario | req/s | p50 ms | p99 ms | × hello | server CPU ms/req | × hello (CPU) "
        "| notes | target (PG, 1M) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        f"| — | — | hello world | {hello['rps']:.0f} | {hello['p50_ms']:.1f} | {hello['p99_ms']:.1f} | 1.00 | "
        f"{hello['server_cpu_ms']:.2f} | 1.00 | | |",
    ]
    for r in results:
        notes = []
        if r["name"] == "letter":
            notes.append(
                f"{r['letters_per_s']:.0f} letters/s, POST p50 {r['post_p50_ms']:.0f} / p99 {r['post_p99_ms']:.0f} ms"
            )
        if r["failed"]:
            notes.append(f"**{r['failed']} failed** {r['errors']}")
        target = ""
        if r["database"] == "postgresql" and r["size"] >= 1_000_000:
            met = target_met(r["name"], r, hello["rps"])
            target = f"{'met' if met else '**not met**'}: {TARGETS[r['name']]}"
        rows.append(
            f"| {r['database']} | {r['size']:,} | {r['title']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['rps'] / hello['rps']:.2f} | {r['server_cpu_ms']:.2f} | "
            f"{hello['server_cpu_ms'] / r['server_cpu_ms']:.2f} | {'; '.join(notes)} | {target} |"
        )
    return "\n".join(rows)


def write_results(text: str) -> None:
    block = f"{START}\n{text}\n{END}"
    if RESULTS.exists() and START in RESULTS.read_text():
        before, rest = RESULTS.read_text().split(START, 1)
        after = rest.split(END, 1)[1] if END in rest else ""
        RESULTS.write_text(before + block + after)
    else:
        RESULTS.write_text("# Benchmark results\n\n" + block + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000 1000000", help="Letters in the generated databases.")
    parser.add_argument("--databases", default="sqlite postgresql")
    parser.add_argument("--akimats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--duration", type=int, default=10, help="Seconds per scenario.")
    parser.add_argument("--warmup", type=int, default=2, help="Seconds of warm-up per scenario (not counted).")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "1")))
    parser.add_argument("--scenarios", default=" ".join(s[0] for s in SCENARIOS))
    parser.add_argument(
        "--pg-server", default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--regenerate", action="store_true", help="Generate the databases again.")
    parser.add_argument("--no-write", action="store_true", help="Print the table; leave RESULTS.md alone.")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it)")
    WORK.mkdir(parents=True, exist_ok=True)
    wanted = options.scenarios.split()
    started_at = datetime.now(UTC)
    load_before = os.getloadavg()

    log("hello world ...")
    server = Server("hello:app", {}, options.workers, options.threads)
    try:
        hello = run_scenario(
            server, "hello", "get.lua", "/", None, options.duration, options.warmup, options.connections, []
        )
    finally:
        server.stop()
    log(
        f"hello world: {hello['rps']:.0f} req/s, p99 {hello['p99_ms']:.1f} ms, "
        f"server CPU {hello['server_cpu_ms']:.2f} ms/req"
    )

    results, generation = [], []
    for kind in options.databases.split():
        for size in (int(s) for s in options.sizes.split()):
            database = Database(kind, size, options.akimats, options.seed, options.pg_server)
            database.prepare(options.regenerate)
            generation.append((kind, size, database.generated_s))
            # The pages that only read share one server on the generated database; writing letters
            # runs last, on a copy of it, so that the letters it writes do not pile up from run to run.
            chosen = [s for s in SCENARIOS if s[0] in wanted]
            for group in ([s for s in chosen if s[0] != "letter"], [s for s in chosen if s[0] == "letter"]):
                if not group:
                    continue
                url = database.fresh_copy() if group[0][0] == "letter" else database.url()
                server = Server("wsgi:app", {"DATABASE_URL": url}, options.workers, options.threads)
                try:
                    for name, title, script, path, role in group:
                        r = run_one(server, url, name, script, path, role, options)
                        r.update(name=name, title=title, database=kind, size=size, load=os.getloadavg()[0])
                        results.append(r)
                        log(
                            f"{kind} {size:>8} {name:<10} {r['rps']:7.0f} req/s  p50 {r['p50_ms']:6.1f}  "
                            f"p99 {r['p99_ms']:6.1f} ms  x hello {r['rps'] / hello['rps']:.2f}  "
                            f"server CPU {r['server_cpu_ms']:.2f} ms/req  load {r['load']:.1f}"
                            + (
                                f"  {r['letters_per_s']:.0f} letters/s POST p99 {r['post_p99_ms']:.0f} ms"
                                if name == "letter"
                                else ""
                            )
                            + (f"  FAILED {r['errors']}" if r["failed"] else "")
                        )
                finally:
                    server.stop()
                    if url != database.url():
                        database.drop_copy()
    order = {s[0]: i for i, s in enumerate(SCENARIOS)}
    results.sort(key=lambda r: (r["database"], r["size"], order[r["name"]]))

    finished_at = datetime.now(UTC)
    (WORK / f"results-{started_at:%Y%m%dT%H%M%S}.json").write_text(
        json.dumps({"hello": hello, "results": results, "generation": generation}, indent=1)
    )
    command = (
        f'make bench SIZES="{options.sizes}" DATABASES="{options.databases}" '
        f"DURATION={options.duration} CONNECTIONS={options.connections} WORKERS={options.workers}"
    )
    gen = ", ".join(f"{k} {s:,}: {g:.0f} s" for k, s, g in generation if g is not None)
    text = "\n".join(
        [
            f"Run of {started_at:%Y-%m-%d %H:%M} UTC "
            f"({(finished_at - started_at).total_seconds() / 60:.0f} min): `{command}`",
            "",
            f"- Machine: {machine()}; load average before the run {load_before[0]:.1f}, after "
            f"{os.getloadavg()[0]:.1f}.",
            f"- Server: gunicorn, {options.workers} sync workers"
            f"{'' if options.threads == 1 else f' × {options.threads} threads'} "
            f"on 127.0.0.1; load: wrk, {options.connections} connections, {options.duration} s per scenario after "
            f"{options.warmup} s of warm-up; the reading scenarios share one server on the generated database, "
            f"writing letters runs on a fresh copy of it.",
            f"- Databases generated with `flask demo --bulk --akimats {options.akimats} --seed {options.seed}`: {gen}.",
            "",
            table(results, hello),
        ]
    )
    print(text)
    if not options.no_write:
        write_results(text)
        log(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
