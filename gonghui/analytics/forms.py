"""The 预警规则 form: it parses what the cadre typed; `services.rule_save` decides whether it holds."""
from __future__ import annotations

from django import forms

from gonghui.analytics.models import RuleKind
from gonghui.analytics.services import RuleInput
from gonghui.tickets.models import Topic

NUMBER = {"inputmode": "numeric"}


class RuleForm(forms.Form):
    org = forms.TypedChoiceField(label="制定单位（规则对本单位及下级有效）", coerce=int)
    name = forms.CharField(label="规则名称", max_length=100)
    kind = forms.ChoiceField(label="规则类型", choices=RuleKind.choices)
    topic = forms.ChoiceField(label="问题类型（只计这一类；不选为全部）", choices=[("", "全部问题类型"), *Topic.choices], required=False)
    window_days = forms.IntegerField(label="统计天数（1–90）", widget=forms.NumberInput(attrs=NUMBER))
    yellow = forms.IntegerField(label="黄色预警阈值", widget=forms.NumberInput(attrs=NUMBER))
    orange = forms.IntegerField(label="橙色预警阈值", widget=forms.NumberInput(attrs=NUMBER))
    red = forms.IntegerField(label="红色预警阈值", widget=forms.NumberInput(attrs=NUMBER))
    rise_percent = forms.IntegerField(label="较上一周期增幅（%，仅“区域行业诉求上升”）", required=False, widget=forms.NumberInput(attrs=NUMBER))

    def __init__(self, *args, orgs=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(org.pk, org.name) for org in orgs]
        if editing:  # the org and kind stay once a rule exists: its alerts were counted that way
            for name in ("org", "kind"):
                self.fields[name].disabled = True

    def rule_input(self) -> RuleInput:
        data = self.cleaned_data
        return RuleInput(name=data["name"], kind=data["kind"], topic=data["topic"], window_days=data["window_days"], yellow=data["yellow"],
                         orange=data["orange"], red=data["red"], rise_percent=data["rise_percent"])
