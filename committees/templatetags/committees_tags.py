"""`{% load committees_tags %}`: what committees add to pages of lower apps (the startup page)."""

from django import template

from committees.selectors import next_committee as next_committee_of

register = template.Library()


@register.inclusion_tag("committees/_next_committee.html")
def next_committee(startup):
    """« Prochain comité : le … » of a startup: the committee it is on the agenda of, or the
    date its last decision, an extension, set (one query)."""
    return {"next": next_committee_of(startup.pk)}
