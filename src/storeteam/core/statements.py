"""Reads on a hot path whose SQL the ORM writes once per process, then only runs.

Building a queryset's SQL costs Django more CPU than a small indexed read costs the database
(0.3 to 1 ms against some tens of microseconds), and a read made for every page shown, such as
the versions in a cached page's key, pays it on every request. A ``Statement`` builds its
queryset once, from stand-in values, keeps the SQL and its parameters, and each call runs that
SQL with the stand-ins swapped for the call's values. The SQL is still the ORM's: right for the
database in use, with the models' own tables and columns.

Rows come back as the database driver gives them, without Django's field converters: fit for
integers and text. Anything else (decimals, booleans on SQLite, dates, JSON) is the caller's to
convert, or better read through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import QuerySet


class Statement:
    """A read built by ``build(**stand_ins)`` once per process and run by ``rows(**values)``.

    Each stand-in must reach the statement as a parameter of its own, as given: a value nothing
    else in the query uses, such as a negative id or a string no one types, and one the query
    does not change on the way (a stand-in the query upper-cases would reach the SQL as a copy
    that is never swapped), within its field's range (Django leaves out a condition it knows can
    never hold, such as a negative value for a positive integer field). The first run checks
    that each stand-in is there."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **stand_ins: int | str) -> None:
        self._build = build
        self._stand_ins = stand_ins
        self._compiled: tuple[str, tuple[Any, ...], dict[int, str]] | None = None

    def _compile(self) -> tuple[str, tuple[Any, ...], dict[int, str]]:
        sql, params = self._build(**self._stand_ins).query.sql_with_params()
        positions: dict[int, str] = {}
        for index, param in enumerate(params):
            for name, stand_in in self._stand_ins.items():
                # PostgreSQL's backend hands some integers on typed (psycopg's Int4, an int).
                if isinstance(param, type(stand_in)) and param == stand_in:
                    positions[index] = name
        missing = sorted(set(self._stand_ins) - set(positions.values()))
        if missing:
            raise ImproperlyConfigured(
                f"stand-ins {missing} are not parameters of the statement: {sql}"
            )
        return sql, tuple(params), positions

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """Run the statement with ``values`` in place of the stand-ins of the same names."""
        if self._compiled is None:
            self._compiled = self._compile()
        sql, params, positions = self._compiled
        actual = [
            type(p)(values[positions[i]]) if i in positions else p for i, p in enumerate(params)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, actual)
            return list(cursor.fetchall())


def decimal_from(raw: Any) -> Decimal:
    """A decimal column's value as a statement returns it (SQLite: an int or a float, as stored;
    PostgreSQL: a Decimal) as a Decimal. The caller rounds it to its places."""
    return raw if isinstance(raw, Decimal) else Decimal(str(raw))
