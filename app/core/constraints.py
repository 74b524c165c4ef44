"""CHECK constraints built from the enums, so the database refuses what the code would.

Each model declares its checks in ``__table_args__``, next to its columns; the
metadata's naming convention turns the short name (``state``) into ``ck_cases_state``.
The migrations spell the same SQL out, frozen as it was when they were written.
"""

import enum
from collections.abc import Iterable

import sqlalchemy as sa


def _literal(value: str | int) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"no SQL literal for {value!r}")
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def one_of(column: str, values: Iterable[str | int]) -> str:
    """Return the SQL condition ``column IN (...)`` over ``values``, an enum or its members.

    The values keep their order (an enum's is its declaration's); a set, which has none,
    is sorted so that it gives the same SQL in every process.
    """
    if isinstance(values, set | frozenset):
        values = sorted(values)
    literals = [_literal(v) for v in values]
    if not literals:
        raise ValueError(f"no values allowed for {column}")
    return f"{column} IN ({', '.join(literals)})"


def enum_check(column: str, values: Iterable[str | int]) -> sa.CheckConstraint:
    """Return a CHECK, named after ``column``, that it holds one of ``values``.

    A CHECK lets NULL through (it refuses only a false condition), so whether the
    column may be NULL stays the business of its own NOT NULL.
    """
    return sa.CheckConstraint(one_of(column, values), name=column)
