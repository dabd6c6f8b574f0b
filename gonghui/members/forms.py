from django import forms

from gonghui.core.widgets import DatePicker
from gonghui.members.models import DriveMetric, Education, NewFormType, PoliticalStatus


def _blank(choices):
    return [("", "请选择（可不填）")] + list(choices)


class JoinForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=30)
    id_number = forms.CharField(label="身份证号", max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    employer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    employer_query = forms.CharField(label="工作单位", required=False, max_length=200,
                                     widget=forms.TextInput(attrs={"placeholder": "输入单位名称或统一社会信用代码查找", "autocomplete": "off"}))
    employer_name = forms.CharField(label="单位名称（台账中找不到时填写）", required=False, max_length=200)
    employer_uscc = forms.CharField(label="统一社会信用代码（可不填）", required=False, max_length=18)
    town_code = forms.CharField(required=False, widget=forms.HiddenInput)
    new_form_type = forms.ChoiceField(label="新就业形态（如是）", required=False, choices=_blank(NewFormType.choices))
    platform_company = forms.CharField(label="平台企业（如美团、顺丰）", required=False, max_length=100)
    education = forms.ChoiceField(label="学历", required=False, choices=_blank(Education.choices))
    political_status = forms.ChoiceField(label="政治面貌", required=False, choices=_blank(PoliticalStatus.choices))


class MemberImportForm(forms.Form):
    file = forms.FileField(label="会员名册（.xlsx 或 .csv，UTF-8 或 GBK/GB18030 编码）")
    mode = forms.ChoiceField(label="遇到错误时", choices=[("all_or_nothing", "有错则全部不导入（推荐）"), ("good_rows", "只导入正确的行，错误行另行处理")],
                             widget=forms.RadioSelect, initial="all_or_nothing")


class ProspectUploadForm(forms.Form):
    source = forms.CharField(label="名单来源", max_length=100, help_text="如：某货运平台、区人社局")
    file = forms.FileField(label="名单文件（.xlsx 或 .csv，列：姓名、身份证号、手机号、新就业形态）")
    keep_days = forms.IntegerField(label="保留天数", min_value=1, max_value=180, initial=30, help_text="到期后自动清除名单中的人员记录")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    name = forms.CharField(label="本人姓名", max_length=30)
    id_number = forms.CharField(label="本人身份证号", max_length=18)
    statement = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    evidence = forms.FileField(label="证明材料（身份证照片、报警回执等，可不传）", required=False)


class DriveForm(forms.Form):
    name = forms.CharField(label="行动名称", max_length=100, widget=forms.TextInput(attrs={"placeholder": "如：四季度货车司机入会行动"}))
    metric = forms.ChoiceField(label="指标", choices=DriveMetric.choices)
    new_form_type = forms.ChoiceField(label="新就业形态（指标为新就业形态会员时）", required=False, choices=_blank(NewFormType.choices))
    target = forms.IntegerField(label="目标数", min_value=1)
    starts_on = forms.DateField(label="开始日期", widget=DatePicker())
    ends_on = forms.DateField(label="结束日期", widget=DatePicker())


class VisitForm(forms.Form):
    # Any org id parses; the service decides which may log the visit (inside the drive and the cadre's scope).
    org = forms.IntegerField(label="走访组织", widget=forms.Select, help_text="由哪一级工会走访，月分析按组织统计")
    visited_on = forms.DateField(label="走访日期", widget=DatePicker())
    place = forms.CharField(label="地点", max_length=200, widget=forms.TextInput(attrs={"placeholder": "如：麻章区某物流园"}))
    people_met = forms.IntegerField(label="接触人数", min_value=0)
    joined_on_spot = forms.IntegerField(label="现场入会人数", min_value=0, initial=0)
    note = forms.CharField(label="情况记录", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orgs=(), **kwargs):
        """`orgs`: the choices, tree-ordered (drives.visit_org_choices), indented by level."""
        super().__init__(*args, **kwargs)
        top = min((org.depth for org in orgs), default=0)
        self.fields["org"].widget.choices = [(org.pk, "\u3000" * (org.depth - top) + org.name) for org in orgs]
