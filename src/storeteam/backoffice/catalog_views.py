"""The catalog workspace (S12) of the e-commerce manager and the product specialist: products
(list, search, bulk actions, edit, variants, prices), categories, sorting rules with a preview
(S4), and CSV import and export.

Views parse input, check access (declared by decorator), call services and selectors, render.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from storeteam.backoffice import catalog_csv
from storeteam.backoffice.catalog_forms import (
    CategoryForm,
    ImportForm,
    PictureTextsForm,
    PictureUploadForm,
    ProductForm,
    ProductNewForm,
    SortingRuleFormSet,
    VariantRowForm,
)
from storeteam.backoffice.models import ImportJob
from storeteam.catalog import selectors as catalog_selectors
from storeteam.catalog.category_services import category_create, category_update
from storeteam.catalog.models import (
    Category,
    CategoryTranslation,
    Product,
    ProductImage,
    ProductTranslation,
    Variant,
    VariantValue,
)
from storeteam.catalog.product_services import (
    CatalogEditError,
    ProductChanges,
    ProductDraft,
    Texts,
    product_create,
    product_update,
    products_move,
    products_set_published,
)
from storeteam.catalog.services import VariantSpec
from storeteam.core import selectors as core_selectors
from storeteam.core.access import staff_permission
from storeteam.pricing.models import VariantPrice
from storeteam.pricing.price_services import prices_set
from storeteam.pricing.selectors import default_price_lists
from storeteam.pricing.services import PriceImportError, PriceRow
from storeteam.storefront.markets import store_country, store_currency
from storeteam.storefront.models import MerchandisingAction
from storeteam.storefront.selectors import (
    PER_PAGE,
    ListingQuery,
    Merchandising,
    listing_preview,
    merchandising_of,
)
from storeteam.storefront.services import MerchandisingError, merchandising_save
from storeteam.team.roles import MANAGE_CATALOG, MANAGE_MERCHANDISING, MANAGE_PRICES

PAGE_SIZE = 50


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _category_choices(language: str) -> list[tuple[int, str]]:
    return [
        (node.category.pk, f"{'— ' * node.category.depth}{node.name}")
        for node in catalog_selectors.category_tree(language)
    ]


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@staff_permission(MANAGE_CATALOG)
def products(request: HttpRequest) -> HttpResponse:
    """Products with search and filters; select several to publish, withdraw or move them."""
    language = _language()
    filters = core_selectors.as_filters(request.GET, "q", "category", "status")
    if request.method == "POST":
        return _bulk(request)
    category_id = int(filters["category"]) if filters["category"].isdigit() else None
    found = catalog_selectors.staff_products(
        query=filters["q"], category_id=category_id, status=filters["status"]
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/catalog_products.html",
        {
            "page": page,
            "rows": catalog_selectors.staff_product_rows(list(page), language),
            "filters": filters,
            "categories": _category_choices(language),
        },
    )


def _bulk(request: HttpRequest) -> HttpResponse:
    ids = _ids(request.POST.getlist("product"))
    action = request.POST.get("action", "")
    back = request.POST.get("next") or request.path
    if not back.startswith("/staff/"):
        back = request.path
    if not ids:
        messages.error(request, _("Select at least one product."))
        return redirect(back)
    try:
        if action in {"publish", "withdraw"}:
            result = products_set_published(
                product_ids=ids,
                published=action == "publish",
                actor=request.user,
                ip_address=_ip(request),
            )
            done = (
                _("%(n)d products published.")
                if action == "publish"
                else _("%(n)d products withdrawn.")
            )
        elif action == "move":
            target = request.POST.get("target", "")
            if not target.isdigit():
                messages.error(request, _("Choose the category to move the products to."))
                return redirect(back)
            result = products_move(
                product_ids=ids,
                category_id=int(target),
                actor=request.user,
                ip_address=_ip(request),
            )
            done = _("%(n)d products moved.")
        else:
            messages.error(request, _("Choose what to do with the selected products."))
            return redirect(back)
    except CatalogEditError as error:
        for problem in error.problems:
            messages.error(request, problem.message)
    else:
        messages.success(request, done % {"n": len(result.changed)})
    return redirect(back)


def _texts_initial(translations: Any) -> dict[str, Any]:
    """The texts form's fields filled from a product's or category's translations."""
    initial: dict[str, Any] = {}
    for t in translations:
        initial.update(
            {
                f"name_{t.language}": t.name,
                f"slug_{t.language}": t.slug,
                f"description_{t.language}": t.description,
            }
        )
    return initial


def _product_initial(product: Product) -> dict[str, Any]:
    return {
        "category": product.category_id,
        "tax_class": product.tax_class,
        "is_published": product.is_published,
        **_texts_initial(ProductTranslation.objects.filter(product=product)),
    }


@staff_permission(MANAGE_CATALOG)
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    """A product's texts in every language, category, tax class, publishing, variants and
    prices (prices only for those who may set them), and its pictures."""
    product = get_object_or_404(Product, pk=product_id)
    return product_page(request, product, data=request.POST if request.method == "POST" else None)


def product_page(
    request: HttpRequest,
    product: Product,
    *,
    data: Any = None,
    upload_form: PictureUploadForm | None = None,
    picture_form: tuple[int, PictureTextsForm] | None = None,
) -> HttpResponse:
    """The product's page; ``data`` is the product form as posted, to save. The picture views
    (catalog_image_views) show it again with their form and its errors: ``upload_form``, or
    ``picture_form`` for one picture (its id and form)."""
    language = _language()
    categories = _category_choices(language)
    can_price = request.user.has_perm(MANAGE_PRICES)
    price_lists = default_price_lists()
    variants = list(Variant.objects.filter(product=product).order_by("position", "pk"))
    form = ProductForm(
        data,
        initial=_product_initial(product),
        categories=categories,
        prefix="p",
    )
    variant_forms = [
        VariantRowForm(
            data,
            initial={"sku": v.sku, "barcode": v.barcode or "", "weight_grams": v.weight_grams},
            prefix=f"v{v.pk}",
        )
        for v in variants
    ]
    new_variant = VariantRowForm(data, prefix="new")
    prices = {
        (p.variant_id, p.price_list_id): p
        for p in VariantPrice.objects.filter(
            variant__in=variants, price_list__in=price_lists.values()
        )
    }
    options: dict[int, list[tuple[str, str]]] = {}
    for variant_id, attribute, value in VariantValue.objects.filter(
        variant__in=variants
    ).values_list("variant_id", "value__attribute__code", "value__code"):
        options.setdefault(variant_id, []).append((attribute, value))
    problems: list[str] = []
    if data is not None:
        valid = form.is_valid() and all(f.is_valid() for f in [*variant_forms, new_variant])
        if valid:
            specs = [
                VariantSpec(
                    sku=v.sku,
                    values=options.get(v.pk, []),  # kept: this page adds options, never edits
                    barcode=f.cleaned_data.get("barcode") or None,
                    weight_grams=f.cleaned_data.get("weight_grams") or 0,
                )
                for v, f in zip(variants, variant_forms, strict=True)
            ]
            problems = _save_product(
                request, product, form, variants, specs, new_variant, price_lists
            )
            if not problems and not form.errors:
                messages.success(request, _("The product was saved."))
                return redirect("backoffice:catalog_product", product_id=product.pk)
    rows = []
    for variant, vform in zip(variants, variant_forms, strict=True):
        cells = []
        for currency, price_list in price_lists.items():
            price = prices.get((variant.pk, price_list.pk))
            name = f"price_{variant.pk}_{currency}"
            cells.append(
                {
                    "currency": currency,
                    "name": name,
                    "amount": data.get(name)
                    if data is not None
                    else (price.amount if price else ""),
                    "compare_name": f"compare_{variant.pk}_{currency}",
                    "compare_at": data.get(f"compare_{variant.pk}_{currency}")
                    if data is not None
                    else (price.compare_at if price and price.compare_at else ""),
                }
            )
        rows.append(
            {
                "variant": variant,
                "form": vform,
                "options": "|".join(f"{a}={v}" for a, v in options.get(variant.pk, [])),
                "prices": cells,
            }
        )
    history = core_selectors.audit_entries().filter(
        target_type=Product._meta.label, target_id=str(product.pk)
    )[:20]
    product_name = (
        ProductTranslation.objects.filter(product=product, language=language)
        .values_list("name", flat=True)
        .first()
    )
    return render(
        request,
        "backoffice/catalog_product.html",
        {
            "product": product,
            "name": product_name or str(product),
            "form": form,
            "rows": rows,
            "new_variant": new_variant,
            "can_price": can_price,
            "problems": problems,
            "history": history,
            "store_slug": ProductTranslation.objects.filter(product=product, language=language)
            .values_list("slug", flat=True)
            .first(),
            "pictures": _pictures(product, language, picture_form),
            "upload_form": upload_form or PictureUploadForm(),
        },
        status=400 if (problems or form.errors or upload_form or picture_form) else 200,
    )


THUMBNAIL_WIDTH = 120


def _pictures(
    product: Product, language: str, bound: tuple[int, PictureTextsForm] | None
) -> list[dict[str, Any]]:
    """Each picture of the product in its order, with a thumbnail and its texts' form."""
    images = list(ProductImage.objects.filter(product=product).order_by("position", "id"))
    pictures = []
    for n, image in enumerate(images, start=1):
        form = (
            bound[1]
            if bound and bound[0] == image.pk
            else PictureTextsForm(
                initial={f"alt_{code}": text for code, text in (image.alt or {}).items()},
                prefix=f"img{image.pk}",
            )
        )
        pictures.append(
            {
                "image": image,
                "number": n,
                "form": form,
                "thumbnail": image.src(THUMBNAIL_WIDTH * 2),  # sharp on 2x screens
                "width": THUMBNAIL_WIDTH,
                "height": round(THUMBNAIL_WIDTH * image.height / image.width)
                if image.width
                else THUMBNAIL_WIDTH,
                "alt": image.alt_in(language),
                "is_first": n == 1,
                "is_last": n == len(images),
            }
        )
    return pictures


def _save_product(
    request: HttpRequest,
    product: Product,
    form: ProductForm,
    variants: list[Variant],
    specs: list[VariantSpec],
    new_variant: VariantRowForm,
    price_lists: dict[str, Any],
) -> list[str]:
    """Save the product, its variants and (for those who may set them) its prices together; any
    problem saves nothing. Returns the problems no field of the form shows."""
    new_sku = new_variant.cleaned_data.get("sku")
    if new_sku:
        pairs = catalog_csv.option_pairs(new_variant.cleaned_data.get("options") or "")
        if pairs is None:
            return [_("Write options and attributes as code=value|code=value.")]
        specs = [
            *specs,
            VariantSpec(
                sku=new_sku,
                values=pairs,
                barcode=new_variant.cleaned_data.get("barcode") or None,
                weight_grams=new_variant.cleaned_data.get("weight_grams") or 0,
            ),
        ]
    price_rows: dict[str, list[PriceRow]] = {}
    if request.user.has_perm(MANAGE_PRICES):
        for variant in variants:
            for currency in price_lists:
                amount = request.POST.get(f"price_{variant.pk}_{currency}", "").strip()
                compare_at = request.POST.get(f"compare_{variant.pk}_{currency}", "").strip()
                if amount:
                    price_rows.setdefault(currency, []).append(
                        PriceRow(
                            variant.sku,
                            amount.replace(",", "."),
                            compare_at.replace(",", ".") or None,
                        )
                    )
    try:
        with transaction.atomic():
            product_update(
                product_id=product.pk,
                changes=ProductChanges(
                    category_id=form.cleaned_data["category"],
                    texts=form.texts(),
                    variants=specs,
                    tax_class=form.cleaned_data["tax_class"],
                    is_published=form.cleaned_data["is_published"],
                ),
                actor=request.user,
                ip_address=_ip(request),
            )
            for currency, rows in price_rows.items():
                prices_set(
                    price_list_code=price_lists[currency].code,
                    rows=rows,
                    actor=request.user,
                    ip_address=_ip(request),
                )
    except CatalogEditError as error:
        return form.add_problems(error.problems)
    except PriceImportError as error:
        return error.problems
    return []


@staff_permission(MANAGE_CATALOG)
def product_new(request: HttpRequest) -> HttpResponse:
    """A simple product with one variant; variants and translations are added on its page."""
    language = _language()
    price_lists = default_price_lists()
    form = ProductNewForm(
        request.POST or None, categories=_category_choices(language), currencies=list(price_lists)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                product = product_create(
                    draft=ProductDraft(
                        category_id=data["category"],
                        texts={settings.LANGUAGE_CODE: Texts(name=data["name"])},
                        variants=[VariantSpec(sku=data["sku"])],
                        is_published=False,
                    ),
                    actor=request.user,
                    ip_address=_ip(request),
                )
                for currency, price_list in price_lists.items():
                    amount = data.get(f"price_{currency}")
                    if amount is not None and request.user.has_perm(MANAGE_PRICES):
                        prices_set(
                            price_list_code=price_list.code,
                            rows=[PriceRow(data["sku"], amount)],
                            actor=request.user,
                            ip_address=_ip(request),
                        )
        except CatalogEditError as error:
            for problem in error.problems:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, problem.message)
        except PriceImportError as error:
            for message in error.problems:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("The product was created, not yet published: add its texts and publish it."),
            )
            return redirect("backoffice:catalog_product", product_id=product.pk)
    return render(
        request,
        "backoffice/catalog_product_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@staff_permission(MANAGE_CATALOG)
def categories(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/catalog_categories.html",
        {
            "nodes": catalog_selectors.category_tree(_language()),
            "can_sort": request.user.has_perm(MANAGE_MERCHANDISING),
        },
    )


def _category_initial(category: Category) -> dict[str, Any]:
    return {
        "is_published": category.is_published,
        **_texts_initial(CategoryTranslation.objects.filter(category=category)),
    }


@staff_permission(MANAGE_CATALOG)
def category_edit(request: HttpRequest, category_id: int | None = None) -> HttpResponse:
    """Create a category (under ?parent=) or change one's texts and publishing."""
    category = get_object_or_404(Category, pk=category_id) if category_id else None
    parent_id = request.GET.get("parent", "")
    parent = Category.objects.filter(pk=int(parent_id)).first() if parent_id.isdigit() else None
    form = CategoryForm(
        request.POST or None,
        initial=_category_initial(category) if category else {"is_published": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            if category is None:
                saved = category_create(
                    texts=form.texts(),
                    parent_id=parent.pk if parent else None,
                    is_published=form.cleaned_data["is_published"],
                    actor=request.user,
                    ip_address=_ip(request),
                )
            else:
                saved = category_update(
                    category_id=category.pk,
                    texts=form.texts(),
                    is_published=form.cleaned_data["is_published"],
                    actor=request.user,
                    ip_address=_ip(request),
                )
        except CatalogEditError as error:
            for message in form.add_problems(error.problems):
                form.add_error(None, message)
        else:
            messages.success(request, _("The category was saved."))
            return redirect("backoffice:catalog_category", category_id=saved.pk)
    language = _language()
    return render(
        request,
        "backoffice/catalog_category.html",
        {
            "category": category,
            "parent": parent,
            "name": CategoryTranslation.objects.filter(category=category, language=language)
            .values_list("name", flat=True)
            .first()
            if category
            else "",
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@staff_permission(MANAGE_MERCHANDISING)
def category_sorting(request: HttpRequest, category_id: int) -> HttpResponse:
    """A category's sorting rules (S4), previewed before they are saved."""
    category = get_object_or_404(Category, pk=category_id)
    language = _language()
    saved = merchandising_of(category.pk)
    initial = _rule_rows(saved)
    formset = SortingRuleFormSet(request.POST or None, initial=initial, prefix="rule")
    out_of_stock_last = (
        request.POST.get("out_of_stock_last") == "1"
        if request.method == "POST"
        else saved.out_of_stock_last
    )
    problems: list[str] = []
    draft = saved
    if request.method == "POST":
        if formset.is_valid():
            draft, problems = _draft(formset, out_of_stock_last)
            if not problems and request.POST.get("do") == "save":
                try:
                    merchandising_save(
                        category=category,
                        merchandising=draft,
                        actor=request.user,
                        ip_address=_ip(request),
                    )
                except MerchandisingError as error:
                    problems = error.problems
                else:
                    messages.success(
                        request, _("The sorting rules were saved; the store shows them now.")
                    )
                    return redirect("backoffice:catalog_sorting", category_id=category.pk)
            if not problems:
                # Show the rules again unbound, with three fresh empty rows to add more.
                formset = SortingRuleFormSet(initial=_rule_rows(draft), prefix="rule")
        else:
            problems = [_("Correct the rules marked below.")]
    preview = listing_preview(
        ListingQuery(
            category_path=category.path,
            currency=store_currency(language),
            country=store_country(language),
            language=language,
            category_id=category.pk,
        ),
        draft,
    )
    pinned = {p for p, _n in draft.pins}
    marks = {
        card.product_id: (
            _("pinned")
            if card.product_id in pinned
            else _("boosted")
            if card.product_id in draft.boosts
            else _("buried")
            if card.product_id in draft.buries
            else ""
        )
        for card in preview.cards
    }
    return render(
        request,
        "backoffice/catalog_sorting.html",
        {
            "category": category,
            "name": CategoryTranslation.objects.filter(category=category, language=language)
            .values_list("name", flat=True)
            .first(),
            "formset": formset,
            "out_of_stock_last": out_of_stock_last,
            "problems": problems,
            "preview": preview,
            "marks": marks,
            "is_preview": request.method == "POST",
            "per_page": PER_PAGE,
        },
        status=400 if problems else 200,
    )


def _rule_rows(merchandising: Merchandising) -> list[dict[str, Any]]:
    pins = [p for p, _n in merchandising.pins]
    skus = _skus_of(pins + sorted(merchandising.boosts) + sorted(merchandising.buries))
    return (
        [
            {"sku": skus.get(p, ""), "action": MerchandisingAction.PIN, "position": n}
            for p, n in merchandising.pins
        ]
        + [
            {"sku": skus.get(p, ""), "action": MerchandisingAction.BOOST}
            for p in sorted(merchandising.boosts)
        ]
        + [
            {"sku": skus.get(p, ""), "action": MerchandisingAction.BURY}
            for p in sorted(merchandising.buries)
        ]
    )


def _skus_of(product_ids: list[int]) -> dict[int, str]:
    skus: dict[int, str] = {}
    for product_id, sku in (
        Variant.objects.filter(product_id__in=product_ids)
        .order_by("product_id", "position", "pk")
        .values_list("product_id", "sku")
    ):
        skus.setdefault(product_id, sku)
    return skus


def _draft(formset: Any, out_of_stock_last: bool) -> tuple[Merchandising, list[str]]:
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("sku")]
    owners = dict(
        Variant.objects.filter(sku__in=[r["sku"] for r in rows]).values_list("sku", "product_id")
    )
    problems = [
        _("No product has the SKU %(sku)s.") % {"sku": r["sku"]}
        for r in rows
        if r["sku"] not in owners
    ]
    pins = tuple(
        sorted(
            (
                (owners[r["sku"]], r["position"])
                for r in rows
                if r["sku"] in owners and r["action"] == MerchandisingAction.PIN
            ),
            key=lambda pin: pin[1],
        )
    )
    boosts = frozenset(
        owners[r["sku"]]
        for r in rows
        if r["sku"] in owners and r["action"] == MerchandisingAction.BOOST
    )
    buries = frozenset(
        owners[r["sku"]]
        for r in rows
        if r["sku"] in owners and r["action"] == MerchandisingAction.BURY
    )
    return Merchandising(
        pins=pins, boosts=boosts, buries=buries, out_of_stock_last=out_of_stock_last
    ), problems


@staff_permission(MANAGE_CATALOG)
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a CSV file; it is checked and imported in the background (see catalog_csv)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = catalog_csv.import_job_create(
                upload=form.cleaned_data["file"], actor=request.user
            )
        except catalog_csv.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("backoffice:catalog_import_job", job_id=job.pk)
    return render(
        request,
        "backoffice/catalog_import.html",
        {
            "form": form,
            "jobs": ImportJob.objects.filter(kind="catalog").select_related("created_by")[:20],
            "columns": catalog_csv.catalog_columns(list(default_price_lists())),
        },
        status=400 if form.errors else 200,
    )


@staff_permission(MANAGE_CATALOG)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An import's progress (the page refreshes itself until it is finished) and its result."""
    job = get_object_or_404(ImportJob, pk=job_id, kind="catalog")
    return render(request, "backoffice/catalog_import_job.html", {"job": job})


@staff_permission(MANAGE_CATALOG)
def export(request: HttpRequest) -> StreamingHttpResponse:
    """Every product (or those selected with ?product=) as CSV, one row per variant."""
    ids = _ids(request.GET.getlist("product")) or None
    response = StreamingHttpResponse(
        catalog_csv.csv_lines(catalog_csv.catalog_export(ids)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.csv"'
    return response
