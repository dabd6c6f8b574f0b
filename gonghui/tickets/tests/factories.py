"""Orders made the way the intake forms and the hotline make them (through the services)."""
from __future__ import annotations

import itertools

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.tickets import services
from gonghui.tickets.models import Category, Channel

_sequence = itertools.count(1)


def phone() -> str:
    return f"137{next(_sequence):08d}"


def cadre_at(org, role: str = "admin"):
    return PostFactory(org=org, role=Role.objects.get(code=role)).user


def worker():
    return UserFactory(kind="worker", phone=phone())


def file(actor=None, *, district=None, employer=None, channel=None, category=Category.COMPLAINT, form_token="", **fields) -> services.Filing:
    """An order from a worker (actor a worker), an anonymous caller (actor None) or a hotline agent (a cadre)."""
    worker_side = actor is None or actor.kind == "worker"
    data = services.TicketInput(
        channel=channel or (Channel.H5 if worker_side else Channel.HOTLINE), category=category,
        title=fields.pop("title", "公司拖欠两个月工资"), description=fields.pop("description", "公司从九月起拖欠工资，多次讨要无果。"),
        district_id=district.pk if district is not None else None, employer_id=employer.pk if employer is not None else None,
        employer_name=fields.pop("employer_name", "" if employer is not None else "广州某某餐饮有限公司"),
        caller_phone=fields.pop("caller_phone", "" if actor is not None and worker_side else phone()),
        caller_name=fields.pop("caller_name", "李小红"), **fields)
    return services.ticket_file(actor=actor, data=data, form_token=form_token)
