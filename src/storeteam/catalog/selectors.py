"""Reads for the catalog workspace (S12): product lists with search and filters, the category
tree. Each is a fixed number of indexed queries per page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from storeteam.catalog.models import (
    Category,
    CategoryTranslation,
    Product,
    ProductTranslation,
    Variant,
)


def staff_products(
    *, query: str = "", category_id: int | None = None, status: str = ""
) -> QuerySet[Product]:
    """Products matching a name or SKU, in a category's subtree, published or not; newest
    first. ``query`` matches the start of a SKU or any part of a name in any language."""
    products = Product.objects.all()
    if query:
        products = products.filter(
            Q(translations__name__icontains=query)
            | Exists(Variant.objects.filter(product=OuterRef("pk"), sku__istartswith=query))
        ).distinct()
    if category_id is not None:
        path = Category.objects.filter(pk=category_id).values_list("path", flat=True).first()
        products = products.filter(category__path__startswith=path or "-")
    if status == "published":
        products = products.filter(is_published=True)
    elif status == "withdrawn":
        products = products.filter(is_published=False)
    return products.order_by("-pk")


@dataclass(frozen=True)
class ProductRow:
    product: Product
    name: str
    skus: list[str]
    category: str


def staff_product_rows(products: list[Product], language: str) -> list[ProductRow]:
    """A page of products with their name, SKUs and category name: three queries."""
    ids = [p.pk for p in products]
    names: dict[int, str] = dict(
        ProductTranslation.objects.filter(product_id__in=ids, language=language).values_list(
            "product_id", "name"
        )
    )
    skus: dict[int, list[str]] = {}
    for product_id, sku in Variant.objects.filter(product_id__in=ids).values_list(
        "product_id", "sku"
    ):
        skus.setdefault(product_id, []).append(sku)
    categories = dict(
        CategoryTranslation.objects.filter(
            category_id__in={p.category_id for p in products}, language=language
        ).values_list("category_id", "name")
    )
    return [
        ProductRow(
            product=p,
            name=names.get(p.pk, ""),
            skus=skus.get(p.pk, []),
            category=categories.get(p.category_id, ""),
        )
        for p in products
    ]


@dataclass(frozen=True)
class CategoryNode:
    category: Category
    name: str
    slug: str
    products: int  # directly in it


def category_tree(language: str) -> list[CategoryNode]:
    """Every category in tree order (by path), with its name and how many products it holds."""
    texts = {
        category_id: (name, slug)
        for category_id, name, slug in CategoryTranslation.objects.filter(
            language=language
        ).values_list("category_id", "name", "slug")
    }
    return [
        CategoryNode(
            category=c,
            name=texts.get(c.pk, ("", ""))[0],
            slug=texts.get(c.pk, ("", ""))[1],
            products=c.product_count,
        )
        for c in Category.objects.annotate(product_count=Count("products")).order_by("path")
    ]
