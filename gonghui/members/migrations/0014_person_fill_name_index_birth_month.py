"""Fill the name index of every person and coarsen the birth date to its month (decision 0018). Going back restores
the birth date and the 户籍 region from the encrypted ID number, which holds both."""
from django.db import migrations
from django.db.models.functions import TruncMonth

from gonghui.core import crypto
from gonghui.core.validators import normalize_person_name, parse_id_number

BATCH = 2000


def _batches(Person, *fields):
    last = 0
    while True:
        rows = list(Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def forwards(apps, schema_editor):
    Person = apps.get_model("members", "Person")
    Person.objects.update(birth_month=TruncMonth("birth_date"))
    index = crypto.blind_indexer(purpose="person_name")
    for rows in _batches(Person, "name"):  # the historical model's name field decrypts as it reads
        Person.objects.bulk_update([Person(pk=pk, name_index=index(normalize_person_name(name))) for pk, name in rows],
                                   ["name_index"])


def backwards(apps, schema_editor):
    Person = apps.get_model("members", "Person")
    for rows in _batches(Person, "id_number"):
        people = []
        for pk, id_number in rows:
            parsed = parse_id_number(id_number)
            people.append(Person(pk=pk, birth_date=parsed.birth_date, hukou_region=parsed.region_code))
        Person.objects.bulk_update(people, ["birth_date", "hukou_region"])


class Migration(migrations.Migration):
    dependencies = [("members", "0013_person_name_index_birth_month")]
    operations = [migrations.RunPython(forwards, backwards)]
