"""`{% load budgets_tags %}`: the budget block of a startup page, and the `euros` filter."""

from django import template
from django.template.defaultfilters import slugify
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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


# The block, written in Python as the startup page's other blocks are (startups.cards): as an
# included template, Django's engine cost more than its queries on every startup page built
# fresh, most of them without money. Its tables are the programme's (budgets/_figures_table.html,
# shared with /budget/), rendered only when there is a budget.
SECTION = (
    '\n<section class="fr-mt-4w" aria-labelledby="budget-{}">\n'
    '  <h2 id="budget-{}">Budget</h2>\n'
    "  {}\n"
    "</section>\n"
)
NO_BUDGET = mark_safe("\n    <p>Pas encore de données budgétaires.</p>\n  ")
FUNDED = (
    "\n"
    '    <p class="fr-text--sm">\n'
    "      Financé au titre de {}.\n"
    "      <strong>Engagé</strong> : autorisations d'engagement consommées par les bons de "
    "commande ;\n"
    "      <strong>payé</strong> : crédits de paiement versés après service fait ;\n"
    "      <strong>reste à payer</strong> : engagé moins payé. Montants en euros.\n"
    "    </p>\n"
    "    {}\n"
    "    {}\n"
    "  "
)


@register.simple_tag
def startup_budget(startup, budget=UNREAD) -> SafeString:
    """Allocated, committed, paid and reste à payer of a startup by year and by category, with
    its conventions' references (a fixed number of queries; no staff-only field). `budget`:
    what `budget_of` read, when the page has it already."""
    if budget is UNREAD:
        budget = public.startup_budget(startup.pk)
    anchor = slugify(startup.pk)
    if not budget:
        return format_html(SECTION, anchor, anchor, NO_BUDGET)
    conventions = format_html_join(
        ", ",
        "la convention <strong>{}</strong> ({})",
        ((convention["reference"], convention["title"]) for convention in budget["conventions"]),
    )
    by_year = _figures_table(
        caption="Par année",
        first_column="Année",
        to_pay_label="Reste à payer au 31/12",
        lines=budget["years"],
        total=budget["total"],
        with_allocated=True,
    )
    by_activity = ""
    if budget["activities"]:
        table = _figures_table(
            caption="Par catégorie de dépense",
            first_column="Catégorie",
            lines=budget["activities"],
            with_allocated=False,
        )
        by_activity = format_html("\n      {}\n    ", table)
    return format_html(
        SECTION, anchor, anchor, format_html(FUNDED, conventions, by_year, by_activity)
    )


def _figures_table(**context) -> SafeString:
    return mark_safe(render_to_string("budgets/_figures_table.html", context))  # noqa: S308
