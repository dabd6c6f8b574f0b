"""潜在会员: match a platform's or agency's worker list against the members, keeping no plaintext.

Each row is reduced on arrival to the blind index of the 身份证号, masked name/ID/phone, the 户籍 county
and the 新就业形态 type; the uploaded file is not stored. Lists are purged after a set number of days.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core import crypto
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.core.validators import InvalidIdentifier, normalize_mobile, parse_id_number
from gonghui.members.imports import ID_INDEX_PURPOSE, NEW_FORM_BY_LABEL, open_rows
from gonghui.members.models import Membership, Prospect, ProspectList
from gonghui.members.services import LIVE_STATUSES
from gonghui.orgs.models import Org, subtree_q

HEADERS = {"name": "姓名", "id_number": "身份证号", "phone": "手机号", "new_form_type": "新就业形态"}
BATCH = 5000
DEFAULT_KEEP_DAYS = 30


def prospect_list_upload(*, actor, org: Org, source: str, data: bytes, keep_days: int = DEFAULT_KEEP_DAYS,
                         progress: Callable[[int, int], None] | None = None) -> tuple[ProspectList, int]:
    """Returns the list and how many rows were skipped for an unreadable ID number."""
    if not Org.objects.filter(subtree_q(actor, "members.manage", "path"), pk=org.pk).exists():
        raise NotFound("组织不存在或不在您的管辖范围内")
    if not source.strip():
        raise ApplicationError("请填写名单来源，如“某平台企业”", code="members.prospect_source")
    rows, total = open_rows(data)
    header = [str(cell or "").strip() for cell in next(rows, [])]
    if "身份证号" not in header or "姓名" not in header:
        raise ApplicationError("表头至少需要“姓名”和“身份证号”两列", code="members.prospect_columns")
    positions = {key: header.index(title) for key, title in HEADERS.items() if title in header}
    with transaction.atomic():
        prospect_list = ProspectList.objects.create(org=org, source=source.strip(), uploaded_by=actor,
                                                    purge_on=timezone.localdate() + dt.timedelta(days=max(1, min(keep_days, 180))))
        skipped, batch, seen = 0, [], set()
        for number, cells in enumerate(rows, start=1):
            prospect = _prospect(cells, positions, prospect_list)
            if prospect is None or prospect.id_index in seen:
                skipped += 1
                continue
            seen.add(prospect.id_index)
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
                  data={"rows": prospect_list.total, "skipped": skipped, "file_sha256": hashlib.sha256(data).hexdigest()})
    return prospect_list, skipped


def _prospect(cells: list, positions: dict[str, int], prospect_list: ProspectList) -> Prospect | None:
    def cell(key: str) -> str:
        index = positions.get(key)
        return str(cells[index] or "").strip() if index is not None and index < len(cells) else ""

    try:
        parsed = parse_id_number(cell("id_number"))
    except InvalidIdentifier:
        return None
    try:
        phone = normalize_mobile(cell("phone")) if cell("phone") else ""
    except InvalidIdentifier:
        phone = ""
    return Prospect(prospect_list=prospect_list, id_index=crypto.blind_index(parsed.value, purpose=ID_INDEX_PURPOSE),
                    name_masked=mask_name(cell("name"))[:40], id_masked=mask_id_number(parsed.value), phone_masked=mask_phone(phone),
                    region_code=parsed.region_code, new_form_type=NEW_FORM_BY_LABEL.get(cell("new_form_type"), ""))


def _save(batch: list[Prospect]) -> None:
    members = set(Membership.objects.filter(person__id_index__in=[p.id_index for p in batch], status__in=LIVE_STATUSES)
                  .values_list("person__id_index", flat=True))
    for prospect in batch:
        prospect.is_member = prospect.id_index in members
    Prospect.objects.bulk_create(batch, batch_size=1000)


def prospect_lists(*, actor) -> QuerySet[ProspectList]:
    return ProspectList.objects.filter(subtree_q(actor, "members.view", "org__path")).select_related("org", "uploaded_by")


def prospect_list_get_for(*, actor, list_id) -> ProspectList:
    try:
        return prospect_lists(actor=actor).get(pk=int(list_id))
    except (ProspectList.DoesNotExist, ValueError, TypeError):
        raise NotFound("名单不存在或不在您的管辖范围内") from None


def prospect_summary(*, prospect_list: ProspectList) -> list[dict]:
    """Rows by 户籍 county and 新就业形态: how many on the list, how many already members, coverage."""
    grouped = (prospect_list.prospects.values("region_code", "new_form_type")
               .annotate(total=Count("id"), members=Count("id", filter=Q(is_member=True))).order_by("region_code", "new_form_type"))
    names = dict(Org.objects.filter(division_code__in={g["region_code"] for g in grouped}).values_list("division_code", "name"))
    labels = dict(Prospect._meta.get_field("new_form_type").choices)
    return [{**g, "region": names.get(g["region_code"], g["region_code"]), "form": labels.get(g["new_form_type"], "未注明"),
             "coverage": g["members"] / g["total"] if g["total"] else None, "targets": g["total"] - g["members"]} for g in grouped]


def prospect_targets(*, prospect_list: ProspectList) -> QuerySet[Prospect]:
    return prospect_list.prospects.filter(is_member=False).order_by("region_code", "pk")


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

