"""`{% load committees_tags %}`: what committees add to pages of lower apps (the startup page)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from committees.selectors import NextCommittee
from committees.selectors import next_committee as next_committee_of
from publishing.formats import long_date

register = template.Library()

# The notice, written in Python as the startup page's other blocks are (startups.cards): as
# an inclusion tag, Django's template engine cost more than the query, and most startups have
# no committee ahead, for which it rendered a blank line.
NOTICE = (
    "\n"
    '  <div class="fr-notice fr-notice--info fr-mb-2w">\n'
    '    <div class="fr-container"><div class="fr-notice__body">\n'
    '      <p class="fr-notice__title">Prochain comité : {}{}.</p>\n'
    "    </div></div>\n"
    "  </div>\n"
    "\n"
)


@register.simple_tag
def next_committee(startup) -> SafeString:
    """« Prochain comité : le … » of a startup: the committee it is on the agenda of, or the
    date its last decision, an extension, set (one query)."""
    return next_committee_notice(next_committee_of(startup.pk))


def next_committee_notice(upcoming: NextCommittee | None) -> SafeString:
    if upcoming is None:
        return mark_safe("\n")  # noqa: S308 - a line feed
    day = f"le {long_date(upcoming.date)}"
    when = (
        format_html('<a href="{}">{}</a>', upcoming.committee.get_absolute_url(), day)
        if upcoming.committee
        else day
    )
    extension = upcoming.extension
    if extension is None:
        decided = ""
    else:
        planned = upcoming.committee and upcoming.committee.date != extension.new_committee_date
        decided = format_html(
            " (reconduction temporaire décidée au comité du {}{})",
            long_date(extension.dossier.committee.date),
            f", qui le prévoyait le {long_date(extension.new_committee_date)}" if planned else "",
        )
    return format_html(NOTICE, when, decided)
