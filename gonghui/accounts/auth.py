"""Login building blocks: SMS codes for workers, TOTP for cadres, password rules, ending sessions."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import pyotp
import segno
from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import SmsCode, User, UserKind
from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError
from gonghui.core.validators import InvalidIdentifier, normalize_mobile
from gonghui.notify.services import notify
from gonghui.notify.sms import sms_send

SMS_CODE_TTL = timedelta(minutes=5)
SMS_CODE_MAX_ATTEMPTS = 5
TOTP_ISSUER = "gonghui 工会工作台"
TOTP_REQUIRED_MAX_DEPTH = 2  # posts at 省总 (depth 1) and 市总 (depth 2) must use TOTP


def _code_hash(phone_index: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone_index}:{code}".encode(), hashlib.sha256).hexdigest()


def phone_index_for(phone: str) -> str:
    return User._meta.get_field("phone_index").index_for(phone)


def clean_phone(phone: str) -> str:
    try:
        return normalize_mobile(phone)
    except InvalidIdentifier as exc:
        raise ApplicationError(str(exc), code="accounts.phone_invalid", fields={"phone": [str(exc)]}) from None


@transaction.atomic
def sms_code_send(*, phone: str) -> None:
    """Send a 6-digit login code. Rate limits per phone and per IP sit on the view (django-ratelimit)."""
    phone = clean_phone(phone)
    index = phone_index_for(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    SmsCode.objects.filter(phone_index=index, used_at__isnull=True).update(used_at=timezone.now())  # one live code
    SmsCode.objects.create(phone_index=index, code_hash=_code_hash(index, code), expires_at=timezone.now() + SMS_CODE_TTL)
    minutes = int(SMS_CODE_TTL.total_seconds() // 60)
    transaction.on_commit(lambda: sms_send(phone=phone, template_code="LOGIN_CODE", params={"code": code, "minutes": minutes}))


def sms_code_login(*, phone: str, code: str) -> User:
    """Check the code and return the worker's account, creating it on first login."""
    phone = clean_phone(phone)
    index = phone_index_for(phone)
    with transaction.atomic():  # commits the failed-attempt count even when the code is wrong
        outcome = _sms_code_consume(index, str(code).strip())
    if outcome == "locked":
        raise ApplicationError("验证码错误次数过多，请重新获取", code="accounts.sms_code_locked", fields={"code": ["请重新获取"]})
    if outcome != "ok":
        raise ApplicationError("验证码不正确或已过期，请重新获取", code="accounts.sms_code_invalid", fields={"code": ["验证码不正确"]})
    return _worker_account(index=index, phone=phone)


def _sms_code_consume(index: str, code: str) -> str:
    sent = SmsCode.objects.select_for_update().filter(phone_index=index, used_at__isnull=True).first()
    if sent is None or sent.expires_at < timezone.now():
        return "invalid"
    if sent.attempts >= SMS_CODE_MAX_ATTEMPTS:
        return "locked"
    if not hmac.compare_digest(sent.code_hash, _code_hash(index, code)):
        SmsCode.objects.filter(pk=sent.pk).update(attempts=sent.attempts + 1)
        return "locked" if sent.attempts + 1 >= SMS_CODE_MAX_ATTEMPTS else "invalid"
    SmsCode.objects.filter(pk=sent.pk).update(used_at=timezone.now())
    return "ok"


@transaction.atomic
def _worker_account(*, index: str, phone: str) -> User:
    user = User.objects.filter(phone_index=index).first()
    if user is not None and user.kind != UserKind.WORKER:
        # A cadre's or external account's phone never opens a session without its password and TOTP.
        raise ApplicationError("该手机号已绑定工会工作台账号，请使用用户名和密码登录工作台", code="accounts.not_worker")
    if user is None:
        user = User(username=f"w{secrets.token_hex(6)}", kind=UserKind.WORKER, phone=phone)
        user.set_unusable_password()
        user.save()
        audit_log(actor=user, action="accounts.worker.registered", obj=user)
        notify(recipient=user, template_code="account.welcome", dedupe_key=f"welcome:{user.pk}", link="/h5/")
    if not user.is_active:
        raise ApplicationError("该账号已停用，请联系工会", code="accounts.inactive")
    return user


def totp_required(user: User) -> bool:
    return user.posts.filter(org__depth__lte=TOTP_REQUIRED_MAX_DEPTH).exists()


def totp_needed_at_login(user: User) -> bool:
    return bool(user.totp_secret) or totp_required(user)


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning_svg(*, user: User, secret: str) -> str:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4)


def _totp_step(secret: str, code: str) -> int | None:
    """The time step `code` belongs to (±1 step for clock drift), or None."""
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        moment = now + timedelta(seconds=30 * drift)
        if hmac.compare_digest(totp.at(moment), str(code).strip()):
            return totp.timecode(moment)
    return None


@transaction.atomic
def totp_verify(*, user: User, code: str) -> None:
    """Accept each code once: a replayed code (same or older time step) is refused."""
    user = User.objects.select_for_update().get(pk=user.pk)
    step = _totp_step(user.totp_secret, code)
    if step is None or step <= user.totp_last_step:
        raise ApplicationError("动态口令不正确或已使用，请输入验证器中的最新6位数字", code="accounts.totp_invalid",
                               fields={"code": ["动态口令不正确"]})
    User.objects.filter(pk=user.pk).update(totp_last_step=step)


@transaction.atomic
def totp_enroll(*, user: User, secret: str, code: str) -> None:
    step = _totp_step(secret, code)
    if step is None:
        raise ApplicationError("动态口令不正确，请确认验证器已添加本账号并输入当前6位数字", code="accounts.totp_invalid",
                               fields={"code": ["动态口令不正确"]})
    user.totp_secret = secret
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_last_step"])
    audit_log(actor=user, action="accounts.totp.enrolled", obj=user)


@transaction.atomic
def sessions_end_everywhere(*, user: User) -> None:
    """退出所有设备: every session's auth hash stops matching."""
    User.objects.filter(pk=user.pk).update(session_version=user.session_version + 1)
    user.refresh_from_db(fields=["session_version"])
    audit_log(actor=user, action="accounts.sessions.ended_everywhere", obj=user)


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    """Django 5.2's message id for this check no longer matches its zh_Hans catalogue, so say it ourselves."""

    def get_error_message(self) -> str:
        return f"密码长度太短。密码必须包含至少 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码必须包含至少 {self.min_length} 个字符。"


class LettersAndDigitsValidator:
    """Passwords mix letters and digits (with Django's length, common-password and similarity checks)."""

    def validate(self, password: str, user=None) -> None:
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError("密码必须同时包含字母和数字。", code="password_letters_digits")

    def get_help_text(self) -> str:
        return "密码必须同时包含字母和数字。"
