"""Demo members: workers of 天河 and 东莞 employers who joined through 一键入会, some still waiting for review; and two
入会 drives (广州市总 over its 区, 天河区总 over its 街道) with members imported from 台账 over the last months, 分解目标
and 平安夜访 visit logs, so 周调度 and 月分析 have something to show.

Deterministic and idempotent: the same people every time, and a person who already joined is skipped.
"""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker

from gonghui.accounts.models import User, UserKind
from gonghui.core.exceptions import ApplicationError
from gonghui.core.registry import DemoOptions
from gonghui.core.validators import id_number_generate
from gonghui.core.spreadsheets import write_xlsx
from gonghui.members import drives, imports, services
from gonghui.members.models import ApplicationStatus, Drive, DriveMetric, JoinApplication, Membership, MembershipStatus, NewFormType, Transfer
from gonghui.orgs import rollups
from gonghui.orgs.models import Employer, Org, OrgType
from gonghui.worktime.calendar import work_calendar
from gonghui.worktime.deadlines import LOCAL, LimitUnit, deadline

REGIONS = ("440106", "4419")


def seed_members_demo(*, count: int = 120, seed: int = 2026) -> int:
    rng, fake = random.Random(seed), Faker("zh_CN")
    fake.seed_instance(seed)
    employers = [e for code in REGIONS for e in Employer.objects.in_subtree(Org.objects.get(code=code)).order_by("uscc")[: count // 2]]
    created = 0
    for index, employer in enumerate(employers):
        applicant = _worker(index)
        born = dt.date(1970 + rng.randint(0, 35), rng.randint(1, 12), rng.randint(1, 28))
        data = services.JoinInput(
            name=fake.name(), id_number=id_number_generate(region_code=employer.town.code[:6], birth_date=born, sequence=index),
            employer_id=employer.pk, new_form_type=rng.choice([""] * 6 + [NewFormType.FOOD_DELIVERY, NewFormType.COURIER]),
        )
        try:
            with transaction.atomic():
                application = services.join_submit(applicant=applicant, data=data)
                if index % 3:  # two in three have been approved; the rest wait in the review queue
                    services.application_approve(actor=None, application_id=application.pk)
        except ApplicationError:
            continue  # already joined on an earlier run
        created += 1
    return created


def _worker(index: int) -> User:
    user, made = User.objects.get_or_create(username=f"demo_worker{index:03d}", defaults={"kind": UserKind.WORKER})
    if made:
        user.phone = f"1380013{index:04d}"
        user.set_unusable_password()
        user.save()
    return user


# 区 of 广州 with demo members: (code, members imported, share of the city's target)
DRIVE_DISTRICTS = (("440106", 170, 180), ("440104", 60, 100), ("440105", 95, 120), ("440111", 45, 120), ("440112", 30, 80))
FORMS = ("外卖骑手", "快递员", "货车司机", "", "", "")
VISIT_PLACES = ("物流园", "外卖站点", "快递网点", "货运停车场", "城中村出租屋片区")


def seed_drives_demo(*, seed: int = 2026) -> int:
    """Two drives over the five months up to this one; returns the number of members imported for them."""
    rng, fake = random.Random(seed), Faker("zh_CN")
    fake.seed_instance(seed + 1)
    today = timezone.localdate()
    starts_on = rollups.period_start(_months_back(today, 4), rollups.MONTH)
    ends_on = rollups.period_end(_months_back(today, -1), rollups.MONTH)
    city_admin, district_cadre = User.objects.get(username="gz_admin"), User.objects.get(username="th_cadre")
    created = imports.member_import(actor=city_admin, data=_drive_members(rng, fake, starts_on, today), mode="good_rows").created
    city, tianhe = Org.objects.get(code="4401"), Org.objects.get(code="440106")
    if not Drive.objects.filter(org=city, name="职工入会集中行动（广州）").exists():
        drive = drives.drive_create(actor=city_admin, org=city, name="职工入会集中行动（广州）", metric=DriveMetric.NEW_MEMBERS, target=600,
                                    starts_on=starts_on, ends_on=ends_on)
        drives.drive_targets_set(actor=city_admin, drive=drive, targets={Org.objects.get(code=code).pk: share
                                                                         for code, _, share in DRIVE_DISTRICTS})
        _visits(rng, drive, city_admin, Org.objects.filter(parent__code__in=[code for code, _, _ in DRIVE_DISTRICTS], type=OrgType.TOWN),
                per_month=8, today=today)
    if not Drive.objects.filter(org=tianhe, name="天河区新就业形态劳动者入会攻坚").exists():
        drive = drives.drive_create(actor=district_cadre, org=tianhe, name="天河区新就业形态劳动者入会攻坚", metric=DriveMetric.NEW_MEMBERS,
                                    target=240, starts_on=starts_on, ends_on=ends_on)
        towns = list(Org.objects.filter(parent=tianhe, type=OrgType.TOWN).order_by("code"))
        drives.drive_targets_set(actor=district_cadre, drive=drive, targets={town.pk: rng.choice((8, 10, 12, 14, 16)) for town in towns})
        _visits(rng, drive, district_cadre, towns, per_month=4, today=today)
    return created


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _drive_members(rng: random.Random, fake: Faker, starts_on: dt.date, today: dt.date) -> bytes:
    """A 台账 as a district would send it: one row a member, joined on days that pick up pace over the months."""
    rows, sequence, days = [], 0, (today - starts_on).days
    for code, count, _ in DRIVE_DISTRICTS:
        district = Org.objects.get(code=code)
        unions = list(Org.objects.filter(parent=district, type=OrgType.TOWN).order_by("code"))
        weights = [rng.choice((1, 2, 3, 5)) for _ in unions]  # some 街道 move fast, others lag
        sector = Org.objects.filter(parent=district, type=OrgType.SECTOR_FEDERATION, sector="food_delivery").first()
        for _ in range(count):
            form = rng.choice(FORMS)
            union = sector if sector and form == "外卖骑手" and rng.random() < 0.3 else rng.choices(unions, weights)[0]
            joined = starts_on + dt.timedelta(days=round(days * rng.triangular(0, 1, 0.8)))
            born = dt.date(1975 + rng.randint(0, 28), rng.randint(1, 12), rng.randint(1, 28))
            sequence += 1
            rows.append({"name": fake.name(), "id_number": id_number_generate(region_code=code, birth_date=born, sequence=sequence),
                         "phone": f"139{rng.randint(0, 99_999_999):08d}", "union_code": union.code, "joined_on": joined.isoformat(),
                         "new_form_type": form, "platform_company": {"外卖骑手": "美团", "快递员": "顺丰速运", "货车司机": "货拉拉"}.get(form, "")})
    return write_xlsx(columns=imports.COLUMNS, rows=rows, sheet_name="会员台账")


def _visits(rng: random.Random, drive: Drive, actor: User, towns, *, per_month: int, today: dt.date) -> None:
    """平安夜访: cadres out in the evening at the places drivers and riders gather, each visit kept at the 街道 that made it."""
    towns = sorted(towns, key=lambda town: town.code)  # the same visits on every run
    for month in rollups.period_buckets(start=drive.starts_on, end=today, period=rollups.MONTH):
        last = min(rollups.period_end(month, rollups.MONTH), today)
        for _ in range(per_month + rng.randint(-1, 1)):
            met = rng.randint(15, 60)
            town = rng.choice(towns)
            drives.visit_log_create(actor=actor, org=town, drive=drive, visited_on=month + dt.timedelta(days=rng.randint(0, (last - month).days)),
                                    place=f"{town.short_name or town.name}{rng.choice(VISIT_PLACES)}", people_met=met,
                                    joined_on_spot=rng.randint(0, met // 3), note="平安夜访")


# Working days ago that some of 天河's waiting applications were filed: two past the 15-day limit, two close to it.
FILED_WORKING_DAYS_AGO = (19, 16, 14, 13, 9)
TRANSFER_TO = "440106006"  # 石牌街道总工会


def seed_waiting_demo() -> tuple[int, bool]:
    """What waits on 天河区总's desk besides this week's applications: some filed weeks ago (dated back from today on
    every run, so the desk always shows overdue and nearly due ones), and a 东莞 member moving to 石牌街道.
    Returns the applications dated back and whether the transfer was made now."""
    calendar, today = work_calendar(), timezone.localdate()
    waiting = JoinApplication.objects.filter(status=ApplicationStatus.PENDING, union__path__startswith=Org.objects.get(code="440106").path)
    for application, days_ago in zip(waiting.order_by("pk"), FILED_WORKING_DAYS_AGO, strict=False):
        day, counted = today, 0
        while counted < days_ago:
            day -= dt.timedelta(days=1)
            counted += calendar.is_workday(day)
        filed = dt.datetime.combine(day, dt.time(10, 30), tzinfo=LOCAL)
        JoinApplication.objects.filter(pk=application.pk).update(
            created_at=filed, due_at=deadline(calendar, filed, services.CONTACT_WITHIN_WORKING_DAYS, LimitUnit.WORKING_DAYS))
    target = Org.objects.get(code=TRANSFER_TO)
    if Transfer.objects.filter(to_union=target).exists():
        return min(waiting.count(), len(FILED_WORKING_DAYS_AGO)), False
    mover = (Membership.objects.filter(union__path__startswith=Org.objects.get(code="4419").path, status=MembershipStatus.ACTIVE,
                                       person__user__isnull=False).order_by("pk").first())
    if mover is not None:
        services.transfer_request(user=mover.person.user, to_union=target, new_employer_name="天河区某科技有限公司")
    return min(waiting.count(), len(FILED_WORKING_DAYS_AGO)), mover is not None


def demo_members(*, options: DemoOptions) -> str:
    return f"演示会员：新增 {seed_members_demo()} 人（天河区、东莞市，部分待审核）"


def demo_drives(*, options: DemoOptions) -> str:
    return f"演示入会行动：广州市总、天河区总各一项，导入会员 {seed_drives_demo()} 人（近五个月入会，含分解目标和走访记录）"


def demo_waiting(*, options: DemoOptions) -> str:
    dated, moved = seed_waiting_demo()
    return f"演示待办：天河区 {dated} 份入会申请改为数周前提交（部分已超时）" + ("，一名东莞会员申请转入石牌街道" if moved else "")
