"""The default roles and the actions they get, from the apps' declarations (decision 0012).

Roles stay data: administrators change them in the admin. What the apps declare is only where a role starts: a missing
default role is created with its declared actions, and an action that appears later (a new app, a new feature) is given
once to the default roles it names. A role remembers the actions it was given that way, so one an administrator took
away is not given back by the next migrate.
"""
from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, transaction

from gonghui.audit.services import audit_log
from gonghui.core import registry

GIVEN_FIELD = "default_actions_given"


def role_defaults_sync(*, role_model=None) -> dict[str, list[str]]:
    """Idempotent. Returns, per existing role, the actions it was given now (each change is audited; creating a missing
    role is not a change to anyone's rights, so it is not)."""
    Role = role_model or global_apps.get_model("accounts", "Role")
    declared = {role.code: role for role in registry.default_role_list()}
    given: dict[str, list[str]] = {}
    with transaction.atomic():
        for code, actions in registry.default_grants().items():
            role = Role.objects.select_for_update().filter(code=code).first()
            if role is None:
                Role.objects.create(code=code, name=declared[code].name, description=declared[code].description,
                                    permissions=sorted(actions), default_actions_given=sorted(actions))
                continue
            new = sorted(set(actions) - set(role.default_actions_given))
            if not new:
                continue
            role.permissions = sorted(set(role.permissions) | set(new))
            role.default_actions_given = sorted(set(role.default_actions_given) | set(new))
            role.save(update_fields=["permissions", GIVEN_FIELD])
            audit_log(actor=None, action="accounts.role.defaults_given", obj=role, data={"role": code, "actions": new})
            given[code] = new
    return given


def sync_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """post_migrate (also sent after a flush): skipped while the Role table does not have the column yet (a migrate to
    an earlier accounts migration)."""
    if using != DEFAULT_DB_ALIAS:
        return
    try:
        Role = apps.get_model("accounts", "Role")
    except LookupError:
        return
    if any(field.name == GIVEN_FIELD for field in Role._meta.get_fields()):
        role_defaults_sync(role_model=Role)


def load_default_roles(apps, schema_editor) -> None:
    """Reference data (tests reload it after a transactional test flushed the tables)."""
    role_defaults_sync(role_model=apps.get_model("accounts", "Role"))
