"""A resident as a witness, in real Chromium: they write a letter, the worker integrates it, they
download the receipt of the record from the tracking page, save the verifier page and open the saved
file with the network cut off, load the receipt and read "verified"; a receipt with one character
of its content changed reads "does not match". Without JavaScript the page names the command."""

import json

from playwright.sync_api import expect

from akimat_reception.domain.record import step
from akimat_reception.domain.record.note import Signer
from tests.browser.conftest import translator

ru = translator("ru")
SUBJECT = "Нет освещения во дворе дома 7"


def _write_letter(page):
    page.goto("/astana/letters/new")
    page.check("#kind-0")
    page.get_by_role("button", name=ru("Continue")).click()
    page.select_option("#category", index=1)
    page.fill("#subject", SUBJECT)
    page.fill("#body", "Во дворе дома 7 вечером нет освещения, просим починить фонари.")
    page.get_by_role("button", name=ru("Continue")).click()
    page.fill("#surname", "Ким")
    page.fill("#given_name", "Елена")
    page.fill("#address", "Астана, ул. Абая, 7")
    page.fill("#email", "elena@example.kz")
    page.get_by_role("button", name=ru("Continue")).click()
    page.get_by_role("button", name=ru("Send the letter")).click()
    expect(page.get_by_role("heading", name=ru("Your letter is registered"))).to_be_visible()
    return page.locator(".big-number").inner_text().strip()


def _saved_verifier(context, tmp_path):
    """The page as "Save page as… (HTML only)" keeps it: the bytes the server sent."""
    html = context.request.get("/record/verify").text()
    saved = tmp_path / "verify.html"
    saved.write_text(html, encoding="utf-8")
    return saved


def _check(page, receipt_text=None, receipt_file=None):
    if receipt_file is not None:
        page.get_by_label(ru("Receipt file (record.json)")).set_input_files(str(receipt_file))
    if receipt_text is not None:
        page.get_by_label(ru("Or paste the text of the receipt")).fill(receipt_text)
    page.get_by_role("button", name=ru("Check the receipt")).click()


def test_a_resident_checks_the_receipt_of_their_letter_offline(browser, base_url, live_app, tmp_path, artifacts):
    context = browser.new_context(base_url=base_url, locale="ru-RU", accept_downloads=True)
    page = context.new_page()
    number = _write_letter(page)
    section = page.locator("section.record-entry")
    expect(section).to_contain_text(ru("In the public record"))
    with live_app.app_context():
        step.run()  # the worker's turn: the letter is now in a signed checkpoint

    page.goto(f"/astana/track/{number}")
    expect(section).to_contain_text(ru("Your letter is in the signed record."))
    page.screenshot(path=str(artifacts / "record-entry-ru.png"), full_page=True)
    with page.expect_download() as download:
        section.get_by_role("link", name=ru("Download the receipt of the record (record.json)")).click()
    receipt = tmp_path / "record.json"
    download.value.save_as(receipt)
    assert json.loads(receipt.read_text(encoding="utf-8"))["number"] == number

    saved = _saved_verifier(context, tmp_path)
    offline = browser.new_context(locale="ru-RU", offline=True)  # away from the server under suspicion
    requests = []
    checker = offline.new_page()
    checker.on("request", lambda request: requests.append(request.url))
    checker.goto(saved.as_uri())
    expect(checker.get_by_role("heading", level=1)).to_have_text(ru("Check a receipt of the akimat's record"))
    _check(checker, receipt_file=receipt)
    result = checker.locator("#result")
    expect(result.locator(".summary")).to_have_attribute("data-result", "ok")
    expect(result).to_contain_text(ru("verified: the content matches and the entry is in the signed record"))
    expect(result).not_to_contain_text(ru("does not match: this content is not what was sealed in the record"))
    checker.set_viewport_size({"width": 360, "height": 640})
    checker.screenshot(path=str(artifacts / "record-verify-ru-360.png"), full_page=True)
    assert all(url.startswith("file:") for url in requests), f"the saved page asked the network: {requests}"

    # One character of the letter's words changed, as a rewritten record would show them.
    tampered = json.loads(receipt.read_text(encoding="utf-8"))
    content = tampered["entries"][0]["content"]
    assert "освещения" in content
    tampered["entries"][0]["content"] = content.replace("освещения", "освешения", 1)
    checker.reload()
    _check(checker, receipt_text=json.dumps(tampered, ensure_ascii=False))
    expect(result.locator(".summary")).to_have_attribute("data-result", "bad")
    expect(result).to_contain_text(ru("does not match: this content is not what was sealed in the record"))
    expect(result.locator("li").first).to_have_attribute("data-outcome", "mismatch")
    expect(result.locator("li").nth(1)).to_have_attribute("data-outcome", "verified")

    # A key of the same name that did not sign the checkpoint (a forger's): the signature is refused.
    checker.reload()
    key = checker.get_by_label(ru("The verifier key you trust"))
    forger = Signer.generate(key.input_value().split("+", 1)[0]).verifier.encode()
    key.fill(forger)
    _check(checker, receipt_file=receipt)
    expect(result.locator(".summary")).to_have_attribute("data-result", "bad")
    refused = "The checkpoint's signature does NOT verify with the key you trust. Do not rely on this receipt."
    expect(result).to_contain_text(ru(refused))
    offline.close()
    context.close()


def test_without_javascript_the_verifier_page_names_the_command(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.goto("/record/verify")
    expect(page.locator("main")).to_contain_text("akimat-verify receipt record.json")
    expect(page.get_by_role("button", name=ru("Check the receipt"))).to_be_hidden()
    context.close()
