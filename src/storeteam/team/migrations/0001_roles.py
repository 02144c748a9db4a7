"""Create one group per role of the playbook. Their permissions are set after every migrate from
storeteam/team/roles.py (see TeamConfig.ready), so the grants live in one place."""

from django.db import migrations

ROLE_CODES = [
    "head_of_digital",
    "ecommerce_manager",
    "product_specialist",
    "ecommerce_analyst",
    "marketing_manager",
    "customer_service_agent",
    "customer_service_lead",
    "logistics_manager",
    "inventory_manager",
    "content_manager",
    "data_analyst",
    "finance",
    "executive",
    "developer",
    "project_manager",
]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for code in ROLE_CODES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=code)


def remove_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLE_CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
