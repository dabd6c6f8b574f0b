"""The employer picker's label: after a refused post only the chosen employer's id comes back, so the page looks up
the name it shows next to 已选 (templates/_employer_field.html)."""
from django import template

from gonghui.orgs.selectors import employer_public_name

register = template.Library()


@register.simple_tag
def chosen_employer_name(employer_id) -> str:
    """The public name of the employer an id names; "" when nothing (or nothing valid) was chosen."""
    return employer_public_name(employer_id=int(employer_id)) if str(employer_id or "").isdecimal() else ""
