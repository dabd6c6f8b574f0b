"""Guangdong demo data on real divisions: unions of every kind and several thousand employers.

Deterministic (fixed random seed) and idempotent: every record has a stable natural key
(组织编码, 统一社会信用代码), and existing ones are left alone.
"""
from __future__ import annotations

import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker

from gonghui.audit.services import audit_log
from gonghui.core.pinyin import pinyin_full, pinyin_initials
from gonghui.core.validators import uscc_generate
from gonghui.core.registry import DemoOptions
from gonghui.orgs import assessment, assessment_schemes, cultivation
from gonghui.orgs.divisions import divisions_load
from gonghui.orgs.models import Assessment, AssessmentScheme, CultivationLevel, Employer, GuidanceLink, ImprovementTask, Org, OrgType, Ownership, Sector
from gonghui.orgs.paths import child_paths, depth_of
from gonghui.orgs.services import EmployerInput, employer_create, guidance_link_create, org_create

# 功能区 unions that sit beside districts (parent city code, code, name).
FUNCTION_ZONES = [
    ("4413", "FZ-441300-DYW", "惠州大亚湾经济技术开发区工会"),
    ("4404", "FZ-440400-HQ", "横琴粤澳深度合作区工会"),
    ("4403", "FZ-440300-QH", "深圳前海深港现代服务业合作区工会"),
    ("4408", "FZ-440800-KFQ", "湛江经济技术开发区工会"),
]

# 产业工会 (parent org code, code, name).
INDUSTRY_UNIONS = [
    ("44", "IU-44-JKWW", "广东省教科文卫工会"),
    ("44", "IU-44-JTYS", "广东省交通运输工会"),
    ("44", "IU-44-HYJS", "广东省海员建设工会"),
    ("4401", "IU-4401-JKWW", "广州市教科文卫工会"),
    ("4403", "IU-4403-JTYS", "深圳市交通运输工会"),
]

SECTOR_NAMES = {
    Sector.FOOD_DELIVERY: "外卖配送行业工会联合会",
    Sector.COURIER: "快递行业工会联合会",
    Sector.RIDE_HAILING: "网约车行业工会联合会",
    Sector.TRUCKING: "货车司机工会联合会",
}

# Districts (and, for 东莞/中山, towns) that run 行业工会联合会 for new forms of employment.
SECTOR_FEDERATION_PARENTS = [
    "440106", "440111", "440113", "440305", "440306", "440307", "440605", "440811", "440402",
    "441900", "442000",  # resolved below to a town of 东莞 / 中山 (no county level there)
]
DONGGUAN_ZHONGSHAN_TOWNS = {"441900": "长安镇", "442000": "小榄镇"}

INDUSTRY_WEIGHTS = {"C": 30, "F": 15, "I": 8, "G": 8, "E": 7, "H": 7, "L": 6, "M": 4, "K": 3, "O": 3, "P": 3, "Q": 2, "R": 2, "A": 2}
OWNERSHIP_WEIGHTS = {
    Ownership.NON_PUBLIC: 75, Ownership.STATE: 6, Ownership.FOREIGN: 6, Ownership.HMT: 6,
    Ownership.COLLECTIVE: 2, Ownership.PUBLIC_INSTITUTION: 3, Ownership.SOCIAL_ORG: 2,
}
BUSY_CITIES = {"4401": 6, "4403": 6, "4419": 4, "4406": 3, "4413": 2, "4420": 2, "4404": 2}
INDUSTRY_UNION_FOR_SECTION = {"P": "IU-44-JKWW", "Q": "IU-44-JKWW", "G": "IU-44-JTYS"}


def seed_orgs_demo(*, employers: int = 4000, seed: int = 2026) -> dict[str, int]:
    counts = {"divisions": divisions_load()}
    with transaction.atomic():
        counts["special_unions"] = _seed_special_unions()
        counts["employers"], counts["enterprise_unions"] = _seed_employers(total=employers, rng=random.Random(seed))
        counts["guidance_links"] = _seed_guidance_links()
        counts["union_contacts"] = _seed_union_contacts(rng=random.Random(seed))
    return counts


def _create_once(*, code: str, parent: Org, name: str, type: str, sector: str = "") -> int:
    if Org.objects.filter(code=code).exists():
        return 0
    org_create(actor=None, code=code, parent=parent, name=name, type=type, sector=sector)
    return 1


def _seed_special_unions() -> int:
    by_code = lambda code: Org.objects.get(code=code)  # noqa: E731 (tiny local lookup)
    created = 0
    for parent, code, name in FUNCTION_ZONES:
        created += _create_once(code=code, parent=by_code(parent), name=name, type=OrgType.FUNCTION_ZONE)
    for parent, code, name in INDUSTRY_UNIONS:
        created += _create_once(code=code, parent=by_code(parent), name=name, type=OrgType.INDUSTRY_UNION)
    for parent_code in SECTOR_FEDERATION_PARENTS:
        if parent_code in DONGGUAN_ZHONGSHAN_TOWNS:
            parent = Org.objects.get(parent__code=parent_code[:4], short_name=DONGGUAN_ZHONGSHAN_TOWNS[parent_code])
        else:
            parent = by_code(parent_code)
        for sector, suffix in SECTOR_NAMES.items():
            created += _create_once(
                code=f"SF-{parent.code}-{sector.value}", parent=parent, name=f"{parent.short_name}{suffix}",
                type=OrgType.SECTOR_FEDERATION, sector=sector,
            )
    return created


OFFICE_HOURS = ("周一至周五 9:00-12:00，14:00-17:30", "周一至周五 8:30-12:00，14:00-17:30；周六上午 9:00-12:00（职工服务窗口）")


def _seed_union_contacts(*, rng: random.Random) -> int:
    """Address, phone and office hours for 广州's district, town and sector unions, as 找工会's union page shows them."""
    fake = Faker("zh_CN")
    fake.seed_instance(rng.randint(0, 2**31))
    unions = list(Org.objects.filter(path__startswith=Org.objects.get(code="4401").path, office_hours="",
                                     type__in=(OrgType.COUNTY, OrgType.TOWN, OrgType.SECTOR_FEDERATION)).select_related("parent"))
    for org in unions:
        place = org if org.type != OrgType.SECTOR_FEDERATION else org.parent
        org.address = org.address or f"{place.short_name or place.name}{fake.street_name()}{rng.randint(1, 399)}号"
        org.contact_phone = org.contact_phone or f"020-{rng.randint(3000_0000, 8999_9999)}"
        org.office_hours = OFFICE_HOURS[rng.random() < 0.3]
    Org.objects.bulk_update(unions, ["address", "contact_phone", "office_hours"], batch_size=500)
    return len(unions)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _headcount(rng: random.Random) -> int:
    bucket = rng.random()
    if bucket < 0.45:
        return rng.randint(3, 24)
    if bucket < 0.80:
        return rng.randint(25, 99)
    if bucket < 0.96:
        return rng.randint(100, 999)
    return rng.randint(1000, 12000)


def _seed_employers(*, total: int, rng: random.Random) -> tuple[int, int]:
    fake = Faker("zh_CN")
    fake.seed_instance(rng.randint(0, 10**9))
    # 街道/镇/乡 only: statistical codes ending 400+ are farms, zones and prisons
    towns = [t for t in Org.objects.filter(type=OrgType.TOWN).select_related("parent") if int(t.code[-3:]) < 400]
    names: set[str] = set()
    weights = [BUSY_CITIES.get(town.code[:4], 1) for town in towns]
    employers: list[Employer] = []
    for _ in range(total):
        town = rng.choices(towns, weights=weights)[0]
        county_code = town.code[:6]
        headcount = _headcount(rng)
        union_chance = 0.2 if headcount < 25 else 0.5 if headcount < 100 else 0.8
        name = _unique_company_name(fake, prefix=town.parent.short_name.removesuffix("市"), taken=names)
        employers.append(
            Employer(
                uscc=uscc_generate(region_code=county_code, rng=rng), name=name, name_initials=pinyin_initials(name),
                industry=_weighted(rng, INDUSTRY_WEIGHTS), ownership=_weighted(rng, OWNERSHIP_WEIGHTS), town=town,
                address=f"{town.parent.short_name}{town.short_name}{fake.street_name()}{rng.randint(1, 999)}号", headcount=headcount, has_union=rng.random() < union_chance,
            )
        )
    before = Employer.objects.count()
    Employer.objects.bulk_create(employers, batch_size=1000, ignore_conflicts=True)
    created_employers = Employer.objects.count() - before
    created_unions = _seed_enterprise_unions()
    if created_employers:
        audit_log(actor=None, action="orgs.employer.seeded", data={"created": created_employers, "unions": created_unions})
    return created_employers, created_unions


def _unique_company_name(fake: Faker, *, prefix: str, taken: set[str]) -> str:
    name = f"{prefix}{fake.company()}"
    while name in taken:
        name = f"{prefix}{fake.company()}"
    taken.add(name)
    return name


def _seed_enterprise_unions() -> int:
    """Every 已建会 employer without a union record gets an 企业工会 under its 街道/镇."""
    pending = list(Employer.objects.filter(has_union=True, union__isnull=True).select_related("town").order_by("pk"))
    if not pending:
        return 0
    last_child = dict(
        Org.objects.filter(parent__in={e.town_id for e in pending}).values_list("parent_id").annotate(last=Max("path")).order_by()
    )
    by_town: dict[int, list[Employer]] = defaultdict(list)
    for employer in pending:
        by_town[employer.town_id].append(employer)
    unions = []
    for town_id, town_employers in by_town.items():
        town = town_employers[0].town
        paths = child_paths(parent_path=town.path, last_child_path=last_child.get(town_id), count=len(town_employers))
        for employer, path in zip(town_employers, paths, strict=True):
            name = f"{employer.name}工会委员会"
            unions.append(
                Org(
                    code=f"E{employer.uscc}", name=name, short_name=employer.name, type=OrgType.ENTERPRISE, parent=town,
                    path=path, depth=depth_of(path), name_pinyin=pinyin_full(name), name_initials=pinyin_initials(name),
                )
            )
    Org.objects.bulk_create(unions, batch_size=1000)
    union_ids = dict(Org.objects.filter(code__in=[u.code for u in unions]).values_list("code", "pk"))
    for employer in pending:
        employer.union_id = union_ids[f"E{employer.uscc}"]
    Employer.objects.bulk_update(pending, ["union"], batch_size=1000)
    return len(unions)


def _seed_guidance_links() -> int:
    """Education, health and transport enterprise unions also take guidance from their 产业工会."""
    created = 0
    guides = {code: Org.objects.get(code=code) for code in set(INDUSTRY_UNION_FOR_SECTION.values())}
    employers = Employer.objects.filter(industry__in=INDUSTRY_UNION_FOR_SECTION, union__isnull=False, headcount__gte=500)
    for employer in employers.select_related("union")[:40]:
        guide = guides[INDUSTRY_UNION_FOR_SECTION[employer.industry]]
        if not GuidanceLink.objects.filter(org=employer.union, guide=guide).exists():
            guidance_link_create(actor=None, org=employer.union, guide=guide, note="业务指导")
            created += 1
    return created


NANSHA_PLAN = "企业工会分级培育（规范化建设+民主管理）"


def seed_cultivation_demo(*, actor) -> int:
    """南沙区总's 2026 分级培育计划 (seed case: 99 家培育对象, 年底 36 家初级、18 家中级) scaled to the demo's 南沙 unions:
    about a third of them aimed at 初级 and a sixth at 中级, a couple already through 验收. Returns the candidates added;
    nothing when the plan exists already."""
    nansha = Org.objects.get(code="440115")
    if cultivation.plan_list(actor=actor).filter(org=nansha, year=2026, name=NANSHA_PLAN).exists():
        return 0
    unions = list(Org.objects.subtree_of(nansha).filter(type=OrgType.ENTERPRISE, is_active=True).order_by("code"))
    basic, intermediate = unions[: max(1, len(unions) * 2 // 3)], unions[max(1, len(unions) * 2 // 3):]
    plan = cultivation.plan_create(actor=actor, org=nansha, year=2026, name=NANSHA_PLAN, targets={
        "basic": max(1, round(len(unions) * 36 / 99)), "intermediate": max(1, round(len(unions) * 18 / 99)), "advanced": 0})
    added = []
    for level, group in ((CultivationLevel.BASIC, basic), (CultivationLevel.INTERMEDIATE, intermediate)):
        if group:
            added += cultivation.candidates_add(actor=actor, plan_id=plan.pk, union_ids=[u.pk for u in group], aimed_level=level)
    for candidate in added[:2]:
        cultivation.candidate_accept(actor=actor, candidate_id=candidate.pk, level=candidate.aimed_level, note="对照《基层工会规范化建设标准》验收达标")
    return len(added)


def demo_bound_employer() -> Employer:
    """The 天河区 employer the demo's employer account acts for (stable across re-seeding)."""
    return Employer.objects.in_subtree(Org.objects.get(code="440106")).order_by("uscc").first()


IMPROVEMENT_SCHEME = "百人以上非公企业工会评价（演示）"
ASSESSED_COMPANIES = (("广州石牌演示科技有限公司", 186), ("广州石牌演示物流有限公司", 142))
IMPROVEMENT_DAYS = (12, 45)  # one union's 整改期限 runs out soon, the other's later


def seed_improvements_demo() -> int:
    """广州市总 publishes the 珠海-template scheme; two 石牌街道 enterprise unions go through 自主申报 (by the 街道's cadre) →
    天河区总推优 → 市总评定, each weak on two indicators, so the desks of 石牌街道, 天河区总 and 广州市总 list 整改 tasks.
    Returns the tasks made; nothing for a union assessed already."""
    users = get_user_model().objects
    city, district, street = (users.get(username=name) for name in ("gz_admin", "th_cadre", "sp_cadre"))
    guangzhou = Org.objects.get(code="4401")
    scheme = AssessmentScheme.objects.filter(owner=guangzhou, name=IMPROVEMENT_SCHEME).first()
    if scheme is None:
        scheme = assessment_schemes.scheme_create(actor=city, owner=guangzhou, name=IMPROVEMENT_SCHEME, year=timezone.localdate().year,
                                                  template=assessment_schemes.ZHUHAI)
        scheme = assessment_schemes.scheme_publish(actor=city, scheme_id=scheme.pk)
    unions = _assessed_unions(actor=city, town=Org.objects.get(code="440106006"))
    indicators = list(scheme.indicators.order_by("pk"))
    made = 0
    for offset, (union, days) in enumerate(zip(unions, IMPROVEMENT_DAYS, strict=False)):
        if Assessment.objects.filter(scheme=scheme, union=union).exists():
            continue
        weak = {indicators[(offset * 2 + k) % len(indicators)].pk for k in (0, 1)}
        scores = {str(i.pk): (i.weight * 0.3 if i.pk in weak else i.weight * 0.9) for i in indicators}
        item = assessment.assessment_start(actor=street, scheme=scheme, union=union)
        assessment.assessment_submit(actor=street, assessment_id=item.pk, scores=scores, evidence="工会制度、会议记录和活动台账见附件（演示）。")
        assessment.assessment_recommend(actor=district, assessment_id=item.pk, recommend=True, comment="材料齐全，推荐评定")
        assessment.assessment_award(actor=city, assessment_id=item.pk, stars=3, level=CultivationLevel.BASIC, improvement_days=days)
        made += ImprovementTask.objects.filter(assessment=item).count()
    return made


def _assessed_unions(*, actor, town: Org) -> list[Org]:
    """Two companies of over a hundred staff with their unions under `town`, made here (the random ledger may give the town
    none the scheme admits); the same ones on every run."""
    rng, unions = random.Random(2026_0012), []
    for name, headcount in ASSESSED_COMPANIES:
        uscc = uscc_generate(region_code=town.code, rng=rng)
        union = Org.objects.filter(code=f"E{uscc}").first() or org_create(actor=None, code=f"E{uscc}", parent=town, name=f"{name}工会委员会",
                                                                           type=OrgType.ENTERPRISE)
        if not Employer.objects.filter(uscc=uscc).exists():
            employer_create(actor=actor, data=EmployerInput(uscc=uscc, name=name, industry="I", ownership=Ownership.NON_PUBLIC, town=town,
                                                            headcount=headcount, has_union=True, union=union))
        unions.append(union)
    return unions


def demo_orgs(*, options: DemoOptions) -> str:
    counts = seed_orgs_demo(employers=options.employers)
    return "演示数据：" + "，".join(f"{k} 新增 {v}" for k, v in counts.items())


def demo_cultivation(*, options: DemoOptions) -> str:
    added = seed_cultivation_demo(actor=get_user_model().objects.get(username="ns_cadre"))
    return f"演示分级培育计划：南沙区总 2026 年一项，新增培育对象 {added} 家（首两家已验收；南沙无企业工会时计划为空，可加大 --employers）"


def demo_improvements(*, options: DemoOptions) -> str:
    return f"演示激励整改：石牌街道两家企业工会经市总评定，新增整改任务 {seed_improvements_demo()} 项（已评定的不再重复）"
