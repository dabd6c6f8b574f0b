"""群体性 early warning: what each rule finds in the recent orders, and where an alert goes (三道防线, decision 0021).

A rule looks at the orders received in its last `window_days` under its org (held or dispatched there), leaving out
withdrawn ones, and from the moment the last alert on the same subject was lifted (解除), so a lifted alert is not raised
again from the same orders.

- 同一单位多人反映: distinct people about one employer, a person being the caller's phone blind index (else their account,
  else the order); an employer is its USCC, or its normalised name when it is not on the ledger.
- 同一单位涉及人数: the workers concerned at one employer, as the larger of the largest 涉及人数 of one order and the number of
  distinct people (five workers each reporting "30 of us are unpaid" are 30, not 150); one order about 30 workers reaches
  a threshold of 10 at once. Merged duplicates are left out.
- 区域行业诉求上升: orders of one industry (the 新就业形态 sector, else the employer's 门类) in one district (the 区/县, or the
  镇/街道 in 东莞/中山) when they reach the threshold and exceed the window before by `rise_percent`.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Q

from gonghui.analytics.models import AlertRule, AlertState, Level, Line, RuleKind
from gonghui.members.routing import SECTOR_FOR, county_level
from gonghui.orgs.models import Industry, Org, OrgType, Sector
from gonghui.tickets.facts import named_union_paths, orders_received_between
from gonghui.tickets.models import State, Topic

_PUNCTUATION = re.compile(r"[\s()\[\]·.,，、\-_/]+")


def employer_key(*, uscc: str, name: str) -> str:
    """An employer as the rules count it: its USCC, else its name NFKC-folded without spaces and punctuation."""
    if uscc:
        return uscc.strip().upper()
    folded = _PUNCTUATION.sub("", unicodedata.normalize("NFKC", name or "")).upper()
    return f"name:{folded}" if folded else ""


@dataclass
class Finding:
    subject_key: str
    subject: str
    count: int = 0
    people: int = 0
    workers: int = 0
    ticket_ids: list[int] = field(default_factory=list)
    employer: object = None
    district: Org | None = None
    industry: str = ""
    about_union: bool = False
    new_form_type: str = ""
    named: set[str] = field(default_factory=set)  # paths of unions the orders name as parties: told nothing


def level_for(rule: AlertRule, count: int) -> str | None:
    if count >= rule.red:
        return Level.RED
    if count >= rule.orange:
        return Level.ORANGE
    if count >= rule.yellow:
        return Level.YELLOW
    return None


class _Counties:
    """county_level per org, looked up once per run."""

    def __init__(self):
        self.found: dict[int, Org | None] = {}

    def of(self, org: Org | None) -> Org | None:
        if org is None:
            return None
        if org.pk not in self.found:
            self.found[org.pk] = county_level(org)
        return self.found[org.pk]


def _orders(rule: AlertRule, start: dt.datetime, end: dt.datetime):
    under = Q(holder__path__startswith=rule.org.path) | Q(centre__path__startswith=rule.org.path)
    rows = orders_received_between(start, end).filter(under).exclude(state=State.WITHDRAWN)
    if rule.topic:
        rows = rows.filter(topic=rule.topic)
    return rows.select_related("employer__town", "employer__union", "district").order_by("pk")


def _lifted(rule: AlertRule) -> dict[str, dt.datetime]:
    return dict(rule.alerts.filter(state=AlertState.RESOLVED).values("subject_key").annotate(at=Max("resolved_at"))
                .values_list("subject_key", "at"))


def _person(ticket) -> str:
    return ticket.caller_phone_index or (f"user:{ticket.filed_by_id}" if ticket.filed_by_id else f"order:{ticket.pk}")


def findings(rule: AlertRule, *, now: dt.datetime) -> list[Finding]:
    start = now - dt.timedelta(days=rule.window_days)
    if rule.kind == RuleKind.INDUSTRY_RISE:
        return _industry_findings(rule, start=start, now=now)
    return _employer_findings(rule, start=start, now=now)


def _employer_findings(rule: AlertRule, *, start: dt.datetime, now: dt.datetime) -> list[Finding]:
    lifted, counties = _lifted(rule), _Counties()
    found: dict[str, Finding] = {}
    people: dict[str, set[str]] = defaultdict(set)
    largest: dict[str, int] = defaultdict(int)
    for ticket in _orders(rule, start, now):
        employer = ticket.employer
        key = employer_key(uscc=employer.uscc if employer else ticket.employer_uscc, name=employer.name if employer else ticket.employer_name)
        if not key or (key in lifted and ticket.created_at <= lifted[key]):
            continue
        finding = found.setdefault(key, Finding(subject_key=key, subject=employer.name if employer else ticket.employer_name,
                                                employer=employer, district=counties.of(employer.town if employer else ticket.district)))
        finding.ticket_ids.append(ticket.pk)
        people[key].add(_person(ticket))
        finding.about_union |= ticket.topic == Topic.UNION
        finding.new_form_type = finding.new_form_type or ticket.new_form_type
        if ticket.state != State.MERGED:
            largest[key] = max(largest[key], ticket.affected_count)
    for key, finding in found.items():
        finding.named = named_union_paths(finding.ticket_ids)
        union = finding.employer.union if finding.employer is not None and finding.employer.union_id else None
        finding.about_union |= union is not None and any(union.path.startswith(path) for path in finding.named)
        finding.people = len(people[key])
        finding.workers = max(largest[key], finding.people)
        finding.count = finding.people if rule.kind == RuleKind.EMPLOYER_PEOPLE else finding.workers
    return list(found.values())


def _industry(ticket) -> tuple[str, str]:
    """(key, label) of the order's industry: its 新就业形态 sector, else its employer's 门类."""
    sector = SECTOR_FOR.get(ticket.new_form_type)
    if sector:
        return f"sector:{sector}", Sector(sector).label
    if ticket.employer_id:
        return f"industry:{ticket.employer.industry}", Industry(ticket.employer.industry).label
    return "", ""


def _industry_counts(rule: AlertRule, start: dt.datetime, end: dt.datetime, counties: _Counties, lifted=None) -> dict[str, Finding]:
    found: dict[str, Finding] = {}
    for ticket in _orders(rule, start, end).exclude(state=State.MERGED):
        county = counties.of(ticket.employer.town if ticket.employer_id else ticket.district)
        industry, label = _industry(ticket)
        if county is None or not industry:
            continue
        key = f"{county.division_code or county.pk}:{industry}"
        if lifted and key in lifted and ticket.created_at <= lifted[key]:
            continue
        finding = found.setdefault(key, Finding(subject_key=key, subject=f"{county.name} · {label}", district=county, industry=label))
        finding.count += 1
        finding.workers += ticket.affected_count
        finding.ticket_ids.append(ticket.pk)
        finding.new_form_type = finding.new_form_type or ticket.new_form_type
    return found


def _industry_findings(rule: AlertRule, *, start: dt.datetime, now: dt.datetime) -> list[Finding]:
    counties = _Counties()
    current = _industry_counts(rule, start, now, counties, lifted=_lifted(rule))
    before = _industry_counts(rule, start - (now - start), start, counties)
    rising = []
    for key, finding in current.items():
        previous = before[key].count if key in before else 0
        if finding.count * 100 >= previous * (100 + rule.rise_percent) and finding.count > previous:
            finding.people, finding.named = finding.count, named_union_paths(finding.ticket_ids)
            rising.append(finding)
    return rising


@dataclass(frozen=True)
class Route:
    org: Org
    line: str
    reason: str


def sector_federation(county: Org, new_form_type: str) -> Org | None:
    sector = SECTOR_FOR.get(new_form_type)
    if not sector or county is None:
        return None
    return (Org.objects.filter(path__startswith=county.path, type=OrgType.SECTOR_FEDERATION, sector=sector, is_active=True)
            .order_by("depth", "pk").first())


def routes_for(finding: Finding) -> list[Route]:
    """The 三道防线 for one finding, each org once:
    1. 企业源头: the employer's own union, told to act at the source, unless an order in the alert is about that union
       (问题类型 工会工作, or the union named as a 被反映对象) or the employer has none. It hears of the alert (counts and topic), never the orders, which the
       tickets' conflict rule keeps from it;
    2. 行业缓冲: the district's 行业工会联合会 of the sector when the workers are in a 新就业形态 industry;
    3. 区街阻截: always the district (the 区/县; in 东莞/中山 the 镇/街道, as `members.routing.county_level` says), and the
       employer's 街道/镇 when that lies below the district.
    No union an order names as a party (or anything under it) is told, on any line."""
    routes: list[Route] = []
    employer = finding.employer
    if employer is not None and employer.union_id and employer.union.is_active and not finding.about_union:
        routes.append(Route(employer.union, Line.SOURCE, "本单位工会：源头化解"))
    federation = sector_federation(finding.district, finding.new_form_type) if finding.new_form_type else None
    if federation is not None:
        routes.append(Route(federation, Line.SECTOR, "新就业形态：行业工会联合会缓冲"))
    if finding.district is not None:
        routes.append(Route(finding.district, Line.DISTRICT, "属地区/县（镇）总工会：区街阻截"))
    town = employer.town if employer is not None else None
    if town is not None and finding.district is not None and town.pk != finding.district.pk and town.path.startswith(finding.district.path):
        routes.append(Route(town, Line.DISTRICT, "单位所在街道/镇：区街阻截"))
    seen, unique = set(), []
    for route in routes:
        if any(route.org.path.startswith(path) for path in finding.named):
            continue  # an order names this union (or one above it) as a party: it is not warned about itself
        if route.org.pk not in seen:
            seen.add(route.org.pk)
            unique.append(route)
    return unique
