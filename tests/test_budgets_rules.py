"""Every budget rule, refused by the service (French message, nothing written) and by the
database (constraints and triggers, whatever writes)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from budgets import services
from budgets.models import Allocation, Commitment, Payment, Tranche
from budgets.money import NotAnAmount, to_amount
from budgets.services import BudgetRuleError
from publishing.formats import number
from tests.factories import StartupFactory
from tests.factories_budgets import (
    AllocationFactory,
    CommitmentFactory,
    ConventionFactory,
    PaymentFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


def refused(match: str):
    return pytest.raises(BudgetRuleError, match=match)


def db_refused():
    return pytest.raises(IntegrityError)


# --- Services: the happy path -------------------------------------------------------------------
def test_it_writes_a_whole_chain_through_the_services(admin_user):
    convention = services.create_convention(
        reference="DINUM-2026-X",
        title="Délégation",
        delegant=ConventionFactory().delegant,
        delegataire=ConventionFactory().delegataire,
        start=date(2025, 1, 1),
        end=date(2026, 6, 30),
        ceiling="3000000",
        by=admin_user,
    )
    tranche = services.create_tranche(
        convention=convention,
        available_on=date(2025, 1, 15),
        ae_amount=D("1500000"),
        cp_amount=D("1500000"),
        by=admin_user,
    )
    assert tranche.number == 1
    allocation = services.propose_allocation(
        tranche=tranche,
        startup=StartupFactory(),
        amount=D("700000"),
        purpose="6 mois",
        period_start=date(2025, 2, 1),
        by=admin_user,
    )
    commitment = services.create_commitment(
        allocation=allocation,
        committed_on=date(2025, 2, 1),
        amount="123456.78",
        supplier="ACME",
        activity="developpement",
        resource="prestations",
        by=admin_user,
    )
    payment = services.record_payment(
        commitment=commitment,
        service_done_on=date(2025, 3, 1),
        paid_on=date(2025, 3, 20),
        amount=D("23456.78"),
        by=admin_user,
    )
    assert payment.amount == D("23456.78")
    assert commitment.history.first().history_user == admin_user
    assert allocation.history.count() == 1


# --- Sums under their limit: refused by the service with what is left ----------------------------
def test_tranches_never_exceed_the_ceiling():
    convention = ConventionFactory(ceiling=D("3000000"))
    TrancheFactory(convention=convention, ae_amount=D("1500000"), cp_amount=D("1500000"))
    with refused(r"Tranche refusée : il reste 1 500 000,00 € en AE sous le plafond"):
        services.create_tranche(
            convention=convention,
            available_on=date(2025, 6, 1),
            ae_amount=D("1500000.01"),
            cp_amount=D("1000"),
        )
    services.create_tranche(
        convention=convention, available_on=date(2025, 6, 1), ae_amount=D("1500000"), cp_amount=1
    )
    assert convention.tranches.count() == 2


def test_an_amendment_raises_the_ceiling_and_cannot_lower_it_below_the_tranches():
    convention = ConventionFactory(ceiling=D("1000000"))
    TrancheFactory(convention=convention, ae_amount=D("1000000"), cp_amount=D("1000000"))
    with refused("Avenant refusé : les tranches .* totalisent déjà 1 000 000,00 €"):
        services.add_amendment(
            convention=convention,
            signed_on=date(2025, 5, 1),
            new_ceiling=D("999999.99"),
            reason="x",
        )
    services.add_amendment(
        convention=convention, signed_on=date(2025, 5, 1), new_ceiling=D("2000000"), reason="+1 M€"
    )
    convention.refresh_from_db()
    assert convention.current_ceiling == D("2000000")
    services.create_tranche(
        convention=convention, available_on=date(2025, 6, 1), ae_amount=D("1000000"), cp_amount=1
    )


def test_allocations_never_exceed_the_tranche():
    tranche = TrancheFactory(ae_amount=D("1500000"))
    AllocationFactory(tranche=tranche, amount=D("1499000"))
    with refused(r"il reste 1 000,00 € à allouer sur la tranche"):
        services.create_allocation(
            tranche=tranche, startup=StartupFactory(), amount=D("1000.01"), purpose="x"
        )
    assert tranche.allocations.count() == 1


def test_commitments_never_exceed_the_allocation_and_the_message_says_what_is_left():
    allocation = AllocationFactory(amount=D("100000"), startup__title="Mon Service")
    CommitmentFactory(allocation=allocation, amount=D("87654.33"))
    with refused(
        "Engagement refusé : il reste 12 345,67 € disponibles sur l'allocation « Mon Service »"
    ):
        services.create_commitment(
            allocation=allocation,
            committed_on=date(2025, 3, 1),
            amount=D("12345.68"),
            supplier="ACME",
            activity="design",
            resource="prestations",
        )
    assert allocation.commitments.count() == 1


def test_payments_never_exceed_the_commitment():
    commitment = CommitmentFactory(amount=D("1000"))
    PaymentFactory(commitment=commitment, amount=D("999.99"))
    with refused(r"Paiement refusé : il reste 0,01 € à payer sur l'engagement"):
        services.record_payment(
            commitment=commitment,
            service_done_on=date(2025, 4, 1),
            paid_on=date(2025, 4, 2),
            amount=D("0.02"),
        )


def test_payments_never_exceed_the_cp_of_the_tranche():
    tranche = TrancheFactory(ae_amount=D("1000"), cp_amount=D("500"))
    commitment = CommitmentFactory(
        allocation__tranche=tranche, allocation__amount=D("1000"), amount=D("1000")
    )
    with refused(r"il reste 500,00 € de CP sur la tranche"):
        services.record_payment(
            commitment=commitment,
            service_done_on=date(2025, 4, 1),
            paid_on=date(2025, 4, 2),
            amount=D("600"),
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("tranche", "déjà alloués sur cette tranche"),
        ("allocation", "déjà engagés sur cette allocation"),
        ("commitment", "déjà payés sur cet engagement"),
    ],
)
def test_a_parent_cannot_shrink_below_its_children(change, message):
    payment = PaymentFactory(amount=D("1000"))
    commitment = payment.commitment
    allocation = commitment.allocation
    tranche = allocation.tranche
    with refused(message):
        if change == "tranche":
            tranche.ae_amount = allocation.amount - D("0.01")
            services.save_tranche(tranche=tranche)
        elif change == "allocation":
            allocation.amount = commitment.amount - D("0.01")
            services.save_allocation(allocation=allocation)
        else:
            commitment.amount = D("999.99")
            services.save_commitment(commitment=commitment)


def test_updating_a_row_counts_it_once():
    allocation = AllocationFactory(amount=D("1000"))
    commitment = CommitmentFactory(allocation=allocation, amount=D("600"))
    commitment.amount = D("1000")
    services.save_commitment(commitment=commitment)
    assert Commitment.objects.get().amount == D("1000")


# --- Amounts and dates ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (D("0"), "strictement positif"),
        (D("-5"), "strictement positif"),
        (D("10.001"), "au centime près"),
        (10.5, "virgule flottante"),
        ("abc", "n'est pas un montant"),
        ("1" + "0" * 40, "montant illisible ou trop grand"),
        ("1000000000000", "montant illisible ou trop grand"),  # beyond numeric(14, 2)
        ("1e3", "notation scientifique"),
        ("2,5E+2", "notation scientifique"),
    ],
)
def test_amounts_are_positive_decimals_to_the_cent(amount, message):
    allocation = AllocationFactory()
    with refused(message):
        services.create_commitment(
            allocation=allocation,
            committed_on=date(2025, 3, 1),
            amount=amount,
            supplier="ACME",
            activity="design",
            resource="prestations",
        )
    assert not Commitment.objects.exists()


def test_dates_stay_inside_the_convention_period():
    allocation = AllocationFactory(tranche__convention__end=date(2025, 12, 31))
    with refused(r"doit être dans la période de la convention .* du 01/01/2025 au 31/12/2025"):
        services.create_commitment(
            allocation=allocation,
            committed_on=date(2026, 1, 1),
            amount=1,
            supplier="ACME",
            activity="design",
            resource="prestations",
        )
    with refused("n'est disponible qu'à partir du 01/02/2025"):
        services.create_commitment(
            allocation=allocation,
            committed_on=date(2025, 1, 15),
            amount=1,
            supplier="ACME",
            activity="design",
            resource="prestations",
        )
    with refused("Période refusée|mise à disposition"):
        services.create_tranche(
            convention=allocation.tranche.convention,
            available_on=date(2024, 12, 31),
            ae_amount=1,
            cp_amount=1,
        )


def test_an_amendment_extends_the_period():
    allocation = AllocationFactory(tranche__convention__end=date(2025, 12, 31))
    convention = allocation.tranche.convention
    services.add_amendment(
        convention=convention,
        signed_on=date(2025, 11, 1),
        new_end=date(2026, 6, 30),
        reason="+6 mois",
    )
    services.create_commitment(
        allocation=allocation,
        committed_on=date(2026, 1, 1),
        amount=1,
        supplier="ACME",
        activity="design",
        resource="prestations",
    )
    with refused("Avenant refusé : une écriture .* après la fin demandée"):
        services.add_amendment(
            convention=convention,
            signed_on=date(2025, 12, 1),
            new_end=date(2025, 12, 31),
            reason="x",
        )


def test_a_payment_follows_its_service_and_its_commitment():
    commitment = CommitmentFactory(committed_on=date(2025, 3, 1))
    with refused("le service fait .* précède l'engagement"):
        services.record_payment(
            commitment=commitment,
            service_done_on=date(2025, 2, 1),
            paid_on=date(2025, 3, 2),
            amount=1,
        )
    with refused("ne peut pas précéder le service fait"):
        services.record_payment(
            commitment=commitment,
            service_done_on=date(2025, 4, 1),
            paid_on=date(2025, 3, 2),
            amount=1,
        )


def test_an_allocation_goes_to_a_startup_or_a_workstream():
    tranche = TrancheFactory()
    with refused("une startup ou un chantier nommé"):
        services.create_allocation(tranche=tranche, amount=1, purpose="x")
    with refused("une startup ou un chantier nommé"):
        services.create_allocation(
            tranche=tranche,
            amount=1,
            purpose="x",
            startup=StartupFactory(),
            workstream="transverse",
        )
    services.create_allocation(
        tranche=tranche, amount=1, purpose="x", workstream="équipe transverse"
    )


# --- The database refuses too, whatever writes ----------------------------------------------------
@pytest.mark.parametrize(
    "write",
    [
        lambda: ConventionFactory(ceiling=D("0")),
        lambda: ConventionFactory(start=date(2025, 1, 2), end=date(2025, 1, 1)),
        lambda: TrancheFactory(ae_amount=D("-1")),
        lambda: TrancheFactory(cp_amount=D("0")),
        lambda: AllocationFactory(amount=D("0")),
        lambda: AllocationFactory(startup=None, workstream=""),
        lambda: AllocationFactory(workstream="transverse"),
        lambda: CommitmentFactory(amount=D("-0.01")),
        lambda: PaymentFactory(amount=D("0")),
        lambda: PaymentFactory(service_done_on=date(2025, 5, 1), paid_on=date(2025, 4, 30)),
    ],
)
def test_the_database_refuses_a_bad_row(write):
    with db_refused(), transaction.atomic():
        write()


def test_the_database_refuses_sums_over_their_limit():
    payment = PaymentFactory(
        amount=D("10"),
        commitment__amount=D("10"),
        commitment__allocation__amount=D("10"),
        commitment__allocation__tranche__ae_amount=D("10"),
        commitment__allocation__tranche__cp_amount=D("10"),
        commitment__allocation__tranche__convention__ceiling=D("10"),
    )
    commitment = payment.commitment
    allocation = commitment.allocation
    tranche = allocation.tranche
    convention = tranche.convention
    writes = [
        lambda: TrancheFactory(convention=convention, ae_amount=D("0.01"), cp_amount=D("0.01")),
        lambda: AllocationFactory(tranche=tranche, amount=D("0.01")),
        lambda: CommitmentFactory(allocation=allocation, amount=D("0.01")),
        lambda: PaymentFactory(commitment=commitment, amount=D("0.01")),
        lambda: Tranche.objects.filter(pk=tranche.pk).update(ae_amount=D("9.99")),
        lambda: Tranche.objects.filter(pk=tranche.pk).update(cp_amount=D("9.99")),
        lambda: Allocation.objects.filter(pk=allocation.pk).update(amount=D("9.99")),
        lambda: Commitment.objects.filter(pk=commitment.pk).update(amount=D("9.99")),
        lambda: type(convention).objects.filter(pk=convention.pk).update(ceiling=D("9.99")),
        lambda: Payment.objects.filter(pk=payment.pk).update(amount=D("10.01")),
    ]
    for write in writes:
        with db_refused(), transaction.atomic():
            write()
    assert Payment.objects.get().amount == D("10")


@pytest.mark.parametrize("typed", ["1" * 8000, "1" * 8000 + "e5", "1," + "0" * 8000, "9 " * 4000])
def test_a_long_amount_is_refused_by_its_length_with_a_short_message(typed):
    with pytest.raises(NotAnAmount) as refusal:
        to_amount(typed)
    message = str(refusal.value)
    assert message.startswith("montant trop long : ")
    assert f"{number(len(typed.strip()))} caractères" in message
    assert "50 au plus" in message
    assert len(message) < 120  # the input is not echoed back


def test_amounts_up_to_the_length_bound_are_read():
    padded = "1" + " " * 48 + "2"  # 50 characters: the longest accepted
    assert to_amount(padded) == D("12.00")
    assert to_amount("   12,50 €   ") == D("12.50")  # surrounding spaces do not count
    with pytest.raises(NotAnAmount, match="notation scientifique"):
        to_amount("1" * 40 + "e3")


def test_the_largest_amount_and_french_spellings_are_read():
    assert to_amount("999 999 999 999,99") == D("999999999999.99")
    assert to_amount("1\u202f234,5 €") == D("1234.50")
    assert to_amount(D("1E+3")) == D("1000.00")  # a Decimal, not a typed text
