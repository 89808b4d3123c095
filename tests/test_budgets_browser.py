"""/budget/ in a real Chromium: accessible (axe), chart and table, a screenshot to look at."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from budgets import demo as money
from budgets.services import create_allocation, create_tranche
from tests.factories import startup_with_phases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


@pytest.fixture
def demo_budget():
    """A convention of 3 M€, one tranche split between three startups, orders and invoices,
    written with the demo's helpers (through the services)."""
    convention = money.create_delegation(
        reference="DG-TEST-2025",
        title="Délégation de gestion",
        delegant=money.organisation("ministere-test", "Ministère (test)", "MT", "ministere"),
        signed_on=date(2025, 6, 20),
        start=date(2025, 7, 1),
        end=date(2026, 12, 31),
        ceiling="3000000.00",
        chorus={"programme": "217", "bop": "0217-CDBC"},
    )
    tranche = create_tranche(
        convention=convention,
        available_on=date(2025, 7, 1),
        ae_amount="1500000",
        cp_amount="1500000",
    )
    for n, amount in enumerate(["700000", "200000", "200000"]):
        startup = startup_with_phases(
            ("construction", date(2024, 1, 1)), title=f"Startup financée {n}"
        )
        allocation = create_allocation(
            tranche=tranche, startup=startup, amount=amount, purpose="Équipe"
        )
        for order in money.place_orders(allocation, date(2025, 7, 15), "Décision du comité"):
            for done, paid_on, part in money.monthly_payments(order, 12):
                if paid_on <= date(2026, 11, 1):
                    money.pay(order, done, paid_on, part)
    return convention


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
