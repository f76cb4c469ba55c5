"""What makes a staff password acceptable: long enough, and not guessable (zxcvbn knows the
common passwords, names and keyboard patterns)."""

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MINIMUM_LENGTH = 12
MINIMUM_SCORE = 3  # zxcvbn: 0 too guessable ... 4 very unguessable


def password_problems(password: str, user_inputs: tuple[str, ...] = ()) -> list:
    if len(password) < MINIMUM_LENGTH:
        return [_l("Use at least %(count)s characters.", count=MINIMUM_LENGTH)]
    result = zxcvbn(password[:100], user_inputs=[i for i in user_inputs if i])
    if result["score"] < MINIMUM_SCORE:
        return [_l("This password is too easy to guess: it is common or follows a pattern. Use a few unrelated words.")]
    return []
