"""realtime.rows: rows written by one statement each (one row: execute; many: executemany), and
`together()`, several writes sent to PostgreSQL at once (psycopg's pipeline mode) whose errors
still come out as Django's database errors, rolling back as any failed statement does. Run on
both databases (the PostgreSQL suite runs them in its pipeline)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from realtime.models import CommandOutcome
from realtime.rows import insert_rows, read_one, together, update_rows


def outcome(command_id: str, **fields) -> CommandOutcome:
    return CommandOutcome(who="u:1", command_id=command_id, sitting_id=0, cmd="test.cmd", fingerprint="f",
                          ok=False, **fields)


@pytest.mark.django_db
def test_one_row_is_one_statement_and_many_one_statement_run_for_each():
    with CaptureQueriesContext(connection) as queries:
        insert_rows(CommandOutcome, [outcome("a")])
        insert_rows(CommandOutcome, [outcome("b"), outcome("c")])
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT", "2"]  # "2 times: INSERT ..."
    assert set(CommandOutcome.objects.values_list("command_id", flat=True)) >= {"a", "b", "c"}


@pytest.mark.django_db(transaction=True)
def test_writes_sent_together_are_all_written():
    done = outcome("t2", result={"n": 2})
    done.ok = True
    with transaction.atomic(), together():
        insert_rows(CommandOutcome, [outcome("t1")])
        insert_rows(CommandOutcome, [outcome("t2"), outcome("t3")])
        update_rows(CommandOutcome, ("ok", "result"), ("who", "sitting_id", "command_id"), [done])
    assert dict(CommandOutcome.objects.filter(command_id__in=["t1", "t2", "t3"]).values_list("command_id", "ok")) == {
        "t1": False, "t2": True, "t3": False}
    assert CommandOutcome.objects.get(command_id="t2").result == {"n": 2}


@pytest.mark.django_db(transaction=True)
def test_an_error_among_writes_sent_together_is_djangos_and_rolls_back_all_of_them():
    insert_rows(CommandOutcome, [outcome("dup")])
    with pytest.raises(IntegrityError), transaction.atomic(), together():
        insert_rows(CommandOutcome, [outcome("fresh")])
        insert_rows(CommandOutcome, [outcome("dup")])  # the unique key (who, sitting, id)
    assert not CommandOutcome.objects.filter(command_id="fresh").exists()
    # The connection goes on.
    insert_rows(CommandOutcome, [outcome("after")])
    assert CommandOutcome.objects.filter(command_id="after").exists()


READ = 'SELECT "command_id", "ok" FROM "realtime_commandoutcome" WHERE "command_id" = %s AND "cmd" LIKE \'test.%%\''


@pytest.mark.django_db(transaction=True)
def test_a_hot_read_gives_what_the_plain_read_gives_prepared_once_per_connection_on_postgresql():
    from realtime import rows

    insert_rows(CommandOutcome, [outcome("r1"), outcome("r2")])
    with connection.cursor() as cursor:
        cursor.execute(READ, ["r2"])
        plain = cursor.fetchone()
    with CaptureQueriesContext(connection) as queries:
        got = [read_one("test_read", READ, [cid]) for cid in ("r2", "r1", "r2", "none")]
    assert got == [plain, ("r1", False), plain, None]
    sent = [q["sql"].split()[0] for q in queries.captured_queries]
    if connection.vendor != "postgresql":
        assert sent == ["SELECT"] * 4
        return
    assert sent.count("PREPARE") <= 1 and sent[-3:] == ["EXECUTE"] * 3
    # A process that lost what it knew (the statement is still on the connection): not prepared twice.
    rows._prepared.clear()
    assert read_one("test_read", READ, ["r1"]) == ("r1", False)
    # Another connection (or the same one back from the pool) has it, or prepares it once.
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        assert [read_one("test_read", READ, ["r1"]) for _ in range(2)] == [("r1", False)] * 2
    assert [q["sql"].split()[0] for q in queries.captured_queries].count("PREPARE") <= 1
