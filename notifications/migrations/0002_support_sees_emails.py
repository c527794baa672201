"""Let the read-only "Order support" group see the emails of the orders it looks at (not resend them)."""

from django.db import migrations

GROUP_NAME = "Order support"


def grant_view(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now so the group can hold one.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="notifications", codename="view_outboxemail")
    )


def revoke_view(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME):
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="notifications", codename="view_outboxemail"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("orders", "0003_support_group")]

    operations = [migrations.RunPython(grant_view, revoke_view)]
