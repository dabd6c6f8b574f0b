"""Member export (会员导出) as a background job, built for a million rows.

`member_export_request` checks what it can at once and queues a `members.export` job with the member list's filters.
The job (`member_export_write`) reads the list in chunks through one cursor, only the columns it shows, and writes
xlsx in XlsxWriter's constant-memory mode or csv with a BOM, reporting progress after each chunk. Names, ID and phone
numbers are masked unless the cadre holds pii.reveal and gives a reason: such a full export covers only the unions
where they may reveal, and is audited when requested and again, with its row count, when written.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from gonghui.accounts.selectors import actions_for
from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, PermissionDenied
from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.core.spreadsheets import Column, write_csv_to, write_xlsx, write_xlsx_to
from gonghui.jobs.models import Job
from gonghui.jobs.services import job_create
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.members.selectors import VIEW, membership_list, membership_search_to_keep
from gonghui.orgs.models import Org
from gonghui.orgs.paths import common_ancestor_path
from gonghui.orgs.selectors import org_get_for

JOB_KIND = "members.export"
FORMATS = ("xlsx", "csv")
REVEAL = "pii.reveal"
CHUNK_SIZE = 2000  # rows fetched from the cursor at a time, and how often progress is reported
COLUMNS = (
    Column("number", "会员编号", text=True), Column("name", "姓名"), Column("id", "身份证号", text=True, width=22),
    Column("phone", "手机号", text=True, width=14), Column("gender", "性别", width=6), Column("union", "所在工会", width=30),
    Column("union_code", "所在工会编码", text=True, width=14), Column("status", "状态", width=10), Column("joined", "入会日期", text=True, width=12),
)
FIELDS = ("member_number", "person__name", "person__id_number", "person__phone", "person__gender", "union__name", "union__code",
          "status", "joined_on")
GENDERS = dict(Person._meta.get_field("gender").choices)
STATUSES = dict(MembershipStatus.choices)


def _require_reveal(actor, reason: str) -> None:
    if REVEAL not in actions_for(user=actor):
        raise PermissionDenied("导出完整个人信息需要“查看完整个人信息”权限")
    if len(reason) < 4:
        raise ApplicationError("导出完整个人信息须填写理由（至少4个字）", code="members.export_reason",
                               fields={"reason": ["导出完整个人信息须填写理由（至少4个字）"]})


@transaction.atomic
def member_export_request(*, actor, fmt: str, full: bool = False, reason: str = "", q: str = "", status: str = "",
                          within: Org | None = None, name: str = "") -> Job:
    """Queue an export of the member list as filtered (`q`, `status`, `within`, `name` as `membership_list` takes them)."""
    if fmt not in FORMATS:
        raise ApplicationError("导出格式只能是 Excel（xlsx）或 CSV", code="members.export_format")
    reason = reason.strip() if full else ""
    if full:
        _require_reveal(actor, reason)
    filters = {"status": status, "within": within.pk if within is not None else None, **membership_search_to_keep(q, name)}
    job = job_create(owner=actor, kind=JOB_KIND, options={"format": fmt, "full": full, "reason": reason, "filters": filters})
    if full:
        audit_log(actor=actor, action="members.membership.export_requested", obj=job, org_path=_org_path_concerned(actor, within, REVEAL),
                  data={"format": fmt, "reason": reason, "filters": filters, "scope": Membership.objects.reach(actor, REVEAL)})
    return job


def member_export_write(*, job: Job, target: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Write the export `job` asked for to `target`; returns how many members it holds. It runs with the owner's posts
    as they are now: a post given up since the request narrows the export, or refuses it."""
    actor, options = job.owner, job.options
    full, filters = options["full"], options["filters"]
    within = org_get_for(actor=actor, org_id=filters["within"]) if filters["within"] else None
    memberships = membership_list(actor=actor, q=filters.get("q", ""), id_index=filters.get("id_index"), status=filters["status"],
                                  within=within, name_index=filters.get("name_index"))
    if full:
        _require_reveal(actor, options["reason"])
        memberships = memberships & Membership.objects.restrict(actor, REVEAL)
    report = progress or (lambda done, total: None)
    with _reading():
        total = memberships.count()
        report(0, total)
        rows = _rows(memberships, full=full, total=total, report=report)
        count = write_xlsx_to(target, columns=COLUMNS, rows=rows, sheet_name="会员") if options["format"] == "xlsx" else write_csv_to(target, columns=COLUMNS, rows=rows)
    report(count, count)
    if full:
        audit_log(actor=actor, action="members.membership.exported_full", obj=job, org_path=_org_path_concerned(actor, within, REVEAL),
                  data={"rows": count, "format": options["format"], "reason": options["reason"], "scope": Membership.objects.reach(actor, REVEAL),
                        "file_sha256": _sha256(target)})
    else:
        audit_log(actor=actor, action="members.membership.exported", obj=job, org_path=_org_path_concerned(actor, within, VIEW),
                  data={"rows": count, "format": options["format"], "filters": filters, "file_sha256": _sha256(target)})
    return count


def _org_path_concerned(actor, within: Org | None, action: str) -> str:
    """Where an export's audit event belongs: the org the list was narrowed to, else the deepest org above the
    exporter's scope, so the cadres over it find the export in their audit search."""
    return within.path if within is not None else common_ancestor_path(Membership.objects.reach(actor, action) or [])


def _reading() -> AbstractContextManager:
    """On PostgreSQL `.iterator()` reads through a server-side cursor. Outside a transaction Django declares it WITH HOLD,
    and PostgreSQL stores the whole result aside before the first row: temporary disk as large as the export, and at
    a million members 9 s to the first rows against 6 s (measured, docs/scale.md). SQLite reads in pieces anyway, and a
    transaction there would hold the database's write lock (IMMEDIATE) for the whole export."""
    return transaction.atomic() if connection.vendor == "postgresql" else nullcontext()


def _rows(memberships, *, full: bool, total: int, report: Callable[[int, int], None]) -> Iterator[dict]:
    show_name, show_id, show_phone = (str, str, str) if full else (mask_name, mask_id_number, mask_phone)
    values = memberships.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    for done, (number, name, id_number, phone, gender, union, union_code, status, joined_on) in enumerate(values, start=1):
        yield {"number": number, "name": show_name(name), "id": show_id(id_number), "phone": show_phone(phone),
               "gender": GENDERS.get(gender, ""), "union": union, "union_code": union_code, "status": STATUSES.get(status, status),
               "joined": joined_on.isoformat()}
        if done % CHUNK_SIZE == 0:
            report(done, max(total, done))  # members who joined after the count was taken are exported too


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


STAR_EXPORT_COLUMNS = (
    Column("year", "年度", width=8), Column("stars", "星级", width=8), Column("number", "会员编号", text=True, width=22),
    Column("name", "姓名", width=10), Column("union", "所在工会", width=36), Column("reason", "事迹", width=40),
    Column("awarded_at", "评定时间", width=18),
)


def star_awards_xlsx(*, awards) -> bytes:
    """星级会员 as listed (star_award_list), names masked as on the page."""
    rows = ({"year": a.year, "stars": a.stars, "number": a.membership.member_number, "name": mask_name(a.membership.person.name),
             "union": a.membership.union.name, "reason": a.reason,
             "awarded_at": timezone.localtime(a.updated_at).strftime("%Y-%m-%d %H:%M")} for a in awards.iterator(chunk_size=2000))
    return write_xlsx(columns=STAR_EXPORT_COLUMNS, rows=rows, sheet_name="星级会员")
