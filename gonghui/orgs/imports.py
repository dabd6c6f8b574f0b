"""Spreadsheet import and export of orgs and employers (services: imports write, exports read).

An import is all-or-nothing: every row is validated, every bad row is reported by row and
column, and if any row is bad nothing is written. Re-uploading the same file is harmless
(rows are matched by 组织编码 / 统一社会信用代码).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError
from gonghui.core.pinyin import pinyin_initials
from gonghui.core.spreadsheets import Column, RowError, read_xlsx_rows, write_xlsx
from gonghui.orgs.error_codes import OrgErrorCode
from gonghui.orgs.models import Employer, Industry, Org, OrgType, Ownership, Sector
from gonghui.orgs.paths import common_ancestor_path
from gonghui.orgs.services import (
    EmployerInput,
    check_parent_type,
    EMPLOYERS_MANAGE,
    require_in_scope,
    employer_clean,
    org_create,
    org_update,
)

CODE_DIGITS = (6, 9, 12)  # the GB/T 2260 county and the statistical township and village codes union codes follow
MOBILE_DIGITS = (11,)

ORG_COLUMNS = (
    Column("code", "组织编码", text=True, digits=CODE_DIGITS),
    Column("name", "组织名称", width=30),
    Column("short_name", "简称"),
    Column("type", "组织类型"),
    Column("parent_code", "上级组织编码", text=True, digits=CODE_DIGITS),
    Column("sector", "行业"),
    Column("division_code", "区划代码", text=True, digits=CODE_DIGITS),
    Column("contact_name", "联系人"),
    Column("contact_phone", "联系电话", text=True, digits=MOBILE_DIGITS),  # a landline stored as a number lost its 0
    Column("address", "地址", width=30),
    Column("founded_on", "成立日期", text=True, date=True),
)

EMPLOYER_COLUMNS = (
    Column("uscc", "统一社会信用代码", text=True, width=22, digits=()),
    Column("name", "单位名称", width=32),
    Column("industry", "行业门类", width=24),
    Column("ownership", "经济类型"),
    Column("town_code", "所在街道/镇编码", text=True, digits=CODE_DIGITS),
    Column("address", "地址", width=30),
    Column("headcount", "职工人数"),
    Column("has_union", "是否建会"),
    Column("union_code", "工会组织编码", text=True, width=22, digits=CODE_DIGITS),
)

EMPLOYER_FIELD_COLUMN = {
    "uscc": "统一社会信用代码", "name": "单位名称", "industry": "行业门类", "ownership": "经济类型",
    "town": "所在街道/镇编码", "address": "地址", "headcount": "职工人数", "has_union": "是否建会",
    "union": "工会组织编码",
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


class _RollBack(Exception):
    """Raised inside the import transaction to undo every row when any row is bad."""


def _run_all_or_nothing(*, actor, action: str, data: bytes, process) -> ImportResult:
    result = ImportResult(file_sha256=hashlib.sha256(data).hexdigest())
    try:
        with transaction.atomic():
            process(result)
            if result.errors:
                raise _RollBack
            # the batch belongs where the importer works, so the cadres there find it in their audit search
            audit_log(
                actor=actor, action=action, org_path=common_ancestor_path(actor.org_scope_paths() if getattr(actor, "pk", None) else []),
                data={"created": result.created, "updated": result.updated, "file_sha256": result.file_sha256},
            )
    except _RollBack:
        result.created = result.updated = 0
    return result


def _org_by_code(code, cache: dict[str, Org]) -> Org | None:
    code = str(code or "").strip()
    if not code:
        return None
    if code not in cache:
        cache[code] = Org.objects.filter(code=code).first()
    return cache[code]


# ---------------------------------------------------------------- orgs

def _data_rows(data: bytes, columns) -> list[tuple[int, dict, list[RowError]]]:
    rows = list(read_xlsx_rows(data, columns=columns))
    if not rows:
        raise ApplicationError("表格中没有数据行", code=OrgErrorCode.IMPORT_ROWS)
    return rows


def _no_progress(done: int, total: int) -> None:
    """Imports run inline (tests, scripts) report progress nowhere."""


def org_import_xlsx(*, actor, data: bytes, progress=_no_progress) -> ImportResult:
    rows = _data_rows(data, ORG_COLUMNS)

    def process(result: ImportResult) -> None:
        cache: dict[str, Org] = {}
        seen: set[str] = set()
        for done, (row_number, values, problems) in enumerate(rows, start=1):
            _org_import_row(actor=actor, row_number=row_number, values=values, problems=problems, cache=cache, seen=seen, result=result)
            progress(done, len(rows))

    return _run_all_or_nothing(actor=actor, action="orgs.org.imported", data=data, process=process)


def _org_import_row(*, actor, row_number: int, values: dict, problems: list[RowError], cache: dict, seen: set,
                    result: ImportResult) -> None:
    """`problems`: cells read_xlsx_rows could not read (their value is None); nothing more is said of their columns."""
    errors: list[RowError] = list(problems)
    unreadable = {problem.column for problem in problems}

    def bad(column: str, message: str) -> None:
        if column not in unreadable:
            errors.append(RowError(row_number, column, message))

    code = str(values["code"] or "").strip()
    if code and code in seen:
        bad("组织编码", f"组织编码 {code} 在文件中重复出现")
    name = str(values["name"] or "").strip()
    if not name:
        bad("组织名称", "请填写组织名称")
    org_type = _label_to_code(values["type"], OrgType)
    if not org_type:
        bad("组织类型", f"组织类型“{values['type'] or ''}”不正确，可选：" + "、".join(OrgType.labels))
    sector = _label_to_code(values["sector"], Sector) if values["sector"] else ""
    if values["sector"] and not sector:
        bad("行业", f"行业“{values['sector']}”不正确，可选：" + "、".join(Sector.labels))
    parent = _org_by_code(values["parent_code"], cache)
    if values["parent_code"] and parent is None:
        bad("上级组织编码", f"找不到上级组织 {values['parent_code']}")
    founded_on = values["founded_on"]
    if founded_on is not None and founded_on > timezone.localdate():
        bad("成立日期", "成立日期不能晚于今天")
    existing = _org_by_code(code, cache) if code else None
    if org_type and not errors:
        errors.extend(_org_scope_and_type_errors(actor=actor, row_number=row_number, org_type=org_type, parent=parent, existing=existing))
    if errors:
        result.errors.extend(errors)
        return
    seen.add(code)
    fields = {
        "short_name": str(values["short_name"] or ""), "sector": sector,
        "division_code": str(values["division_code"] or ""), "contact_name": str(values["contact_name"] or ""),
        "contact_phone": str(values["contact_phone"] or ""), "address": str(values["address"] or ""),
        "founded_on": founded_on,
    }
    if existing is not None:
        org_update(actor=actor, org=existing, name=name, **fields)
        result.updated += 1
    else:
        org = org_create(actor=actor, name=name, type=org_type, parent=parent, code=code, **fields)
        cache[org.code] = org
        result.created += 1


def _org_scope_and_type_errors(*, actor, row_number: int, org_type: str, parent: Org | None, existing: Org | None) -> list[RowError]:
    if existing is not None:
        if existing.type != org_type:
            return [RowError(row_number, "组织类型", f"已有组织 {existing.code} 的类型是{existing.get_type_display()}，导入不能修改类型")]
        if parent is not None and existing.parent_id != parent.pk:
            return [RowError(row_number, "上级组织编码", "导入不能调整上级组织，请在组织树中使用“调整上级”")]
        target = existing
    else:
        try:
            check_parent_type(org_type=org_type, parent=parent)
        except ApplicationError as exc:
            return [RowError(row_number, "上级组织编码", exc.message)]
        target = parent
    if target is None:
        return [RowError(row_number, "上级组织编码", "请填写上级组织编码")]
    try:
        require_in_scope(actor=actor, org=target)
    except ApplicationError as exc:
        return [RowError(row_number, "上级组织编码" if existing is None else "组织编码", exc.message)]
    return []


def _label_to_code(value, choices) -> str:
    text = str(value or "").strip()
    for code, label in choices.choices:
        if text in (code, label):
            return code
    return ""


def org_export_xlsx(*, orgs) -> bytes:
    return write_xlsx(columns=ORG_COLUMNS, rows=(_org_row(org) for org in orgs.select_related("parent").iterator()), sheet_name="工会组织")


def _org_row(org: Org) -> dict:
    return {
        "code": org.code, "name": org.name, "short_name": org.short_name, "type": org.get_type_display(),
        "parent_code": org.parent.code if org.parent else "", "sector": org.get_sector_display() if org.sector else "",
        "division_code": org.division_code, "contact_name": org.contact_name, "contact_phone": org.contact_phone,
        "address": org.address, "founded_on": org.founded_on.isoformat() if org.founded_on else "",
    }


def org_template_xlsx() -> bytes:
    sample = {
        "code": "", "name": "示例有限公司工会委员会", "type": OrgType.ENTERPRISE.label, "parent_code": "440106001",
        "contact_name": "张三", "founded_on": "2026-01-01",
    }
    return write_xlsx(columns=ORG_COLUMNS, rows=[sample], sheet_name="工会组织")


# ---------------------------------------------------------------- employers

def employer_import_xlsx(*, actor, data: bytes, progress=_no_progress) -> ImportResult:
    rows = _data_rows(data, EMPLOYER_COLUMNS)

    def process(result: ImportResult) -> None:
        cache: dict[str, Org] = {}
        seen: dict[str, int] = {}
        existing = Employer.objects.in_bulk([str(v["uscc"] or "").strip().upper() for _, v, _ in rows], field_name="uscc")
        for done, (row_number, values, problems) in enumerate(rows, start=1):
            _employer_import_row(actor=actor, row_number=row_number, values=values, problems=problems, cache=cache, seen=seen,
                                 existing=existing, result=result)
            progress(done, len(rows))

    return _run_all_or_nothing(actor=actor, action="orgs.employer.imported", data=data, process=process)


def _employer_import_row(*, actor, row_number: int, values: dict, problems: list[RowError], cache: dict, seen: dict, existing: dict,
                         result: ImportResult) -> None:
    row_errors: list[RowError] = list(problems)
    unreadable = {problem.column for problem in problems}
    town = _org_by_code(values["town_code"], cache)
    if values["town_code"] and town is None:
        row_errors.append(RowError(row_number, "所在街道/镇编码", f"找不到组织编码 {values['town_code']}"))
    union = _org_by_code(values["union_code"], cache)
    if values["union_code"] and union is None:
        row_errors.append(RowError(row_number, "工会组织编码", f"找不到工会组织 {values['union_code']}"))
    data = EmployerInput(
        uscc=values["uscc"], name=values["name"], industry=values["industry"], ownership=values["ownership"],
        town=town, address=values["address"], headcount=values["headcount"], has_union=values["has_union"], union=union,
    )
    clean, errors = employer_clean(data)
    if town is None and values["town_code"]:
        errors.pop("town", None)
    row_errors.extend(RowError(row_number, EMPLOYER_FIELD_COLUMN[f], m) for f, m in errors.items()
                      if EMPLOYER_FIELD_COLUMN[f] not in unreadable)
    uscc = clean.get("uscc")
    if uscc and uscc in seen:
        row_errors.append(RowError(row_number, "统一社会信用代码", f"与第 {seen[uscc]} 行重复"))
    if town is not None and not row_errors:
        current = existing.get(uscc)
        checks = [(town, "所在街道/镇编码", "该街道/镇"), (union, "工会组织编码", "该工会"),
                  (current.town if current else None, "统一社会信用代码", "已登记的该单位")]
        for org, column, what in checks:
            if org is None:
                continue
            try:
                require_in_scope(actor=actor, org=org, action=EMPLOYERS_MANAGE, what=what)
            except ApplicationError as exc:
                row_errors.append(RowError(row_number, column, exc.message))
    if row_errors:
        result.errors.extend(row_errors)
        return
    seen[uscc] = row_number
    employer = existing.get(uscc)
    if employer is None:
        Employer.objects.create(**clean, name_initials=pinyin_initials(clean["name"]))
        result.created += 1
    else:
        for name, value in clean.items():
            setattr(employer, name, value)
        employer.name_initials = pinyin_initials(employer.name)
        employer.save()
        result.updated += 1


def employer_export_xlsx(*, employers) -> bytes:
    rows = (_employer_row(e) for e in employers.select_related("town", "union").iterator(chunk_size=2000))
    return write_xlsx(columns=EMPLOYER_COLUMNS, rows=rows, sheet_name="用人单位台账")


def _employer_row(employer: Employer) -> dict:
    return {
        "uscc": employer.uscc, "name": employer.name, "industry": employer.get_industry_display(),
        "ownership": employer.get_ownership_display(), "town_code": employer.town.code, "address": employer.address,
        "headcount": employer.headcount, "has_union": "是" if employer.has_union else "否",
        "union_code": employer.union.code if employer.union else "",
    }


def employer_template_xlsx() -> bytes:
    sample = {
        "uscc": "91440106MA59ABCD0J", "name": "示例科技有限公司（示例行，导入前请删除）", "industry": Industry.I.label,
        "ownership": Ownership.NON_PUBLIC.label, "town_code": "440106001", "address": "广州市天河区示例路1号",
        "headcount": 120, "has_union": "否",
    }
    return write_xlsx(columns=EMPLOYER_COLUMNS, rows=[sample], sheet_name="用人单位台账")
