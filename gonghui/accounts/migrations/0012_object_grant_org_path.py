from django.db import migrations, models


def fill_org_path(apps, schema_editor):
    """Grants given before the field existed take their object's org path now (the object's first access path)."""
    from django.apps import apps as live_apps

    grant_model = apps.get_model("accounts", "ObjectGrant")
    content_type = apps.get_model("contenttypes", "ContentType")
    for grant in grant_model.objects.filter(org_path=""):
        kind = content_type.objects.get(pk=grant.content_type_id)
        model = live_apps.get_model(kind.app_label, kind.model)
        path = model._base_manager.filter(pk=grant.object_id).values_list(model.access.paths[0], flat=True).first()
        grant_model.objects.filter(pk=grant.pk).update(org_path=path or "")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_object_grant"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [
        migrations.AddField(model_name="objectgrant", name="org_path",
                            field=models.CharField(db_index=True, default="", max_length=255, verbose_name="所属组织路径"), preserve_default=False),
        migrations.RunPython(fill_org_path, migrations.RunPython.noop),
    ]
