"""The listing's rows are unique per product and market, and found by market, category and sort
(after 0005 has given every row its market, in a transaction of its own)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("storefront", "0005_listing_per_market"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="listingentry",
            constraint=models.UniqueConstraint(
                fields=("product", "currency", "country"), name="listing_one_per_market"
            ),
        ),
        migrations.AddIndex(
            model_name="listingentry",
            index=models.Index(
                fields=["currency", "country", "category_path", "price"],
                name="listing_by_path_price",
            ),
        ),
        migrations.AddIndex(
            model_name="listingentry",
            index=models.Index(
                fields=["currency", "country", "category_path", "-created_at"],
                name="listing_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="listingentry",
            index=models.Index(
                fields=["currency", "country", "category_path", "-sales_count"],
                name="listing_bestselling",
            ),
        ),
    ]
