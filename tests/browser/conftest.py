"""Real Chromium (Debian's package) driven by Playwright, against the app served on 127.0.0.1."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from babel.support import Translations
from werkzeug.serving import make_server

from tests.conftest import PROJECT_ROOT, make_test_app

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
ARTIFACTS = PROJECT_ROOT / "tests" / ".artifacts"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but {CHROMIUM} is missing: .ci/run must install Debian's chromium")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium); required when CI=true")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ARGS + browser_type_launch_args.get("args", []),
    }


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    return make_test_app("sqlite:///" + str(tmp_path_factory.mktemp("browser") / "browser.sqlite3"))


@pytest.fixture(scope="session")
def base_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ru-RU"}


@pytest.fixture(scope="session")
def artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def translator(language: str):
    """The site's own catalogue, so tests find labels as a reader of that language sees them."""
    return Translations.load(str(PROJECT_ROOT / "translations"), [language]).gettext
