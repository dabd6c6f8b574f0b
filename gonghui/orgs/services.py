"""Every write to the org tree and the employer ledger."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Concat, Substr

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, PermissionDenied
from gonghui.core.pinyin import pinyin_full, pinyin_initials
from gonghui.core.validators import InvalidIdentifier, normalize_uscc
from gonghui.orgs.error_codes import OrgErrorCode
from gonghui.orgs.models import (
    ALLOWED_PARENT_TYPES,
    Employer,
    GuidanceLink,
    Industry,
    Org,
    OrgMove,
    OrgType,
    Ownership,
)
from gonghui.orgs.paths import child_paths, depth_of

ORG_EDITABLE_FIELDS = (
    "name", "short_name", "sector", "division_code", "is_active",
    "contact_name", "contact_phone", "address", "founded_on",
)


ORGS_MANAGE = "orgs.manage"
EMPLOYERS_MANAGE = "employers.manage"


def require_in_scope(*, actor, org: Org, action: str = ORGS_MANAGE, what: str = "该组织") -> None:
    if actor is None:  # system jobs (seeding, migrations) act without a user
        return
    if not Org.objects.restrict(actor, action).filter(pk=org.pk).exists():
        raise PermissionDenied(f"无权管理{what}：它不在您有管理权限的组织范围内")


def check_parent_type(*, org_type: str, parent: Org | None) -> None:
    allowed = ALLOWED_PARENT_TYPES[org_type]
    type_label = OrgType(org_type).label
    if parent is None:
        if allowed:
            raise ApplicationError(f"{type_label}必须有上级组织", code=OrgErrorCode.PARENT_TYPE, fields={"parent": ["请选择上级组织"]})
        return
    if parent.type not in allowed:
        names = "、".join(OrgType(t).label for t in sorted(allowed))
        raise ApplicationError(
            f"{type_label}不能设在{parent.get_type_display()}之下（允许的上级：{names}）",
            code=OrgErrorCode.PARENT_TYPE,
            fields={"parent": [f"上级组织类型应为：{names}"]},
        )


def allocate_child_paths(parent: Org | None, count: int) -> list[str]:
    siblings = Org.objects.filter(parent=parent) if parent else Org.objects.filter(parent__isnull=True)
    last = siblings.aggregate(last=Max("path"))["last"]
    return child_paths(parent_path=parent.path if parent else "", last_child_path=last, count=count)


def _lock(*orgs: Org) -> None:
    """Row locks in primary-key order, so two moves never deadlock (Saleor's lock_objects)."""
    pks = sorted({org.pk for org in orgs if org is not None})
    list(Org.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))


def _lock_subtree(org: Org, *others: Org | None) -> None:
    extra = [other.pk for other in others if other is not None]
    rows = Org.objects.select_for_update().filter(Q(path__startswith=org.path) | Q(pk__in=extra)).order_by("pk")
    list(rows.values_list("pk", flat=True))


def _set_search_keys(org: Org) -> None:
    org.name_pinyin = pinyin_full(org.name)
    org.name_initials = pinyin_initials(org.name)


@transaction.atomic
def org_create(
    *,
    actor,
    name: str,
    type: str,
    parent: Org | None,
    code: str = "",
    short_name: str = "",
    sector: str = "",
    division_code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    founded_on: dt.date | None = None,
) -> Org:
    name = name.strip()
    if not name:
        raise ApplicationError("请填写组织名称", code=OrgErrorCode.INVALID, fields={"name": ["必填"]})
    if type not in OrgType.values:
        raise ApplicationError("组织类型不正确", code=OrgErrorCode.INVALID, fields={"type": ["请选择组织类型"]})
    check_parent_type(org_type=type, parent=parent)
    if parent is not None:
        require_in_scope(actor=actor, org=parent, what="上级组织")
        _lock(parent)
        parent.refresh_from_db()  # a move may have rewritten its path before we got the lock
    elif actor is not None and not actor.is_superuser:
        raise PermissionDenied("只有系统管理员可以创建顶级组织")
    code = code.strip()
    if code and Org.objects.filter(code=code).exists():
        raise ApplicationError(f"组织编码 {code} 已被使用", code=OrgErrorCode.CODE_TAKEN, fields={"code": ["编码重复"]})
    path = allocate_child_paths(parent, 1)[0]
    org = Org(
        code=code or f"TMP-{path}", name=name, short_name=short_name.strip(), type=type, sector=sector,
        division_code=division_code.strip(), parent=parent, path=path, depth=depth_of(path),
        contact_name=contact_name, contact_phone=contact_phone, address=address, founded_on=founded_on,
    )
    _set_search_keys(org)
    org.save()
    if not code:
        org.code = f"ORG{org.pk:08d}"
        org.save(update_fields=["code"])
    audit_log(actor=actor, action="orgs.org.created", obj=org, org_path=org.path, data={"type": type, "parent": parent.code if parent else None})
    return org


@transaction.atomic
def org_update(*, actor, org: Org, **changes) -> Org:
    require_in_scope(actor=actor, org=org)
    unknown = set(changes) - set(ORG_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError("不能修改这些字段：" + "、".join(sorted(unknown)), code=OrgErrorCode.INVALID)
    if "name" in changes and not str(changes["name"]).strip():
        raise ApplicationError("请填写组织名称", code=OrgErrorCode.INVALID, fields={"name": ["必填"]})
    if changes.get("is_active") is False and org.children.filter(is_active=True).exists():
        raise ApplicationError("该组织下仍有有效的下级组织，请先停用或调整下级组织", code=OrgErrorCode.HAS_ACTIVE_CHILDREN)
    before = {field: _plain(getattr(org, field)) for field in changes}
    for field, value in changes.items():
        setattr(org, field, value.strip() if isinstance(value, str) else value)
    _set_search_keys(org)
    org.save()
    after = {field: _plain(getattr(org, field)) for field in changes}
    audit_log(actor=actor, action="orgs.org.updated", obj=org, org_path=org.path, data={"before": before, "after": after})
    return org


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def org_move(*, actor, org: Org, new_parent: Org, reason: str) -> OrgMove:
    """Re-parent an org and its whole subtree in one statement (divisions redrawn, union re-parented)."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("请填写调整原因", code=OrgErrorCode.INVALID, fields={"reason": ["必填"]})
    require_in_scope(actor=actor, org=org)
    require_in_scope(actor=actor, org=new_parent, what="目标上级组织")
    _lock(org)
    org.refresh_from_db()
    # Lock the whole subtree and both parents in one pk-ordered statement: creators lock the parent
    # they add under, so none can slip a child in with the old prefix while we rewrite it.
    _lock_subtree(org, new_parent, org.parent)
    new_parent.refresh_from_db()
    if new_parent.path.startswith(org.path):
        raise ApplicationError("不能把组织调整到它自己或它的下级组织之下", code=OrgErrorCode.MOVE_INTO_SELF)
    if org.parent_id == new_parent.pk:
        raise ApplicationError(f"{org.name}已在{new_parent.name}之下", code=OrgErrorCode.MOVE_SAME_PARENT)
    check_parent_type(org_type=org.type, parent=new_parent)
    old_parent, old_path = org.parent, org.path
    new_path = allocate_child_paths(new_parent, 1)[0]
    moved = Org.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + (depth_of(new_path) - depth_of(old_path)),
    )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    record = OrgMove.objects.create(
        org=org, old_parent=old_parent, new_parent=new_parent,
        old_parent_name=old_parent.name if old_parent else "", new_parent_name=new_parent.name,
        old_path=old_path, new_path=new_path, descendants_moved=moved - 1, reason=reason,
        moved_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_log(
        actor=actor, action="orgs.org.moved", obj=org, org_path=new_path,
        data={"from": old_parent.code if old_parent else None, "to": new_parent.code, "descendants": moved - 1, "reason": reason},
    )
    return record


@transaction.atomic
def guidance_link_create(*, actor, org: Org, guide: Org, note: str = "") -> GuidanceLink:
    if org.pk == guide.pk:
        raise ApplicationError("组织不能指导自己", code=OrgErrorCode.INVALID)
    require_in_scope(actor=actor, org=guide, what="指导组织")
    try:
        with transaction.atomic():
            link = GuidanceLink.objects.create(org=org, guide=guide, note=note.strip())
    except IntegrityError:
        raise ApplicationError(f"{guide.name}已是{org.name}的业务指导组织", code=OrgErrorCode.INVALID) from None
    audit_log(actor=actor, action="orgs.guidance_link.created", obj=link, org_path=guide.path, data={"org": org.code, "guide": guide.code})
    return link


# ---------------------------------------------------------------- employers

EMPLOYER_LOCATION_TYPES = frozenset({OrgType.TOWN, OrgType.FUNCTION_ZONE})


@dataclass
class EmployerInput:
    """Raw employer fields as a form, the API or a spreadsheet row gives them."""

    uscc: object = ""
    name: object = ""
    industry: object = ""
    ownership: object = ""
    town: Org | None = None
    address: object = ""
    headcount: object = 0
    has_union: object = False
    union: Org | None = None


def employer_clean(data: EmployerInput) -> tuple[dict, dict[str, str]]:
    """Validate one employer; return (clean values, {field: Chinese message}). Used by every entry path."""
    errors: dict[str, str] = {}
    clean: dict = {}
    try:
        clean["uscc"] = normalize_uscc(data.uscc)
    except InvalidIdentifier as exc:
        errors["uscc"] = str(exc)
    clean["name"] = str(data.name or "").strip()
    if not clean["name"]:
        errors["name"] = "请填写单位名称"
    clean["industry"] = _choice(data.industry, Industry, errors, "industry", "行业门类")
    clean["ownership"] = _choice(data.ownership, Ownership, errors, "ownership", "经济类型")
    if data.town is None:
        errors["town"] = "请选择单位所在的街道/镇"
    elif data.town.type not in EMPLOYER_LOCATION_TYPES:
        errors["town"] = f"{data.town.name}不是街道/镇或功能区，请选择单位所在的街道/镇"
    clean["town"] = data.town
    clean["address"] = str(data.address or "").strip()
    clean["headcount"] = _headcount(data.headcount, errors)
    clean["has_union"] = _yes_no(data.has_union, errors)
    clean["union"] = data.union
    if data.union is not None:
        if data.union.type != OrgType.ENTERPRISE:
            errors["union"] = f"{data.union.name}不是企业工会"
        clean["has_union"] = True
    return clean, errors


def _choice(value, choices, errors: dict, field: str, label: str) -> str:
    text = str(value or "").strip()
    for code, display in choices.choices:
        if text in (code, display) or (len(text) > 1 and display.endswith(text)):
            return code
    errors[field] = f"{label}“{text}”不在可选范围内" if text else f"请填写{label}"
    return ""


MAX_HEADCOUNT = 2_000_000


def _headcount(value, errors: dict) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        errors["headcount"] = f"职工人数应为整数，当前为“{value}”"
        return 0
    if number < 0:
        errors["headcount"] = "职工人数不能为负数"
    elif number > MAX_HEADCOUNT:  # and far below what the column holds, so a typo is refused rather than a database error
        errors["headcount"] = f"职工人数不能超过 {MAX_HEADCOUNT:,} 人"
        return 0
    return number


def _yes_no(value, errors: dict) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip()
    if text in ("是", "已建会", "1", "true", "True"):
        return True
    if text in ("", "否", "未建会", "0", "false", "False"):
        return False
    errors["has_union"] = f"是否建会应填“是”或“否”，当前为“{text}”"
    return False


def _raise_if_errors(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise ApplicationError(first, code=OrgErrorCode.INVALID, fields={f: [m] for f, m in errors.items()})


@transaction.atomic
def employer_create(*, actor, data: EmployerInput) -> Employer:
    clean, errors = employer_clean(data)
    _raise_if_errors(errors)
    require_in_scope(actor=actor, org=clean["town"], action=EMPLOYERS_MANAGE, what="该街道/镇")
    if clean["union"] is not None:
        require_in_scope(actor=actor, org=clean["union"], action=EMPLOYERS_MANAGE, what="该工会")
    existing = Employer.objects.filter(uscc=clean["uscc"]).first()
    if existing is not None:
        raise ApplicationError(
            f"统一社会信用代码已登记为“{existing.name}”", code=OrgErrorCode.USCC_TAKEN, fields={"uscc": ["已登记"]}
        )
    employer = Employer(**clean, name_initials=pinyin_initials(clean["name"]))
    employer.save()
    audit_log(actor=actor, action="orgs.employer.created", obj=employer, org_path=employer.town.path, data={"uscc": employer.uscc})
    return employer


@transaction.atomic
def employer_update(*, actor, employer: Employer, data: EmployerInput) -> Employer:
    require_in_scope(actor=actor, org=employer.town, action=EMPLOYERS_MANAGE, what="该单位")
    clean, errors = employer_clean(data)
    if clean.get("uscc") and clean["uscc"] != employer.uscc and Employer.objects.filter(uscc=clean["uscc"]).exists():
        errors["uscc"] = "该统一社会信用代码已被其他单位使用"
    _raise_if_errors(errors)
    require_in_scope(actor=actor, org=clean["town"], action=EMPLOYERS_MANAGE, what="新的所在街道/镇")
    if clean["union"] is not None:
        require_in_scope(actor=actor, org=clean["union"], action=EMPLOYERS_MANAGE, what="该工会")
    before = {field: _plain_ref(getattr(employer, field)) for field in clean}
    for field, value in clean.items():
        setattr(employer, field, value)
    employer.name_initials = pinyin_initials(employer.name)
    employer.save()
    after = {field: _plain_ref(getattr(employer, field)) for field in clean}
    changed = {f: [before[f], after[f]] for f in clean if before[f] != after[f]}
    audit_log(actor=actor, action="orgs.employer.updated", obj=employer, org_path=employer.town.path, data={"changed": changed})
    return employer


def _plain_ref(value):
    return value.code if isinstance(value, Org) else value

