"""/budget/ in a real Chromium: accessible (axe), chart and table, a screenshot to look at."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from budgets.demo import seed_budgets
from tests.factories import startup_with_phases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


@pytest.fixture
def demo_budget():
    for n in range(3):
        startup_with_phases(("construction", date(2024, 1, 1)), title=f"Startup financée {n}")
    return seed_budgets(write=lambda message: None)


def test_the_budget_page_is_accessible(live_server, page, assert_accessible, demo_budget):
    page.goto(live_server.url + "/budget/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "budget.png", full_page=True)
    assert page.locator("h1").inner_text() == "Budget du programme"
    assert page.get_by_role("img", name="AE engagées et CP payés par année").count() == 1
    assert page.get_by_role("table", name="Totaux par année").count() == 1
    assert demo_budget.ceiling == Decimal("3000000.00")
    assert_accessible(page)


def test_the_startup_budget_block_is_accessible(live_server, page, assert_accessible, demo_budget):
    startup = demo_budget.tranches.get().allocations.exclude(startup=None).first().startup
    page.set_content(
        "<!doctype html><html lang='fr'><head><title>Bloc budget</title></head><body><main><h1>Bloc budget</h1>"
        + _render_block(startup)
        + "</main></body></html>"
    )
    assert page.get_by_role("table", name="Par année").count() == 1
    assert_accessible(page)


def _render_block(startup) -> str:
    from django.template import Context, Template

    return Template("{% load budgets_tags %}{% startup_budget startup %}").render(
        Context({"startup": startup})
    )
