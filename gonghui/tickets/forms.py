"""The intake forms (worker H5 and 网上信箱, the 12351 agent's screen) and the desk's filters."""
from __future__ import annotations

from django import forms

from gonghui.tickets.models import Agency, Category, ContactPreference, Satisfaction, State, Tier, Topic, Urgency
from gonghui.tickets.services import NEW_FORM_TYPES, TicketInput

NEW_FORM_LABELS = {"food_delivery": "外卖骑手", "courier": "快递员", "ride_hailing": "网约车司机", "trucking": "货车司机",
                   "live_streamer": "网络主播", "domestic": "家政服务员", "other": "其他新就业形态"}
PHONE_INPUT = {"inputmode": "tel", "autocomplete": "tel"}


class IntakeForm(forms.Form):
    """What a worker tells the union; the hotline form adds what the agent records of the call."""

    form_token = forms.CharField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label="诉求类别", choices=Category.choices, initial=Category.COMPLAINT)
    topic = forms.ChoiceField(label="问题类型", choices=Topic.choices, initial=Topic.WAGES)
    title = forms.CharField(label="标题", max_length=100, widget=forms.TextInput(attrs={"placeholder": "一句话说明问题，如：三个月未发工资"}))
    description = forms.CharField(label="具体情况", max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5, "placeholder": "时间、地点、经过，以及您希望工会帮助做什么"}))
    affected_count = forms.IntegerField(label="涉及人数", min_value=1, max_value=100000, initial=1, help_text="包括您自己，共有多少名职工遇到同样的问题")
    district = forms.TypedChoiceField(label="问题发生地区", coerce=int, empty_value=None, required=False)
    employer_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)  # chosen from the ledger (H5 picker)
    employer_name = forms.CharField(label="涉及单位名称", max_length=200, required=False)
    employer_uscc = forms.CharField(label="统一社会信用代码（选填）", max_length=18, required=False)
    new_form_type = forms.ChoiceField(label="新就业形态（如是）", required=False,
                                      choices=[("", "不是")] + [(key, NEW_FORM_LABELS[key]) for key in NEW_FORM_TYPES])
    caller_name = forms.CharField(label="您的姓名（选填）", max_length=50, required=False)
    caller_phone = forms.CharField(label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs=PHONE_INPUT),
                                   help_text="用于接收查询码和回访；已登录的职工不填则用账号手机号")
    contact_preference = forms.ChoiceField(label="希望的联系方式", choices=ContactPreference.choices, initial=ContactPreference.PHONE)
    anonymous = forms.BooleanField(label="对承办单位隐藏我的身份（派单中心仍可见）", required=False)

    def __init__(self, *args, districts: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "请选择区/县（镇）")] + districts

    def ticket_input(self, *, channel: str, uploads: list) -> TicketInput:
        data = self.cleaned_data
        return TicketInput(
            channel=channel, category=data["category"], topic=data["topic"], title=data["title"], description=data["description"],
            urgency=data.get("urgency") or Urgency.NORMAL, tier=data.get("tier") or Tier.GENERAL, affected_count=data["affected_count"],
            district_id=data["district"], employer_id=data.get("employer_id"), employer_name=data["employer_name"], employer_uscc=data["employer_uscc"],
            new_form_type=data["new_form_type"], caller_name=data["caller_name"], caller_phone=data["caller_phone"],
            callback_phone=data.get("callback_phone", ""), call_ref=data.get("call_ref", ""),
            contact_preference=data["contact_preference"], anonymous=data["anonymous"], quick_answer=data.get("quick_answer", ""),
            uploads=uploads)


class HotlineForm(IntakeForm):
    """The 12351 agent's screen: the call's numbers and reference, urgency and tier, and a quick answer for a pure 咨询."""

    caller_name = forms.CharField(label="来电人姓名（选填）", max_length=50, required=False)
    caller_phone = forms.CharField(label="来电号码", max_length=20, widget=forms.TextInput(attrs=PHONE_INPUT))
    callback_phone = forms.CharField(label="回拨号码（与来电不同时填）", max_length=20, required=False, widget=forms.TextInput(attrs=PHONE_INPUT))
    call_ref = forms.CharField(label="通话流水号", max_length=64, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    tier = forms.ChoiceField(label="难易程度", choices=Tier.choices, initial=Tier.GENERAL)
    quick_answer = forms.CharField(label="当场答复（仅咨询：填写后直接办结）", max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["form_token", "caller_phone", "callback_phone", "call_ref", "caller_name", "category", "topic", "urgency", "tier",
                   "title", "description", "affected_count", "district", "employer_name", "employer_uscc", "new_form_type",
                   "contact_preference", "anonymous", "quick_answer"]


class FollowUpForm(forms.Form):
    result = forms.ChoiceField(label="您对办理结果是否满意", choices=[c for c in Satisfaction.choices if c[0] != Satisfaction.UNREACHED],
                               widget=forms.RadioSelect)
    comment = forms.CharField(label="意见（选填）", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


REFERRAL_AGENCIES = [("", "不转交")] + list(Agency.choices)
STATE_CHOICES = [("", "全部状态")] + list(State.choices)


SHIFT_TIME = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
              "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]}


class DutyShiftForm(forms.Form):
    """值班安排: who takes urgent orders for an org, from when to when."""

    org_code = forms.CharField(label="值班单位（组织编码）", max_length=40)
    username = forms.CharField(label="值班人（用户名）", max_length=150)
    starts_at = forms.DateTimeField(label="开始", **SHIFT_TIME)
    ends_at = forms.DateTimeField(label="结束", **SHIFT_TIME)
