"""A full-text index over Case.folded for the public answers search and the register,
one per database, kept in step by the database (the same design as library 0002):

- PostgreSQL: a generated tsvector column `search` over `folded` (punctuation turned into
  spaces, `simple` configuration: folding is done in Python), GIN-indexed;
- SQLite: the contentless FTS5 table petitions_case_fts, rowid = case id, kept in step by
  triggers on petitions_case. A later migration that makes SQLite rebuild petitions_case
  drops these triggers and must create them again: tests/petitions/test_case_search.py
  fails if they are missing.
"""

from django.db import migrations

_WORDS = "regexp_replace(left(folded, 200000), '[^[:alnum:]]+', ' ', 'g')"
PG_FORWARD = [
    f"ALTER TABLE petitions_case ADD COLUMN search tsvector GENERATED ALWAYS AS "
    f"(to_tsvector('simple'::regconfig, {_WORDS})) STORED",
    "CREATE INDEX petitions_case_search ON petitions_case USING gin (search)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS petitions_case_search",
    "ALTER TABLE petitions_case DROP COLUMN IF EXISTS search",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE petitions_case_fts USING fts5(folded, content='', "
    "tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    """CREATE TRIGGER petitions_case_fts_insert AFTER INSERT ON petitions_case BEGIN
         INSERT INTO petitions_case_fts(rowid, folded) VALUES (new.id, new.folded);
       END""",
    """CREATE TRIGGER petitions_case_fts_delete AFTER DELETE ON petitions_case BEGIN
         INSERT INTO petitions_case_fts(petitions_case_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
       END""",
    """CREATE TRIGGER petitions_case_fts_update AFTER UPDATE OF folded ON petitions_case BEGIN
         INSERT INTO petitions_case_fts(petitions_case_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
         INSERT INTO petitions_case_fts(rowid, folded) VALUES (new.id, new.folded);
       END""",
    "INSERT INTO petitions_case_fts(rowid, folded) SELECT id, folded FROM petitions_case",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS petitions_case_fts_update",
    "DROP TRIGGER IF EXISTS petitions_case_fts_delete",
    "DROP TRIGGER IF EXISTS petitions_case_fts_insert",
    "DROP TABLE IF EXISTS petitions_case_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"petitions search: no full-text index for {schema_editor.connection.vendor}")
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0002_rules_and_holidays")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
