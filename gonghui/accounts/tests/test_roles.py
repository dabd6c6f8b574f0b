"""角色与权限: roles are data that only a system administrator creates or changes, audited; everyone who grants posts reads them."""
import pytest
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.models import Role
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, PermissionDenied

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_a_role_and_changes_it_audited(superuser):
    role = services.role_create(actor=superuser, code="mediator", name="调解员", permissions=["orgs.view", "members.view"])
    assert (role.code, role.permissions) == ("mediator", ["members.view", "orgs.view"])
    services.role_update(actor=superuser, role=role, name="人民调解员", permissions=["orgs.view"], description="劳动争议调解")
    role.refresh_from_db()
    assert (role.name, role.permissions, role.description) == ("人民调解员", ["orgs.view"], "劳动争议调解")
    updated = AuditEvent.objects.get(action="accounts.role.updated")
    assert updated.data["before"]["permissions"] == ["members.view", "orgs.view"] and updated.data["after"]["permissions"] == ["orgs.view"]
    assert AuditEvent.objects.filter(action="accounts.role.created", object_id=str(role.pk)).exists()


def test_a_district_admin_cannot_change_roles_that_every_district_shares(cadre):
    district = cadre("440106")
    admin_role = Role.objects.get(code="admin")
    with pytest.raises(PermissionDenied):
        services.role_update(actor=district, role=admin_role, name="管理员", permissions=[*admin_role.permissions, "calendar.manage"])
    with pytest.raises(PermissionDenied):
        services.role_create(actor=district, code="super", name="超级", permissions=["calendar.manage"])
    assert "calendar.manage" not in Role.objects.get(code="admin").permissions and not Role.objects.filter(code="super").exists()


@pytest.mark.parametrize("fields, message", [
    ({"code": "Bad Code"}, "代码"), ({"code": "admin"}, "已有"), ({"name": " "}, "名称"), ({"permissions": []}, "选择"),
    ({"permissions": ["orgs.fly"]}, "选择"),
])
def test_bad_role_input_is_refused_with_a_message(superuser, fields, message):
    with pytest.raises(ApplicationError, match=message):
        services.role_create(actor=superuser, **({"code": "clerk", "name": "文员", "permissions": ["orgs.view"]} | fields))
    assert not AuditEvent.objects.filter(action="accounts.role.created").exists()


def test_the_roles_page_reads_for_cadres_and_edits_for_administrators(logged_in, cadre, superuser, client):
    cadre("440104")  # an admin post in 越秀 is not counted for 天河
    response = logged_in(cadre("440106")).get(reverse("staff:roles"))
    page = response.content.decode()
    assert "审核员" in page and "办理入会审核" in page and reverse("staff:role_create") not in page
    assert {role.code: role.post_count for role, _ in response.context["roles"]}["admin"] == 1
    assert client.get(reverse("staff:role_create")).status_code == 403
    client.force_login(superuser)
    response = client.post(reverse("staff:role_create"), {"code": "lawyer2", "name": "", "permissions": ["orgs.view"]})
    assert response.status_code == 200 and 'value="lawyer2"' in response.content.decode()
    assert client.post(reverse("staff:role_create"), {"code": "lawyer2", "name": "法律顾问", "permissions": ["orgs.view"]}).status_code == 302
    role = Role.objects.get(code="lawyer2")
    edit = reverse("staff:role_edit", args=[role.pk])
    client.post(edit, {"code": "changed", "name": "法律顾问", "permissions": ["orgs.view", "employers.view"]})
    role.refresh_from_db()
    assert (role.code, role.permissions) == ("lawyer2", ["employers.view", "orgs.view"])
