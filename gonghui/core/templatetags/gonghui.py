from django import template

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.3521 → '35.2%'; None (nothing to divide) → '—'."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(digits)}f}%"
