"""Where things land on the screen, measured in a real browser at 360 px and 1280 px: the layout
defects of issue 14 (the receipt's number and code, the phone report's thank-you, staff tables'
headers and numbers, the akim's menu on a phone)."""

import pytest

from akimat_reception.web.public.reception import RECEIPT_KEY
from akimat_reception.web.public.tracked import TRACKED_KEY
from tests import factories
from tests.browser.conftest import translator
from tests.conftest import DEMO_PASSWORD, current_code

PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 720}
WIDTHS = {"360": PHONE, "1280": DESKTOP}

# Lines the element's text takes on the screen (padding and min-height aside): the distinct tops
# of its text's boxes.
LINES = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
}"""

# The words of the element's text that the browser broke over two lines (or more).
BROKEN_WORDS = """el => {
  const broken = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (const match of text.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


def _page(browser, base_url, language, width):
    context = browser.new_context(
        base_url=base_url, locale={"kk": "kk-KZ", "ru": "ru-RU"}[language], viewport=WIDTHS[width]
    )
    context.set_extra_http_headers({"Accept-Language": language})
    return context, context.new_page()


def _sign_in(page, app, role):
    email = f"{role}@astana.demo.kz"
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        page.fill("#code", current_code(app, email))
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    assert "/login" not in page.url


def _receipt_in(context, app, base_url):
    """The browser that has just sent a letter: the receipt shows its number and, once, its code."""
    with app.app_context():
        letter, code = factories.letter(subject="Геометрия квитанции")
        letter_id, number = letter.id, letter.number
    client = app.test_client()
    with client.session_transaction() as session:
        session[TRACKED_KEY] = factories.tracked_entry(letter_id)
        session[RECEIPT_KEY] = {"letter_id": letter_id, "code": code}
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return number, code


@pytest.mark.parametrize(("language", "width"), [("kk", "360"), ("ru", "360"), ("ru", "1280")])
def test_receipt_number_and_code_are_each_one_line(browser, base_url, live_app, artifacts, language, width):
    context, page = _page(browser, base_url, language, width)
    number, code = _receipt_in(context, live_app, base_url)
    page.goto(f"/astana/letters/{number}/receipt")
    for selector, text in (("#receipt-number", number), ("#receipt-code", code)):
        element = page.locator(selector)
        assert element.inner_text() == text
        assert element.evaluate(LINES) == 1, f"{selector} wraps at {width} px"
        box = element.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    page.screenshot(path=str(artifacts / f"geometry-receipt-{language}-{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize(("language", "width"), [("kk", "360"), ("ru", "1280")])
def test_phone_report_thank_you_is_in_the_viewport_and_focused(browser, base_url, live_app, artifacts, language, width):
    with live_app.app_context():
        dept = factories.department(name=f"Геометрия {language} {width}")
        lines = [factories.phone_line(dept=dept, purpose=f"Геометрия {i}") for i in range(6)]
        last = lines[-1].id  # the bottom of a long page
    context, page = _page(browser, base_url, language, width)
    page.goto("/astana/phones")
    row = page.locator(f"#line-{last}")
    button = row.locator("button.button-report")
    assert button.evaluate(BROKEN_WORDS) == [], "the button's words break inside"
    button.click()
    page.wait_for_load_state()
    thanks = page.locator(f"#line-{last}-thanks")
    assert thanks.inner_text() == translator(language)(
        "Thank you: your report was recorded. Staff will call this line to check it."
    )
    box = thanks.bounding_box()
    height = WIDTHS[width]["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"the thank-you is at {box['y']:.0f} px"
    assert page.evaluate("document.activeElement.id") == f"line-{last}-thanks"
    page.screenshot(path=str(artifacts / f"geometry-phones-thanks-{language}-{width}.png"))
    context.close()


@pytest.mark.parametrize(("language", "width"), [("ru", "1280"), ("kk", "1280"), ("ru", "360")])
def test_staff_table_headers_and_numbers_never_break_inside_a_word(
    browser, base_url, live_app, artifacts, language, width
):
    with live_app.app_context():
        for i in range(3):
            factories.letter(subject=f"Очень длинная тема обращения о ремонте дороги и освещении двора {i}")
    context, page = _page(browser, base_url, language, width)
    _sign_in(page, live_app, "registrar")
    page.goto("/astana/office/?status=all")
    cells = page.locator("main table td.number-cell")
    assert cells.count() > 0
    for i in range(cells.count()):
        number = cells.nth(i).locator("a")
        assert number.evaluate(LINES) == 1, f"{number.inner_text()} wraps at {width} px"
    if width == "1280":
        headers = page.locator("main table th")
        for i in range(headers.count()):
            assert headers.nth(i).evaluate(BROKEN_WORDS) == [], headers.nth(i).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]
    page.screenshot(path=str(artifacts / f"geometry-inbox-{language}-{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize(("language", "width"), [("kk", "360"), ("ru", "360"), ("ru", "1280")])
def test_akims_page_heading_is_in_the_first_screen(browser, base_url, live_app, artifacts, language, width):
    context, page = _page(browser, base_url, language, width)
    _sign_in(page, live_app, "akim")
    page.goto("/astana/akim/")
    heading = page.locator("main h1")
    box = heading.bounding_box()
    assert box["y"] + box["height"] <= 640, f"the h1 ends at {box['y'] + box['height']:.0f} px"
    letters = page.locator(".staff-menu a", has_text=translator(language)("Letters")).first
    if width == "360":  # folded: one tap opens it, without scripts
        assert not letters.is_visible()
        page.locator(".staff-menu > summary").click()
    assert letters.is_visible()
    page.screenshot(path=str(artifacts / f"geometry-akim-menu-{language}-{width}.png"))
    context.close()
