"""The full-text index behind SearchDocument, in each database's own way: an FTS5 table kept in
step by triggers on SQLite, a GIN index on the tsvector on PostgreSQL."""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE catalog_search_fts USING fts5(body, content='catalog_searchdocument', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER catalog_search_ai AFTER INSERT ON catalog_searchdocument BEGIN "
    "INSERT INTO catalog_search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER catalog_search_ad AFTER DELETE ON catalog_searchdocument BEGIN "
    "INSERT INTO catalog_search_fts(catalog_search_fts, rowid, body) "
    "VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER catalog_search_au AFTER UPDATE ON catalog_searchdocument BEGIN "
    "INSERT INTO catalog_search_fts(catalog_search_fts, rowid, body) "
    "VALUES ('delete', old.id, old.body); "
    "INSERT INTO catalog_search_fts(rowid, body) VALUES (new.id, new.body); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_search_au",
    "DROP TRIGGER IF EXISTS catalog_search_ad",
    "DROP TRIGGER IF EXISTS catalog_search_ai",
    "DROP TABLE IF EXISTS catalog_search_fts",
]
POSTGRES_UP = [
    "CREATE INDEX catalog_search_tsv ON catalog_searchdocument "
    "USING GIN (to_tsvector('simple'::regconfig, body))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS catalog_search_tsv"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
