"""Form widgets shared by the apps."""
from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value must be ISO (2026-11-26) whatever the locale's date format: zh-hans renders
    2026/11/26, which a date input throws away, so a default or a kept value would show as empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
