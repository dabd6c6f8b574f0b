from django import forms

from gonghui.worktime.deadlines import LimitUnit


class DeadlineForm(forms.Form):
    start = forms.DateTimeField(label="起算时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    amount = forms.IntegerField(label="时限", min_value=1, max_value=3650)
    unit = forms.ChoiceField(label="单位", choices=[(unit.value, unit.label) for unit in LimitUnit])
