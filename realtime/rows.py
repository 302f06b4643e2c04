"""Many rows of one model written by one statement run for each (the database driver's executemany).

Django's bulk_create builds the SQL of every row in Python, field by field (SQLInsertCompiler):
most of what a burst's group of commands paid for its audit records, events and per-member
events (bench/floor_burst.py, docs/performance.md "Floor burst"). Here the statement is built
once per model and database, and the driver loops over the rows. Each value is prepared by its
field as bulk_create prepares it (`pre_save`, so `auto_now_add` stamps the row; then
`get_db_prep_save`), except a plain number, text or truth value in a field of that plain kind,
which every driver takes as it is. The rows get no primary key back: for rows nobody reads again
in the same transaction.

Also for the write path's hot commands (a ballot, a request to speak, hundreds a burst):
`read_one`, a read whose SQL the caller built once, prepared once per PostgreSQL connection so
it is not planned again; and `together()`, several writes sent to PostgreSQL in one round trip.
"""

import re
import weakref
from contextlib import contextmanager

from django.db import connection, connections, models

# Fields whose prepared value is the value itself when it is already of the field's Python type.
_PLAIN = {models.IntegerField: int, models.BigIntegerField: int, models.PositiveBigIntegerField: int,
          models.PositiveIntegerField: int, models.SmallIntegerField: int, models.PositiveSmallIntegerField: int,
          models.CharField: str, models.TextField: str, models.BooleanField: bool}

_plans: dict[tuple, tuple] = {}


def _plan(model):
    key = (model, connection.alias, connection.vendor)
    plan = _plans.get(key)
    if plan is None:
        meta, qn = model._meta, connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        # (field, its attribute, the Python type taken as it is or None), a foreign key by its target's
        plain = []
        for f in fields:
            target = f.target_field if isinstance(f, models.ForeignKey) else f
            kind = _PLAIN.get(type(target))
            plain.append((f, f.attname, kind if not getattr(f, "auto_now_add", False) else None))
        plan = _plans[key] = (sql, plain)
    return plan


def _value(field, attname, kind, row):
    if kind is not None:
        value = getattr(row, attname)
        if value is None or type(value) is kind:
            return value
    return field.get_db_prep_save(field.pre_save(row, True), connection)


def insert_rows(model, rows: list) -> None:
    if not rows:
        return
    sql, plain = _plan(model)
    values = [[_value(f, attname, kind, row) for f, attname, kind in plain] for row in rows]
    with connection.cursor() as cursor:
        if len(values) == 1:
            cursor.execute(sql, values[0])  # psycopg's executemany pipelines even one row: more round trips
        else:
            cursor.executemany(sql, values)


@contextmanager
def together():
    """Writes sent to PostgreSQL together and their results read once, at the end: one round trip
    for several statements whose results nothing reads meanwhile (psycopg's pipeline mode; a
    ballot's row, its chain link and its count). An error is raised as Django's database error,
    at the end at the latest, and the transaction is rolled back as for any failed statement.
    Elsewhere (SQLite: no round trips) each runs as it comes."""
    if connection.vendor != "postgresql" or not hasattr(connection.connection, "pipeline"):
        yield
        return
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def update_rows(model, columns: tuple[str, ...], keys: tuple[str, ...], rows: list) -> None:
    """Set the fields `columns` of the rows found by the fields `keys` (a unique key), one statement
    run for each row (an ORM update per row cost a query's building each: a group of 50 commands
    completes 50 outcomes and moves 50 members' counters). Each value is prepared by its field."""
    if not rows:
        return
    meta, qn = model._meta, connection.ops.quote_name
    setting, finding = [meta.get_field(n) for n in columns], [meta.get_field(n) for n in keys]
    sql = (f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in setting)} "
           f"WHERE {' AND '.join(f'{qn(f.column)} = %s' for f in finding)}")
    fields = (*setting, *finding)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                                 for row in rows])


# The statements each PostgreSQL connection (psycopg's, by identity) has prepared (read_one).
_prepared: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(sql: str) -> str:
    """Django's SQL with %s placeholders (and %% for a literal %) as PREPARE wants it: $1, $2, ..."""
    n = 0

    def sub(m):
        nonlocal n
        if m.group() == "%%":
            return "%"
        n += 1
        return f"${n}"

    return _PLACEHOLDER.sub(sub, sql)


def read_one(name: str, sql: str, params: list, using: str = "default"):
    """The first row of a read the write path runs for every command of a burst (a ballot's, a floor
    request's), `sql` built once by the caller. PostgreSQL plans a statement anew each time it is
    sent, and planning these (a dozen subqueries) cost 1.0 of their 1.3 ms; here each connection
    prepares it once (`PREPARE hub_<name>`) and runs it with EXECUTE, and after five runs
    PostgreSQL keeps a generic plan: 0.3 ms. A statement of a connection that was replaced is
    prepared again on the new one. Elsewhere (SQLite caches its statements itself) it runs as is."""
    db = connections[using]
    with db.cursor() as cursor:
        if db.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchone()
        raw = db.connection
        names = _prepared.get(raw)
        if names is None:
            names = _prepared[raw] = set()
        statement = f"hub_{name}"
        if statement not in names:
            # Once per connection object; the connection may hold it already (this process's
            # record of it lost): then it is used as it is, not prepared twice (an error).
            cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [statement])
            if cursor.fetchone() is None:
                cursor.execute(f"PREPARE {statement} AS {_numbered(sql)}")
            names.add(statement)
        cursor.execute(f"EXECUTE {statement}({', '.join(['%s'] * len(params))})" if params else
                       f"EXECUTE {statement}", params)
        return cursor.fetchone()
