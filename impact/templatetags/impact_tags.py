"""`{% load impact_tags %}`: what impact adds to pages of lower apps (the startup page)."""

from django import template

from impact.transparency import checklist_for

register = template.Library()


@register.inclusion_tag("impact/_transparency_checklist.html")
def transparency_checklist(startup):
    """The five transparency points of a startup, computed from the data (fixed queries)."""
    return {"checklist": checklist_for(startup)}
