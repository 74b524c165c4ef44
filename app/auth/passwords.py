"""Password hashing and the password policy."""

import re
import secrets
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 256
# Passwords guessed first by anyone: keyboard runs, the obvious words, the year's games.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "qwerty",
        "qwertyuiop",
        "qwerty123",
        "qwe123",
        "qweasdzxc",
        "1qaz2wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qazwsxedc",
        "zaq12wsx",
        "asdfghjkl",
        "zxcvbnm",
        "abc123",
        "abcd1234",
        "abcdefg",
        "abcdefgh",
        "iloveyou",
        "woaini",
        "woaini1314",
        "admin",
        "admin123",
        "admin1234",
        "administrator",
        "root",
        "welcome",
        "welcome1",
        "letmein",
        "changeme",
        "default",
        "test1234",
        "demo1234",
        "123qwe",
        "aa123456",
        "a123456",
        "a12345678",
        "zhangwei",
        "wangwei",
    }
)
_ONE_CHAR = re.compile(r"^(.)\1*$")
_RUN = "abcdefghijklmnopqrstuvwxyz0123456789"
_PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def _obvious(password: str) -> bool:
    low = password.lower()
    # A common word with digits or signs around it (Password2026!, 123admin) is no better.
    core = _PADDING.sub("", low)
    if low in COMMON_PASSWORDS or core in COMMON_PASSWORDS or _ONE_CHAR.match(low):
        return True
    # A plain run forwards or backwards (abcdefghij, 9876543210).
    return low in _RUN or low[::-1] in _RUN


def policy_errors(password: str, username: str = "") -> list[str]:
    """Return what is wrong with ``password`` under the policy (empty when it is fine)."""
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(str(_l("A password needs at least %(n)d characters.", n=MIN_LENGTH)))
    elif len(password) > MAX_LENGTH:
        errors.append(str(_l("A password has at most %(n)d characters.", n=MAX_LENGTH)))
    if password.isdigit():
        errors.append(str(_l("A password may not be digits only.")))
    elif _obvious(password):
        errors.append(str(_l("This password is too common; choose another.")))
    name = username.lower()
    if name and (name == password.lower() or (len(name) >= 4 and name in password.lower())):
        errors.append(str(_l("A password may not contain the username.")))
    if (
        current_app.config["REFUSE_DEMO_PASSWORDS"]
        and password in current_app.config["DEMO_PASSWORDS"]
    ):
        errors.append(str(_l("Demo passwords are refused in production.")))
    return errors


def policy_text() -> str:
    """Return the rule as shown beside every new-password field."""
    return str(
        _l(
            "At least %(n)d characters, not digits only, not a common password such as "
            "12345678, and not containing the username.",
            n=MIN_LENGTH,
        )
    )


def hash_password(password: str) -> str:
    """Return the stored form of ``password`` with the configured method."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check ``password``; without a stored hash, spend the same time and answer False.

    An unknown username is checked against a dummy hash made with the configured
    method, so that it takes as long as a real account's wrong password.
    """
    if not stored_hash:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return check_password_hash(stored_hash, password)
