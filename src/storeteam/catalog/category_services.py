"""Staff edits of single categories (S1, S12): create one under a parent, change its texts and
whether it is published. The one implementation behind the back office's category screens and
the staff API. Validated first (``CatalogEditError``, as for products), written all or nothing,
audited, and followed by ``ProductsChanged`` for the products under it (their listing and search
text name the category). Moving a category to another parent is not offered here: it rewrites
the paths of a subtree."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from storeteam.catalog.events import ProductsChanged
from storeteam.catalog.models import Category, CategoryTranslation, Product
from storeteam.catalog.product_services import (
    CatalogEditError,
    Problem,
    Texts,
    texts_apply,
    texts_problems,
)
from storeteam.catalog.services import (
    CatalogImportError,
    CategorySpec,
    catalog_import,
)
from storeteam.core.audit import audit_record
from storeteam.core.errors import NotFoundError
from storeteam.core.events import event_publish

EVENT_CHUNK = 1000


class CategoryNotFoundError(NotFoundError):
    """There is no such category."""


def category_snapshot(category: Category) -> dict[str, Any]:
    """The category as the audit log keeps it."""
    return {
        "parent_id": category.parent_id,
        "is_published": category.is_published,
        "texts": {
            t.language: {"name": t.name, "slug": t.slug, "description": t.description}
            for t in CategoryTranslation.objects.filter(category=category).order_by("language")
        },
    }


def category_create(
    *,
    texts: dict[str, Texts],
    parent_id: int | None,
    is_published: bool = True,
    actor: Any,
    ip_address: str | None = None,
) -> Category:
    """Create a category as the last child of ``parent_id`` (a department when None), named in
    each language given (the default language is required; the others fall back to it).
    Audited as ``category.create``. Raises ``CatalogEditError`` listing every problem."""
    problems = texts_problems(
        texts, model=CategoryTranslation, owner_field="category_id", owner_id=None, creating=True
    )
    if parent_id is not None and not Category.objects.filter(pk=parent_id).exists():
        problems.append(Problem(_("unknown parent category %(id)s") % {"id": parent_id}))
    if problems:
        raise CatalogEditError(problems)
    spec = CategorySpec(
        key="new",
        names={lang: t.name for lang, t in texts.items() if t.name},
        descriptions={lang: t.description for lang, t in texts.items() if t.description},
        parent_key="parent" if parent_id is not None else None,
    )
    with transaction.atomic():
        try:
            result = catalog_import(
                categories=[spec],
                existing_categories={"parent": parent_id} if parent_id is not None else {},
            )
        except CatalogImportError as exc:
            raise CatalogEditError(exc.problems) from exc
        category = Category.objects.get(pk=result.category_ids["new"])
        if not is_published:
            category.is_published = False
            category.save(update_fields=["is_published", "updated_at"])
        for language, text in texts.items():
            if text.slug:
                CategoryTranslation.objects.filter(category=category, language=language).update(
                    slug=text.slug
                )
        audit_record(
            actor=actor,
            action="category.create",
            target=category,
            after=category_snapshot(category),
            ip_address=ip_address,
        )
    return category


def category_update(
    *,
    category_id: int,
    texts: dict[str, Texts],
    is_published: bool | None = None,
    actor: Any,
    ip_address: str | None = None,
) -> Category:
    """Change a category's texts per language and whether it is published; audited as
    ``category.update``. Publishes ``ProductsChanged`` for every product in its subtree, so the
    listing (publishing) and the search index (the category's name) follow."""
    if not Category.objects.filter(pk=category_id).exists():
        raise CategoryNotFoundError(_("There is no category %(id)s.") % {"id": category_id})
    problems = texts_problems(
        texts,
        model=CategoryTranslation,
        owner_field="category_id",
        owner_id=category_id,
        creating=False,
    )
    if problems:
        raise CatalogEditError(problems)
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category_id)
        before = category_snapshot(category)
        if is_published is not None:
            category.is_published = is_published
        texts_apply(
            model=CategoryTranslation,
            owner_field="category_id",
            owner_id=category.pk,
            texts=texts,
        )
        after = category_snapshot(category)
        if after != before:  # an empty change is neither logged nor announced
            category.save()
            audit_record(
                actor=actor,
                action="category.update",
                target=category,
                before=before,
                after=after,
                ip_address=ip_address,
            )
            product_ids = list(
                Product.objects.filter(category__path__startswith=category.path)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(product_ids), EVENT_CHUNK):
                event_publish(ProductsChanged(product_ids=product_ids[start : start + EVENT_CHUNK]))
    return category
