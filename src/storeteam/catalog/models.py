"""The catalog (S1): a category tree, products with variants and typed attributes, images, and the
translations of everything a shopper reads. Writes go through catalog.services; the storefront
reads a denormalised listing built from these tables (storefront.models)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LANGUAGE_LENGTH = 8


class Category(models.Model):
    """A node of the category tree. ``path`` is the materialised path of positions from the root
    ("0001.0004."), so a subtree is one indexed prefix query, however deep."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "position"], name="category_children")]
        permissions = [("manage_catalog", _("Can edit categories, products and their content"))]

    def __str__(self) -> str:
        return f"category {self.pk} ({self.path})"


class CategoryTranslation(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=LANGUAGE_LENGTH)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=True)
    description = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "language"], name="category_one_per_lang"),
            models.UniqueConstraint(fields=["language", "slug"], name="category_slug_per_lang"),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class AttributeKind(models.TextChoices):
    CHOICE = "choice", _("Choice")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    BOOLEAN = "boolean", _("Yes or no")


class Attribute(models.Model):
    """A typed property of products or variants (size, colour, material, screen size …).
    Choice attributes marked ``is_facet`` become filters on category pages (S3)."""

    code = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=AttributeKind.choices)
    is_facet = models.BooleanField(default=False)
    is_variant_axis = models.BooleanField(
        default=False, help_text=_("Variants of one product differ by this attribute.")
    )
    unit = models.CharField(max_length=16, blank=True, default="")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class AttributeTranslation(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=LANGUAGE_LENGTH)
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attribute", "language"], name="attribute_one_per_lang")
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class AttributeValue(models.Model):
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    code = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attribute_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "code"], name="attribute_value_code")
        ]

    def __str__(self) -> str:
        return f"{self.attribute_id}:{self.code}"


class AttributeValueTranslation(models.Model):
    value = models.ForeignKey(AttributeValue, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=LANGUAGE_LENGTH)
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["value", "language"], name="value_one_per_lang")
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class ProductKind(models.TextChoices):
    SIMPLE = "simple", _("Simple (one variant)")
    CONFIGURABLE = "configurable", _("Configurable (variants)")


class TaxClass(models.TextChoices):
    STANDARD = "standard", _("Standard rate")
    REDUCED = "reduced", _("Reduced rate")
    ZERO = "zero", _("Zero rate")


class Product(models.Model):
    kind = models.CharField(max_length=16, choices=ProductKind.choices, default=ProductKind.SIMPLE)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    tax_class = models.CharField(max_length=10, choices=TaxClass.choices, default=TaxClass.STANDARD)
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # Units sold, kept by the orders domain's events; the "best-selling" sort reads it.
    sales_count = models.PositiveIntegerField(default=0)
    values = models.ManyToManyField(AttributeValue, through="ProductValue", related_name="+")

    class Meta:
        indexes = [models.Index(fields=["category", "is_published"], name="product_category")]

    def __str__(self) -> str:
        return f"product {self.pk}"


class ProductTranslation(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=LANGUAGE_LENGTH)
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, allow_unicode=True)
    description = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "language"], name="product_one_per_lang"),
            models.UniqueConstraint(fields=["language", "slug"], name="product_slug_per_lang"),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class ProductValue(models.Model):
    """A product-level attribute value (material, brand …)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    value = models.ForeignKey(AttributeValue, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "value"], name="product_value")]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.value_id}"


class Variant(models.Model):
    """What is sold, stocked and shipped: one SKU. A simple product has exactly one."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    barcode = models.CharField(max_length=32, null=True, blank=True, unique=True)
    position = models.PositiveIntegerField(default=0)
    weight_grams = models.PositiveIntegerField(default=0)
    values = models.ManyToManyField(AttributeValue, through="VariantValue", related_name="+")

    class Meta:
        ordering = ["product_id", "position", "id"]

    def __str__(self) -> str:
        return self.sku


class VariantValue(models.Model):
    """A variant's value on a variant axis (size M, colour navy)."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE)
    value = models.ForeignKey(AttributeValue, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["variant", "value"], name="variant_value")]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.value_id}"


class ProductImage(models.Model):
    """A picture of a product (S1): the validated original and its resized renditions.

    Written only by catalog.images. File names carry a hash of the original's content, so a
    rendition's address never changes meaning and browsers may cache it forever; products that
    show the same picture share its files. ``renditions`` lists the WebP renditions, narrowest
    first, as ``{"width": w, "height": h, "name": storage name}``; ``share_name`` is a JPEG for
    social cards and search engines. ``alt`` holds the alternative text per language code.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    original = models.FileField(max_length=255, default="")
    content_hash = models.CharField(max_length=64, db_index=True, default="")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    alt = models.JSONField(default=dict, blank=True)
    renditions = models.JSONField(default=list, blank=True)
    share_name = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["product_id", "position", "id"]
        indexes = [models.Index(fields=["product", "position"], name="image_by_product")]
        constraints = [
            models.CheckConstraint(condition=Q(width__gte=0) & Q(height__gte=0), name="image_size")
        ]

    def __str__(self) -> str:
        return f"image {self.position} of product {self.product_id}"

    def alt_in(self, language: str) -> str:
        """The alternative text in ``language``, else in the store's default language."""
        texts: dict[str, str] = self.alt or {}
        return texts.get(language) or texts.get(settings.LANGUAGE_CODE) or ""

    @property
    def srcset(self) -> str:
        """The renditions as an ``srcset`` attribute value ("url 160w, url 320w, ...")."""
        return ", ".join(f"{default_storage.url(r['name'])} {r['width']}w" for r in self.renditions)

    def _rendition(self, width: int) -> dict[str, Any] | None:
        """The narrowest rendition at least ``width`` wide, else the widest there is."""
        if not self.renditions:
            return None
        for rendition in self.renditions:
            if rendition["width"] >= width:
                return dict(rendition)
        return dict(self.renditions[-1])

    def src(self, width: int = 480) -> str:
        """The URL of the rendition a browser without ``srcset`` should load."""
        rendition = self._rendition(width)
        return default_storage.url(rendition["name"]) if rendition else ""

    @property
    def fallback_src(self) -> str:
        return self.src()

    @property
    def share_url(self) -> str:
        """The path of the JPEG for Open Graph, cards and schema.org (make it absolute)."""
        return default_storage.url(self.share_name) if self.share_name else self.src(1200)


class SearchDocument(models.Model):
    """What search matches for one product in one language. ``body`` is the normalised text
    (lower case, no diacritics) of its name, category, attribute values and description.
    Kept by catalog.search.search_index_rebuild.

    On SQLite an FTS5 table mirrors it (migration 0003); on PostgreSQL its tsvector is a stored
    generated column with a GIN index (migration 0005), outside the model.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=LANGUAGE_LENGTH)
    name = models.CharField(max_length=255)
    body = models.TextField(blank=True, default="")
    # The vocabulary words this document counted (from name and category), so that removing it
    # takes back exactly what it added, whatever has been renamed since.
    terms = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "language"], name="search_one_per_lang")
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.language}]"


class SearchTerm(models.Model):
    """A word that occurs in product names, with how many documents hold it: the vocabulary the
    spelling corrector chooses from."""

    language = models.CharField(max_length=LANGUAGE_LENGTH)
    term = models.CharField(max_length=80)
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["language", "term"], name="search_term_once")
        ]

    def __str__(self) -> str:
        return f"{self.term} [{self.language}] x{self.frequency}"


class SearchState(models.Model):
    """One row: the search vocabulary's version, raised when terms are added or removed, so each
    process rebuilds its cached spelling index; and the documents' version, raised whenever any
    search document is rewritten, so a cached match (catalog.search.product_search) is used only
    while the documents it was found in are unchanged."""

    version = models.PositiveBigIntegerField(default=1)
    documents_version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"search version {self.version}"
