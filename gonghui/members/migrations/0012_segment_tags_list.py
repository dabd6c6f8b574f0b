"""Saved segments keep their tags as a list (`tags`, any of them) instead of one `tag`."""
from django.db import migrations


def forwards(apps, schema_editor):
    Segment = apps.get_model("members", "Segment")
    for segment in Segment.objects.filter(filters__has_key="tag").iterator():
        filters = dict(segment.filters)
        tag = filters.pop("tag")
        filters.setdefault("tags", [tag] if tag else [])
        segment.filters = filters
        segment.save(update_fields=["filters"])


def backwards(apps, schema_editor):
    Segment = apps.get_model("members", "Segment")
    for segment in Segment.objects.filter(filters__has_key="tags").iterator():
        filters = dict(segment.filters)
        tags = filters.pop("tags") or []
        filters["tag"] = tags[0] if tags else ""
        segment.filters = filters
        segment.save(update_fields=["filters"])


class Migration(migrations.Migration):
    dependencies = [("members", "0011_blind_index_byte_order")]
    operations = [migrations.RunPython(forwards, backwards)]
