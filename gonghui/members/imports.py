"""Bulk member import (xlsx or csv, UTF-8 or GB18030) and export, built for a million rows.

Rows are validated and encrypted in batches; each batch is written with one COPY per table on
PostgreSQL (bulk_create elsewhere) and leaves one audit event. "all or nothing" runs every batch in
one transaction and rolls it all back if any row is bad; "good rows" commits batch by batch and
skips the bad ones. Either way every bad row is reported by row, column and reason. Re-importing
the same file creates nothing new: people are matched by the blind index of their 身份证号.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.accounts.selectors import actions_for
from gonghui.audit.services import audit_log
from gonghui.core import crypto
from gonghui.core.exceptions import ApplicationError, PermissionDenied
from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.core.spreadsheets import XLSX_MAGIC, Column, RowError, write_xlsx
from gonghui.core.validators import InvalidIdentifier, normalize_mobile, parse_id_number
from gonghui.members.models import Employment, Membership, MembershipEvent, MembershipStatus, NewFormType, Person
from gonghui.members.services import LIVE_STATUSES, MEMBER_UNION_TYPES, mask_org_name, member_number_for
from gonghui.orgs.models import Org, scope_paths, subtree_q

BATCH_SIZE = 5000
MAX_BYTES = 400 * 1024 * 1024
MODES = {"all_or_nothing": "有错则全部不导入", "good_rows": "只导入正确的行"}

COLUMNS = (
    Column("name", "姓名", width=10),
    Column("id_number", "身份证号", text=True, width=22),
    Column("phone", "手机号", text=True, width=14),
    Column("union_code", "所在工会编码", text=True, width=22),
    Column("joined_on", "入会日期", text=True, width=12),
    Column("new_form_type", "新就业形态", width=12),
    Column("platform_company", "平台企业", width=14),
)
NEW_FORM_BY_LABEL = {label: value for value, label in NewFormType.choices}
ID_INDEX_PURPOSE = Person._meta.get_field("id_index").purpose
PHONE_INDEX_PURPOSE = Person._meta.get_field("phone_index").purpose
SCIENTIFIC = re.compile(r"\d(\.\d+)?[eE]\+?\d+")  # 4.40106E+17: what Excel writes for an ID it took for a number


@dataclass
class Candidate:
    row: int
    name: str
    id_number: str
    id_index: str
    phone: str
    union: Org
    joined_on: dt.date
    new_form_type: str
    platform_company: str
    gender: str
    birth_date: dt.date


@dataclass
class MemberImportResult:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_sha256: str = ""


# ---------------------------------------------------------------- reading


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return repr(value)  # keep the float form so the ID check can tell Excel turned it into a number
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def open_rows(data: bytes) -> tuple[Iterator[list], int]:
    """(raw rows with the header first, about how many rows) of an xlsx's first sheet or a UTF-8/GB18030 csv."""
    if len(data) > MAX_BYTES:
        raise ApplicationError(f"文件过大：不能超过 {MAX_BYTES // 1024 // 1024} MB", code="members.file_too_large")
    if not data.strip():
        raise ApplicationError("上传的文件是空的", code="members.file_empty")
    if data.startswith(XLSX_MAGIC):
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        except Exception as exc:  # calamine's own error types for broken archives
            raise ApplicationError("无法读取该 Excel 文件，请确认文件未损坏", code="members.file_unreadable") from exc
        return iter(sheet.iter_rows()), max(sheet.height - 1, 1)
    if b"\x00" in data[:4096]:
        raise ApplicationError("文件格式不正确：请上传 .xlsx 或 .csv 文件", code="members.file_type")
    encoding = _encoding(data)
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")  # decoded as read, never held whole
    return csv.reader(text), max(data.count(b"\n") - 1, 1)


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) if the whole file is valid UTF-8, else GB18030 (what Excel saves as "CSV" in China)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start:start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ApplicationError("无法识别文件编码：请保存为 UTF-8 或 GB18030（GBK）编码的 CSV", code="members.file_encoding")


def _header_positions(header: list) -> dict[str, int]:
    titles = [str(cell or "").strip().lstrip(codecs.BOM_UTF8.decode()) for cell in header]
    missing = [c.header for c in COLUMNS[:4] if c.header not in titles]
    if missing:
        raise ApplicationError("表头缺少列：" + "、".join(missing) + "。请使用下载的导入模板", code="members.missing_columns")
    return {c.key: titles.index(c.header) for c in COLUMNS if c.header in titles}


# ---------------------------------------------------------------- validating


class _Context:
    """What validation needs across rows: the unions the actor may import into (one query), IDs already seen."""

    def __init__(self, actor):
        scope = Org.objects.filter(subtree_q(actor, "members.manage", "path")) if actor is not None else Org.objects.all()
        self.unions = {org.code: org for org in scope.filter(type__in=MEMBER_UNION_TYPES, is_active=True).only("pk", "code", "name", "path")}
        self.seen: dict[str, int] = {}
        self.today = timezone.localdate()

    def union(self, code: str) -> Org | None:
        return self.unions.get(code)


def _validate(row_number: int, cells: list, positions: dict[str, int], context: _Context) -> tuple[Candidate | None, list[RowError]]:
    value = {key: _cell_text(cells[index]) if index < len(cells) else "" for key, index in positions.items()}
    errors: list[RowError] = []

    def bad(column: str, message: str) -> None:
        errors.append(RowError(row_number, column, message))

    name = value["name"]
    if not 2 <= len(name) <= 30:
        bad("姓名", "请填写姓名（2到30个字）")
    id_number, parsed = "", None
    raw_id = cells[positions["id_number"]] if positions["id_number"] < len(cells) else None
    if isinstance(raw_id, (int, float)) or SCIENTIFIC.fullmatch(value["id_number"]):
        bad("身份证号", "身份证号被表格软件转成了数字（末几位已丢失），请将该列设为文本后重新填写")
    else:
        try:
            parsed = parse_id_number(value["id_number"], today=context.today)
            id_number = parsed.value
        except InvalidIdentifier as exc:
            bad("身份证号", str(exc))
    phone = ""
    if value["phone"]:
        try:
            phone = normalize_mobile(value["phone"])
        except InvalidIdentifier as exc:
            bad("手机号", str(exc))
    union = context.union(value["union_code"]) if value["union_code"] else None
    if union is None:
        bad("所在工会编码", f"找不到工会编码“{value['union_code']}”，或它不在您的管辖范围内" if value["union_code"] else "请填写所在工会编码")
    joined_on = context.today
    if value.get("joined_on"):
        try:
            joined_on = dt.date.fromisoformat(value["joined_on"].replace("/", "-")[:10])
        except ValueError:
            bad("入会日期", f"日期“{value['joined_on']}”格式不正确，应为 2026-11-26")
    if joined_on > context.today:
        bad("入会日期", "入会日期不能晚于今天")
    if len(value.get("platform_company", "")) > 100:
        bad("平台企业", "平台企业名称不能超过100个字")
    new_form = value.get("new_form_type", "")
    if new_form and new_form not in NEW_FORM_BY_LABEL:
        bad("新就业形态", f"“{new_form}”不在可选范围内：" + "、".join(NEW_FORM_BY_LABEL))
    if errors:
        return None, errors
    id_index = crypto.blind_index(id_number, purpose=ID_INDEX_PURPOSE)  # the number is already normalized
    if id_index in context.seen:
        return None, [RowError(row_number, "身份证号", f"与第 {context.seen[id_index]} 行的身份证号重复")]
    context.seen[id_index] = row_number
    return Candidate(row_number, name, id_number, id_index, phone, union, joined_on, NEW_FORM_BY_LABEL.get(new_form, ""),
                     value.get("platform_company", ""), parsed.gender, parsed.birth_date), []


# ---------------------------------------------------------------- writing


def _existing(candidates: list[Candidate]) -> dict[str, tuple[int, int | None, str | None]]:
    """id_index → (person id, membership union id, membership status) for people already on file."""
    found = Person.objects.filter(id_index__in=[c.id_index for c in candidates]).values_list(
        "id_index", "pk", "membership__union_id", "membership__status",
    )
    return {index: (pk, union_id, status) for index, pk, union_id, status in found}


def _write_batch(candidates: list[Candidate], result: MemberImportResult, *, write: bool) -> list[RowError]:
    """Sort a batch against who is already on file (reporting members of other unions), then insert the rest."""
    existing = _existing(candidates)
    errors, new_people = [], []
    for candidate in candidates:
        known = existing.get(candidate.id_index)
        if known is None:
            new_people.append(candidate)
        elif known[2] in LIVE_STATUSES and known[1] == candidate.union.pk:
            result.unchanged += 1  # the same file again, or already joined here: nothing to do
        elif known[2] in LIVE_STATUSES:
            union_name = Org.objects.filter(pk=known[1]).values_list("name", flat=True).first() or ""
            errors.append(RowError(candidate.row, "身份证号", f"已是其他工会会员（{mask_org_name(union_name)}），请走会籍转接"))
        else:  # a former member: rejoining goes through 一键入会, where the person confirms it themselves
            errors.append(RowError(candidate.row, "身份证号", "此人曾是会员（已退会或已转出），请通过一键入会重新入会"))
    if not write:
        return errors
    person_ids = _insert_people(new_people)
    new_members = [(person_ids[c.id_index], c) for c in new_people]
    _insert_memberships(new_members)
    result.created += len(new_members)
    return errors


def _insert_people(candidates: list[Candidate]) -> dict[str, int]:
    """New people; returns id_index → person id."""
    if not candidates:
        return {}
    now = timezone.now()
    if connection.vendor == "postgresql":
        ids = _reserve_ids(Person, len(candidates))
        aad = {name: Person._meta.get_field(name).aad for name in ("name", "id_number", "phone")}
        rows = (
            (pk, now, now, c.name and crypto.encrypt(c.name, aad=aad["name"]), crypto.encrypt(c.id_number, aad=aad["id_number"]),
             c.id_index, c.gender, c.birth_date, crypto.encrypt(c.phone, aad=aad["phone"]) if c.phone else "",
             crypto.blind_index(c.phone, purpose=PHONE_INDEX_PURPOSE) if c.phone else None, c.id_number[:6], "", "", "")
            for pk, c in zip(ids, candidates)
        )
        _copy(Person, ("id", "created_at", "updated_at", "name", "id_number", "id_index", "gender", "birth_date", "phone",
                       "phone_index", "hukou_region", "residence_region", "education", "political_status"), rows)
        person_ids = {c.id_index: pk for pk, c in zip(ids, candidates)}
        _copy(Employment, ("created_at", "updated_at", "person_id", "employer_name", "employer_uscc", "new_form_type", "platform_company"),
              ((now, now, person_ids[c.id_index], "", "", c.new_form_type, c.platform_company)
               for c in candidates if c.new_form_type or c.platform_company))
        return person_ids
    Person.objects.bulk_create([
        Person(name=c.name, id_number=c.id_number, phone=c.phone, gender=c.gender, birth_date=c.birth_date,
               hukou_region=c.id_number[:6], created_at=now, updated_at=now) for c in candidates
    ], batch_size=1000)  # the ORM path fills the blind indexes in pre_save
    person_ids = dict(Person.objects.filter(id_index__in=[c.id_index for c in candidates]).values_list("id_index", "pk"))
    Employment.objects.bulk_create([
        Employment(person_id=person_ids[c.id_index], new_form_type=c.new_form_type, platform_company=c.platform_company, created_at=now,
                   updated_at=now) for c in candidates if c.new_form_type or c.platform_company
    ], batch_size=1000)
    return person_ids


def _insert_memberships(pairs: list[tuple[int, Candidate]]) -> None:
    if not pairs:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        ids = _reserve_ids(Membership, len(pairs))
        _copy(Membership, ("id", "created_at", "updated_at", "person_id", "union_id", "status", "joined_on", "member_number"),
              ((pk, now, now, person_id, c.union.pk, MembershipStatus.ACTIVE, c.joined_on, member_number_for(person_id=person_id, joined_on=c.joined_on))
               for pk, (person_id, c) in zip(ids, pairs)))
        _copy(MembershipEvent, ("membership_id", "at", "kind", "to_union_id", "status", "note"),
              ((pk, now, "imported", c.union.pk, MembershipStatus.ACTIVE, "批量导入") for pk, (_, c) in zip(ids, pairs)))
        return
    Membership.objects.bulk_create([
        Membership(person_id=person_id, union=c.union, status=MembershipStatus.ACTIVE, joined_on=c.joined_on,
                   member_number=member_number_for(person_id=person_id, joined_on=c.joined_on), created_at=now, updated_at=now)
        for person_id, c in pairs
    ], batch_size=1000)
    ids = dict(Membership.objects.filter(person_id__in=[p for p, _ in pairs]).values_list("person_id", "pk"))
    MembershipEvent.objects.bulk_create([
        MembershipEvent(membership_id=ids[p], at=now, kind="imported", to_union=c.union, status=MembershipStatus.ACTIVE, note="批量导入")
        for p, c in pairs
    ], batch_size=1000)


def _reserve_ids(model, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [model._meta.db_table, count])
        return [row[0] for row in cursor.fetchall()]


def _copy(model, columns: tuple[str, ...], rows) -> None:
    """One COPY per batch and table: the values are already what the ORM would store (ciphertexts, blind indexes)."""
    quote = connection.ops.quote_name
    statement = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


# ---------------------------------------------------------------- the service


def member_import(*, actor, data: bytes, mode: str = "all_or_nothing", progress: Callable[[int, int], None] | None = None) -> MemberImportResult:
    if mode not in MODES:
        raise ApplicationError("导入方式不正确", code="members.import_mode")
    rows, total = open_rows(data)
    header = next(rows, None)
    if header is None:
        raise ApplicationError("表格没有内容", code="members.file_empty")
    positions = _header_positions(header)
    result = MemberImportResult(file_sha256=hashlib.sha256(data).hexdigest())
    context = _Context(actor)
    report = progress or (lambda done, total: None)

    def run_batches() -> None:
        batch: list[Candidate] = []
        for row_number, cells in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in cells):
                continue
            result.rows += 1
            candidate, errors = _validate(row_number, cells, positions, context)
            result.errors.extend(errors)
            if candidate is not None:
                batch.append(candidate)
            if len(batch) >= BATCH_SIZE:
                _flush(batch)
                batch = []
                report(result.rows, max(total, result.rows))
        _flush(batch)
        report(result.rows, result.rows)

    def _flush(batch: list[Candidate]) -> None:
        if not batch:
            return
        if mode == "all_or_nothing" and result.errors:  # nothing will be kept: keep checking, skip the writes
            result.errors.extend(_write_batch(batch, result, write=False))
            return
        with transaction.atomic():
            created_before = result.created
            result.errors.extend(_write_batch(batch, result, write=True))
            audit_log(actor=actor, action="members.membership.imported_batch",
                      data={"rows": len(batch), "created": result.created - created_before, "file_sha256": result.file_sha256, "mode": mode})

    if mode == "all_or_nothing":
        try:  # one transaction: batches written before the first bad row roll back with it
            with transaction.atomic():
                run_batches()
                if result.errors:
                    raise _RollBack
        except _RollBack:
            result.created = result.unchanged = 0
    else:
        run_batches()
    return result


class _RollBack(Exception):
    pass


def template_xlsx() -> bytes:
    sample = {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000", "union_code": "440106006",
              "joined_on": "2026-11-26", "new_form_type": "外卖骑手", "platform_company": "美团"}
    return write_xlsx(columns=COLUMNS, rows=[sample], sheet_name="会员导入")


EXPORT_COLUMNS = (
    Column("number", "会员编号", text=True), Column("name", "姓名"), Column("id", "身份证号", text=True, width=22),
    Column("phone", "手机号", text=True, width=14), Column("gender", "性别", width=6), Column("union", "所在工会", width=30),
    Column("union_code", "所在工会编码", text=True, width=14), Column("status", "状态", width=10), Column("joined", "入会日期", text=True, width=12),
)


def member_export(*, actor, memberships, fmt: str, full: bool = False, reason: str = "") -> bytes:
    """The actor's scoped members, masked. In full only where the actor holds pii.reveal, with a stated reason, audited."""
    if full:
        if "pii.reveal" not in actions_for(user=actor):
            raise PermissionDenied("导出完整个人信息需要“查看完整个人信息”权限")
        if len(reason.strip()) < 4:
            raise ApplicationError("导出完整个人信息须填写理由（至少4个字）", code="members.export_reason")
        memberships = memberships.filter(subtree_q(actor, "pii.reveal", "union__path"))
        audit_log(actor=actor, action="members.membership.exported_full",
                  data={"rows": memberships.count(), "format": fmt, "reason": reason.strip(), "scope": scope_paths(actor, "pii.reveal")})
    show_name, show_id, show_phone = (str, str, str) if full else (mask_name, mask_id_number, mask_phone)
    rows = ({"number": m.member_number, "name": show_name(m.person.name), "id": show_id(m.person.id_number),
             "phone": show_phone(m.person.phone), "gender": m.person.get_gender_display(), "union": m.union.name,
             "union_code": m.union.code, "status": m.get_status_display(), "joined": m.joined_on.isoformat()}
            for m in memberships.iterator(chunk_size=2000))
    if fmt == "xlsx":
        return write_xlsx(columns=EXPORT_COLUMNS, rows=rows, sheet_name="会员")
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([c.header for c in EXPORT_COLUMNS])
    writer.writerows([row[c.key] for c in EXPORT_COLUMNS] for row in rows)
    return codecs.BOM_UTF8 + output.getvalue().encode("utf-8")  # the BOM makes Excel read UTF-8
