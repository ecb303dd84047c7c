"""Write many rows at once; on PostgreSQL through COPY into a temporary table.

Django's bulk_create on PostgreSQL sends rows as arrays, escaping every JSON body character by
character; for the nightly rebuild's thousands of report bodies COPY is an order faster.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from django.db import connection, models, transaction
from django.db.models.options import Options

SMALL = 100  # below this many rows one INSERT beats the temporary table's round trips


def copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()  # bytea's hex input, its backslash escaped
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return str(value)


def _column_text(values: list[Any]) -> list[str]:
    """One column's values in COPY's text format; plain numbers and one repeated value fast."""
    if {type(value) for value in values} <= {int, float}:
        return list(map(str, values))
    first = values[0]
    if all(value is first for value in values):
        return [copy_text(first)] * len(values)
    return [copy_text(value) for value in values]


def _column(meta: Options[Any], name: str) -> str:
    """The column of a concrete field: the only kind upsert's rows name."""
    return cast(str, cast("models.Field[Any, Any]", meta.get_field(name)).column)


def upsert(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    unique: list[str],
    update: list[str],
) -> None:
    """Insert rows (attribute names as keys); on a clash of `unique`, update the given fields.

    With no fields to update, clashing rows are left alone. A few rows go through the ORM.
    """
    if not rows:
        return
    if connection.vendor != "postgresql" or len(rows) < SMALL:
        model.objects.bulk_create(  # type: ignore[attr-defined]
            [model(**row) for row in rows],
            update_conflicts=bool(update),
            ignore_conflicts=not update,
            unique_fields=unique if update else None,
            update_fields=update or None,
            batch_size=500,
        )
        return
    meta = model._meta
    names = list(rows[0])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(meta, name)) for name in names)
    table, temp = meta.db_table, f"bulk_{meta.db_table}"
    conflict = ", ".join(quote(_column(meta, name)) for name in unique)
    action = (
        "DO UPDATE SET "
        + ", ".join(
            f"{quote(_column(meta, name))} = EXCLUDED.{quote(_column(meta, name))}"
            for name in update
        )
        if update
        else "DO NOTHING"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        text = [_column_text([row[name] for row in rows]) for name in names]
        with cursor.cursor.copy(f"COPY {temp} ({columns}) FROM STDIN") as copy:
            copy.write("".join("\t".join(line) + "\n" for line in zip(*text, strict=True)))
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {temp} "
            f"ON CONFLICT ({conflict}) {action}"
        )
        cursor.execute(f"DROP TABLE {temp}")
