import datetime as dt

from django import forms
from django.utils import translation

from gonghui.core.widgets import DatePicker


class VisitDate(forms.Form):
    visited_on = forms.DateField(widget=DatePicker())


def test_a_date_picker_keeps_its_value_under_the_chinese_locale():
    with translation.override("zh-hans"):
        html = str(VisitDate(initial={"visited_on": dt.date(2026, 11, 27)})["visited_on"])
        kept = str(VisitDate({"visited_on": "2026-11-26"})["visited_on"])
    assert 'type="date"' in html and 'value="2026-11-27"' in html
    assert 'value="2026-11-26"' in kept
