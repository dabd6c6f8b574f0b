"""The admin's bulk delete leaves one audit event per batch naming every deleted row; posts and roles are read-only there."""
import datetime as dt

import pytest
from django.urls import reverse

from gonghui.accounts.models import Post, Role
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.audit.models import AuditEvent
from gonghui.worktime.models import DayKind, HolidayOverride

pytestmark = pytest.mark.django_db


def bulk_delete(client, changelist: str, ids, confirm: bool = True):
    data = {"action": "delete_selected", "_selected_action": [str(pk) for pk in ids]}
    return client.post(reverse(changelist), data | ({"post": "yes"} if confirm else {}))


def test_a_bulk_delete_is_audited_with_the_ids_it_removed(client, superuser):
    rows = [HolidayOverride.objects.create(date=dt.date(2027, 10, day), kind=DayKind.HOLIDAY, name="国庆节") for day in (1, 2, 3)]
    client.force_login(superuser)
    asked = bulk_delete(client, "admin:worktime_holidayoverride_changelist", [rows[0].pk, rows[1].pk], confirm=False)
    assert asked.status_code == 200 and HolidayOverride.objects.count() == 3
    assert not AuditEvent.objects.filter(action__endswith="bulk_deleted").exists()  # only asked, nothing deleted
    assert bulk_delete(client, "admin:worktime_holidayoverride_changelist", [rows[0].pk, rows[1].pk]).status_code == 302
    assert list(HolidayOverride.objects.all()) == [rows[2]]
    event = AuditEvent.objects.get(action="worktime.holidayoverride.bulk_deleted")
    assert event.actor == superuser and event.data["count"] == 2
    assert sorted(event.data["ids"]) == sorted([str(rows[0].pk), str(rows[1].pk)])


def test_a_bulk_delete_of_users_is_audited_too(client, superuser):
    leavers = [UserFactory(username=f"leaver{index}") for index in range(2)]
    client.force_login(superuser)
    bulk_delete(client, "admin:accounts_user_changelist", [user.pk for user in leavers])
    event = AuditEvent.objects.get(action="accounts.user.bulk_deleted")
    assert sorted(event.data["ids"]) == sorted(str(user.pk) for user in leavers)


def test_posts_and_roles_are_shown_but_not_changed_in_the_admin(client, superuser, org):
    post = PostFactory(org=org("440106"))
    client.force_login(superuser)
    assert client.get(reverse("admin:accounts_post_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_post_change", args=[post.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_post_add")).status_code == 403
    assert client.get(reverse("admin:accounts_role_add")).status_code == 403
    assert client.post(reverse("admin:accounts_post_delete", args=[post.pk]), {"post": "yes"}).status_code == 403
    admin_role = Role.objects.get(code="admin")
    before = list(admin_role.permissions)
    client.post(reverse("admin:accounts_role_change", args=[admin_role.pk]), {"code": "admin", "name": "x", "permissions": "[]"})
    admin_role.refresh_from_db()
    assert admin_role.permissions == before
    bulk_delete(client, "admin:accounts_post_changelist", [post.pk])
    assert Post.objects.filter(pk=post.pk).exists()
    # The user page lists the posts but offers no way to add, change or delete one there.
    page = client.get(reverse("admin:accounts_user_change", args=[post.user.pk])).content.decode()
    assert "天河区总工会" in page
    assert not any(f'name="posts-{part}' in page for part in ("0-org", "0-role", "0-DELETE", "__prefix__"))
