"""知识库 pages: the cadres' list (token search, filters, 复核已到期, pages), the form to add and edit an answer, the 12351
agent's search fragment, and the H5 fragment "这些解答也许能帮到您" under the worker's form."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from gonghui.accounts.selectors import actions_for, cadre_by_username
from gonghui.core.access import covers, reach
from gonghui.core.exceptions import ApplicationError
from gonghui.core.permissions import workbench_required
from gonghui.core.views import form_add_application_error, paginate, posted_int
from gonghui.orgs.models import Org
from gonghui.tickets import knowledge
from gonghui.tickets.forms import KnowledgeAnswerForm
from gonghui.tickets.models import DISPATCH, KNOWLEDGE, VIEW, AnswerStatus, Category, Topic
from gonghui.tickets.views import _require

H5_GROUP, H5_RATE = "knowledge-h5", "60/m"


def _filters(request) -> knowledge.AnswerFilters:
    get = request.GET
    return knowledge.AnswerFilters(
        q=get.get("q", "")[:200], category=get.get("category", "") if get.get("category") in Category.values else "",
        region_id=posted_int(get.get("region")) or None, due=get.get("due") == "1",
        status=get.get("status", "") if get.get("status") in AnswerStatus.values else "")


@workbench_required
@require_GET
def knowledge_list(request):
    _require(request, VIEW)
    filters = _filters(request)
    rows = knowledge.knowledge_list(actor=request.user, filters=filters)
    return render(request, "tickets/knowledge_list.html", {
        "page": paginate(request, rows, per_page=20), "filters": request.GET, "categories": Category.choices,
        "statuses": AnswerStatus.choices, "regions": knowledge.region_choices(actor=request.user) or [],
        "can_add": KNOWLEDGE in actions_for(user=request.user), "today": timezone.localdate()})


def _form(request, *, data=None, initial=None, answer=None) -> KnowledgeAnswerForm:
    province, regions = knowledge.province(), knowledge.region_choices(actor=request.user)
    if answer is not None and answer.region not in regions:  # an answer kept for a 街道 stays choosable when edited
        regions.append(answer.region)
    return KnowledgeAnswerForm(data, initial=initial, regions=regions,
                               province_allowed=province is not None and covers(reach(request.user, KNOWLEDGE), province.path))


def _input(request, form: KnowledgeAnswerForm) -> knowledge.AnswerInput:
    data = form.cleaned_data
    owner = cadre_by_username(username=data["owner"]) if data["owner"].strip() else None
    return knowledge.AnswerInput(title=data["title"], answer=data["answer"], category=data["category"], topic=data["topic"],
                                 region_id=data["region"], basis=data["basis"], review_on=data["review_on"], status=data["status"],
                                 owner=owner)


def _save(request, form: KnowledgeAnswerForm, answer_id: int | None):
    try:
        if answer_id is None:
            row = knowledge.knowledge_answer_create(actor=request.user, data=_input(request, form))
        else:
            row = knowledge.knowledge_answer_update(actor=request.user, answer_id=answer_id, data=_input(request, form))
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise
        form_add_application_error(form, exc, field_map={"username": "owner"})
        return None
    messages.success(request, f"已保存：{row.title}")
    return redirect("tickets:knowledge_list")


@workbench_required
@require_http_methods(["GET", "POST"])
def knowledge_new(request):
    _require(request, KNOWLEDGE)
    if request.method == "POST":
        form = _form(request, data=request.POST)
        if form.is_valid() and (done := _save(request, form, None)):
            return done
    else:
        review_on = timezone.localdate().replace(year=timezone.localdate().year + 1)
        form = _form(request, initial={"review_on": review_on, "status": AnswerStatus.PUBLISHED})
    return render(request, "tickets/knowledge_form.html", {"form": form, "answer": None})


@workbench_required
@require_http_methods(["GET", "POST"])
def knowledge_edit(request, answer_id: int):
    """One answer: its form where the cadre keeps the region's answers, read-only where they only read it (upward)."""
    answer = knowledge.knowledge_get_for(actor=request.user, answer_id=answer_id)
    editable = knowledge.can_edit(actor=request.user, answer=answer)
    if request.method == "POST":
        if not editable:
            return render(request, "tickets/knowledge_form.html", {"answer": answer, "form": None}, status=403)
        form = _form(request, data=request.POST, answer=answer)
        if form.is_valid() and (done := _save(request, form, answer.pk)):
            return done
    else:
        form = _form(request, answer=answer, initial={
            "title": answer.title, "answer": answer.answer, "category": answer.category, "topic": answer.topic, "basis": answer.basis,
            "region": None if answer.region.parent_id is None else answer.region_id, "owner": answer.owner.username,
            "review_on": answer.review_on, "status": answer.status}) if editable else None
    return render(request, "tickets/knowledge_form.html", {"form": form, "answer": answer})


def _place(value) -> Org | None:
    org_id = posted_int(value)
    return Org.objects.filter(pk=org_id, is_active=True).first() if org_id else None


@workbench_required
@require_GET
def knowledge_suggest(request):
    """The agent's search on the 12351 screen (htmx): answers for the caller's place, each with 用此答复."""
    _require(request, DISPATCH)
    q = request.GET.get("kb_q", "")[:200]
    answers = knowledge.knowledge_suggest(actor=request.user, q=q, district=_place(request.GET.get("district")))
    return render(request, "tickets/_knowledge_hotline.html", {"answers": answers, "q": q})


@require_GET
def knowledge_h5(request):
    """Under the worker's form (htmx): published answers for the chosen place that match what they are typing. Open to
    anyone, so limited per IP; past the limit the box stays empty rather than the form showing an error."""
    if is_ratelimited(request, group=H5_GROUP, key="ip", rate=H5_RATE, increment=True):
        return render(request, "tickets/_knowledge_h5.html", {"answers": []})
    topic = request.GET.get("topic", "")
    words = " ".join([request.GET.get("title", ""), request.GET.get("description", "")[:1000],
                      Topic(topic).label if topic in Topic.values else ""])
    answers = knowledge.knowledge_public(q=words, district=_place(request.GET.get("district")))
    return render(request, "tickets/_knowledge_h5.html", {"answers": answers})
