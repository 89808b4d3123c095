"""The registry's questions: current phase, status, overstay, search; the rules the database keeps."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from startups.models import Phase, Startup, today
from startups.phases import PhaseKind, StartupStatus
from tests.factories import PhaseFactory, StartupFactory, startup_with_phases

pytestmark = pytest.mark.django_db

INV = PhaseKind.INVESTIGATION
CONS = PhaseKind.CONSTRUCTION


def current(startup, on=None):
    row = Startup.objects.with_current_phase(on).get(pk=startup.pk)
    return row.current_phase_kind, row.current_phase_start


def ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


# --- Current phase ----------------------------------------------------------------------------
def test_it_takes_the_latest_phase_started_on_or_before_the_day_as_current():
    startup = startup_with_phases(
        (INV, date(2024, 1, 1)),
        (CONS, date(2024, 3, 1)),
        (PhaseKind.ACCELERATION, date(2025, 3, 1)),
    )
    assert current(startup, date(2023, 12, 31)) == (None, None)
    assert current(startup, date(2024, 1, 1)) == (INV, date(2024, 1, 1))
    assert current(startup, date(2024, 2, 29)) == (INV, date(2024, 1, 1))
    assert current(startup, date(2024, 3, 1)) == (CONS, date(2024, 3, 1))
    assert current(startup, date(2030, 1, 1)) == (PhaseKind.ACCELERATION, date(2025, 3, 1))


def test_a_phase_starting_in_the_future_is_not_current():
    day = today()
    startup = startup_with_phases((INV, day - timedelta(days=20)), (CONS, day + timedelta(days=10)))
    assert current(startup) == (INV, day - timedelta(days=20))
    assert startup.current_phase.kind == INV
    assert startup.status == StartupStatus.ACTIVE


def test_the_end_of_the_last_phase_does_not_end_the_startup():
    startup = StartupFactory()
    PhaseFactory(startup=startup, kind=CONS, start=date(2021, 1, 1), end=date(2021, 12, 31))
    assert current(startup, date(2024, 6, 1)) == (CONS, date(2021, 1, 1))


def test_the_current_phase_annotation_and_property_agree():
    day = today()
    startup = startup_with_phases(
        (INV, day - timedelta(days=200)), (CONS, day - timedelta(days=100))
    )
    annotated = Startup.objects.with_current_phase().get(pk=startup.pk)
    fresh = Startup.objects.get(pk=startup.pk)
    assert annotated.current_kind == fresh.current_kind == CONS
    assert annotated.current_start == fresh.current_start == day - timedelta(days=100)
    assert fresh.current_kind_label == "Construction"


# --- Status -----------------------------------------------------------------------------------
def test_it_tells_active_handed_over_stopped_and_not_started_startups_apart():
    day = today()
    long_ago = day - timedelta(days=400)
    recently = day - timedelta(days=30)
    active = startup_with_phases((INV, long_ago), (CONS, recently), id="active")
    transferred = startup_with_phases(
        (CONS, long_ago), (PhaseKind.TRANSFERRED, recently), id="transferee"
    )
    operated = startup_with_phases((CONS, long_ago), (PhaseKind.OPERATED, recently), id="operee")
    stopped = startup_with_phases((CONS, long_ago), (PhaseKind.STOPPED, recently), id="arretee")
    dropped = startup_with_phases(
        (INV, long_ago), (PhaseKind.INVESTIGATION_DROPPED, recently), id="non-concluante"
    )
    planned = startup_with_phases((INV, day + timedelta(days=5)), id="prevue")
    empty = StartupFactory(id="sans-phase")

    assert ids(Startup.objects.active()) == ["active"]
    assert ids(Startup.objects.with_status(StartupStatus.HANDED_OVER)) == ["operee", "transferee"]
    assert ids(Startup.objects.with_status(StartupStatus.STOPPED)) == ["arretee", "non-concluante"]
    assert ids(Startup.objects.with_status(StartupStatus.NOT_STARTED)) == ["prevue", "sans-phase"]
    expected = {
        active: StartupStatus.ACTIVE,
        transferred: StartupStatus.HANDED_OVER,
        operated: StartupStatus.HANDED_OVER,
        stopped: StartupStatus.STOPPED,
        dropped: StartupStatus.STOPPED,
        planned: StartupStatus.NOT_STARTED,
        empty: StartupStatus.NOT_STARTED,
    }
    assert {s: Startup.objects.get(pk=s.pk).status for s in expected} == expected


def test_a_restart_after_a_stop_makes_the_startup_active_again():
    day = today()
    startup = startup_with_phases(
        (INV, day - timedelta(days=400)),
        (PhaseKind.INVESTIGATION_DROPPED, day - timedelta(days=300)),
        (INV, day - timedelta(days=20)),
    )
    assert ids(Startup.objects.active()) == [startup.pk]
    assert ids(Startup.objects.active(on=day - timedelta(days=100))) == []


# --- Overstay ---------------------------------------------------------------------------------
def test_an_investigation_started_100_days_ago_is_overstaying_and_30_days_is_not():
    day = today()
    late = startup_with_phases((INV, day - timedelta(days=100)), id="en-retard")
    startup_with_phases((INV, day - timedelta(days=30)), id="dans-les-temps")
    assert ids(Startup.objects.overstaying()) == ["en-retard"]
    # 9 weeks are expected: 100 days is 37 days over.
    assert Startup.objects.get(pk="en-retard").overstay == timedelta(days=37)
    assert Startup.objects.get(pk="dans-les-temps").overstay is None
    assert late.current_phase_age == timedelta(days=100)


def test_it_measures_overstay_against_the_expected_length_of_each_phase():
    day = today()
    startup_with_phases((CONS, day - timedelta(days=400)), id="construction-longue")
    startup_with_phases((CONS, day - timedelta(days=300)), id="construction")
    startup_with_phases((PhaseKind.CONSOLIDATION, day - timedelta(days=200)), id="consolidation")
    startup_with_phases((PhaseKind.ACCELERATION, day - timedelta(days=700)), id="acceleration")
    # A handed-over or stopped startup no longer has a phase to overstay.
    startup_with_phases((PhaseKind.TRANSFERRED, day - timedelta(days=3000)), id="transferee")
    startup_with_phases((PhaseKind.STOPPED, day - timedelta(days=3000)), id="arretee")
    assert ids(Startup.objects.overstaying()) == ["consolidation", "construction-longue"]
    assert Startup.objects.get(pk="transferee").overstay is None


def test_overstaying_is_measured_on_the_given_day():
    startup_with_phases((INV, date(2024, 1, 1)), (CONS, date(2024, 3, 1)), id="s")
    # On 2024-02-29 the investigation is 59 days old (under 9 weeks); later, construction.
    assert ids(Startup.objects.overstaying(on=date(2024, 2, 29))) == []
    assert ids(Startup.objects.overstaying(on=date(2024, 3, 10))) == []
    assert ids(Startup.objects.overstaying(on=date(2025, 3, 10))) == ["s"]


# --- Search -----------------------------------------------------------------------------------
def test_search_ignores_accents_and_case():
    StartupFactory(
        id="demarches-simplifiees",
        title="Démarches Simplifiées",
        mission="Dématérialiser les démarches administratives",
        description="Un formulaire en ligne pour les Collectivités.",
    )
    StartupFactory(id="autre", title="Aides jeunes", mission="Simuler ses droits", description="")
    for text in [
        "démarches",
        "DEMARCHES",
        "Demarches simplifiees",
        "  SIMPLIFIÉES   démarches ",
        "dématérialiser",
        "collectivites",
        "formulaire LIGNE",
    ]:
        assert ids(Startup.objects.search(text)) == ["demarches-simplifiees"], text
    assert ids(Startup.objects.search("démarches jeunes")) == []
    assert ids(Startup.objects.search("")) == ["autre", "demarches-simplifiees"]


def test_search_finds_a_startup_by_its_id():
    StartupFactory(id="données-et-territoires", title="Territoires", mission="", description="")
    assert ids(Startup.objects.search("donnees-et")) == ["données-et-territoires"]


def test_search_follows_a_change_of_title():
    startup = StartupFactory(title="Ancien nom", mission="", description="")
    startup.title = "Nouvel Intitulé"
    startup.save(update_fields=["title"])
    assert ids(Startup.objects.search("intitule")) == [startup.pk]
    assert ids(Startup.objects.search("ancien")) == []


# --- Rules kept by the database ---------------------------------------------------------------
def test_the_database_refuses_two_overlapping_phases_of_a_startup():
    startup = StartupFactory()
    PhaseFactory(startup=startup, kind=INV, start=date(2024, 1, 1), end=date(2024, 2, 29))
    with (
        pytest.raises(IntegrityError, match="phases_of_a_startup_never_overlap"),
        transaction.atomic(),
    ):
        PhaseFactory(startup=startup, kind=CONS, start=date(2024, 2, 15))
    # A phase includes its end day: starting on it overlaps too.
    with (
        pytest.raises(IntegrityError, match="phases_of_a_startup_never_overlap"),
        transaction.atomic(),
    ):
        PhaseFactory(startup=startup, kind=CONS, start=date(2024, 2, 29))
    PhaseFactory(startup=startup, kind=CONS, start=date(2024, 3, 1))
    assert startup.phases.count() == 2


def test_the_database_refuses_a_phase_starting_inside_an_open_ended_one():
    startup = StartupFactory()
    PhaseFactory(startup=startup, kind=CONS, start=date(2024, 1, 1), end=None)
    with (
        pytest.raises(IntegrityError, match="phases_of_a_startup_never_overlap"),
        transaction.atomic(),
    ):
        Phase.objects.create(startup=startup, kind=INV, start=date(2023, 6, 1))
    with (
        pytest.raises(IntegrityError, match="phases_of_a_startup_never_overlap"),
        transaction.atomic(),
    ):
        Phase.objects.create(startup=startup, kind=PhaseKind.ACCELERATION, start=date(2030, 1, 1))
    Phase.objects.create(startup=startup, kind=INV, start=date(2023, 6, 1), end=date(2023, 12, 31))
    assert startup.phases.count() == 2


def test_phases_of_different_startups_may_overlap():
    PhaseFactory(kind=INV, start=date(2024, 1, 1))
    PhaseFactory(kind=INV, start=date(2024, 1, 1))
    assert Phase.objects.count() == 2


def test_the_database_refuses_a_phase_ending_before_it_starts():
    startup = StartupFactory()
    with pytest.raises(IntegrityError, match="phase_ends_after_it_starts"), transaction.atomic():
        PhaseFactory(startup=startup, start=date(2024, 3, 1), end=date(2024, 2, 1))
    PhaseFactory(startup=startup, start=date(2024, 3, 1), end=date(2024, 3, 1))
    assert startup.phases.get().duration() == timedelta(days=1)
