"""`{% load budgets_tags %}`: the budget block of a startup page, and the `euros` filter."""

from django import template

from budgets import public
from publishing.formats import euros as format_euros

register = template.Library()


@register.filter
def euros(amount):
    """Decimal("12345.6") -> "12 345,60 €", with no-break spaces (never split on a line end)."""
    return format_euros(amount)


# `budget` not given: the block reads it.
UNREAD = object()


@register.simple_tag
def budget_of(startup):
    """`{% budget_of startup as budget %}`: the data of the budget block (None without any
    allocation), read once where the page also shows whether the startup has a budget."""
    return public.startup_budget(startup.pk)


@register.inclusion_tag("budgets/_startup_budget.html")
def startup_budget(startup, budget=UNREAD):
    """Allocated, committed, paid and reste à payer of a startup by year and by category, with
    its conventions' references (a fixed number of queries; no staff-only field). `budget`:
    what `budget_of` read, when the page has it already."""
    if budget is UNREAD:
        budget = public.startup_budget(startup.pk)
    return {"startup": startup, "budget": budget}
