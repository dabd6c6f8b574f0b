"""Only the birth month stays in clear; the birth date and the 户籍 region are read from the encrypted ID when needed
(decision 0018). The name index gets its (non-unique) index: the member list looks people up by it."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0014_person_fill_name_index_birth_month")]
    operations = [
        migrations.RemoveField(model_name="person", name="birth_date"),
        migrations.RemoveField(model_name="person", name="hukou_region"),
        migrations.AlterField(model_name="person", name="birth_month",
                              field=models.DateField("出生年月", help_text="只保存年月（日记为1日），年龄按年月计算")),
        migrations.AddIndex(model_name="person", index=models.Index(fields=["name_index"], name="person_name_index")),
    ]
