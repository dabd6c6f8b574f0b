"""Blind-index columns compare in byte order on PostgreSQL (BlindIndexField.db_parameters). Databases made before
that get the collation, and the indexes on these columns, rebuilt here; new ones have it from the start."""
from django.db import migrations

from gonghui.core.fields import blind_index_collation_migration


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_members_actions")]
    operations = [migrations.RunPython(*blind_index_collation_migration([("accounts_user", "phone_index"), ("accounts_user", "id_number_index")]))]
