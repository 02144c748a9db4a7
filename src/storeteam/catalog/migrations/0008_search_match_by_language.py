"""On PostgreSQL, the search match reads a narrow table of its own, one partition per language,
kept by triggers from the search documents as SQLite's FTS5 table is (0003).

A frequent word's cold search read one heap page of the documents' table per match: "cotton"
matches 13,454 English documents, which lay on 12,523 pages of a 592 MB table (a row of about
480 bytes: name, body, terms and the stored tsvector of 0005), far more than the database's
buffers hold, so each search read most of them again from the operating system (50 to 150 ms).
Here a row is the document's id, its language and the tsvector (about 250 bytes), in a partition
of its language: the English partition of the large demo catalog is 74 MB, the match no longer
reads the other languages' rows, and the same 80 searches take p50 8 to 10 ms, p95 17 to 24 ms,
with the same results in the same order.

Each language of ``catalog.search.DOCUMENT_LANGUAGE_SLOTS`` has its partition; a language added
later lands in the default partition until a migration gives it its own (detach the default,
create the partition, move its rows, attach the default again). SQLite is unchanged.
"""

from django.db import migrations

# As catalog.search.DOCUMENT_LANGUAGE_SLOTS was when this migration was written.
LANGUAGES = ("en", "sv", "fr", "nl")

POSTGRES_UP = [
    "CREATE TABLE catalog_search_match (id bigint NOT NULL, language varchar(8) NOT NULL, "
    "tsv tsvector NOT NULL) PARTITION BY LIST (language)",
    *(
        f"CREATE TABLE catalog_search_match_{language} PARTITION OF catalog_search_match "
        f"FOR VALUES IN ('{language}')"
        for language in LANGUAGES
    ),
    "CREATE TABLE catalog_search_match_other PARTITION OF catalog_search_match DEFAULT",
    "INSERT INTO catalog_search_match (id, language, tsv) "
    "SELECT id, language, to_tsvector('simple'::regconfig, body) FROM catalog_searchdocument "
    "ORDER BY id",
    "CREATE INDEX catalog_search_match_tsv ON catalog_search_match USING GIN (tsv)",
    "CREATE INDEX catalog_search_match_id ON catalog_search_match (id)",
    # Statement-level triggers with transition tables: a rebuild's bulk insert or delete of
    # thousands of documents is one statement here too, not one per row.
    """
    CREATE FUNCTION catalog_search_match_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE catalog_search_match;
            RETURN NULL;
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            DELETE FROM catalog_search_match m USING gone g
            WHERE m.id = g.id AND m.language = g.language;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO catalog_search_match (id, language, tsv)
            SELECT id, language, to_tsvector('simple'::regconfig, body) FROM came;
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER catalog_search_match_insert AFTER INSERT ON catalog_searchdocument "
    "REFERENCING NEW TABLE AS came FOR EACH STATEMENT "
    "EXECUTE FUNCTION catalog_search_match_follow()",
    "CREATE TRIGGER catalog_search_match_update AFTER UPDATE ON catalog_searchdocument "
    "REFERENCING OLD TABLE AS gone NEW TABLE AS came FOR EACH STATEMENT "
    "EXECUTE FUNCTION catalog_search_match_follow()",
    "CREATE TRIGGER catalog_search_match_delete AFTER DELETE ON catalog_searchdocument "
    "REFERENCING OLD TABLE AS gone FOR EACH STATEMENT "
    "EXECUTE FUNCTION catalog_search_match_follow()",
    "CREATE TRIGGER catalog_search_match_truncate AFTER TRUNCATE ON catalog_searchdocument "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_match_follow()",
    # The documents' own tsvector (0005) has no reader left.
    "DROP INDEX IF EXISTS catalog_search_body_tsv",
    "ALTER TABLE catalog_searchdocument DROP COLUMN IF EXISTS body_tsv",
]
POSTGRES_DOWN = [
    "ALTER TABLE catalog_searchdocument ADD COLUMN body_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED",
    "CREATE INDEX catalog_search_body_tsv ON catalog_searchdocument USING GIN (body_tsv)",
    "DROP TRIGGER IF EXISTS catalog_search_match_insert ON catalog_searchdocument",
    "DROP TRIGGER IF EXISTS catalog_search_match_update ON catalog_searchdocument",
    "DROP TRIGGER IF EXISTS catalog_search_match_delete ON catalog_searchdocument",
    "DROP TRIGGER IF EXISTS catalog_search_match_truncate ON catalog_searchdocument",
    "DROP FUNCTION IF EXISTS catalog_search_match_follow()",
    "DROP TABLE IF EXISTS catalog_search_match",
]


def run(statements):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_search_document_ids_by_language")]

    operations = [migrations.RunPython(run(POSTGRES_UP), run(POSTGRES_DOWN))]
