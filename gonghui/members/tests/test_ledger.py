"""建会台账: member coverage per employer counts imported members through the employer's 企业工会, shows the 0% employers
first, and its filters, order, places and export agree with direct queries."""
import io

import pytest
from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.core.exceptions import NotFound
from gonghui.members import imports, ledger, segments, services
from gonghui.members.models import Membership, MembershipStatus
from gonghui.members.services import LIVE_STATUSES
from gonghui.members.tests.factories import join, new_id_number
from gonghui.members.tests.test_imports import csv_bytes
from gonghui.orgs.models import Employer, Industry, Org, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user


def imported(actor, union: Org, count: int, *, joined_on: str = "2026-03-01") -> None:
    rows = [[f"导入{i}", new_id_number(), "", union.code, joined_on, "", ""] for i in range(count)]
    result = imports.member_import(actor=actor, data=csv_bytes(rows))
    assert result.created == count, result.errors


def joined_through(employer: Employer) -> Membership:
    return services.application_approve(actor=None, application_id=join(employer_id=employer.pk).pk)


@pytest.fixture
def places(manager, org):
    """石牌 (天河): a factory whose union has two levels of 分会 and a subsidiary's union under it, a shop in a 社区联合工会 and
    an employer with no union, each with one member who joined through it, and a large employer nobody has reached."""
    shipai = org("440106006")
    factory_union = OrgFactory(parent=shipai, type=OrgType.ENTERPRISE, name="某制造公司工会委员会")
    workshop = OrgFactory(parent=factory_union, type=OrgType.BRANCH, name="一车间分会")
    team = OrgFactory(parent=workshop, type=OrgType.BRANCH, name="一车间甲班工会小组")
    subsidiary_union = OrgFactory(parent=factory_union, type=OrgType.ENTERPRISE, name="某制造子公司工会委员会")
    subsidiary_branch = OrgFactory(parent=subsidiary_union, type=OrgType.BRANCH, name="子公司分会")
    joint = OrgFactory(parent=shipai, type=OrgType.COMMUNITY, name="石牌某社区联合工会")
    employers = {
        "factory": EmployerFactory(town=shipai, name="某制造有限公司", industry=Industry.C, headcount=40, has_union=True, union=factory_union),
        "subsidiary": EmployerFactory(town=shipai, name="某制造子有限公司", industry=Industry.G, headcount=4, has_union=True,
                                      union=subsidiary_union),
        "shop": EmployerFactory(town=shipai, name="社区小店", industry=Industry.H, headcount=5),
        "courier": EmployerFactory(town=shipai, name="某快递网点", industry=Industry.G, headcount=8),
        "untouched": EmployerFactory(town=shipai, name="大厂未建会有限公司", industry=Industry.C, headcount=300),
        "empty": EmployerFactory(town=shipai, name="未报人数公司", industry=Industry.C, headcount=0),
        "yuexiu": EmployerFactory(town=org("440104001"), name="越秀某公司", industry=Industry.C, headcount=10),
    }
    imported(manager, factory_union, 3)
    imported(manager, workshop, 1)
    imported(manager, team, 1)
    imported(manager, subsidiary_union, 1)
    imported(manager, subsidiary_branch, 1)
    imported(manager, joint, 2)
    through_factory = joined_through(employers["factory"])  # in the factory's union and its 就业: counted once
    moved = joined_through(employers["factory"])  # works there, membership now at the 街道 union: counted by its 就业
    Membership.objects.filter(pk=moved.pk).update(union=shipai)
    gone = Membership.objects.filter(union=factory_union).exclude(pk=through_factory.pk).first()
    Membership.objects.filter(pk=gone.pk).update(status=MembershipStatus.LEFT)
    joined_through(employers["courier"])
    shop_worker = joined_through(employers["shop"])  # in the 联合工会, which says nothing of where its members work: by its 就业
    Membership.objects.filter(pk=shop_worker.pk).update(union=joint)
    return employers


def direct_member_of(membership: Membership, employer: Employer) -> bool:
    """The rule of the ledger's docstring, walked in Python up the membership's union and its parents."""
    union = membership.union
    while union.type == OrgType.BRANCH:
        union = union.parent
    by_union = employer.union_id is not None and union.pk == employer.union_id
    employment = getattr(membership.person, "employment", None)
    return by_union or bool(employment and employment.employer_id == employer.pk)


def direct_members(employer: Employer) -> int:
    live = Membership.objects.filter(status__in=LIVE_STATUSES).select_related("union", "person__employment")
    return sum(direct_member_of(membership, employer) for membership in live)


def test_coverage_counts_imported_members_through_the_enterprise_union_once_each(manager, org, places):
    rows = {e.name: e for e in ledger.employer_coverage(actor=manager, org=org("440106"))}
    for key, expected in {"factory": 6, "subsidiary": 2, "shop": 1, "courier": 1, "untouched": 0, "empty": 0}.items():
        employer = places[key]
        assert rows[employer.name].members == direct_members(employer) == expected, key
    assert rows["某制造有限公司"].rate == 6 / 40 and rows["某制造有限公司"].uncovered == 34
    assert rows["某制造子有限公司"].uncovered == 2 and rows["未报人数公司"].rate is None
    assert "越秀某公司" not in rows


def test_the_industry_segment_counts_members_of_the_employers_unions(manager, places):
    def industry(code):
        return segments.segment_members(actor=manager, filters=segments.SegmentFilters(industry=code))

    tianhe = Membership.objects.filter(union__path__startswith=manager.posts.get().org.path, status=MembershipStatus.ACTIVE)
    for code in (Industry.C, Industry.G, Industry.H):
        direct = {m.pk for m in tianhe if any(direct_member_of(m, e) for e in Employer.objects.filter(industry=code))}
        assert set(industry(code).values_list("pk", flat=True)) == direct, code
    assert industry(Industry.C).count() == 6 and industry(Industry.G).count() == 3 and industry(Industry.H).count() == 1


def test_every_employer_is_listed_worst_first_with_filters_and_other_orders(manager, org, places):
    def names(**params):
        return [e.name for e in ledger.employer_coverage(actor=manager, org=org("440106"), filters=ledger.LedgerFilters.from_params(params))]

    assert names() == ["大厂未建会有限公司", "某快递网点", "某制造有限公司", "社区小店", "某制造子有限公司", "未报人数公司"]
    assert names(sort="uncovered")[:2] == ["大厂未建会有限公司", "某制造有限公司"]
    assert names(sort="-rate")[0] == "某制造子有限公司" and names(sort="-rate")[-1] == "未报人数公司"
    assert names(sort="headcount")[0] == "大厂未建会有限公司" 
    assert names(sort="name") == list(Employer.objects.in_subtree(org("440106")).order_by("name", "pk").values_list("name", flat=True))
    assert names(has_union="0") == ["大厂未建会有限公司", "某快递网点", "社区小店", "未报人数公司"]
    assert names(has_union="1", large="1") == ["某制造有限公司"]
    assert names(q="快递") == ["某快递网点"] and names(q=places["courier"].uscc[:10].lower()) == ["某快递网点"]
    assert names(sort="drop table", has_union="maybe") == names()  # values no form offers: the defaults
    assert names(q="不存在的单位") == []


def test_an_org_outside_the_scope_is_not_found(manager, org, places):
    with pytest.raises(NotFound):
        ledger.employer_coverage(actor=manager, org=org("440104"))
    with pytest.raises(NotFound):
        ledger.employer_coverage(actor=PostFactory(org=org("440106001")).user, org=org("440106006"))


def test_ledger_page_pages_filters_moves_down_and_exports_the_same_list(manager, org, places, client, django_assert_max_num_queries):
    for index in range(30):
        EmployerFactory(town=org("440106001"), name=f"五山第{index:02d}公司", headcount=30 + index)
    client.force_login(manager)
    url = reverse("members:ledger")
    # The list is one query (and its count), read in a transaction of its own (2 more). On PostgreSQL that transaction turns JIT
    # off (1 more), and sessions are rows read and saved on every request (4 more; on SQLite they live in a cache).
    with django_assert_max_num_queries(15 + 5 * (connection.vendor == "postgresql")):
        page = client.get(url).content.decode()
    assert "大厂未建会有限公司" in page and "第 1 / 2 页" in page and "0.0%" in page and "共 36 家" in page
    assert f'<option value="{org("440106001").pk}"' in page  # a 街道 to move to
    second = client.get(url, {"page": "2"}).content.decode()
    assert "未报人数公司" in second  # no cap: the last employer is on the last page

    shipai = client.get(url, {"org": org("440106006").pk, "has_union": "1"}).content.decode()
    assert "某制造有限公司" in shipai and "大厂未建会有限公司" not in shipai and "五山第00公司" not in shipai
    assert "15.0%" in shipai and "共 2 家" in shipai

    export = client.get(url, {"org": org("440106006").pk, "export": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    shown = [e for e in ledger.employer_coverage(actor=manager, org=org("440106006"))]
    assert sheet[0][:3] == ["单位名称", "统一社会信用代码", "所在街道/镇"]
    assert [(row[0], int(row[6])) for row in sheet[1:]] == [(e.name, e.members) for e in shown]
    assert sheet[3][:2] == ["某制造有限公司", places["factory"].uscc] and sheet[3][7] == 15.0

    assert client.get(url, {"org": org("440104").pk}).status_code == 404
    assert client.get(url, {"org": org("440104").pk, "export": "xlsx"}).status_code == 404
