"""Rules, employers and orders for the early-warning tests."""
from __future__ import annotations

from gonghui.analytics.models import AlertRule, RuleKind
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory
from gonghui.tickets.tests.factories import file


def rule(org, kind=RuleKind.EMPLOYER_PEOPLE, *, yellow=5, orange=10, red=20, topic="", window_days=7, name="", **fields) -> AlertRule:
    return AlertRule.objects.create(org=org, name=name or f"{RuleKind(kind).label}测试", kind=kind, topic=topic, window_days=window_days,
                                    yellow=yellow, orange=orange, red=red, **fields)


def employer_with_union(town, **fields):
    union = OrgFactory(parent=town, type=OrgType.ENTERPRISE, name=fields.pop("union_name", "广州测试科技有限公司工会委员会"))
    return EmployerFactory(town=town, has_union=True, union=union, **fields)


def reports(world, employer, people: int, *, start: int = 0, **fields) -> list:
    """`people` orders about `employer`, each from a different caller (the hotline agent enters them)."""
    return [file(world.agent, district=world.tianhe, employer=employer, caller_phone=f"1380000{start + index:04d}", **fields).ticket
            for index in range(people)]
