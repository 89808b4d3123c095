"""`{% load budgets_tags %}`: the budget block of a startup page, and the `euros` filter."""

from django import template

from budgets import public
from publishing.formats import euros as format_euros

register = template.Library()


@register.filter
def euros(amount):
    """Decimal("12345.6") -> "12 345,60 €", with no-break spaces (never split on a line end)."""
    return format_euros(amount)


@register.inclusion_tag("budgets/_startup_budget.html")
def startup_budget(startup):
    """Allocated, committed, paid and reste à payer of a startup by year and by category, with
    its conventions' references (a fixed number of queries; no staff-only field)."""
    return {"startup": startup, "budget": public.startup_budget(startup.pk)}
