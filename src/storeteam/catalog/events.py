"""Events the catalog publishes."""

from __future__ import annotations

from dataclasses import dataclass

from storeteam.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ProductsChanged(DomainEvent):
    """Products were created or changed (content, category, variants, attributes, publishing)."""

    product_ids: list[int]


@dataclass(frozen=True, kw_only=True)
class AttributesChanged(DomainEvent):
    """Attributes or their values were added: what readers show about facets changed."""

    attribute_codes: list[str]


@dataclass(frozen=True, kw_only=True)
class ProductImagesChanged(DomainEvent):
    """Images of these products were added, removed, reordered or described: pages that show
    them are stale."""

    product_ids: list[int]
