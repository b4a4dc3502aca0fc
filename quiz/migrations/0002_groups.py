"""The teacher and staff groups every installation has."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def create_groups(apps: Any, schema_editor: Any) -> None:
    Group = apps.get_model("auth", "Group")
    for name in ("teacher", "staff"):
        Group.objects.get_or_create(name=name)


def remove_groups(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=["teacher", "staff"]).delete()


class Migration(migrations.Migration):
    dependencies = [("quiz", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
