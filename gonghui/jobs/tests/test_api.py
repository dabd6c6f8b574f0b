"""/api/jobs: the caller's own jobs with live progress and the result's download link, as the job pages show them."""
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import UserKind
from gonghui.accounts.tests.factories import UserFactory
from gonghui.jobs import registry, services
from gonghui.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db

registry.register("tests.api_job", "接口测试任务", lambda **kwargs: registry.JobOutcome(ok=True, summary=""))


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()


def finished(owner, **fields) -> Job:
    job = Job.objects.create(owner=owner, kind="tests.api_job", input_name="名册.xlsx", status=JobStatus.SUCCEEDED,
                             progress_done=160, progress_total=160, summary="导入完成：新增 160 条", finished_at=timezone.now(), **fields)
    job.result_file.save(f"job-{job.pk}-result.xlsx", ContentFile(b"xlsx"), save=False)
    job.result_name = "名册-错误报告.xlsx"
    job.save()
    return job


def test_a_running_job_reports_the_progress_the_page_shows(logged_in):
    owner = UserFactory()
    job = Job.objects.create(owner=owner, kind="tests.api_job", input_name="名册.xlsx", status=JobStatus.RUNNING)
    cache.set(services.PROGRESS_KEY.format(job.pk), (40, 160))
    client = logged_in(owner)
    body = client.get(f"/api/jobs/{job.pk}").json()
    assert body["progress"] == {"done": 40, "total": 160, "percent": 25}
    assert (body["kind_label"], body["status"], body["status_display"]) == ("接口测试任务", "running", "处理中")
    assert body["has_result"] is False and body["result_url"] is None and body["finished_at"] is None
    page = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert f"已处理 {body['progress']['done']} / {body['progress']['total']} 行（{body['progress']['percent']}%）" in page


def test_a_finished_job_links_its_result_on_the_page_route(logged_in):
    owner = UserFactory()
    job = finished(owner)
    client = logged_in(owner)
    body = client.get(f"/api/jobs/{job.pk}").json()
    assert body["progress"] == {"done": 160, "total": 160, "percent": 100}
    assert body["summary"] == "导入完成：新增 160 条" and body["result_name"] == "名册-错误报告.xlsx"
    assert body["has_result"] is True and body["result_url"] == reverse("jobs:result", args=[job.pk])
    assert client.get(body["result_url"]).getvalue() == b"xlsx"


def test_the_list_is_the_callers_own_newest_first_and_paginated(logged_in):
    owner, other = UserFactory(), UserFactory()
    mine = [finished(owner) for _ in range(3)]
    finished(other)
    client = logged_in(owner)
    body = client.get("/api/jobs").json()
    assert body["count"] == 3 and [row["id"] for row in body["items"]] == [job.pk for job in reversed(mine)]
    second = client.get("/api/jobs", {"page": 2, "page_size": 2}).json()
    assert second["count"] == 3 and [row["id"] for row in second["items"]] == [mine[0].pk]


def test_someone_elses_job_is_404_like_a_missing_one(logged_in, superuser):
    job = finished(UserFactory())
    client = logged_in(UserFactory())
    forbidden, missing = client.get(f"/api/jobs/{job.pk}"), client.get("/api/jobs/987654321")
    assert forbidden.status_code == missing.status_code == 404 and forbidden.json() == missing.json()
    assert client.get("/api/jobs").json()["count"] == 0
    seen_by_admin = logged_in(superuser).get(f"/api/jobs/{job.pk}")
    assert seen_by_admin.status_code == 200  # administrators see the job, as on the pages, but not its file
    assert seen_by_admin.json()["has_result"] is False and seen_by_admin.json()["result_url"] is None


def test_anonymous_callers_and_workers_get_401(client):
    job = finished(UserFactory())
    for path in ("/api/jobs", f"/api/jobs/{job.pk}"):
        assert client.get(path).status_code == 401
    client.force_login(UserFactory(kind=UserKind.WORKER))
    assert client.get(f"/api/jobs/{job.pk}").json()["code"] == "not_authenticated"
