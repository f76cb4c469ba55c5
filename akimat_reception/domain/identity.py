"""Identifiers residents give us: the IIN (ЖСН / ИИН) and phone numbers."""

from functools import lru_cache

import phonenumbers

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def iin_check_digit(first_eleven: str) -> int | None:
    """The control digit of an IIN/BIN, or None when the algorithm yields no valid digit."""
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
        if remainder != 10:
            return remainder
    return None


def is_valid_iin(value: str) -> bool:
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    return iin_check_digit(value[:11]) == int(value[11])


def normalize_phone(value: str, region: str = "KZ") -> str | None:
    """The number in E.164, or None when it is not a valid phone number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def format_phone_national(e164: str) -> str:
    """As dialled inside Kazakhstan; cached, since a directory page formats every line's number."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
