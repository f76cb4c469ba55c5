"""Every staff route, for every role of the akimat: the status each one gets."""
import pytest

from tests import factories
from tests.conftest import login, post_form

# route -> expected status per role. Written out by hand from the product rules, not derived
# from the permission table, so that a change of the table must be a change here too.
EXPECTED = {
    "inbox":            {"registrar": 200, "executor": 200, "controller": 200, "akim": 200, "admin": 403},
    "letter":           {"registrar": 200, "executor": 200, "controller": 200, "akim": 200, "admin": 403},
    "other_department": {"registrar": 200, "executor": 403, "controller": 200, "akim": 200, "admin": 403},
    "assign":           {"registrar": 302, "executor": 403, "controller": 403, "akim": 403, "admin": 403},
    "answer":           {"registrar": 403, "executor": 302, "controller": 403, "akim": 403, "admin": 403},
    "dashboard":        {"registrar": 403, "executor": 403, "controller": 403, "akim": 200, "admin": 403},
    "account":          {"registrar": 200, "executor": 200, "controller": 200, "akim": 200, "admin": 200},
    "journal_check":    {"registrar": 403, "executor": 403, "controller": 403, "akim": 200, "admin": 200},
    "access_log":       {"registrar": 403, "executor": 403, "controller": 403, "akim": 200, "admin": 200},
    "calendar":         {"registrar": 403, "executor": 403, "controller": 403, "akim": 403, "admin": 200},
    "forward":          {"registrar": 302, "executor": 403, "controller": 403, "akim": 403, "admin": 403},
    "hearing":          {"registrar": 403, "executor": 302, "controller": 403, "akim": 403, "admin": 403},
    "extension":        {"registrar": 403, "executor": 302, "controller": 403, "akim": 403, "admin": 403},
    "instruction":      {"registrar": 403, "executor": 403, "controller": 403, "akim": 302, "admin": 403},
}


@pytest.mark.parametrize("role", ["registrar", "executor", "controller", "akim", "admin"])
def test_each_role_gets_exactly_its_routes(app, role):
    with app.app_context():
        mine, _ = factories.routed_letter()
        other, _ = factories.letter(category="education")
        from akimat_reception.domain import lifecycle

        lifecycle.assign(other, factories.akimat().departments[2], factories.staff("registrar"))
        fresh, _ = factories.letter()
        to_forward, _ = factories.letter()
        to_hear, _ = factories.routed_letter()
        to_extend, _ = factories.routed_letter()
        new_deadline = lifecycle.calendar_for(to_extend.akimat_id).add_working_days(to_extend.deadline, 5)
        departments = factories.akimat().departments
        mine, other, fresh, second_department = mine.number, other.number, fresh.number, departments[1].id
        to_forward, to_hear, to_extend = to_forward.number, to_hear.number, to_extend.number
    client = app.test_client()
    login(client, role)
    got = {
        "inbox": client.get("/astana/office/").status_code,
        "letter": client.get(f"/astana/office/letters/{mine}").status_code,
        "other_department": client.get(f"/astana/office/letters/{other}").status_code,
        "assign": post_form(client, f"/astana/office/letters/{fresh}/assign", {"department": second_department},
                            form_url="/astana/").status_code,
        "answer": post_form(client, f"/astana/office/letters/{mine}/answer",
                            {"decision": "explained", "body": "Разъясняем порядок."}, form_url="/astana/").status_code,
        "dashboard": client.get("/astana/akim/").status_code,
        "account": client.get("/account").status_code,
        "journal_check": client.get("/astana/oversight/journal").status_code,
        "access_log": client.get("/astana/oversight/access-log").status_code,
        "calendar": client.get("/astana/admin/calendar").status_code,
        "forward": post_form(client, f"/astana/office/letters/{to_forward}/forward",
                             {"competent_body": "Министерство", "forward_reason": "Не наш вопрос"},
                             form_url="/astana/").status_code,
        "hearing": post_form(client, f"/astana/office/letters/{to_hear}/hearing", {"grounds": "Нет права"},
                             form_url="/astana/").status_code,
        "extension": post_form(client, f"/astana/office/letters/{to_extend}/extension",
                               {"new_deadline": new_deadline.isoformat(), "extension_reason": "Экспертиза"},
                               form_url="/astana/").status_code,
        "instruction": post_form(client, f"/astana/office/letters/{mine}/instruction",
                                 {"instruction": "Доложить"}, form_url="/astana/").status_code,
    }
    assert got == {route: statuses[role] for route, statuses in EXPECTED.items()}
