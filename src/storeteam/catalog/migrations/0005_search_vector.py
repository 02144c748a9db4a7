"""On PostgreSQL, each search document keeps its tsvector in a stored generated column, indexed
by GIN: the match and the ranking read it instead of parsing every matching body again (ranking
a frequent word's tens of thousands of matches was most of a search's time). SQLite's FTS5 table
(0003) is unchanged."""

from django.db import migrations

POSTGRES_UP = [
    "ALTER TABLE catalog_searchdocument ADD COLUMN body_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED",
    "CREATE INDEX catalog_search_body_tsv ON catalog_searchdocument USING GIN (body_tsv)",
    "DROP INDEX IF EXISTS catalog_search_tsv",
]
POSTGRES_DOWN = [
    "CREATE INDEX catalog_search_tsv ON catalog_searchdocument "
    "USING GIN (to_tsvector('simple'::regconfig, body))",
    "DROP INDEX IF EXISTS catalog_search_body_tsv",
    "ALTER TABLE catalog_searchdocument DROP COLUMN IF EXISTS body_tsv",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_product_image_renditions")]

    operations = [migrations.RunPython(run(POSTGRES_UP), run(POSTGRES_DOWN))]
