"""Background jobs: progress while running, a clear message on failure, visible to the owner and admins only."""
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.tests.factories import UserFactory
from gonghui.jobs import registry, services
from gonghui.jobs.models import Job, JobStatus
from gonghui.notify.models import Notification

pytestmark = pytest.mark.django_db
seen_progress: list[tuple[int, int]] = []


def _counting(*, job, data, progress):
    for done in range(1, 6):
        progress(done, 5)
        seen_progress.append(services.job_progress(job=Job.objects.get(pk=job.pk)))
    return registry.JobOutcome(ok=True, summary=f"处理了 {len(data)} 字节", result=b"xlsx-bytes", result_name="结果.xlsx")


def _crashing(*, job, data, progress):
    raise KeyError("bug")


def _refusing(*, job, data, progress):
    raise services.ApplicationError("表格中没有数据行")


registry.register("tests.counting", "测试任务", _counting)
registry.register("tests.crashing", "会出错的任务", _crashing)
registry.register("tests.refusing", "被拒绝的任务", _refusing)


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    seen_progress.clear()


def run(kind, owner, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create(owner=owner, kind=kind, data=b"12345", file_name="输入.xlsx")
    return Job.objects.get(pk=job.pk)


def test_progress_is_visible_while_running_and_the_owner_is_told(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_MIN_INTERVAL", 0)
    owner = UserFactory()
    job = run("tests.counting", owner, django_capture_on_commit_callbacks)
    assert seen_progress == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert (job.status, job.summary, job.progress_done, job.progress_total) == (JobStatus.SUCCEEDED, "处理了 5 字节", 5, 5)
    assert job.result_file.read() == b"xlsx-bytes" and job.started_at <= job.finished_at
    assert Notification.objects.get(recipient=owner).title == "测试任务已完成"


def test_a_crash_becomes_a_clear_chinese_message(django_capture_on_commit_callbacks):
    job = run("tests.crashing", UserFactory(), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and "意外错误" in job.summary and "KeyError" not in job.summary
    assert Notification.objects.get().title == "会出错的任务未完成"


def test_a_refusal_keeps_its_own_message(django_capture_on_commit_callbacks):
    assert run("tests.refusing", UserFactory(), django_capture_on_commit_callbacks).summary == "表格中没有数据行"


def test_a_job_runs_once(django_capture_on_commit_callbacks):
    job = run("tests.counting", UserFactory(), django_capture_on_commit_callbacks)
    services.job_run(job_id=job.pk)
    assert len(seen_progress) == 5


def test_unknown_kinds_are_refused_at_once():
    with pytest.raises(KeyError):
        services.job_create(owner=UserFactory(), kind="nope", data=b"", file_name="x")


def test_only_the_owner_and_administrators_see_a_job_and_only_the_owner_downloads_its_result(client, superuser,
                                                                                             django_capture_on_commit_callbacks):
    owner, stranger = UserFactory(), UserFactory()
    job = run("tests.counting", owner, django_capture_on_commit_callbacks)
    for user, sees, downloads in ((owner, 200, 200), (stranger, 404, 404), (superuser, 200, 404)):
        client.force_login(user)
        assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == sees
        assert client.get(reverse("jobs:result", args=[job.pk])).status_code == downloads
    client.force_login(stranger)
    assert "测试任务" not in client.get(reverse("jobs:list")).content.decode()


def _writing_a_file(*, job, data, progress):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as handle:
        handle.write(b"\xef\xbb\xbf" + "编号\n1\n".encode())
    path = Path(handle.name)
    written.append(path)
    return registry.JobOutcome(ok=True, summary="写好了", result=path, result_name="名册.csv")


written: list[Path] = []
registry.register("tests.writing", "写文件的任务", _writing_a_file)


def test_a_job_without_an_upload_stores_a_file_its_handler_wrote_and_deletes_it(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create(owner=owner, kind="tests.writing", options={"what": "导出"})
    job.refresh_from_db()
    assert (job.status, job.input_file.name, job.result_name) == (JobStatus.SUCCEEDED, "", "名册.csv")
    assert job.result_file.name.endswith(".csv") and not written[-1].exists()
    client.force_login(owner)
    response = client.get(reverse("jobs:result", args=[job.pk]))
    assert response.getvalue().decode("utf-8-sig") == "编号\n1\n" and "filename*=utf-8''%E5%90%8D%E5%86%8C.csv" in response["Content-Disposition"]
    assert "文件：" not in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


def test_result_files_are_deleted_after_the_retention_period(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    old, recent = (run("tests.counting", owner, django_capture_on_commit_callbacks) for _ in range(2))
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - services.RESULT_KEEP - timedelta(minutes=1))
    stored = old.result_file.name
    assert services.jobs_purge_results() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.result_file.name, old.result_name) == ("", "结果.xlsx") and not default_storage.exists(stored)
    assert recent.result_file.read() == b"xlsx-bytes"
    client.force_login(owner)
    assert client.get(reverse("jobs:result", args=[old.pk])).status_code == 404
    assert "已超过 7 天保留期，已删除" in client.get(reverse("jobs:detail", args=[old.pk])).content.decode()
    assert "文件保留 7 天" in client.get(reverse("jobs:detail", args=[recent.pk])).content.decode()


def test_the_progress_fragment_polls_until_done(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    job = Job.objects.create(owner=owner, kind="tests.counting")
    cache.set(services.PROGRESS_KEY.format(job.pk), (40, 160))
    client.force_login(owner)
    fragment = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "已处理 40 / 160 行（25%）" in fragment and "<html" not in fragment
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, progress_done=160, progress_total=160, summary="完成")
    done = client.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in done and "100%" in done
