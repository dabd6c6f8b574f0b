"""对象授权 on the 工作台 and in the API: a 越秀区 cadre opens one application to an outside lawyer, lists and revokes it;
wrong kinds, ids out of reach, self-grants and actions not held are refused with nothing written."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import ObjectGrant
from gonghui.accounts.services import object_grant_give
from gonghui.accounts.tests.factories import UserFactory
from gonghui.core.exceptions import NOT_FOUND_MESSAGE
from gonghui.members.models import JoinApplication
from gonghui.members.tests.factories import join
from gonghui.orgs.models import Org, OrgType

pytestmark = pytest.mark.django_db
KIND = "members.joinapplication"


@pytest.fixture
def case(org, cadre):
    application = join(town_code=Org.objects.filter(parent__code="440104", type=OrgType.TOWN).first().code)
    return application, cadre("440104"), UserFactory(kind="external", username="lawyer_chen", display_name="陈律师")


def give_form(application, **changes) -> dict:
    return {"kind": KIND, "object_id": application.pk, "username": "lawyer_chen", "actions": ["members.view"], "until": "", **changes}


def test_a_cadre_gives_lists_and_revokes_a_grant(case, logged_in):
    application, yuexiu, lawyer = case
    client = logged_in(yuexiu)
    prefilled = client.get(reverse("staff:object_grants"), {"kind": KIND, "object_id": application.pk}).content.decode()
    assert f'value="{application.pk}"' in prefilled and "新增授权" in prefilled

    until = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(reverse("staff:object_grant_give"), give_form(application, until=until.isoformat()))
    assert response.status_code == 302
    grant = ObjectGrant.objects.get()
    assert (grant.grantee, grant.actions, grant.org_path) == (lawyer, ["members.view"], application.union.path)
    assert timezone.localtime(grant.valid_until).date() == until + dt.timedelta(days=1)  # through the whole last day
    assert list(JoinApplication.objects.restrict(lawyer, "members.view")) == [application]

    listing = client.get(reverse("staff:object_grants"), {"q": "陈律师", "state": "valid"}).content.decode()
    assert "lawyer_chen" in listing and "有效" in listing and "共 1 项授权" in listing
    assert "lawyer_chen" not in client.get(reverse("staff:object_grants"), {"state": "revoked"}).content.decode()

    assert "确认撤销" in client.get(reverse("staff:object_grant_revoke", args=[grant.pk])).content.decode()
    assert client.post(reverse("staff:object_grant_revoke", args=[grant.pk])).status_code == 302
    assert not JoinApplication.objects.restrict(lawyer, "members.view").exists()
    again = client.post(reverse("staff:object_grant_revoke", args=[grant.pk])).content.decode()
    assert "该授权已撤销" in again


def test_refusals_keep_what_was_typed_and_write_nothing(case, logged_in, cadre):
    application, yuexiu, lawyer = case
    client = logged_in(yuexiu)
    cases = {
        "给自己": (give_form(application, username=yuexiu.username), "不能给自己授权"),
        "没有的权限": (give_form(application, actions=["members.view", "calendar.manage"]), "不能授予他人：维护工作日历"),
        "没有的账号": (give_form(application, username="nobody_here"), "没有这个账号"),
        "已过的日期": (give_form(application, until="2020-01-01"), "授权截止时间应晚于"),
    }
    for label, (form, message) in cases.items():
        page = client.post(reverse("staff:object_grant_give"), form).content.decode()
        assert message in page, label
        assert f'value="{application.pk}"' in page, label  # the form keeps what was typed
    assert not ObjectGrant.objects.exists()

    tianhe = logged_in(cadre("440106"))  # a sibling district: the application is out of reach, answered as a missing one
    sibling = tianhe.post(reverse("staff:object_grant_give"), give_form(application)).content.decode()
    missing = tianhe.post(reverse("staff:object_grant_give"), give_form(application, object_id=987654321)).content.decode()
    unknown_kind = tianhe.post(reverse("staff:object_grant_give"), give_form(application, kind="auth.user")).content.decode()
    assert NOT_FOUND_MESSAGE in sibling and NOT_FOUND_MESSAGE in missing and "请选择" in unknown_kind
    assert not ObjectGrant.objects.exists()


def test_a_grant_is_listed_where_its_object_is_and_by_its_giver_only(case, logged_in, cadre):
    application, yuexiu, lawyer = case
    grant = object_grant_give(actor=yuexiu, grantee=lawyer, obj=application, actions=["members.view"])
    assert "lawyer_chen" in logged_in(cadre("4401")).get(reverse("staff:object_grants")).content.decode()  # the city above
    tianhe = logged_in(cadre("440106"))
    assert "lawyer_chen" not in tianhe.get(reverse("staff:object_grants")).content.decode()
    assert tianhe.get(reverse("staff:object_grant_revoke", args=[grant.pk])).status_code == 404
    assert tianhe.post(reverse("staff:object_grant_revoke", args=[grant.pk])).status_code == 404
    assert ObjectGrant.objects.get().revoked_at is None


def test_the_api_gives_lists_and_revokes(case, logged_in, cadre):
    application, yuexiu, lawyer = case
    client = logged_in(yuexiu)
    body = {"kind": KIND, "object_id": application.pk, "grantee": "lawyer_chen", "actions": ["members.view"]}
    created = client.post("/api/object-grants", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["grantee"] == "lawyer_chen" and created.json()["valid_until"] is None
    listed = client.get("/api/object-grants", {"state": "valid"}).json()
    assert listed["count"] == 1 and listed["items"][0]["kind"] == KIND
    assert client.post(f"/api/object-grants/{created.json()['id']}/revoke").json()["revoked_at"]

    self_grant = client.post("/api/object-grants", {**body, "grantee": yuexiu.username}, content_type="application/json")
    assert self_grant.status_code == 400 and self_grant.json()["code"] == "accounts.grant_self"
    tianhe = logged_in(cadre("440106"))
    sibling = tianhe.post("/api/object-grants", body, content_type="application/json")
    missing = tianhe.post("/api/object-grants", {**body, "object_id": 987654321}, content_type="application/json")
    assert sibling.status_code == missing.status_code == 404 and sibling.json() == missing.json()
    assert sibling.json()["message"] == NOT_FOUND_MESSAGE
    assert ObjectGrant.objects.count() == 1


def test_the_audit_page_tells_a_grant_in_words(case, logged_in):
    application, yuexiu, lawyer = case
    object_grant_give(actor=yuexiu, grantee=lawyer, obj=application, actions=["members.view"],
                      until=timezone.now() + dt.timedelta(days=3))
    page = logged_in(yuexiu).get(reverse("audit:search"), {"action": "accounts.object_grant.given"}).content.decode()
    assert "授予对象权限" in page and "陈律师（lawyer_chen）" in page and f"入会申请 #{application.pk}" in page
    assert "查看会员" in page and "members.view" not in page and "失效时间" in page
