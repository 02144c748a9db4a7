"""Search documents take the id ``slot * 2**40 + product id`` (catalog.search.document_id), so
that one language's documents are one range of ids (on SQLite, of the FTS5 table's rowids). The
documents already written are renumbered; on SQLite the FTS5 table follows through its triggers
(migration 0003)."""

from django.db import migrations

# As catalog.search.DOCUMENT_LANGUAGE_SLOTS was when this migration was written.
SLOTS = {"en": 1, "sv": 2, "fr": 3, "nl": 4}
SPAN = 1 << 40


def renumber(apps, schema_editor):  # type: ignore[no-untyped-def]
    cases = " ".join(f"WHEN '{language}' THEN {slot * SPAN}" for language, slot in SLOTS.items())
    languages = ", ".join(f"'{language}'" for language in SLOTS)
    schema_editor.execute(
        f"UPDATE catalog_searchdocument SET id = CASE language {cases} END + product_id "  # noqa: S608
        f"WHERE language IN ({languages}) AND id < {SPAN}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_search_documents_version"),
    ]

    operations = [migrations.RunPython(renumber, migrations.RunPython.noop)]
