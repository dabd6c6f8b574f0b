"""知识库: standard answers the 12351 agents answer a 咨询 with at once, and the H5 form shows before a worker files.

Writes (`knowledge_answer_create`, `knowledge_answer_update`) need `tickets.knowledge` over the answer's region — the
province org's answers (全省通用) only at the province — are audited and re-cut the search tokens. Reads start from
`KnowledgeAnswer.objects.restrict`: a cadre reads the answers of their subtree and, once published, those of the orgs
above. Suggestions are published answers that hold for the caller's place: the province's, their city's, their
district's, never a sibling city's (深圳's minimum wage is not 广州's).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.audit.services import audit_log
from gonghui.core.access import covers, reach
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.core.locking import lock_row
from gonghui.orgs.models import REGIONAL_TYPES, Org, OrgType
from gonghui.tickets.knowledge_search import ranked, stored
from gonghui.tickets.models import KNOWLEDGE, VIEW, AnswerStatus, Category, KnowledgeAnswer, Topic

SUGGESTIONS = 5
REVIEW_HORIZON_YEARS = 3
LIST_FILTERS = {"due": "复核已到期"}


def _fail(message: str, code: str, field_name: str):
    raise ApplicationError(message, code=f"tickets.knowledge_{code}", fields={field_name: [message]})


def province() -> Org:
    return Org.objects.filter(type=OrgType.PROVINCE, parent__isnull=True).order_by("pk").first()


@dataclass
class AnswerInput:
    title: str
    answer: str
    category: str
    review_on: dt.date | None
    topic: str = Topic.OTHER
    region_id: int | None = None  # None: 全省通用 (the province org)
    basis: str = ""
    status: str = AnswerStatus.DRAFT
    owner: object = None  # None: the actor


def _clean(actor, data: AnswerInput) -> dict:
    title, answer, basis = (data.title or "").strip(), (data.answer or "").strip(), (data.basis or "").strip()
    if not 4 <= len(title) <= 200:
        _fail("请填写问题（4–200字）", "title", "title")
    if not 10 <= len(answer) <= 4000:
        _fail("请填写解答（10–4000字）", "answer", "answer")
    if len(basis) > 300:
        _fail("依据不能超过300字", "basis", "basis")
    for value, choices, label, name in ((data.category, Category, "诉求类别", "category"), (data.topic, Topic, "问题类型", "topic"),
                                        (data.status, AnswerStatus, "状态", "status")):
        if value not in choices.values:
            _fail(f"{label}不正确", name, name)
    today = timezone.localdate()
    if data.review_on is None or not dt.date(2000, 1, 1) <= data.review_on <= today.replace(year=today.year + REVIEW_HORIZON_YEARS):
        _fail(f"请填写复核日期（{REVIEW_HORIZON_YEARS}年以内）", "review_on", "review_on")
    region = province() if data.region_id is None else Org.objects.filter(pk=data.region_id, type__in=REGIONAL_TYPES, is_active=True).first()
    if region is None or not covers(reach(actor, KNOWLEDGE), region.path):
        _fail("您不能维护该地区的知识库（全省通用的答复由省总工会维护）", "region", "region")
    owner = data.owner or actor
    if not owner.is_active or owner.kind == "worker":
        _fail("负责人须是在岗的工会干部", "owner", "owner")
    return {"title": title, "answer": answer, "basis": basis, "category": data.category, "topic": data.topic, "status": data.status,
            "review_on": data.review_on, "region": region, "owner": owner}


def _index(row: KnowledgeAnswer) -> None:
    row.title_tokens = stored(row.title)
    row.search_tokens = stored(" ".join((row.title, row.answer, row.basis, row.get_category_display(), row.get_topic_display(),
                                         row.region.name)))


def _snapshot(row: KnowledgeAnswer) -> dict:
    return {"title": row.title, "answer_status": row.status, "region": row.region.name, "review_on": row.review_on.isoformat(),
            "owner": str(row.owner)}


@transaction.atomic
def knowledge_answer_create(*, actor, data: AnswerInput) -> KnowledgeAnswer:
    row = KnowledgeAnswer(**_clean(actor, data))
    _index(row)
    row.save()
    audit_log(actor=actor, action="tickets.knowledge.created", obj=row, org_path=row.region.path, data=_snapshot(row))
    return row


@transaction.atomic
def knowledge_answer_update(*, actor, answer_id, data: AnswerInput) -> KnowledgeAnswer:
    """Edited only where the actor holds `tickets.knowledge` over the answer's region, now and after a move to another."""
    row = lock_row(KnowledgeAnswer.objects.restrict(actor, KNOWLEDGE).select_related("region", "owner"), answer_id) \
        if str(answer_id).isdecimal() else None
    if row is None:
        raise NotFound()
    before = _snapshot(row)
    for name, value in _clean(actor, data).items():
        setattr(row, name, value)
    _index(row)
    row.save()
    audit_log(actor=actor, action="tickets.knowledge.updated", obj=row, org_path=row.region.path,
              data={"before": before, "after": _snapshot(row)})
    return row


@transaction.atomic
def knowledge_reindex() -> int:
    """Every answer's tokens cut again (a system job: after the tokenizer's words change); one audit event for the batch."""
    rows = list(KnowledgeAnswer.objects.select_related("region").order_by("pk"))
    for row in rows:
        _index(row)
    KnowledgeAnswer.objects.bulk_update(rows, ["search_tokens", "title_tokens"], batch_size=500)
    audit_log(actor=None, action="tickets.knowledge.reindexed", data={"count": len(rows)})
    return len(rows)


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class AnswerFilters:
    q: str = ""
    category: str = ""
    region_id: int | None = None
    status: str = ""
    due: bool = False  # published, review date passed


def knowledge_list(*, actor, filters: AnswerFilters) -> QuerySet:
    rows = KnowledgeAnswer.objects.restrict(actor, VIEW).select_related("region", "owner")
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.region_id:
        rows = rows.filter(region_id=filters.region_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.due:
        rows = rows.filter(status=AnswerStatus.PUBLISHED, review_on__lt=timezone.localdate())
    return ranked(rows, filters.q) if filters.q.strip() else rows.order_by("review_on", "-pk") if filters.due else rows


def knowledge_get_for(*, actor, answer_id) -> KnowledgeAnswer:
    return KnowledgeAnswer.objects.select_related("region", "owner").restrict_get(actor, VIEW, answer_id)


def can_edit(*, actor, answer: KnowledgeAnswer) -> bool:
    return KnowledgeAnswer.objects.restrict(actor, KNOWLEDGE).filter(pk=answer.pk).exists()


def region_choices(*, actor) -> list[Org]:
    """Where the actor may keep answers: the places under their `tickets.knowledge` posts down to the county level (in
    东莞/中山 the 镇/街道 under the city)."""
    paths = reach(actor, KNOWLEDGE)
    rows = Org.objects.filter(type__in=REGIONAL_TYPES, is_active=True, depth__lte=3)
    if paths is not None:
        held = Q(pk__in=[])
        for path in paths:
            held |= Q(path__startswith=path)
        rows = rows.filter(held)
    return list(rows.order_by("path"))


def _for_place(rows: QuerySet, district: Org | None) -> QuerySet:
    """Answers that hold at the place: the province's, and those of the place and the orgs above it."""
    if district is None:
        return rows.filter(region__type=OrgType.PROVINCE)
    return rows.filter(region__path__in=[*district.ancestor_paths(), district.path])


def knowledge_suggest(*, actor, q: str, district: Org | None = None) -> list[KnowledgeAnswer]:
    """The 12351 agent's search: published answers in the agent's reach, for the caller's place when it is chosen."""
    rows = KnowledgeAnswer.objects.restrict(actor, VIEW).filter(status=AnswerStatus.PUBLISHED).select_related("region")
    if district is not None:
        rows = _for_place(rows, district)
    return list(ranked(rows, q)[:SUGGESTIONS]) if q.strip() else []


def knowledge_public(*, q: str, district: Org | None = None) -> list[KnowledgeAnswer]:
    """What a worker sees before filing ("这些解答也许能帮到您"): published answers for the chosen place (province-wide
    ones only while no place is chosen). Answers are public guidance, so this read has no actor."""
    rows = _for_place(KnowledgeAnswer.objects.filter(status=AnswerStatus.PUBLISHED).select_related("region"), district)
    return list(ranked(rows, q)[:SUGGESTIONS]) if q.strip() else []
