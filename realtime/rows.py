"""Many new rows of one model in one statement run for each (the database driver's executemany).

Django's bulk_create builds the SQL of every row in Python, field by field (SQLInsertCompiler):
most of what a burst's group of commands paid for its audit records, events and per-member
events (bench/floor_burst.py, docs/performance.md "Floor burst"). Here the statement is built
once and the driver loops over the rows. Each value is prepared by its field as bulk_create
prepares it (`pre_save`, so `auto_now_add` stamps the row; then `get_db_prep_save`). The rows get
no primary key back: for rows nobody reads again in the same transaction.
"""

from django.db import connection


def insert_rows(model, rows: list) -> None:
    if not rows:
        return
    meta, qn = model._meta, connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.auto_created) and f is not meta.auto_field]
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
                                 for row in rows])
