"""Offerings, sessions and people made the way the pages make them (through the services)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.bookings import services
from gonghui.bookings.models import Kind, OfferingStatus
from gonghui.members import services as member_services
from gonghui.members.tests.factories import new_id_number, worker

_root = {}


def cadre_at(org, role: str = "bookings_officer"):
    return PostFactory(org=org, role=Role.objects.get(code=role)).user


def _superuser():
    if "user" not in _root or not type(_root["user"]).objects.filter(pk=_root["user"].pk).exists():
        _root["user"] = UserFactory(is_superuser=True, is_staff=True)
    return _root["user"]


def member(town_code: str = "440106006", *, born: dt.date = dt.date(1995, 6, 1), new_form_type: str = "", user=None):
    """A worker who joined through 一键入会 at a 街道 union (天河区 石牌街道 by default), approved."""
    user = user or worker()
    application = member_services.join_submit(applicant=user, data=member_services.JoinInput(
        name="李小明", id_number=new_id_number(region=town_code[:6], born=born), town_code=town_code, new_form_type=new_form_type))
    member_services.application_approve(actor=_superuser(), application_id=application.pk)
    return user


def verified(*, born: dt.date = dt.date(1995, 6, 1)):
    """A worker with 实名 but no membership."""
    user = worker()
    member_services.person_verify(user=user, name="王小红", id_number=new_id_number(born=born))
    return user


def offering(actor, org, *, kind: str = Kind.ACTIVITY, publish: bool = True, capacity: int | None = 10, sessions: int = 1,
             opens_in: dt.timedelta = -dt.timedelta(hours=1), starts_in: dt.timedelta = dt.timedelta(days=3), quotas=(), counsellor=None,
             **fields):
    now = timezone.now()
    data = services.OfferingInput(kind=kind, title=fields.pop("title", "职工摄影公益课"), opens_at=now + opens_in, place="工人文化宫", **fields)
    made = services.offering_create(actor=actor, org=org, data=data)
    for index in range(sessions):
        start = now + starts_in + dt.timedelta(days=7 * index)
        services.session_add(actor=actor, offering_id=made.pk, starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=capacity,
                             quotas=list(quotas), counsellor=counsellor)
    if publish:
        services.offering_set_status(actor=actor, offering_id=made.pk, status=OfferingStatus.PUBLISHED)
    return made
