"""The full-text index behind library.search, one per database, kept in step
by the database itself (so no write path can forget it):

- PostgreSQL: a generated column `vector` = to_tsvector('simple', folded with
  every non-alphanumeric run turned into a space), GIN-indexed. Folding is done
  in Python (library.text.fold), so the `simple` configuration is all we need:
  no unaccent, no CREATE EXTENSION, no superuser. Replacing punctuation first
  makes PostgreSQL split words exactly as SQLite's unicode61 does ("125/TTr-UBND"
  -> 125, ttr, ubnd) and stops hyphenated words from adding extra lexemes.
- SQLite: the FTS5 table library_fts (columns meta and body: `folded` cut at
  content_start), contentless (it stores only the index; the text stays in
  library_searchentry), mirrored by rowid = document id through three
  triggers. `prefix='2 3'` keeps short prefix queries ("ng*") cheap.

A later migration that makes SQLite rebuild library_searchentry (most
AlterField/RemoveField operations copy the table) drops its triggers: such a
migration must create them again (SQLITE_FORWARD[1:4]) after it.
"""

from django.db import migrations, models

# Metadata (before content_start) weighs more than the content: weight A on
# PostgreSQL, a bm25 column weight on SQLite (library.search).
_WORDS = "regexp_replace({}, '[^[:alnum:]]+', ' ', 'g')"
PG_FORWARD = [
    "ALTER TABLE library_searchentry ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, " + _WORDS.format("left(folded, content_start)") + "), 'A') || "
    "to_tsvector('simple'::regconfig, " + _WORDS.format("substr(folded, content_start + 1)") + ")) STORED",
    "CREATE INDEX library_searchentry_vector ON library_searchentry USING gin (vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS library_searchentry_vector",
    "ALTER TABLE library_searchentry DROP COLUMN IF EXISTS vector",
]

_META = "substr({0}.folded, 1, {0}.content_start)"
_BODY = "substr({0}.folded, {0}.content_start + 1)"
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE library_fts USING fts5(meta, body, content='', "
    "tokenize='unicode61 remove_diacritics 0', prefix='2 3')",
    f"""CREATE TRIGGER library_fts_insert AFTER INSERT ON library_searchentry BEGIN
         INSERT INTO library_fts(rowid, meta, body) VALUES (new.document_id, {_META.format("new")}, {_BODY.format("new")});
       END""",
    f"""CREATE TRIGGER library_fts_delete AFTER DELETE ON library_searchentry BEGIN
         INSERT INTO library_fts(library_fts, rowid, meta, body)
           VALUES ('delete', old.document_id, {_META.format("old")}, {_BODY.format("old")});
       END""",
    f"""CREATE TRIGGER library_fts_update AFTER UPDATE ON library_searchentry BEGIN
         INSERT INTO library_fts(library_fts, rowid, meta, body)
           VALUES ('delete', old.document_id, {_META.format("old")}, {_BODY.format("old")});
         INSERT INTO library_fts(rowid, meta, body) VALUES (new.document_id, {_META.format("new")}, {_BODY.format("new")});
       END""",
    # Entries written before this migration (none in practice) are indexed too.
    f"INSERT INTO library_fts(rowid, meta, body) SELECT document_id, {_META.format('e')}, {_BODY.format('e')} "
    "FROM library_searchentry e",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS library_fts_update",
    "DROP TRIGGER IF EXISTS library_fts_delete",
    "DROP TRIGGER IF EXISTS library_fts_insert",
    "DROP TABLE IF EXISTS library_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"library search: no full-text index for {schema_editor.connection.vendor}")
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="content_start",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
