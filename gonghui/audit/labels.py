"""What the audit page says in Chinese: who, which action, which object, which fields.

Each app names its own audit actions and data keys in its `audit_labels.py` (`ACTIONS`: action code → label, `FIELDS`:
data key → label, `VALUES`: data key → {stored value → label}); the functions here look them up across installed apps,
so no central list grows with each app. A data key that no app names falls back to the verbose_name of the object's model field, then to the key.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.module_loading import module_has_submodule

from gonghui.core.masking import mask_phone, scrub_pii

# Keys that many apps' events carry.
COMMON_FIELDS = {
    "before": "修改前", "after": "修改后", "changed": "修改内容", "reason": "理由", "note": "备注", "comment": "意见",
    "rows": "行数", "created": "新增", "updated": "更新", "unchanged": "未变", "bad_rows": "有误行数", "file_sha256": "文件哈希（SHA-256）",
    "format": "格式", "mode": "导入方式", "filters": "筛选条件", "scope": "范围（组织路径）", "from": "原", "to": "新", "name": "名称",
    "year": "年度", "file": "文件", "files": "文件", "id": "编号", "status": "状态", "key_id": "密钥编号", "source": "来源",
}
WORKER_KIND = "worker"  # accounts.UserKind.WORKER (audit imports no app of ours)
VALUE_LIMIT = 300


@lru_cache(maxsize=1)
def _declared() -> tuple[dict[str, str], dict[str, str], dict[str, dict]]:
    actions, fields, values = {}, dict(COMMON_FIELDS), {}
    for config in apps.get_app_configs():
        if config.module is not None and module_has_submodule(config.module, "audit_labels"):
            module = import_module(f"{config.name}.audit_labels")
            actions.update(getattr(module, "ACTIONS", {}))
            fields.update(getattr(module, "FIELDS", {}))
            values.update(getattr(module, "VALUES", {}))
    return actions, fields, values


def _value(key: str, value):
    """A stored code (an import mode, a status, each of a list of actions) by its label, where an app named it."""
    if isinstance(value, list):
        return [_value(key, item) for item in value]
    return _declared()[2].get(key, {}).get(value, value) if isinstance(value, str) else value


def action_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Declared actions grouped under their app's name (for the page's action filter), each group in label order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, label in _declared()[0].items():
        groups.setdefault(code.split(".", 1)[0], []).append((code, label))
    return [(_app_name(app), sorted(actions, key=lambda item: item[1])) for app, actions in sorted(groups.items())]


def _app_name(app_label: str) -> str:
    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return app_label


def action_label(code: str) -> str:
    """The label an app gave the action, or the code itself for one nobody named."""
    return _declared()[0].get(code, code)


def field_label(key: str, model: type[models.Model] | None = None) -> str:
    declared = _declared()[1]
    if key in declared:
        return declared[key]
    if model is not None:
        try:
            return str(model._meta.get_field(key).verbose_name)
        except Exception:  # FieldDoesNotExist, or a relation without a verbose name
            pass
    return key


def actor_label(user) -> str:
    """The operator as a cadre reads them: a cadre's or external account's display name; a worker by masked name
    (or masked phone before they gave their name), never the account's machine name."""
    if getattr(user, "kind", "") == WORKER_KIND:
        person = getattr(user, "person", None)  # members.Person, when the worker has one
        if person is not None:
            return f"职工 {person}"
        return f"职工 {mask_phone(user.phone)}" if getattr(user, "phone", "") else "职工"
    return getattr(user, "display_name", "") or getattr(user, "username", "") or str(user)


def object_label(obj: models.Model) -> str:
    """The object's own name with PII masked (a user is named as an operator would be)."""
    if obj._meta.label == settings.AUTH_USER_MODEL:
        return actor_label(obj)
    return scrub_pii(str(obj))


def model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def object_kind_label(object_type: str) -> str:
    model = model_for(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def value_text(value) -> str:
    """A value from the event's data as a short line of text, PII masked."""
    if value is None or value == "" or value == [] or value == {}:
        text = "—"
    elif value is True or value is False:
        text = "是" if value else "否"
    elif isinstance(value, (list, tuple)):
        text = "、".join(value_text(item) for item in value)
    elif isinstance(value, dict):
        text = "；".join(f"{key}：{value_text(item)}" for key, item in value.items())
    else:
        text = str(value)
    text = scrub_pii(text)
    return text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT] + "…"


def data_rows(data: dict, model: type[models.Model] | None = None) -> list[tuple[str, str]]:
    """The event's data as (label, value) rows: a before/after pair or a `changed` map as "old → new" per field, every
    other key by its label."""
    if not isinstance(data, dict):
        return [("内容", value_text(json.dumps(data, ensure_ascii=False)))]
    rows = []
    before, after = data.get("before"), data.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        for key in dict.fromkeys([*before, *after]):
            rows.append((field_label(key, model), f"{value_text(before.get(key))} → {value_text(after.get(key))}"))
    changed = data.get("changed")
    if isinstance(changed, dict):
        for key, pair in changed.items():
            old, new = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
            rows.append((field_label(key, model), f"{value_text(old)} → {value_text(new)}"))
    for key, value in data.items():
        if (key in ("before", "after") and isinstance(before, dict) and isinstance(after, dict)) or (key == "changed" and isinstance(changed, dict)):
            continue
        rows.append((field_label(key, model), value_text(_value(key, value))))
    return rows

