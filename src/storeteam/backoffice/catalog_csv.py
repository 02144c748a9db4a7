"""The catalog as a CSV file (S12): export, edit in a spreadsheet, import back.

One row per variant. Rows with the same ``product`` (the product's address in the store's main
language) make one product: a known address updates that product, a new one creates it.

    product, category, sku, barcode, weight_grams, published, tax_class, options, attributes,
    name_en … name_nl, description_en … description_nl, price_SEK, compare_at_SEK, price_EUR …

``category`` is the category's address in the main language; ``options`` are the variant's
values on its axes and ``attributes`` the product's own values, both as ``code=value`` joined by
``|`` (``colour=red|size=m``). An empty price leaves the price as it is.

An import checks every row before it writes anything, reports each problem with its line, and
then writes everything in one transaction, or nothing. It runs as a background task and keeps
its progress on an ImportJob, so a person can watch a large file go through.

This module composes the catalog's and pricing's services; it holds no rule of its own beyond
reading and writing the file's columns.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task

from storeteam.backoffice.models import ImportJob, ImportState
from storeteam.catalog.models import (
    AttributeValue,
    CategoryTranslation,
    Product,
    ProductTranslation,
    ProductValue,
    TaxClass,
    Variant,
    VariantValue,
)
from storeteam.catalog.product_services import ProductChanges, Texts, product_update
from storeteam.catalog.services import ProductSpec, VariantSpec, catalog_import
from storeteam.catalog.services import languages as store_languages
from storeteam.core.audit import audit_record
from storeteam.core.errors import DomainError
from storeteam.core.tasks import enqueue_safely
from storeteam.pricing.models import VariantPrice
from storeteam.pricing.selectors import default_price_lists
from storeteam.pricing.services import PriceRow, prices_import

logger = logging.getLogger(__name__)

MAX_BYTES = 200 * 1024 * 1024
MAX_PROBLEMS = 1000
PROGRESS_EVERY = 2000
EXPORT_CHUNK = 1000
YES = {"1", "yes", "y", "true", "ja", "oui", "x"}
NO = {"0", "no", "n", "false", "nej", "non", "nee"}


def catalog_columns(currencies: Sequence[str]) -> list[str]:
    languages = store_languages()
    return [
        "product",
        "category",
        "sku",
        "barcode",
        "weight_grams",
        "published",
        "tax_class",
        "options",
        "attributes",
        *(f"name_{lang}" for lang in languages),
        *(f"description_{lang}" for lang in languages),
        *(f"{kind}_{cur}" for cur in currencies for kind in ("price", "compare_at")),
    ]


# --- Export ---------------------------------------------------------------------------------


def catalog_export(product_ids: Sequence[int] | None = None) -> Iterator[list[str]]:
    """The header, then one row per variant, a chunk of products at a time (a few queries per
    chunk, whatever the catalog's size)."""
    default = settings.LANGUAGE_CODE
    languages = store_languages()
    price_lists = default_price_lists()
    yield catalog_columns(list(price_lists))
    products = Product.objects.order_by("pk")
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    category_slugs = dict(
        CategoryTranslation.objects.filter(language=default).values_list("category_id", "slug")
    )
    last = 0
    while True:
        chunk = list(
            products.filter(pk__gt=last).values("pk", "category_id", "is_published", "tax_class")[
                :EXPORT_CHUNK
            ]
        )
        if not chunk:
            return
        last = chunk[-1]["pk"]
        ids = [p["pk"] for p in chunk]
        texts: dict[tuple[int, str], tuple[str, str, str]] = {
            (t[0], t[1]): (t[2], t[3], t[4])
            for t in ProductTranslation.objects.filter(product_id__in=ids).values_list(
                "product_id", "language", "name", "slug", "description"
            )
        }
        attributes: dict[int, list[str]] = {}
        for product_id, attribute, value in ProductValue.objects.filter(
            product_id__in=ids
        ).values_list("product_id", "value__attribute__code", "value__code"):
            attributes.setdefault(product_id, []).append(f"{attribute}={value}")
        variants = list(
            Variant.objects.filter(product_id__in=ids)
            .order_by("product_id", "position", "pk")
            .values("pk", "product_id", "sku", "barcode", "weight_grams")
        )
        variant_ids = [v["pk"] for v in variants]
        options: dict[int, list[str]] = {}
        for variant_id, attribute, value in (
            VariantValue.objects.filter(variant_id__in=variant_ids)
            .order_by("value__attribute__position", "value__attribute__code")
            .values_list("variant_id", "value__attribute__code", "value__code")
        ):
            options.setdefault(variant_id, []).append(f"{attribute}={value}")
        prices: dict[tuple[int, int], tuple[Decimal, Decimal | None]] = {
            (p[0], p[1]): (p[2], p[3])
            for p in VariantPrice.objects.filter(
                variant_id__in=variant_ids,
                price_list__in=list(price_lists.values()),
            ).values_list("variant_id", "price_list_id", "amount", "compare_at")
        }
        by_product = {p["pk"]: p for p in chunk}
        for v in variants:
            p = by_product[v["product_id"]]
            row = [
                texts.get((p["pk"], default), ("", "", ""))[1],
                category_slugs.get(p["category_id"], ""),
                v["sku"],
                v["barcode"] or "",
                str(v["weight_grams"]),
                "yes" if p["is_published"] else "no",
                p["tax_class"],
                "|".join(options.get(v["pk"], [])),
                "|".join(sorted(attributes.get(p["pk"], []))),
                *(texts.get((p["pk"], lang), ("", "", ""))[0] for lang in languages),
                *(texts.get((p["pk"], lang), ("", "", ""))[2] for lang in languages),
            ]
            for price_list in price_lists.values():
                amount, compare_at = prices.get((v["pk"], price_list.pk), (None, None))
                row += [str(amount) if amount is not None else "", str(compare_at or "")]
            yield row


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    """Rows as CSV text, a line at a time (for a streaming response)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read UTF-8
    for row in rows:
        yield writer.writerow(row)


# --- Import ---------------------------------------------------------------------------------


@dataclass
class _Product:
    line: int
    handle: str
    category_id: int
    published: bool
    tax_class: str
    names: dict[str, str]
    descriptions: dict[str, str]
    attributes: list[tuple[str, str]]
    variants: list[VariantSpec] = field(default_factory=list)
    existing: Product | None = None


@dataclass
class ImportPlan:
    products: dict[str, _Product]
    prices: dict[str, list[PriceRow]]  # currency -> rows


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append({"line": line, "message": message})


def _read(path: Path) -> tuple[list[str], list[list[str]]] | str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows or not any(cell.strip() for cell in rows[0]):
        return _("The file is empty.")
    return [c.strip() for c in rows[0]], rows[1:]


def option_pairs(raw: str) -> list[tuple[str, str]] | None:
    pairs = []
    for part in filter(None, (p.strip() for p in raw.split("|"))):
        code, sep, value = part.partition("=")
        if not sep or not code.strip() or not value.strip():
            return None
        pairs.append((code.strip(), value.strip()))
    return pairs


def _amount(raw: str) -> Decimal | str | None:
    if not raw.strip():
        return None
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        return "bad"
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return "bad"
    return value


def catalog_csv_check(job: ImportJob) -> ImportPlan | list[dict[str, Any]]:
    """Read and check every row; the plan to write, or every problem by line."""
    problems = _Problems()
    read = _read(Path(job.file_path))
    if isinstance(read, str):
        problems.add(1, read)
        return problems.items
    header, rows = read
    price_lists = default_price_lists()
    languages = store_languages()
    default = settings.LANGUAGE_CODE
    allowed = set(catalog_columns(list(price_lists)))
    unknown = [c for c in header if c not in allowed]
    if unknown:
        problems.add(
            1,
            _("Unknown columns: %(columns)s. Known columns are those of an export.")
            % {"columns": ", ".join(unknown)},
        )
    missing = [c for c in ("product", "category", "sku", f"name_{default}") if c not in header]
    if missing:
        problems.add(1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if len(set(header)) != len(header):
        problems.add(1, _("A column appears twice."))
    if problems.items:
        return problems.items
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))

    col = {name: i for i, name in enumerate(header)}
    categories = dict(
        CategoryTranslation.objects.filter(language=default).values_list("slug", "category_id")
    )
    values = {
        (v["attribute__code"], v["code"]): v["attribute__is_variant_axis"]
        for v in AttributeValue.objects.values(
            "attribute__code", "code", "attribute__is_variant_axis"
        )
    }
    plan = ImportPlan(products={}, prices={cur: [] for cur in price_lists})
    skus: dict[str, int] = {}

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    for index, row in enumerate(rows):
        line = index + 2
        if index and index % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(checked_rows=index)
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            problems.add(line, _("This row has more cells than the header."))
            continue
        handle = slugify(cell(row, "product"), allow_unicode=True)
        sku = cell(row, "sku")
        if not handle:
            problems.add(line, _("The product column is empty."))
        if not sku or len(sku) > 64:
            problems.add(line, _("A SKU has 1 to 64 characters."))
        elif sku in skus:
            problems.add(
                line, _("SKU %(sku)s is also on line %(line)d.") % {"sku": sku, "line": skus[sku]}
            )
        else:
            skus[sku] = line
        category_id = categories.get(cell(row, "category"))
        if category_id is None:
            problems.add(
                line, _("Unknown category “%(category)s”.") % {"category": cell(row, "category")}
            )
        published_raw = cell(row, "published").lower()
        if published_raw and published_raw not in YES | NO:
            problems.add(line, _("published must be yes or no."))
        tax_class = cell(row, "tax_class") or TaxClass.STANDARD
        if tax_class not in TaxClass.values:
            problems.add(
                line,
                _("tax_class must be one of: %(choices)s.")
                % {"choices": ", ".join(TaxClass.values)},
            )
        weight_raw = cell(row, "weight_grams") or "0"
        if not weight_raw.isdigit():
            problems.add(line, _("weight_grams must be a whole number of grams."))
        options = option_pairs(cell(row, "options"))
        attributes = option_pairs(cell(row, "attributes"))
        if options is None or attributes is None:
            problems.add(line, _("Write options and attributes as code=value|code=value."))
            options, attributes = options or [], attributes or []
        for pair in options:
            if values.get(pair) is not True:
                problems.add(
                    line, _("Unknown option %(option)s.") % {"option": f"{pair[0]}={pair[1]}"}
                )
        for pair in attributes:
            if pair not in values:
                problems.add(
                    line,
                    _("Unknown attribute value %(value)s.") % {"value": f"{pair[0]}={pair[1]}"},
                )
        names = {lang: cell(row, f"name_{lang}") for lang in languages}
        if not names[default]:
            problems.add(line, _("name_%(language)s is empty.") % {"language": default})
        for currency in price_lists:
            amount = _amount(cell(row, f"price_{currency}"))
            compare_at = _amount(cell(row, f"compare_at_{currency}"))
            if amount == "bad" or compare_at == "bad":
                problems.add(
                    line,
                    _("Prices in %(currency)s must be amounts like 199.00.")
                    % {"currency": currency},
                )
            elif isinstance(compare_at, Decimal) and (
                not isinstance(amount, Decimal) or compare_at <= amount
            ):
                problems.add(
                    line,
                    _("compare_at_%(currency)s must be above price_%(currency)s.")
                    % {"currency": currency},
                )
            elif isinstance(amount, Decimal):
                plan.prices[currency].append(PriceRow(sku, amount, compare_at or None))
        if not handle or category_id is None:
            continue
        product = plan.products.get(handle)
        if product is None:
            product = plan.products[handle] = _Product(
                line=line,
                handle=handle,
                category_id=category_id,
                published=published_raw not in NO,
                tax_class=tax_class,
                names=names,
                descriptions={lang: cell(row, f"description_{lang}") for lang in languages},
                attributes=attributes,
            )
        elif product.category_id != category_id or product.names[default] != names[default]:
            problems.add(
                line,
                _(
                    "Rows of product %(product)s disagree on its name or category "
                    "(see line %(line)d)."
                )
                % {"product": handle, "line": product.line},
            )
        product.variants.append(
            VariantSpec(
                sku=sku,
                values=options,
                barcode=cell(row, "barcode") or None,
                weight_grams=int(weight_raw) if weight_raw.isdigit() else 0,
            )
        )
    ImportJob.objects.filter(pk=job.pk).update(checked_rows=len(rows))
    _check_against_store(plan, skus, problems)
    return problems.items if problems.items else plan


def _check_against_store(plan: ImportPlan, skus: dict[str, int], problems: _Problems) -> None:
    """What only the database can tell: which products exist, and whose SKUs these are."""
    default = settings.LANGUAGE_CODE
    handles = list(plan.products)
    existing: dict[str, Product] = {}
    for start in range(0, len(handles), 5000):
        for text in ProductTranslation.objects.filter(
            language=default, slug__in=handles[start : start + 5000]
        ).select_related("product"):
            existing[text.slug] = text.product
    sku_list = list(skus)
    owners: dict[str, int] = {}
    for start in range(0, len(sku_list), 5000):
        owners.update(
            Variant.objects.filter(sku__in=sku_list[start : start + 5000]).values_list(
                "sku", "product_id"
            )
        )
    for handle, product in plan.products.items():
        product.existing = existing.get(handle)
        for variant in product.variants:
            owner = owners.get(variant.sku)
            if owner is not None and (product.existing is None or owner != product.existing.pk):
                problems.add(
                    skus[variant.sku],
                    _("SKU %(sku)s belongs to another product.") % {"sku": variant.sku},
                )


def catalog_csv_apply(plan: ImportPlan, *, actor: Any) -> dict[str, int]:
    """Write a checked plan in one transaction: all of it, or (on any error) none of it."""
    default = settings.LANGUAGE_CODE
    created = [p for p in plan.products.values() if p.existing is None]
    updated = [p for p in plan.products.values() if p.existing is not None]
    price_lists = default_price_lists()
    with transaction.atomic():
        category_keys = {str(p.category_id): p.category_id for p in created}
        catalog_import(
            existing_categories=category_keys,
            products=[
                ProductSpec(
                    category_key=str(p.category_id),
                    names={k: v for k, v in p.names.items() if v},
                    descriptions={k: v for k, v in p.descriptions.items() if v},
                    variants=p.variants,
                    values=p.attributes,
                    tax_class=p.tax_class,
                    is_published=p.published,
                    slugs={default: p.handle},
                )
                for p in created
            ],
        )
        for p in updated:
            assert p.existing is not None
            # An empty cell keeps what the product has; the address in the main language is
            # the file's product column.
            product_update(
                product_id=p.existing.pk,
                changes=ProductChanges(
                    category_id=p.category_id,
                    texts={
                        lang: Texts(
                            name=p.names.get(lang) or None,
                            description=p.descriptions.get(lang) or None,
                            slug=p.handle if lang == default else None,
                        )
                        for lang in store_languages()
                    },
                    variants=p.variants,
                    tax_class=p.tax_class,
                    is_published=p.published,
                ),
                actor=actor,
            )
        prices = 0
        for currency, rows in plan.prices.items():
            if rows:
                prices += prices_import(price_list=price_lists[currency], rows=rows)
        summary = {
            "created": len(created),
            "updated": len(updated),
            "variants": sum(len(p.variants) for p in plan.products.values()),
            "prices": prices,
        }
        audit_record(actor=actor, action="catalog.csv_import", after=summary)
    return summary


def _private_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ImportFileError(Exception):
    pass


def import_job_create(*, upload: UploadedFile[bytes], actor: Any) -> ImportJob:
    """Keep the uploaded file in a private folder and queue its import."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    path = _private_dir() / f"{uuid.uuid4().hex}.csv"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    with transaction.atomic():
        job = ImportJob.objects.create(
            file_path=str(path), file_name=(upload.name or "import.csv")[:255], created_by=actor
        )
        transaction.on_commit(lambda: enqueue_safely(catalog_import_run, job.pk))
    return job


def import_job_run(job_id: int) -> ImportJob:
    """Check the job's file, then write it or say why not; never leaves it half-imported.
    A job runs once: a task delivered twice finds it claimed and does nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(
        state=ImportState.CHECKING
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        checked = catalog_csv_check(job)
        job.refresh_from_db()
        if isinstance(checked, list):
            job.state = ImportState.REFUSED
            job.problems = checked[:MAX_PROBLEMS]
            job.summary = {"problems": len(checked)}
        else:
            ImportJob.objects.filter(pk=job.pk).update(state=ImportState.WRITING)
            job.summary = catalog_csv_apply(checked, actor=job.created_by)
            job.state = ImportState.DONE
    except DomainError as error:
        # A rule a service enforces that the check could not foresee (a race with another
        # edit, say): the transaction rolled back, so nothing was written.
        found = getattr(error, "problems", None) or [error.message]
        job.state = ImportState.REFUSED
        job.problems = [{"line": 0, "message": str(problem)} for problem in found]
    except Exception:
        logger.exception("catalog import %s failed", job_id)
        job.state = ImportState.FAILED
        job.problems = [{"line": 0, "message": _("An unexpected error stopped the import.")}]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "problems", "summary", "finished_at"])
    return job


@task()
def catalog_import_run(job_id: int) -> str:
    """Run one catalog import (see import_job_run)."""
    return str(import_job_run(job_id).state)
