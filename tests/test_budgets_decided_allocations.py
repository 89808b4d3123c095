"""An allocation a committee decided changes only through a new decision, or an explicit
correction whose reason the history keeps; it is never deleted by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from budgets import services
from budgets.models import Allocation
from tests.factories import StartupFactory
from tests.factories_budgets import TrancheFactory
from tests.factories_impact import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(staff_user):
    return services.propose_allocation(
        tranche=TrancheFactory(),
        startup=StartupFactory(title="Aidants"),
        amount="250000",
        purpose="décision du comité du 18/11/2026 : Poursuite avec budget",
        period_start=date(2026, 11, 18),
        by=staff_user,
    )


def test_a_decided_allocation_is_refused_a_silent_change(decided):
    assert decided.decided
    decided.amount = D("260000")
    with pytest.raises(services.BudgetRuleError, match="décidée en comité"):
        services.save_allocation(allocation=decided)
    assert Allocation.objects.get().amount == D("250000")


def test_a_stated_correction_goes_through_and_stays_in_the_history(decided, staff_user):
    services.correct_allocation(
        allocation=decided, correction="faute de frappe : 205 000 €", amount="205000", by=staff_user
    )
    allocation = Allocation.objects.get()
    assert allocation.amount == D("205000.00") and allocation.decided
    last = allocation.history.first()
    assert last.history_change_reason == "Correction : faute de frappe : 205 000 €"
    assert last.history_user == staff_user
    # The budget rules still hold on a correction.
    with pytest.raises(services.BudgetRuleError, match="il reste"):
        services.correct_allocation(allocation=allocation, correction="x", amount="99000000")


def test_changing_the_purpose_of_a_decided_allocation_needs_no_correction(decided):
    decided.purpose = "Objet précisé"
    services.save_allocation(allocation=decided)
    assert Allocation.objects.get().purpose == "Objet précisé"


def test_a_decided_allocation_is_never_deleted(decided, staff_client):
    with pytest.raises(services.BudgetRuleError, match="Suppression refusée"):
        services.delete(instance=decided)
    assert staff_client.get(f"/admin/budgets/allocation/{decided.pk}/delete/").status_code == 403
    assert Allocation.objects.exists()


def test_the_admin_asks_for_the_reason_of_a_correction(decided, staff_client):
    url = f"/admin/budgets/allocation/{decided.pk}/change/"
    data = form_data(staff_client.get(url).content.decode())
    assert "correction" in data
    data["amount"] = "260000,00"
    refused = staff_client.post(url, data)
    assert refused.status_code == 200
    assert "indiquez le motif de la correction" in refused.content.decode()
    assert Allocation.objects.get().amount == D("250000")
    data["correction"] = "montant du procès-verbal"
    assert staff_client.post(url, data).status_code == 302
    assert Allocation.objects.get().amount == D("260000")


def test_an_allocation_made_by_hand_stays_editable(staff_client):
    allocation = services.create_allocation(
        tranche=TrancheFactory(), startup=StartupFactory(), amount="1000", purpose="Coaching"
    )
    assert not allocation.decided
    url = f"/admin/budgets/allocation/{allocation.pk}/change/"
    data = form_data(staff_client.get(url).content.decode())
    assert "correction" not in data
    data["amount"] = "2000,00"
    assert staff_client.post(url, data).status_code == 302
    assert Allocation.objects.get().amount == D("2000")
