"""Helpers for the few statements written by hand, so that they still take their columns and
values from the models instead of repeating them."""

from functools import cache

from django.db import connections
from django.db.models import Model


@cache
def _insert_template(model: type[Model], alias: str, with_pk: bool, computed: tuple) -> tuple:
    """The statement's text and the fields whose values it takes, once per shape: a column's
    type and quoting cost more than preparing its value."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    expressions = dict(computed)
    columns, values, fields = [], [], []
    for field in model._meta.concrete_fields:
        if field.generated or (field.primary_key and not with_pk):
            continue
        columns.append(quote(field.column))
        if field.attname in expressions:
            values.append(expressions[field.attname])
        else:
            values.append(f"%s::{field.db_type(connection)}")
            fields.append(field)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)})"
        f" SELECT {', '.join(values)}"
    )
    return sql, tuple(fields)


def insert_select(
    instance: Model, *, computed: dict[str, str] | None = None, using: str = "default"
) -> tuple[str, list]:
    """``INSERT INTO table (columns) SELECT values`` for one unsaved instance, with its values
    prepared as ``Model.save`` prepares them (defaults already set, ``auto_now`` applied, each
    value adapted by its field and cast to its column's type, so that the statement can take a
    ``FROM`` and sit in a data-modifying CTE). ``computed`` maps attribute names (``colonia_id``)
    to SQL expressions, without parameters, that replace the instance's values; the caller
    appends ``FROM``, ``ON CONFLICT`` and ``RETURNING``. PostgreSQL only."""
    connection = connections[using]
    sql, fields = _insert_template(
        type(instance), using, instance.pk is not None, tuple(sorted((computed or {}).items()))
    )
    params = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields
    ]
    return sql, params
