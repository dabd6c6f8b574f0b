"""Forms of the 疗休养 pages: they parse (money typed in 元 becomes fen here, never a float); the services decide."""
from __future__ import annotations

from decimal import Decimal

from django import forms

from gonghui.trips.models import GUANGDONG, AccreditationStatus, Eligibility, InspectionResult

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YuanField(forms.DecimalField):
    """An amount in 元 with at most two decimals, cleaned to fen (int)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs)

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)


class BaseForm(forms.Form):
    name = forms.CharField(label="基地名称", max_length=100)
    province = forms.CharField(label="所在省份", max_length=20, initial=GUANGDONG)
    division = forms.CharField(label="所在地区组织编码（省内基地必填，如 4418 清远）", required=False)
    address = forms.CharField(label="地址", max_length=200)
    accredited_from = forms.DateField(label="认定有效期起", widget=DATE)
    accredited_to = forms.DateField(label="认定有效期止", widget=DATE)
    description = forms.CharField(label="介绍", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AccreditationForm(forms.Form):
    status = forms.ChoiceField(label="认定状态", choices=AccreditationStatus.choices)
    accredited_to = forms.DateField(label="有效期止（续期时修改）", required=False, widget=DATE)
    note = forms.CharField(label="说明（暂停或撤销须写明原因）", required=False, max_length=300)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    result = forms.ChoiceField(label="结果", choices=InspectionResult.choices)
    notes = forms.CharField(label="情况记录", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RouteForm(forms.Form):
    base = forms.IntegerField(label="基地", widget=forms.Select)
    title = forms.CharField(label="线路名称", max_length=100)
    days = forms.IntegerField(label="天数", min_value=1, max_value=30)
    price = YuanField(label="每人费用（元）")
    eligibility = forms.ChoiceField(label="参加对象", choices=Eligibility.choices)
    eligible_orgs = forms.CharField(label="可参加的组织（组织编码，逗号分隔；参加对象为“指定组织”时填写）", required=False)
    description = forms.CharField(label="行程介绍", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, bases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].widget.choices = [("", "请选择")] + [(b.pk, f"{b.name}（{b.province}）") for b in bases]


class DepartureForm(forms.Form):
    starts_on = forms.DateField(label="出发日期", widget=DATE)
    capacity = forms.IntegerField(label="名额", min_value=1, max_value=10000)


class BudgetForm(forms.Form):
    org = forms.CharField(label="单位组织编码", max_length=40)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = YuanField(label="预算（元）")


class PolicyForm(forms.Form):
    org = forms.CharField(label="奖补单位组织编码", max_length=40)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    subsidy = YuanField(label="每人奖补（元）")
    match_ratio = forms.DecimalField(label="配套比例（配套 = 奖补 × 比例）", max_digits=5, decimal_places=2, min_value=Decimal(0))


class ModelWorkerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18)
    title = forms.CharField(label="荣誉称号", max_length=50, initial="劳动模范")


def codes(text: str) -> list[str]:
    return [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]
