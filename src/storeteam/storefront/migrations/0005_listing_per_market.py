"""The listing gets one row per product and market (currency and country), so that whether a
product is in stock can be inventory's answer for the shoppers' country; and a stock version.

Existing rows are copied to each market of their currency as they are (in stock, as the listing
said so far). Run ``storeteam reindex --only listing`` after migrating to take availability and
prices from the stock at once; until then each product follows as its stock next changes.

The new unique constraint and indexes come in 0006, a transaction of its own: on PostgreSQL the
copied rows' foreign-key checks wait for the end of this one, and a table with checks pending
cannot be altered.
"""

from django.db import migrations, models

from storeteam.storefront.markets import store_markets


def _table(apps: object) -> str:
    entry = apps.get_model("storefront", "ListingEntry")  # type: ignore[attr-defined]
    return str(entry._meta.db_table)


def per_market(apps: object, schema_editor: object) -> None:
    table = _table(apps)
    connection = schema_editor.connection  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    columns = [
        "product_id",
        "currency",
        "category_path",
        "price",
        "compare_at",
        "is_available",
        "created_at",
        "sales_count",
    ]
    listed = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        for currency, country in store_markets():
            cursor.execute(
                f"INSERT INTO {quote(table)} ({listed}, {quote('country')}) "  # noqa: S608
                f"SELECT {listed}, %s FROM {quote(table)} "
                f"WHERE {quote('currency')} = %s AND {quote('country')} = ''",
                [country, currency],
            )
        cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote('country')} = ''")  # noqa: S608


def one_per_currency(apps: object, schema_editor: object) -> None:
    table = _table(apps)
    connection = schema_editor.connection  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    first: dict[str, str] = {}
    for currency, country in store_markets():
        first.setdefault(currency, country)
    with connection.cursor() as cursor:
        for currency, country in first.items():
            cursor.execute(
                f"DELETE FROM {quote(table)} "  # noqa: S608
                f"WHERE {quote('currency')} = %s AND {quote('country')} <> %s",
                [currency, country],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("storefront", "0004_stock_shown"),
    ]

    operations = [
        migrations.AddField(
            model_name="listingstate",
            name="stock_version",
            field=models.PositiveBigIntegerField(default=1),
        ),
        migrations.RemoveConstraint(
            model_name="listingentry",
            name="listing_one_per_currency",
        ),
        migrations.RemoveIndex(
            model_name="listingentry",
            name="listing_by_path_price",
        ),
        migrations.RemoveIndex(
            model_name="listingentry",
            name="listing_newest",
        ),
        migrations.RemoveIndex(
            model_name="listingentry",
            name="listing_bestselling",
        ),
        migrations.AddField(
            model_name="listingentry",
            name="country",
            field=models.CharField(default="", max_length=2),
            preserve_default=False,
        ),
        migrations.RunPython(per_market, one_per_currency, elidable=True),
    ]
