"""seed_demo's orders: every state, some close to their deadline, some overdue, on the desks that should show them."""
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.portal.desk import desk_for
from gonghui.tickets.demo import seed_tickets_demo
from gonghui.tickets.models import State, Ticket


@pytest.mark.django_db
def test_demo_orders_cover_every_state_and_fill_the_desks(seeded):
    orders = Ticket.objects.all()
    assert orders.count() >= 250
    assert set(orders.values_list("state", flat=True)) == set(State.values)
    now = timezone.now()
    assert orders.filter(due_at__lt=now, paused_at__isnull=True).exists() and orders.filter(due_at__gt=now).exists()
    assert orders.filter(holder__type="sector_federation").exists()
    assert orders.filter(centre__code="4419").exists() and orders.filter(holder__code="440104").exists()
    assert orders.filter(auto_supervised_at__isnull=False).exists()
    assert seed_tickets_demo() == 0  # idempotent
    users = get_user_model().objects
    th = users.get(username="th_cadre")
    desk = desk_for(actor=th, org=th.posts.get().org)
    assert any(group.count for group in desk.groups if "诉求工单" in group.label)
    assert any(figure.label == "在办工单" for figure in desk.figures)


@pytest.mark.django_db
def test_demo_knowledge_base_covers_the_common_questions_and_regions(seeded):
    from gonghui.tickets.demo_knowledge import ANSWERS, seed_knowledge_demo
    from gonghui.tickets.models import KnowledgeAnswer

    answers = KnowledgeAnswer.objects.select_related("region")
    assert answers.count() == len(ANSWERS) >= 12
    assert {"wages", "injury", "contract", "social_insurance", "platform"} <= set(answers.values_list("topic", flat=True))
    assert {a.region.code for a in answers} >= {"44", "4401", "4403", "4419", "440106"}
    assert answers.filter(status="published", review_on__lt=timezone.localdate()).count() == 2
    assert seed_knowledge_demo() == 0  # idempotent
