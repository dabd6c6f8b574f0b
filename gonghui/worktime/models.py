from django.core.exceptions import ValidationError
from django.db import models

from gonghui.core.models import TimeStampedModel


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "上班（调休）"


class HolidayOverride(TimeStampedModel):
    """节假日与调休: an administrator's entry that overrides the packaged data for one date."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("名称", max_length=50, help_text="如：春节、国庆节调休上班")
    note = models.CharField("依据", max_length=200, blank=True, help_text="如：国办发明电〔2026〕X号")

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class HolidayYear(TimeStampedModel):
    """A year whose holiday arrangement an administrator has entered and confirmed from the State Council notice."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    confirmed = models.BooleanField("已按国务院通知确认", default=False)
    note = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "节假日年度确认"
        verbose_name_plural = "节假日年度确认"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}（{'已确认' if self.confirmed else '未确认'}）"


def validate_periods(value) -> None:
    """[["09:00", "12:00"], ["13:30", "18:00"]]: increasing, non-overlapping HH:MM pairs within one day."""
    previous_end = "00:00"
    if not isinstance(value, list) or not value:
        raise ValidationError("请至少填写一个办公时段，如 [[\"09:00\", \"12:00\"]]")
    for period in value:
        if not (isinstance(period, list) and len(period) == 2 and all(isinstance(p, str) and len(p) == 5 and p[2] == ":" for p in period)):
            raise ValidationError("办公时段格式应为 [\"09:00\", \"12:00\"]")
        start, end = period
        if not previous_end <= start < end:
            raise ValidationError(f"办公时段 {start}-{end} 与前一时段重叠或顺序不对")
        previous_end = end


class WorkSchedule(TimeStampedModel):
    """办公时间: the business hours of a working day, used by working-hour limits."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=50)
    periods = models.JSONField("办公时段", validators=[validate_periods], default=list)
    is_default = models.BooleanField("默认", default=False)

    class Meta:
        verbose_name = "办公时间"
        verbose_name_plural = "办公时间"
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_schedule")]

    def __str__(self) -> str:
        return f"{self.name} " + "、".join(f"{a}-{b}" for a, b in self.periods)
