"""`{% load impact_tags %}`: what impact adds to pages of lower apps (the startup page)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from impact.transparency import Checklist, checklist_for

register = template.Library()


# `budget` not given: the checklist asks the money source.
UNREAD = object()

# The checklist, written in Python as the startup page's other blocks are (startups.cards):
# as a template included by the startup page built fresh, Django's engine cost more than the
# query behind it.
POINT = (
    '\n    <li class="fr-mb-2w">\n'
    "      {}\n"
    "      <strong>{}</strong><br>\n"
    '      <span class="fr-text--sm">{}</span>\n'
    "    </li>\n  "
)
MET = mark_safe('<span class="fr-badge fr-badge--sm fr-badge--success">oui</span>')
NOT_MET = mark_safe('<span class="fr-badge fr-badge--sm fr-badge--warning">non</span>')
CHECKLIST = (
    '\n<ul class="portfolio-plain-list">\n  {}\n</ul>\n'
    '<p class="fr-text--sm fr-mb-0">{} point{} sur {}, calculé{} à partir des données du '
    "portefeuille.</p>\n"
)


@register.simple_tag
def checklist_html(checklist: Checklist) -> SafeString:
    """The transparency points of a checklist (impact.transparency.Checklist), each met or
    not, and how many are met."""
    points = format_html_join(
        "",
        POINT,
        (
            (
                MET if point.ok else NOT_MET,
                point.label,
                format_html('<a href="{}" rel="noopener">{}</a>', point.url, point.detail)
                if point.url
                else point.detail,
            )
            for point in checklist.points
        ),
    )
    plural = "" if checklist.met == 1 else "s"
    return format_html(CHECKLIST, points, checklist.met, plural, checklist.total, plural)


@register.simple_tag
def transparency_checklist(startup, budget=UNREAD) -> SafeString:
    """The five transparency points of a startup, computed from the data (fixed queries).
    `budget`: the budget block the page already read (`budget_of`, None without any
    allocation); then whether the startup has a budget costs no query."""
    has_budget = None if budget is UNREAD else budget is not None
    return checklist_html(checklist_for(startup, has_budget=has_budget))
