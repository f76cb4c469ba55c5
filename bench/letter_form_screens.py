"""How many phone screens the letter form takes: each page's height over a 640 px high viewport,
at 360 px and 1280 px wide, in Kazakh and Russian, with a full-page screenshot of each.

    PYTHONPATH=$PWD .venv/bin/python bench/letter_form_screens.py after /tmp/screens

"before" measures /letters/new as one page (run it from a checkout that still has the one-page
form); "after" walks the steps the longest way (a complaint, with a file), with the letter step
failed once and the anonymous "about you" step as well."""

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, ".")
from tests.browser.conftest import ARGS, CHROMIUM  # noqa: E402
from tests.conftest import make_test_app  # noqa: E402

SCREEN = 640


def _measure(page, out: Path, mode: str, name: str, language: str, width: int) -> None:
    page.wait_for_load_state("load")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(out / f"{name}-{language}-{width}.png"), full_page=True)
    print(f"{mode} {language} {width}px {name}: {height}px = {height / SCREEN:.1f} screens", flush=True)


def _continue(page) -> None:
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")


def _steps(page, measure) -> None:
    measure("1-kind")
    page.locator("#kind-1").check()  # a complaint: the longest way
    _continue(page)
    measure("2-letter")
    _continue(page)
    measure("2-letter-errors")
    page.select_option("#category", index=1)
    page.fill("#subject", "Жылу жоқ")
    page.fill("#body", "Радиаторы холодные третью неделю, просим принять меры.")
    page.set_input_files("#files", {"name": "акт.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n%%EOF\n"})
    _continue(page)
    measure("3-complaint")
    page.fill("#disputed_party", "ЖИК дома 12")
    page.fill("#complaint_request", "Включить отопление.")
    _continue(page)
    measure("4-about")
    page.fill("#surname", "Сейтқали")
    page.fill("#given_name", "Дәурен")
    page.fill("#address", "Астана, Мәңгілік Ел даңғылы, 10")
    page.fill("#email", "dauren@example.kz")
    _continue(page)
    measure("5-check")
    page.goto("/astana/letters/new/kind?change=1")
    page.locator("#writer-1").check()
    _continue(page)
    measure("4-about-anonymous")


def main(mode: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = make_test_app("sqlite:///" + tempfile.mkdtemp() + "/screens.sqlite3")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language in ("kk", "ru"):
            for width in (360, 1280):
                context = browser.new_context(
                    base_url=f"http://127.0.0.1:{server.server_port}", viewport={"width": width, "height": SCREEN}
                )
                page = context.new_page()
                page.goto(f"/language/{language}?next=/astana/letters/new")

                def measure(name, page=page, language=language, width=width):
                    _measure(page, out, mode, name, language, width)

                if mode == "before":
                    measure("one-page-form")
                else:
                    _steps(page, measure)
                context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
