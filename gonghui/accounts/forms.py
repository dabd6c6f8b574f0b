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


class ObjectGrantForm(forms.Form):
    kind = forms.ChoiceField(label="对象类型")
    object_id = forms.IntegerField(label="对象编号（ID）", min_value=1, max_value=2**63 - 1,
                                   help_text="在对象的详情页地址或“授权外部人员”按钮中可见")
    username = forms.CharField(label="被授权人账号（用户名）", max_length=150, help_text="如外部律师、调解员、合作机构的账号；不能是本人")
    actions = forms.MultipleChoiceField(label="可执行的操作", choices=lambda: sorted(action_labels().items()), widget=forms.CheckboxSelectMultiple,
                                        help_text="只能选择您在该对象所属组织拥有的权限")
    until = forms.DateField(label="截止日期（含当日）", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="不填则一直有效，直到撤销")

    def __init__(self, *args, kinds: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择")] + sorted(((key, label) for key, label in kinds.items()), key=lambda item: item[1])
