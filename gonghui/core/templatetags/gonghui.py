from django import template

from gonghui.core import masking

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.3521 → '35.2%'; None (nothing to divide) → '—'."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(digits)}f}%"


register.filter("mask_phone", masking.mask_phone)
register.filter("mask_id_number", masking.mask_id_number)
register.filter("mask_name", masking.mask_name)


@register.filter
def duration_zh(value) -> str:
    """timedelta → '2天3小时15分钟' (sign dropped: the caller says 剩余 or 已超时)."""
    seconds = abs(int(value.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{minutes}分钟" if minutes or not (days or hours) else ""]
    return "".join(parts)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def absolute(value):
    return abs(value)
