"""`{% load startups_tags %}`: a startup's phase badge, its card (startups.cards) and the
dates of its page, written in Python."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from publishing.formats import long_date
from publishing.templatetags.publishing_tags import days
from startups import cards
from startups.models import UNKNOWN_DATE
from startups.phases import ACTIVE_KINDS

register = template.Library()


@register.simple_tag
def phase_badge(kind: str | None) -> SafeString:
    return cards.phase_badge(kind)


@register.simple_tag
def startup_card(startup, show_incubator: bool = True) -> SafeString:
    """The card of a startup in a list (startups.cards). `startup` is annotated by
    `with_current_phase`; lists of many startups use `cards.startup_cards`."""
    return cards.card(
        startup.pk,
        startup.title,
        startup.mission,
        startup.current_kind,
        startup.incubator.title if show_incubator else None,
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


@register.simple_tag
def phase_rows(phases, current) -> SafeString:
    """The rows of a startup's phases table: kind (en cours, à venir), start, end, length so
    far or in all (known dates only), expected length."""
    rows = []
    last = len(phases) - 1
    for index, phase in enumerate(phases):
        is_current, upcoming, is_last = phase == current, phase.is_upcoming, index == last
        if phase.end:
            end = long_date(phase.end)
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
                long_date(phase.start) if phase.start else UNKNOWN_DATE,
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
                long_date(event.date),
                event.get_kind_display(),
                format_html(" (promotion {})", event.promotion) if event.promotion else "",
                format_html(", {} €", floatformat(event.amount, "0g")) if event.amount else "",
                format_html(" : {}", event.comment) if event.comment else "",
            )
            for event in events
        ),
    )
