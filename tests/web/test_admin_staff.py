"""The administrator's staff pages and the invitation's link: an invitation really delivered by
email, its link accepted once (a new person sets a password; an existing account gives its own),
an expired, reused or revoked link refused with the same page; roles given and taken,
deactivation ending the person's sessions, a second factor reset. Refusals: other roles 403,
another akimat's administrator 404."""

import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.domain.staff import add_staff
from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, Akimat, Invitation, Role, User
from tests import factories
from tests.conftest import login, post_form
from tests.smtp import drain

NEW_PASSWORD = "quiet-river-lantern-2026"
LINK = re.compile(r"/invitations/([A-Za-z0-9_-]{20,})")


def _anonymous(app):
    """A visitor reading the pages in English."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def _signed_in(app, role="admin", akimat="astana"):
    client = _anonymous(app)
    login(client, role, akimat)
    return client


def _email() -> str:
    return f"new-{uuid.uuid4().hex[:10]}@example.kz"


def _fresh_department(app, slug="astana") -> int:
    """People these tests add work in a department of their own: the demo akimat's staff counts
    (reminders, notifications) that other tests check stay as they were."""
    with app.app_context():
        return factories.department(slug).id


def _invite(app, admin, email, roles=("executor",), department=None):
    if department is None:
        department = _fresh_department(app)
    data = {"email": email, "full_name": "Айгүл Сәрсенова", "roles": list(roles), "department": str(department)}
    return post_form(admin, "/astana/admin/staff/invite", data)


def _delivered_link(app, smtp, email) -> str:
    with app.app_context():
        drain()
    [mail] = smtp.inbox.to(email)
    text = mail.get_body(("plain",)).get_content()
    return LINK.search(text).group(0)


def _person_id(app, email) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_an_invited_executor_gets_the_email_sets_a_password_and_sees_the_inbox(app, smtp):
    admin = _signed_in(app)
    email = _email()
    sent = _invite(app, admin, email)
    assert sent.status_code == 302
    listing = admin.get("/astana/admin/staff/").get_data(as_text=True)
    assert f"The invitation was sent to {email}." in listing and email in listing  # an open invitation
    link = _delivered_link(app, smtp, email)
    with app.app_context():
        assert db.session.scalar(select(Invitation.token_hash).where(Invitation.email == email)) not in link

    person = _anonymous(app)
    page = person.get(link)
    assert page.status_code == 200 and "Accept the invitation" in page.get_data(as_text=True)
    differ = post_form(person, link, {"password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD + "x"})
    assert differ.status_code == 422 and "The two new passwords differ." in differ.get_data(as_text=True)
    weak = post_form(person, link, {"password": "short", "repeat_password": "short"})
    assert weak.status_code == 422 and "at least 12 characters" in weak.get_data(as_text=True)
    accepted = post_form(person, link, {"password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/astana/office/")
    assert person.get("/astana/office/").status_code == 200

    again = _anonymous(app).get(link)  # a used link
    assert again.status_code == 404 and "This link does not work" in again.get_data(as_text=True)
    signed_in = post_form(_anonymous(app), "/login", {"email": email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    with app.app_context():
        kinds = db.session.scalars(select(AdminEvent.kind).where(AdminEvent.kind.like("invitation_%"))).all()
        assert "invitation_accepted" in kinds


def test_an_expired_unknown_or_revoked_link_gets_the_same_page(app, smtp):
    admin = _signed_in(app)
    expired, revoked = _email(), _email()
    _invite(app, admin, expired)
    _invite(app, admin, revoked)
    expired_link, revoked_link = _delivered_link(app, smtp, expired), _delivered_link(app, smtp, revoked)
    with app.app_context():
        row = db.session.scalar(select(Invitation).where(Invitation.email == expired))
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        revoke_id = db.session.scalar(select(Invitation.id).where(Invitation.email == revoked))
        db.session.commit()
    revoking = post_form(admin, f"/astana/admin/staff/invitations/{revoke_id}/revoke", {}, "/astana/admin/staff/")
    assert revoking.status_code == 302
    pages = [_anonymous(app).get(url) for url in (expired_link, revoked_link, "/invitations/" + "x" * 43)]
    assert {p.status_code for p in pages} == {404}
    assert len({p.get_data(as_text=True).split("<main")[1] for p in pages}) == 1
    assert "Ask the administrator of your akimat" in pages[0].get_data(as_text=True)
    data = {"password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    posted = post_form(_anonymous(app), expired_link, data, form_url="/login")
    assert posted.status_code == 404
    assert _person_id(app, expired) is None


def test_a_resent_invitation_replaces_the_old_link(app, smtp):
    admin = _signed_in(app)
    email = _email()
    _invite(app, admin, email)
    old = _delivered_link(app, smtp, email)
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id).where(Invitation.email == email))
    assert post_form(admin, f"/astana/admin/staff/invitations/{invitation_id}/resend", {}, "/astana/admin/staff/")
    with app.app_context():
        drain()
    new = LINK.search(smtp.inbox.to(email)[-1].get_body(("plain",)).get_content()).group(0)
    assert new != old
    assert _anonymous(app).get(old).status_code == 404
    assert _anonymous(app).get(new).status_code == 200
    second = _invite(app, admin, email)  # the same address again while one is open
    assert second.status_code == 422 and "already open" in second.get_data(as_text=True)


def test_an_existing_account_accepts_with_its_own_password_and_gets_the_roles(app, smtp):
    with app.app_context():
        almaty = factories.akimat("almaty")
        elsewhere = factories.department("almaty").id
        almaty_person = add_staff(almaty, _email(), "Ерлан Ким", Role.EXECUTOR, DEMO_PASSWORD, elsewhere)
        email = almaty_person.email
    admin = _signed_in(app)
    _invite(app, admin, email.upper())
    link = _delivered_link(app, smtp, email)
    person = _anonymous(app)
    page = person.get(link).get_data(as_text=True)
    assert "You already have an account" in page and "repeat_password" not in page
    wrong = post_form(person, link, {"password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "not the one of this account" in wrong.get_data(as_text=True)
    assert post_form(person, link, {"password": DEMO_PASSWORD}).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.roles_in(factories.akimat("astana")) == {Role.EXECUTOR}
        assert user.roles_in(factories.akimat("almaty")) == {Role.EXECUTOR}


def test_an_invitation_form_with_problems_keeps_what_was_typed(app):
    admin = _signed_in(app)
    response = post_form(
        admin, "/astana/admin/staff/invite", {"email": "not-an-email", "full_name": "Асель", "department": "0"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "There is a problem" in html and 'value="Асель"' in html
    no_department = _invite(app, admin, _email(), department=0)
    assert no_department.status_code == 422 and "An executor needs a department" in no_department.get_data(True)
    no_role = post_form(admin, "/astana/admin/staff/invite", {"email": _email(), "full_name": "A", "department": "0"})
    assert no_role.status_code == 422 and "Choose at least one role." in no_role.get_data(as_text=True)


def test_roles_are_given_and_taken_on_the_persons_page(app):
    with app.app_context():
        first, department = factories.department().id, factories.department().id
        person = add_staff(factories.akimat("astana"), _email(), "Дана Омарова", Role.EXECUTOR, DEMO_PASSWORD, first)
        person_id = person.id
    admin = _signed_in(app)
    url = f"/astana/admin/staff/{person_id}"
    given = post_form(admin, f"{url}/roles", {"role": "executor", "department": str(department)}, url)
    assert given.status_code == 302 and "The role was given." in admin.get(url).get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, person_id)
        earlier = next(m.id for m in user.memberships if m.department_id == first)
        assert department in user.departments_in(factories.akimat("astana"))
    taken = post_form(admin, f"{url}/roles/{earlier}/withdraw", {}, url)
    assert taken.status_code == 302 and "The role was taken away." in admin.get(url).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, person_id).departments_in(factories.akimat("astana")) == {department}


def test_the_administrator_cannot_take_away_the_akimats_last_administrator(app):
    admin = _signed_in(app)
    with app.app_context():
        me = factories.staff(Role.ADMIN)
        membership = next(m.id for m in me.memberships if m.role is Role.ADMIN)
        me_id = me.id
    url = f"/astana/admin/staff/{me_id}"
    refused = post_form(admin, f"{url}/roles/{membership}/withdraw", {}, url)
    assert refused.status_code == 302
    assert "last administrator" in admin.get(url).get_data(as_text=True)
    with app.app_context():
        assert Role.ADMIN in db.session.get(User, me_id).roles_in(factories.akimat("astana"))


def test_deactivation_on_the_page_ends_the_persons_session_at_once(app):
    email = _email()
    with app.app_context():
        add_staff(
            factories.akimat("astana"), email, "Марат Ахметов", Role.EXECUTOR, DEMO_PASSWORD, factories.department().id
        )
    person = _anonymous(app)
    assert post_form(person, "/login", {"email": email, "password": DEMO_PASSWORD}).status_code == 302
    assert person.get("/astana/office/").status_code == 200
    admin = _signed_in(app)
    url = f"/astana/admin/staff/{_person_id(app, email)}"
    done = post_form(admin, f"{url}/deactivate", {}, url)
    assert done.status_code == 302 and "was deactivated" in admin.get(url).get_data(as_text=True)
    assert person.get("/astana/office/").status_code == 302  # sent to sign in again
    assert post_form(_anonymous(app), "/login", {"email": email, "password": DEMO_PASSWORD}).status_code == 422
    assert post_form(admin, f"{url}/reactivate", {}, url).status_code == 302
    assert post_form(_anonymous(app), "/login", {"email": email, "password": DEMO_PASSWORD}).status_code == 302


def test_a_reset_second_factor_is_set_up_again_at_the_next_sign_in(app):
    import pyotp

    email = _email()
    with app.app_context():
        # An administrator elsewhere (not the last one there) who is an executor in Astana.
        tag = uuid.uuid4().hex[:6]
        other = Akimat(slug=f"t-{tag}", number_prefix=tag.upper(), name_kk=tag, name_ru=tag, name_en=tag)
        db.session.add(other)
        db.session.commit()
        person = add_staff(other, email, "Нұрлан Беков", Role.ADMIN, DEMO_PASSWORD)
        add_staff(other, _email(), "Second Admin", Role.ADMIN, DEMO_PASSWORD)
        add_staff(
            factories.akimat("astana"), email, "Нұрлан Беков", Role.EXECUTOR, DEMO_PASSWORD, factories.department().id
        )
        person.totp_secret = pyotp.random_base32()
        db.session.commit()
    admin = _signed_in(app)
    url = f"/astana/admin/staff/{_person_id(app, email)}"
    assert "Reset the second factor" in admin.get(url).get_data(as_text=True)
    assert post_form(admin, f"{url}/reset-second-factor", {}, url).status_code == 302
    assert "The second factor was reset" in admin.get(url).get_data(as_text=True)
    person_client = _anonymous(app)
    signed_in = post_form(person_client, "/login", {"email": email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302 and not signed_in.headers["Location"].endswith("/login/code")
    forced = person_client.get("/astana/admin/staff/")
    assert forced.status_code == 302 and forced.headers["Location"].endswith("/account/two-factor")
    own = admin.get(f"/astana/admin/staff/{_person_id(app, 'admin@astana.demo.kz')}").get_data(as_text=True)
    assert "Reset the second factor" not in own  # never one's own


def test_other_roles_get_403_and_another_akimat_404(app):
    with app.app_context():
        almaty_person = factories.staff(Role.REGISTRAR, "almaty").id
        astana_person = factories.staff(Role.REGISTRAR).id
    for role in ("registrar", "executor", "controller", "akim"):
        client = _signed_in(app, role)
        assert client.get("/astana/admin/staff/").status_code == 403
        assert client.get("/astana/admin/staff/invite").status_code == 403
    stranger = _signed_in(app, "admin", "almaty")
    assert stranger.get("/astana/admin/staff/").status_code == 404
    assert stranger.get(f"/astana/admin/staff/{astana_person}").status_code == 404
    admin = _signed_in(app)
    assert admin.get(f"/astana/admin/staff/{almaty_person}").status_code == 404  # not a person of Astana
    url = f"/astana/admin/staff/{almaty_person}/deactivate"
    assert post_form(admin, url, {}, "/astana/admin/staff/").status_code == 404
