"""The event builders' payloads: what domain/events.py seals for each kind."""

import dataclasses
from datetime import date

import pytest

from akimat_reception.domain import events

SAMPLE = {"int": 7, "str": "текст", "bool": True, "date": date(2026, 3, 11), "list[str]": ["ab", "cd"]}


def _sample(builder: type[events.Payload]) -> events.Payload:
    values = {}
    for f in dataclasses.fields(builder):
        kind = str(f.type).removesuffix(" | None")
        values[f.name] = SAMPLE[kind]
    return builder(**values)


@pytest.mark.parametrize("kind", list(events.EventKind))
def test_every_payload_is_its_fields_with_dates_in_iso_and_reads_back(kind):
    builder = events.BUILDERS[kind]
    event = _sample(builder)
    payload = event.to_payload()
    expected = dataclasses.asdict(event)
    for name in builder.DATES:
        expected[name] = expected[name].isoformat()
    assert payload == expected and list(payload) == [f.name for f in dataclasses.fields(builder)]
    assert events.parse(kind.value, payload) == event


def test_a_payload_shares_no_list_with_its_builder():
    event = events.Submitted(kind="complaint", subject="Нет отопления", files=["a" * 64])
    payload = event.to_payload()
    payload["files"].append("b" * 64)
    assert event.files == ["a" * 64]
