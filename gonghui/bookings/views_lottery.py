"""抽签 pages. Public (no login): the result page with receipt codes only, the published JSON (the exact input of
`core.public_draw.verify`) and the verification page, which recomputes everything in the browser (static/js/lottery-verify.js).
Worker (H5): register, withdraw, see one's own code and outcome. 工作台: set a session in lottery mode, publish (freeze),
公示名单, enter the numbers, confirm them (a second cadre: the draw runs), amendments, the roster."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.bookings import lottery as service
from gonghui.bookings import selectors
from gonghui.bookings.forms import DATETIME
from gonghui.bookings.models import MANAGE, LotteryStatus
from gonghui.core.exceptions import ApplicationError
from gonghui.core.permissions import workbench_required
from gonghui.core.public_draw import CHECK_LABELS, CHECKS
from gonghui.core.views import flash_outcome, form_add_application_error, paginate

H5_LOGIN = "accounts:h5_login"


# ---------------------------------------------------------------- public


def result(request, lottery_id):
    lottery = service.lottery_public(lottery_id=lottery_id)
    return render(request, "bookings/lottery/public.html", {
        "lottery": lottery, "data": service.published_json(lottery=lottery), "mine": selectors.my_registration(user=request.user, lottery=lottery),
        "draw_at": service.draw_moment(lottery), "format": service.DRAW_FORMAT, "tab": "services"})


def result_json(request, lottery_id):
    lottery = service.lottery_public(lottery_id=lottery_id)
    response = JsonResponse(service.published_json(lottery=lottery), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="lottery-{lottery.pk}.json"'
    return response


def verify(request, lottery_id):
    lottery = service.lottery_public(lottery_id=lottery_id)
    return render(request, "bookings/lottery/verify.html", {"lottery": lottery, "checks": [(name, CHECK_LABELS[name]) for name in CHECKS],
                                                            "tab": "services"})


# ---------------------------------------------------------------- worker


@require_POST
def register(request, lottery_id):
    if not request.user.is_authenticated:
        return redirect(H5_LOGIN)
    def run():
        registration = service.lottery_register(actor=request.user, lottery_id=lottery_id)
        messages.success(request, f"报名成功，您的回执码是 {registration.code}")
    flash_outcome(request, run)
    return redirect("bookings_h5:lottery", lottery_id=lottery_id)


@login_required(login_url=H5_LOGIN)
@require_POST
def withdraw(request, lottery_id):
    flash_outcome(request, lambda: service.lottery_withdraw(actor=request.user, lottery_id=lottery_id), done="已撤回报名")
    return redirect("bookings_h5:lottery", lottery_id=lottery_id)


@login_required(login_url=H5_LOGIN)
def mine(request):
    return render(request, "bookings/lottery/h5_mine.html", {"registrations": selectors.my_registrations(user=request.user)[:50], "tab": "me"})


# ---------------------------------------------------------------- 工作台


class LotteryForm(forms.Form):
    opens_at = forms.DateTimeField(label="报名开始", widget=DATETIME)
    closes_at = forms.DateTimeField(label="报名截止", widget=DATETIME)
    draw_issue = forms.CharField(label="用于抽签的双色球期号（报名截止后开奖的一期）", max_length=7, min_length=7)
    draw_date = forms.DateField(label="该期开奖日期（每周二、四、日 21:15）", widget=forms.DateInput(attrs={"type": "date"}))

    def lottery_input(self) -> service.LotteryInput:
        return service.LotteryInput(**self.cleaned_data)


class NumbersForm(forms.Form):
    reds = forms.CharField(label="红球（6 个，1–33，空格或逗号分隔）", max_length=40)
    blue = forms.IntegerField(label="蓝球（1–16）", min_value=1, max_value=16)

    def clean_reds(self) -> list[int]:
        parts = self.cleaned_data["reds"].replace("，", ",").replace(",", " ").split()
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError("红球请填数字")
        return [int(part) for part in parts]


class AmendForm(forms.Form):
    code = forms.CharField(label="中签回执码", max_length=12, required=False)
    reason = forms.CharField(label="原因（将公示）", max_length=200)


@workbench_required
@require_http_methods(["GET", "POST"])
def lottery_new(request, session_id):
    session = selectors.session_get_for(actor=request.user, session_id=session_id, action=MANAGE)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = LotteryForm(request.POST or None, initial={"opens_at": now, "closes_at": now + dt.timedelta(days=3)})
    if request.method == "POST" and form.is_valid():
        try:
            made = service.lottery_create(actor=request.user, session_id=session.pk, data=form.lottery_input())
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, "已设为抽签，核对后发布即冻结名额与报名条件")
            return redirect("bookings:lottery", lottery_id=made.pk)
    return render(request, "bookings/lottery/form.html", {"form": form, "session": session, "offering": session.offering},
                  status=400 if form.errors else 200)


@workbench_required
def lottery_list(request):
    filters = {"q": request.GET.get("q", ""), "stage": request.GET.get("stage", "")}
    page = paginate(request, selectors.lottery_list(actor=request.user, **filters), per_page=20)
    now = timezone.now()
    rows = [(lot, selectors.lottery_stage_label(lottery=lot, now=now), lot.closes_at - now if lot.status == LotteryStatus.OPEN and lot.closes_at > now else None)
            for lot in page]
    return render(request, "bookings/lottery/list.html", {"page": page, "rows": rows, "filters": filters, "stages": selectors.LotteryStage.CHOICES})


@workbench_required
@require_http_methods(["GET", "POST"])
def lottery_edit(request, lottery_id):
    """修改未发布的抽签: registration times and the 双色球 issue; a published lottery is frozen (the service says so)."""
    lottery = selectors.lottery_get_for(actor=request.user, lottery_id=lottery_id, action=MANAGE)
    if lottery.status != LotteryStatus.DRAFT:
        messages.error(request, "抽签已发布，报名时间和开奖期号已冻结，不能再修改")
        return redirect("bookings:lottery", lottery_id=lottery.pk)
    initial = {"opens_at": timezone.localtime(lottery.opens_at), "closes_at": timezone.localtime(lottery.closes_at),
               "draw_issue": lottery.draw_issue, "draw_date": lottery.draw_date}
    form = LotteryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.lottery_update(actor=request.user, lottery_id=lottery.pk, data=form.lottery_input())
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, "已保存；核对后发布即冻结名额与报名条件")
            return redirect("bookings:lottery", lottery_id=lottery.pk)
    session = lottery.session
    return render(request, "bookings/lottery/form.html", {"form": form, "session": session, "offering": session.offering, "lottery": lottery},
                  status=400 if form.errors else 200)


@workbench_required
def lottery_detail(request, lottery_id):
    lottery = selectors.lottery_get_for(actor=request.user, lottery_id=lottery_id)
    if lottery.status == LotteryStatus.OPEN and lottery.closes_at <= timezone.now():
        service.lottery_close(lottery_id=lottery.pk)
        lottery = selectors.lottery_get_for(actor=request.user, lottery_id=lottery_id)
    can_manage = selectors.offering_can_manage(actor=request.user, offering=lottery.session.offering)
    return render(request, "bookings/lottery/detail.html", {
        "lottery": lottery, "offering": lottery.session.offering, "rows": selectors.lottery_roster(actor=request.user, lottery=lottery),
        "data": service.published_json(lottery=lottery), "can_manage": can_manage, "draw_at": service.draw_moment(lottery),
        "numbers_form": NumbersForm(), "amend_form": AmendForm(), "format": service.DRAW_FORMAT})


def _act(request, lottery_id, call, done: str):
    lottery = selectors.lottery_get_for(actor=request.user, lottery_id=lottery_id, action=MANAGE)
    flash_outcome(request, lambda: call(lottery), done=done)
    return redirect("bookings:lottery", lottery_id=lottery.pk)


@workbench_required
@require_POST
def lottery_publish(request, lottery_id):
    return _act(request, lottery_id, lambda lot: service.lottery_publish(actor=request.user, lottery_id=lot.pk), "已发布：名额、预留与报名条件已冻结")


@workbench_required
@require_POST
def lottery_close(request, lottery_id):
    return _act(request, lottery_id, lambda lot: service.lottery_close(actor=request.user, lottery_id=lot.pk), "名单已公示，已短信通知每位报名人")


def _numbers(request, lottery_id, call, done: str):
    form = NumbersForm(request.POST)

    def run(lot):
        if not form.is_valid():
            raise ApplicationError("请按格式填写开奖号码：" + "；".join(e for errors in form.errors.values() for e in errors), code="bookings.lottery_numbers")
        call(actor=request.user, lottery_id=lot.pk, reds=form.cleaned_data["reds"], blue=form.cleaned_data["blue"])
    return _act(request, lottery_id, run, done)


@workbench_required
@require_POST
def lottery_numbers(request, lottery_id):
    return _numbers(request, lottery_id, service.lottery_enter_numbers, "已录入开奖号码，请另一位干部复核")


@workbench_required
@require_POST
def lottery_confirm(request, lottery_id):
    return _numbers(request, lottery_id, service.lottery_confirm_numbers, "复核一致，已完成抽签并公示结果")


@workbench_required
@require_POST
def lottery_amend(request, lottery_id):
    form = AmendForm(request.POST)
    form.is_valid()
    data = {"reason": form.cleaned_data.get("reason", "")}
    if request.POST.get("op") == "seat":
        return _act(request, lottery_id, lambda lot: service.lottery_add_seat(actor=request.user, lottery_id=lot.pk, **data), "已增加名额并公示")
    return _act(request, lottery_id, lambda lot: service.lottery_disqualify(actor=request.user, lottery_id=lot.pk, code=form.cleaned_data.get("code", ""), **data),
                "已取消该中签资格并公示")
