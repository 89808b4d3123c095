"""`{% load impact_tags %}`: what impact adds to pages of lower apps (the startup page)."""

from django import template

from impact.transparency import checklist_for

register = template.Library()


# `budget` not given: the checklist asks the money source.
UNREAD = object()


@register.inclusion_tag("impact/_transparency_checklist.html")
def transparency_checklist(startup, budget=UNREAD):
    """The five transparency points of a startup, computed from the data (fixed queries).
    `budget`: the budget block the page already read (`budget_of`, None without any
    allocation); then whether the startup has a budget costs no query."""
    has_budget = None if budget is UNREAD else budget is not None
    return {"checklist": checklist_for(startup, has_budget=has_budget)}
