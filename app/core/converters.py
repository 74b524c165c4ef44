"""URL converters: an ``<int:...>`` in any route matches only what the database can hold."""

from flask import Flask
from werkzeug.routing import IntegerConverter

from app.core.validation import DB_INT_MAX, DB_INT_MIN


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` bounded by the database's integer range.

    A larger number names nothing stored; unbounded it reached the query, where PostgreSQL
    refused it with an error (a 500) instead of finding no row (a 404).
    """

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        if self.max is None or self.max > DB_INT_MAX:
            self.max = DB_INT_MAX
        if self.min is None or self.min < DB_INT_MIN:
            self.min = DB_INT_MIN


def init_app(app: Flask) -> None:
    """Use the bounded converter for ``<int:...>``; call before registering blueprints."""
    app.url_map.converters["int"] = DatabaseIntConverter
