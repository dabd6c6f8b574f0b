"""入会 drives with weekly and monthly progress, visit logs, and the 建会 ledger with member coverage."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import ExternalBinding, PartyType, Role, UserKind
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.members import drives, services
from gonghui.members.models import DriveMetric, Membership, NewFormType
from gonghui.members.tests.factories import join
from gonghui.orgs.tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user


def member(town="440106006", form="", joined=None, employer=None):
    application = join(town_code=town if employer is None else "", employer_id=employer.pk if employer else None, new_form_type=form)
    membership = services.application_approve(actor=None, application_id=application.pk)
    if joined:
        Membership.objects.filter(pk=membership.pk).update(joined_on=joined)
    return membership


def test_drive_counts_the_right_members_by_week_and_month(manager, org):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    drive = drives.drive_create(actor=manager, org=org("440106"), name="货车司机入会", metric=DriveMetric.NEW_FORM_MEMBERS,
                                new_form_type=NewFormType.TRUCKING, target=4, starts_on=monday - dt.timedelta(days=7), ends_on=today)
    member(form=NewFormType.TRUCKING, joined=monday - dt.timedelta(days=5))
    member(form=NewFormType.TRUCKING, joined=today)
    member(form=NewFormType.TRUCKING, joined=today)
    member(form=NewFormType.COURIER, joined=today)  # another type
    member(town="440104001", form=NewFormType.TRUCKING, joined=today)  # another district
    progress = drives.drive_progress(drive=drive)
    assert progress.achieved == 3 and progress.percent(drive.target) == 0.75
    assert progress.weekly == [(monday - dt.timedelta(days=7), 1, 1), (monday, 2, 3)]
    assert sum(count for _, count in progress.monthly) == 3


def test_visit_logs_add_up_and_bad_numbers_are_refused(manager, org):
    drive = drives.drive_create(actor=manager, org=org("440106"), name="平安夜访", metric=DriveMetric.NEW_MEMBERS, target=10,
                                starts_on=timezone.localdate(), ends_on=timezone.localdate())
    drives.visit_log_create(actor=manager, org=org("440106"), drive=drive, visited_on=timezone.localdate(), place="某物流园", people_met=20, joined_on_spot=6)
    with pytest.raises(ApplicationError, match="不能多于接触人数"):
        drives.visit_log_create(actor=manager, org=org("440106"), drive=drive, visited_on=timezone.localdate(), place="x", people_met=1, joined_on_spot=2)
    with pytest.raises(ApplicationError, match="晚于今天"):
        drives.visit_log_create(actor=manager, org=org("440106"), visited_on=timezone.localdate() + dt.timedelta(days=1), place="x", people_met=1)
    progress = drives.drive_progress(drive=drive)
    assert (progress.visits, progress.people_met, progress.joined_on_spot) == (1, 20, 6)


def test_drive_rules_and_scope(manager, org, cadre):
    with pytest.raises(ApplicationError, match="不能早于"):
        drives.drive_create(actor=manager, org=org("440106"), name="x", metric=DriveMetric.NEW_MEMBERS, target=1,
                            starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 11, 1))
    with pytest.raises(NotFound):
        drives.drive_create(actor=manager, org=org("440104"), name="x", metric=DriveMetric.NEW_MEMBERS, target=1,
                            starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 1))
    drive = drives.drive_create(actor=manager, org=org("440106"), name="天河行动", metric=DriveMetric.NEW_MEMBERS, target=1,
                                starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 1))
    with pytest.raises(NotFound):
        drives.drive_get_for(actor=cadre("440104"), drive_id=drive.pk)


def test_ledger_lists_large_employers_without_union_and_coverage(manager, org, client):
    big = EmployerFactory(town=org("440106006"), headcount=300, name="大厂未建会有限公司")
    EmployerFactory(town=org("440106006"), headcount=10, name="小店")
    covered = EmployerFactory(town=org("440106006"), headcount=4, name="已覆盖公司")
    member(employer=covered)
    ledger = drives.union_ledger(actor=manager, org=org("440106"))
    assert [e.name for e in ledger["without_union"]] == ["大厂未建会有限公司"] and ledger["without_union_total"] == 1
    assert [(e.name, e.members, e.rate) for e in ledger["coverage"]] == [("已覆盖公司", 1, 0.25)]
    client.force_login(manager)
    page = client.get(reverse("members:ledger")).content.decode()
    assert big.name in page and "25.0%" in page


def test_drive_pages(manager, org, client):
    client.force_login(manager)
    response = client.post(reverse("members:drives"), {"name": "四季度入会", "metric": "new_members", "target": 100,
                                                       "starts_on": "2026-10-01", "ends_on": "2026-12-31"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "周调度" in detail and "月分析" in detail and "0 / 100" in detail
    bad = client.post(reverse("members:drives"), {"name": "错", "metric": "new_form_members", "target": 5, "starts_on": "2026-10-01", "ends_on": "2026-12-31"})
    assert "请选择新就业形态类型" in bad.content.decode()


def test_bad_input_gets_a_message_not_a_server_error(manager, client, org):
    client.force_login(manager)
    assert "年龄应在" in client.get(reverse("members:segments"), {"age_min": "10000"}).content.decode()
    assert client.get(reverse("members:segments"), {"age_min": "²"}).status_code == 200
    membership = member()
    response = client.post(reverse("members:detail", args=[membership.pk]), {"stars": "abc", "reason": "事迹说明"})
    assert response.status_code == 302 and "1到5星" in client.get(response["Location"]).content.decode()
    external = UserFactory(kind=UserKind.EXTERNAL)
    ExternalBinding.objects.create(user=external, party_type=PartyType.EMPLOYER, employer=EmployerFactory(town=org("440106001")))
    client.force_login(external)
    assert client.get(reverse("members:ledger")).status_code == 404
    refused = client.post(reverse("members:drives"), {"name": "x", "metric": "new_members", "target": 1, "starts_on": "2026-11-01",
                                                      "ends_on": "2026-11-30"})
    assert refused.status_code == 403
