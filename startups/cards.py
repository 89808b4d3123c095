"""A startup's phase badge and its card in a list, written in Python and kept once built.

A list page shows up to 48 cards: as included templates they were ~4,000 template nodes, the
most of what a page built fresh cost after the filters. Here each card is one format_html
(escaping every value as the template did), the same HTML byte for byte, and each is kept per
version of the registry and per day (`startup_cards`): the next list, filter or search that
shows the startup reuses it, and reads only the startups' identifiers and phases.
"""

from datetime import date

from django.db.models.expressions import RawSQL
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from publishing.caching import kept_many, today
from publishing.compiled import Array, compiled_query
from publishing.pages import address
from startups.models import Startup

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


def startup_url(startup_id: str) -> str:
    return address("startups:detail", startup_id)


def card(
    startup_id: str, title: str, mission: str, kind: str | None, incubator: str | None
) -> SafeString:
    """The card: name (the link), mission, current phase and, unless None, the incubator."""
    return format_html(
        CARD,
        startup_url(startup_id),
        title,
        Truncator(mission).chars(160),
        phase_badge(kind),
        format_html(INCUBATOR, incubator) if incubator is not None else "",
    )


def startup_cards(ids: list[str]) -> dict[str, SafeString]:
    """{id: card with its incubator} of these startups, kept (see the module's docstring)."""
    return kept_many(
        {startup_id: f"startups:card:{startup_id}" for startup_id in ids},
        _build_cards,
        depends_on=("startups",),
    )


@compiled_query(ids=Array(["\x00carte demandée"]), on=date(1, 1, 1))
def _cards_query(ids: list[str], on: date):
    """The cards' rows, compiled once per process, the identifiers one array parameter: for
    each page showing startups whose cards were not kept yet, Django took longer to build and
    compile the phase's subqueries (~1 ms) than PostgreSQL took to run them."""
    return (
        Startup.objects.with_current_phase(on)
        .filter(pk__in=RawSQL("SELECT unnest(%s::text[])", (ids,)))  # noqa: S611 - bound
        .values("pk", "title", "mission", "current_phase_kind", "incubator__title")
    )


def _build_cards(ids: list[str]) -> dict[str, SafeString]:
    rows = _cards_query.rows(ids=list(ids), on=today())
    return {
        row["pk"]: card(
            row["pk"],
            row["title"],
            row["mission"],
            row["current_phase_kind"],
            row["incubator__title"],
        )
        for row in rows
    }
