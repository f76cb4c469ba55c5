"""The status a resident reads on the tracking page, in the email and in the SMS is one and the
same at every step (national systems are known to say "answered" by SMS while the portal says
"in progress")."""

import re

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Letter, Role
from tests import factories
from tests.smtp import drain


def _page_status(client, number):
    html = client.get(f"/astana/track/{number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    return re.search(r'class="resident-status">([^<]+)<', html).group(1).strip()


def test_tracking_page_email_and_sms_say_the_same_status(app, smtp, sms_log):
    with app.app_context():
        letter, _ = factories.letter(language="en", email="same@example.kz", phone="+77015550011")
        letter_id, number = letter.id, letter.number
    client = app.test_client()
    with client.session_transaction() as session:
        session["tracked"] = factories.tracked_entry(letter_id)

    def last_notices():
        with app.app_context():
            drain()
        mail = smtp.inbox.to("same@example.kz")[-1].get_body(("plain",)).get_content()
        sms = [text for phone, text in sms_log() if phone == "+77015550011"][-1]
        return re.search(r"Status: (.+)", mail).group(1).strip(), re.search(r"Status: (.+)", sms).group(1).strip()

    steps = []
    email_status, sms_status = last_notices()
    steps.append((_page_status(client, number), email_status, sms_status))
    with app.app_context():
        letter = db.session.get(Letter, letter_id)
        lifecycle.assign(letter, factories.akimat().departments[0], factories.staff(Role.REGISTRAR))
        factories.answer(letter)
    email_status, sms_status = last_notices()
    steps.append((_page_status(client, number), email_status, sms_status))

    for page, email, sms in steps:
        assert page == email == sms, steps
    assert steps[0][0] != steps[1][0]  # the status did change between the steps
