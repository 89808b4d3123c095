"""Derived figures (one place: budgets.models), rounding to the cent, and the selectors."""

from datetime import date
from decimal import Decimal

import pytest

from budgets import selectors
from budgets.models import Allocation, Convention, Figures, Tranche, figures_by, months_before
from budgets.money import to_amount
from publishing.formats import euros
from tests.factories_budgets import (
    AllocationFactory,
    CommitmentFactory,
    PaymentFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
ON = date(2025, 6, 30)


@pytest.fixture
def startup_money():
    """An allocation of 1 000 €, 999,99 € committed in thirds, 300 € paid over three months."""
    allocation = AllocationFactory(amount=D("1000.00"), startup__id="1000.jours")
    commitments = [
        CommitmentFactory(allocation=allocation, amount=D("333.33"), activity=activity)
        for activity in ("developpement", "design", "coaching")
    ]
    for month in (4, 5, 6):
        PaymentFactory(
            commitment=commitments[0],
            service_done_on=date(2025, month, 1),
            paid_on=date(2025, month, 15),
            amount=D("100.00"),
        )
    return allocation


def test_money_is_exact_to_the_cent():
    assert sum([to_amount("0.10")] * 3) == D("0.30")
    assert to_amount("1 234,56 €") == D("1234.56")
    assert euros(D("12345.67"), plain=True) == "12 345,67 €"
    assert euros(D("-0.5"), plain=True) == "-0,50 €"
    assert euros(D("1000000"), plain=True) == "1 000 000,00 €"


def test_a_hundred_payments_of_one_cent_sum_to_one_euro():
    commitment = CommitmentFactory(amount=D("1.00"))
    PaymentFactory.create_batch(100, commitment=commitment, amount=D("0.01"))
    figures = figures_by("allocation", on=date(2026, 1, 1))[(commitment.allocation_id,)]
    assert figures.paid == D("1.00") and figures.to_pay == D("0.00")
    assert isinstance(figures.paid, Decimal)


def test_figures_of_an_allocation(startup_money):
    allocation = Allocation.objects.with_figures(ON).get()
    figures = allocation.figures
    assert (figures.allocated, figures.committed, figures.paid) == (
        D("1000.00"),
        D("999.99"),
        D("300.00"),
    )
    assert figures.to_pay == D("699.99")
    assert figures.available == D("0.01")
    assert figures.monthly_burn == D("100.00")
    # 700 € left, 300 € paid in the three months up to 30/06 (April to June, 91 days):
    # 700 × 91 / 300 = 212,3 → 213 days more.
    assert figures.runs_out_on == date(2026, 1, 29)


def test_the_same_figures_at_every_level(startup_money):
    tranche = Tranche.objects.with_figures(ON).get()
    convention = Convention.objects.with_figures(ON).get()
    for figures in (
        tranche.figures,
        convention.figures,
        figures_by("startup", on=ON)[("1000.jours",)],
    ):
        assert (figures.allocated, figures.committed, figures.paid) == (
            D("1000.00"),
            D("999.99"),
            D("300.00"),
        )
    assert convention.released_total == D("1500000.00")


def test_figures_by_category_and_month(startup_money):
    by_activity = figures_by("activity", on=ON)
    assert by_activity[("developpement",)].committed == D("333.33")
    assert by_activity[("developpement",)].paid == D("300.00")
    assert by_activity[("design",)].paid == D("0")
    by_month = figures_by("month", on=ON)
    assert by_month[(date(2025, 4, 1),)].paid == D("100.00")
    assert by_month[(date(2025, 3, 1),)].committed == D("999.99")
    assert by_month[(date(2025, 2, 1),)].allocated == D("1000.00")


def test_payments_after_the_date_are_not_counted(startup_money):
    assert figures_by("startup", on=date(2025, 5, 31))[("1000.jours",)].paid == D("200.00")


def test_no_run_out_date_without_recent_spending():
    assert Figures(allocated=D("10"), on=ON).runs_out_on is None
    assert Figures(allocated=D("10"), paid=D("10"), paid_recently=D("10"), on=ON).runs_out_on == ON


def test_months_before_handles_short_months():
    assert months_before(date(2025, 5, 31), 3) == date(2025, 2, 28)
    assert months_before(date(2025, 1, 15), 3) == date(2024, 10, 15)


# --- Selectors ---------------------------------------------------------------------------------
def test_startups_with_budget_figures(startup_money):
    assert selectors.startups_with_budget_figures(["1000.jours", "autre"]) == {"1000.jours"}


def test_cp_paid_by_month(startup_money):
    PaymentFactory(
        commitment=startup_money.commitments.last(),
        service_done_on=date(2025, 7, 1),
        paid_on=date(2025, 7, 2),
        amount=D("0.01"),
    )
    assert selectors.cp_paid_by_month("1000.jours") == {
        (2025, 4): D("100.00"),
        (2025, 5): D("100.00"),
        (2025, 6): D("100.00"),
        (2025, 7): D("0.01"),
    }
    assert selectors.cp_paid_by_month("inconnue") == {}


def test_money_runs_out_on(startup_money):
    assert selectors.money_runs_out_on("1000.jours", on=ON) == date(2026, 1, 29)
    assert selectors.money_runs_out_on("inconnue", on=ON) is None


def test_programme_totals(startup_money):
    AllocationFactory(tranche=TrancheFactory(), workstream="équipe transverse", startup=None)
    totals = selectors.programme_totals(on=ON)
    assert totals == {
        "allocated": D("101000.00"),
        "committed": D("999.99"),
        "paid": D("300.00"),
        "to_pay": D("699.99"),
    }


def test_figures_cost_a_fixed_number_of_queries(startup_money, django_assert_num_queries):
    with django_assert_num_queries(3):
        figures_by("startup", "year", on=ON)
    with django_assert_num_queries(2):  # an allocation has no activity: not queried
        figures_by("startup", "activity", on=ON)
    with django_assert_num_queries(1):
        list(Convention.objects.with_figures(ON))
