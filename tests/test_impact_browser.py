"""The impact pages in a real Chromium: accessible (axe), readable at phone width, no JavaScript needed."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from impact.models import Direction, ImpactCategory
from tests.clock import TODAY
from tests.factories import startup_with_phases
from tests.factories_impact import IndicatorFactory, NorthStarFactory, add_month, monthly_values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


@pytest.fixture
def startup():
    startup = startup_with_phases(
        ("investigation", TODAY - timedelta(days=900)),
        ("construction", TODAY - timedelta(days=800)),
        ("acceleration", TODAY - timedelta(days=200)),
        id="données-et-territoires",
        title="Données et Territoires",
        mission="Éclairer les décisions locales",
        repository="https://github.com/betagouv/donnees",
        accessibility_status="partiellement conforme",
    )
    star = NorthStarFactory(
        startup=startup,
        description="Dossiers complets déposés en ligne par les collectivités.",
        target=Decimal(4000),
        target_date=date(TODAY.year + 1, 6, 30),
    )
    monthly_values(
        star, add_month(TODAY, -24), [round(800 * 1.06**m + (m % 3) * 40) for m in range(24)]
    )
    delay = IndicatorFactory(
        startup=startup,
        name="Délai moyen de traitement",
        unit="jours",
        category=ImpactCategory.EFFICIENT,
        direction=Direction.LOWER_IS_BETTER,
        is_count=False,
        target=Decimal(15),
    )
    monthly_values(delay, add_month(TODAY, -24), [45 - m for m in range(20)])
    for n in range(4):
        startup_with_phases(("construction", date(2023 + n % 2, 1 + n, 1)), title=f"Autre {n}")
    return startup


@pytest.mark.parametrize(
    ("path", "name", "heading"),
    [
        ("/startups/données-et-territoires/impact/", "impact-startup", "Impact de Données et Territoires"),
        ("/impact/", "impact", "L'impact des startups d'État"),
    ],
)  # fmt: skip
def test_impact_pages_are_accessible_at_desktop_and_phone_width(
    live_server, page, assert_accessible, startup, path, name, heading
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + path)
    assert page.locator("h1").inner_text() == heading
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert_accessible(page)
    # Open the tables too: axe checks what is shown.
    for summary in page.locator("details > summary").all():
        summary.click()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=SCREENSHOTS / f"{name}-375.png", full_page=True)
    page.locator("svg[role=img]").first.screenshot(path=SCREENSHOTS / f"{name}-375-chart.png")
    # Nothing wider than the phone: no horizontal scroll of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_charts_and_tables_need_no_javascript(live_server, browser, startup):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/startups/données-et-territoires/impact/")
    chart = page.locator("svg[role=img]").first
    assert chart.is_visible()
    page.get_by_text("Les valeurs en tableau").first.click()
    assert page.locator("table").first.is_visible()
    context.close()
