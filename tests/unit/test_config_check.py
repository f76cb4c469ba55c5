"""`flask check-config`: every unsafe production setting with what to do, exit 1; exit 0 when clean.
And the time-zone data it checks: Asia/Almaty is UTC+5 since 1 March 2024."""

import importlib.resources
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from akimat_reception import config_check, create_app
from akimat_reception.domain.record import keys

# The record's key as docs/record.md keeps it: made once, mode 0600, outside instance/.
RECORD_KEY = Path(tempfile.mkdtemp(prefix="check-config-")) / "record-signing.key"
keys.create_key(RECORD_KEY, "reception.astana.gov.kz/record")
REAL_KEY = "2d7f9b3c5e1a4f6b8d0c2e4a6b8d0f1a-check-config"
SAFE = {
    "SECRET_KEY": REAL_KEY,
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PUBLIC_BASE_URL": "https://reception.astana.gov.kz",
    "MAIL_SERVER": "smtp.astana.gov.kz",
    "MAIL_DEFAULT_SENDER": "reception@astana.gov.kz",
    "SMS_GATEWAY": "kaz_sms.gateway:Gateway",  # the operator's; not imported by the check
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "TRUSTED_PROXY_HOPS": 1,
    "RECORD_ORIGIN": "reception.astana.gov.kz/record",
    "RECORD_SIGNING_KEY_FILE": str(RECORD_KEY),
    "RECORD_SIGNING_KEY_CREATE": False,
    "RECORD_WITNESSES": "control@akimat.astana.gov.kz,https://reception.almaty.gov.kz/record/witness",
}
# What each unsafe setting's line must say, as `flask check-config` prints it.
EXPECTED = {
    "SECRET_KEY": "short enough to guess",
    "SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE=1",
    "MAIL_SERVER": "not set",
    "SMS_GATEWAY": "only writes SMS to the log",
    "PUBLIC_BASE_URL": "points at 127.0.0.1",
    "MAIL_DEFAULT_SENDER": "example address",
    "RATELIMIT_STORAGE_URI": "redis://",
    "TRUSTED_PROXY_HOPS": "number of proxies",
    "RECORD_SIGNING_KEY_CREATE": "flask journal keygen",
    "RECORD_ORIGIN": "every installation's logs",
    "RECORD_WITNESSES": "nothing earlier to be compared with",
}


@pytest.fixture(autouse=True)
def production_environment(monkeypatch):
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "SECRET_KEY_FALLBACKS", "FLASK_DEBUG", "MAIL_SERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "4")


def _check(config, *args):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", **config})
    return app.test_cli_runner().invoke(args=["check-config", *args])


def test_the_shipped_defaults_are_each_reported_with_what_to_do():
    result = _check({"SECRET_KEY": "too-short-a-key"})  # the app refuses to start with no key at all
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    for setting, advice in EXPECTED.items():
        entry = next((i for i, line in enumerate(lines) if line.startswith(f"- {setting}:")), None)
        assert entry is not None, f"{setting} not reported:\n{result.output}"
        assert advice in lines[entry] + lines[entry + 1] and lines[entry + 1].startswith("  What to do: ")
    assert "4 workers" in result.output


def test_a_production_configuration_is_clean():
    result = _check(SAFE)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "No unsafe setting found."


@pytest.mark.parametrize(
    "change, setting",
    [
        ({"SECRET_KEY_FALLBACKS": ["short"]}, "SECRET_KEY_FALLBACKS"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"PUBLIC_BASE_URL": "http://reception.astana.gov.kz"}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "https://localhost:8443"}, "PUBLIC_BASE_URL"),
        ({"MAIL_SERVER": ""}, "MAIL_SERVER"),
        ({"MAIL_DEFAULT_SENDER": "Reception <noreply@example.com>"}, "MAIL_DEFAULT_SENDER"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"TRUSTED_PROXY_HOPS": 0}, "TRUSTED_PROXY_HOPS"),
        ({"RECORD_SIGNING_KEY_CREATE": True}, "RECORD_SIGNING_KEY_CREATE"),
        ({"RECORD_SIGNING_KEY_FILE": str(RECORD_KEY.with_name("missing.key"))}, "RECORD_SIGNING_KEY_FILE"),
        ({"RECORD_WITNESSES": ""}, "RECORD_WITNESSES"),
        ({"RECORD_WITNESSES": "control@akimat.astana.gov.kz ftp://somewhere"}, "RECORD_WITNESSES"),
        ({"RECORD_ORIGIN": config_check.DEFAULT_RECORD_ORIGIN}, "RECORD_ORIGIN"),
    ],
)
def test_each_unsafe_setting_alone_fails_the_check(change, setting):
    result = _check({**SAFE, **change})
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.output.splitlines() if line.startswith("- ")] == [f"- {setting}"]


def test_the_default_origin_the_check_knows_is_the_one_the_app_takes():
    if "RECORD_ORIGIN" in os.environ:
        pytest.skip("RECORD_ORIGIN is set in this environment: the default is not in use")
    assert (
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": REAL_KEY}).config["RECORD_ORIGIN"]
        == config_check.DEFAULT_RECORD_ORIGIN
    )


def test_cookie_flags_that_talisman_would_force_are_still_checked():
    """Talisman sets HttpOnly and SameSite=Lax on the app; the check reads the config it is given."""
    found = config_check.problems(
        {**SAFE, "SESSION_COOKIE_HTTPONLY": False, "SESSION_COOKIE_SAMESITE": "None"}, workers=4
    )
    assert [p.setting for p in found] == ["SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE"]


def test_rate_limits_turned_off_are_reported():
    """Checked on the settings alone: an app built with the limiter off turns the shared
    Flask-Limiter instance off for every app built after it in this process."""
    assert [p.setting for p in config_check.problems({**SAFE, "RATELIMIT_ENABLED": False}, workers=4)] == [
        "RATELIMIT_ENABLED"
    ]


def test_an_explicit_local_smtp_relay_is_accepted(monkeypatch):
    monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
    accepted = _check({**SAFE, "MAIL_SERVER": "127.0.0.1"})
    assert accepted.exit_code == 0, accepted.output
    monkeypatch.delenv("MAIL_SERVER")
    assert _check({**SAFE, "MAIL_SERVER": "127.0.0.1"}).exit_code == 1  # the default, not a choice


def test_the_memory_store_is_fine_for_one_worker_only():
    memory = {**SAFE, "RATELIMIT_STORAGE_URI": "memory://"}
    assert _check(memory, "--workers", "1").exit_code == 0
    assert _check(memory, "--workers", "2").exit_code == 1


def test_in_debug_the_missing_key_and_the_debugger_are_reported(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")  # as `flask --debug check-config` runs it
    result = _check({**SAFE, "SECRET_KEY": None})
    assert result.exit_code == 1
    assert "- SECRET_KEY: not set" in result.output and "- DEBUG: on" in result.output


def test_stale_time_zone_data_is_reported():
    """Data from before tzdata 2024a puts Almaty at UTC+6; Dhaka stands in for such data here."""
    stale = config_check.problems(SAFE, workers=4, zone=lambda name: ZoneInfo("Asia/Dhaka"))
    assert [p.setting for p in stale] == ["time zone data"]
    assert "UTC+6:00:00, not UTC+5" in stale[0].problem
    assert config_check.problems(SAFE, workers=4) == []


def test_almaty_is_utc_plus_5_since_march_2024_in_the_data_the_site_uses():
    assert ZoneInfo("Asia/Almaty").utcoffset(datetime(2024, 6, 1)).total_seconds() == 5 * 3600
    assert ZoneInfo("Asia/Almaty").utcoffset(datetime(2024, 2, 1)).total_seconds() == 6 * 3600  # before the change
    # What a page shows: noon UTC is 17:00 in Almaty.
    shown = format_datetime(datetime(2024, 6, 1, 12, 0, tzinfo=UTC), "HH:mm xxx", tzinfo="Asia/Almaty", locale="ru")
    assert shown == "17:00 +05:00"


def test_the_pinned_tzdata_package_itself_has_the_change():
    """Where the system has no (or old) zone data, Python falls back to the tzdata package."""
    with importlib.resources.files("tzdata.zoneinfo.Asia").joinpath("Almaty").open("rb") as data:
        almaty = ZoneInfo.from_file(data)
    assert almaty.utcoffset(datetime(2024, 6, 1)).total_seconds() == 5 * 3600


def _record_problems(config, instance_path=None) -> list[str]:
    found = config_check.problems({**SAFE, **config}, workers=4, instance_path=instance_path)
    return [f"{p.setting}: {p.problem} / {p.fix}" for p in found]


def test_a_signing_key_others_may_read_is_reported(tmp_path):
    key = tmp_path / "record-signing.key"
    keys.create_key(key, "reception.astana.gov.kz/record")
    assert _record_problems({"RECORD_SIGNING_KEY_FILE": str(key)}) == []
    key.chmod(0o640)
    [found] = _record_problems({"RECORD_SIGNING_KEY_FILE": str(key)})
    assert found.startswith("RECORD_SIGNING_KEY_FILE: ") and "mode 0640" in found and f"chmod 600 {key}" in found
    key.chmod(0o604)
    assert "mode 0604" in _record_problems({"RECORD_SIGNING_KEY_FILE": str(key)})[0]


def test_a_file_that_is_no_signing_key_is_reported(tmp_path):
    """The likeliest mix-up: the public verifier key that keygen printed, saved as the key file."""
    key = tmp_path / "record-signing.key"
    key.write_text(keys.create_key(tmp_path / "real.key", "reception.astana.gov.kz/record").verifier.encode() + "\n")
    key.chmod(0o600)
    [found] = _record_problems({"RECORD_SIGNING_KEY_FILE": str(key)})
    assert "holds no signing key" in found


def test_a_missing_signing_key_is_reported_with_how_to_make_it(tmp_path):
    [found] = _record_problems({"RECORD_SIGNING_KEY_FILE": str(tmp_path / "nowhere.key")})
    assert "no key at" in found and "flask journal keygen --file" in found


def test_the_default_key_in_the_instance_folder_is_checked_too(tmp_path):
    """Without RECORD_SIGNING_KEY_FILE the key is instance/record-signing.key (keys.key_path)."""
    without = {k: v for k, v in SAFE.items() if k != "RECORD_SIGNING_KEY_FILE"}
    found = config_check.problems(without, workers=4, instance_path=str(tmp_path))
    assert [p.setting for p in found] == ["RECORD_SIGNING_KEY_FILE"] and "no key at" in found[0].problem
    keys.create_key(tmp_path / "record-signing.key", "reception.astana.gov.kz/record")
    assert config_check.problems(without, workers=4, instance_path=str(tmp_path)) == []


def test_a_signing_key_among_the_attachments_is_reported_as_it_would_go_into_every_backup(tmp_path):
    attachments = tmp_path / "files"
    attachments.mkdir()
    key = attachments / "record-signing.key"
    keys.create_key(key, "reception.astana.gov.kz/record")
    [found] = _record_problems({"RECORD_SIGNING_KEY_FILE": str(key), "ATTACHMENTS_DIR": str(attachments)})
    assert "inside the attachments folder" in found and config_check.KEY_OUTSIDE in found
    # the default attachments folder, instance/attachments, counts as well
    instance = tmp_path / "instance"
    (instance / "attachments").mkdir(parents=True)
    key = instance / "attachments" / "record-signing.key"
    keys.create_key(key, "reception.astana.gov.kz/record")
    [found] = _record_problems({"RECORD_SIGNING_KEY_FILE": str(key)}, instance_path=str(instance))
    assert "inside the attachments folder" in found


def test_a_signing_key_in_the_backups_folder_is_reported(tmp_path):
    (tmp_path / "backups").mkdir()
    key = tmp_path / "backups" / "record-signing.key"
    keys.create_key(key, "reception.astana.gov.kz/record")
    [found] = _record_problems({"RECORD_SIGNING_KEY_FILE": str(key)}, instance_path=str(tmp_path))
    assert "inside the backups folder" in found
