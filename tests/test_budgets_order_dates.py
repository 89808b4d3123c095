"""Money dates against the decision and the year-end cut-off (issue 13).

A commitment (purchase order) is refused before the day the committee's decision that made its
allocation takes effect, and from the day after the cut-off (15/12 by default) to 31/12: AE are
annual, no new orders after mid-December. Payments are not orders: they go on after the cut-off.
Every entry path (services, admin form, spreadsheet import) gives the same French message.
"""

import importlib
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets import services
from budgets.models import Allocation, Commitment, Payment
from committees import services as committees
from tests.clock import TODAY, paris
from tests.factories import startup_with_phases
from tests.factories_budgets import AllocationFactory, CommitmentFactory, TrancheFactory
from tests.factories_committees import CommitteeFactory, dossier_for

pytestmark = pytest.mark.django_db

CUT_OFF = r"pas de nouvelle commande après le 15/12/2026 \(les AE sont annuelles\)"


@pytest.fixture
def allocation():
    """A convention over 2026 and 2027, an allocation with no period (made by hand)."""
    tranche = TrancheFactory(
        number=1,
        convention__reference="CONV-ANNUELLE",
        convention__start=date(2026, 1, 1),
        convention__end=date(2027, 12, 31),
        available_on=date(2026, 1, 15),
    )
    return AllocationFactory(tranche=tranche, amount=D("100000"), startup__title="Mon Service")


def order(allocation, day: date, amount="100", purchase_order=""):
    return services.create_commitment(
        allocation=allocation,
        committed_on=day,
        amount=amount,
        supplier="Prestataire",
        activity="developpement",
        resource="prestations",
        purchase_order=purchase_order,
    )


# --- The year-end cut-off --------------------------------------------------------------------
def test_an_order_of_the_15th_is_accepted_of_the_16th_refused_at_midnight_in_paris(
    allocation, clock
):
    clock.move_to(paris("2026-12-15", "23:30"), tick=False)  # 22:30 UTC
    assert order(allocation, date(2026, 12, 15)).committed_on == date(2026, 12, 15)
    # Midnight in Paris (23:00 UTC, still the 15th there): the 16th is today, and cut off.
    with (
        time_machine.travel(paris("2026-12-16", "00:00"), tick=False),
        pytest.raises(services.BudgetRuleError) as refused,
    ):
        order(allocation, date(2026, 12, 16))
    assert refused.value.messages == [
        "Engagement refusé : pas de nouvelle commande après le 15/12/2026 (les AE sont "
        "annuelles). La date d'engagement (16/12/2026) tombe dans la clôture de fin d'année, "
        "du 16/12/2026 au 31/12/2026 ; datez l'engagement à partir du 01/01/2027."
    ]
    assert Commitment.objects.count() == 1


@pytest.mark.time_machine(paris("2027-01-01", "00:30"), tick=False)  # 31/12/2026 23:30 UTC
def test_the_31st_is_cut_off_the_1st_of_january_orders_again_in_paris(allocation):
    with pytest.raises(services.BudgetRuleError, match=CUT_OFF + r".*\(31/12/2026\)"):
        order(allocation, date(2026, 12, 31))
    # In UTC it is still the 31st: the 1st of January is today in Paris, and open.
    assert order(allocation, date(2027, 1, 1)).committed_on == date(2027, 1, 1)


@pytest.mark.time_machine(paris("2027-01-01", "00:30"), tick=False)
def test_payments_are_not_orders_and_go_on_after_the_cut_off(allocation):
    commitment = order(allocation, date(2026, 12, 15), "1000")
    for day in (date(2026, 12, 16), date(2026, 12, 31), date(2027, 1, 1)):
        services.record_payment(
            commitment=commitment, service_done_on=day, paid_on=day, amount="100"
        )
    assert sorted(Payment.objects.values_list("paid_on", flat=True)) == [
        date(2026, 12, 16),
        date(2026, 12, 31),
        date(2027, 1, 1),
    ]


@pytest.mark.time_machine(paris("2027-01-10", "12:00"), tick=False)
def test_the_cut_off_day_is_a_setting(allocation, settings):
    settings.BUDGETS_LAST_ORDER_DAY = "20/12"
    assert order(allocation, date(2026, 12, 20)).committed_on == date(2026, 12, 20)
    with pytest.raises(services.BudgetRuleError, match=r"après le 20/12/2026 .*du 21/12/2026"):
        order(allocation, date(2026, 12, 21))
    settings.BUDGETS_LAST_ORDER_DAY = "29/02"  # not a day of every year
    with pytest.raises(ImproperlyConfigured, match=r"BUDGETS_LAST_ORDER_DAY : « 29/02 »"):
        order(allocation, date(2026, 12, 1))


@pytest.mark.time_machine(paris("2027-01-10", "12:00"), tick=False)
def test_an_order_written_before_the_rule_keeps_its_day_and_cannot_be_moved_into_the_cut_off(
    allocation,
):
    legacy = CommitmentFactory(allocation=allocation, committed_on=date(2026, 12, 20))
    legacy.label = "Libellé corrigé"
    services.save_commitment(commitment=legacy)  # its day is not changed: accepted
    assert Commitment.objects.get(pk=legacy.pk).label == "Libellé corrigé"
    moved = order(allocation, date(2026, 12, 10))
    moved.committed_on = date(2026, 12, 17)
    with pytest.raises(services.BudgetRuleError, match=CUT_OFF):
        services.save_commitment(commitment=moved)
    assert Commitment.objects.get(pk=moved.pk).committed_on == date(2026, 12, 10)


# --- The decision's effective date -------------------------------------------------------------
@pytest.fixture
def decided(staff_user):
    """A committee of TODAY (18/11/2026) continues a startup with money from 01/12/2026."""
    tranche = TrancheFactory(
        number=1,
        convention__reference="CONV-DEC",
        convention__start=date(2026, 1, 1),
        convention__end=date(2027, 12, 31),
        available_on=date(2026, 1, 15),
        ae_amount=D("500000"),
    )
    startup = startup_with_phases(("construction", TODAY - timedelta(days=100)))
    dossier = dossier_for(CommitteeFactory(date=TODAY), startup)
    decision = committees.record_decision(
        dossier=dossier,
        kind="continue",
        effective_date=date(2026, 12, 1),
        amount=D("200000"),
        tranche=tranche,
        by=staff_user,
    )
    return decision.allocation


def test_the_decision_gives_its_allocation_its_period(decided):
    assert decided.decided
    assert (decided.period_start, decided.period_end) == (date(2026, 12, 1), date(2027, 6, 1))


@pytest.mark.time_machine(paris("2026-12-10", "12:00"), tick=False)
def test_no_order_before_the_decision_takes_effect(decided):
    with pytest.raises(services.BudgetRuleError) as refused:
        order(decided, date(2026, 11, 30))
    assert refused.value.messages == [
        f"Engagement refusé : l'allocation « {decided.beneficiary} » n'est engageable qu'à "
        "partir du 01/12/2026, date d'effet de la décision du comité ; la date d'engagement "
        "(30/11/2026) la précède."
    ]
    assert order(decided, date(2026, 12, 1)).committed_on == date(2026, 12, 1)


def test_a_period_the_decision_starts_later_than_its_effect_is_the_allocations(staff_user):
    tranche = TrancheFactory(
        convention__start=date(2026, 1, 1),
        convention__end=date(2027, 12, 31),
        available_on=date(2026, 1, 15),
    )
    startup = startup_with_phases(("construction", TODAY - timedelta(days=100)))
    decision = committees.record_decision(
        dossier=dossier_for(CommitteeFactory(date=TODAY), startup),
        kind="continue",
        effective_date=TODAY,
        amount=D("1000"),
        tranche=tranche,
        period_start=date(2027, 1, 1),
        period_end=date(2027, 6, 30),
        by=staff_user,
    )
    assert (decision.allocation.period_start, decision.allocation.period_end) == (
        date(2027, 1, 1),
        date(2027, 6, 30),
    )


@pytest.mark.time_machine(paris("2026-12-10", "12:00"), tick=False)
def test_an_allocations_start_cannot_move_after_an_order(allocation):
    order(allocation, date(2026, 12, 1))
    allocation.period_start = date(2026, 12, 2)
    with pytest.raises(
        services.BudgetRuleError,
        match=r"un engagement sur cette allocation est daté du 01/12/2026, avant le début de "
        r"période demandé \(02/12/2026\)",
    ):
        services.save_allocation(allocation=allocation)
    allocation.period_start = date(2026, 12, 1)
    services.save_allocation(allocation=allocation)
    assert Allocation.objects.get(pk=allocation.pk).period_start == date(2026, 12, 1)


def test_a_decided_allocations_period_changes_only_with_a_stated_correction(decided):
    decided.period_start = date(2026, 11, 20)
    with pytest.raises(services.BudgetRuleError, match=r"elle a été décidée en comité"):
        services.save_allocation(allocation=decided)


# --- The same rule through the admin form and the spreadsheet import ---------------------------
def commitment_form(allocation, day: str):
    return {
        "allocation": allocation.pk,
        "committed_on": day,
        "label": "Sprint",
        "supplier": "ACME",
        "purchase_order": "BC-1",
        "public_contract": "developpement",
        "activity": "developpement",
        "resource": "prestations",
        "amount": "100",
        "tax_basis": "TTC",
    }


@pytest.mark.time_machine(paris("2027-01-10", "12:00"), tick=False)
def test_the_admin_form_shows_the_cut_off_and_the_decision_messages(
    staff_client, allocation, decided
):
    response = staff_client.post(
        "/admin/budgets/commitment/add/", commitment_form(allocation, "16/12/2026")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Engagement refusé : pas de nouvelle commande après le 15/12/2026" in content
    response = staff_client.post(
        "/admin/budgets/commitment/add/", commitment_form(decided, "30/11/2026")
    )
    assert "n&#x27;est engageable qu&#x27;à partir du 01/12/2026" in response.content.decode()
    assert not Commitment.objects.exists()
    response = staff_client.post(
        "/admin/budgets/commitment/add/", commitment_form(decided, "01/12/2026")
    )
    assert response.status_code == 302


@pytest.mark.time_machine(paris("2027-01-10", "12:00"), tick=False)
def test_the_import_refuses_each_line_with_its_message(staff_client, allocation, decided):
    header = (
        "convention;tranche;bénéficiaire;date;fournisseur;bon de commande;marché;activité;"
        "ressource;montant;HT/TTC;objet;public\n"
    )
    lines = [
        f"CONV-ANNUELLE;1;{allocation.startup_id};15/12/2026;ACME;BC-1;;design;prestations;1;;;",
        f"CONV-ANNUELLE;1;{allocation.startup_id};16/12/2026;ACME;BC-2;;design;prestations;1;;;",
        f"CONV-DEC;1;{decided.startup_id};30/11/2026;ACME;BC-3;;design;prestations;1;;;",
        f"CONV-DEC;1;{decided.startup_id};01/12/2026;ACME;BC-4;;design;prestations;1;;;",
    ]
    upload = SimpleUploadedFile("e.csv", (header + "\n".join(lines) + "\n").encode())
    response = staff_client.post("/admin/budgets/commitment/importer/", {"file": upload})
    content = response.content.decode()
    assert "2 ligne(s) importée(s), 0 déjà présente(s), 2 refusée(s)." in content
    assert (
        '<tr><td>3</td><td><strong class="budgets-refused">refusé</strong></td><td>Engagement '
        "refusé : pas de nouvelle commande après le 15/12/2026" in content
    )
    assert (
        '<tr><td>4</td><td><strong class="budgets-refused">refusé</strong></td><td>Engagement '
        "refusé : l&#x27;allocation" in content
    )
    assert sorted(Commitment.objects.values_list("purchase_order", flat=True)) == ["BC-1", "BC-4"]


def test_the_migration_gives_earlier_decided_allocations_their_decisions_period(decided):
    from django.apps import apps

    migration = importlib.import_module("committees.migrations.0007_allocation_periods")
    Allocation.objects.filter(pk=decided.pk).update(period_start=None, period_end=None)
    hand_made = AllocationFactory(tranche=decided.tranche)
    migration.copy_periods(apps, None)
    decided.refresh_from_db()
    assert (decided.period_start, decided.period_end) == (date(2026, 12, 1), date(2027, 6, 1))
    hand_made.refresh_from_db()
    assert (hand_made.period_start, hand_made.period_end) == (None, None)


def test_the_admin_shows_and_checks_an_allocations_period(
    staff_client, staff_user, allocation, decided, clock
):
    from tests.factories_impact import form_data

    clock.move_to(paris("2026-12-10", "12:00"), tick=False)
    staff_client.force_login(staff_user)  # the session of 18/11 has expired
    order(allocation, date(2026, 12, 1))
    url = f"/admin/budgets/allocation/{allocation.pk}/change/"
    data = form_data(staff_client.get(url).content.decode())
    data["period_start"] = "02/12/2026"
    refused = staff_client.post(url, data).content.decode()
    assert "avant le début de période demandé (02/12/2026)" in refused
    data["period_start"], data["period_end"] = "01/12/2026", "30/11/2026"
    refused = staff_client.post(url, data).content.decode()
    assert "La fin de la période de l&#x27;allocation doit suivre son début." in refused
    data["period_end"] = "31/05/2027"
    assert staff_client.post(url, data).status_code == 302
    allocation.refresh_from_db()
    assert (allocation.period_start, allocation.period_end) == (
        date(2026, 12, 1),
        date(2027, 5, 31),
    )
    # A decided one shows the decision's period, changed only with a stated correction.
    content = staff_client.get(f"/admin/budgets/allocation/{decided.pk}/change/").content.decode()
    assert 'name="period_start" value="01/12/2026"' in content
