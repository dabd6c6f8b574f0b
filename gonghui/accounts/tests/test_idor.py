"""The IDOR matrix: for every org-scoped object and every way in (page, API, admin, export), a 天河区 cadre
gets the same 404 for a 越秀区 object as for an id that does not exist; a 广州市 cadre sees both; a
guidance-link reader can read but not write; an employer account sees only itself."""
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from gonghui.accounts.models import ExternalBinding, PartyType, Role, UserKind
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.audit.models import AuditEvent
from gonghui.orgs import services
from gonghui.orgs.models import Employer, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db
MISSING = 987654321

ORG_PAGES = [
    ("page", "get", lambda pk: reverse("orgs:detail", args=[pk])),
    ("page", "get", lambda pk: reverse("orgs:children", args=[pk])),
    ("page", "get", lambda pk: reverse("orgs:edit", args=[pk])),
    ("page", "get", lambda pk: reverse("orgs:move", args=[pk])),
    ("page", "get", lambda pk: reverse("orgs:create", args=[pk])),
    ("export", "get", lambda pk: reverse("orgs:export", args=[pk])),
    ("api", "get", lambda pk: f"/api/orgs/{pk}"),
    ("api", "get", lambda pk: f"/api/orgs/{pk}/children"),
    ("api", "get", lambda pk: f"/api/orgs/{pk}/stats"),
    ("api", "patch", lambda pk: f"/api/orgs/{pk}"),
    ("api", "post", lambda pk: f"/api/orgs/{pk}/move"),
    ("api", "get", lambda pk: f"/api/orgs?within={pk}"),
    ("api", "get", lambda pk: f"/api/employers?within={pk}"),
    ("page", "get", lambda pk: reverse("orgs:employer_list") + f"?within={pk}"),
]
EMPLOYER_PAGES = [
    ("page", "get", lambda pk: reverse("orgs:employer_detail", args=[pk])),
    ("page", "get", lambda pk: reverse("orgs:employer_edit", args=[pk])),
    ("api", "get", lambda pk: f"/api/employers/{pk}"),
    ("api", "put", lambda pk: f"/api/employers/{pk}"),
]
ADMIN_PAGES = [
    ("admin", "get", lambda pk: reverse("admin:orgs_org_change", args=[pk])),
]


# Well-formed bodies, so the only thing that can refuse the write is the scope check.
WRITE_BODIES = {
    "post": {"new_parent_id": 1, "reason": "越权测试"},
    "put": {"uscc": "91350100M000100Y43", "name": "越权", "industry": "C", "ownership": "state", "town_id": 1},
    "patch": {"name": "越权改名"},
}


def fetch(client, method, url):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=WRITE_BODIES[method], content_type="application/json")


def _body(response) -> str:
    """The page without what differs by request anyway: the per-render CSRF token and the requested URL."""
    text = response.content.decode().replace(response.wsgi_request.get_full_path(), "")
    return re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', r"\1", text)


def same_answer(a, b) -> bool:
    return a.status_code == b.status_code and _body(a) == _body(b)


@pytest.mark.parametrize(("channel", "method", "url"), ORG_PAGES, ids=lambda v: v if isinstance(v, str) else "")
def test_org_endpoints_answer_404_alike_for_a_sibling_and_for_nothing(logged_in, cadre, org, channel, method, url):
    client = logged_in(cadre("440106"))
    sibling, missing = fetch(client, method, url(org("440104").pk)), fetch(client, method, url(MISSING))
    if "within=" in url(1):  # a list scoped to an org outside the subtree
        assert sibling.status_code == missing.status_code == 404
    else:
        assert sibling.status_code == 404 and same_answer(sibling, missing)


@pytest.mark.parametrize(("channel", "method", "url"), EMPLOYER_PAGES, ids=lambda v: v if isinstance(v, str) else "")
def test_employer_endpoints_answer_404_alike_for_a_sibling_and_for_nothing(logged_in, cadre, org, channel, method, url):
    yuexiu = EmployerFactory(town=org("440104001"))
    client = logged_in(cadre("440106"))
    sibling, missing = fetch(client, method, url(yuexiu.pk)), fetch(client, method, url(MISSING))
    assert sibling.status_code == 404 and same_answer(sibling, missing)


def test_a_city_cadre_sees_both_districts(logged_in, cadre, org):
    client = logged_in(cadre("4401"))
    yuexiu = EmployerFactory(town=org("440104001"))
    tianhe = EmployerFactory(town=org("440106001"))
    for _, method, url in ORG_PAGES[:3] + ORG_PAGES[6:9]:
        assert fetch(client, method, url(org("440104").pk)).status_code == 200
        assert fetch(client, method, url(org("440106").pk)).status_code == 200
    for pk in (yuexiu.pk, tianhe.pk):
        assert client.get(reverse("orgs:employer_detail", args=[pk])).status_code == 200
    assert client.get("/api/employers").json()["count"] == 2


def test_admin_pages_are_scoped_for_staff_cadres(logged_in, cadre, org):
    user = cadre("440106")
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_org", "view_employer"]))
    client = logged_in(user)
    assert client.get(reverse("admin:orgs_org_change", args=[org("440106001").pk])).status_code == 200
    sibling = client.get(reverse("admin:orgs_org_change", args=[org("440104").pk]))
    missing = client.get(reverse("admin:orgs_org_change", args=[MISSING]))
    assert sibling.status_code == missing.status_code == 302 and sibling["Location"] == missing["Location"]
    listing = client.get(reverse("admin:orgs_org_changelist") + "?q=越秀").content.decode()
    assert "越秀区总工会" not in listing
    yuexiu = EmployerFactory(town=org("440104001"))
    assert client.get(reverse("admin:orgs_employer_change", args=[yuexiu.pk])).status_code == 302


class TestGuidanceReader:
    """省教科文卫工会 guides a school's union that sits under its 街道; its reader post may read, never write."""

    @pytest.fixture
    def setting(self, org):
        industry = OrgFactory(parent=org("44"), type=OrgType.INDUSTRY_UNION, name="广东省教科文卫工会")
        school_union = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE, name="某中学工会委员会")
        services.guidance_link_create(actor=None, org=school_union, guide=industry)
        school = EmployerFactory(town=org("440106006"), name="某中学", union=school_union)
        reader = PostFactory(org=industry, role=Role.objects.get(code="admin"), guidance_read=True).user
        plain = PostFactory(org=industry, role=Role.objects.get(code="admin"), guidance_read=False).user
        return {"school_union": school_union, "school": school, "reader": reader, "plain": plain}

    def test_reader_reads_the_guided_union_and_its_employer(self, logged_in, setting):
        client = logged_in(setting["reader"])
        assert client.get(f"/api/orgs/{setting['school_union'].pk}").status_code == 200
        assert client.get(reverse("orgs:employer_detail", args=[setting["school"].pk])).status_code == 200

    def test_reader_cannot_write(self, logged_in, setting):
        client = logged_in(setting["reader"])
        response = client.patch(f"/api/orgs/{setting['school_union'].pk}", {"name": "改名"}, content_type="application/json")
        assert response.status_code == 403
        assert setting["school_union"].__class__.objects.get(pk=setting["school_union"].pk).name == "某中学工会委员会"

    def test_without_the_flag_the_guided_union_is_not_visible(self, logged_in, setting):
        client = logged_in(setting["plain"])
        assert client.get(f"/api/orgs/{setting['school_union'].pk}").status_code == 404


class TestEmployerAccount:
    @pytest.fixture
    def account(self, org):
        own = EmployerFactory(town=org("440106001"), name="本单位有限公司")
        other = EmployerFactory(town=org("440106001"), name="别家有限公司")
        user = UserFactory(kind=UserKind.EXTERNAL)
        ExternalBinding.objects.create(user=user, party_type=PartyType.EMPLOYER, employer=own)
        return user, own, other

    def test_sees_only_its_own_employer(self, logged_in, account):
        user, own, other = account
        client = logged_in(user)
        listing = client.get(reverse("orgs:employer_list")).content.decode()
        assert "本单位有限公司" in listing and "别家有限公司" not in listing
        assert client.get(f"/api/employers/{own.pk}").status_code == 200
        assert client.get(f"/api/employers/{other.pk}").status_code == 404
        assert client.get("/api/orgs").json()["count"] == 0
        assert client.get(reverse("orgs:tree")).status_code == 200 and "组织树" not in client.get(reverse("workbench:home")).content.decode()

    def test_cannot_change_even_its_own_record(self, logged_in, account):
        user, own, _ = account
        client = logged_in(user)
        response = client.post(reverse("orgs:employer_edit", args=[own.pk]), {
            "uscc": own.uscc, "name": "改名", "industry": "C", "ownership": "state", "town_code": "440106001"})
        assert "找不到组织编码" in response.content.decode() or "无权管理" in response.content.decode()
        assert Employer.objects.get(pk=own.pk).name == "本单位有限公司"


class TestStaffAndPii:
    def test_reveal_needs_a_reason_is_audited_and_shows_who_looked(self, logged_in, cadre, org):
        admin = cadre("440106")
        person = PostFactory(org=org("440106006"), role=Role.objects.get(code="handler")).user
        person.phone, person.id_number = "13712345678", "11010519491231002X"
        person.save()
        client = logged_in(admin)
        page = client.get(reverse("staff:detail", args=[person.pk])).content.decode()
        assert "137****5678" in page and "1101**********002X" in page and "13712345678" not in page
        refused = client.post(reverse("staff:reveal", args=[person.pk]), {"field": "phone", "reason": ""})
        assert refused.status_code == 400 and "查看理由" in refused.content.decode()
        shown = client.post(reverse("staff:reveal", args=[person.pk]), {"field": "phone", "reason": "核实工单联系人"})
        assert "13712345678" in shown.content.decode()
        event = AuditEvent.objects.get(action="accounts.user.pii_revealed")
        assert event.actor == admin and event.data["reason"] == "核实工单联系人" and "13712345678" not in str(event.data)
        assert "核实工单联系人" in client.get(reverse("staff:detail", args=[person.pk])).content.decode()

    def test_reveal_without_the_permission_or_outside_the_subtree_is_refused(self, logged_in, cadre, org):
        analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
        person = PostFactory(org=org("440106006"), role=Role.objects.get(code="handler")).user
        yuexiu_person = PostFactory(org=org("440104001"), role=Role.objects.get(code="handler")).user
        assert logged_in(analyst).post(reverse("staff:reveal", args=[person.pk]), {"field": "phone", "reason": "看看而已"}).status_code == 404
        client = logged_in(cadre("440106"))
        assert client.post(reverse("staff:reveal", args=[yuexiu_person.pk]), {"field": "phone", "reason": "越界查看"}).status_code == 404
        assert client.get(reverse("staff:detail", args=[yuexiu_person.pk])).status_code == 404

    def test_staff_list_shows_only_the_subtree(self, logged_in, cadre, org):
        PostFactory(org=org("440104001"), user=UserFactory(username="yuexiu_person"))
        PostFactory(org=org("440106006"), user=UserFactory(username="tianhe_person"))
        html = logged_in(cadre("440106")).get(reverse("staff:list")).content.decode()
        assert "tianhe_person" in html and "yuexiu_person" not in html

    def test_audit_search_is_scoped(self, logged_in, cadre, org, superuser):
        services.org_update(actor=superuser, org=org("440106006"), contact_name="天河的修改")
        services.org_update(actor=superuser, org=org("440104001"), contact_name="越秀的修改")
        html = logged_in(cadre("440106")).get(reverse("audit:search"), {"action": "orgs.org.updated"}).content.decode()
        assert "石牌街道总工会" in html and "北京街道总工会" not in html

    def test_menus_follow_the_role(self, logged_in, org):
        analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
        html = logged_in(analyst).get(reverse("workbench:home")).content.decode()
        assert "审计日志" in html and "人员与岗位" not in html and "导入用人单位" not in html
        assert logged_in(analyst).get(reverse("staff:list")).status_code == 403
