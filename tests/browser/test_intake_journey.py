"""The chancellery's journey in a real browser (kk, 1280 px): a registrar registers a paper
letter with a scanned page and prints the receipt slip; the resident then tracks the letter on the
public site with the number and the code printed on the slip."""

import re

from playwright.sync_api import expect

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.extensions import db
from akimat_reception.models import Role
from tests import factories
from tests.browser.conftest import translator

kk = translator("kk")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DESKTOP = {"width": 1280, "height": 900}


def _kazakh_context(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="kk-KZ", viewport=DESKTOP)
    context.add_cookies([{"name": "lang", "value": "kk", "url": base_url}])
    return context


def test_registrar_registers_a_paper_letter_prints_the_slip_and_the_resident_tracks_it(
    browser, base_url, live_app, artifacts
):
    with live_app.app_context():
        registrar = factories.staff(Role.REGISTRAR)
        registrar.position = "Кеңсенің бас маманы"
        db.session.commit()
        registrar_name = registrar.full_name

    context = _kazakh_context(browser, base_url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label(kk("Email")).fill("registrar@astana.demo.kz")
    page.get_by_label(kk("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=kk("Sign in")).click()
    page.get_by_role("link", name=kk("Register a letter")).click()

    page.get_by_label(kk("On paper, at the chancellery")).check()
    page.get_by_label(kk("Sender's outgoing number or e-Otinish number")).fill("№ 47/2")
    page.get_by_label(kk("Application"), exact=True).check()
    page.get_by_label(kk("Topic")).select_option(label="Жолдар және қоғамдық көлік")
    page.get_by_label(kk("Subject")).fill("Аулаға жарық орнату")
    page.get_by_label(kk("Text of the letter, or the protocol of an oral appeal")).fill(
        "Сарыарқа даңғылы, 5 үйдің ауласында кешке жарық жоқ. Шам орнатуды сұраймын."
    )
    page.get_by_label(kk("Scanned pages and enclosures (optional)")).set_input_files(
        files=[{"name": "өтініш-скан.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_label(kk("Surname")).fill("Жұмабекова")
    page.get_by_label(kk("Name"), exact=True).fill("Гүлнар")
    page.get_by_label(kk("Postal address")).fill("Астана, Сарыарқа даңғылы, 5, 12-пәтер")
    page.get_by_label(kk("Kazakh")).check()
    page.screenshot(path=str(artifacts / "intake-form-kk-1280.png"), full_page=True)
    page.get_by_role("button", name=kk("Register and print the slip")).click()

    # The slip, as the resident takes it away.
    slip = page.locator("article.slip")
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Receipt of an appeal"))
    number = page.locator(".slip-number").inner_text().strip()
    code = page.locator(".slip-code").inner_text().strip()
    assert re.fullmatch(r"AST-\d{4}-\d{6}", number)
    assert re.fullmatch(r"([2-9A-Z]{4}-){3}[2-9A-Z]{4}", code)
    expect(slip).to_contain_text(f"{registrar_name}, Кеңсенің бас маманы")
    expect(slip).to_contain_text(kk("On paper, at the chancellery") + ", № 47/2")
    expect(slip).to_contain_text(kk("Answer due by"))
    expect(slip.locator(".slip-url")).to_have_text(re.compile(r"^https?://[^ ]+/astana/track$"))
    expect(slip).to_contain_text(kk("Enter the registration number and the access code from this slip."))
    expect(page.get_by_role("button", name=kk("Print"))).to_be_visible()  # scripts run: the button shows
    page.screenshot(path=str(artifacts / "intake-slip-kk-1280.png"), full_page=True)
    # Printed, it is the slip alone on one A4 page: no menu, no buttons.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name=kk("Print"))).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    (artifacts / "intake-slip-kk.pdf").write_bytes(pdf)
    context.close()

    # At home, from another computer: only what the slip says.
    resident_context = _kazakh_context(browser, base_url)
    resident = resident_context.new_page()
    resident.goto("/astana/track")
    resident.get_by_label(kk("Registration number")).fill(number)
    resident.get_by_label(kk("Access code")).fill(code)
    resident.get_by_role("button", name=kk("Show my letter")).click()
    expect(resident.get_by_role("heading", level=1)).to_contain_text(number)
    expect(resident.locator("body")).to_contain_text("Аулаға жарық орнату")
    expect(resident.locator("body")).to_contain_text("өтініш-скан.pdf")
    resident_context.close()
