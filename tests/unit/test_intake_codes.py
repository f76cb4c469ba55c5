"""A lost access code replaced (domain/lifecycle/codes.py): the new code opens the letter, the old
one no longer does, and the journal says who issued it and how."""

import pytest

from akimat_reception.domain import journal, lifecycle
from akimat_reception.domain.access_codes import access_code_matches
from akimat_reception.domain.lifecycle.codes import VIA_CHANCELLERY, VIA_CONTACT, reissue_code
from akimat_reception.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def _context(app_context):
    yield


def test_chancellery_code_replaces_the_old_one_and_is_sealed_as_the_registrars():
    letter, old_code = factories.letter()
    registrar = factories.staff(Role.REGISTRAR)
    new_code = reissue_code(letter, VIA_CHANCELLERY, by=registrar)
    assert new_code != old_code
    assert access_code_matches(letter, new_code)
    assert not access_code_matches(letter, old_code)
    event = journal.events_of(letter)[-1]
    assert (event.kind, event.actor_id, event.actor_role) == ("code_reissued", registrar.id, "registrar")
    assert event.payload == {"via": "chancellery", "generation": 1}
    assert journal.verify_events(journal.events_of(letter)) == []


def test_a_second_reissue_ends_the_first_reissued_code_too():
    letter, _ = factories.letter()
    first = reissue_code(letter, VIA_CONTACT)
    second = reissue_code(letter, VIA_CONTACT)
    assert not access_code_matches(letter, first)
    assert access_code_matches(letter, second)
    assert letter.code_generation == 2
    assert journal.events_of(letter)[-1].actor_role == "resident"


@pytest.mark.parametrize("role", [Role.EXECUTOR, Role.CONTROLLER, Role.AKIM, Role.ADMIN])
def test_only_a_registrar_hands_out_a_code_in_person(role):
    letter, code = factories.routed_letter()
    with pytest.raises(lifecycle.NotAllowed):
        reissue_code(letter, VIA_CHANCELLERY, by=factories.staff(role))
    assert access_code_matches(letter, code)


def test_a_registrar_of_another_akimat_cannot_reissue():
    letter, code = factories.letter("astana")
    with pytest.raises(lifecycle.NotAllowed):
        reissue_code(letter, VIA_CHANCELLERY, by=factories.staff(Role.REGISTRAR, "almaty"))
    assert access_code_matches(letter, code)
