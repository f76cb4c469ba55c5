"""Properties of the identifiers and of the working-day calendar, checked with Hypothesis on
generated inputs rather than on a handful of examples.

What the IIN checksum really guarantees (found by these properties, and proved below):
- the control digit (12th) is always protected: changing it alone makes the IIN invalid;
- the 11th digit has weight 11 in the first pass, i.e. 0 modulo 11, so when the control digit
  comes from the first pass (its remainder is not 10) ANY change of the 11th digit keeps the IIN
  valid; it is protected only for IINs whose control digit comes from the second pass;
- a change of one of the digits 1–10 is caught unless it moves the IIN between the two passes
  (exactly one of the original and the changed IIN has a first-pass remainder of 10).
"""

from datetime import date, timedelta

import phonenumbers
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from akimat_reception.domain.calendar import WorkingCalendar, _public_holidays
from akimat_reception.domain.identity import format_phone_national, iin_check_digit, is_valid_iin, normalize_phone

# Modest and deterministic: a few seconds for the whole module, no timing-dependent failures.
PROPERTY = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

FIRST_WEIGHTS = range(1, 12)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


def first_remainder(first_eleven: str) -> int:
    return sum(int(c) * w for c, w in zip(first_eleven, FIRST_WEIGHTS, strict=False)) % 11


@st.composite
def valid_iins(draw):
    prefix = draw(digits)
    check = iin_check_digit(prefix)
    assume(check is not None)
    return prefix + str(check)


# --- IIN -------------------------------------------------------------------------------------------


@PROPERTY
@given(digits)
def test_every_prefix_with_a_computable_check_digit_yields_a_valid_iin(prefix):
    check = iin_check_digit(prefix)
    if check is None:  # both passes give 10: no IIN starts with this prefix
        assert not any(is_valid_iin(prefix + str(d)) for d in range(10))
    else:
        assert 0 <= check <= 9
        assert is_valid_iin(prefix + str(check))
        assert [d for d in range(10) if is_valid_iin(prefix + str(d))] == [check]


@PROPERTY
@given(valid_iins(), st.integers(0, 11), st.integers(1, 9))
@example("900101300017", 10, 1)  # the 11th digit changed, the IIN stays valid
def test_changing_one_digit_of_a_valid_iin_follows_the_real_rule(iin, position, delta):
    changed = iin[:position] + str((int(iin[position]) + delta) % 10) + iin[position + 1 :]
    original_second_pass = first_remainder(iin[:11]) == 10
    changed_second_pass = first_remainder(changed[:11]) == 10
    if position == 11:
        assert not is_valid_iin(changed), "the control digit is always protected"
    elif position == 10:
        # weight 11 ≡ 0 (mod 11): invisible to the first pass
        assert is_valid_iin(changed) == (not original_second_pass)
    elif original_second_pass == changed_second_pass:
        assert not is_valid_iin(changed), "digits 1-10 are protected within one pass"
    # else: a change that moves the IIN between the passes may go unnoticed (see the next test)


def test_each_kind_of_undetected_single_digit_change_exists():
    """The exceptions above are real, not just allowed by the assertions."""
    assert is_valid_iin("900101300017") and is_valid_iin("900101300027")  # 11th digit: 1 → 2
    into_second = into_first = None
    for n in range(10**10, 10**10 + 5000):
        iin = f"{n:011d}"
        check = iin_check_digit(iin)
        if check is None:
            continue
        iin += str(check)
        for position in range(10):
            for d in "0123456789":
                changed = iin[:position] + d + iin[position + 1 :]
                if changed != iin and is_valid_iin(changed):
                    if first_remainder(changed[:11]) == 10:
                        into_second = into_second or (iin, changed)
                    else:
                        into_first = into_first or (iin, changed)
        if into_second and into_first:
            break
    assert into_second and into_first


@PROPERTY
@given(
    st.one_of(
        st.text(max_size=30).filter(lambda s: len(s) != 12),
        st.text(alphabet="0123456789", max_size=30).filter(lambda s: len(s) != 12),
        st.text(min_size=12, max_size=12).filter(lambda s: not (s.isascii() and s.isdigit())),
    )
)
@example("９００１０１３０００１７")  # full-width digits
@example("٩٠٠١٠١٣٠٠٠١٧")  # Arabic-Indic digits: str.isdigit() says yes
@example("90010130001²")  # a superscript is a digit to str.isdigit(), not to int()
@example(" 900101300017")
def test_non_digit_or_wrong_length_strings_are_never_valid(value):
    assert not is_valid_iin(value)


# --- phone numbers ----------------------------------------------------------------------------------

phone_like = st.text(alphabet="+0123456789 ()-.", max_size=20)


@PROPERTY
@given(
    st.one_of(
        phone_like,
        st.text(max_size=25),
        st.builds(
            lambda p, n: f"{p}{n}",
            st.sampled_from(["+7", "8", "7", "+7 ", "8 (", "+1", "+44"]),
            st.text(alphabet="0123456789 -", min_size=7, max_size=14),
        ),
    )
)
def test_normalize_phone_is_idempotent_on_its_output(raw):
    normalized = normalize_phone(raw)
    if normalized is not None:
        assert normalized.startswith("+") and normalized[1:].isdigit()
        assert normalize_phone(normalized) == normalized


KZ_MOBILE_PREFIXES = [
    p
    for p in [*range(700, 710), 747, *range(770, 780)]
    if phonenumbers.is_valid_number(phonenumbers.parse(f"+7{p}1234567"))
]


def test_the_kazakh_mobile_prefixes_are_known_to_phonenumbers():
    # +7 70x/747/77x, as far as the numbering plan assigns them (703, 704, 709, 770, 772–774, 779 are not).
    assert {700, 701, 702, 705, 707, 708, 747, 771, 775, 777, 778} <= set(KZ_MOBILE_PREFIXES)


@PROPERTY
@given(st.sampled_from(KZ_MOBILE_PREFIXES), st.integers(0, 9_999_999))
def test_kazakh_mobile_numbers_round_trip_through_national_format(prefix, subscriber):
    e164 = f"+7{prefix}{subscriber:07d}"
    number = phonenumbers.parse(e164)
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    national = format_phone_national(e164)
    assert national.startswith("8 ")
    assert normalize_phone(national) == e164
    assert normalize_phone(e164) == e164


# --- the working-day calendar -----------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2045, 12, 31))


@st.composite
def calendars(draw, around: date | None = None):
    """A calendar with overrides near `around`: extra working days and extra days off, disjoint
    (as calendar_for builds them: one decision per day)."""
    base = around or draw(days)
    offsets = st.integers(-5, 90)
    working = draw(st.frozensets(offsets, max_size=8))
    off = draw(st.frozensets(offsets, max_size=12)) - working
    return WorkingCalendar(
        extra_working_days=[base + timedelta(days=o) for o in working],
        extra_days_off=[base + timedelta(days=o) for o in off],
    )


@st.composite
def calendar_and_day(draw):
    day = draw(days)
    return draw(calendars(around=day)), day


@PROPERTY
@given(calendar_and_day(), st.integers(1, 60))
def test_the_result_is_a_working_day(calendar_day, n):
    calendar, day = calendar_day
    assert calendar.is_working_day(calendar.add_working_days(day, n))


@PROPERTY
@given(calendar_and_day(), st.integers(0, 60), st.integers(1, 20))
def test_adding_more_working_days_gives_a_later_day(calendar_day, n, more):
    calendar, day = calendar_day
    assert calendar.add_working_days(day, 0) == day
    assert calendar.add_working_days(day, n + more) > calendar.add_working_days(day, n) >= day
    assert calendar.add_working_days(day, n + 1) > calendar.add_working_days(day, n)


@PROPERTY
@given(calendar_and_day(), st.integers(1, 60))
def test_exactly_n_minus_one_working_days_lie_strictly_between(calendar_day, n):
    calendar, day = calendar_day
    result = calendar.add_working_days(day, n)
    between = [day + timedelta(days=i) for i in range(1, (result - day).days)]
    assert sum(calendar.is_working_day(d) for d in between) == n - 1


@PROPERTY
@given(calendar_and_day(), st.integers(-5, 90))
def test_weekends_and_holidays_are_days_off_unless_declared_working(calendar_day, offset):
    calendar, base = calendar_day
    day = base + timedelta(days=offset)
    declared_working = day in calendar.extra_working_days
    if day.weekday() >= 5 or day in _public_holidays(day.year):
        assert calendar.is_working_day(day) == declared_working
    if day in calendar.extra_days_off:
        assert not calendar.is_working_day(day)
    if declared_working:
        assert calendar.is_working_day(day)


@PROPERTY
@given(days.filter(lambda d: d.weekday() >= 5))
def test_a_weekend_is_never_a_working_day_of_the_national_calendar(day):
    assert not WorkingCalendar().is_working_day(day)
    assert WorkingCalendar(extra_working_days=[day]).is_working_day(day)
