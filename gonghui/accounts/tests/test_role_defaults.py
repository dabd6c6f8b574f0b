"""Default roles and their actions come from the apps' declarations; roles stay data that administrators change."""
import importlib

import pytest
from django.apps import apps
from django.core.management.sql import emit_post_migrate_signal

from gonghui.accounts.models import Role
from gonghui.accounts.roles import role_defaults_sync
from gonghui.accounts.selectors import actions_for
from gonghui.accounts.tests.factories import UserFactory
from gonghui.audit.models import AuditEvent
from gonghui.core import registry

pytestmark = pytest.mark.django_db


def test_a_migrated_database_has_every_default_role_with_its_declared_actions():
    for code, actions in registry.default_grants().items():
        role = Role.objects.get(code=code)
        assert set(role.permissions) == set(role.default_actions_given) == set(actions), code
    assert set(Role.objects.get(code="admin").permissions) == set(registry.action_list()) - {"calendar.manage"}  # decision 0005
    assert Role.objects.get(code="calendar_admin").permissions == ["calendar.manage"]


def test_a_system_administrator_may_do_every_declared_action():
    assert actions_for(user=UserFactory(is_superuser=True)) == frozenset(registry.action_list())


def test_a_grant_an_administrator_removed_before_0012_stays_removed():
    """Databases made before roles remembered their default grants: migration 0009 counts the earlier grants as given."""
    reviewer = Role.objects.get(code="reviewer")
    reviewer.permissions, reviewer.default_actions_given = ["orgs.view", "members.view"], []  # members.manage taken away long ago
    reviewer.save()
    migration = importlib.import_module("gonghui.accounts.migrations.0010_role_default_actions_given")
    migration.mark_given(apps, None)
    given = role_defaults_sync()  # only actions apps declared after 0010 (tickets …), never one 0010 counted as given
    assert all(not set(actions) & set(migration.GIVEN[code]) for code, actions in given.items()), given
    assert Role.objects.get(code="reviewer").permissions == ["orgs.view", "members.view"]


def test_migrate_recreates_a_missing_default_role_without_an_audit_event():
    before = AuditEvent.objects.filter(action="accounts.role.defaults_given").count()  # the test database's own migrate gave some
    Role.objects.filter(code="lawyer").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # what migrate (and flush) send at the end
    assert Role.objects.get(code="lawyer").permissions == ["orgs.view"]
    assert AuditEvent.objects.filter(action="accounts.role.defaults_given").count() == before
    assert role_defaults_sync() == {}  # idempotent
