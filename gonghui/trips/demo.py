"""Demo 疗休养 (粤工惠养): the 省总 has accredited bases in 清远, 韶关, 惠州 and 汕尾, one in 贵州 (安顺, for 广州's 劳模),
and one in 江门 whose accreditation ran out; routes in those cities with departures; policies (省总 奖补 ¥300 a person,
配套 1:1; 深圳市总 ¥400, 1:1.5) and budgets; 天河区总 took eight of its members to 清远 last month, claimed the 奖补
with the roster and invoice and was paid; a second 天河 batch is booked for 韶关, and a member's own request waits for
天河区总's decision. Everything goes through the services as the demo cadres (gd_admin, gz_admin, th_cadre)."""
from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User, UserKind
from gonghui.audit.services import audit_log
from gonghui.core.registry import DemoOptions
from gonghui.core.validators import id_number_generate
from gonghui.members import services as member_services
from gonghui.members.selectors import membership_list
from gonghui.orgs.models import Org
from gonghui.trips import services
from gonghui.trips.models import GUANGDONG, Base, Departure, Eligibility, RouteStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WORKERS = 10


def _workers(admin: User) -> list[User]:
    people = []
    for index in range(1, WORKERS + 1):
        username = f"trips_worker_{index:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(username=username, kind=UserKind.WORKER, phone=f"1380099{index:04d}")
            application = member_services.join_submit(applicant=user, data=member_services.JoinInput(
                name=f"疗养职工{index:02d}", id_number=id_number_generate(region_code="440106", birth_date=dt.date(1975 + index, 5, 1), sequence=900 + index),
                town_code="440106006"))
            if application.status == "pending":
                member_services.application_approve(actor=admin, application_id=application.pk)
        people.append(user)
    return people


def _route(actor, org, base, *, title, days, price_yuan, departures, eligibility=Eligibility.MEMBERS, description=""):
    route = services.route_create(actor=actor, org=org, data=services.RouteInput(
        base_id=base.pk, title=title, days=days, price_fen=price_yuan * 100, eligibility=eligibility, description=description))
    for in_days, capacity in departures:
        services.departure_add(actor=actor, route_id=route.pk, starts_on=timezone.localdate() + dt.timedelta(days=in_days), capacity=capacity)
    services.route_set_status(actor=actor, route_id=route.pk, status=RouteStatus.PUBLISHED)
    return route


@transaction.atomic
def seed_trips_demo() -> int:
    if Base.objects.filter(name="清远连州地下河职工疗休养基地").exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["gd_admin", "gz_admin", "th_cadre"])}
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if len(users) < 3 or admin is None:
        return 0
    province, guangzhou, tianhe, shenzhen = (Org.objects.get(code=c) for c in ("44", "4401", "440106", "4403"))
    gd, gz, th = users["gd_admin"], users["gz_admin"], users["th_cadre"]
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)

    def base(name, division, address, *, province_name=GUANGDONG, until=None, description=""):
        return services.base_create(actor=gd, org=province, data=services.BaseInput(
            name=name, address=address, province=province_name, division_id=Org.objects.get(code=division).pk if division else None,
            accredited_from=year_start - dt.timedelta(days=365), accredited_to=until or year_start.replace(year=year_start.year + 3) - dt.timedelta(days=1),
            description=description))

    bases = [
        base("清远连州地下河职工疗休养基地", "4418", "清远市连州市东陂镇地下河景区", description="省级职工疗休养基地，溶洞、瑶寨与温泉。"),
        base("韶关丹霞山职工疗休养基地", "4402", "韶关市仁化县丹霞山景区"),
        base("惠州南昆山职工疗休养基地", "4413", "惠州市龙门县南昆山生态旅游区"),
        base("汕尾红海湾职工疗休养基地", "4415", "汕尾市城区红海湾经济开发区"),
        base("贵州安顺黄果树劳模疗休养基地", None, "贵州省安顺市镇宁布依族苗族自治县黄果树镇", province_name="贵州省",
             description="粤黔东西部协作劳模疗休养基地：劳模事迹报告会、座谈会、先进职工交流会。"),
    ]
    expired = base("江门台山上下川岛职工疗休养基地", "4407", "江门市台山市上川岛", until=today - dt.timedelta(days=20))
    services.inspection_add(actor=gd, base_id=bases[0].pk, inspected_on=today - dt.timedelta(days=40), result="passed", notes="食宿、安全、医疗保障符合认定标准。")
    services.inspection_add(actor=gd, base_id=expired.pk, inspected_on=today - dt.timedelta(days=60), result="rectify", notes="消防通道堵塞，限期整改；认定到期未续。")

    for year in (today.year, today.year + 1):
        services.policy_set(actor=gd, org=province, year=year, subsidy_fen=30000, match_ratio="1.00")
        services.policy_set(actor=gd, org=shenzhen, year=year, subsidy_fen=40000, match_ratio="1.50")
        services.budget_set(actor=gd, org=province, year=year, amount_fen=17_500_000 * 100)
        services.budget_set(actor=th, org=tianhe, year=year, amount_fen=60_000 * 100)

    qingyuan = _route(gd, province, bases[0], title="清远连州地下河·瑶寨三日疗休养", days=3, price_yuan=1280, departures=[(20, 40), (34, 40), (48, 40)],
                      description="第一天 地下河；第二天 瑶族风情寨；第三天 温泉、返程。")
    _route(gd, province, bases[1], title="韶关丹霞山四日疗休养", days=4, price_yuan=1680, departures=[(15, 30), (45, 30)])
    _route(gd, province, bases[2], title="惠州南昆山两日森林康养", days=2, price_yuan=760, departures=[(10, 25), (24, 25)])
    _route(gd, province, bases[3], title="汕尾红海湾滨海三日疗休养", days=3, price_yuan=1150, departures=[(30, 35)])
    guizhou = _route(gz, guangzhou, bases[4], title="广州劳模入黔疗休养（安顺·黄果树）五日", days=5, price_yuan=3800,
                     eligibility=Eligibility.MODEL_WORKERS, departures=[(25, 30)],
                     description="广州市总组织劳模、优秀技术工人入黔疗休养，助力东西部协作。")

    workers = _workers(admin)
    members = list(membership_list(actor=th, within=tianhe).filter(person__user__in=workers).order_by("member_number"))
    for membership in members[:2]:
        services.model_worker_add(actor=gz, org=guangzhou, name=f"劳模{membership.member_number[-4:]}", id_number=membership.person.id_number,
                                  title="广州市劳动模范")
    services.batch_book(actor=th, org=tianhe, departure_id=guizhou.departures.get().pk, membership_ids=[m.pk for m in members[:2]])

    first = qingyuan.departures.order_by("starts_on").first()
    trip = services.batch_book(actor=th, org=tianhe, departure_id=first.pk, membership_ids=[m.pk for m in members[:8]])
    # The demo shows a trip that has happened: the departure is moved back a month once it was booked through the services.
    Departure.objects.filter(pk=first.pk).update(starts_on=today - dt.timedelta(days=30))
    claim = services.claim_submit(actor=th, batch_id=trip.pk, roster=SimpleUploadedFile("天河区总清远疗休养名单.pdf", PDF),
                                  invoice=SimpleUploadedFile("清远基地发票.pdf", PDF))
    services.claim_check(actor=gd, claim_id=claim.pk, approve=True)
    services.claim_pay(actor=gd, claim_id=claim.pk)

    shaoguan = Departure.objects.filter(route__title="韶关丹霞山四日疗休养").order_by("starts_on").first()
    services.batch_book(actor=th, org=tianhe, departure_id=shaoguan.pk, membership_ids=[m.pk for m in members[2:6]])
    services.place_request(actor=workers[8], departure_id=qingyuan.departures.order_by("starts_on")[1].pk)
    audit_log(actor=None, action="trips.demo.seeded", data={"count": len(bases) + 1})
    return len(bases) + 1


def demo_trips(*, options: DemoOptions) -> str:
    made = seed_trips_demo()
    return (f"演示疗休养：新增 {made} 个基地（清远、韶关、惠州、汕尾、贵州安顺；江门基地认定已过期），5 条线路；天河区总清远批次已申领并拨付奖补，"
            "韶关批次已报名，1 条职工申请待天河区总审批（th_cadre）；演示职工手机号 13800990001–13800990010")
