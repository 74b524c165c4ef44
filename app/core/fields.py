"""Declared input fields: one declaration read by services and turned into forms and schemas.

A domain declares each operation's fields once as a ``Spec`` (``app/cases/specs.py``);
the service reads its input with ``SPEC.read(data)``, the web form class is built from
it (``app/core/forms.py: form_class``) and the API's JSON schema comes from
``SPEC.json_schema()``. Limits may be callables, read when used, so that they follow the
app's config. Messages name the field by its label (``validation.labelled``).
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import NumberInput

from app.core.forms import Required, select_choices
from app.core.labels import CHOICE_LABELS
from app.core.types import utcnow
from app.core.validation import DB_INT_MAX, FieldErrors, one_of

Limit = int | Callable[[], int]
# Days are the calendar's, which is Shanghai's (DESIGN §6).
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _limit(value: Limit) -> int:
    return value() if callable(value) else value


class Field:
    """One named input value: how to read it, offer it in a form and describe it."""

    json_type = "string"

    def __init__(
        self,
        name: str,
        label,
        *,
        required: bool = False,
        description=None,
        api_only=False,
        web_required: bool | None = None,
    ):
        self.name = name
        self.label = label
        self.required = required
        self.description = description
        # Accepted from API clients for compatibility, not offered in the web form.
        self.api_only = api_only
        # Required in the web form, where an alternative the API accepts is not offered.
        self.web_required = required if web_required is None else web_required

    def read(self, value, errors: FieldErrors) -> Any:
        """Return ``value`` checked and converted, or record on ``errors`` why not."""
        raise NotImplementedError

    def json_schema(self) -> dict:
        schema: dict[str, Any] = {"type": self.json_type, "title": str(self.label)}
        if not self.required:
            schema["nullable"] = True  # null is the same as leaving it out
        if self.description is not None:
            schema["description"] = str(self.description)
        if self.api_only:
            schema["deprecated"] = True
        return schema

    def form_field(self):
        """Return the unbound WTForms field; the service does the checking."""
        return StringField(self.label, validators=self.marks())

    def form_fields(self) -> dict[str, Any]:
        """Return the unbound form fields that carry this one on the web, by name."""
        return {self.name: self.form_field()}

    def read_form(self, form) -> Any:
        """Return what ``form`` posted for this field, in the shape API clients send."""
        return self.from_form(form[self.name].data)

    def form_name(self, error_name: str) -> str | None:
        """Return the form field that shows an error recorded as ``error_name``, if this one's."""
        return self.name if error_name == self.name else None

    def marks(self) -> list:
        """Return the form's marks of this field: required or not (it checks nothing)."""
        return [Required()] if self.required else []

    def from_form(self, value) -> Any:
        """Return what the web form posted in the shape API clients send.

        A form posts text for everything; JSON has types, and the API holds clients to
        them (its OpenAPI document says which), so text becomes the type here.
        """
        return None if value == "" else value

    def _missing(self, value) -> bool:
        return value is None


class Text(Field):
    """A line of text, or several (``multiline``), stripped, without control characters."""

    def __init__(self, name: str, label, *, max_length: int, multiline: bool = False, **kw):
        super().__init__(name, label, **kw)
        self.max_length = max_length
        self.multiline = multiline

    def from_form(self, value) -> Any:
        return value

    def read(self, value, errors: FieldErrors) -> str:
        return errors.text(
            self.name,
            value,
            max_length=self.max_length,
            required=self.required,
            multiline=self.multiline,
        )

    def json_schema(self) -> dict:
        schema = {**super().json_schema(), "maxLength": self.max_length}
        if self.required:
            schema["minLength"] = 1
        return schema

    def form_field(self):
        field = TextAreaField if self.multiline else StringField
        return field(self.label, validators=self.marks(), render_kw={"maxlength": self.max_length})


class Day(Field):
    """A calendar day (ISO ``2026-03-05``), not in the future: when something happened."""

    def from_form(self, value) -> Any:
        return None if value in ("", None) else str(value)

    def read(self, value, errors: FieldErrors) -> date | None:
        if value in (None, ""):
            if self.required:
                errors.add(self.name, _l("This field is required."))
            return None
        try:
            day = date.fromisoformat(value.strip()) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None or len(value.strip()) != 10:
            errors.add(self.name, _l("Not a date (YYYY-MM-DD)."))
            return None
        if day > utcnow().astimezone(SHANGHAI).date():
            errors.add(self.name, _l("The date cannot be in the future."))
            return None
        return day

    def json_schema(self) -> dict:
        return {**super().json_schema(), "format": "date"}

    def form_field(self):
        # A text box the browser shows as a date picker; the service reads what was typed.
        return StringField(self.label, validators=self.marks(), render_kw={"type": "date"})


class Integer(Field):
    """A whole number within ``low``..``high`` (each a number or a callable giving one)."""

    json_type = "integer"

    def __init__(self, name: str, label, *, low: Limit, high: Limit, range_message=None, **kw):
        super().__init__(name, label, **kw)
        self.low, self.high = low, high
        self.range_message = range_message or (
            lambda low, high: _l("Between %(low)d and %(high)d.", low=low, high=high)
        )

    def from_form(self, value) -> Any:
        value = (value or "").strip()
        if value.isdecimal() and value.isascii() and len(value) < 20:
            return int(value)
        return value or None  # not a number: left as typed, for read() to refuse

    def read(self, value, errors: FieldErrors) -> int | None:
        if self._missing(value):
            if self.required:
                errors.add(self.name, _l("This field is required."))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add(self.name, _l("Must be a whole number."))
            return None
        low, high = _limit(self.low), _limit(self.high)
        if not low <= value <= high:
            errors.add(self.name, self.range_message(low, high))
            return None
        return value

    def json_schema(self) -> dict:
        return {
            **super().json_schema(),
            "minimum": _limit(self.low),
            "maximum": _limit(self.high),
        }

    def form_field(self):
        # Text in, so that whatever was typed reaches the one check here.
        return StringField(self.label, validators=self.marks(), widget=_LimitedNumberInput(self))


class _LimitedNumberInput(NumberInput):
    """A number box whose min and max are the field's limits when the page is drawn."""

    def __init__(self, declared: Integer):
        super().__init__()
        self.declared = declared

    def bounds(self) -> tuple[int, int]:
        """The limits now, for the page to tell before anything is typed."""
        return _limit(self.declared.low), _limit(self.declared.high)

    def __call__(self, field, **kwargs):
        kwargs.setdefault("min", _limit(self.declared.low))
        kwargs.setdefault("max", _limit(self.declared.high))
        return super().__call__(field, **kwargs)


class Decision(Field):
    """A yes/no answer: a boolean in JSON, two labelled radio buttons on the web."""

    json_type = "boolean"

    def __init__(self, name: str, label, *, yes: tuple[str, Any], no: tuple[str, Any], **kw):
        kw.setdefault("required", True)
        super().__init__(name, label, **kw)
        self.yes, self.no = yes, no

    def read(self, value, errors: FieldErrors) -> bool | None:
        if value is None:
            if self.required:
                errors.add(self.name, _l("This field is required."))
            return None
        if not isinstance(value, bool):
            errors.add(self.name, _l("Must be true or false."))
            return None
        return value

    def json_schema(self) -> dict:
        schema = super().json_schema()
        # What the two buttons of the web form say, for the API's readers.
        schema.setdefault("description", f"true: {self.yes[1]}; false: {self.no[1]}")
        return schema

    def form_field(self):
        return RadioField(
            self.label,
            validators=self.marks(),
            choices=select_choices([self.yes, self.no]),
            validate_choice=False,
        )

    def from_form(self, value) -> bool | None:
        return {self.yes[0]: True, self.no[0]: False}.get(value)


class Flag(Field):
    """A box to tick: a boolean in JSON (absent is false), a checkbox on the web."""

    json_type = "boolean"

    def read(self, value, errors: FieldErrors) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            errors.add(self.name, _l("Must be true or false."))
            return False
        return value

    def json_schema(self) -> dict:
        return {**super().json_schema(), "default": False}

    def form_field(self):
        return BooleanField(self.label)

    def from_form(self, value) -> bool:
        return bool(value)


class Choice(Field):
    """One of the values of a label registry kind (``app/core/labels.py``)."""

    def __init__(
        self,
        name: str,
        label,
        *,
        kind: str,
        values: Iterable | None = None,
        default: str | None = None,
        radio: bool = False,
        **kw,
    ):
        super().__init__(name, label, **kw)
        self.kind = kind
        self._values = None if values is None else [str(v) for v in values]
        self.default = None if default is None else str(default)
        self.radio = radio

    @property
    def values(self) -> list[str]:
        return self._values or [str(v) for v in CHOICE_LABELS[self.kind]]

    def read(self, value, errors: FieldErrors) -> str | None:
        if self._missing(value):
            if self.default is not None:
                return self.default
            if self.required:
                errors.add(self.name, _l("This field is required."))
            return None
        if not isinstance(value, str) or value not in self.values:
            choices = one_of(self.values, CHOICE_LABELS[self.kind])
            errors.add(self.name, _l("Must be one of: %(choices)s", choices=choices))
            return None
        return value

    def json_schema(self) -> dict:
        schema = {**super().json_schema(), "enum": self.values}
        if schema.get("nullable"):
            schema["enum"] = [*self.values, None]  # OpenAPI 3.0: null among the values
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def form_field(self):
        labels = CHOICE_LABELS[self.kind]
        choices = select_choices((v, labels[v]) for v in self.values)
        field = RadioField if self.radio else SelectField
        return field(
            self.label,
            validators=self.marks(),
            choices=choices,
            default=self.default,
            validate_choice=False,
        )


class Reference(Field):
    """A code or number that names a record; read as the record (``lookup`` it, or None).

    ``picker`` offers the records in a searchable select on the web instead of a text box.
    """

    def __init__(
        self,
        name: str,
        label,
        *,
        lookup: Callable[[str], Any],
        not_found,
        max_length: int = 40,
        picker: bool = False,
        **kw,
    ):
        super().__init__(name, label, **kw)
        self.lookup = lookup
        self.not_found = not_found
        self.max_length = max_length
        self.picker = picker

    def read(self, value, errors: FieldErrors) -> Any:
        code = errors.text(self.name, value, max_length=self.max_length, required=self.required)
        found = self.lookup(code) if code else None
        if code and found is None:
            errors.add(self.name, self.not_found)
        return found

    def json_schema(self) -> dict:
        schema = {**super().json_schema(), "maxLength": self.max_length}
        if self.required:
            schema["minLength"] = 1
        return schema

    def from_form(self, value) -> Any:
        return value

    def form_field(self):
        if self.picker:
            return SelectField(self.label, validators=self.marks(), validate_choice=False)
        return StringField(
            self.label, validators=self.marks(), render_kw={"maxlength": self.max_length}
        )


class IdReference(Field):
    """A record named by its integer id."""

    json_type = "integer"

    def __init__(self, name: str, label, *, lookup: Callable[[int], Any], not_found, **kw):
        super().__init__(name, label, **kw)
        self.lookup = lookup
        self.not_found = not_found

    def read(self, value, errors: FieldErrors) -> Any:
        if value is None:
            if self.required:
                errors.add(self.name, _l("This field is required."))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add(self.name, _l("Must be a whole number."))
            return None
        if not 1 <= value <= DB_INT_MAX:
            errors.add(self.name, self.not_found)
            return None
        found = self.lookup(value)
        if found is None:
            errors.add(self.name, self.not_found)
        return found

    def json_schema(self) -> dict:
        return {**super().json_schema(), "minimum": 1, "maximum": DB_INT_MAX}


class ReferenceList(Field):
    """Several codes naming records, each looked up; duplicates count once.

    At most ``max_items`` codes: each is a query, so a long list would hold a worker.
    """

    json_type = "array"

    def __init__(
        self,
        name: str,
        label,
        *,
        lookup: Callable[[str], Any],
        not_found: Callable[[str], Any],
        max_length: int = 40,
        max_items: int = 20,
        **kw,
    ):
        super().__init__(name, label, **kw)
        self.lookup = lookup
        self.not_found = not_found
        self.max_length = max_length
        self.max_items = max_items

    def read(self, value, errors: FieldErrors) -> list:
        if value is None or value == []:
            if self.required:
                errors.add(self.name, _l("This field is required."))
            return []
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            errors.add(self.name, _l("Must be a list of codes."))
            return []
        if len(value) > self.max_items:
            errors.add(self.name, _l("At most %(n)d.", n=self.max_items))
            return []
        found, seen = [], set()
        for raw in value:
            code = errors.text(self.name, raw, max_length=self.max_length, required=False)
            if not code or code in seen:
                continue
            seen.add(code)
            record = self.lookup(code)
            if record is None:
                errors.add(self.name, self.not_found(code))
            else:
                found.append(record)
        return found

    def json_schema(self) -> dict:
        return {
            **super().json_schema(),
            "items": {"type": "string", "maxLength": self.max_length},
            "maxItems": self.max_items,
        }

    def form_field(self):
        return SelectMultipleField(self.label, validators=self.marks(), validate_choice=False)

    def from_form(self, value) -> list:
        return [c for c in value or [] if c]


class IdList(Field):
    """Several records named by their integer ids; the service looks them up.

    On the web a multiple select (the page fills its choices); at most ``max_items``.
    """

    json_type = "array"

    def __init__(self, name: str, label, *, max_items: int = 20, **kw):
        super().__init__(name, label, **kw)
        self.max_items = max_items

    def read(self, value, errors: FieldErrors) -> list[int]:
        ids = errors.id_list(self.name, value, max_items=self.max_items)
        if self.required and not ids and self.name not in errors.errors:
            errors.add(self.name, _l("This field is required."))
        return ids

    def json_schema(self) -> dict:
        return {
            **super().json_schema(),
            "items": {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
            "maxItems": self.max_items,
        }

    def form_field(self):
        return SelectMultipleField(self.label, validators=self.marks(), validate_choice=False)

    def from_form(self, value) -> list:
        return ids_from_form(value)


def ids_from_form(values) -> list:
    """Return the ids a multiple select posted as numbers; text that is none stays text.

    What is not a number is left for the service to refuse, with its message.
    """
    return [
        int(v) if v.isdecimal() and v.isascii() and len(v) < 20 else v
        for v in values or []
        if v != ""
    ]


class Spec:
    """The ordered fields of one operation."""

    def __init__(self, *fields: Field):
        self.fields = {f.name: f for f in fields}

    @property
    def labels(self) -> dict[str, Any]:
        return {name: f.label for name, f in self.fields.items()}

    @property
    def required(self) -> list[str]:
        return [name for name, f in self.fields.items() if f.required]

    @property
    def web_required(self) -> list[str]:
        """Return the fields the web form must mark as required."""
        return [n for n, f in self.fields.items() if f.web_required and not f.api_only]

    def form_name(self, error_name: str) -> str | None:
        """Return the web form field that shows an error recorded as ``error_name``."""
        for field in self.fields.values():
            found = field.form_name(error_name)
            if found is not None:
                return found
        return None

    def collect(self, data: dict[str, Any]) -> tuple[dict[str, Any], FieldErrors]:
        """Read every field of ``data``; return the values and the errors, not raised yet.

        For operations with rules across fields: add to the errors, then raise them.
        """
        errors = FieldErrors(self.labels)
        values = {name: f.read(data.get(name), errors) for name, f in self.fields.items()}
        return values, errors

    def read(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return the values of ``data`` checked and converted, or raise ValidationFailed."""
        values, errors = self.collect(data)
        errors.raise_if_any()
        return values

    def json_schema(self, extra: dict[str, dict] | None = None) -> dict:
        """Return the JSON schema of a request body with these fields (and ``extra``)."""
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: f.json_schema() for name, f in self.fields.items()},
            "additionalProperties": False,
        }
        schema["properties"].update(extra or {})
        if self.required:
            schema["required"] = self.required
        return schema
