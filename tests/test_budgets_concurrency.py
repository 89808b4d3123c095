"""Two staff members writing at the same moment, on two real database connections, cannot
overspend together: the service locks the parent row, the second one waits, then sees the
first one's amount and is refused."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from budgets import services
from budgets.models import Allocation, Commitment, Payment
from budgets.services import BudgetRuleError
from tests.factories import StartupFactory
from tests.factories_budgets import AllocationFactory, CommitmentFactory, TrancheFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*writes):
    """Run each write in its own thread (its own connection), released at the same instant.

    Returns what each returned or raised.
    """
    barrier = threading.Barrier(len(writes))
    outcomes = [None] * len(writes)

    def run(index, write):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = write()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, w)) for n, w in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def commit(allocation_id, amount):
    def write():
        return services.create_commitment(
            allocation=Allocation.objects.get(pk=allocation_id),
            committed_on=date(2025, 3, 1),
            amount=amount,
            supplier="ACME",
            activity="developpement",
            resource="prestations",
        )

    return write


def test_two_commitments_at_the_same_moment_cannot_overspend_the_allocation():
    allocation = AllocationFactory(amount=Decimal("100000"))
    outcomes = run_together(
        commit(allocation.pk, Decimal("60000")), commit(allocation.pk, Decimal("60000"))
    )
    succeeded = [o for o in outcomes if isinstance(o, Commitment)]
    refused = [o for o in outcomes if isinstance(o, BudgetRuleError)]
    assert len(succeeded) == 1 and len(refused) == 1, outcomes
    assert "il reste 40 000,00 € disponibles" in refused[0].messages[0]
    assert Commitment.objects.get().amount == Decimal("60000")
    assert connection.vendor == "postgresql"


def test_two_commitments_that_fit_together_both_succeed():
    allocation = AllocationFactory(amount=Decimal("100000"))
    outcomes = run_together(
        commit(allocation.pk, Decimal("50000")), commit(allocation.pk, Decimal("50000"))
    )
    assert all(isinstance(o, Commitment) for o in outcomes), outcomes
    assert Commitment.objects.count() == 2


def test_two_allocations_at_the_same_moment_cannot_overspend_the_tranche():
    tranche = TrancheFactory(ae_amount=Decimal("1000"))
    startups = [StartupFactory(), StartupFactory()]

    def allocate(startup):
        return lambda: services.propose_allocation(
            tranche=tranche,
            startup=startup,
            amount=Decimal("600"),
            purpose="x",
            period_start=tranche.available_on,
            by=None,
        )

    outcomes = run_together(allocate(startups[0]), allocate(startups[1]))
    assert sorted(type(o).__name__ for o in outcomes) == ["Allocation", "BudgetRuleError"]
    assert Allocation.objects.count() == 1


def test_two_payments_at_the_same_moment_cannot_overpay_the_commitment():
    commitment = CommitmentFactory(amount=Decimal("1000"))

    def pay():
        return services.record_payment(
            commitment=Commitment.objects.get(pk=commitment.pk),
            service_done_on=date(2025, 4, 1),
            paid_on=date(2025, 4, 2),
            amount=Decimal("700"),
        )

    outcomes = run_together(pay, pay)
    assert sorted(type(o).__name__ for o in outcomes) == ["BudgetRuleError", "Payment"]
    assert Payment.objects.count() == 1


def test_the_database_alone_serialises_concurrent_writes():
    """Bypassing the services (raw ORM creates), the triggers still refuse the second one."""
    allocation = AllocationFactory(amount=Decimal("100"))

    def raw():
        return CommitmentFactory(allocation=Allocation.objects.get(pk=allocation.pk), amount=60)

    outcomes = run_together(raw, raw)
    assert sorted(type(o).__name__ for o in outcomes) == ["Commitment", "IntegrityError"]
