"""Search finds what the shopper meant: typos, unfinished words, diacritics, several words (S5).
Runs on the database's own full-text engine (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from storeteam.catalog.models import ProductTranslation, SearchTerm
from storeteam.catalog.search import (
    SpellingIndex,
    edit_distance,
    product_search,
    search_index_rebuild,
)
from storeteam.catalog.services import CategorySpec, ProductSpec, VariantSpec, catalog_import
from tests.catalog.fixtures import build_small_catalog


@pytest.fixture
def catalog(db: Any, deliver_events: Any) -> dict[str, Any]:
    built = build_small_catalog(deliver_events)
    catalog_import(
        products=[
            ProductSpec(
                category_key="shirts",
                names={"en": "Merino Blazer", "fr": "Veste en laine mérinos"},
                variants=[VariantSpec(sku="MERINO-1")],
            )
        ],
        existing_categories=built["categories"],
    )
    deliver_events()
    return built


def found(text: str, language: str = "en") -> list[str]:
    ids = product_search(text=text, language=language).product_ids
    names = dict(
        ProductTranslation.objects.filter(product_id__in=ids, language=language).values_list(
            "product_id", "name"
        )
    )
    return sorted(names[i] for i in ids)


def test_a_typo_finds_what_was_meant(catalog: Any) -> None:
    assert found("jakcet") == ["Rain Jacket", "Wool Jacket"]
    result = product_search(text="jakcet", language="en")
    assert result.corrected is True
    assert result.query == "jacket"
    assert found("ulljaka", "sv") == ["Ulljacka"]


def test_an_unfinished_word_matches_as_a_prefix(catalog: Any) -> None:
    assert found("jack") == ["Rain Jacket", "Wool Jacket"]
    assert product_search(text="jack", language="en").corrected is False


def test_every_word_must_match_and_diacritics_do_not_matter(catalog: Any) -> None:
    assert found("rain jacket") == ["Rain Jacket"]
    assert found("merinos", "fr") == ["Veste en laine mérinos"]
    assert found("MÉRINOS", "fr") == ["Veste en laine mérinos"]
    # the category and attribute values are searchable too
    assert found("shirts cotton") == ["Field Shirt", "Linen Shirt"]


def test_nothing_found_and_nothing_typed(catalog: Any) -> None:
    assert found("submarine") == []
    assert found("   ") == []
    assert found('"); DROP TABLE catalog_product; --') == []


def test_reindexing_keeps_the_vocabulary_counts_exact(catalog: Any) -> None:
    before = dict(SearchTerm.objects.filter(language="en").values_list("term", "frequency"))
    search_index_rebuild(product_ids=catalog["products"])
    search_index_rebuild(product_ids=catalog["products"])
    after = dict(SearchTerm.objects.filter(language="en").values_list("term", "frequency"))
    assert after == before
    assert before["jacket"] == 2
    assert before["jackets"] == 2  # the category's name counts once per product in it
    assert before["shirts"] == 3


def test_unused_words_leave_the_vocabulary(db: Any, deliver_events: Any) -> None:
    result = catalog_import(
        categories=[CategorySpec("c", {"en": "Boats"})],
        products=[
            ProductSpec(category_key="c", names={"en": "Kayak"}, variants=[VariantSpec(sku="K-1")])
        ],
    )
    deliver_events()
    assert SearchTerm.objects.filter(term="kayak").exists()
    from storeteam.catalog.models import Product

    Product.objects.filter(pk__in=result.product_ids).update(is_published=False)
    search_index_rebuild(product_ids=result.product_ids)
    assert not SearchTerm.objects.filter(term="kayak").exists()
    assert found("kayak") == []


def test_spelling_distance_counts_a_swap_as_one_edit() -> None:
    assert edit_distance("jakcet", "jacket") == 1
    assert edit_distance("jacket", "jacket") == 0
    assert edit_distance("jcket", "jacket") == 1
    index = SpellingIndex({"jacket": 5, "packet": 1, "jackets": 2})
    assert index.correct("jakcet") == "jacket"
    assert index.correct("pcket") == "packet"
    assert index.correct("zzz") == "zzz"  # too short to guess


def test_a_match_is_reused_until_a_search_document_changes(
    catalog: Any, django_assert_num_queries: Any
) -> None:
    from storeteam.catalog.models import Product

    found = product_search(text="jacket", language="en").product_ids
    assert len(found) == 2
    with django_assert_num_queries(1):  # the versions; the match is the cached one
        assert product_search(text="jacket", language="en").product_ids == found
    # A rewritten document (here: a jacket withdrawn) raises the documents' version.
    rain = ProductTranslation.objects.get(language="en", name="Rain Jacket").product_id
    Product.objects.filter(pk=rain).update(is_published=False)
    search_index_rebuild(product_ids=[rain])
    assert product_search(text="jacket", language="en").product_ids == [
        p for p in found if p != rain
    ]


def test_each_language_searches_only_its_own_documents(catalog: Any) -> None:
    from django.conf import settings

    from storeteam.catalog.models import SearchDocument
    from storeteam.catalog.search import DOCUMENT_LANGUAGE_SLOTS, document_id

    # Every language the store speaks has its range of document ids, and the documents are in it.
    assert {code for code, _name in settings.LANGUAGES} <= set(DOCUMENT_LANGUAGE_SLOTS)
    documents = list(SearchDocument.objects.values_list("id", "product_id", "language"))
    assert documents
    assert all(pk == document_id(product, language) for pk, product, language in documents)
    # "laine" is in the French document only; "merino" in both, found once per language.
    assert found("laine", "fr") == ["Veste en laine mérinos"]
    assert found("laine", "en") == []
    assert found("merino", "en") == ["Merino Blazer"]
    assert found("merinos", "fr") == ["Veste en laine mérinos"]
    assert product_search(text="laine", language="xx").product_ids == []


def _match_rows() -> set[tuple[int, str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, language, tsv::text FROM catalog_search_match")
        return set(cursor.fetchall())


def _document_rows() -> set[tuple[int, str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, language, to_tsvector('simple'::regconfig, body)::text "
            "FROM catalog_searchdocument"
        )
        return set(cursor.fetchall())


def test_on_postgresql_the_match_table_follows_the_documents(catalog: Any) -> None:
    """The narrow match table (migration 0008) has exactly the documents' rows after inserts,
    updates and deletes, each in its language's partition."""
    from django.db import connection

    from storeteam.catalog.models import SearchDocument

    if connection.vendor != "postgresql":
        pytest.skip("the match table is PostgreSQL's; SQLite's FTS5 table has its own tests")
    assert _match_rows() == _document_rows() != set()
    merino = SearchDocument.objects.get(language="en", name="Merino Blazer")
    SearchDocument.objects.filter(pk=merino.pk).update(body="merino blazer tweed")
    assert product_search(text="tweed", language="en").product_ids == [merino.product_id]
    search_index_rebuild(product_ids=[merino.product_id])  # a delete and a bulk insert
    SearchDocument.objects.filter(language="fr").delete()
    assert _match_rows() == _document_rows()
    assert product_search(text="laine", language="fr").product_ids == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text, language FROM catalog_search_match GROUP BY 1, 2"
        )
        assert {(table, lang) for table, lang in cursor.fetchall()} == {
            ("catalog_search_match_en", "en"),
            ("catalog_search_match_sv", "sv"),
            ("catalog_search_match_nl", "nl"),
        }
        # A test database's flush empties the documents with TRUNCATE: the matches go with them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check may be pending
        cursor.execute("TRUNCATE catalog_searchdocument")
    assert _match_rows() == set()
