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
