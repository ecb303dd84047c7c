"""Database reads straight into numpy arrays, and a read on a connection of its own.

For bulk reads of plain numbers (hundreds of thousands of rows): on PostgreSQL each query
arrives as a single packed binary value that numpy reads in place instead of as Python tuples;
SQLite, the embedded default, goes through plain rows. The reports' inputs
(scoring.selectors.report_inputs) are read this way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import QuerySet

T = TypeVar("T")


def in_background(load: Callable[[], T], *, worthwhile: bool = True) -> Callable[[], T]:
    """Start a read on a database connection of its own; return a function awaiting its result.

    The database works on it while this process goes on (the plain GROUP BY the benchmark
    compares with runs on parallel workers too). Inside a transaction another connection would
    not see its writes (tests run in one), and for a small read a connection costs more than
    it saves: then the read runs at once.
    """
    if not worthwhile or connection.in_atomic_block:
        value = load()
        return lambda: value
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = load()
        except BaseException as error:  # re-raised by the caller
            outcome["error"] = error
        finally:
            connections.close_all()  # this thread's own

    thread = threading.Thread(target=run, name="scoring-read", daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return result


def query_sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]] | None:
    """Return a query's SQL and parameters, or None when it can match nothing."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return None


def rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Fetch plain columns in one go, skipping the ORM's per-row conversion.

    Only for numbers and text: dates and JSON come back in the database's raw form.
    """
    query = query_sql(queryset)
    if query is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return cursor.fetchall()


# A column kind: how PostgreSQL sends one value in binary, and its numpy type.
_KINDS = {
    "int8": ("int8send({}::bigint)", ">i8"),
    "int4": ("int4send({}::integer)", ">i4"),
    "int2": ("int2send({}::smallint)", ">i2"),
    "float8": ("float8send({}::float8)", ">f8"),
    # A timestamp with time zone: microseconds since 2000-01-01 UTC, read as epoch seconds.
    "epoch": ("timestamptz_send({})", ">i8"),
}
_PG_EPOCH_SECONDS = 946684800.0  # 2000-01-01 UTC, where PostgreSQL's timestamps count from


def numbers(sql: str, params: Any, kinds: dict[str, str]) -> dict[str, np.ndarray]:
    """Run a query whose named columns are NOT NULL numbers; return each as a numpy array.

    On PostgreSQL the server concatenates every row's columns in binary form into one bytea,
    so hundreds of thousands of rows arrive as one value that numpy reads in place.
    """
    if connection.vendor == "postgresql":
        record = " || ".join(_KINDS[kind][0].format(f"r.{name}") for name, kind in kinds.items())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(string_agg({record}, ''), '') FROM ({sql}) r", params)
            (packed,) = cursor.fetchone()
        layout = np.dtype([(name, _KINDS[kind][1]) for name, kind in kinds.items()])
        rows = np.frombuffer(bytes(packed), dtype=layout)
        columns = {name: rows[name].astype(_dtype(kind)) for name, kind in kinds.items()}
        for name, kind in kinds.items():
            if kind == "epoch":
                columns[name] = rows[name] / 1e6 + _PG_EPOCH_SECONDS
        return columns
    # SQLite keeps UTC timestamps as text; julianday keeps ~10 microseconds of precision.
    selected = ", ".join(
        f"(julianday(r.{name}) - 2440587.5) * 86400.0" if kind == "epoch" else f"r.{name}"
        for name, kind in kinds.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selected} FROM ({sql}) r", params)
        found = cursor.fetchall()
    values = list(zip(*found, strict=True)) if found else [()] * len(kinds)
    return {
        name: np.asarray(column, dtype=_dtype(kind))
        for (name, kind), column in zip(kinds.items(), values, strict=True)
    }


def _dtype(kind: str) -> type[np.generic]:
    return np.float64 if kind in ("epoch", "float8") else np.int64


def empty(kinds: dict[str, str]) -> dict[str, np.ndarray]:
    return {name: np.zeros(0, dtype=_dtype(kind)) for name, kind in kinds.items()}


def query_numbers(queryset: QuerySet[Any], kinds: dict[str, str]) -> dict[str, np.ndarray]:
    """Fetch the named (annotated) columns of a queryset as numpy arrays."""
    query = query_sql(queryset.values_list(*kinds))
    return empty(kinds) if query is None else numbers(*query, kinds)


def json_elements(column: str, alias: str, *, pairs: bool) -> str:
    """Return a table function over a JSON array (value) or object (key, value) as text."""
    if connection.vendor == "postgresql":
        function = "jsonb_each_text" if pairs else "jsonb_array_elements_text"
        columns = "(key, value)" if pairs else "(value)"
        return f"{function}({column}) AS {alias}{columns}"
    return f"json_each({column}) AS {alias}"


def lookup(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the position of each id among sorted_ids, and whether it is there at all."""
    if not sorted_ids.size:
        return np.zeros(ids.size, dtype=np.int64), np.zeros(ids.size, dtype=bool)
    position = np.minimum(np.searchsorted(sorted_ids, ids), sorted_ids.size - 1)
    return position, sorted_ids[position] == ids
