from django import forms
from django.urls import reverse_lazy

from gonghui.core.registry import action_labels


class TotpForm(forms.Form):
    code = forms.CharField(label="动态口令", max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}))


class H5LoginForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    code = forms.CharField(label="验证码", max_length=6, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


def _org_picker() -> dict:
    """A code input that suggests orgs under the user's accounts.manage posts as they type (htmx + datalist)."""
    return {"list": "managed-org-options", "autocomplete": "off", "hx-get": reverse_lazy("staff:org_options"),
            "hx-trigger": "input changed delay:250ms", "hx-target": "#managed-org-options", "placeholder": "输入名称、编码或拼音首字母"}


class PostGrantForm(forms.Form):
    username = forms.CharField(label="干部账号（用户名）", max_length=150)
    org_code = forms.CharField(label="组织编码", max_length=32, widget=forms.TextInput(attrs=_org_picker()),
                               help_text="只能是您管辖范围内的组织")
    role = forms.TypedChoiceField(label="角色", coerce=int)
    title = forms.CharField(label="职务", max_length=50, required=False)
    guidance_read = forms.BooleanField(label="可只读查看本组织业务指导的组织", required=False)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "请选择")] + [(role.pk, role.name) for role in roles]


class ApiKeyIssueForm(forms.Form):
    client_name = forms.CharField(label="调用方", max_length=100, help_text="如：广州12345热线系统")
    org_code = forms.CharField(label="授权组织编码", max_length=32, widget=forms.TextInput(attrs=_org_picker()),
                               help_text="密钥只能访问该组织及其下级")
    actions = forms.MultipleChoiceField(label="可执行的操作", choices=lambda: sorted(action_labels().items()), widget=forms.CheckboxSelectMultiple,
                                        help_text="只能选择您在该组织拥有的权限")


class RoleForm(forms.Form):
    code = forms.CharField(label="代码", max_length=32, help_text="小写字母开头，如 lawyer；保存后不能修改")
    name = forms.CharField(label="名称", max_length=50)
    description = forms.CharField(label="说明", max_length=200, required=False)
    permissions = forms.MultipleChoiceField(label="可执行的操作", choices=lambda: sorted(action_labels().items()), widget=forms.CheckboxSelectMultiple)
