"""The catalog workspace (S12): search, bulk actions, editing a product with its variants and
prices, categories, sorting rules with a preview, and CSV export and import that checks every
row and imports all or nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from storeteam.backoffice.catalog_csv import import_job_create, import_job_run
from storeteam.backoffice.models import ImportJob, ImportState
from storeteam.catalog.models import Category, Product, ProductTranslation, Variant, VariantValue
from storeteam.core.models import AuditEntry, OutboxEvent
from storeteam.pricing.models import VariantPrice
from storeteam.storefront.models import ListingEntry
from tests.catalog.fixtures import build_small_catalog
from tests.factories import StaffFactory


@pytest.fixture
def catalog(db: Any, deliver_events: Any) -> dict[str, Any]:
    return build_small_catalog(deliver_events)


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def product_named(name: str) -> Product:
    return Product.objects.get(translations__language="en", translations__name=name)


def test_search_by_name_and_sku_and_filter_by_category(catalog: Any) -> None:
    client = signed_in("product_specialist")
    page = client.get("/staff/catalog/", {"q": "jacket"}).content.decode()
    assert "Wool Jacket" in page
    assert "Rain Jacket" in page
    assert "Linen Shirt" not in page
    page = client.get("/staff/catalog/", {"q": "LINEN-SHIRT"}).content.decode()
    assert "Linen Shirt" in page
    assert "Wool Jacket" not in page
    shirts = Category.objects.get(translations__slug="shirts").pk
    page = client.get("/staff/catalog/", {"category": shirts}).content.decode()
    assert "Field Shirt" in page
    assert "Wool Jacket" not in page


def test_bulk_withdraw_takes_products_out_of_the_store_and_publish_brings_them_back(
    catalog: Any, deliver_events: Any
) -> None:
    client = signed_in("ecommerce_manager")
    ids = [product_named("Wool Jacket").pk, product_named("Rain Jacket").pk]
    response = client.post(
        "/staff/catalog/", {"product": ids, "action": "withdraw", "next": "/staff/catalog/"}
    )
    assert response.status_code == 302
    deliver_events()
    assert not ListingEntry.objects.filter(product_id__in=ids).exists()
    # the same audit entries as the staff API's: one per product, with its state before and after
    assert sorted(AuditEntry.objects.values_list("action", "target_id", "before", "after")) == [
        ("product.unpublish", str(pk), {"is_published": True}, {"is_published": False})
        for pk in sorted(ids)
    ]
    client.post("/staff/catalog/", {"product": ids, "action": "publish"})
    deliver_events()
    assert ListingEntry.objects.filter(product_id__in=ids, currency="SEK").count() == 2
    assert AuditEntry.objects.filter(action="product.publish").count() == 2


def test_bulk_move_needs_a_category(catalog: Any) -> None:
    client = signed_in("ecommerce_manager")
    product = product_named("Wool Jacket")
    response = client.post(
        "/staff/catalog/", {"product": [product.pk], "action": "move"}, follow=True
    )
    assert "Choose the category" in response.content.decode()
    shirts = Category.objects.get(translations__slug="shirts")
    jackets = product.category_id
    client.post("/staff/catalog/", {"product": [product.pk], "action": "move", "target": shirts.pk})
    product.refresh_from_db()
    assert product.category_id == shirts.pk
    entry = AuditEntry.objects.get(action="product.move")
    assert (entry.target_id, entry.before, entry.after) == (
        str(product.pk),
        {"category_id": jackets},
        {"category_id": shirts.pk},
    )


def edit_form(client: Client, product: Product) -> dict[str, Any]:
    """The product page's form as a browser would post it back unchanged."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(
        client.get(f"/staff/catalog/products/{product.pk}/").content, "html.parser"
    )
    data: dict[str, Any] = {}
    form = soup.find("form", attrs={"method": "post", "novalidate": True})
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.has_attr("disabled"):
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            data[name] = chosen.get("value", "")
        elif field.name == "textarea":
            data[name] = field.text
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        else:
            data[name] = field.get("value", "")
    return data


def test_edit_texts_variants_and_prices_reach_the_store(catalog: Any, deliver_events: Any) -> None:
    client = signed_in("ecommerce_manager")
    product = product_named("Linen Shirt")
    variant = product.variants.get()
    data = edit_form(client, product)
    data["p-name_sv"] = "Linneskjorta Deluxe"
    data["p-slug_sv"] = ""
    data[f"price_{variant.pk}_SEK"] = "499.00"
    data[f"compare_{variant.pk}_SEK"] = "599.00"
    data["new-sku"] = "LINEN-SHIRT-M"
    data["new-options"] = "colour=red|size=m"
    response = client.post(f"/staff/catalog/products/{product.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    deliver_events()
    sv = ProductTranslation.objects.get(product=product, language="sv")
    assert (sv.name, sv.slug) == ("Linneskjorta Deluxe", "linneskjorta-deluxe")
    assert VariantPrice.objects.get(variant=variant, price_list__currency="SEK").amount == 499
    assert set(product.variants.values_list("sku", flat=True)) == {"LINEN-SHIRT-S", "LINEN-SHIRT-M"}
    entry = ListingEntry.objects.get(product=product, currency="SEK")
    assert (entry.price, entry.compare_at) == (499, 599)
    page = Client().get("/sv/p/linneskjorta-deluxe/")
    assert page.status_code == 200
    assert "Linneskjorta Deluxe" in page.content.decode()
    # the existing variant keeps its options; the new one has those typed
    assert sorted(
        VariantValue.objects.filter(variant__product=product).values_list(
            "variant__sku", "value__attribute__code", "value__code"
        )
    ) == [
        ("LINEN-SHIRT-M", "colour", "red"),
        ("LINEN-SHIRT-M", "size", "m"),
        ("LINEN-SHIRT-S", "colour", "red"),
        ("LINEN-SHIRT-S", "size", "s"),
    ]
    # audited as the staff API audits it: the product's state before and after, and the prices
    update = AuditEntry.objects.get(action="product.update", target_id=str(product.pk))
    assert update.before["texts"]["sv"]["name"] == "Linneskjorta"
    assert update.after["texts"]["sv"] == {
        "name": "Linneskjorta Deluxe",
        "slug": "linneskjorta-deluxe",
        "description": "The linen shirt.",
    }
    assert [v["sku"] for v in update.after["variants"]] == ["LINEN-SHIRT-S", "LINEN-SHIRT-M"]
    sek = AuditEntry.objects.get(action="prices.set", target_id=str(catalog["sek"].pk))
    assert sek.after == {
        "prices": [{"sku": "LINEN-SHIRT-S", "amount": "499.00", "compare_at": "599.00"}]
    }


def test_saving_an_unchanged_product_writes_no_audit_entry_and_no_event(catalog: Any) -> None:
    client = signed_in("product_specialist")
    product = product_named("Wool Jacket")
    events_before = OutboxEvent.objects.count()
    response = client.post(f"/staff/catalog/products/{product.pk}/", edit_form(client, product))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action__startswith="product.").exists()
    assert OutboxEvent.objects.count() == events_before
    assert sorted(
        VariantValue.objects.filter(variant__product=product).values_list(
            "variant__sku", "value__code"
        )
    ) == [
        ("WOOL-JACKET-M", "m"),
        ("WOOL-JACKET-M", "red"),
        ("WOOL-JACKET-S", "red"),
        ("WOOL-JACKET-S", "s"),
    ]


def test_a_taken_address_is_refused_and_nothing_is_saved(catalog: Any) -> None:
    client = signed_in("ecommerce_manager")
    product = product_named("Linen Shirt")
    variant = product.variants.get()
    data = edit_form(client, product)
    data["p-slug_en"] = "wool-jacket"  # the other product's address
    data[f"price_{variant.pk}_SEK"] = "1.00"
    response = client.post(f"/staff/catalog/products/{product.pk}/", data)
    assert response.status_code == 400
    assert "the en slug wool-jacket is already used" in response.content.decode()
    assert ProductTranslation.objects.get(product=product, language="en").slug == "linen-shirt"
    assert VariantPrice.objects.get(variant=variant, price_list__currency="SEK").amount == 450


def test_a_product_specialist_edits_texts_but_not_prices(catalog: Any) -> None:
    client = signed_in("product_specialist")
    product = product_named("Linen Shirt")
    variant = product.variants.get()
    data = edit_form(client, product)
    assert f"price_{variant.pk}_SEK" not in data  # shown, disabled
    data["p-name_fr"] = "Chemise en lin"
    data[f"price_{variant.pk}_SEK"] = "1.00"  # posted anyway
    assert client.post(f"/staff/catalog/products/{product.pk}/", data).status_code == 302
    assert ProductTranslation.objects.get(product=product, language="fr").name == "Chemise en lin"
    assert VariantPrice.objects.get(variant=variant, price_list__currency="SEK").amount == 450
    assert (
        client.get(f"/staff/catalog/categories/{product.category_id}/sorting/").status_code == 403
    )


def test_new_product_starts_withdrawn(catalog: Any, deliver_events: Any) -> None:
    client = signed_in("ecommerce_manager")
    shirts = Category.objects.get(translations__slug="shirts")
    response = client.post(
        "/staff/catalog/products/new/",
        {"name": "Oxford Shirt", "category": shirts.pk, "sku": "OXFORD-1", "price_SEK": "550"},
    )
    assert response.status_code == 302
    product = Variant.objects.get(sku="OXFORD-1").product
    assert not product.is_published
    assert (
        VariantPrice.objects.get(variant__sku="OXFORD-1", price_list__currency="SEK").amount == 550
    )
    assert AuditEntry.objects.get(action="product.create").target_id == str(product.pk)
    assert AuditEntry.objects.get(action="prices.set").after["prices"] == [
        {"sku": "OXFORD-1", "amount": "550", "compare_at": None}
    ]
    again = client.post(
        "/staff/catalog/products/new/",
        {"name": "Oxford Shirt 2", "category": shirts.pk, "sku": "OXFORD-1"},
    )
    assert again.status_code == 400
    assert "SKU OXFORD-1 already belongs to another product" in again.content.decode()


def test_category_create_and_rename(catalog: Any) -> None:
    client = signed_in("product_specialist")
    clothing = Category.objects.get(translations__slug="clothing")
    response = client.post(
        f"/staff/catalog/categories/new/?parent={clothing.pk}",
        {"name_en": "Knitwear", "name_sv": "Stickat", "is_published": "on"},
    )
    assert response.status_code == 302
    knitwear = Category.objects.get(translations__slug="knitwear", translations__language="en")
    assert knitwear.parent_id == clothing.pk
    assert knitwear.path.startswith(clothing.path)
    assert Client().get("/sv/c/stickat/").status_code == 200
    created = AuditEntry.objects.get(action="category.create")
    assert created.target_id == str(knitwear.pk)
    assert created.after["texts"]["fr"]["name"] == "Knitwear"  # empty languages take English
    clash = client.post(
        f"/staff/catalog/categories/{knitwear.pk}/", {"name_en": "Shirts", "is_published": "on"}
    )
    assert clash.status_code == 400
    assert "the en slug shirts is already used" in clash.content.decode()
    renamed = client.post(
        f"/staff/catalog/categories/{knitwear.pk}/",
        {"name_en": "Knitwear", "name_sv": "Stickat", "name_fr": "Tricots", "is_published": "on"},
    )
    assert renamed.status_code == 302
    update = AuditEntry.objects.get(action="category.update")
    assert update.before["texts"]["fr"]["name"] == "Knitwear"
    assert update.after["texts"]["fr"] == {"name": "Tricots", "slug": "tricots", "description": ""}


def test_sorting_rules_preview_then_save(catalog: Any) -> None:
    client = signed_in("ecommerce_manager")
    clothing = Category.objects.get(translations__slug="clothing")
    url = f"/staff/catalog/categories/{clothing.pk}/sorting/"
    form = {
        "rule-TOTAL_FORMS": "3",
        "rule-INITIAL_FORMS": "0",
        "rule-0-sku": "LINEN-SHIRT-S",
        "rule-0-action": "pin",
        "rule-0-position": "1",
        "rule-1-sku": "",
        "rule-1-action": "pin",
        "rule-2-sku": "",
        "rule-2-action": "pin",
    }
    preview = client.post(url, {**form, "do": "preview"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert body.index("Linen Shirt") < body.index("Field Shirt")
    assert 'name="rule-TOTAL_FORMS" value="4"' in body  # the rule, and three empty rows
    assert not AuditEntry.objects.filter(action="storefront.merchandising_save").exists()
    assert client.post(url, {**form, "do": "save"}).status_code == 302
    page = Client().get("/c/clothing/").content.decode()
    assert page.index("Linen Shirt") < page.index("Rain Jacket")
    unknown = client.post(url, {**form, "rule-0-sku": "NOPE", "do": "save"})
    assert unknown.status_code == 400
    assert "No product has the SKU NOPE" in unknown.content.decode()


# --- CSV -----------------------------------------------------------------------------------


def export_rows(client: Client) -> list[list[str]]:
    response = client.get("/staff/catalog/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def to_csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode()


def run_import(content: bytes, actor: Any, name: str = "catalog.csv") -> ImportJob:
    job = import_job_create(upload=SimpleUploadedFile(name, content), actor=actor)
    return import_job_run(job.pk)


def test_export_then_import_unchanged_changes_nothing_but_is_accepted(catalog: Any) -> None:
    client = signed_in("ecommerce_manager")
    rows = export_rows(client)
    header = rows[0]
    assert header[:3] == ["product", "category", "sku"]
    assert "price_SEK" in header
    assert len(rows) == 1 + Variant.objects.count()
    wool = next(r for r in rows if r[2] == "WOOL-JACKET-S")
    assert wool[header.index("options")] == "colour=red|size=s"
    assert wool[header.index("price_SEK")] == "1200.00"
    assert wool[header.index("compare_at_SEK")] == "1500.00"
    job = run_import(to_csv(rows), StaffFactory(role="ecommerce_manager"))
    assert job.state == ImportState.DONE, job.problems
    assert job.summary["created"] == 0
    assert job.summary["updated"] == 4
    assert export_rows(client) == rows
    assert not AuditEntry.objects.filter(action="product.update").exists()  # nothing changed


def test_import_creates_and_updates_with_semicolons(catalog: Any, deliver_events: Any) -> None:
    client = signed_in("ecommerce_manager")
    rows = export_rows(client)
    header = rows[0]
    col = header.index
    for row in rows[1:]:
        if row[col("sku")] == "RAIN-JACKET-M":
            row[col("price_SEK")] = "850.00"
    new = [""] * len(header)
    new[col("product")] = "storm-coat"
    new[col("category")] = "jackets"
    new[col("sku")] = "STORM-COAT-L"
    new[col("options")] = "colour=blue|size=l"
    new[col("name_en")] = "Storm Coat"
    new[col("name_sv")] = "Stormrock"
    new[col("price_SEK")] = "1990.00"
    new[col("published")] = "yes"
    job = run_import(to_csv([*rows, new], delimiter=";"), StaffFactory(role="ecommerce_manager"))
    assert job.state == ImportState.DONE, job.problems
    assert job.summary["created"] == 1
    deliver_events()
    assert (
        VariantPrice.objects.get(variant__sku="RAIN-JACKET-M", price_list__currency="SEK").amount
        == 850
    )
    coat = Variant.objects.get(sku="STORM-COAT-L").product
    assert ProductTranslation.objects.get(product=coat, language="en").slug == "storm-coat"
    assert ListingEntry.objects.get(product=coat, currency="SEK").price == 1990
    assert Client().get("/sv/p/stormrock/").status_code == 200


def test_a_file_with_bad_rows_imports_nothing_and_names_each_line(catalog: Any) -> None:
    client = signed_in("ecommerce_manager")
    rows = export_rows(client)
    header = rows[0]
    col = header.index
    before_products = Product.objects.count()
    before_prices = sorted(VariantPrice.objects.values_list("variant_id", "amount"))
    rows[1][col("price_SEK")] = "12.345"  # line 2: three decimals
    rows[2][col("category")] = "no-such-category"  # line 3
    rows[3][col("options")] = "colour=purple"  # line 4: unknown value
    dup = list(rows[4])  # after the exported rows, repeats line 5's SKU
    good_new = [""] * len(header)
    good_new[col("product")] = "new-thing"
    good_new[col("category")] = "shirts"
    good_new[col("sku")] = "NEW-THING"
    good_new[col("name_en")] = "New Thing"
    job = run_import(to_csv([*rows, dup, good_new]), StaffFactory(role="ecommerce_manager"))
    assert job.state == ImportState.REFUSED
    lines = {p["line"]: p["message"] for p in job.problems}
    assert "amounts like" in lines[2]
    assert "Unknown category" in lines[3]
    assert "Unknown option colour=purple" in lines[4]
    assert "also on line 5" in lines[len(rows) + 1]
    assert Product.objects.count() == before_products
    assert sorted(VariantPrice.objects.values_list("variant_id", "amount")) == before_prices


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"", "empty"),
        (b"product,colour\n", "Unknown columns: colour"),
        (b"product,sku\n", "Missing columns: category, name_en"),
    ],
)
def test_a_file_that_is_not_a_catalog_is_refused_on_line_one(
    catalog: Any, content: bytes, problem: str
) -> None:
    job = run_import(content, StaffFactory(role="ecommerce_manager"))
    assert job.state == ImportState.REFUSED
    assert job.problems[0]["line"] == 1
    assert problem in job.problems[0]["message"]


@pytest.mark.django_db(transaction=True)
def test_upload_page_runs_the_import_in_the_background_and_shows_progress(
    catalog: Any, drain_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in("ecommerce_manager")
    rows = export_rows(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/catalog/import/",
            {"file": SimpleUploadedFile("catalog.csv", to_csv(rows), "text/csv")},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    waiting = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting
    assert "<progress" in waiting
    drain_tasks()
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    done = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done
    assert "Products updated" in done
    assert import_job_run(job.pk).state == ImportState.DONE  # a second delivery does nothing
    not_csv = client.post(
        "/staff/catalog/import/", {"file": SimpleUploadedFile("photo.png", b"x", "image/png")}
    )
    assert not_csv.status_code == 400
