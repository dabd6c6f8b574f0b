"""Member pages and API: the worker's three steps, the cadre's queues, scoping everywhere."""
import re

import pytest
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory, employer_account
from gonghui.jobs.models import Job
from gonghui.members import services
from gonghui.members.models import JoinApplication, JoinCode, Membership
from gonghui.members.tests.factories import join, new_id_number, worker
from gonghui.orgs.tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(org):
    return services.application_approve(actor=None, application_id=join(town_code="440106006", name="赵六").pk)


def test_scanning_a_county_code_counts_and_leads_to_the_join_form(client, org):
    code = services.join_code_for(org=org("440106"))
    response = client.get(reverse("members_h5:code", args=[code.token]))
    assert response["Location"] == reverse("members_h5:join")
    assert client.get(response["Location"])["Location"].startswith("/accounts/h5-login/")  # step 1: phone login
    assert JoinCode.objects.get(pk=code.pk).scan_count == 1
    assert client.get(reverse("members_h5:code", args=["nope"])).status_code == 404


def test_join_in_three_steps_from_a_county_code(client, org):
    code = services.join_code_for(org=org("440106"))
    user = worker()
    client.get(reverse("members_h5:code", args=[code.token]))
    client.force_login(user)  # step 1 done
    form = client.get(reverse("members_h5:join")).content.decode()  # step 2
    assert "天河区总工会" in form and "② 填写实名信息" in form
    employer = EmployerFactory(town=org("440106006"), name="天河某某科技有限公司")
    response = client.post(reverse("members_h5:join"), {"name": "钱七", "id_number": new_id_number(), "employer_id": employer.pk})
    application = JoinApplication.objects.get()
    assert response["Location"] == reverse("members_h5:submitted", args=[application.pk])  # step 3
    assert "石牌街道总工会" in client.get(response["Location"]).content.decode()
    assert application.join_code == code


def test_join_form_keeps_input_and_explains_errors(client, org):
    client.force_login(worker())
    html = client.post(reverse("members_h5:join"), {"name": "孙八", "id_number": "440106199513011234", "employer_name": "某店"}).content.decode()
    assert "出生日期无效" in html and 'value="孙八"' in html and 'value="某店"' in html


def test_place_picker_drills_down_to_a_town(client, org):
    top = client.get(reverse("members_h5:places")).content.decode()
    assert "广州市" in top and "东莞市" in top
    dongguan = client.get(reverse("members_h5:places"), {"org": org("4419").pk}).content.decode()
    assert "虎门镇" in dongguan  # 东莞: towns right under the city
    town = client.get(reverse("members_h5:places"), {"org": org("440106006").pk}).content.decode()
    assert 'name="town_code" value="440106006"' in town


def test_card_page_and_verification(client, member, cadre):
    client.force_login(member.person.user)
    page = client.get(reverse("members_h5:card")).content.decode()
    token = re.search(r'data-token="([^"]+)"', page).group(1)
    assert "赵六" in page and member.member_number in page
    assert client.get(reverse("members_h5:card_qr"), {"t": token})["Content-Type"] == "image/svg+xml"
    assert client.get(reverse("members_h5:card_sw"))["Service-Worker-Allowed"] == "/h5/member/card/"
    client.force_login(cadre("440106"))
    ok = client.post(reverse("members:verify_card"), {"token": token}).content.decode()
    assert "赵*" in ok and "石牌街道总工会" in ok and "赵六" not in ok
    assert "无效的会员卡二维码" in client.post(reverse("members:verify_card"), {"token": token[:-2] + "xx"}).content.decode()
    api = client.post("/api/member-cards/verify", {"token": "forged"}, content_type="application/json")
    assert api.status_code == 400 and api.json()["code"] == "members.card_forged"


def test_an_employer_account_cannot_verify_cards_on_the_page_or_the_api(client, member, org):
    client.force_login(member.person.user)
    token = re.search(r'data-token="([^"]+)"', client.get(reverse("members_h5:card")).content.decode()).group(1)
    client.force_login(employer_account(employer=EmployerFactory(town=org("440106006"))))
    assert "验证会员卡" not in client.get(reverse("orgs:employer_list")).content.decode()  # not in the menu
    assert client.get(reverse("members:verify_card")).status_code == 403
    page = client.post(reverse("members:verify_card"), {"token": token})
    assert page.status_code == 403 and "赵*" not in page.content.decode()
    api = client.post("/api/member-cards/verify", {"token": token}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "permission_denied" and "赵" not in api.content.decode()


def test_review_queue_approve_and_reject(client, org):
    reviewer = PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user
    first, second = join(town_code="440106006"), join(town_code="440106001")
    client.force_login(reviewer)
    queue = client.get(reverse("members:applications")).content.decode()
    assert "石牌街道总工会" in queue and ("剩余 15 个工作日" in queue or "剩余 14 个工作日" in queue)
    client.post(reverse("members:application_decide", args=[first.pk]), {"decision": "approve"})
    client.post(reverse("members:application_decide", args=[second.pk]), {"decision": "reject", "reason": "非本辖区单位"})
    assert Membership.objects.count() == 1
    assert JoinApplication.objects.get(pk=second.pk).reject_reason == "非本辖区单位"


def test_join_codes_page_downloads_and_policy(client, org):
    admin = PostFactory(org=org("440106"), role=Role.objects.get(code="admin")).user
    client.force_login(admin)
    page = client.get(reverse("members:join_codes")).content.decode()
    assert "天河区总工会" in page and "尚未生成" in page
    assert client.get(reverse("members:join_code_download", args=[org("440106").pk, "png"])).status_code == 404
    client.post(reverse("members:join_codes"))
    assert JoinCode.objects.filter(org=org("440106")).exists()
    png = client.get(reverse("members:join_code_download", args=[org("440106").pk, "png"]))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    pdf = client.get(reverse("members:join_code_download", args=[org("440106").pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    client.post(reverse("members:join_policy"), {"org": org("440106006").pk, "auto_approve": "on"})
    assert join(town_code="440106006").status == "approved"


class TestScoping:
    """A 天河区 cadre sees no 越秀区 member: the same 404 as a missing id, in pages, API, export and admin."""

    @pytest.fixture
    def yuexiu_member(self, org):
        return services.application_approve(actor=None, application_id=join(town_code="440104001").pk)

    def test_detail_page_and_api(self, client, cadre, yuexiu_member):
        client.force_login(cadre("440106"))
        for url in (reverse("members:detail", args=[yuexiu_member.pk]), f"/api/members/{yuexiu_member.pk}"):
            sibling, missing = client.get(url), client.get(url.replace(str(yuexiu_member.pk), "987654"))
            assert sibling.status_code == missing.status_code == 404

    def test_lists_export_and_queues(self, client, cadre, yuexiu_member, member, django_capture_on_commit_callbacks):
        client.force_login(cadre("440106"))
        assert client.get("/api/members").json()["count"] == 1
        page = client.get(reverse("members:list")).content.decode()
        assert member.member_number in page and yuexiu_member.member_number not in page
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("members:list"), {"export": "csv"})
        export = client.get(reverse("jobs:result", args=[Job.objects.get().pk])).getvalue().decode("utf-8-sig")
        assert member.member_number in export and yuexiu_member.member_number not in export
        join(town_code="440104001")
        assert "北京街道" not in client.get(reverse("members:applications")).content.decode()
        assert client.get(reverse("members:join_code_download", args=[yuexiu_member.union.parent_id, "png"])).status_code == 404

    def test_a_city_cadre_sees_both(self, client, cadre, yuexiu_member, member):
        client.force_login(cadre("4401"))
        assert client.get("/api/members").json()["count"] == 2
        assert client.get(reverse("members:detail", args=[yuexiu_member.pk])).status_code == 200


def test_membership_history_names_each_change_in_chinese(client, cadre, member):
    client.force_login(cadre("440106"))
    page = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    history = page[page.index('class="history"'):]
    assert "入会" in history and "joined" not in history


def test_every_kind_of_membership_change_has_a_label():
    from pathlib import Path

    from gonghui.members import imports
    from gonghui.members.models import MembershipEvent

    written = set()  # the kinds the services write: in kind="…", in assignments to kind, in the import's constants
    for module in (services, imports):
        for line in Path(module.__file__).read_text(encoding="utf-8").splitlines():
            if re.search(r'\bkind(=| = )|^IMPORTED\b', line) and "sniff_upload" not in line:
                written |= set(re.findall(r'"([a-z_]+)"', line))
    assert {"joined", "rejoined", "imported", "imported_undated", "left", "transferred", "unfrozen"} <= written
    assert written <= set(MembershipEvent.KIND_LABELS)
