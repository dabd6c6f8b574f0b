from django import forms
from django.urls import reverse_lazy

from gonghui.orgs.models import Industry, OrgType, Ownership


def _org_picker(org_type: str) -> dict:
    """An input that suggests orgs of one type (in the user's scope) as the user types, via htmx + datalist."""
    return {
        "list": f"{org_type}-options", "autocomplete": "off", "hx-get": reverse_lazy("orgs:options"),
        "hx-vals": f'{{"type": "{org_type}"}}', "hx-trigger": "input changed delay:250ms", "hx-target": f"#{org_type}-options",
    }


class EmployerForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    name = forms.CharField(label="单位名称", max_length=200, required=False)
    industry = forms.ChoiceField(label="行业门类", choices=[("", "请选择")] + Industry.choices, required=False)
    ownership = forms.ChoiceField(label="经济类型", choices=[("", "请选择")] + Ownership.choices, required=False)
    town_code = forms.CharField(
        label="所在街道/镇编码", max_length=32, required=False, help_text="输入街道/镇名称或拼音首字母可选择，如“石牌”→ 440106006",
        widget=forms.TextInput(attrs=_org_picker("town")),
    )
    address = forms.CharField(label="地址", max_length=200, required=False)
    headcount = forms.CharField(label="职工人数", required=False)
    has_union = forms.BooleanField(label="已建会", required=False)
    union_code = forms.CharField(
        label="工会组织编码", max_length=32, required=False, help_text="已建会时填写其企业工会（可输入名称选择）",
        widget=forms.TextInput(attrs=_org_picker("enterprise")),
    )


class OrgCreateForm(forms.Form):
    name = forms.CharField(label="组织名称", max_length=100, required=False)
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    type = forms.ChoiceField(label="组织类型", choices=OrgType.choices)
    code = forms.CharField(label="组织编码", max_length=32, required=False, help_text="留空则自动生成")
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    founded_on = forms.DateField(label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class OrgEditForm(forms.Form):
    name = forms.CharField(label="组织名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    founded_on = forms.DateField(label="成立日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    is_active = forms.BooleanField(label="有效（取消勾选即停用）", required=False)


class OrgMoveForm(forms.Form):
    new_parent_code = forms.CharField(label="新上级组织编码", max_length=32)
    reason = forms.CharField(label="调整原因", max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
