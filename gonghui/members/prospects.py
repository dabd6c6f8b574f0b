"""潜在会员: match a platform's or agency's worker list against the members, keeping no plaintext.

Each row is reduced on arrival to the blind index of the 身份证号, masked name/ID/phone, the 户籍 county
and the 新就业形态 type; the uploaded file is not stored. Lists are purged after a set number of days.
Whether someone is a member is matched again, by the blind index, whenever a list's figures are shown or exported, so people
who join during a drive leave the 待发展 list; the figure at upload is kept beside it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core import crypto
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.core.spreadsheets import CellError, Column, RowError, code_cell, write_xlsx
from gonghui.core.validators import PROVINCE_NAMES, InvalidIdentifier, normalize_mobile, parse_id_number
from gonghui.members.imports import ID_INDEX_PURPOSE, NEW_FORM_BY_LABEL, open_rows
from gonghui.members.models import Membership, Prospect, ProspectList
from gonghui.members.services import LIVE_STATUSES
from gonghui.orgs.models import Org

HEADERS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号", "new_form_type": "新就业形态"}
BATCH = 5000
DEFAULT_KEEP_DAYS = 30


def prospect_list_upload(*, actor, org: Org, source: str, data: bytes, keep_days: int = DEFAULT_KEEP_DAYS,
                         progress: Callable[[int, int], None] | None = None) -> tuple[ProspectList, list[RowError]]:
    """Returns the list and the problems found, row by row. A row with an unusable ID number (or one seen earlier in the file) is
    left out; a bad phone or an unknown 新就业形态 is reported and the row kept without it. The problems name people only by
    their masked name and ID number, as the list does, since the file itself is not kept."""
    if not Org.objects.restrict(actor, "members.manage").filter(pk=org.pk).exists():
        raise NotFound()
    if not source.strip():
        raise ApplicationError("请填写名单来源，如“某平台企业”", code="members.prospect_source")
    rows, total = open_rows(data)
    header = [str(cell or "").strip() for cell in next(rows, [])]
    if "身份证号" not in header or "姓名" not in header:
        raise ApplicationError("表头至少需要“姓名”和“身份证号”两列", code="members.prospect_columns")
    positions = {key: header.index(title) for key, title in HEADERS.items() if title in header}
    errors: list[RowError] = []
    with transaction.atomic():
        prospect_list = ProspectList.objects.create(org=org, source=source.strip(), uploaded_by=actor,
                                                    purge_on=timezone.localdate() + dt.timedelta(days=max(1, min(keep_days, 180))))
        batch, seen = [], {}
        for number, cells in enumerate(rows, start=2):  # row 1 is the header, as Excel numbers them
            if not any(cell not in (None, "") for cell in cells):
                continue
            prospect = _prospect(number, cells, positions, prospect_list, errors)
            if prospect is None:
                continue
            if prospect.id_index in seen:
                errors.append(RowError(number, "身份证号", f"与第 {seen[prospect.id_index]} 行的身份证号重复，未重复比对{_who(prospect)}"))
                continue
            seen[prospect.id_index] = number
            batch.append(prospect)
            if len(batch) >= BATCH:
                _save(batch)
                batch = []
                if progress:
                    progress(number, max(total, number))
        _save(batch)
        counts = prospect_list.prospects.aggregate(total=Count("id"), members=Count("id", filter=Q(is_member=True)))
        prospect_list.total, prospect_list.already_members = counts["total"], counts["members"]
        prospect_list.save(update_fields=["total", "already_members", "updated_at"])
        audit_log(actor=actor, action="members.prospects.uploaded", obj=prospect_list, org_path=org.path,
                  data={"rows": prospect_list.total, "skipped": len({e.row for e in errors if e.column == "身份证号"}),
                        "problems": len(errors), "file_sha256": hashlib.sha256(data).hexdigest()})
    return prospect_list, errors


def _who(prospect: Prospect) -> str:
    return f"（{prospect.name_masked or '未填姓名'}，{prospect.id_masked}）"


def _prospect(number: int, cells: list, positions: dict[str, int], prospect_list: ProspectList, errors: list[RowError]) -> Prospect | None:
    def cell(key: str):
        index = positions.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def text(key: str) -> str:
        return str(cell(key) or "").strip()

    name_masked = mask_name(text("name"))[:40]
    try:
        parsed = parse_id_number(code_cell(cell("id_number")).upper())
    except (InvalidIdentifier, CellError) as exc:
        shown = mask_id_number(text("id_number"))
        errors.append(RowError(number, "身份证号", f"{exc}，该行未比对（{name_masked or '未填姓名'}{'，' + shown if shown else ''}）"))
        return None
    prospect = Prospect(prospect_list=prospect_list, id_index=crypto.blind_index(parsed.value, purpose=ID_INDEX_PURPOSE),
                        name_masked=name_masked, id_masked=mask_id_number(parsed.value), region_code=parsed.region_code)
    if text("phone"):
        try:
            prospect.phone_masked = mask_phone(normalize_mobile(code_cell(cell("phone"), digits=(11,))))
        except (InvalidIdentifier, CellError) as exc:
            errors.append(RowError(number, "手机号", f"{exc}；已按未填手机号比对{_who(prospect)}"))
    if text("new_form_type"):
        prospect.new_form_type = NEW_FORM_BY_LABEL.get(text("new_form_type"), "")
        if not prospect.new_form_type:
            errors.append(RowError(number, "新就业形态", f"“{text('new_form_type')[:20]}”不在可选范围内（{'、'.join(NEW_FORM_BY_LABEL)}），"
                                                     f"已按未注明比对{_who(prospect)}"))
    return prospect


def _save(batch: list[Prospect]) -> None:
    """`is_member` as it stands at upload; pages work out the current figure (prospects_with_membership)."""
    members = set(Membership.objects.filter(person__id_index__in=[p.id_index for p in batch], status__in=LIVE_STATUSES)
                  .values_list("person__id_index", flat=True))
    for prospect in batch:
        prospect.is_member = prospect.id_index in members
    Prospect.objects.bulk_create(batch, batch_size=1000)


def prospect_lists(*, actor) -> QuerySet[ProspectList]:
    return ProspectList.objects.restrict(actor, "members.view").select_related("org", "uploaded_by")


def prospect_list_get_for(*, actor, list_id) -> ProspectList:
    try:
        return prospect_lists(actor=actor).get(pk=int(list_id))
    except (ProspectList.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _member_now() -> Exists:
    """Whether a prospect is a member today: a live membership of the person with the same blind index (no plaintext needed)."""
    return Exists(Membership.objects.filter(person__id_index=OuterRef("id_index"), status__in=LIVE_STATUSES))


def prospect_summary(*, prospect_list: ProspectList) -> list[dict]:
    """Rows by 户籍 county and 新就业形态, in one query: how many on the list, how many were members at upload, how many are
    members now (matched again, so people who joined since count), how many of those joined since, and coverage now."""
    now = Q(_member_now())
    grouped = (prospect_list.prospects.values("region_code", "new_form_type")
               .annotate(total=Count("id"), at_upload=Count("id", filter=Q(is_member=True)), members=Count("id", filter=now),
                         joined_since=Count("id", filter=now & Q(is_member=False)))
               .order_by("region_code", "new_form_type"))
    regions = region_labels(codes={g["region_code"] for g in grouped})
    labels = dict(Prospect._meta.get_field("new_form_type").choices)
    return [{**g, "region": regions[g["region_code"]], "form": labels.get(g["new_form_type"], "未注明"),
             "coverage": g["members"] / g["total"] if g["total"] else None, "targets": g["total"] - g["members"]} for g in grouped]


def region_labels(*, codes: set[str]) -> dict[str, str]:
    """户籍 county codes (an ID number's first six digits) as places: a Guangdong county by its name (天河区), anywhere else
    by its province with the code (江西省 360731: only Guangdong's divisions are loaded)."""
    places = dict(Org.objects.filter(division_code__in=codes).exclude(short_name="").values_list("division_code", "short_name"))
    return {code: places.get(code) or f"{PROVINCE_NAMES.get(code[:2], '未知省份')} {code}" for code in codes}


def prospect_totals(*, rows: list[dict]) -> dict:
    """The list's figures now, from prospect_summary's rows."""
    totals = {key: sum(row[key] for row in rows) for key in ("total", "at_upload", "members", "joined_since", "targets")}
    return {**totals, "coverage": totals["members"] / totals["total"] if totals["total"] else None}


def prospect_targets(*, prospect_list: ProspectList) -> QuerySet[Prospect]:
    """The people on the list who are not members now (matched again when asked, not as at upload)."""
    return prospect_list.prospects.filter(~_member_now()).order_by("region_code", "pk")


TARGET_EXPORT = (Column("name", "姓名（脱敏）"), Column("id", "身份证号（脱敏）", text=True, width=22),
                 Column("phone", "手机号（脱敏）", text=True), Column("region", "户籍地", width=22),
                 Column("region_code", "户籍区县代码", text=True), Column("form", "新就业形态"))


def prospect_targets_xlsx(*, prospect_list: ProspectList) -> bytes:
    """待发展名单: prospect_targets as an xlsx, masked as stored."""
    targets = prospect_targets(prospect_list=prospect_list)
    regions = region_labels(codes=set(targets.values_list("region_code", flat=True).distinct()))
    rows = ({"name": p.name_masked, "id": p.id_masked, "phone": p.phone_masked, "region": regions[p.region_code],
             "region_code": p.region_code, "form": p.get_new_form_type_display()} for p in targets.iterator(chunk_size=2000))
    return write_xlsx(columns=TARGET_EXPORT, rows=rows, sheet_name="待发展名单")


@transaction.atomic
def prospects_purge(*, today: dt.date | None = None) -> int:
    """Delete the people of lists past their date; keep the list's counts; one audit event per list."""
    today = today or timezone.localdate()
    purged = 0
    for prospect_list in ProspectList.objects.filter(purge_on__lte=today, purged_at__isnull=True).select_related("org"):
        deleted, _ = prospect_list.prospects.all().delete()
        prospect_list.purged_at = timezone.now()
        prospect_list.save(update_fields=["purged_at", "updated_at"])
        audit_log(actor=None, action="members.prospects.purged", obj=prospect_list, org_path=prospect_list.org.path, data={"rows": deleted})
        purged += deleted
    return purged

