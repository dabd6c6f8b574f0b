"""A blind index of the normalised name, and the birth month beside the birth date it replaces (decision 0018).
0014 fills them; 0015 drops the birth date and the 户籍 region."""
from django.db import migrations, models

import gonghui.core.fields
import gonghui.core.validators


class Migration(migrations.Migration):
    dependencies = [("members", "0012_segment_tags_list")]
    operations = [
        migrations.AddField(
            model_name="person", name="name_index",
            field=gonghui.core.fields.BlindIndexField(blank=True, editable=False, max_length=64, null=True,
                                                      normalizer=gonghui.core.validators.normalize_person_name,
                                                      purpose="person_name", source="name"),
        ),
        migrations.AddField(
            model_name="person", name="birth_month",
            field=models.DateField("出生年月", null=True, help_text="只保存年月（日记为1日），年龄按年月计算"),
        ),
        # nullable until 0015 drops it, so that going back (0014 refills it from the encrypted ID) can add it again
        migrations.AlterField(model_name="person", name="birth_date", field=models.DateField("出生日期", null=True)),
    ]
