"""Product search (S5): full text in the database's own engine, with typo tolerance.

Behind one interface, ``product_search``:
- the text is normalised (lower case, diacritics removed) when indexed and when searched, so
  "merinos" finds "mérinos" in every database;
- each word of the query that is not in the language's vocabulary is corrected to the nearest
  word that is (Damerau-Levenshtein distance 1, or 2 for words of 6 letters or more; the more
  frequent word wins a tie), the way a shopper's "jakcet" means "jacket";
- the match itself runs in the database: FTS5 on SQLite; on PostgreSQL, a GIN-indexed tsvector
  in a narrow table partitioned by language (both kept from the documents by triggers); the
  last word matches as a prefix, so results come while the shopper is still typing.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from storeteam.catalog.models import (
    AttributeValueTranslation,
    CategoryTranslation,
    Product,
    ProductTranslation,
    SearchDocument,
    SearchState,
    SearchTerm,
)

WORD = re.compile(r"[^\W_]+", re.UNICODE)
BODY_DESCRIPTION_CHARS = 600
MAX_RESULTS = 1000

# A search document's id is its language's slot times 2**40 plus its product's id, so that one
# language's documents are one range of ids: on SQLite, FTS5 then matches and ranks only that
# language's rows (a range of its rowids) and gives the product from the rowid, without reading
# the documents' table for each match. Slots are fixed once given: a new language takes the next.
DOCUMENT_LANGUAGE_SLOTS = {"en": 1, "sv": 2, "fr": 3, "nl": 4}
DOCUMENT_ID_SPAN = 1 << 40


def document_id(product_id: int, language: str) -> int:
    """The id of ``product_id``'s search document in ``language``."""
    return DOCUMENT_LANGUAGE_SLOTS[language] * DOCUMENT_ID_SPAN + product_id


def _language_ids(language: str) -> tuple[int, int]:
    """The first and last possible document id of ``language``."""
    first = document_id(0, language)
    return first, first + DOCUMENT_ID_SPAN - 1


def normalise(text: str) -> str:
    """Lower case without diacritics: the one alphabet search works in."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD.findall(normalise(text))


# --- indexing -------------------------------------------------------------------------------


def search_index_rebuild(*, product_ids: Sequence[int]) -> int:
    """Rebuild the search documents of these products in every language, and keep the
    vocabulary's word counts in step. Unpublished products leave the index. Returns documents."""
    ids = list(product_ids)
    products = {
        p["pk"]: p
        for p in Product.objects.filter(pk__in=ids, is_published=True).values("pk", "category_id")
    }
    names = list(
        ProductTranslation.objects.filter(product_id__in=list(products)).values_list(
            "product_id", "language", "name", "description"
        )
    )
    categories = {
        (c, lang): name
        for c, lang, name in CategoryTranslation.objects.filter(
            category_id__in={p["category_id"] for p in products.values()}
        ).values_list("category_id", "language", "name")
    }
    values: dict[tuple[int, str], list[str]] = defaultdict(list)
    for rows in (
        AttributeValueTranslation.objects.filter(
            value__productvalue__product_id__in=list(products)
        ).values_list("value__productvalue__product_id", "language", "name"),
        AttributeValueTranslation.objects.filter(
            value__variantvalue__variant__product_id__in=list(products)
        ).values_list("value__variantvalue__variant__product_id", "language", "name"),
    ):
        for product_id, language, name in rows:
            if name not in values[(product_id, language)]:
                values[(product_id, language)].append(name)
    documents = []
    new_terms: Counter[tuple[str, str]] = Counter()
    for product_id, language, name, description in names:
        category = categories.get((products[product_id]["category_id"], language), "")
        text = " ".join(
            [
                name,
                category,
                *values.get((product_id, language), []),
                description[:BODY_DESCRIPTION_CHARS],
            ]
        )
        vocabulary = sorted({t for t in words(f"{name} {category}") if len(t) >= 3})
        documents.append(
            SearchDocument(
                id=document_id(product_id, language),
                product_id=product_id,
                language=language,
                name=name,
                body=" ".join(words(text)),
                terms=" ".join(vocabulary),
            )
        )
        for term in vocabulary:
            new_terms[(language, term)] += 1
    with transaction.atomic():
        old_terms: Counter[tuple[str, str]] = Counter()
        for language, terms in SearchDocument.objects.filter(product_id__in=ids).values_list(
            "language", "terms"
        ):
            for term in terms.split():
                old_terms[(language, term)] += 1
        SearchDocument.objects.filter(product_id__in=ids).delete()
        SearchDocument.objects.bulk_create(documents, batch_size=2000)
        _terms_apply(new_terms, old_terms)
    return len(documents)


def _terms_apply(new: Counter[tuple[str, str]], old: Counter[tuple[str, str]]) -> None:
    delta = Counter(new)
    delta.subtract(old)
    changed_vocabulary = False
    existing = set()
    keys = [k for k, n in delta.items() if n]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for language, term in SearchTerm.objects.filter(
            language__in={k[0] for k in chunk}, term__in={k[1] for k in chunk}
        ).values_list("language", "term"):
            existing.add((language, term))
    missing = [
        SearchTerm(language=lang, term=term[:80], frequency=0)
        for (lang, term) in keys
        if (lang, term) not in existing
    ]
    if missing:
        SearchTerm.objects.bulk_create(missing, batch_size=2000, ignore_conflicts=True)
        changed_vocabulary = True
    by_amount: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for key in keys:
        by_amount[delta[key]].append(key)
    for amount, pairs in by_amount.items():
        for language in {lang for lang, _t in pairs}:
            terms = [t for lang, t in pairs if lang == language]
            for start in range(0, len(terms), 500):
                SearchTerm.objects.filter(
                    language=language, term__in=terms[start : start + 500]
                ).update(frequency=F("frequency") + amount)
    if SearchTerm.objects.filter(frequency__lte=0).delete()[0]:
        changed_vocabulary = True
    raised = {"version": F("version") + 1} if changed_vocabulary else {}
    if not SearchState.objects.filter(pk=1).update(
        documents_version=F("documents_version") + 1, **raised
    ):
        SearchState.objects.get_or_create(
            pk=1, defaults={"version": 2 if changed_vocabulary else 1, "documents_version": 2}
        )


# --- spelling -------------------------------------------------------------------------------


def _deletes(word: str, distance: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(distance):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, transpositions."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def allowed_distance(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 6 else 2


class SpellingIndex:
    """Nearest known word by deletion neighbourhoods (as in SymSpell): every word's variants
    with up to two letters deleted point back to it, so a lookup touches few candidates."""

    def __init__(self, frequencies: dict[str, int]) -> None:
        self.frequencies = frequencies
        self.by_delete: dict[str, set[str]] = defaultdict(set)
        for term in frequencies:
            for variant in _deletes(term, allowed_distance(term)):
                self.by_delete[variant].add(term)

    def correct(self, word: str) -> str:
        if word in self.frequencies or allowed_distance(word) == 0:
            return word
        limit = allowed_distance(word)
        candidates = set()
        for variant in _deletes(word, limit):
            candidates |= self.by_delete.get(variant, set())
        scored = [
            (distance, -self.frequencies[c], c)
            for c in candidates
            if (distance := edit_distance(word, c)) <= limit
        ]
        return min(scored)[2] if scored else word


_spelling: dict[str, tuple[int, SpellingIndex]] = {}
_spelling_lock = threading.Lock()


def search_versions() -> tuple[int, int]:
    """The search vocabulary's version (raised when words enter or leave it) and the search
    documents' (raised when any is rewritten), in one read of one row."""
    row = SearchState.objects.filter(pk=1).values_list("version", "documents_version").first()
    return (int(row[0]), int(row[1])) if row else (1, 1)


def search_version() -> int:
    """The search vocabulary's version (one row; raised when words enter or leave it)."""
    return search_versions()[0]


def spelling_index(language: str, version: int | None = None) -> SpellingIndex:
    """This process's spelling index for ``language``; rebuilt when the vocabulary changes."""
    version = version if version is not None else search_version()
    cached = _spelling.get(language)
    if cached is not None and cached[0] == version:
        return cached[1]
    with _spelling_lock:
        index = SpellingIndex(
            dict(SearchTerm.objects.filter(language=language).values_list("term", "frequency"))
        )
        _spelling[language] = (version, index)
    return index


# --- searching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    product_ids: list[int]  # best first, at most MAX_RESULTS
    query: str  # what was searched for, after correction
    corrected: bool


def product_search(
    *,
    text: str,
    language: str,
    limit: int = MAX_RESULTS,
    versions: tuple[int, int] | None = None,
) -> SearchResult:
    """Products matching every word of ``text`` (the last as a prefix), best first.
    ``versions`` are ``search_versions()`` when the caller has just read them."""
    typed = [w for w in words(text) if w][:8]
    if not typed:
        return SearchResult(product_ids=[], query="", corrected=False)
    vocabulary, documents = versions if versions is not None else search_versions()
    index = spelling_index(language, vocabulary)
    # The last word may be unfinished: it is corrected only if no known word starts with it.
    corrected = [index.correct(w) for w in typed[:-1]]
    last = typed[-1]
    if not any(term.startswith(last) for term in _terms_starting(index, last)):
        last = index.correct(last)
    corrected.append(last)
    ids = _match_cached(corrected, language, min(limit, MAX_RESULTS), documents)
    return SearchResult(product_ids=ids, query=" ".join(corrected), corrected=corrected != typed)


def _terms_starting(index: SpellingIndex, prefix: str) -> Iterable[str]:
    if prefix in index.frequencies:
        return [prefix]
    return (t for t in index.frequencies if t.startswith(prefix))


# Terms are runs of letters and digits only (see ``words``), so they cannot break out of the
# quoted FTS5 phrases; the expression itself is passed as a parameter. The language is the range
# of rowids its documents have (``document_id``): FTS5 reads and ranks only those, and the
# product is the rowid less the range's start.
SQLITE_MATCH = (
    "SELECT rowid - %s FROM catalog_search_fts "
    "WHERE catalog_search_fts MATCH %s AND rowid BETWEEN %s AND %s "
    "ORDER BY bm25(catalog_search_fts) LIMIT %s"
)
# catalog_search_match (migration 0008) holds each document's tsvector in a partition of its
# language, kept by triggers; the language's partition alone is read, and the product is the id
# less the language's first id, as on SQLite.
POSTGRES_MATCH = (
    "SELECT id - %s FROM catalog_search_match WHERE language = %s "
    "AND tsv @@ to_tsquery('simple'::regconfig, %s) "
    "ORDER BY ts_rank(tsv, to_tsquery('simple'::regconfig, %s)) DESC, id LIMIT %s"
)


MATCH_CACHE_SECONDS = 600


def _match_cached(terms: list[str], language: str, limit: int, documents: int) -> list[int]:
    """``_match``, from the cache while the search documents are those it was found in: ranking
    a frequent word's tens of thousands of matches is most of a search's time, and nothing but
    the documents changes its answer (a sale that changes the stock leaves it)."""
    raw = "|".join([language, str(limit), *terms])
    key = f"catalog:match:{documents}:{hashlib.sha256(raw.encode()).hexdigest()}"
    ids: list[int] | None = cache.get(key)
    if ids is None:
        ids = _match(terms, language, limit)
        cache.set(key, ids, MATCH_CACHE_SECONDS)
    return ids


def _match(terms: list[str], language: str, limit: int) -> list[int]:
    if language not in DOCUMENT_LANGUAGE_SLOTS:
        return []
    first, last = _language_ids(language)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            expression = " AND ".join(f'"{t}"' for t in terms[:-1]) + (
                " AND " if len(terms) > 1 else ""
            )
            expression += f'"{terms[-1]}"*'
            cursor.execute(SQLITE_MATCH, [first, expression, first, last, limit])
        else:
            expression = " & ".join([*terms[:-1], f"{terms[-1]}:*"])
            cursor.execute(POSTGRES_MATCH, [first, language, expression, expression, limit])
        return [row[0] for row in cursor.fetchall()]
