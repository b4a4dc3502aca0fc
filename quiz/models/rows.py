"""Model rows read through hand-written SQL, loaded as the ORM would have loaded them.

For the few reads every study request makes: building those queries through the ORM costs
several times the CPU the database spends answering them (README, "Benchmarks"). The SQL names its
columns from the models' metadata, and the values go through the same converters the ORM
applies (SQLite's text dates, JSON, booleans), so what comes out is an ordinary model instance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Field, Model
from django.db.models.expressions import Col, Expression, Value

Converters = list[tuple[int, list[Callable[..., Any]], Expression]]


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


def converters(expressions: Sequence[Expression]) -> Converters:
    """Per column, what the ORM would apply to the value the driver returns."""
    found = []
    for index, expression in enumerate(expressions):
        functions = connection.ops.get_db_converters(expression)
        functions += expression.get_db_converters(connection)
        if functions:
            found.append((index, functions, expression))
    return found


def convert(values: Sequence[Any], applied: Converters) -> list[Any]:
    values = list(values)
    for index, functions, expression in applied:
        value = values[index]
        for function in functions:
            value = function(value, expression, connection)
        values[index] = value
    return values


class Columns:
    """A model's concrete columns under a table alias: the SQL selecting them, and `load`,
    which makes the instance from those columns of a row."""

    def __init__(self, model: type[Model], alias: str) -> None:
        fields = model._meta.concrete_fields
        self.model, self.width = model, len(fields)
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
        self.attnames = [field.attname for field in fields]
        self.converters = converters([Col(alias, field) for field in fields])

    def load(self, row: Sequence[Any], start: int = 0) -> Model:
        values = convert(row[start : start + self.width], self.converters)
        return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, values)


@cache
def columns(model: type[Model], alias: str) -> Columns:
    return Columns(model, alias)


@cache
def typed(*fields: Field) -> Converters:
    """Converters for extra columns (annotations) of the given types, in order; kept per field
    instance, so callers pass the same module-level instances each time."""
    return converters([Value(None, output_field=field) for field in fields])


def prepared(field: Field, value: Any) -> Any:
    """`value` as a query parameter for a column like `field` (a UUID on SQLite is its hex)."""
    return field.get_db_prep_value(field.to_python(value), connection)


def update(model: type[Model], values: dict[str, Any], where: str, params: Sequence[Any]) -> int:
    """UPDATE the model's rows matching `where` (SQL over its columns, with `params` made by
    `prepared`) to `values` (field names), each prepared as `save` would; the rows written.

    For the writes every answer makes: the ORM's `QuerySet.update` builds the same statement for
    twice the CPU. Like it, this sends no signals."""
    fields = [model._meta.get_field(name) for name in values]
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    prepared_values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(model)} SET {sets} WHERE {where}", [*prepared_values, *params]
        )
        return cursor.rowcount
