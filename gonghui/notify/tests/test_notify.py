"""Notifications: recorded with the business change, sent after commit, retried, deduplicated, recorded."""
import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from gonghui.accounts.tests.factories import UserFactory
from gonghui.notify import services
from gonghui.notify.models import Channel, Notification, Status
from gonghui.notify.sms import MemoryBackend
from gonghui.notify.tasks import deliver_notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox():
    MemoryBackend.outbox.clear()
    MemoryBackend.fail_next = 0
    yield
    MemoryBackend.fail_next = 0


@pytest.fixture
def worker(db):
    return UserFactory(kind="worker", phone="13600136000")


def welcome(worker, key="welcome:1", **kwargs):
    return services.notify(recipient=worker, template_code="account.welcome", dedupe_key=key, **kwargs)


def test_sms_goes_out_after_commit_with_template_code_and_parameters(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        welcome(worker)
    assert MemoryBackend.outbox == [] and len(callbacks) == 1  # nothing before commit
    for callback in callbacks:
        callback()
    sent = MemoryBackend.outbox[0]
    assert (sent.phone, sent.template_code) == ("13600136000", "SMS_WELCOME") and "12351" in sent.render()
    sms = Notification.objects.get(channel=Channel.SMS)
    assert sms.status == Status.SENT and sms.attempts == 1 and sms.provider_message_id


def test_a_rolled_back_transaction_sends_nothing(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                welcome(worker)
                raise RuntimeError("the business change failed")
        except RuntimeError:
            pass
    assert callbacks == [] and MemoryBackend.outbox == [] and not Notification.objects.exists()


def test_the_same_key_twice_sends_once(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert len(welcome(worker)) == 2  # inbox + sms
        assert welcome(worker) == []
    assert len(MemoryBackend.outbox) == 1 and Notification.objects.count() == 2


def test_a_failing_sms_backend_is_retried_with_backoff_and_recorded(worker, django_capture_on_commit_callbacks, monkeypatch):
    scheduled = []
    monkeypatch.setattr(deliver_notification, "schedule", lambda args, delay: scheduled.append((args, delay)))
    MemoryBackend.fail_next = 2
    with django_capture_on_commit_callbacks(execute=True):
        welcome(worker, channels=[Channel.SMS])
    sms = Notification.objects.get()
    assert (sms.status, sms.attempts, sms.last_error) == (Status.PENDING, 1, "短信网关超时（测试）")
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_deliver(notification_id=sms.pk)  # the scheduled retry runs
        services.notification_deliver(notification_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == Status.SENT and sms.attempts == 3 and len(MemoryBackend.outbox) == 1
    assert [delay for _, delay in scheduled] == [30, 60]


def test_after_the_last_attempt_the_failure_is_recorded_and_an_admin_can_retry(worker, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(deliver_notification, "schedule", lambda args, delay: None)
    MemoryBackend.fail_next = 99
    with django_capture_on_commit_callbacks(execute=True):
        welcome(worker, channels=[Channel.SMS])
    sms = Notification.objects.get()
    for _ in range(services.MAX_ATTEMPTS - 1):
        services.notification_deliver(notification_id=sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (Status.FAILED, services.MAX_ATTEMPTS)
    MemoryBackend.fail_next = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_retry(notification_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == Status.SENT


def test_a_worker_who_turned_off_optional_messages_gets_none(worker, django_capture_on_commit_callbacks):
    services.preference_set(user=worker, receive_non_essential=False)
    with django_capture_on_commit_callbacks(execute=True):
        welcome(worker)
    assert MemoryBackend.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SKIPPED}
    services.notify(recipient=worker, template_code="job.finished", params={"kind": "导入", "summary": "完成"}, dedupe_key="job:1")
    assert Notification.objects.filter(template_code="job.finished", status=Status.SENT).exists()  # essential


def test_no_phone_means_skipped_not_retried(django_capture_on_commit_callbacks):
    user = UserFactory(phone="")
    with django_capture_on_commit_callbacks(execute=True):
        welcome(user, channels=[Channel.SMS])
    assert Notification.objects.get().last_error == "用户未绑定手机号"


def test_unknown_template_is_refused(worker):
    with pytest.raises(services.ApplicationError, match="不存在"):
        services.notify(recipient=worker, template_code="nope", dedupe_key="x")


def test_inbox_unread_count_mark_read_and_privacy(client, worker):
    other = UserFactory()
    for i in range(3):
        services.notify(recipient=worker, template_code="job.finished", params={"kind": f"导入{i}", "summary": "ok"}, dedupe_key=f"j{i}")
    theirs = services.notify(recipient=other, template_code="job.finished", params={"kind": "别人的", "summary": "x"}, dedupe_key="o")[0]
    client.force_login(worker)
    page = client.get("/h5/inbox/").content.decode()
    assert "导入2已完成" in page and "别人的" not in page and "3 条未读" in client.get("/h5/me/").content.decode()
    assert client.post(f"/h5/inbox/{theirs.pk}/read/").status_code == 404
    first = Notification.objects.filter(recipient=worker).first()
    client.post(f"/h5/inbox/{first.pk}/read/", HTTP_HX_REQUEST="true")
    assert "2 条未读" in client.get("/h5/me/").content.decode()
    client.post(reverse("h5_notify:read_all"), {"next": "/h5/inbox/"})
    assert "条未读" not in client.get("/h5/me/").content.decode()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_first_sms_login_sends_the_welcome(client, django_capture_on_commit_callbacks):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:h5_login"), {"phone": "13500135000", "step": "send"})
    code = re.search(r"验证码为(\d{6})", MemoryBackend.outbox[-1].render()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:h5_login"), {"phone": "13500135000", "code": code, "step": "verify"})
    assert Notification.objects.filter(template_code="account.welcome", channel=Channel.INBOX).count() == 1
    assert MemoryBackend.outbox[-1].template_code == "SMS_WELCOME"
