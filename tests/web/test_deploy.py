"""The deployment guide, run: `flask db upgrade`, then gunicorn with deploy/gunicorn.conf.py and
`flask worker` beside it, with the settings of deploy/env.example (only the machine's own values
replaced: an SQLite file, the key files, a free port, a mail server that is not there), exactly the
commands of docs/deploy.md (the record's key made by `flask journal keygen`, as docs/record.md
says). The site answers a page as it would behind nginx, /healthz reports the worker, and both stop
cleanly on SIGTERM, as systemd stops them. The units pass systemd-analyze."""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.web.test_limits_gunicorn import REDIS_DB, _free_port, _NoRedirect, redis_prefix, running  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtualenv's bin/: .venv/bin in the guide
SERVICE_SETTINGS = (
    "User=akimat",
    "EnvironmentFile=/etc/akimat-reception/env",
    "WorkingDirectory=/srv/akimat-reception",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ReadWritePaths=/srv/akimat-reception/instance",
    "PrivateTmp=yes",
)
LONG_RUNNING = ("Restart=on-failure",)
UNITS = sorted((ROOT / "deploy" / "systemd").glob("akimat-reception-*"))


def _env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as systemd's EnvironmentFile= reads them."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _get(url: str, **headers):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"Connection": "close", **headers}), timeout=20) as r:
            return r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def _wait_for_the_worker(base: str, process) -> dict:
    """/healthz from this host, without proxy headers: the JSON details, once the worker beats."""
    deadline = time.monotonic() + 30
    while True:
        status, body, _ = _get(base + "/healthz")
        details = json.loads(body)
        if details["worker"]["running"]:
            return details
        assert process.poll() is None, "the worker stopped"
        assert time.monotonic() < deadline, details
        time.sleep(0.3)


def test_the_site_and_the_worker_start_as_the_guide_says(tmp_path, redis_prefix):  # noqa: F811
    port = _free_port()
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(48))
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG")}
    env.update(_env_file(ROOT / "deploy" / "env.example"))
    env.update(
        {
            "PYTHONPATH": str(ROOT),  # this checkout, not whatever the virtualenv installed
            "DATABASE_URL": f"sqlite:///{tmp_path / 'reception.sqlite3'}",
            "SECRET_KEY_FILE": str(key_file),
            "RECORD_SIGNING_KEY_FILE": str(tmp_path / "record" / "signing.key"),
            "RECORD_PUBLISH_DIR": str(tmp_path / "published"),
            "RECORD_WITNESSES": "witness@example.kz",  # no real witness is reached from a test
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "RATELIMIT_KEY_PREFIX": redis_prefix,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(_free_port()),
            "MAIL_USE_TLS": "0",
            "SMS_GATEWAY": "akimat_reception.delivery:DevelopmentSmsSink",
        }
    )
    flask = str(BIN / "flask")
    migrated = subprocess.run([flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    keygen = subprocess.run(
        [flask, "journal", "keygen", "--file", env["RECORD_SIGNING_KEY_FILE"]], cwd=ROOT, env=env, capture_output=True
    )
    assert keygen.returncode == 0 and keygen.stdout.startswith(b"reception.astana.gov.kz/record+"), keygen.stderr
    checked = subprocess.run(
        [flask, "check-config", "--workers", "2"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr  # the guide's settings are production-safe

    base = f"http://127.0.0.1:{port}"
    web_command = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "akimat_reception:create_app()"]
    with (
        running([flask, "worker"], env, tmp_path / "worker.log", stop=signal.SIGTERM) as worker,
        running(web_command, env, tmp_path / "web.log", ready_url=base + "/healthz", stop=signal.SIGTERM) as web,
    ):
        details = _wait_for_the_worker(base, worker)
        assert details["status"] == "ok" and details["database"]["ok"] and details["worker"]["running"] == 1

        # As nginx forwards a resident's request: HTTPS, the session cookie only over it, HSTS.
        proxied = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "Accept-Language": "en"}
        status, html, headers = _get(base + "/login", **proxied)
        assert status == 200 and 'name="csrf_token"' in html
        cookie = headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "max-age=" in headers["Strict-Transport-Security"]
        # Plain HTTP is sent to HTTPS (FORCE_HTTPS); through the proxy /healthz says only "ok".
        status, _, headers = _get(base + "/login", **{**proxied, "X-Forwarded-Proto": "http"})
        assert status in (301, 302) and headers["Location"].startswith("https://")
        assert _get(base + "/healthz", **proxied)[:2] == (200, "ok\n")
    assert web.returncode == 0, (tmp_path / "web.log").read_text()[-3000:]
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()[-3000:]


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_the_systemd_units_pass_systemd_analyze_verify(unit, tmp_path):
    """Installed as the guide says (the checkout in /srv/akimat-reception, its virtualenv in .venv);
    here the two paths are this checkout's and this virtualenv's, which systemd-analyze requires to
    exist. Any warning (an unknown key, a value it cannot parse) fails the test."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (systemd's tools): the units cannot be verified here")
    venv = Path(sys.prefix)
    text = unit.read_text(encoding="utf-8")
    text = text.replace("/srv/akimat-reception/.venv", str(venv)).replace("/srv/akimat-reception", str(ROOT))
    copy = tmp_path / unit.name
    copy.write_text(text, encoding="utf-8")
    result = subprocess.run([analyze, "verify", "--man=no", str(copy)], capture_output=True, text=True)
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr
    if unit.suffix == ".service":
        for setting in SERVICE_SETTINGS + (LONG_RUNNING if "backup" not in unit.name else ()):
            assert setting in text.replace(str(ROOT), "/srv/akimat-reception"), setting


def test_the_guide_shows_the_commands_the_test_runs_and_the_sql_the_tests_run():
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert ".venv/bin/gunicorn -c deploy/gunicorn.conf.py 'akimat_reception:create_app()'" in guide
    assert ".venv/bin/flask worker" in guide and ".venv/bin/flask db upgrade" in guide
    roles = (ROOT / "deploy" / "postgres-roles.sql").read_text(encoding="utf-8")
    assert f"```sql\n{roles}```" in guide  # the file in full, as tests/conftest.py runs it
    assert "docs/deploy.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_nginx_takes_exactly_the_uploads_the_app_takes():
    from akimat_reception.config import Config

    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    megabytes = Config.MAX_CONTENT_LENGTH // (1024 * 1024)
    assert f"client_max_body_size {megabytes}m;" in nginx
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx  # one hop: TRUSTED_PROXY_HOPS=1
    assert "TRUSTED_PROXY_HOPS=1" in (ROOT / "deploy" / "env.example").read_text(encoding="utf-8")


def test_every_setting_of_the_sealed_record_is_in_the_example_and_in_its_guide():
    from akimat_reception.config import Config

    settings = [name for name in vars(Config) if name.startswith("RECORD_")]
    example = _env_file(ROOT / "deploy" / "env.example")
    guide = (ROOT / "docs" / "record.md").read_text(encoding="utf-8")
    assert len(settings) >= 8
    for name in settings:
        assert name in example, f"{name} is not in deploy/env.example"
        assert f"| `{name}` |" in guide, f"{name} is not in docs/record.md's table of settings"
    assert example["RECORD_SIGNING_KEY_CREATE"] == "0"
    assert not example["RECORD_SIGNING_KEY_FILE"].startswith("/srv/akimat-reception/instance")  # out of backups
    for page in ("README.md", "docs/deploy.md", "docs/operations.md"):
        assert "record.md" in (ROOT / page).read_text(encoding="utf-8"), page
