"""Background jobs: progress while running, a clear message on failure, visible to the owner and admins only."""
import pytest
from django.core.cache import cache
from django.urls import reverse

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


def test_only_the_owner_and_administrators_see_a_job(client, superuser, django_capture_on_commit_callbacks):
    owner, stranger = UserFactory(), UserFactory()
    job = run("tests.counting", owner, django_capture_on_commit_callbacks)
    for user, status in ((owner, 200), (stranger, 404), (superuser, 200)):
        client.force_login(user)
        assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == status
        assert client.get(reverse("jobs:result", args=[job.pk])).status_code == status
    client.force_login(stranger)
    assert "测试任务" not in client.get(reverse("jobs:list")).content.decode()


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
