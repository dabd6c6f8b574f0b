"""Bases, routes, members and policies made the way the pages make them (through the services)."""
from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.members import services as member_services
from gonghui.members.selectors import my_membership
from gonghui.members.tests.factories import new_id_number, worker
from gonghui.orgs.models import Org
from gonghui.trips import services
from gonghui.trips.models import GUANGDONG, Eligibility, RouteStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_root = {}


def cadre_at(org, role: str = "admin"):
    """A cadre with a post at `org`; "admin" also reads members (a union books its own members through the members
    selectors)."""
    return PostFactory(org=org, role=Role.objects.get(code=role)).user


def _superuser():
    if "user" not in _root or not type(_root["user"]).objects.filter(pk=_root["user"].pk).exists():
        _root["user"] = UserFactory(is_superuser=True, is_staff=True)
    return _root["user"]


def member(town_code: str = "440106006", *, name: str = "王小明", user=None):
    """A worker who joined at a 街道 union (天河区 石牌街道 by default), approved; returns their membership."""
    user = user or worker()
    application = member_services.join_submit(applicant=user, data=member_services.JoinInput(
        name=name, id_number=new_id_number(region=town_code[:6]), town_code=town_code))
    member_services.application_approve(actor=_superuser(), application_id=application.pk)
    return my_membership(user=user)


def base(actor, org, *, name: str = "清远连州地下河职工疗休养基地", division: Org | None = None, province: str = GUANGDONG,
         until: dt.date | None = None, since: dt.date | None = None):
    today = timezone.localdate()
    if province == GUANGDONG and division is None:
        division = Org.objects.get(code="4418")
    return services.base_create(actor=actor, org=org, data=services.BaseInput(
        name=name, address="连州市东陂镇" if province == GUANGDONG else "安顺市镇宁县黄果树镇", province=province,
        division_id=division.pk if division else None, accredited_from=since or today - dt.timedelta(days=365),
        accredited_to=until or today + dt.timedelta(days=365 * 2)))


def route(actor, org, on_base, *, price_yuan: int = 1280, days: int = 3, departures=((20, 40),), eligibility: str = Eligibility.MEMBERS,
          publish: bool = True, title: str = "清远连州三日疗休养", eligible_org_ids=()):
    made = services.route_create(actor=actor, org=org, data=services.RouteInput(
        base_id=on_base.pk, title=title, days=days, price_fen=price_yuan * 100, eligibility=eligibility, eligible_org_ids=tuple(eligible_org_ids)))
    for in_days, capacity in departures:
        services.departure_add(actor=actor, route_id=made.pk, starts_on=timezone.localdate() + dt.timedelta(days=in_days), capacity=capacity)
    if publish:
        services.route_set_status(actor=actor, route_id=made.pk, status=RouteStatus.PUBLISHED)
    return made


def pdf(name: str = "名单.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")
