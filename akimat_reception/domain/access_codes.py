"""The secret code a resident tracks a letter with: shown once, stored only as its hash."""

import hashlib
import hmac
import secrets

from ..models import Letter

ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread
ACCESS_CODE_LENGTH = 16  # 16 symbols of 31: 79 bits


def new_access_code() -> str:
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def normalize_access_code(code: str) -> str:
    """What the resident typed, without the dashes, spaces and case they may have changed."""
    return "".join(c for c in code.upper() if c.isalnum())


def hash_access_code(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}:{normalize_access_code(code)}".encode()).hexdigest()


def access_code_matches(letter: Letter, code: str) -> bool:
    return hmac.compare_digest(letter.access_code_hash, hash_access_code(letter.number, code))
