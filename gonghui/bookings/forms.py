"""Forms of the cadre pages: they parse; the services decide."""
from __future__ import annotations

from django import forms

from gonghui.bookings.models import Kind
from gonghui.bookings.services import OfferingInput

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OfferingForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=Kind.choices)
    title = forms.CharField(label="名称", max_length=100)
    description = forms.CharField(label="介绍", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label="地点", max_length=200, required=False)
    opens_at = forms.DateTimeField(label="开放报名时间", widget=DATETIME)
    cancel_hours = forms.IntegerField(label="开始前多少小时停止取消", min_value=0, max_value=720, initial=2)
    term = forms.IntegerField(label="所属学期（限每人每期次数）", required=False, widget=forms.Select)
    whole_term = forms.BooleanField(label="整期报名（职工夜校：报名即预约全部课次）", required=False)
    completion_percent = forms.IntegerField(label="结业出勤率（%）", required=False, min_value=1, max_value=100)
    members_only = forms.BooleanField(label="仅限会员", required=False, initial=True)
    eligible_orgs = forms.CharField(label="可报名的组织（组织编码，逗号分隔；不填为本组织及下级）", required=False)
    requested_by = forms.CharField(label="申请单位组织编码（定制课堂）", required=False)
    segment = forms.IntegerField(label="限定分群编号", required=False)
    min_age = forms.IntegerField(label="最小年龄", required=False, min_value=0, max_value=120)
    max_age = forms.IntegerField(label="最大年龄", required=False, min_value=0, max_value=120)

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].widget.choices = [("", "不限")] + [(t.pk, t.name) for t in terms]

    def offering_input(self, *, org_ids: dict[str, int]) -> OfferingInput:
        data = self.cleaned_data
        return OfferingInput(
            kind=data["kind"], title=data["title"], opens_at=data["opens_at"], description=data["description"], place=data["place"],
            term_id=data["term"], whole_term=data["whole_term"], completion_percent=data["completion_percent"],
            members_only=data["members_only"], eligible_org_ids=[org_ids[c] for c in codes(data["eligible_orgs"]) if c in org_ids],
            segment_id=data["segment"], min_age=data["min_age"], max_age=data["max_age"],
            requested_by_id=org_ids.get(data["requested_by"].strip()) if data["requested_by"].strip() else None, cancel_hours=data["cancel_hours"])

    def unknown_codes(self, org_ids: dict[str, int]) -> list[str]:
        wanted = codes(self.cleaned_data["eligible_orgs"]) + codes(self.cleaned_data["requested_by"])
        return [c for c in wanted if c not in org_ids]


def codes(text: str) -> list[str]:
    return [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label="开始时间", widget=DATETIME)
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME)
    capacity = forms.IntegerField(label="名额（线上课不限，心理咨询每时段 1 人）", required=False, min_value=1, max_value=100000)
    quota_org = forms.CharField(label="预留名额给组织（组织编码）", required=False)
    quota_org_seats = forms.IntegerField(label="预留名额数", required=False, min_value=1)
    quota_new_form_seats = forms.IntegerField(label="预留给新就业形态劳动者的名额", required=False, min_value=1)
    counsellor = forms.CharField(label="咨询师账号（心理咨询）", required=False)


class MessageForm(forms.Form):
    text = forms.CharField(label="通知内容", max_length=500, widget=forms.Textarea(attrs={"rows": 4}))


class CheckinForm(forms.Form):
    token = forms.CharField(label="签到码", max_length=500)
