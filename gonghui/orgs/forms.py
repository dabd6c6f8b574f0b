from django import forms
from django.urls import reverse_lazy

from gonghui.core.widgets import DatePicker
from gonghui.orgs.models import CultivationLevel, Industry, OrgType, Ownership


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
    founded_on = forms.DateField(label="成立日期", required=False, widget=DatePicker())


class OrgEditForm(forms.Form):
    name = forms.CharField(label="组织名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    founded_on = forms.DateField(label="成立日期", required=False, widget=DatePicker())
    is_active = forms.BooleanField(label="有效（取消勾选即停用）", required=False)


class OrgMoveForm(forms.Form):
    new_parent_code = forms.CharField(label="新上级组织编码", max_length=32)
    reason = forms.CharField(label="调整原因", max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


# ---------------------------------------------------------------- assessment schemes and evidence

WHOLE_NUMBER = {"invalid": "请填写整数"}


class SchemeCreateForm(forms.Form):
    owner = forms.ChoiceField(label="发布组织")
    source = forms.ChoiceField(label="新建方式")
    name = forms.CharField(label="方案名称", max_length=100, required=False, help_text="用模板或复制时可留空，沿用原名称")
    year = forms.IntegerField(label="年度", error_messages=WHOLE_NUMBER)

    def __init__(self, *args, owners, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(org.pk, org.name) for org in owners]
        self.fields["source"].choices = sources


class SchemeSettingsForm(forms.Form):
    """Settings plus a fixed number of grade-line rows (name and score line); blank rows are ignored."""

    name = forms.CharField(label="方案名称", max_length=100, required=False)
    year = forms.IntegerField(label="年度", required=False, error_messages=WHOLE_NUMBER)
    total_points = forms.IntegerField(label="总分", required=False, error_messages=WHOLE_NUMBER)
    min_headcount = forms.IntegerField(label="参评单位最少职工人数", required=False, error_messages=WHOLE_NUMBER,
                                       help_text="如“百人以上”填 100；不限填 0")
    ownerships = forms.MultipleChoiceField(label="参评经济类型（不选则不限）", choices=Ownership.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    is_open = forms.BooleanField(label="接受申报", required=False)

    def __init__(self, *args, grade_rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(grade_rows):
            name, line = f"第{i + 1}档等级名称", f"第{i + 1}档分数线"
            self.fields[f"grade_name_{i}"] = forms.CharField(label=name, max_length=10, required=False,
                                                             widget=forms.TextInput(attrs={"aria-label": name, "size": 8}))
            self.fields[f"grade_line_{i}"] = forms.IntegerField(label=line, required=False, error_messages=WHOLE_NUMBER,
                                                                widget=forms.NumberInput(attrs={"aria-label": line, "class": "grade-line"}))
        self.grade_count = grade_rows

    def lock_scoring(self) -> None:
        """Shown, not editable: the total and grade lines of a published or already-scored scheme."""
        for name in ["total_points", *(f"grade_{part}_{i}" for i in range(self.grade_count) for part in ("name", "line"))]:
            self.fields[name].widget.attrs["readonly"] = True

    @classmethod
    def initial_from(cls, settings) -> dict:
        initial = {key: value for key, value in vars(settings).items() if key != "grades"}
        for i, (name, line) in enumerate(settings.grades):
            initial[f"grade_name_{i}"], initial[f"grade_line_{i}"] = name, line
        return initial

    def basic_fields(self):
        return [self[name] for name in ("name", "year", "total_points", "min_headcount", "ownerships", "is_open")]

    def grade_rows(self):
        return [(self[f"grade_name_{i}"], self[f"grade_line_{i}"]) for i in range(self.grade_count)]

    def grades(self) -> list[tuple[str, int | None]]:
        data = self.cleaned_data
        return [(data[f"grade_name_{i}"], data[f"grade_line_{i}"]) for i in range(self.grade_count)]


class PointsItemForm(forms.Form):
    """One dimension or indicator row of the scheme editor: a name and its points."""

    name = forms.CharField(label="名称", max_length=200, required=False)
    points = forms.IntegerField(label="分值", required=False, error_messages={"invalid": "分值请填写整数"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern); the service judges each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class EvidenceUploadForm(forms.Form):
    files = MultipleFileField(label="佐证材料（可多选）", required=False,
                              help_text="PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx），每个不超过 10 MB；按文件内容识别格式")
    indicator = forms.ChoiceField(label="对应指标", required=False)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "整体材料（不对应具体指标）")] + [
            (indicator.pk, f"{indicator.dimension.name}：{indicator.name}") for indicator in indicators
        ]


class ImprovementReportForm(forms.Form):
    """整改完成情况 from the union; the service judges the note's length and the file's bytes."""

    note = forms.CharField(label="整改情况（至少10个字）", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label="整改佐证（可选）", required=False,
                           help_text="PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx），不超过 10 MB；再次上传会替换之前的文件")


class ImprovementReviewForm(forms.Form):
    note = forms.CharField(label="意见（退回时必填，企业工会会看到）", max_length=300, required=False)


class CultivationPlanForm(forms.Form):
    """A cultivation plan's name and year-end targets; on a new plan also the running org and year. The service judges
    the numbers (0 or more), so the form only parses them."""

    org = forms.ChoiceField(label="实施组织")
    year = forms.IntegerField(label="年度", required=False, error_messages={"invalid": "年度请填写整数"})
    name = forms.CharField(label="计划名称", max_length=200, required=False)
    target_basic = forms.IntegerField(label="年底目标：初级（家）", required=False, error_messages={"invalid": "目标请填写整数"})
    target_intermediate = forms.IntegerField(label="年底目标：中级（家）", required=False, error_messages={"invalid": "目标请填写整数"})
    target_advanced = forms.IntegerField(label="年底目标：高级（家）", required=False, error_messages={"invalid": "目标请填写整数"})
    # service field name → form field, so a refused target is shown beside its own input
    FIELD_MAP = {"target_primary": "target_basic", "target_intermediate": "target_intermediate", "target_advanced": "target_advanced"}

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is None:  # editing: the org and year stay as they are
            del self.fields["org"], self.fields["year"]
        else:
            self.fields["org"].choices = [(org.pk, org.name) for org in orgs]

    def targets(self) -> dict[str, int | None]:
        data = self.cleaned_data
        return {"basic": data["target_basic"], "intermediate": data["target_intermediate"], "advanced": data["target_advanced"]}


class CandidateAcceptForm(forms.Form):
    level = forms.ChoiceField(label="验收等级", choices=[("", "请选择")] + CultivationLevel.choices, required=False)
    note = forms.CharField(label="验收意见", max_length=400, required=False)
