"""Login for cadres (password + TOTP), workers (phone + SMS code), the org switcher, logout everywhere."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from gonghui.accounts import auth, selectors
from gonghui.accounts.forms import H5LoginForm, TotpForm
from gonghui.accounts.models import User
from gonghui.accounts.selectors import actions_for
from gonghui.accounts.services import REVEALABLE_FIELDS, post_switch, user_pii_reveal
from gonghui.audit.selectors import audit_events_for_object
from gonghui.core.exceptions import ApplicationError
from gonghui.core.permissions import workbench_required
from gonghui.core.views import form_add_application_error, paginate, safe_next_url

PENDING_TOTP = "pending_totp"
MAX_TOTP_TRIES = 5
# (group, key, rate): a code per phone per minute and 5 an hour; 20 codes an hour from one IP
SMS_LIMITS = [("sms-phone-minute", "phone", "1/m"), ("sms-phone-hour", "phone", "5/h"), ("sms-ip-hour", "ip", "20/h")]


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class CadreLoginView(LoginView):
    """Username + password (django-axes counts failures); TOTP as a second step where it applies."""

    template_name = "accounts/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if auth.totp_needed_at_login(user):
            self.request.session[PENDING_TOTP] = {"user_id": user.pk, "backend": user.backend, "next": self.get_success_url(), "tries": 0}
            return redirect("accounts:totp")
        return super().form_valid(form)


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def totp_step(request):
    pending = request.session.get(PENDING_TOTP)
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    enrolling = not user.totp_secret
    secret = request.session.setdefault("totp_enroll_secret", auth.totp_new_secret()) if enrolling else ""
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enrolling:
                auth.totp_enroll(user=user, secret=secret, code=form.cleaned_data["code"])
            else:
                auth.totp_verify(user=user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            # A wrong code counts against the username in django-axes too, so re-entering the password
            # does not buy endless guesses: 5 failures in total lock the account.
            user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
            pending["tries"] += 1
            request.session[PENDING_TOTP] = pending
            if pending["tries"] >= MAX_TOTP_TRIES:
                request.session.pop(PENDING_TOTP, None)
                messages.error(request, "动态口令错误次数过多，请重新登录")
                return redirect("accounts:login")
            form_add_application_error(form, exc)
        else:
            request.session.pop(PENDING_TOTP, None)
            request.session.pop("totp_enroll_secret", None)
            login(request, user, backend=pending["backend"])
            return redirect(pending["next"])
    context = {"form": form, "user_pending": user, "enrolling": enrolling, "secret": secret,
               "qr_svg": auth.totp_provisioning_svg(user=user, secret=secret) if enrolling else ""}
    return render(request, "accounts/totp.html", context)


def _sms_rate_limited(request, phone: str) -> bool:
    limited = False
    for group, key, rate in SMS_LIMITS:
        key_value = (lambda _group, _request: phone) if key == "phone" else "ip"
        limited |= is_ratelimited(request, group=group, key=key_value, rate=rate, method="POST", increment=True)
    return limited


@sensitive_post_parameters("phone", "code")
@require_http_methods(["GET", "POST"])
def h5_login(request):
    """Workers: phone → SMS code → logged in. A WeChat one-tap provider would end in the same `login()` call."""
    form = H5LoginForm(request.POST or None)
    code_sent = request.method == "POST" and request.POST.get("step") == "verify"
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            if request.POST.get("step") == "send":
                if _sms_rate_limited(request, auth.phone_index_for(auth.clean_phone(phone))):
                    raise ApplicationError("获取验证码过于频繁，请稍后再试（每分钟1次，每小时最多5次）", code="accounts.sms_rate_limited")
                auth.sms_code_send(phone=phone)
                messages.success(request, "验证码已发送，5分钟内有效")
                code_sent = True
            else:
                user = auth.sms_code_login(phone=phone, code=form.cleaned_data["code"])
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[-1])
                return redirect(safe_next_url(request, request.GET.get("next", ""), "/h5/me/"))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
    return render(request, "accounts/h5_login.html", {"form": form, "code_sent": code_sent, "tab": "me"})


@login_required
@require_POST
def logout_everywhere(request):
    auth.sessions_end_everywhere(user=request.user)
    logout(request)
    messages.success(request, "已退出所有设备上的登录")
    return redirect("accounts:login")


@login_required
@require_POST
def switch_post(request):
    post = post_switch(user=request.user, session=request.session, post_id=request.POST.get("post_id"))
    messages.success(request, f"已切换到：{post.org.name}（{post.role.name}）")
    return redirect(safe_next_url(request, request.POST.get("next", ""), "/workbench/"))


@workbench_required
def staff_list(request):
    if "accounts.manage" not in actions_for(user=request.user):
        raise PermissionDenied
    people = selectors.staff_list(actor=request.user, q=request.GET.get("q", ""))
    return render(request, "accounts/staff_list.html", {"page": paginate(request, people, per_page=25), "q": request.GET.get("q", "")})


@workbench_required
def staff_detail(request, user_id: int):
    person = selectors.staff_get_for(actor=request.user, user_id=user_id)
    reveals = audit_events_for_object(obj=person, action="accounts.user.pii_revealed")[:20]
    can_reveal = "pii.reveal" in actions_for(user=request.user)
    return render(request, "accounts/staff_detail.html", {"person": person, "reveals": reveals, "can_reveal": can_reveal,
                                                          "fields": REVEALABLE_FIELDS})


@workbench_required
@require_POST
def staff_reveal(request, user_id: int):
    field = request.POST.get("field", "")
    try:
        value = user_pii_reveal(actor=request.user, user_id=user_id, field=field, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        return render(request, "accounts/_reveal_result.html", {"error": exc.message, "field": field}, status=exc.status_code)
    return render(request, "accounts/_reveal_result.html", {"value": value, "field": field, "label": REVEALABLE_FIELDS[field]})


@workbench_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def security(request):
    """账号安全: turn on TOTP (optional below 市 level), see the lockout rules, end all sessions."""
    user = request.user
    secret = "" if user.totp_secret else request.session.setdefault("totp_enroll_secret", auth.totp_new_secret())
    form = TotpForm(request.POST or None)
    if request.method == "POST" and secret and form.is_valid():
        try:
            auth.totp_enroll(user=user, secret=secret, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            request.session.pop("totp_enroll_secret", None)
            messages.success(request, "已启用动态口令，下次登录时需要输入")
            return redirect("accounts:security")
    context = {"form": form, "secret": secret, "required": auth.totp_required(user),
               "qr_svg": auth.totp_provisioning_svg(user=user, secret=secret) if secret else ""}
    return render(request, "accounts/security.html", context)


@method_decorator(workbench_required, name="dispatch")
class ChangePasswordView(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        messages.success(self.request, "密码已修改")
        return super().form_valid(form)
