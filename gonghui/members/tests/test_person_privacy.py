"""What a person row keeps: the name searchable only through its blind index, and in clear only gender and birth month
(decision 0018). Every write path sets the index; the member list, its API and its export find people by whole name."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.core.tests.test_pii import NEW_KEY
from gonghui.core.validators import id_number_generate, normalize_person_name
from gonghui.jobs.models import Job
from gonghui.members import imports, segments, selectors, services
from gonghui.members.models import Person
from gonghui.members.tests.factories import join
from gonghui.members.tests.test_exports import sheet
from gonghui.members.tests.test_imports import csv_bytes, good_row
from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user


@pytest.fixture
def members(manager):
    """Four 天河 members imported (two of them 王芳) and one 越秀 member also called 王芳, who joined by 一键入会."""
    rows = [good_row(name="王芳"), good_row(name="王 芳", phone=""), good_row(name="阿卜杜拉·买买提"), good_row(name="李雷")]
    assert imports.member_import(actor=manager, data=csv_bytes(rows)).created == 4
    yuexiu = EmployerFactory(town=Org.objects.get(code="440104001"))
    services.application_approve(actor=None, application_id=join(name="王芳", employer_id=yuexiu.pk).pk)


@pytest.mark.parametrize("typed, stored", [
    ("阿卜杜拉·买买提", "阿卜杜拉买买提"), ("阿卜杜拉・买买提", "阿卜杜拉买买提"), ("阿卜杜拉･买买提", "阿卜杜拉买买提"),
    ("阿卜杜拉•买买提", "阿卜杜拉买买提"), ("阿卜杜拉　买买提", "阿卜杜拉买买提"), ("阿卜杜拉．买买提", "阿卜杜拉买买提"),
    (" 王  芳 ", "王芳"), ("ＷＡＮＧ Fang", "wangfang"), ("王芳", "王芳"),
])
def test_the_name_index_ignores_widths_spaces_and_middle_dots(typed, stored):
    assert normalize_person_name(typed) == stored


def test_a_cadre_finds_members_by_whole_name_within_scope_and_with_the_other_filters(members, manager, cadre):
    found = selectors.membership_list(actor=manager, name="王芳")
    assert sorted(crypto_names(found)) == ["王 芳", "王芳"]  # 越秀's 王芳 is outside 天河
    assert selectors.membership_list(actor=manager, name="阿卜杜拉 买买提").count() == 1
    assert selectors.membership_list(actor=manager, name="王").count() == 0  # a whole name, not a part of one
    assert selectors.membership_list(actor=manager, name="王芳", status="left").count() == 0
    number = found.first().member_number
    assert list(selectors.membership_list(actor=manager, name="王芳", q=number)) == [found.first()]
    assert selectors.membership_list(actor=cadre("4401"), name="王芳").count() == 3  # the city sees 越秀 too


def crypto_names(memberships):
    return [m.person.name for m in memberships]


def test_the_member_list_page_and_the_api_search_by_name(members, manager, client):
    client.force_login(manager)
    page = client.get(reverse("members:list"), {"name": "王芳"}).content.decode()
    assert "共 2 人" in page and 'name="name" value="王芳"' in page and "李*" not in page
    answer = client.get("/api/members", {"name": "阿卜杜拉·买买提"}).json()
    assert answer["count"] == 1 and answer["items"][0]["name_masked"].startswith("阿")
    assert client.get("/api/members", {"name": "王芳", "status": "active"}).json()["count"] == 2


def test_a_masked_export_keeps_the_name_only_as_its_blind_index(members, manager, client, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:list") + "?name=王芳", {"export": "xlsx"})
    job = Job.objects.get()
    assert response.status_code == 302 and "王芳" not in str(job.options)
    assert job.options["filters"]["name_index"] == Person._meta.get_field("name_index").index_for("王芳")
    rows = sheet(job)
    assert len(rows) == 3 and {row[1] for row in rows[1:]} == {"王*", "王*芳"}  # header + the two 天河 王芳, masked


def test_every_write_path_sets_the_name_index_and_keeps_only_the_birth_month(members):
    index = Person._meta.get_field("name_index").index_for
    for person in Person.objects.all():
        assert person.name_index == index(person.name)
        assert person.birth_month.day == 1
    joined = Person.objects.get(applications__isnull=False)
    assert joined.birth_month == dt.date(1995, 6, 1)  # factories' default birth date is 1995-06-01
    assert not {"birth_date", "hukou_region"} & {f.name for f in Person._meta.get_fields()}


def test_an_imported_row_keeps_the_month_of_its_birth_date(manager):
    number = id_number_generate(region_code="440106", birth_date=dt.date(1988, 12, 31), sequence=5)
    imports.member_import(actor=manager, data=csv_bytes([good_row(id_number=number)]))
    assert Person.objects.get().birth_month == dt.date(1988, 12, 1)


def test_rotating_the_keys_fills_a_missing_name_index(members, settings):
    Person.objects.update(name_index=None)  # rows written by code older than the index
    settings.PII_KEYS = f"{settings.PII_KEYS},{NEW_KEY}"
    settings.PII_ACTIVE_KEY_ID = "rot2"
    call_command("rotate_pii_keys", batch_size=2, stdout=open("/dev/null", "w"))
    index = Person._meta.get_field("name_index").index_for
    assert all(p.name_index == index(p.name) for p in Person.objects.all())
    Person.objects.update(name_index=None)
    call_command("rotate_pii_keys", stdout=open("/dev/null", "w"))  # nothing left to re-encrypt: the index still comes back
    assert all(p.name_index == index(p.name) for p in Person.objects.all())


@pytest.mark.parametrize("born, age_min, counted", [
    (dt.date(1996, 11, 30), 30, True),   # turns 30 this month: counted as 30 (ages count in whole months)
    (dt.date(1996, 12, 1), 30, False),   # turns 30 next month
    (dt.date(1985, 12, 1), None, True),  # 40 until next month
])
def test_age_bands_count_from_the_birth_month(manager, born, age_min, counted):
    number = id_number_generate(region_code="440106", birth_date=born, sequence=9)
    imports.member_import(actor=manager, data=csv_bytes([good_row(id_number=number)]))
    filters = segments.SegmentFilters.from_params({"age_min": age_min, "age_max": 40} if age_min else {"age_max": 40})
    members = segments.segment_members(actor=manager, filters=filters, today=dt.date(2026, 11, 26))
    assert members.exists() == counted


@pytest.mark.django_db(transaction=True)
def test_the_migration_coarsens_existing_rows_and_indexes_their_names(divisions_after_flush):
    """Rows as 0012 left them get their name index and birth month; going back restores the day and 户籍 from the ID."""
    executor = MigrationExecutor(connection)
    before, after = [("members", "0013_person_name_index_birth_month")], [("members", "0015_person_drop_birth_date_hukou_region")]
    try:
        executor.migrate(before)
        OldPerson = executor.loader.project_state(before).apps.get_model("members", "Person")
        number = id_number_generate(region_code="440303", birth_date=dt.date(1979, 8, 23), sequence=11)
        OldPerson.objects.create(name="陈·小明", id_number=number, id_index=Person._meta.get_field("id_index").index_for(number),
                                 gender="male", birth_date=dt.date(1979, 8, 23), hukou_region="440303")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        person = Person.objects.get()
        assert person.birth_month == dt.date(1979, 8, 1) and person.name_index == Person._meta.get_field("name_index").index_for("陈小明")
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        back = MigrationExecutor(connection).loader.project_state(before).apps.get_model("members", "Person").objects.get()
        assert (back.birth_date, back.hukou_region) == (dt.date(1979, 8, 23), "440303")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
