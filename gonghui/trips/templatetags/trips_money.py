from django import template

from gonghui.trips.models import yuan as yuan_text

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Fen shown as 元: {{ p.price_fen|yuan }} → 1,280.00"""
    return yuan_text(fen)
