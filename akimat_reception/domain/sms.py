"""The length budget of a resident's SMS: at most MAX_SEGMENTS segments, as the operator counts
them. A text in the GSM-7 alphabet fits 160 characters in one SMS and 153 a segment when
concatenated (the extension characters ^{}\\[~]|€ count two); any other character (Cyrillic,
Kazakh) makes the whole SMS UCS-2: 70 characters in one, 67 a segment. Three Cyrillic segments
are thus 201 characters. Every SMS carries the one-click link, so it says only what happened and
when; what does not fit (a long reason, a body's long name) is shortened, and the page has it all.
The status line goes too when keeping it would cut the free text below MIN_FREE characters.

The link is PUBLIC_BASE_URL, the akimat's slug, "/l/" and a 16-character token: the budget holds
with a base URL and slug of up to LINK_ALLOWANCE characters together (https://qabyldau.akimat.gov.kz
and zhetysu-oblysy are 44), tested in every language with the longest number and status."""

import math

MAX_SEGMENTS = 3
LINK_ALLOWANCE = 45
MIN_FREE = 60
ELLIPSIS = "..."  # GSM-7: an ellipsis character would turn an English SMS into UCS-2

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€")
SINGLE = {"gsm7": 160, "ucs2": 70}
PER_SEGMENT = {"gsm7": 153, "ucs2": 67}


def encoding(text: str) -> str:
    return "gsm7" if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text) else "ucs2"


def units(text: str) -> int:
    """The length as the encoding counts it: septets for GSM-7, UTF-16 code units for UCS-2."""
    if encoding(text) == "gsm7":
        return sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    kind, length = encoding(text), units(text)
    if length <= SINGLE[kind]:
        return 1
    return math.ceil(length / PER_SEGMENT[kind])


def fits(text: str) -> bool:
    return segments(text) <= MAX_SEGMENTS


def fit(build, free: str, measure=lambda text: text) -> str:
    return fit_kept(build, free, measure)[0]


def fit_kept(build, free: str, measure=lambda text: text) -> tuple[str, int]:
    """`build(free)` shortened until it fits the budget: `free` (a reason, a name) loses its end,
    marked with ELLIPSIS. `measure` turns the text into what the resident receives (the marks of
    secrets replaced by values as long as theirs). If even an empty `free` does not fit, the text
    is returned as it is: the fixed words are the test's to keep short (tests/unit/test_sms_budget.py).
    Returns the text and how many characters of `free` it kept."""
    free = " ".join(free.split())
    text = build(free)
    if fits(measure(text)):
        return text, len(free)
    low, high = 0, len(free)  # the longest prefix that fits: binary search
    while low < high:
        middle = (low + high + 1) // 2
        if fits(measure(build(free[:middle].rstrip() + ELLIPSIS))):
            low = middle
        else:
            high = middle - 1
    return (build(free[:low].rstrip() + ELLIPSIS) if low else build(ELLIPSIS)), low
