"""市总评定 and 激励整改: a 不合格 grade carries no stars; the 整改期限 is the award's call; the union reports each task done,
its 区总 confirms or reopens it; overdue tasks are flagged once; the cadre's list shows what is open, late or waiting."""
import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.tests.files import EXE, PDF
from gonghui.notify.models import Notification
from gonghui.orgs import assessment as service
from gonghui.orgs import improvements
from gonghui.orgs.models import Assessment, AssessmentStatus, ImprovementStatus, ImprovementTask
from gonghui.orgs.tasks import flag_overdue_improvements
from gonghui.orgs.tests.factories import scores
from gonghui.worktime.calendar import work_calendar

pytestmark = pytest.mark.django_db


def recommended(setting, fraction: float) -> Assessment:
    item = service.assessment_start(actor=setting["company"], scheme=setting["scheme"], union=setting["union"])
    service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(setting["scheme"], fraction),
                              evidence="制度文件和活动台账见附件。")
    return service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="推荐")


@pytest.fixture
def tasks(setting):
    """An awarded assessment with two weak indicators, so two open tasks."""
    item = service.assessment_start(actor=setting["company"], scheme=setting["scheme"], union=setting["union"])
    weak = {**scores(setting["scheme"], 0.9), **{str(i.pk): 0 for i in setting["scheme"].indicators.all()[:2]}}
    service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=weak, evidence="制度文件和活动台账见附件。")
    service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=True, comment="推荐")
    service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=3, level="basic")
    return list(ImprovementTask.objects.filter(assessment=item))


def report(setting, task, note="已修订工会制度并组织学习三次。", **kwargs):
    return improvements.improvement_report_done(actor=setting["company"], task_id=task.pk, note=note, **kwargs)


class TestAward:
    def test_a_failing_grade_carries_no_stars(self, setting):
        item = recommended(setting, 0.5)
        with pytest.raises(ApplicationError, match="等级为不合格，不评星级") as refused:
            service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=3, level="basic")
        assert refused.value.fields == {"stars": [refused.value.message]}
        assert Assessment.objects.get(pk=item.pk).status == AssessmentStatus.RECOMMENDED
        awarded = service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=0, level="basic")
        assert (awarded.grade, awarded.stars) == ("不合格", None)
        assert ImprovementTask.objects.filter(assessment=item).count() == setting["scheme"].indicators.count()
        assert AuditEvent.objects.get(action="orgs.assessment.awarded").data["stars"] is None

    def test_a_passing_grade_needs_one_to_five_stars_and_a_level(self, setting):
        item = recommended(setting, 0.9)
        for stars, level, message in ((0, "basic", "请选择1到5星"), (6, "basic", "请选择1到5星"), (3, "", "请选择培育等级")):
            with pytest.raises(ApplicationError, match=message):
                service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=stars, level=level)
        assert service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=5, level="advanced").stars == 5

    def test_the_deadline_is_the_awards_call_and_a_last_day_off_moves_to_the_next_working_day(self, setting):
        item = recommended(setting, 0.5)
        for days in (0, service.MAX_IMPROVEMENT_DAYS + 1):
            with pytest.raises(ApplicationError, match="整改期限应为 1 到 365 天的整数"):
                service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=0, level="basic", improvement_days=days)
        calendar, today = work_calendar(), timezone.localdate()
        days = next(d for d in range(1, 15) if not calendar.is_workday(today + dt.timedelta(days=d)))  # lands on a day off
        service.assessment_award(actor=setting["city"], assessment_id=item.pk, stars=0, level="basic", improvement_days=days)
        due = today + dt.timedelta(days=days)
        while not calendar.is_workday(due):
            due += dt.timedelta(days=1)
        assert set(ImprovementTask.objects.filter(assessment=item).values_list("due_on", flat=True)) == {due}

    def test_the_default_deadline_is_ninety_calendar_days(self, setting, tasks):
        earliest = timezone.localdate() + dt.timedelta(days=service.DEFAULT_IMPROVEMENT_DAYS)
        assert all(earliest <= task.due_on <= earliest + dt.timedelta(days=10) for task in tasks)

    def test_the_award_form_of_a_failing_score_offers_no_stars_and_keeps_what_was_typed(self, setting, logged_in):
        item = recommended(setting, 0.5)
        client = logged_in(setting["city"])
        page = client.get(reverse("assessments:detail", args=[item.pk])).content.decode()
        assert "评定为 <b>不合格</b>" in page and "不合格不评星级" in page and '<select name="stars">' not in page
        response = client.post(reverse("assessments:act", args=[item.pk]), {"step": "award", "stars": "0", "level": "", "improvement_days": "45"})
        page = response.content.decode()
        assert response.status_code == 200 and "请选择培育等级" in page and 'name="improvement_days" value="45"' in page
        assert Assessment.objects.get(pk=item.pk).status == AssessmentStatus.RECOMMENDED


class TestReportDone:
    def test_the_union_reports_a_task_done_with_a_file_and_the_district_is_told(self, setting, tasks, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            done = report(setting, tasks[0], upload=SimpleUploadedFile("整改报告.pdf", PDF))
        assert (done.status, done.done_on, done.done_by) == (ImprovementStatus.DONE, timezone.localdate(), setting["company"])
        assert done.evidence_name == "整改报告.pdf" and default_storage.exists(done.evidence.name)
        assert Notification.objects.filter(recipient=setting["district"], template_code="orgs.improvement_done").exists()
        event = AuditEvent.objects.get(action="orgs.improvement.reported_done")
        assert event.object_id == str(done.pk) and event.data["file"] == "整改报告.pdf" and event.data["late"] is False

    def test_a_new_file_replaces_the_old_one_after_a_reopen(self, setting, tasks, django_capture_on_commit_callbacks):
        first = report(setting, tasks[0], upload=SimpleUploadedFile("第一版.pdf", PDF))
        improvements.improvement_review(actor=setting["district"], task_id=first.pk, confirm=False, note="材料不全")
        with django_capture_on_commit_callbacks(execute=True):
            second = report(setting, tasks[0], upload=SimpleUploadedFile("第二版.pdf", PDF))
        assert second.evidence_name == "第二版.pdf" and not default_storage.exists(first.evidence.name)

    def test_bad_input_changes_nothing(self, setting, tasks):
        with pytest.raises(ApplicationError, match="请填写整改情况（至少10个字）") as short:
            report(setting, tasks[0], note="已整改")
        assert short.value.fields == {"note": [short.value.message]}
        with pytest.raises(ApplicationError, match="不是 PDF"):
            report(setting, tasks[0], upload=SimpleUploadedFile("整改报告.pdf", EXE))
        task = ImprovementTask.objects.get(pk=tasks[0].pk)
        assert (task.status, task.done_on, task.evidence_name) == (ImprovementStatus.OPEN, None, "")
        assert not AuditEvent.objects.filter(action="orgs.improvement.reported_done").exists()

    def test_only_the_unions_side_reports_and_only_once(self, setting, tasks, cadre):
        with pytest.raises(PermissionDenied, match="由企业工会"):
            improvements.improvement_report_done(actor=setting["district"], task_id=tasks[0].pk, note="区总代报的整改完成情况说明。")
        with pytest.raises(NotFound):
            improvements.improvement_report_done(actor=cadre("440104"), task_id=tasks[0].pk, note="越秀区干部越权报告的情况。")
        report(setting, tasks[0])
        with pytest.raises(ApplicationError, match="不能再报完成"):
            report(setting, tasks[0])


class TestReview:
    def test_the_district_confirms_a_reported_task(self, setting, tasks):
        report(setting, tasks[0])
        confirmed = improvements.improvement_review(actor=setting["district"], task_id=tasks[0].pk, confirm=True)
        assert (confirmed.status, confirmed.reviewed_by) == (ImprovementStatus.CONFIRMED, setting["district"])
        assert AuditEvent.objects.filter(action="orgs.improvement.confirmed", object_id=str(confirmed.pk)).exists()
        with pytest.raises(ApplicationError, match="只有已报完成的才能确认或退回"):
            improvements.improvement_review(actor=setting["district"], task_id=tasks[0].pk, confirm=False, note="再看看")

    def test_a_reopened_task_goes_back_to_the_union_with_the_reason(self, setting, tasks):
        report(setting, tasks[0])
        with pytest.raises(ApplicationError, match="请填写退回原因"):
            improvements.improvement_review(actor=setting["district"], task_id=tasks[0].pk, confirm=False, note=" ")
        reopened = improvements.improvement_review(actor=setting["district"], task_id=tasks[0].pk, confirm=False, note="缺少会议记录")
        assert (reopened.status, reopened.done_on, reopened.due_on) == (ImprovementStatus.OPEN, None, tasks[0].due_on)
        notice = Notification.objects.get(recipient=setting["company"], template_code="orgs.improvement_reopened")
        assert "缺少会议记录" in notice.body and setting["union"].name in notice.body

    def test_only_a_district_cadre_who_did_not_report_it_reviews(self, setting, tasks, cadre):
        with pytest.raises(ApplicationError, match="只有已报完成的"):
            improvements.improvement_review(actor=setting["district"], task_id=tasks[0].pk, confirm=True)
        report(setting, tasks[0])
        with pytest.raises(PermissionDenied, match="及以上的干部才能确认整改"):
            improvements.improvement_review(actor=cadre("440106006"), task_id=tasks[0].pk, confirm=True)  # the 街道, below the 区
        with pytest.raises(NotFound):
            improvements.improvement_review(actor=cadre("440104"), task_id=tasks[0].pk, confirm=True)
        both = setting["district"]
        both.posts.create(org=setting["union"], role=both.posts.get().role)
        improvements.improvement_review(actor=both, task_id=tasks[0].pk, confirm=False, note="请补充照片")
        improvements.improvement_report_done(actor=both, task_id=tasks[0].pk, note="补充了活动照片和会议记录。")
        with pytest.raises(PermissionDenied, match="不能确认自己报告的整改"):
            improvements.improvement_review(actor=both, task_id=tasks[0].pk, confirm=True)
        assert ImprovementTask.objects.get(pk=tasks[0].pk).status == ImprovementStatus.DONE


class TestOverdue:
    def test_open_tasks_past_their_last_day_are_flagged_once(self, setting, tasks):
        ImprovementTask.objects.filter(pk__in=[t.pk for t in tasks]).update(due_on=timezone.localdate() - dt.timedelta(days=1))
        report(setting, tasks[1])  # reported done, late: not flagged
        flag_overdue_improvements.call_local()
        flagged = ImprovementTask.objects.get(pk=tasks[0].pk)
        assert flagged.overdue_flagged_at is not None and ImprovementTask.objects.get(pk=tasks[1].pk).overdue_flagged_at is None
        told = Notification.objects.filter(template_code="orgs.improvement_overdue")
        assert set(told.values_list("recipient", flat=True)) == {setting["company"].pk, setting["district"].pk}
        assert AuditEvent.objects.filter(action="orgs.improvement.overdue_flagged").count() == 1
        assert improvements.improvements_flag_overdue() == 0 and told.count() == 2

    def test_a_task_due_today_is_not_overdue_yet(self, setting, tasks):
        ImprovementTask.objects.update(due_on=timezone.localdate())
        assert improvements.improvements_flag_overdue() == 0
        assert improvements.improvements_flag_overdue(today=timezone.localdate() + dt.timedelta(days=1)) == len(tasks)


class TestPages:
    def test_the_list_filters_open_overdue_and_waiting_tasks_and_highlights_the_late(self, setting, tasks, logged_in):
        ImprovementTask.objects.filter(pk=tasks[0].pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
        report(setting, tasks[1])
        client = logged_in(setting["district"])
        url = reverse("assessments:improvements")
        everything = client.get(url).content.decode()
        assert everything.count('class="overdue"') == 1 and "已超期" in everything
        overdue = client.get(url, {"state": "overdue"}).content.decode()
        assert tasks[0].description in overdue and tasks[1].description not in overdue
        waiting = client.get(url, {"state": "done"}).content.decode()
        assert tasks[1].description in waiting and tasks[0].description not in waiting
        assert "共 0 项" in client.get(url, {"state": "confirmed"}).content.decode()

    def test_an_open_task_shows_the_working_days_left(self, setting, tasks, logged_in):
        left = improvements.working_days_left(tasks[0], calendar=work_calendar(), now=timezone.now())
        assert left > 50  # 90 calendar days hold about 62 working days
        page = logged_in(setting["company"]).get(reverse("assessments:improvements"), {"state": "open"}).content.decode()
        assert f"剩余 {left} 个工作日" in page

    def test_another_district_sees_none_of_them(self, setting, tasks, cadre, logged_in, org):
        client = logged_in(cadre("440104"))
        assert "共 0 项" in client.get(reverse("assessments:improvements")).content.decode()
        assert client.get(reverse("assessments:improvements"), {"within": org("440106").pk}).status_code == 404
        assert client.post(reverse("assessments:improvement_act", args=[tasks[0].pk]), {"op": "confirm"}).status_code == 404

    def test_a_refused_report_comes_back_with_the_note_as_typed(self, setting, tasks, logged_in):
        client = logged_in(setting["company"])
        prefix = f"task-{tasks[0].pk}"
        response = client.post(reverse("assessments:improvement_act", args=[tasks[0].pk]), {"op": "report", f"{prefix}-note": "改好了"})
        page = response.content.decode()
        assert response.status_code == 200 and "请填写整改情况（至少10个字）" in page and "\n改好了</textarea>" in page
        assert ImprovementTask.objects.get(pk=tasks[0].pk).status == ImprovementStatus.OPEN

    def test_report_then_confirm_through_the_pages_and_download_the_file(self, setting, tasks, logged_in):
        prefix = f"task-{tasks[0].pk}"
        act = reverse("assessments:improvement_act", args=[tasks[0].pk])
        company = logged_in(setting["company"])
        response = company.post(act, {"op": "report", f"{prefix}-note": "已修订制度并组织学习三次。",
                                      f"{prefix}-file": SimpleUploadedFile("整改报告.pdf", PDF)})
        assert response.status_code == 302 and response["Location"].endswith(f"#task-{tasks[0].pk}")
        assert company.post(act, {"op": "confirm"}).status_code == 403  # the union's own cadre is below the 区
        district = logged_in(setting["district"])
        page = district.get(response["Location"]).content.decode()
        assert "确认销号" in page and "整改报告.pdf" in page
        download = district.get(reverse("assessments:improvement_evidence", args=[tasks[0].pk]))
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
        assert AuditEvent.objects.filter(action="orgs.improvement.evidence_viewed").exists()
        assert district.post(act, {"op": "confirm", f"{prefix}-note": "核实无误"}).status_code == 302
        assert ImprovementTask.objects.get(pk=tasks[0].pk).status == ImprovementStatus.CONFIRMED

    def test_a_task_without_a_file_has_nothing_to_download(self, setting, tasks, logged_in):
        assert logged_in(setting["district"]).get(reverse("assessments:improvement_evidence", args=[tasks[0].pk])).status_code == 404


def test_the_admin_shows_tasks_read_only_and_scoped(setting, tasks, superuser, logged_in, cadre):
    client = logged_in(superuser)
    assert tasks[0].description in client.get(reverse("admin:orgs_improvementtask_changelist")).content.decode()
    assert client.get(reverse("admin:orgs_improvementtask_add")).status_code == 403
    for user, sees in ((setting["district"], True), (cadre("440104"), False)):
        user.is_staff = True
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="view_improvementtask"))
        client = logged_in(user)
        assert (tasks[0].description in client.get(reverse("admin:orgs_improvementtask_changelist")).content.decode()) is sees
        assert client.get(reverse("admin:orgs_improvementtask_change", args=[tasks[0].pk])).status_code == (200 if sees else 302)
