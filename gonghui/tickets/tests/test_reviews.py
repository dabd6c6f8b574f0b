"""信访复查/复核 (信访工作条例 §35, §36): a petitioner who does not accept the 处理意见 asks the org above for 复查 within 30
days, then the org above that for 复核; each answers within 30 days; after 复核 the matter is not accepted again."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.tickets import selectors, services
from gonghui.tickets.desk import reviews_due
from gonghui.tickets.models import Category, EventKind, Review, Ticket
from gonghui.tickets.tests.factories import file
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LimitUnit, deadline

pytestmark = pytest.mark.django_db
REASON = "街道工会的处理意见没有回应拖欠的加班费，我不服。"


def closed_petition(world, category=Category.PETITION, employer_name="广州某某餐饮有限公司") -> Ticket:
    """A 信访 matter handled by 石牌街道 and closed after a 基本满意 回访."""
    ticket = file(world.worker, district=world.tianhe, category=category, employer_name=employer_name).ticket
    services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk, org=world.shipai)
    services.ticket_accept(actor=world.street_handler, ticket_id=ticket.pk)
    services.ticket_reply(actor=world.street_handler, ticket_id=ticket.pk, text="经核实，单位已补发九月工资，其余部分正在协调。")
    services.ticket_follow_up(actor=world.worker, ticket_id=ticket.pk, result="basic")
    ticket.refresh_from_db()
    return ticket


def decide(actor, review, outcome="upheld"):
    return services.review_decide(actor=actor, review_id=review.pk, outcome=outcome, opinion="经复查，原处理意见认定事实清楚，予以维持。")


def test_recheck_goes_to_the_org_above_then_review_above_that_and_then_it_is_final(world):
    ticket = closed_petition(world)
    recheck = services.review_request(actor=world.worker, ticket_id=ticket.pk, reason=REASON)
    assert recheck.stage == Review.Stage.RECHECK and recheck.org == world.tianhe
    # 30 calendar days, to the end of the last day (moved to the next working day when it falls on a rest day)
    assert recheck.due_at == deadline(work_calendar(), recheck.created_at, 30, LimitUnit.CALENDAR_DAYS)
    assert (recheck.due_at - recheck.created_at).days >= 30 and recheck.due_at.second == 59
    with pytest.raises(ApplicationError, match="正在办理"):
        services.review_request(actor=world.worker, ticket_id=ticket.pk, reason=REASON)
    with pytest.raises(PermissionDenied):  # the street whose opinion is contested does not judge it
        decide(world.street_handler, recheck)
    decide(world.district_admin, recheck)
    review = services.review_request(actor=world.worker, ticket_id=ticket.pk, reason="复查意见仍未回应加班费问题，申请复核。")
    assert review.stage == Review.Stage.REVIEW and review.org == world.city
    with pytest.raises(PermissionDenied):
        decide(world.district_admin, review)
    decide(world.city_admin, review, outcome="changed")
    with pytest.raises(ApplicationError, match="不再受理"):
        services.review_request(actor=world.worker, ticket_id=ticket.pk, reason=REASON)
    with pytest.raises(ApplicationError, match="已经答复"):
        decide(world.city_admin, review)
    kinds = [e.kind for e in selectors.ticket_timeline(actor=world.worker, ticket=ticket)]
    assert kinds.count(EventKind.REVIEW_REQUESTED) == 2 and kinds.count(EventKind.REVIEW_DECIDED) == 2
    assert AuditEvent.objects.filter(action="tickets.ticket.review_decided").count() == 2


def test_a_request_after_thirty_days_is_refused_with_the_closing_date(world):
    ticket = closed_petition(world)
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    with pytest.raises(ApplicationError, match="30日内申请复查"):
        services.review_request(actor=world.worker, ticket_id=ticket.pk, reason=REASON)
    assert not Review.objects.exists()
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - dt.timedelta(days=29))
    assert services.review_request(actor=world.worker, ticket_id=ticket.pk, reason=REASON).stage == Review.Stage.RECHECK


def test_only_closed_petitions_by_their_petitioner_or_centre(world):
    complaint = closed_petition(world, category=Category.COMPLAINT)
    with pytest.raises(ApplicationError, match="只有信访事项"):
        services.review_request(actor=world.worker, ticket_id=complaint.pk, reason=REASON)
    open_petition = file(world.worker, district=world.tianhe, category=Category.PETITION, employer_name="广州某某物流有限公司").ticket
    with pytest.raises(ApplicationError, match="不能申请复查"):
        services.review_request(actor=world.worker, ticket_id=open_petition.pk, reason=REASON)
    ticket = closed_petition(world)
    with pytest.raises(PermissionDenied):
        services.review_request(actor=world.street_handler, ticket_id=ticket.pk, reason=REASON)
    with pytest.raises(NotFound):
        services.review_request(actor=world.yuexiu_handler, ticket_id=ticket.pk, reason=REASON)
    with pytest.raises(ApplicationError, match="不服理由"):
        services.review_request(actor=world.agent, ticket_id=ticket.pk, reason="不服")
    assert services.review_request(actor=world.agent, ticket_id=ticket.pk, reason=REASON).requested_by == world.agent


def test_the_reviewing_org_sees_it_on_its_desk_and_a_sibling_district_does_not(world):
    ticket = closed_petition(world)
    review = services.review_request(actor=world.worker, ticket_id=ticket.pk, reason=REASON)
    due = reviews_due(actor=world.district_admin, limit=5)
    assert due.count == 1 and due.items[0].due_at == review.due_at and due.items[0].limit_unit == "calendar_days"
    assert reviews_due(actor=world.yuexiu_handler, limit=5).count == 0
    assert "review_decide" in selectors.ticket_capabilities(actor=world.district_admin, ticket=ticket)
    assert "review_decide" not in selectors.ticket_capabilities(actor=world.street_handler, ticket=ticket)


def test_the_worker_asks_for_a_recheck_on_h5_and_a_short_reason_is_kept(client, world):
    ticket = closed_petition(world)
    client.force_login(world.worker)
    page = client.get(reverse("tickets_h5:detail", args=[ticket.pk])).content.decode()
    assert "申请复查" in page
    refused = client.post(reverse("tickets_h5:act", args=[ticket.pk]), {"op": "review_request", "reason": "不服气"})
    assert refused.status_code == 400 and "不服气" in refused.content.decode() and not Review.objects.exists()
    done = client.post(reverse("tickets_h5:act", args=[ticket.pk]), {"op": "review_request", "reason": REASON})
    assert done.status_code == 302 and Review.objects.get().org == world.tianhe
    assert "办理中" in client.get(reverse("tickets_h5:detail", args=[ticket.pk])).content.decode()


def test_the_district_answers_on_the_order_page(client, world):
    ticket = closed_petition(world)
    services.review_request(actor=world.worker, ticket_id=ticket.pk, reason=REASON)
    client.force_login(world.district_admin)
    act = reverse("tickets:act", args=[ticket.pk])
    refused = client.post(act, {"op": "review_decide", "outcome": "upheld", "opinion": "维持"})
    assert refused.status_code == 400 and Review.objects.get().decided_at is None
    assert client.post(act, {"op": "review_decide", "outcome": "upheld", "opinion": "经复查，原处理意见事实清楚，予以维持。"}).status_code == 302
    assert Review.objects.get().outcome == "upheld"
