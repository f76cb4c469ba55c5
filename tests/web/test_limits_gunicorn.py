"""Each limit holds as the site runs in production: gunicorn with 4 workers, the counts in Redis,
behind a proxy that sets X-Forwarded-For (TRUSTED_PROXY_HOPS=1). And while Redis is down, each
limit does what docs/operations.md says: sign-in waits, letters and access codes go on.

The server is a real gunicorn subprocess on the session's database; requests are plain HTTP on a
new connection each, so they land on different workers (the access log's pids prove it)."""

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from akimat_reception.demo import DEMO_PASSWORD
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 13  # the tests' own database number; each run also has its own key prefix
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser with its own cookies, whose requests reach the site through the proxy from `address`."""

    def __init__(self, base: str, address: str):
        self.base, self.address = base, address
        jar = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(jar, _NoRedirect)

    def request(self, path, data=None, forwarded_for=None):
        headers = {"X-Forwarded-For": forwarded_for or self.address, "Accept-Language": "en", "Connection": "close"}
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.base + path, body, headers), timeout=20) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    def post_form(self, path, data, forwarded_for=None, ready=lambda: None):
        """GET the form, then (once `ready` returns) POST it with its CSRF token."""
        status, html, _ = self.request(path, forwarded_for=forwarded_for)
        assert status == 200, (path, status)
        match = CSRF_RE.search(html)
        ready()
        return self.request(path, {"csrf_token": match.group(1) or match.group(2), **data}, forwarded_for)


def _posted_together(forms):
    """Each (visitor, path, data) posted from a thread of its own, the POSTs released together.
    A sync gunicorn worker serves one request at a time, so requests in flight together are served
    by different workers; sent one after another they may all reach the worker the kernel woke last."""
    barrier = threading.Barrier(len(forms))
    with ThreadPoolExecutor(len(forms)) as pool:
        futures = [pool.submit(v.post_form, path, data, ready=barrier.wait) for v, path, data in forms]
        return [future.result() for future in futures]


@contextmanager
def gunicorn(database_url: str, storage_uri: str, workers: int, log: Path, **settings):
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "SECRET_KEY": uuid.uuid4().hex,
        "RATELIMIT_STORAGE_URI": storage_uri,
        "TRUSTED_PROXY_HOPS": "1",
        **settings,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        f"--workers={workers}",
        "--preload",  # one import, then fork: the workers are up in a second
        "--no-control-socket",  # gunicorn's default socket path is shared by every gunicorn of the machine
        f"--bind=127.0.0.1:{port}",
        f"--access-logfile={log}",
        "--access-logformat=%(p)s %(m)s %(U)s %(s)s",
        "akimat_reception:create_app()",
    ]
    base = f"http://127.0.0.1:{port}"
    with running(command, env, log.with_suffix(".stderr"), ready_url=base + "/login"):
        yield base, log


@contextmanager
def running(command, env, stderr: Path, ready_url: str | None = None, stop=signal.SIGKILL):
    """`command` in a process group of its own, from the repository's root; once `ready_url`
    answers (if given), yields the process; then sends `stop` to the whole group and waits.
    SIGKILL by default: a graceful stop spends seconds in the workers' exit. What the process writes
    to stderr goes to the file `stderr`, shown if it exits before it is ready."""
    with stderr.open("wb") as errors:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while ready_url:
            assert process.poll() is None, stderr.read_text(errors="replace")[-3000:]
            try:
                urllib.request.urlopen(ready_url, timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"{command[0]} did not start"
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, stop)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _workers_that_served(log: Path, path: str, status: str) -> set[str]:
    """The pids of the workers that answered POST `path` with `status` (the access log's lines)."""
    lines = [line.split() for line in (log.read_text().splitlines() if log.exists() else [])]
    return {pid for pid, method, url, code in lines if (method, url, code) == ("POST", path, status)}


def _delete_keys(client: redis.Redis, prefix: str) -> None:
    for key in client.scan_iter(match=f"*/{prefix}/*"):
        client.delete(key)


@pytest.fixture
def redis_prefix():
    """This run's keys in the tests' Redis database, deleted before and after (never a FLUSHDB,
    which would wipe a parallel run's counts)."""
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    _delete_keys(client, prefix)
    yield prefix
    _delete_keys(client, prefix)
    client.close()


LETTER = {
    "kind": "application",
    "subject": "Жол шұңқыры",
    "body": "Аялдама жанындағы жолда үлкен шұңқыр бар, жөндеуді сұраймын.",
    "surname": "Сейтқали",
    "given_name": "Дәурен",
    "address": "Астана, Мәңгілік Ел, 10",
    "language": "kk",
}


def _letter(app, email):
    with app.app_context():
        category = factories.akimat("astana").categories[0].id
    return {**LETTER, "category": category, "email": email}


def test_each_limit_holds_under_four_gunicorn_workers_behind_a_proxy(app, redis_prefix, tmp_path):
    with app.app_context():
        letter, code = factories.letter()
        number = letter.number
    settings = {
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "RATELIMIT_LOGIN_PER_ACCOUNT": "6 per 15 minutes",  # each wrong password costs a hash: keep it short
        "RATELIMIT_LETTERS": "3 per hour",
        "RATELIMIT_LETTERS_PER_CONTACT": "2 per hour",
    }
    storage = f"redis://127.0.0.1:6379/{REDIS_DB}"
    log = tmp_path / "access.log"
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], storage, 4, log, **settings) as (base, log):
        # One account: exactly 6 wrong passwords (RATELIMIT_LOGIN_PER_ACCOUNT), each from another
        # address; the 7th attempt waits even with the right password.
        wrong = {"email": "akim@astana.demo.kz", "password": "not-the-password"}
        tries = _posted_together([(Visitor(base, f"203.0.113.{i + 1}"), "/login", wrong) for i in range(6)])
        assert [status for status, _, _ in tries] == [422] * 6
        status, html, headers = Visitor(base, "203.0.113.99").post_form("/login", {**wrong, "password": DEMO_PASSWORD})
        assert status == 429 and "Too many requests" in html and "Retry-After" in headers
        other = {"email": "registrar@astana.demo.kz", "password": DEMO_PASSWORD}
        # another account, from an address that failed, still signs in
        assert Visitor(base, "203.0.113.1").post_form("/login", other)[0] == 302

        # One letter: exactly 5 wrong access codes (RATELIMIT_TRACK_PER_NUMBER), then even the right one waits.
        wrong_code = {"number": number, "code": "2" * 16}
        tries = _posted_together(
            [(Visitor(base, f"198.51.100.{i + 1}"), "/astana/track", wrong_code) for i in range(5)]
        )
        assert [status for status, _, _ in tries] == [422] * 5
        late = Visitor(base, "198.51.100.50").post_form("/astana/track", {"number": number, "code": code})
        assert late[0] == 429

        # Letters per client: 3 registered from one address (each with its own email), the 4th comes
        # back as typed with a 429, even with a forged address put in front of the proxy's.
        resident = Visitor(base, "192.0.2.10")
        for i in range(3):
            assert resident.post_form("/astana/letters/new", _letter(app, f"client{i}@example.kz"))[0] == 302, i
        forged = "10.9.8.7, 192.0.2.10"  # the client's claim, then the address our proxy appended
        status, html, _ = resident.post_form("/astana/letters/new", _letter(app, "client9@example.kz"), forged)
        assert status == 429 and LETTER["body"] in html and "client9@example.kz" in html
        assert "Too many letters were sent from your connection" in html
        # Another resident behind the same proxy has limits of their own.
        assert Visitor(base, "192.0.2.11").post_form("/astana/letters/new", _letter(app, "other@example.kz"))[0] == 302

        # Letters per contact: the same email from three addresses, 2 registered (RATELIMIT_LETTERS_PER_CONTACT).
        same = [
            Visitor(base, f"192.0.2.{20 + i}").post_form("/astana/letters/new", _letter(app, "Dauren@example.kz"))
            for i in range(3)
        ]
        assert [s for s, _, _ in same] == [302, 302, 429]
        assert "Too many letters were sent with this contact" in same[2][1]

    # The counts were shared between processes, not kept in one: the refused attempts were counted
    # by several workers.
    # (The wrong passwords and codes were posted together, so several workers were busy at once.)
    served = set().union(
        *(
            _workers_that_served(log, path, status)
            for path, status in (("/login", "422"), ("/astana/track", "422"), ("/astana/letters/new", "302"))
        )
    )
    assert len(served) >= 2


@pytest.fixture
def private_redis():
    """A Redis server of this test's own, so that it can be stopped and started again."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    processes = []

    def start():
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        processes.append(process)
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop():
        processes[-1].terminate()
        processes[-1].wait(timeout=10)

    start()
    yield port, start, stop
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def test_while_redis_is_down_sign_in_waits_and_letters_and_codes_go_on(app, private_redis, tmp_path):
    port, start, stop = private_redis
    with app.app_context():
        letter, code = factories.letter()
        number = letter.number
    storage = f"redis://127.0.0.1:{port}/0"
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], storage, 2, tmp_path / "access.log") as (base, _):
        wrong = {"email": "controller@astana.demo.kz", "password": "not-the-password"}
        assert Visitor(base, "203.0.113.5").post_form("/login", wrong)[0] == 422
        stop()
        for i in range(3):  # whichever worker answers
            status, html, headers = Visitor(base, "203.0.113.5").post_form("/login", wrong)
            assert status == 503 and "Please try again in a minute" in html and "Retry-After" in headers, i
        # Fail open: a resident's letter is registered, and the tracking form still answers.
        assert Visitor(base, "192.0.2.30").post_form("/astana/letters/new", _letter(app, "down@example.kz"))[0] == 302
        status, _, _ = Visitor(base, "198.51.100.30").post_form("/astana/track", {"number": number, "code": code})
        assert status == 302
        start()
        deadline = time.monotonic() + 20
        while (status := Visitor(base, "203.0.113.5").post_form("/login", wrong)[0]) == 503:
            assert time.monotonic() < deadline, "sign-in did not come back with Redis"
            time.sleep(0.5)
        assert status == 422
