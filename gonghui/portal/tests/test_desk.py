"""The cadre's desk: what waits in their scope from every app, most urgent first with its time left, and their org's figures."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.jobs.models import Job, JobStatus
from gonghui.members import services
from gonghui.members.models import JoinApplication
from gonghui.members.tests.factories import join
from gonghui.orgs import assessment
from gonghui.orgs import assessment_schemes as schemes
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory, scores

pytestmark = pytest.mark.django_db


def titles(html: str) -> list[str]:
    return re.findall(r'<a class="todo-title" href="[^"]*">([^<]+)</a>', html)


@pytest.fixture
def waiting(org, cadre):
    """For 天河区总: an application past its 15 working days, a fresh one, a member moving in from 越秀, a union's 整改
    tasks and a finished export; and a 越秀 application that is none of its business."""
    overdue = join(town_code="440106006", name="赵大一")
    JoinApplication.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(days=7))
    join(town_code="440106001", name="钱大二")
    join(town_code="440104001", name="孙大三")
    mover = services.application_approve(actor=None, application_id=join(town_code="440104001", name="李大四").pk)
    services.transfer_request(user=mover.person.user, to_union=org("440106006"))

    union = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE, name="某科技公司工会委员会")
    EmployerFactory(town=org("440106006"), union=union, headcount=150)
    city, company = cadre("4401"), cadre(union.code)
    scheme = schemes.scheme_publish(actor=city, scheme_id=schemes.scheme_create(actor=city, owner=org("4401"), name="", year=2026,
                                                                                template=schemes.ZHUHAI).pk)
    item = assessment.assessment_start(actor=company, scheme=scheme, union=union)
    weak = {**scores(scheme, 0.9), str(scheme.indicators.first().pk): 0}
    assessment.assessment_submit(actor=company, assessment_id=item.pk, scores=weak, evidence="制度文件和活动台账见附件。")
    assessment.assessment_recommend(actor=cadre("440106"), assessment_id=item.pk, recommend=True, comment="推荐")
    assessment.assessment_award(actor=city, assessment_id=item.pk, stars=3, level="basic")

    me = cadre("440106")
    job = Job.objects.create(kind="members.export", owner=me, status=JobStatus.SUCCEEDED, finished_at=timezone.now(), summary="共导出 3 名会员")
    return {"me": me, "job": job}


def test_the_desk_lists_what_waits_in_scope_most_urgent_first(client, waiting):
    client.force_login(waiting["me"])
    html = client.get(reverse("workbench:home")).content.decode()
    listed = titles(html)
    assert listed[:2] == ["赵*一 申请加入石牌街道总工会", "钱*二 申请加入五山街道总工会"]  # overdue, then 15 working days left
    assert listed[2].startswith("某科技公司工会委员会：")  # 整改: 90 calendar days
    assert listed[3:] == ["李*四 从洪桥街道总工会转入石牌街道总工会", "会员导出：已完成"]  # no limit: longest waiting first
    assert "孙*三" not in html
    assert re.search(r"已超时 \d+ 个工作日", html) and re.search(r"剩余 1[45] 个工作日", html)
    for group, count in (("入会申请待审核", 2), ("会籍转接待接收", 1), ("整改任务待完成", 1), ("后台任务已完成", 1)):
        assert f"{group} <b>{count}</b>" in html
    assert 'href="/workbench/members/applications/#application-' in html
    assert "本月入会申请" in html and "已通过 0 · 待审核 2" in html and "建会率" in html


def test_a_finished_job_leaves_the_desk_once_its_owner_opened_it(client, waiting):
    client.force_login(waiting["me"])
    client.get(reverse("jobs:detail", kwargs={"job_id": waiting["job"].pk}))
    assert "会员导出" not in "".join(titles(client.get(reverse("workbench:home")).content.decode()))


def test_a_reader_sees_only_what_their_actions_open(client, waiting, org):
    analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user  # members.view, no members.manage
    client.force_login(analyst)
    html = client.get(reverse("workbench:home")).content.decode()
    assert [title.split("：")[0] for title in titles(html)] == ["某科技公司工会委员会"]
    assert "在会会员" in html and "本月入会申请" in html


def test_nothing_waiting(client, cadre):
    client.force_login(cadre("440104"))
    html = client.get(reverse("workbench:home")).content.decode()
    assert "暂无待办事项" in html and "越秀区总工会" in html


def test_the_demo_gives_the_district_desk_something_to_do(client, seeded):
    from gonghui.accounts.models import User

    client.force_login(User.objects.get(username="th_cadre"))
    html = client.get(reverse("workbench:home")).content.decode()
    for group in ("入会申请待审核", "会籍转接待接收", "整改任务待完成"):
        assert group in html
    assert any("申请加入" in title for title in titles(html)) and re.search(r"已超时 \d+ 个工作日", html)  # weeks-old applications
    assert "诉求工单办理中" in html  # the demo's orders wait on the district too
    client.force_login(User.objects.get(username="sp_cadre"))
    assert "整改任务待完成 <b>4</b>" in client.get(reverse("workbench:home")).content.decode()
