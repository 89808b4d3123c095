"""`{% load startups_tags %}`: a startup's phase badge and its card, written in Python.

A list page shows up to 48 cards: as included templates they were ~4,000 template nodes, the
most of what a page built fresh cost after the filters. Here each card is one format_html
(escaping every value as the template did), the same HTML byte for byte.
"""

from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from publishing.templatetags.publishing_tags import days
from startups.models import UNKNOWN_DATE
from startups.phases import ACTIVE_KINDS

register = template.Library()

# (DSFR colour, label) of the badge of each current phase; no phase: "Pas encore commencée".
PHASE_BADGES = {
    "investigation": ("fr-badge--purple-glycine", "Investigation"),
    "construction": ("fr-badge--blue-ecume", "Construction"),
    "acceleration": ("fr-badge--green-emeraude", "Accélération"),
    "consolidation": ("fr-badge--green-archipel", "Consolidation"),
    "transfere": ("fr-badge--success", "Transférée"),
    "opere": ("fr-badge--success", "Opérée"),
    "abandon-investigation": ("", "Investigation non concluante"),
    "abandon": ("", "Abandonnée"),
}
NOT_STARTED_BADGE = ("", "Pas encore commencée")


@register.simple_tag
def phase_badge(kind: str | None) -> SafeString:
    colour, label = PHASE_BADGES.get(kind, NOT_STARTED_BADGE)
    classes = f"fr-badge fr-badge--sm {colour}" if colour else "fr-badge fr-badge--sm"
    return format_html('<p class="{}">{}</p>\n', classes, label)


CARD = (
    '<div class="fr-card fr-card--sm fr-enlarge-link">\n'
    '  <div class="fr-card__body">\n'
    '    <div class="fr-card__content">\n'
    '      <h3 class="fr-card__title"><a href="{}">{}</a></h3>\n'
    '      <p class="fr-card__desc">{}</p>\n'
    '      <div class="fr-card__start">{}</div>\n'
    "      {}\n"
    "    </div>\n"
    "  </div>\n"
    "</div>\n"
)
INCUBATOR = (
    '<div class="fr-card__end"><p class="fr-card__detail fr-icon-building-line">{}</p></div>'
)


@lru_cache(maxsize=100_000)
def startup_url(startup_id: str) -> str:
    """`Startup.get_absolute_url`, remembered: an address never changes while the process runs,
    and `reverse` was most of what a card cost (~30 µs each)."""
    return reverse("startups:detail", args=[startup_id])


@register.simple_tag
def startup_card(startup, show_incubator: bool = True) -> SafeString:
    """The card of a startup in a list: its name (the link), mission, current phase and, if
    asked, its incubator. `startup` is annotated by `with_current_phase`."""
    return format_html(
        CARD,
        startup_url(startup.pk),
        startup.title,
        Truncator(startup.mission).chars(160),
        phase_badge(startup.current_kind),
        format_html(INCUBATOR, startup.incubator.title) if show_incubator else "",
    )


# --- The dates of a startup page: its phases table and its events, one format_html per row ----
# As template loops they were ~20 nodes a row; the same HTML byte for byte.
PHASE_ROW = (
    "\n                  <tr>\n"
    '                    <th scope="row">{}{}</th>\n'
    "                    <td>{}</td>\n"
    "                    <td>{}</td>\n"
    "                    <td>{}</td>\n"
    "                    <td>{}</td>\n"
    "                  </tr>\n"
    "                "
)
BADGE = ' <span class="fr-badge fr-badge--sm {} fr-badge--no-icon">{}</span>'
NONE = "—"


def _day(day) -> str:
    return date_format(day, "j F Y")


@register.simple_tag
def phase_rows(phases, current) -> SafeString:
    """The rows of a startup's phases table: kind (en cours, à venir), start, end, length so
    far or in all (known dates only), expected length."""
    rows = []
    last = len(phases) - 1
    for index, phase in enumerate(phases):
        is_current, upcoming, is_last = phase == current, phase.is_upcoming, index == last
        if phase.end:
            end = _day(phase.end)
        elif is_current:
            end = "en cours"
        elif upcoming or is_last:
            end = NONE
        else:
            end = UNKNOWN_DATE
        if upcoming or not phase.start or (not phase.end and not is_last):
            duration = NONE
        elif phase.kind in ACTIVE_KINDS or phase.end:
            duration = days(phase.duration())
        else:
            duration = NONE
        rows.append(
            (
                phase.get_kind_display(),
                format_html(BADGE, "fr-badge--info", "en cours")
                if is_current
                else format_html(BADGE, "fr-badge--new", "à venir")
                if upcoming
                else "",
                _day(phase.start) if phase.start else UNKNOWN_DATE,
                end,
                duration,
                phase.expected_duration_label or NONE,
            )
        )
    return format_html_join("", PHASE_ROW, rows)


EVENT = "\n            <li><strong>{}</strong> — {}{}{}{}</li>\n          "


@register.simple_tag
def event_items(events) -> SafeString:
    """The items of a startup's events: date, kind, FAST promotion and amount, comment."""
    return format_html_join(
        "",
        EVENT,
        (
            (
                _day(event.date),
                event.get_kind_display(),
                format_html(" (promotion {})", event.promotion) if event.promotion else "",
                format_html(", {} €", floatformat(event.amount, "0g")) if event.amount else "",
                format_html(" : {}", event.comment) if event.comment else "",
            )
            for event in events
        ),
    )
