"""Committees: each decision's consequences, all in one transaction, and the rules around it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets.models import Allocation
from budgets.selectors import money_runs_out_on
from committees import services
from committees.models import Committee, CommitteeStatus, Decision, six_months_after
from committees.selectors import committees_due
from impact.models import Indicator, Measurement
from startups.models import Event, Phase
from tests.clock import TODAY
from tests.factories import startup_with_phases
from tests.factories_budgets import CommitmentFactory, PaymentFactory, TrancheFactory
from tests.factories_committees import CommitteeFactory, DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tranche():
    return TrancheFactory(
        convention__start=TODAY - timedelta(days=400),
        convention__end=TODAY + timedelta(days=400),
        available_on=TODAY - timedelta(days=300),
        ae_amount=Decimal("500000.00"),
        cp_amount=Decimal("500000.00"),
    )


def committee_on(day=TODAY, **fields):
    return Committee.objects.create(date=day, place="DINUM, salle Ségur", **fields)


def dossier_for(*phases, day=TODAY):
    startup = startup_with_phases(*phases)
    return services.create_dossier(committee=committee_on(day), startup=startup)


def kinds(startup):
    return list(
        Phase.objects.filter(startup=startup).order_by("start").values_list("kind", flat=True)
    )


def test_go_on_after_investigation_starts_construction(staff_user):
    dossier = dossier_for(("investigation", TODAY - timedelta(days=60)))
    decision = services.record_decision(
        dossier=dossier, kind="go_on", effective_date=TODAY, by=staff_user
    )
    assert kinds(dossier.startup) == ["investigation", "construction"]
    investigation = dossier.startup.phases.get(kind="investigation")
    assert investigation.end == TODAY - timedelta(days=1)
    assert decision.phase_started == "construction"
    assert decision.next_committee_due == date(2027, 5, 18)  # six calendar months after TODAY
    assert Event.objects.filter(startup=dossier.startup, kind="committee").exists()


def test_drop_after_investigation_ends_it(staff_user):
    dossier = dossier_for(("investigation", TODAY - timedelta(days=60)))
    decision = services.record_decision(
        dossier=dossier, kind="drop", effective_date=TODAY, by=staff_user
    )
    assert kinds(dossier.startup) == ["investigation", "abandon-investigation"]
    assert decision.next_committee_due is None


@pytest.mark.parametrize(
    ("current", "expected"),
    [("construction", "acceleration"), ("acceleration", "consolidation")],
)
def test_next_phase_moves_along_the_lifecycle(staff_user, current, expected):
    dossier = dossier_for((current, TODAY - timedelta(days=200)))
    services.record_decision(
        dossier=dossier, kind="next_phase", effective_date=TODAY, by=staff_user
    )
    assert kinds(dossier.startup) == [current, expected]


def test_next_phase_after_consolidation_is_refused(staff_user):
    dossier = dossier_for(("consolidation", TODAY - timedelta(days=200)))
    with pytest.raises(ValidationError, match="Pérennisation"):
        services.record_decision(
            dossier=dossier, kind="next_phase", effective_date=TODAY, by=staff_user
        )
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("kind", "terminal"), [("stop", "abandon"), ("make_permanent", "transfere")]
)
def test_ending_decisions_set_the_terminal_phase(staff_user, kind, terminal):
    dossier = dossier_for(("acceleration", TODAY - timedelta(days=200)))
    decision = services.record_decision(
        dossier=dossier, kind=kind, effective_date=TODAY, by=staff_user
    )
    assert kinds(dossier.startup) == ["acceleration", terminal]
    assert decision.next_committee_due is None


@pytest.mark.parametrize("kind", ["continue", "strengthen", "slow_down"])
def test_money_decisions_keep_the_phase_and_propose_an_allocation(staff_user, tranche, kind):
    dossier = dossier_for(("construction", TODAY - timedelta(days=200)))
    decision = services.record_decision(
        dossier=dossier,
        kind=kind,
        effective_date=TODAY,
        amount=Decimal("180000.00"),
        tranche=tranche,
        objectives=["1 000 dossiers déposés par mois", "", "Ouverture à deux départements"],
        by=staff_user,
    )
    assert kinds(dossier.startup) == ["construction"]
    allocation = Allocation.objects.get(pk=decision.allocation_id)
    assert allocation.amount == Decimal("180000.00") and allocation.startup_id == dossier.startup_id
    assert decision.objectives == [
        "1 000 dossiers déposés par mois",
        "Ouverture à deux départements",
    ]
    assert decision.period_end == date(2027, 5, 18)  # six calendar months after TODAY


def test_a_temporary_extension_needs_a_new_committee_in_one_to_two_months(staff_user):
    dossier = dossier_for(("construction", TODAY - timedelta(days=200)))
    with pytest.raises(ValidationError, match="exige la date du nouveau comité"):
        services.record_decision(
            dossier=dossier, kind="extend", effective_date=TODAY, by=staff_user
        )
    with pytest.raises(ValidationError, match="entre 4 et 9 semaines"):
        services.record_decision(
            dossier=dossier,
            kind="extend",
            effective_date=TODAY,
            new_committee_date=TODAY + timedelta(days=120),
            by=staff_user,
        )
    decision = services.record_decision(
        dossier=dossier,
        kind="extend",
        effective_date=TODAY,
        new_committee_date=TODAY + timedelta(days=45),
        by=staff_user,
    )
    assert decision.next_committee_due == TODAY + timedelta(days=45)


def test_investigation_only_decisions_are_refused_elsewhere(staff_user):
    dossier = dossier_for(("construction", TODAY - timedelta(days=200)))
    with pytest.raises(ValidationError, match="ne s'applique qu'après une investigation"):
        services.record_decision(dossier=dossier, kind="go_on", effective_date=TODAY, by=staff_user)


def test_an_amount_over_the_tranche_refuses_the_whole_decision(staff_user, tranche):
    dossier = dossier_for(("construction", TODAY - timedelta(days=200)))
    with pytest.raises(ValidationError) as refused:
        services.record_decision(
            dossier=dossier,
            kind="next_phase",
            effective_date=TODAY,
            amount=Decimal("600000.00"),
            tranche=tranche,
            by=staff_user,
        )
    assert "reste" in " ".join(refused.value.messages)
    # The phase change came first in the transaction: it was rolled back with the rest.
    assert kinds(dossier.startup) == ["construction"]
    assert dossier.startup.phases.get().end is None
    assert not Decision.objects.exists() and not Allocation.objects.exists()
    assert not Event.objects.filter(kind="committee").exists()


def test_an_amount_needs_a_tranche(staff_user):
    dossier = dossier_for(("construction", TODAY - timedelta(days=200)))
    with pytest.raises(ValidationError, match="Choisissez la tranche"):
        services.record_decision(
            dossier=dossier,
            kind="continue",
            effective_date=TODAY,
            amount=Decimal("10"),
            by=staff_user,
        )


def test_one_decision_per_dossier(staff_user):
    dossier = dossier_for(("construction", TODAY - timedelta(days=200)))
    services.record_decision(dossier=dossier, kind="continue", effective_date=TODAY, by=staff_user)
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        services.record_decision(dossier=dossier, kind="stop", effective_date=TODAY, by=staff_user)


def test_a_committee_cannot_close_while_a_dossier_has_no_decision(staff_user):
    dossier = dossier_for(("construction", TODAY - timedelta(days=200)))
    other = services.create_dossier(
        committee=dossier.committee,
        startup=startup_with_phases(("acceleration", TODAY - timedelta(days=100))),
    )
    services.record_decision(dossier=dossier, kind="continue", effective_date=TODAY, by=staff_user)
    with pytest.raises(ValidationError, match=other.startup.title):
        services.close_committee(committee=dossier.committee, by=staff_user)
    services.record_decision(dossier=other, kind="stop", effective_date=TODAY, by=staff_user)
    assert (
        services.close_committee(committee=dossier.committee, by=staff_user).status
        == CommitteeStatus.CLOSED
    )
    with pytest.raises(ValidationError, match="clos"):
        services.send_dossiers(committee=dossier.committee)


def test_the_next_dossier_inherits_the_objectives_to_evaluate(staff_user):
    dossier = dossier_for(
        ("construction", TODAY - timedelta(days=300)), day=TODAY - timedelta(days=180)
    )
    services.record_decision(
        dossier=dossier,
        kind="continue",
        effective_date=dossier.committee.date,
        objectives=["Ouvrir en Bretagne"],
        by=staff_user,
    )
    following = services.create_dossier(committee=committee_on(TODAY), startup=dossier.startup)
    assert following.previous_objectives == [
        {"objective": "Ouvrir en Bretagne", "status": "", "comment": ""}
    ]


def test_sending_freezes_indicators_and_money(staff_user, tranche):
    dossier = dossier_for(("construction", TODAY - timedelta(days=300)))
    startup = dossier.startup
    indicator = Indicator.objects.create(
        startup=startup,
        name="Dossiers déposés",
        unit="dossiers déposés",
        category="used",
        is_north_star=True,
    )
    Measurement.objects.create(
        indicator=indicator, period_start=TODAY.replace(day=1), value=Decimal("120")
    )
    PaymentFactory(
        commitment__allocation__tranche=tranche,
        commitment__allocation__startup=startup,
        commitment__allocation__amount=Decimal("50000"),
        commitment__committed_on=TODAY - timedelta(days=60),
        commitment__amount=Decimal("20000"),
        service_done_on=TODAY - timedelta(days=20),
        paid_on=TODAY - timedelta(days=10),
        amount=Decimal("1234.56"),
    )
    services.send_dossiers(committee=dossier.committee, by=staff_user)
    dossier.refresh_from_db()
    assert dossier.indicators_snapshot[0]["name"] == "Dossiers déposés"
    assert dossier.indicators_snapshot[0]["values"][-1]["value"] == "120"
    assert dossier.money_snapshot["paid"] == "1234.56"
    assert dossier.money_snapshot["to_pay"] == "18765.44"
    # Later corrections do not change what the committee saw.
    Measurement.objects.filter(indicator=indicator).update(value=Decimal("999"))
    services.send_dossiers(committee=dossier.committee, by=staff_user)
    dossier.refresh_from_db()
    assert dossier.indicators_snapshot[0]["values"][-1]["value"] == "120"
    assert dossier.committee.status == CommitteeStatus.DOSSIERS_SENT


def test_next_committee_due_comes_earlier_when_money_runs_out(tranche):
    startup = startup_with_phases(("construction", TODAY - timedelta(days=100)))
    six_months = date(2027, 2, 10)  # construction began on 10 August 2026 (TODAY - 100 days)
    assert due_of(startup) == six_months
    # 12 000 € allocated and committed, 9 000 € paid over the last three months: the 3 000 €
    # left run out in about a month, so the committee is due 45 days before that.
    commitment = CommitmentFactory(
        allocation__tranche=tranche,
        allocation__startup=startup,
        allocation__amount=Decimal("12000"),
        committed_on=TODAY - timedelta(days=100),
        amount=Decimal("12000"),
    )
    for days_ago in (10, 40, 70):
        PaymentFactory(
            commitment=commitment,
            service_done_on=TODAY - timedelta(days=days_ago),
            paid_on=TODAY - timedelta(days=days_ago),
            amount=Decimal("3000"),
        )
    runs_out = money_runs_out_on(startup.pk)
    assert TODAY < runs_out < TODAY + timedelta(days=45)
    assert due_of(startup) == runs_out - timedelta(days=45)
    # A decision taken today says so to partners, and the money it decides counts.
    dossier = DossierFactory(committee=CommitteeFactory(date=TODAY), startup=startup)
    consequences = services.decision_consequences(
        dossier=dossier, kind="continue", effective_date=TODAY
    )
    assert consequences.next_committee_due == runs_out - timedelta(days=45)
    consequences = services.decision_consequences(
        dossier=dossier,
        kind="continue",
        effective_date=TODAY,
        amount=Decimal("100000"),
        tranche=tranche,
    )
    assert consequences.next_committee_due == six_months_after(TODAY)


def due_of(startup) -> date:
    (item,) = [item for item in committees_due(within_days=3650) if item.startup.pk == startup.pk]
    return item.due


def pdf(size=1000):
    return SimpleUploadedFile(
        "bilan.pdf", b"%PDF-1.7\n" + b"0" * size, content_type="application/pdf"
    )


def test_attachments_are_checked_by_type_content_and_size(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = dossier_for(("construction", TODAY - timedelta(days=100)))
    attachment = services.add_attachment(dossier=dossier, uploaded_file=pdf())
    assert attachment.original_name == "bilan.pdf" and attachment.size > 1000
    assert attachment.token in attachment.file.name and "bilan" not in attachment.file.name
    with pytest.raises(ValidationError, match="seuls les PDF"):
        services.add_attachment(dossier=dossier, uploaded_file=SimpleUploadedFile("x.exe", b"MZ"))
    with pytest.raises(ValidationError, match="n'est pas un fichier PDF valide"):
        services.add_attachment(
            dossier=dossier, uploaded_file=SimpleUploadedFile("faux.pdf", b"<html>")
        )
    big = SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * 10)
    big.size = 25 * 2**20
    with pytest.raises(ValidationError, match="20 Mo au plus"):
        services.add_attachment(dossier=dossier, uploaded_file=big)
    assert dossier.attachments.count() == 1


def test_unusable_storage_gives_a_clear_error_and_keeps_the_dossier(settings, tmp_path):
    # A file where the storage folder should be: every write fails, even as root (a chmod
    # would not stop root).
    blocked = tmp_path / "stockage"
    blocked.write_text("pas un dossier")
    settings.MEDIA_ROOT = blocked
    dossier = dossier_for(("construction", TODAY - timedelta(days=100)))
    dossier.problem = "Un problème bien décrit"
    dossier.save()
    with pytest.raises(ValidationError, match="n'a pas pu être enregistré"):
        services.add_attachment(dossier=dossier, uploaded_file=pdf())
    dossier.refresh_from_db()
    assert dossier.problem == "Un problème bien décrit"
    assert dossier.attachments.count() == 0


def test_reviews_are_refused_after_the_deadline(partner_a, organisation_a):
    dossier = dossier_for(
        ("construction", TODAY - timedelta(days=100)), day=TODAY + timedelta(days=3)
    )
    with pytest.raises(ValidationError, match="date limite de relecture"):
        services.save_review(
            dossier=dossier, organisation=organisation_a, author=partner_a, opinion="favourable"
        )
    dossier.committee.pre_read_deadline = TODAY
    dossier.committee.save()
    review = services.save_review(
        dossier=dossier,
        organisation=organisation_a,
        author=partner_a,
        opinion="reserved",
        questions="Quel coût ?",
    )
    assert review.opinion == "reserved"
