"""疗休养 as a union and a federation go through it: a group trip and its funding per org and year, the budget limit,
会员互送 paid by the member's own union, accreditation that ran out, the 劳模名单, scoping and bad input."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.trips import selectors, services
from gonghui.trips.models import Departure, Eligibility, LedgerEntry, LedgerKind, Participant, PlaceStatus, SubsidyClaim
from gonghui.trips.tests.factories import base, cadre_at, member, pdf, route

pytestmark = pytest.mark.django_db


def book(world, memberships, departure=None):
    return services.batch_book(actor=world.th, org=world.tianhe, departure_id=(departure or world.departure).pk,
                               membership_ids=[m.pk for m in memberships])


def ledger_row(actor, org, year):
    return next(r for r in selectors.ledger(actor=actor, year=year) if r.org_id == org.pk)


def test_a_group_trip_splits_each_place_and_books_the_unions_match_on_its_ledger_for_the_year(world):
    members = [member() for _ in range(3)]
    batch = book(world, members)

    places = list(batch.participants.all())
    assert [(p.price_fen, p.subsidy_fen, p.match_fen, p.own_fen) for p in places] == [(128000, 30000, 30000, 68000)] * 3
    assert {p.subsidy_org_id for p in places} == {world.province.pk} and {p.union_id for p in places} == {world.tianhe.pk}
    world.departure.refresh_from_db()
    assert world.departure.taken == 3
    row = ledger_row(world.th, world.tianhe, world.year)
    assert (row.budget_fen, row.match_fen, row.subsidy_fen, row.left_fen) == (100_000_00, 90000, 0, 100_000_00 - 90000)
    listed = selectors.batch_list(actor=world.th).get(pk=batch.pk)
    assert (listed.people, listed.subsidy, listed.match, listed.own) == (3, 90000, 90000, 204000)


def test_another_years_trip_goes_on_that_years_ledger(world):
    next_year = world.route.departures.create(starts_on=dt.date(world.year + 1, 3, 10), capacity=10)
    services.policy_set(actor=world.gd, org=world.province, year=world.year + 1, subsidy_fen=50000, match_ratio="0.5")
    services.budget_set(actor=world.th, org=world.tianhe, year=world.year + 1, amount_fen=50000)
    book(world, [member()])
    book(world, [member(), member()], departure=next_year)
    assert ledger_row(world.th, world.tianhe, world.year).match_fen == 30000
    assert ledger_row(world.th, world.tianhe, world.year + 1).match_fen == 2 * 25000  # ¥500 奖补 × 0.5
    assert [r.year for r in selectors.ledger(actor=world.th, year=world.year + 1)] == [world.year + 1]


def test_spending_beyond_the_budget_is_refused_with_what_is_left_and_nothing_changes(world):
    services.budget_set(actor=world.th, org=world.tianhe, year=world.year, amount_fen=50000)
    with pytest.raises(ApplicationError, match="预算剩余 500.00 元"):
        book(world, [member(), member()])  # ¥600 of 配套
    world.departure.refresh_from_db()
    assert world.departure.taken == 0 and not Participant.objects.exists() and not LedgerEntry.objects.exists()
    book(world, [member()])
    with pytest.raises(ApplicationError, match="本次配套需 300.00 元，预算剩余 200.00 元"):
        book(world, [member()])
    with pytest.raises(ApplicationError, match="预算不能低于已支出的 300.00 元"):
        services.budget_set(actor=world.th, org=world.tianhe, year=world.year, amount_fen=20000)


def test_no_budget_row_means_nothing_may_be_spent(world, org):
    haizhu = org("440105")
    cadre = cadre_at(haizhu)
    with pytest.raises(ApplicationError, match="预算剩余 0.00 元"):
        services.batch_book(actor=cadre, org=haizhu, departure_id=world.departure.pk, membership_ids=[member("440105001").pk])


def test_a_shenzhen_member_on_a_qingyuan_route_is_paid_for_by_their_own_union(world, org):
    """会员互送: the request goes to the member's union in 深圳, whose 配套 and the 深圳市总's 奖补 apply; 清远 pays nothing."""
    shenzhen_member = member("440304001")
    street = shenzhen_member.union
    services.policy_set(actor=world.gd, org=world.shenzhen, year=world.year, subsidy_fen=40000, match_ratio="1.5")
    street_cadre = cadre_at(street, "trips_officer")
    services.budget_set(actor=cadre_at(street), org=street, year=world.year, amount_fen=10_000_00)
    place = services.place_request(actor=shenzhen_member.person.user, departure_id=world.departure.pk)
    assert place.status == PlaceStatus.REQUESTED and place.union == street

    qingyuan_cadre = cadre_at(org("4418"))
    with pytest.raises(NotFound):
        services.place_decide(actor=qingyuan_cadre, participant_id=place.pk, approve=True)
    place = services.place_decide(actor=street_cadre, participant_id=place.pk, approve=True)

    assert (place.subsidy_fen, place.match_fen, place.own_fen, place.subsidy_org) == (40000, 60000, 28000, world.shenzhen)
    assert place.batch.org == street
    assert list(LedgerEntry.objects.values_list("org__code", "kind", "amount_fen")) == [(street.code, LedgerKind.MATCH, 60000)]
    assert not LedgerEntry.objects.filter(org__path__startswith=org("4418").path).exists()


def test_a_union_refuses_a_request_with_a_reason_and_the_place_stays_free(world):
    worker = member()
    place = services.place_request(actor=worker.person.user, departure_id=world.departure.pk)
    with pytest.raises(ApplicationError, match="已申请"):
        services.place_request(actor=worker.person.user, departure_id=world.departure.pk)
    with pytest.raises(ApplicationError, match="请填写未通过原因"):
        services.place_decide(actor=world.th, participant_id=place.pk, approve=False)
    place = services.place_decide(actor=world.th, participant_id=place.pk, approve=False, reason="本年度已安排过疗休养")
    assert place.status == PlaceStatus.REFUSED and place.refuse_reason == "本年度已安排过疗休养"
    world.departure.refresh_from_db()
    assert world.departure.taken == 0
    assert [p.pk for p in selectors.my_places(user=worker.person.user)] == [place.pk]
    services.place_request(actor=worker.person.user, departure_id=world.departure.pk)  # may ask again after a refusal


def test_an_expired_or_revoked_accreditation_blocks_new_routes_departures_and_batches(world):
    today = timezone.localdate()
    lapsed = base(world.gd, world.province, name="江门上川岛基地", since=today - dt.timedelta(days=400), until=today - dt.timedelta(days=1))
    with pytest.raises(ApplicationError, match=f"认定已于 {today - dt.timedelta(days=1):%Y-%m-%d} 到期，不能新建线路"):
        route(world.gd, world.province, lapsed)

    services.base_set_accreditation(actor=world.gd, base_id=world.base.pk, status="revoked", note="检查不合格")
    with pytest.raises(ApplicationError, match="认定已撤销，不能报名该团期"):
        book(world, [member()])
    with pytest.raises(ApplicationError, match="认定已撤销，不能新增团期"):
        services.departure_add(actor=world.gd, route_id=world.route.pk, starts_on=today + dt.timedelta(days=40), capacity=10)
    assert world.route.departures.count() == 1 and not Participant.objects.exists()

    services.base_set_accreditation(actor=world.gd, base_id=world.base.pk, status="active", accredited_to=today + dt.timedelta(days=10))
    with pytest.raises(ApplicationError, match="到期，不能报名该团期"):
        book(world, [member()])  # the departure leaves after the renewed period ends
    with pytest.raises(ApplicationError, match="暂停或撤销认定请写明原因"):
        services.base_set_accreditation(actor=world.gd, base_id=world.base.pk, status="suspended")


def test_a_base_outside_guangdong_has_an_address_and_no_guangdong_division(world, org):
    guizhou = base(world.gd, world.province, name="贵州安顺劳模疗休养基地", province="贵州省")
    assert guizhou.division is None and not guizhou.in_guangdong
    with pytest.raises(ApplicationError, match="省外基地不选省内地区"):
        base(world.gd, world.province, name="贵州另一基地", province="贵州省", division=org("4418"))
    with pytest.raises(ApplicationError, match="省内基地请选择所在地区"):
        services.base_create(actor=world.gd, org=world.province, data=services.BaseInput(
            name="无地区基地", address="某地", accredited_from=timezone.localdate(), accredited_to=timezone.localdate()))
    assert selectors.base_list(actor=world.gd, outside="1").get() == guizhou


def test_a_model_worker_route_takes_only_people_on_the_list(world):
    guizhou = base(world.gd, world.province, name="贵州安顺劳模疗休养基地", province="贵州省")
    gz = cadre_at(world.city)
    laomo = route(gz, world.city, guizhou, title="广州劳模入黔疗休养", eligibility=Eligibility.MODEL_WORKERS, price_yuan=3800)
    hero, other = member(), member()
    with pytest.raises(ApplicationError, match=f"{hero.member_number}：该线路为劳模疗休养，仅限劳模名单上的人员参加"):
        book(world, [hero], departure=laomo.departures.get())
    services.model_worker_add(actor=gz, org=world.city, name="王小明", id_number=hero.person.id_number, title="广州市劳动模范")
    with pytest.raises(ApplicationError, match="已在本单位劳模名单中"):
        services.model_worker_add(actor=gz, org=world.city, name="王小明", id_number=hero.person.id_number, title="广州市劳动模范")
    with pytest.raises(ApplicationError, match=other.member_number):
        book(world, [hero, other], departure=laomo.departures.get())
    batch = book(world, [hero], departure=laomo.departures.get())
    assert batch.participants.get().person == hero.person
    with pytest.raises(ApplicationError, match="仅限劳模名单"):
        services.place_request(actor=other.person.user, departure_id=laomo.departures.get().pk)


def test_the_list_imports_all_rows_or_none_naming_the_bad_ones(world):
    gz = cadre_at(world.city)
    good = member().person.id_number
    bad = SimpleUploadedFile("名单.csv", f"姓名,身份证号,荣誉称号\n张三,{good},全国劳动模范\n李四,123,省劳模\n".encode())
    with pytest.raises(ApplicationError, match="第 3 行：身份证号不正确"):
        services.model_workers_import(actor=gz, org=world.city, upload=bad)
    assert not selectors.model_worker_list(actor=gz).exists()
    fine = SimpleUploadedFile("名单.csv", f"姓名,身份证号,荣誉称号\n张三,{good},全国劳动模范\n".encode("gb18030"))
    assert services.model_workers_import(actor=gz, org=world.city, upload=fine) == 1
    assert selectors.model_worker_list(actor=gz, name="张 三").get().title == "全国劳动模范"


def test_a_claim_after_the_trip_is_checked_and_paid_onto_the_federations_ledger(world):
    batch = book(world, [member(), member()])
    with pytest.raises(ApplicationError, match="结束后才能申领奖补"):
        services.claim_submit(actor=world.th, batch_id=batch.pk, roster=pdf(), invoice=pdf())
    Departure.objects.filter(pk=world.departure.pk).update(starts_on=timezone.localdate() - dt.timedelta(days=5))  # the trip took place
    program = SimpleUploadedFile("发票.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ApplicationError, match="不是 PDF、JPG、PNG 文件"):
        services.claim_submit(actor=world.th, batch_id=batch.pk, roster=pdf(), invoice=program)
    claim = services.claim_submit(actor=world.th, batch_id=batch.pk, roster=pdf(), invoice=pdf("发票.pdf"))
    assert (claim.people, claim.amount_fen, claim.federation) == (2, 60000, world.province)
    with pytest.raises(ApplicationError, match="已有申领在办理中"):
        services.claim_submit(actor=world.th, batch_id=batch.pk, roster=pdf(), invoice=pdf())

    with pytest.raises(PermissionDenied):
        services.claim_check(actor=world.th, claim_id=claim.pk, approve=True)  # the claiming union does not check itself
    with pytest.raises(ApplicationError, match="只有审核通过的申领可以拨付"):
        services.claim_pay(actor=world.gd, claim_id=claim.pk)
    services.claim_check(actor=world.gd, claim_id=claim.pk, approve=True)
    with pytest.raises(ApplicationError, match="预算剩余 0.00 元"):
        services.claim_pay(actor=world.gd, claim_id=claim.pk)  # the 省总 has no budget for the year yet
    services.budget_set(actor=world.gd, org=world.province, year=world.year, amount_fen=17_500_000_00)
    claim = services.claim_pay(actor=world.gd, claim_id=claim.pk)
    assert claim.status == "paid"
    assert ledger_row(world.gd, world.province, world.year).subsidy_fen == 60000
    assert ledger_row(world.gd, world.tianhe, world.year).match_fen == 60000


def test_another_districts_rows_are_not_found_and_its_orgs_cannot_be_booked_for(world):
    batch = book(world, [member()])
    yuexiu_member = member("440104001")
    for get in (lambda: selectors.batch_get_for(actor=world.yx, batch_id=batch.pk),
                lambda: services.place_decide(actor=world.yx, participant_id=batch.participants.get().pk, approve=True),
                lambda: services.budget_set(actor=world.yx, org=world.tianhe, year=world.year, amount_fen=1)):
        with pytest.raises((NotFound, PermissionDenied)):
            get()
    with pytest.raises(PermissionDenied, match="没有组团报名疗休养的权限"):
        services.batch_book(actor=world.yx, org=world.tianhe, departure_id=world.departure.pk, membership_ids=[member().pk])
    with pytest.raises(ApplicationError, match="不属于本工会"):
        book(world, [yuexiu_member])  # 天河 naming a 越秀 member
    assert selectors.batch_list(actor=world.yx).count() == 0 and selectors.ledger(actor=world.yx) == []
    draft = route(world.gd, world.province, world.base, title="草稿线路", publish=False)
    with pytest.raises(NotFound):
        selectors.route_get_for(actor=world.th, route_id=draft.pk)
    assert selectors.route_get_for(actor=world.yx, route_id=world.route.pk) == world.route  # published: the catalogue


@pytest.mark.parametrize(("change", "message"), [
    ({"days": 0}, "天数应在 1–30 天之间"),
    ({"price_fen": 0}, "请填写每人费用"),
    ({"title": "  "}, "请填写线路名称"),
    ({"eligibility": "orgs"}, "请选择可参加的组织"),
    ({"base_id": 999_999}, "请选择基地"),
])
def test_a_bad_route_is_refused_in_chinese_and_nothing_is_made(world, change, message):
    data = {"base_id": world.base.pk, "title": "线路", "days": 2, "price_fen": 50000, **change}
    with pytest.raises(ApplicationError, match=message):
        services.route_create(actor=world.gd, org=world.province, data=services.RouteInput(**data))
    assert world.base.routes.count() == 1


def test_other_bad_input_is_refused(world):
    with pytest.raises(ApplicationError, match="配套比例应为数字"):
        services.policy_set(actor=world.gd, org=world.province, year=world.year, subsidy_fen=100, match_ratio="一比一")
    with pytest.raises(ApplicationError, match="请选择参加的会员"):
        book(world, [])
    with pytest.raises(ApplicationError, match="出发日期须晚于今天"):
        services.departure_add(actor=world.gd, route_id=world.route.pk, starts_on=timezone.localdate(), capacity=10)
    with pytest.raises(ApplicationError, match="已有团期"):
        services.departure_add(actor=world.gd, route_id=world.route.pk, starts_on=world.departure.starts_on, capacity=10)
    with pytest.raises(ApplicationError, match="名额不足：该团期剩余 2 个名额，本次需要 3 个"):
        Departure.objects.filter(pk=world.departure.pk).update(capacity=2)
        book(world, [member(), member(), member()])
    with pytest.raises(NotFound):
        services.batch_book(actor=world.th, org=world.tianhe, departure_id="abc", membership_ids=[1])
    assert not SubsidyClaim.objects.exists()


def test_the_split_never_exceeds_the_price_and_rounds_to_the_fen():
    from decimal import Decimal

    from gonghui.trips.models import FundingPolicy

    policy = FundingPolicy(subsidy_fen=33333, match_ratio=Decimal("1.50"), org_id=1)
    split = services.funding_split(price_fen=80000, policy=policy)
    assert (split.subsidy_fen, split.match_fen, split.own_fen) == (33333, 46667, 0)  # 49999.5 capped by what is left
    split = services.funding_split(price_fen=20000, policy=policy)
    assert (split.subsidy_fen, split.match_fen, split.own_fen) == (20000, 0, 0)
    half = services.funding_split(price_fen=80000, policy=FundingPolicy(subsidy_fen=33333, match_ratio=Decimal("0.50"), org_id=1))
    assert (half.match_fen, half.own_fen) == (16667, 80000 - 33333 - 16667)  # 16666.5 rounds half up
    assert services.funding_split(price_fen=100, policy=None).own_fen == 100
