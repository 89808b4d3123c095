"""The transparency checklist, computed from the data, for one startup and in bulk."""

from decimal import Decimal

import pytest

from impact.transparency import checklist_for, checklists, summary
from startups.models import Startup
from tests.clock import TODAY
from tests.factories import StartupFactory
from tests.factories_budgets import AllocationFactory
from tests.factories_impact import MeasurementFactory, NorthStarFactory, add_month

pytestmark = pytest.mark.django_db


def oks(checklist) -> dict:
    return {point.key: point.ok for point in checklist.points}


def test_a_startup_with_nothing_meets_no_point():
    checklist = checklist_for(StartupFactory())
    assert oks(checklist) == dict.fromkeys(
        ["source_code", "north_star", "budget", "accessibility", "risk_analysis"], False
    )
    assert checklist.point("north_star").detail == "aucune étoile polaire définie"
    assert checklist.point("budget").detail == "aucun chiffre budgétaire pour l'instant"


def test_a_startup_with_everything_meets_every_point():
    startup = StartupFactory(
        repository="https://github.com/betagouv/x",
        accessibility_status="non conforme",  # declared, even if not compliant
        risk_analysis_done=True,
    )
    star = NorthStarFactory(startup=startup)
    MeasurementFactory(indicator=star, period_start=add_month(TODAY, -1), value=Decimal(3))
    AllocationFactory(startup=startup)
    checklist = checklist_for(startup)
    assert checklist.met == checklist.total == 5
    assert checklist.point("source_code").url == "https://github.com/betagouv/x"
    assert checklist.point("accessibility").detail == "Non conforme"


def test_a_stale_or_private_north_star_is_not_enough():
    stale = NorthStarFactory()
    MeasurementFactory(indicator=stale, period_start=add_month(TODAY, -4))
    assert "pas à jour" in checklist_for(stale.startup).point("north_star").detail
    hidden = NorthStarFactory(is_public=False)
    MeasurementFactory(indicator=hidden, period_start=add_month(TODAY, -1))
    assert "n'est pas publiée" in checklist_for(hidden.startup).point("north_star").detail
    empty = NorthStarFactory()
    assert "aucune valeur" in checklist_for(empty.startup).point("north_star").detail


@pytest.mark.parametrize("size", [3, 30])
def test_in_bulk_it_costs_a_fixed_number_of_queries(size, django_assert_num_queries):
    for n in range(size):
        star = NorthStarFactory(startup=StartupFactory(repository="https://x" if n % 2 else ""))
        MeasurementFactory(indicator=star, period_start=add_month(TODAY, -1))
    with django_assert_num_queries(3):  # startups, North Stars, budget figures
        lists = checklists(Startup.objects.all())
    assert len(lists) == size
    points = {p["key"]: p for p in summary(lists.values())}
    assert points["north_star"]["count"] == size
    assert points["source_code"]["count"] == size // 2
    assert points["budget"]["count"] == 0


def test_the_bulk_and_single_checklists_agree():
    startup = StartupFactory(risk_analysis_done=False, repository="https://x")
    star = NorthStarFactory(startup=startup)
    MeasurementFactory(indicator=star, period_start=add_month(TODAY, -2))
    assert checklists([startup.pk])[startup.pk] == checklist_for(startup)


def test_the_checklist_is_the_html_the_template_wrote():
    from impact.templatetags.impact_tags import checklist_html
    from impact.transparency import Checklist, Point

    checklist = Checklist(
        startup_id="essai",
        title="Essai",
        has_north_star=False,
        points=[
            Point("site", "Site <public>", True, "en ligne", "https://exemple.fr/?a=1&b=2"),
            Point("budget", "Budget", False, "pas d'allocation"),
        ],
    )
    assert checklist_html(checklist) == (
        '\n<ul class="portfolio-plain-list">\n  '
        '\n    <li class="fr-mb-2w">\n'
        '      <span class="fr-badge fr-badge--sm fr-badge--success">oui</span>\n'
        "      <strong>Site &lt;public&gt;</strong><br>\n"
        '      <span class="fr-text--sm"><a href="https://exemple.fr/?a=1&amp;b=2" '
        'rel="noopener">en ligne</a></span>\n'
        "    </li>\n  "
        '\n    <li class="fr-mb-2w">\n'
        '      <span class="fr-badge fr-badge--sm fr-badge--warning">non</span>\n'
        "      <strong>Budget</strong><br>\n"
        '      <span class="fr-text--sm">pas d&#x27;allocation</span>\n'
        "    </li>\n  "
        "\n</ul>\n"
        '<p class="fr-text--sm fr-mb-0">1 point sur 2, calculé à partir des données du '
        "portefeuille.</p>\n"
    )
