"""The catalog's and pricing's staff API: who may write (401, 403, 200), CSRF, validation that
writes nothing and lists every problem, the audit log, and the effect reaching the storefront's
API through the events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from storeteam.catalog.models import Category, Product, ProductTranslation, Variant
from storeteam.core.models import AuditEntry, OutboxEvent
from tests.catalog.fixtures import build_small_catalog
from tests.factories import StaffFactory

API = "/api/v1"


@pytest.fixture
def catalog(db: Any, deliver_events: Any) -> dict[str, Any]:
    return build_small_catalog(deliver_events)


def staff_client(role: str) -> Client:
    client = Client()
    client.force_login(StaffFactory(role=role))
    return client


def send(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(
        API + url, data=json.dumps(body), content_type="application/json"
    )


NEW_PRODUCT = {
    "category_id": 0,  # set per test
    "texts": {
        "en": {"name": "Storm Jacket", "description": "Keeps the rain out."},
        "sv": {"name": "Stormjacka", "slug": "stormjacka-bla"},
    },
    "attributes": [{"attribute": "material", "value": "cotton"}],
    "variants": [
        {"sku": "STORM-S", "values": [{"attribute": "colour", "value": "blue"}]},
        {"sku": "STORM-M", "barcode": "7350000000017", "weight_grams": 900},
    ],
    "is_published": True,
}


def new_product(catalog: dict[str, Any]) -> dict[str, Any]:
    return {**NEW_PRODUCT, "category_id": catalog["categories"]["jackets"]}


@pytest.mark.parametrize(
    ("method", "url", "role"),
    [
        ("post", "/catalog/products", "product_specialist"),
        ("patch", "/catalog/products/{product}", "product_specialist"),
        ("post", "/catalog/products/publish", "ecommerce_manager"),
        ("post", "/catalog/categories", "product_specialist"),
        ("patch", "/catalog/categories/{category}", "ecommerce_manager"),
        ("put", "/pricing/prices", "ecommerce_manager"),
    ],
)
def test_writes_are_for_the_roles_that_hold_the_permission(
    catalog: Any, method: str, url: str, role: str
) -> None:
    url = url.format(product=catalog["products"][0], category=catalog["categories"]["jackets"])
    audit_before = AuditEntry.objects.count()
    events_before = OutboxEvent.objects.count()
    # anonymous: 401; a role without the permission: 403, whatever the body says
    assert send(Client(), method, url, {}).status_code == 401
    assert send(staff_client("marketing_manager"), method, url, {}).status_code == 403
    if url.startswith("/pricing"):
        assert send(staff_client("product_specialist"), method, url, {}).status_code == 403
    customer = Client()
    from tests.factories import CustomerFactory

    customer.force_login(CustomerFactory())
    assert send(customer, method, url, {}).status_code == 403
    assert AuditEntry.objects.count() == audit_before
    assert OutboxEvent.objects.count() == events_before
    # the right role gets past the door: an empty change is no change, else a 422
    assert send(staff_client(role), method, url, {}).status_code == (
        200 if method == "patch" else 422
    )


def test_csrf_is_enforced_for_session_writes(catalog: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory(role="ecommerce_manager"))
    body = {"product_ids": catalog["products"], "published": False}
    refused = send(client, "post", "/catalog/products/publish", body)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert Product.objects.filter(is_published=False).count() == 0
    client.get("/staff/")  # the back office sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    allowed = client.post(
        API + "/catalog/products/publish",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert allowed.status_code == 200
    assert Product.objects.filter(is_published=False).count() == 4


def test_create_a_product_and_find_it_in_the_storefront_api(
    catalog: Any, deliver_events: Any
) -> None:
    client = staff_client("product_specialist")
    response = send(client, "post", "/catalog/products", new_product(catalog))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slugs"] == {
        "en": "storm-jacket",
        "fr": "storm-jacket",
        "nl": "storm-jacket",
        "sv": "stormjacka-bla",
    }
    product = Product.objects.get(pk=body["id"])
    assert product.kind == "configurable"
    assert list(product.variants.values_list("sku", "barcode", "weight_grams")) == [
        ("STORM-S", None, 0),
        ("STORM-M", "7350000000017", 900),
    ]
    entry = AuditEntry.objects.get(action="product.create")
    assert entry.target_id == str(product.pk)
    assert entry.after["texts"]["sv"]["slug"] == "stormjacka-bla"
    # priced by the pricing API, then listed by the storefront API once events are delivered
    manager = staff_client("ecommerce_manager")
    prices = {
        "price_list": "web-eur",
        "prices": [
            {"sku": "STORM-S", "amount": "199.00", "compare_at": "249.00"},
            {"sku": "STORM-M", "amount": "189.50"},
        ],
    }
    assert send(manager, "put", "/pricing/prices", prices).json() == {"updated": 2}
    deliver_events()
    listing = Client().get(f"{API}/storefront/categories/jackets/products?sort=price_desc").json()
    storm = next(p for p in listing["products"] if p["name"] == "Storm Jacket")
    assert storm["price"] == {"amount": "189.50", "currency": "EUR"}
    found = Client().get(f"{API}/storefront/search?q=strom").json()  # a typo
    assert [p["name"] for p in found["products"]] == ["Storm Jacket"]


def test_an_invalid_product_writes_nothing_and_lists_every_problem(catalog: Any) -> None:
    before = (Product.objects.count(), Variant.objects.count(), AuditEntry.objects.count())
    body = {
        **new_product(catalog),
        "category_id": 987654,
        "texts": {"sv": {"name": "Utan engelska", "slug": "wool-jacket"}},
        "attributes": [{"attribute": "material", "value": "silk"}],
        "variants": [{"sku": "WOOL-JACKET-S"}, {"sku": "X-1"}, {"sku": "X-1"}],
    }
    response = send(staff_client("product_specialist"), "post", "/catalog/products", body)
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "a name in en is required",
        "unknown category 987654",
        "unknown attribute value material=silk",
        "SKU X-1 is used twice",
        "SKU WOOL-JACKET-S already belongs to another product",
    ]
    assert (Product.objects.count(), Variant.objects.count(), AuditEntry.objects.count()) == before


def test_a_variant_has_options_on_variant_axes_only(catalog: Any) -> None:
    client = staff_client("product_specialist")
    body = {
        **new_product(catalog),
        "variants": [{"sku": "STORM-S", "values": [{"attribute": "material", "value": "wool"}]}],
    }
    response = send(client, "post", "/catalog/products", body)
    assert response.status_code == 422
    assert response.json()["problems"] == ["material=wool is not a variant option"]
    changes = {
        "variants": [
            {"sku": "WOOL-JACKET-S", "values": [{"attribute": "material", "value": "wool"}]}
        ]
    }
    refused = send(client, "patch", f"/catalog/products/{catalog['products'][0]}", changes)
    assert refused.json()["problems"] == ["material=wool is not a variant option"]
    assert not Variant.objects.filter(sku="STORM-S").exists()
    assert not AuditEntry.objects.exists()


def test_a_malformed_body_is_a_422_naming_the_field(catalog: Any) -> None:
    client = staff_client("product_specialist")
    body = {**new_product(catalog), "variants": [], "tax_class": "luxury"}
    response = send(client, "post", "/catalog/products", body)
    assert response.status_code == 422
    fields = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert fields == {("body", "body", "variants"), ("body", "body", "tax_class")}
    nul = {**new_product(catalog), "texts": {"en": {"name": "Bad\x00name"}}}
    assert send(client, "post", "/catalog/products", nul).status_code == 422


def test_update_a_product_texts_values_and_variants(catalog: Any, deliver_events: Any) -> None:
    product_id = catalog["products"][0]  # Wool Jacket: WOOL-JACKET-S, WOOL-JACKET-M
    changes = {
        "texts": {"en": {"name": "Merino Jacket", "slug": "merino-jacket"}},
        "attributes": [{"attribute": "material", "value": "cotton"}],
        "variants": [
            {"sku": "WOOL-JACKET-M", "values": [{"attribute": "colour", "value": "blue"}]},
            {"sku": "WOOL-JACKET-L", "values": [{"attribute": "size", "value": "l"}]},
        ],
        "tax_class": "reduced",
    }
    response = send(
        staff_client("product_specialist"), "patch", f"/catalog/products/{product_id}", changes
    )
    assert response.status_code == 200, response.content
    assert response.json()["slugs"]["en"] == "merino-jacket"
    product = Product.objects.get(pk=product_id)
    assert product.tax_class == "reduced"
    assert ProductTranslation.objects.get(product=product, language="sv").name == "Ulljacka"
    assert list(product.variants.values_list("sku", flat=True)) == [
        "WOOL-JACKET-S",
        "WOOL-JACKET-M",
        "WOOL-JACKET-L",
    ]
    entry = AuditEntry.objects.get(action="product.update")
    assert entry.before["texts"]["en"]["name"] == "Wool Jacket"
    assert entry.after["texts"]["en"]["name"] == "Merino Jacket"
    assert entry.after["values"] == ["material=cotton"]
    deliver_events()
    detail = Client().get(f"{API}/storefront/products/by-slug/merino-jacket").json()
    assert detail["attributes"][0]["value"] == "cotton"
    assert [[v["value"] for v in variant["values"]] for variant in detail["variants"]] == [
        ["red", "s"],
        ["blue"],
        ["l"],
    ]
    assert Client().get(f"{API}/storefront/products/by-slug/wool-jacket").status_code == 404


def test_update_refuses_a_slug_of_another_product_and_unknown_ids(catalog: Any) -> None:
    client = staff_client("product_specialist")
    taken = {"texts": {"en": {"slug": "rain-jacket"}}}
    response = send(client, "patch", f"/catalog/products/{catalog['products'][0]}", taken)
    assert response.status_code == 422
    assert response.json()["problems"] == ["the en slug rain-jacket is already used"]
    missing = send(client, "patch", "/catalog/products/987654", {})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "There is no product 987654."


def test_publish_and_unpublish_in_bulk(catalog: Any, deliver_events: Any) -> None:
    client = staff_client("ecommerce_manager")
    ids = catalog["products"][:2]
    response = send(
        client, "post", "/catalog/products/publish", {"product_ids": ids, "published": False}
    )
    assert response.json() == {"changed": ids, "unchanged": []}
    assert sorted(AuditEntry.objects.values_list("action", "target_id")) == [
        ("product.unpublish", str(ids[0])),
        ("product.unpublish", str(ids[1])),
    ]
    deliver_events()
    listing = Client().get(f"{API}/storefront/categories/clothing/products").json()
    assert listing["total"] == 2
    unknown = send(
        client,
        "post",
        "/catalog/products/publish",
        {"product_ids": [*ids, 987654], "published": True},
    )
    assert unknown.status_code == 422
    assert unknown.json()["problems"] == ["unknown product 987654"]
    assert Product.objects.filter(pk__in=ids, is_published=False).count() == 2  # nothing changed


def test_create_and_update_a_category(catalog: Any, deliver_events: Any) -> None:
    client = staff_client("product_specialist")
    created = send(
        client,
        "post",
        "/catalog/categories",
        {
            "parent_id": catalog["categories"]["clothing"],
            "texts": {"en": {"name": "Knitwear"}, "sv": {"name": "Stickat"}},
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["slugs"] == {"en": "knitwear", "fr": "knitwear", "nl": "knitwear", "sv": "stickat"}
    category = Category.objects.get(pk=body["id"])
    assert (category.depth, category.path) == (1, "0001.0003.")
    tree = Client().get(f"{API}/storefront/categories?lang=sv").json()
    assert [c["name"] for c in tree[0]["children"]] == ["Jackor", "Skjortor", "Stickat"]
    # unpublishing the jackets hides their products from the listing
    jackets = catalog["categories"]["jackets"]
    changed = send(client, "patch", f"/catalog/categories/{jackets}", {"is_published": False})
    assert changed.status_code == 200
    assert AuditEntry.objects.filter(action="category.update", target_id=str(jackets)).exists()
    deliver_events()
    listing = Client().get(f"{API}/storefront/categories/clothing/products").json()
    assert sorted(p["name"] for p in listing["products"]) == ["Field Shirt", "Linen Shirt"]
    refused = send(client, "post", "/catalog/categories", {"texts": {"sv": {"name": "X"}}})
    assert refused.json()["problems"] == ["a name in en is required"]


def test_prices_are_validated_before_anything_is_written(catalog: Any) -> None:
    client = staff_client("ecommerce_manager")
    bad = {
        "price_list": "web-eur",
        "prices": [
            {"sku": "NO-SUCH", "amount": "10.00"},
            {"sku": "WOOL-JACKET-S", "amount": "100.00", "compare_at": "90.00"},
            {"sku": "WOOL-JACKET-S", "amount": "100.00"},
        ],
    }
    response = send(client, "put", "/pricing/prices", bad)
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "row 2 (WOOL-JACKET-S): the compare-at price must be above the price",
        "row 3 (WOOL-JACKET-S): the SKU has a price in an earlier row",
        "unknown SKU NO-SUCH",
    ]
    malformed = {"price_list": "web-eur", "prices": [{"sku": "WOOL-JACKET-S", "amount": "1e400"}]}
    assert send(client, "put", "/pricing/prices", malformed).status_code == 422
    unknown = {"price_list": "web-gbp", "prices": [{"sku": "WOOL-JACKET-S", "amount": "1"}]}
    assert send(client, "put", "/pricing/prices", unknown).json()["problems"] == [
        "unknown price list web-gbp"
    ]
    assert not AuditEntry.objects.filter(action="prices.set").exists()


def test_problems_are_told_in_the_staff_members_language(catalog: Any) -> None:
    client = staff_client("product_specialist")
    response = client.post(
        API + "/catalog/categories",
        data=json.dumps({"texts": {"sv": {"name": "Stickat"}}, "parent_id": 987654}),
        content_type="application/json",
        headers={"Accept-Language": "sv"},
    )
    assert response.status_code == 422
    assert response.json()["problems"] == [
        "ett namn på en krävs",
        "okänd överordnad kategori 987654",
    ]
