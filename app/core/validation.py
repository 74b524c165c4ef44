"""Checks on user text shared by forms, the API and services."""

import re
from collections.abc import Mapping
from typing import Any

from babel.lists import format_list
from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.core.errors import ValidationFailed
from app.core.phones import PHONE_MIN_DIGITS, normalize_phone

# C0 and C1 control characters other than tab, newline and carriage return, and lone
# surrogates (JSON can spell them, UTF-8 cannot store them: the database would refuse).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The range of the database's INTEGER columns (PostgreSQL's is 32-bit): an id, a page or a
# number outside it can name nothing stored and must not reach a query.
DB_INT_MIN = -(2**31)
DB_INT_MAX = 2**31 - 1
# As JSON schema patterns (which the OpenAPI document carries) and for checking: the
# value is stripped before it is checked, so the patterns allow surrounding blanks.
# Written any way (+86, 0086, spaces, dashes, brackets): 5 to 20 digits and separators,
# which is what ``normalize_phone`` reads (the OpenAPI document carries this pattern).
PHONE_PATTERN = r"^ *\+?[- .()/\[\]]*(?:[0-9][- .()/\[\]]*){5,20}$"
EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"
_EMAIL = re.compile(EMAIL_PATTERN)


def strip_control(value: str | None, max_length: int = 200) -> str:
    """Return ``value`` without control characters, for search boxes and look-ups."""
    return _CONTROL.sub("", value or "").strip()[:max_length]


def colon() -> str:
    """Return the colon that follows a label: full-width in Chinese, ``": "`` otherwise."""
    locale = get_locale()
    return "：" if locale is not None and locale.language == "zh" else ": "


def labelled(label, message) -> str:
    """Return ``message`` prefixed by a field's label, with a full-width colon in Chinese."""
    return f"{label}{colon()}{message}"


def one_of(values, labels=None) -> str:
    """Name the accepted values: codes for API clients, their labels for people on a page."""
    values = [str(v) for v in values]
    if labels and not (has_request_context() and request.path.startswith("/api/")):
        return format_list([str(labels.get(v, v)) for v in values], "or", locale=get_locale())
    return ", ".join(values)


class FieldErrors:
    """Collects one message per bad field and raises them together.

    ``labels`` names the fields for people; a field without one is named by its key.
    """

    def __init__(self, labels: Mapping[str, Any] | None = None) -> None:
        self.errors: dict[str, str] = {}
        self.labels = dict(labels or {})

    def add(self, name: str, message) -> None:
        self.errors.setdefault(name, str(message))

    def text(
        self, name: str, value, *, max_length: int, required: bool = True, multiline=False
    ) -> str:
        """Return ``value`` stripped, or record why it is not acceptable."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(name, _l("Must be text."))
            return ""
        # The length as sent, blanks included: what the API's document promises.
        too_long = len(value) > max_length
        value = value.strip()
        if required and not value:
            self.add(name, _l("This field is required."))
        elif too_long:
            self.add(name, _l("At most %(n)d characters.", n=max_length))
        elif _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
            self.add(name, _l("Contains control characters."))
        else:
            return value
        # Refused text never reaches a look-up: PostgreSQL refuses NUL bytes, and a code
        # past its length cannot name a record.
        return ""

    def phone(self, name: str, value, *, required: bool) -> str:
        value = self.text(name, value, max_length=32, required=required)
        # Written any way (+86, 0086, spaces, dashes, brackets): it is the digits that count.
        if value and len(normalize_phone(value).lstrip("+")) < PHONE_MIN_DIGITS:
            self.add(name, _l("Not a valid phone number."))
        return value.replace(" ", "").replace("-", "")

    def email(self, name: str, value, *, required: bool) -> str:
        value = self.text(name, value, max_length=120, required=required)
        if value and not _EMAIL.match(value):
            self.add(name, _l("Not a valid e-mail address."))
        return value

    def integer(self, name: str, value, low: int, high: int, *, required: bool = True):
        """Return ``value`` as a whole number within ``low``..``high``, or record why not."""
        if value in (None, ""):
            if required:
                self.add(name, _l("This field is required."))
            return None
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            self.add(name, _l("Must be a whole number."))
            return None
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            self.add(name, _l("Must be a whole number."))
            return None
        low, high = max(low, DB_INT_MIN), min(high, DB_INT_MAX)
        if not low <= number <= high:
            self.add(name, _l("Between %(low)d and %(high)d.", low=low, high=high))
            return None
        return number

    def id_list(self, name: str, value, *, max_items: int) -> list[int]:
        """Return ``value`` as distinct record ids (in the order given), or record why not.

        An id past the database's range names nothing: it is kept, for the look-up to
        find nothing, rather than sent to a query as a number the column cannot hold.
        """
        if value is None:
            return []
        if not isinstance(value, list) or any(
            isinstance(v, bool) or not isinstance(v, int) for v in value
        ):
            self.add(name, _l("Must be a list of whole numbers."))
            return []
        if len(value) > max_items:
            self.add(name, _l("At most %(n)d.", n=max_items))
            return []
        return list(dict.fromkeys(value))

    def choice(self, name: str, value, choices, *, required: bool = True, labels=None):
        """Return ``value`` if it is one of ``choices`` (named by ``labels`` on pages)."""
        if value in (None, "") and not required:
            return None
        # Only text can be a choice: a list or an object in JSON is refused, not hashed.
        if not isinstance(value, str) or value not in {str(c) for c in choices}:
            self.add(name, _l("Must be one of: %(choices)s", choices=one_of(choices, labels)))
            return None
        return value

    def raise_if_any(self) -> None:
        """Raise ValidationFailed naming the first bad field by its label, if any."""
        if self.errors:
            name, message = next(iter(self.errors.items()))
            raise ValidationFailed(
                labelled(self.labels.get(name, name), message),
                fields=dict(self.errors),
                labels={n: str(self.labels.get(n, n)) for n in self.errors},
            )
