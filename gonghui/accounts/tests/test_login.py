"""Logging in: cadres with password (+ TOTP where required), workers with an SMS code; brute force is locked out."""
import re

import pyotp
import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gonghui.accounts import auth
from gonghui.accounts.models import SmsCode, User, UserKind
from gonghui.accounts.tests.factories import UserFactory
from gonghui.notify.sms import MemoryBackend

pytestmark = pytest.mark.django_db
PASSWORD = "Test@pass2026"
SECRET = "JBSWY3DPEHPK3PXPGONGHUITESTSECRT"


@pytest.fixture(autouse=True)
def _fresh_outbox_and_limits():
    from django.core.cache import cache

    MemoryBackend.outbox.clear()
    cache.clear()


def post_login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


class TestCadreLogin:
    def test_district_cadre_without_totp_logs_in_with_a_password(self, client, cadre):
        user = cadre("440106")
        response = post_login(client, user.username)
        assert response.status_code == 302 and response["Location"] == reverse("workbench:home")

    def test_city_level_post_must_enrol_totp_before_getting_in(self, client, cadre):
        user = cadre("4401")
        response = post_login(client, user.username)
        assert response["Location"] == reverse("accounts:totp")
        assert client.get(reverse("workbench:home")).status_code == 302  # not logged in yet
        page = client.get(reverse("accounts:totp")).content.decode()
        assert "<svg" in page and "绑定并登录" in page
        secret = client.session["totp_enroll_secret"]
        wrong = client.post(reverse("accounts:totp"), {"code": "000000"})
        assert "动态口令不正确" in wrong.content.decode()
        done = client.post(reverse("accounts:totp"), {"code": pyotp.TOTP(secret).now()})
        assert done.status_code == 302
        assert client.get(reverse("workbench:home")).status_code == 200
        assert User.objects.get(pk=user.pk).totp_secret == secret

    def test_totp_code_cannot_be_replayed(self, cadre):
        user = cadre("440106")
        user.totp_secret = SECRET
        user.save()
        code = pyotp.TOTP(SECRET).now()
        first, second = Client(), Client()
        for client in (first, second):
            post_login(client, user.username)
        assert first.post(reverse("accounts:totp"), {"code": code}).status_code == 302
        replay = second.post(reverse("accounts:totp"), {"code": code})
        assert replay.status_code == 200 and "已使用" in replay.content.decode()

    def test_wrong_totp_codes_count_as_failed_logins_so_guessing_locks_the_account(self, client, cadre):
        user = cadre("440106")
        user.totp_secret = SECRET
        user.save()
        post_login(client, user.username)
        for _ in range(4):
            assert client.post(reverse("accounts:totp"), {"code": "123456"}).status_code == 200
        post_login(Client(), user.username)  # a fresh password round does not reset the count
        second = Client()
        post_login(second, user.username)
        assert second.post(reverse("accounts:totp"), {"code": "123456"}).status_code == 429  # the fifth failure locks
        assert post_login(Client(), user.username, ip="10.7.7.7").status_code == 429

    def test_repeated_bad_passwords_lock_the_account_even_with_the_right_password(self, client, cadre):
        user = cadre("440106")
        for _ in range(4):
            assert post_login(client, user.username, "wrong-password1").status_code == 200
        assert post_login(client, user.username, "wrong-password1").status_code == 429  # the fifth failure locks
        locked = post_login(client, user.username, ip="10.0.0.99")
        assert locked.status_code == 429 and "已暂时锁定" in locked.content.decode()

    def test_repeated_bad_passwords_lock_the_ip_for_every_account(self, client, cadre):
        for i in range(5):
            post_login(client, f"nobody{i}", "wrong-password1", ip="10.9.9.9")
        user = cadre("440106")
        assert post_login(Client(), user.username, ip="10.9.9.9").status_code == 429
        assert post_login(Client(), user.username, ip="10.9.9.10").status_code == 302

    def test_an_administrator_unlocks_an_account(self, client, cadre):
        user = cadre("440106")
        for _ in range(5):
            post_login(client, user.username, "wrong-password1", ip="10.0.0.5")
        call_command("axes_reset_username", user.username, stdout=open("/dev/null", "w"))
        call_command("axes_reset_ip", "10.0.0.5", stdout=open("/dev/null", "w"))
        assert not AccessAttempt.objects.exists()
        assert post_login(client, user.username, ip="10.0.0.5").status_code == 302

    def test_logout_everywhere_ends_other_sessions(self, cadre):
        user = cadre("440106")
        laptop, phone = Client(), Client()
        for client in (laptop, phone):
            post_login(client, user.username)
            assert client.get(reverse("workbench:home")).status_code == 200
        laptop.post(reverse("accounts:logout_everywhere"))
        assert phone.get(reverse("workbench:home")).status_code == 302
        assert laptop.get(reverse("workbench:home")).status_code == 302

    def test_password_rules(self):
        for weak, reason in (("short1a", "太短"), ("onlyletterspassword", "字母和数字"), ("1234567890123", "只包含数字")):
            with translation.override("zh-hans"), pytest.raises(ValidationError, match=reason):
                validate_password(weak)
        validate_password("Gh-union-2026-ok")


class TestWorkerSmsLogin:
    def send(self, client, phone="13800138000", ip="10.1.1.1"):
        return client.post(reverse("accounts:h5_login"), {"phone": phone, "step": "send"}, REMOTE_ADDR=ip)

    def code_from_outbox(self) -> str:
        return re.search(r"验证码为(\d{6})", MemoryBackend.outbox[-1].render()).group(1)

    def test_first_login_registers_a_worker_with_an_encrypted_phone(self, client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            assert "验证码已发送" in self.send(client).content.decode()
        message = MemoryBackend.outbox[-1]
        assert message.template_code == "LOGIN_CODE" and message.params["minutes"] == 5
        response = client.post(reverse("accounts:h5_login"), {"phone": "138 0013 8000", "code": self.code_from_outbox(), "step": "verify"})
        assert response.status_code == 302 and response["Location"] == "/h5/me/"
        worker = User.objects.get(kind=UserKind.WORKER)
        assert worker.phone == "13800138000" and not worker.has_usable_password()
        assert "138****8000" in client.get("/h5/me/").content.decode()
        assert client.get(reverse("workbench:home"))["Location"] == "/h5/me/"  # workers have no 工作台

    def test_the_code_works_once_and_only_for_its_phone(self, client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            self.send(client)
        code = self.code_from_outbox()
        with pytest.raises(auth.ApplicationError):
            auth.sms_code_login(phone="13900139000", code=code)
        auth.sms_code_login(phone="13800138000", code=code)
        with pytest.raises(auth.ApplicationError, match="不正确或已过期"):
            auth.sms_code_login(phone="13800138000", code=code)

    def test_five_wrong_codes_burn_the_code(self, client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            self.send(client)
        code = self.code_from_outbox()
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            with pytest.raises(auth.ApplicationError):
                auth.sms_code_login(phone="13800138000", code=wrong)
        with pytest.raises(auth.ApplicationError, match="次数过多"):
            auth.sms_code_login(phone="13800138000", code=code)
        assert SmsCode.objects.get().attempts == 5

    def test_codes_are_rate_limited_per_phone(self, client):
        assert "验证码已发送" in self.send(client).content.decode()
        second = self.send(client, ip="10.1.1.2").content.decode()
        assert "获取验证码过于频繁" in second
        assert SmsCode.objects.count() == 1
        assert "验证码已发送" in self.send(client, phone="13900139000").content.decode()

    def test_codes_are_rate_limited_per_ip(self, client):
        for i in range(20):
            assert "验证码已发送" in self.send(client, phone=f"1370000{i:04d}", ip="10.2.2.2").content.decode()
        assert "过于频繁" in self.send(client, phone="13711112222", ip="10.2.2.2").content.decode()

    def test_a_bad_phone_number_is_explained(self, client):
        html = self.send(client, phone="12345").content.decode()
        assert "手机号格式不正确" in html and 'value="12345"' in html
        assert not SmsCode.objects.exists()

    def test_the_sms_log_never_holds_the_phone_in_clear(self, client, caplog, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            self.send(client)
        assert "13800138000" not in caplog.text and "138****8000" in caplog.text



def test_a_district_cadre_can_turn_on_totp_and_then_needs_it(cadre):
    user = cadre("440106")
    client = Client()
    post_login(client, user.username)
    page = client.get(reverse("accounts:security")).content.decode()
    assert "<svg" in page and "可选" in page
    secret = client.session["totp_enroll_secret"]
    assert "已启用" in client.post(reverse("accounts:security"), {"code": pyotp.TOTP(secret).now()}, follow=True).content.decode()
    again = Client()
    assert post_login(again, user.username)["Location"] == reverse("accounts:totp")


def test_password_change_applies_the_rules(client, cadre):
    user = cadre("440106")
    client.force_login(user)
    weak = client.post(reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": "abcdefghijk", "new_password2": "abcdefghijk"})
    assert "字母和数字" in weak.content.decode()
    ok = client.post(reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": "Tianhe-union-2027", "new_password2": "Tianhe-union-2027"})
    assert ok.status_code == 302 and User.objects.get(pk=user.pk).check_password("Tianhe-union-2027")


def test_a_cadres_phone_never_logs_in_by_sms(client, cadre, django_capture_on_commit_callbacks):
    user = cadre("4401")
    user.phone = "13800138123"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:h5_login"), {"phone": "13800138123", "step": "send"}, REMOTE_ADDR="10.3.3.3")
    code = re.search(r"验证码为(\d{6})", MemoryBackend.outbox[-1].render()).group(1)
    response = client.post(reverse("accounts:h5_login"), {"phone": "13800138123", "code": code, "step": "verify"})
    assert "请使用用户名和密码登录工作台" in response.content.decode()
    assert client.get(reverse("workbench:home")).status_code == 302


def test_workers_cannot_use_the_api(client):
    client.force_login(UserFactory(kind=UserKind.WORKER))
    assert client.get("/api/orgs").status_code == 401
    assert client.post("/api/member-cards/verify", {"token": "x"}, content_type="application/json").status_code == 401


def test_open_redirects_are_refused(client, cadre):
    client.force_login(cadre("440106"))
    response = client.post(reverse("notify:read_all"), {"next": "https://evil.example/phish"})
    assert response["Location"] == "/"
