"""A user of one akimat gets 404 for every office URL of another: letters cannot be probed."""
import pytest

from tests import factories
from tests.conftest import login, post_form

ROLES = ["registrar", "executor", "controller", "akim", "admin"]


@pytest.fixture
def astana_letter(app):
    with app.app_context():
        letter, _ = factories.routed_letter("astana")
        return letter.number


def _office_urls(number):
    return [
        ("get", "/astana/office/"),
        ("get", f"/astana/office/letters/{number}"),
        ("get", "/astana/office/letters/AST-2026-999999"),
        ("post", f"/astana/office/letters/{number}/assign"),
        ("post", f"/astana/office/letters/{number}/answer"),
        ("get", "/astana/akim/"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_almaty_staff_get_404_on_every_astana_office_url(app, astana_letter, role):
    client = app.test_client()
    login(client, role, "almaty")
    for method, url in _office_urls(astana_letter):
        if method == "get":
            response = client.get(url)
        else:
            response = post_form(client, url, {"department": 1, "decision": "satisfied", "body": "x"},
                                 form_url="/almaty/")
        assert response.status_code == 404, (role, method, url)
