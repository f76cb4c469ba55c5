"""The IIN checksum and phone numbers."""

import pytest

from akimat_reception.domain.identity import format_phone_national, is_valid_iin, normalize_phone


@pytest.mark.parametrize("iin", ["900101300017", "880216450019", "750312500232"])
def test_valid_iin_passes(iin):
    assert is_valid_iin(iin)


@pytest.mark.parametrize(
    "iin",
    [
        "900101300018",  # wrong control digit
        "90010130001",  # 11 digits
        "9001013000177",  # 13 digits
        "90010130001a",
        "９００１０１３０００１７",  # full-width digits are not ASCII digits
        "",
    ],
)
def test_invalid_iin_fails(iin):
    assert not is_valid_iin(iin)


def test_iin_needing_the_second_weights_is_checked_with_them():
    # First pass gives 10, so the second weights (3..11, 1, 2) decide the control digit.
    from akimat_reception.domain.identity import iin_check_digit

    first = next(
        f"{n:011d}"
        for n in range(10**10, 10**10 + 10**6)
        if sum(int(c) * w for c, w in zip(f"{n:011d}", range(1, 12), strict=False)) % 11 == 10
        and iin_check_digit(f"{n:011d}") is not None
    )
    assert is_valid_iin(first + str(iin_check_digit(first)))


@pytest.mark.parametrize("raw", ["+7 701 234 5678", "87012345678", "8 (701) 234-56-78", "+77012345678"])
def test_kazakh_mobile_numbers_normalize_to_e164(raw):
    assert normalize_phone(raw) == "+77012345678"


@pytest.mark.parametrize("raw", ["12345", "not a phone", "+7 701 234"])
def test_invalid_phone_is_rejected(raw):
    assert normalize_phone(raw) is None


def test_phone_shown_in_national_format():
    assert format_phone_national("+77172555555") == "8 (7172) 55 55 55"
