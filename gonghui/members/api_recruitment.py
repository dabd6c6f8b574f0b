"""发展会员 API, read-only: 入会/建会 drives (周调度 and 月分析), the 建会台账 and 潜在会员 lists, through the selectors the pages
use and in the same scope. Rates are shares (0.25 is 25%); the pages print them as percentages."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api import PageRows, Pages
from gonghui.members import drives, ledger, prospects
from gonghui.members.models import Drive

router = Router(tags=["入会行动与建会台账"])


# ---------------------------------------------------------------- 入会/建会行动

class OrgRefOut(Schema):
    id: int = Field(title="组织 id")
    name: str = Field(title="组织名称")


class DriveOut(Schema):
    id: int = Field(title="行动 id")
    name: str = Field(title="行动名称")
    org: OrgRefOut = Field(title="发起组织")
    metric: str = Field(title="指标", description="new_members 新增会员，new_form_members 新增新就业形态会员，new_unions 新建企业工会")
    metric_display: str = Field(title="指标说明")
    new_form_type: str = Field(title="新就业形态", description="仅 new_form_members 有值")
    starts_on: dt.date = Field(title="开始日期")
    ends_on: dt.date = Field(title="结束日期")
    higher: bool = Field(title="上级行动", description="上级组织的行动：只显示本级辖区的数据，不能修改")
    scope_org: OrgRefOut = Field(title="统计范围", description="行动的组织，或上级行动中调用者所在的组织")
    drive_target: int = Field(title="行动目标")
    target: int | None = Field(title="本级目标", description="整个行动的目标，或上级行动给本级的分解目标；未分解时为 null")
    achieved: int = Field(title="已完成")
    rate: float | None = Field(title="完成率", description="已完成 / 本级目标（比例）；没有目标时为 null")
    planned: int | None = Field(title="序时进度", description="按行动天数平均，到今天应完成的数量；没有目标时为 null")
    days_left: int = Field(title="剩余天数", description="今天到最后一天的自然日数，结束后为 0")
    countdown: str = Field(title="时间进度说明", description="如“距结束还有 12 天”")
    visits: int = Field(title="走访次数")
    people_met: int = Field(title="接触人数")
    joined_on_spot: int = Field(title="现场入会人数")


class WeekOut(Schema):
    week: dt.date = Field(title="周一")
    achieved: int = Field(title="本周完成")
    cumulative: int = Field(title="累计完成")
    planned: int | None = Field(title="序时进度", description="到该周末（本周到今天）应完成的数量")


class MonthOut(Schema):
    month: str = Field(title="月份", description="YYYY-MM")
    achieved: int = Field(title="本月完成")
    cumulative: int = Field(title="累计完成")
    planned: int | None = Field(title="序时进度")
    rate: float | None = Field(title="累计完成率")
    visits: int = Field(title="走访次数")
    people_met: int = Field(title="接触人数")
    joined_on_spot: int = Field(title="现场入会人数")


class SubOrgOut(Schema):
    org: OrgRefOut = Field(title="组织")
    org_code: str = Field(title="组织编码")
    direct: bool = Field(title="本级直属", description="分析组织自己（而非下级）的会员和走访")
    has_children: bool = Field(title="有下级", description="可用 within 继续下钻")
    month_achieved: int = Field(title="本月完成")
    achieved: int = Field(title="累计完成")
    target: int | None = Field(title="分解目标")
    rate: float | None = Field(title="完成率")
    behind: bool = Field(title="落后序时进度")
    visits: int = Field(title="累计走访次数")
    people_met: int = Field(title="接触人数")
    joined_on_spot: int = Field(title="现场入会人数")


class MonthlyOut(Schema):
    month: str = Field(title="分析月份", description="YYYY-MM")
    as_of: dt.date = Field(title="统计截至")
    choices: list[str] = Field(title="可选月份")
    within: OrgRefOut = Field(title="分析组织", description="比较其直属下级")
    within_target: int | None = Field(title="分析组织的目标")
    within_achieved: int = Field(title="分析组织累计完成")
    planned_rate: float = Field(title="序时进度（比例）", description="到统计截至日应完成的比例")
    allocated: int = Field(title="已分解目标合计")
    months: list[MonthOut] = Field(title="逐月完成情况")
    orgs: list[SubOrgOut] = Field(title="各下级完成情况", description="落后的在前")
    direct: SubOrgOut | None = Field(title="本级直属")


class DriveDetailOut(DriveOut):
    weekly: list[WeekOut] = Field(title="周调度")
    monthly: MonthlyOut = Field(title="月分析")


def _ref(org) -> dict:
    return {"id": org.pk, "name": org.name}


def _drive_row(actor, drive: Drive) -> dict:
    standing = drives.drive_standing(actor=actor, drive=drive)
    scope, progress = standing.scope, standing.progress
    return {
        "id": drive.pk, "name": drive.name, "org": _ref(drive.org), "metric": drive.metric, "metric_display": drive.get_metric_display(),
        "new_form_type": drive.new_form_type, "starts_on": drive.starts_on, "ends_on": drive.ends_on, "higher": drive.higher,
        "scope_org": _ref(scope.root), "drive_target": drive.target, "target": scope.target, "achieved": progress.achieved,
        "rate": standing.percent, "planned": standing.planned, "days_left": standing.days_left, "countdown": standing.countdown,
        "visits": progress.visits, "people_met": progress.people_met, "joined_on_spot": progress.joined_on_spot,
        "weekly": [{"week": week, "achieved": count, "cumulative": running, "planned": planned}
                   for (week, count, running), planned in zip(progress.weekly, progress.planned, strict=True)],
    }


def _sub_org(analysis: drives.MonthlyAnalysis, row: drives.OrgFigures) -> dict:
    return {"org": _ref(row.org), "org_code": row.org.code, "direct": row.direct, "has_children": row.has_children,
            "month_achieved": row.month_achieved, "achieved": row.achieved, "target": row.target, "rate": row.rate,
            "behind": analysis.is_behind(row), "visits": row.visits, "people_met": row.people_met, "joined_on_spot": row.joined_on_spot}


def _monthly(analysis: drives.MonthlyAnalysis) -> dict:
    return {
        "month": f"{analysis.month:%Y-%m}", "as_of": analysis.as_of, "choices": [f"{month:%Y-%m}" for month in analysis.choices],
        "within": _ref(analysis.within), "within_target": analysis.within_target, "within_achieved": analysis.within_achieved,
        "planned_rate": analysis.planned_rate, "allocated": analysis.allocated,
        "months": [{"month": f"{m.month:%Y-%m}", "achieved": m.achieved, "cumulative": m.cumulative, "planned": m.planned, "rate": m.rate,
                    "visits": m.visits, "people_met": m.people_met, "joined_on_spot": m.joined_on_spot} for m in analysis.months],
        "orgs": [_sub_org(analysis, row) for row in analysis.orgs],
        "direct": _sub_org(analysis, analysis.direct) if analysis.direct else None,
    }


@router.get("/drives", response=list[DriveOut],
            summary="入会/建会行动", description="调用者辖区的行动，以及覆盖其辖区的上级行动（higher）；上级行动只统计调用者辖区的数据和分解目标，与周调度页面一致。")
@paginate(Pages, page_size=20)
def drive_list(request):
    """The drives the caller sees: those of their subtree, and higher orgs' drives over it (`higher`), whose figures are the
    caller's slice (their subtree, their 分解目标), as on the 周调度 page."""
    return PageRows(drives.drive_list(actor=request.user), lambda rows: [_drive_row(request.user, drive) for drive in rows])


@router.get("/drives/{drive_id}", response=DriveDetailOut,
            summary="行动详情：周调度和月分析", description="周调度（逐周）和月分析（逐月，以及 within 组织的各直属下级在 month 月的完成情况）。月份不在行动期内或不是 YYYY-MM 时返回 400 和页面上的提示；组织不在行动或调用者辖区内返回 404。")
def drive_detail(request, drive_id: int = Path(description="行动 id"), month: str = Query("", description="月分析的月份，YYYY-MM；默认最近一个月"),
                 within: str = Query("", description="月分析比较其直属下级的组织 id；默认统计范围的组织")):
    """周调度 (weeks) and 月分析 (months, and the orgs under `within` for `month`) of one drive. A month outside the drive or not
    in YYYY-MM is 400 with the page's message; an org outside the drive or the caller's scope is 404."""
    drive = drives.drive_get_for(actor=request.user, drive_id=drive_id)
    analysis = drives.drive_month_analysis(actor=request.user, drive=drive, month=month or None, within_id=within or None)
    return {**_drive_row(request.user, drive), "monthly": _monthly(analysis)}


# ---------------------------------------------------------------- 建会台账

class LedgerRowOut(Schema):
    id: int = Field(title="单位 id")
    name: str = Field(title="单位名称")
    uscc: str = Field(title="统一社会信用代码")
    town: OrgRefOut = Field(title="所在街道/镇")
    headcount: int = Field(title="职工人数")
    has_union: bool = Field(title="已建会")
    union: OrgRefOut | None = Field(title="所属工会")
    members: int = Field(title="会员数", description="就业信息登记为本单位的会员，加上本单位企业工会及其分会/班组的会员，同一人只计一次")
    rate: float | None = Field(title="会员覆盖率", description="会员数 / 职工人数（比例）；未填职工人数时为 null")
    uncovered: int = Field(title="未入会职工")

    @staticmethod
    def resolve_town(employer) -> dict:
        return _ref(employer.town)

    @staticmethod
    def resolve_union(employer) -> dict | None:
        return _ref(employer.union) if employer.union else None


@router.get("/ledger", response=list[LedgerRowOut],
            summary="建会台账", description="所在地在该组织辖区内的每家用人单位及其会员覆盖情况，覆盖最差的在前；筛选和排序同页面（页面不提供的值按“不限”和默认排序处理）。")
@paginate(Pages, page_size=50)
def ledger_rows(request, org: str = Query("", description="组织 id；默认当前岗位的组织"),
                q: str = Query("", description="单位名称、信用代码开头或拼音首字母"),
                has_union: str = Query("", description="1 已建会，0 未建会，空为不限"),
                large: str = Query("", description=f"1：只看 {ledger.LARGE_HEADCOUNT} 人以上"),
                sort: str = Query(ledger.DEFAULT_SORT, description="、".join(f"{key} {label}" for key, (label, _) in ledger.SORTS.items()))):
    """建会台账: every employer located in the org's subtree with its member coverage, worst first, with the page's filters and
    orders (values the page does not offer fall back to "any" and the default order)."""
    place = ledger.ledger_org(actor=request.user, session=request.session, org_id=org or None)
    filters = ledger.LedgerFilters.from_params({"q": q, "has_union": has_union, "large": large, "sort": sort})
    return ledger.employer_coverage(actor=request.user, org=place, filters=filters)


# ---------------------------------------------------------------- 潜在会员

class ProspectListOut(Schema):
    id: int = Field(title="名单 id")
    source: str = Field(title="来源")
    org: OrgRefOut = Field(title="所属组织")
    created_at: dt.datetime = Field(title="上传时间")
    purge_on: dt.date = Field(title="到期清除日期")
    purged_at: dt.datetime | None = Field(title="已清除时间", description="清除后只保留上传时的统计")
    total: int = Field(title="名单人数")
    members_at_upload: int = Field(title="上传时已是会员")
    coverage_at_upload: float | None = Field(title="上传时覆盖率")

    @staticmethod
    def resolve_org(prospect_list) -> dict:
        return _ref(prospect_list.org)

    @staticmethod
    def resolve_members_at_upload(prospect_list) -> int:
        return prospect_list.already_members


class ProspectRowOut(Schema):
    region_code: str = Field(title="户籍区县代码")
    region: str = Field(title="户籍地")
    new_form_type: str = Field(title="新就业形态代码")
    form: str = Field(title="新就业形态")
    total: int = Field(title="人数")
    at_upload: int = Field(title="上传时已是会员")
    members: int = Field(title="现已是会员", description="按身份证号的加密索引重新比对")
    joined_since: int = Field(title="其中上传后入会")
    targets: int = Field(title="待发展")
    coverage: float | None = Field(title="现覆盖率")


class ProspectTotalsOut(Schema):
    total: int = Field(title="名单人数")
    at_upload: int = Field(title="上传时已是会员")
    members: int = Field(title="现已是会员")
    joined_since: int = Field(title="上传后新入会")
    targets: int = Field(title="待发展")
    coverage: float | None = Field(title="现覆盖率")


class ProspectListDetailOut(ProspectListOut):
    now: ProspectTotalsOut | None = Field(title="现在", description="每次请求重新比对；名单人员已清除时为 null")
    rows: list[ProspectRowOut] = Field(title="按户籍区县和新就业形态汇总")


@router.get("/prospect-lists", response=list[ProspectListOut], tags=["潜在会员"],
            summary="潜在会员名单", description="调用者辖区内各组织上传的潜在会员名单，新的在前，含上传时的统计。")
@paginate(Pages, page_size=50)
def prospect_list_index(request):
    """The 潜在会员 lists of the orgs in the caller's scope, newest first, with their figures at upload."""
    return prospects.prospect_lists(actor=request.user)


@router.get("/prospect-lists/{list_id}", response=ProspectListDetailOut, tags=["潜在会员"],
            summary="潜在会员名单统计", description="按户籍区县和新就业形态汇总：上传时与现在（按身份证号的加密索引重新比对）。只有人数，不列出人员。")
def prospect_list_detail(request, list_id: int = Path(description="名单 id")):
    """One list's figures now (matched again by blind index) and at upload, by 户籍 county and 新就业形态. Counts only: the
    list holds no plaintext, and its people are not listed here."""
    prospect_list = prospects.prospect_list_get_for(actor=request.user, list_id=list_id)
    rows = prospects.prospect_summary(prospect_list=prospect_list)
    prospect_list.rows = rows
    prospect_list.now = None if prospect_list.purged_at else prospects.prospect_totals(rows=rows)
    return prospect_list
