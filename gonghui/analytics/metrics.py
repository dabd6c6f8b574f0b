"""诉求工单 metrics for an org's subtree and a period, read from the daily rollups only (`TicketDaily`), with the link to
the orders behind every figure. The definitions are written on the page (`DEFINITIONS`) and in `tickets.facts`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, QuerySet, Sum
from django.urls import reverse

from gonghui.analytics.models import COUNTS, VIEW, TicketDaily
from gonghui.core.exceptions import ApplicationError
from gonghui.orgs.models import Org
from gonghui.tickets.facts import FACTS
from gonghui.tickets.models import Category, Channel, Tier

DEFINITIONS = (
    ("受理量", "受理日期在统计期内的工单（含重复反映、已撤回），按受理日期计，不按办结日期。"),
    ("签收率", "已签收 ÷ 已派单。直接办结、转交而未派单的工单不计入。"),
    ("按时签收率", "在最近一次派单（转办）的签收期限内签收的 ÷ 已派单。"),
    ("按时办结率", "答复时间不晚于办结期限的已办结工单 ÷ 已办结。期限为经批准延期、补充材料暂停顺延后的期限。"),
    ("满意率", "（满意 + 基本满意）÷ 回访成功（满意、基本满意、不满意）。未回访（联系不上）不计入分子分母，单独列出。"),
    ("回访率", "回访成功 ÷ 应回访（已答复待回访及已回访的工单）。"),
    ("重复诉求率", "作为重复反映合并到在办工单的 ÷ 受理量。"),
    ("平均办理用时", "已办结工单从受理到办结的工作日数（按工作日历，受理当天不计）的平均值。"),
    ("统计单位", "按当前承办单位归属：选择某一组织时统计其本级及下级承办的工单。"),
)

DIMENSIONS = {
    "org": "下级组织", "category": "诉求类别", "tier": "难易程度", "channel": "来源渠道", "employer": "涉及单位",
}
_LABELS = {"category": dict(Category.choices), "tier": dict(Tier.choices), "channel": dict(Channel.choices)}
MAX_PERIOD_DAYS = 366 * 3
TOP_EMPLOYERS = 50


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @classmethod
    def parse(cls, first: str | None, last: str | None, *, today: dt.date) -> Period:
        """The period a page asks for (YYYY-MM-DD each), this month by default; a bad or impossible one is refused."""
        try:
            start = dt.date.fromisoformat(first) if first else today.replace(day=1)
            end = dt.date.fromisoformat(last) if last else today
        except ValueError:
            raise ApplicationError("日期格式不正确，请用 YYYY-MM-DD", code="analytics.date_invalid", fields={"from": "日期格式不正确"}) from None
        if end < start:
            raise ApplicationError("结束日期不能早于开始日期", code="analytics.period_reversed", fields={"to": "结束日期不能早于开始日期"})
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ApplicationError("统计期不能超过三年", code="analytics.period_too_long", fields={"from": "统计期不能超过三年"})
        return cls(start, end)


@dataclass
class Figures:
    """Summed counts of some rollup rows, with the rates the page shows (None where the denominator is zero)."""

    counts: dict[str, int]
    handling_days: int = 0
    link: dict = field(default_factory=dict)  # the list filters these rows stand for

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def accept_rate(self) -> float | None:
        return self._share(self.accepted, self.dispatched)

    @property
    def accept_on_time_rate(self) -> float | None:
        return self._share(self.accepted_on_time, self.dispatched)

    @property
    def close_on_time_rate(self) -> float | None:
        return self._share(self.closed_on_time, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._share(self.satisfied + self.basic, self.rated)

    @property
    def follow_up_rate(self) -> float | None:
        return self._share(self.rated, self.follow_up_due)

    @property
    def repeat_rate(self) -> float | None:
        return self._share(self.repeated, self.received)

    @property
    def average_handling_days(self) -> float | None:
        return self._share(self.handling_days, self.closed)

    @property
    def urls(self) -> dict[str, str]:
        """The list behind each figure, by fact (`tickets.facts`)."""
        return {fact: self.url(fact) for fact in FACTS}

    def url(self, fact: str = "") -> str:
        """The desk list of the orders this figure counts."""
        query = {**self.link, **({"fact": fact} if fact and fact != "received" else {})}
        return f"{reverse('tickets:list')}?{urlencode(query)}"


def _sums() -> dict:
    return {name: Sum(name) for name in (*COUNTS, "handling_days")}


def _figures(row: dict, link: dict) -> Figures:
    return Figures(counts={name: row.get(name) or 0 for name in COUNTS}, handling_days=row.get("handling_days") or 0, link=link)


def rollup_rows(*, actor, within: Org, period: Period) -> QuerySet[TicketDaily]:
    return (TicketDaily.objects.restrict(actor, VIEW)
            .filter(org__path__startswith=within.path, day__gte=period.first, day__lte=period.last))


@dataclass
class Metrics:
    within: Org
    period: Period
    total: Figures
    dimension: str
    groups: list[tuple[str, Figures]]


def metrics_for(*, actor, within: Org, period: Period, dimension: str = "org") -> Metrics:
    """The subtree's figures over the period, and the same broken down by one dimension (largest first)."""
    if dimension not in DIMENSIONS:
        dimension = "org"
    rows = rollup_rows(actor=actor, within=within, period=period)
    base = {"received_from": period.first.isoformat(), "received_to": period.last.isoformat(), "org": within.pk}
    total = _figures(rows.aggregate(**_sums()), base)
    return Metrics(within=within, period=period, total=total, dimension=dimension, groups=_groups(rows, within, dimension, base))


def _groups(rows: QuerySet, within: Org, dimension: str, base: dict) -> list[tuple[str, Figures]]:
    if dimension == "org":
        return _by_sub_org(rows, within, base)
    key = "employer_id" if dimension == "employer" else dimension
    grouped = rows.values(key).annotate(**_sums()).order_by("-received")
    if dimension == "employer":
        grouped = grouped[:TOP_EMPLOYERS]
        names = dict(rows.filter(employer__isnull=False).values_list("employer_id", "employer__name").distinct())
        return [(names.get(row[key], "未关联单位台账"), _figures(row, {**base, "employer_id": row[key] or 0})) for row in grouped]
    return [(_LABELS[dimension].get(row[key], row[key]), _figures(row, {**base, key: row[key]})) for row in grouped]


def _by_sub_org(rows: QuerySet, within: Org, base: dict) -> list[tuple[str, Figures]]:
    """Per org directly under `within` (what `within` holds itself as 本级), in one grouped query on the path prefix."""
    from gonghui.orgs.rollups import by_sub_org

    found = by_sub_org(rows.annotate(org_path=F("org__path")), within=within, **_sums())
    orgs = {org.path: org for org in Org.objects.filter(path__in=found.keys())}
    groups = []
    for prefix, row in sorted(found.items(), key=lambda item: -(item[1]["received"] or 0)):
        org = orgs.get(prefix)
        label = "本级" if prefix == within.path else (org.name if org else prefix)
        link = {**base, "org": within.pk, "org_only": 1} if prefix == within.path else {**base, "org": org.pk if org else within.pk}
        groups.append((label, _figures(row, link)))
    return groups


@dataclass
class Charts:
    """The metrics page's two charts, from the same rollup rows as its table: 受理量 per day over the period (days without
    orders at 0) and per 诉求类别; each point carries the link to its orders."""

    trend: list[tuple[dt.date, int, str]]
    categories: list[tuple[str, int, str]]

    def as_json(self) -> dict:
        return {"trend": {"labels": [day.strftime("%m-%d") for day, _, _ in self.trend], "days": [day.isoformat() for day, _, _ in self.trend],
                          "values": [n for _, n, _ in self.trend], "urls": [url for _, _, url in self.trend]},
                "categories": {"labels": [label for label, _, _ in self.categories], "values": [n for _, n, _ in self.categories],
                               "urls": [url for _, _, url in self.categories]}}


def charts_for(*, actor, within: Org, period: Period) -> Charts:
    rows = rollup_rows(actor=actor, within=within, period=period)
    per_day = dict(rows.order_by().values("day").annotate(n=Sum("received")).values_list("day", "n"))
    trend = []
    for offset in range((period.last - period.first).days + 1):
        day = period.first + dt.timedelta(days=offset)
        trend.append((day, per_day.get(day) or 0, _figures({}, {"received_from": day.isoformat(), "received_to": day.isoformat(), "org": within.pk}).url()))
    link = {"received_from": period.first.isoformat(), "received_to": period.last.isoformat(), "org": within.pk}
    by_category = rows.order_by().values("category").annotate(n=Sum("received")).order_by("-n", "category")
    categories = [(_LABELS["category"].get(row["category"], row["category"]), row["n"] or 0,
                   _figures({}, {**link, "category": row["category"]}).url()) for row in by_category]
    return Charts(trend=trend, categories=categories)
