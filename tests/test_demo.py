"""The demo's story (`seed_demo`): its invariants, its roles, the same database every time.

Reads the beta.gouv.fr corpus where it lies (settings.BETAGOUV_DATA, never copied).
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Sum

from budgets.models import Allocation, Commitment, Convention, Payment, Tranche
from budgets.selectors import startup_figures
from committees.models import Committee, CommitteeStatus, Decision, DecisionKind, Dossier
from impact.models import Indicator
from portfolio import demo
from portfolio.demo_story import REFERENCE_DATE, STARTUP_IDS
from startups.models import Phase, Startup

DATA = Path(settings.BETAGOUV_DATA)
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (DATA / "startups").is_dir(),
        reason=f"corpus beta.gouv.fr absent ({DATA}) : définir BETAGOUV_DATA pour ces tests",
    ),
]
K = Decimal(1000)


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    """The demo seeded once for this file, rolled back at its end. It is told twice from the
    imported corpus (the first telling rolled back): `first` is what the first one wrote."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo.load_portfolio(write=lambda _: None)
        demo.ensure_demo_accounts()
        before = transaction.savepoint_create()
        demo.seed_everything_else(write=lambda _: None)
        first = dump()
        transaction.savepoint_rollback(before)
        demo.seed_everything_else(write=lambda _: None)
        yield first
        transaction.set_rollback(True)


def test_the_reference_day_is_the_suite_s():
    """Tests and screenshots see the demo on the day it was built."""
    from tests.clock import TODAY

    assert REFERENCE_DATE == TODAY


def test_every_allocation_comes_from_a_decision_and_every_rule_holds(story):
    assert Allocation.objects.count() > 30
    for allocation in Allocation.objects.all():
        assert allocation.startup_id in STARTUP_IDS
        assert Decision.objects.filter(allocation=allocation).count() == 1
    for decision in Decision.objects.filter(kind=DecisionKind.CONTINUE):
        assert decision.amount and decision.amount > 0, decision
        assert decision.allocation.amount == decision.amount
    for convention in Convention.objects.all():
        released = convention.tranches.aggregate(total=Sum("ae_amount"))["total"]
        assert released <= convention.current_ceiling
    for tranche in Tranche.objects.all():
        allocated = tranche.allocations.aggregate(total=Sum("amount"))["total"] or 0
        paid = Payment.objects.filter(commitment__allocation__tranche=tranche).aggregate(
            total=Sum("amount")
        )["total"]
        assert allocated <= tranche.ae_amount and (paid or 0) <= tranche.cp_amount
    for allocation in Allocation.objects.all():
        committed = allocation.commitments.aggregate(total=Sum("amount"))["total"] or 0
        assert committed <= allocation.amount
    for commitment in Commitment.objects.all():
        paid = commitment.payments.aggregate(total=Sum("amount"))["total"] or 0
        assert paid <= commitment.amount
        assert commitment.committed_on >= commitment.allocation.tranche.available_on
    assert not Payment.objects.filter(paid_on__gt=REFERENCE_DATE).exists()
    # The convention of DOMAIN.md: 3 M€, a first tranche of 1.5 M€ split 700/200/200/400 k€.
    mte = Convention.objects.get(reference="MTE-DINUM-DG-2025-01")
    assert mte.ceiling == 3000 * K and (mte.end - mte.start).days in range(545, 550)
    first = mte.tranches.get(number=1)
    assert first.ae_amount == 1500 * K
    assert sorted(a.amount for a in first.allocations.all()) == [200 * K, 200 * K, 400 * K, 700 * K]
    assert Convention.objects.exclude(delegant=mte.delegant).count() == 1


def test_the_rest_of_the_corpus_stays_as_imported(story):
    others = Startup.objects.exclude(pk__in=STARTUP_IDS)
    assert others.count() > 600
    assert not Indicator.objects.filter(startup__in=others).exists()
    assert not Allocation.objects.filter(startup__in=others).exists()
    assert not Dossier.objects.filter(startup__in=others).exists()
    assert set(Startup.objects.filter(pk__in=STARTUP_IDS).values_list("incubator", flat=True)) == {
        "mtes",
        "accelerema",
        "agriculture",
    }


def test_each_demo_startup_has_a_history_and_the_story_its_roles(story):
    for startup_id in STARTUP_IDS:
        figures = startup_figures(startup_id, REFERENCE_DATE)
        assert figures.allocated > 0 and figures.committed > 0 and figures.paid > 0, startup_id
        indicators = Indicator.objects.filter(startup_id=startup_id)
        assert indicators.filter(is_north_star=True).count() == 1
        assert 3 <= indicators.count() <= 5
        star = indicators.get(is_north_star=True)
        values = list(star.measurements.order_by("period_start").values_list("value", flat=True))
        assert len(values) >= 6 and values[-1] > values[0], startup_id  # it moved, upwards
        construction = Phase.objects.filter(startup_id=startup_id, kind="construction").get()
        first = Dossier.objects.filter(startup_id=startup_id).order_by("committee__date").first()
        months = (first.committee.date - construction.start).days / 30.4
        assert 5 <= months <= 11, (startup_id, months)
    # One stopped, one moved to accélération, one extended for two months.
    stopped = Startup.objects.with_current_phase(REFERENCE_DATE).filter(
        pk__in=STARTUP_IDS, current_phase_kind="abandon"
    )
    assert [s.pk for s in stopped] == ["viz-eau"]
    assert (
        Decision.objects.filter(kind=DecisionKind.NEXT_PHASE, phase_started="acceleration").count()
        == 1
    )
    [extension] = Decision.objects.filter(kind=DecisionKind.EXTEND)
    assert extension.new_committee_date - extension.effective_date == timedelta(days=56)
    assert Dossier.objects.filter(
        startup=extension.dossier.startup, committee__date=extension.new_committee_date
    ).exists()
    # About to run out of money; a stale North Star; a startup past its expected phase length.
    runs_out = startup_figures("ecopass", REFERENCE_DATE).runs_out_on
    assert REFERENCE_DATE < runs_out <= REFERENCE_DATE + timedelta(days=45)
    stale = Indicator.objects.north_stars().filter(startup_id__in=STARTUP_IDS).stale(REFERENCE_DATE)
    assert [i.startup_id for i in stale] == ["lucca", "viz-eau"]
    overstaying = Startup.objects.filter(pk__in=STARTUP_IDS).overstaying(REFERENCE_DATE)
    assert overstaying.filter(pk="mon-devis-sans-oublis").exists()
    # Half-yearly committees with several dossiers each (the extension's one has its own).
    past = Committee.objects.filter(date__lt=REFERENCE_DATE)
    assert all(c.status == CommitteeStatus.CLOSED for c in past)
    assert sorted(c.dossiers.count() for c in past)[1:] >= [3] * (past.count() - 1)


def test_the_committee_to_come_has_dossiers_in_every_state(story):
    committee = Committee.objects.get(date__gt=REFERENCE_DATE)
    assert committee.status == CommitteeStatus.DOSSIERS_SENT and committee.review_open
    dossiers = list(committee.dossiers.prefetch_related("reviews"))
    incomplete = [d for d in dossiers if d.missing_parts()]
    complete_unsent = [d for d in dossiers if not d.missing_parts() and not d.is_frozen]
    sent = [d for d in dossiers if d.is_frozen and not d.reviews.all()]
    reviewed = [d for d in dossiers if d.is_frozen and d.reviews.all()]
    assert len(incomplete) == 2 and len(complete_unsent) == 2
    assert len(sent) == 2 and len(reviewed) == 2
    # Each partner has a sent dossier of a startup its organisation funds still to review.
    for organisation_id in ("dgaln", "agriculture"):
        assert any(d.startup.sponsors.filter(pk=organisation_id).exists() for d in sent)
    for dossier in sent + reviewed:
        assert dossier.indicators_snapshot and dossier.money_snapshot["on"] < str(REFERENCE_DATE)


# --- Same database every time -----------------------------------------------------------------
DEMO_MODELS = [
    "budgets.Convention",
    "budgets.Tranche",
    "budgets.Allocation",
    "budgets.Commitment",
    "budgets.Payment",
    "committees.Committee",
    "committees.Dossier",
    "committees.PartnerReview",
    "committees.Decision",
    "impact.Indicator",
    "impact.Measurement",
    "startups.Phase",
    "startups.Event",
]


def dump() -> dict:
    """Every row of the demo's tables, ids replaced by each row's rank in its table (sequences
    are not rolled back, ranks are), timestamps included: the story runs at its own dates."""
    ranks = {}
    for label in DEMO_MODELS:
        model = apps.get_model(label)
        ids = model.objects.order_by("pk").values_list("pk", flat=True)
        ranks[model] = {pk: rank for rank, pk in enumerate(ids)}
    content = {}
    for label in DEMO_MODELS:
        model = apps.get_model(label)
        rows = []
        for row in model.objects.order_by("pk").values():
            for item in model._meta.concrete_fields:
                if item.primary_key and isinstance(item, models.AutoField):
                    row.pop(item.attname)
                elif item.is_relation and item.related_model in ranks:
                    target = row[item.attname]
                    row[item.attname] = (
                        None if target is None else ranks[item.related_model][target]
                    )
                elif item.name in ("author", "recorded_by"):
                    row.pop(item.attname)  # user ids: accounts made before the story
            rows.append(row)
        content[label] = rows
    return content


def test_seed_demo_twice_gives_the_same_database(story):
    """Told again from the imported corpus, the story writes the same rows; and `seed_demo`
    on a database that has it writes nothing."""
    assert len(story["impact.Measurement"]) > 1000 and len(story["budgets.Payment"]) > 500
    assert dump() == story
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert dump() == story
