"""The monthly report alerts on an allocation whose period runs past the convention's end
(issue 13: a decision funded six months beyond it, and nothing said)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from budgets import services
from budgets.report import _length, monthly_report, report_csv
from committees import services as committees
from tests.clock import TODAY
from tests.factories import StartupFactory, startup_with_phases
from tests.factories_budgets import AllocationFactory, TrancheFactory
from tests.factories_committees import CommitteeFactory, dossier_for

pytestmark = pytest.mark.django_db

OVERRUN = (
    "Allocation « Aidants » (tranche 1) : sa période va jusqu'au 31/12/2027, 184 jours (6 mois) "
    "après la fin de la convention (30/06/2027) ; au-delà, rien ne peut y être engagé ni payé "
    "sans avenant qui prolonge la convention."
)


@pytest.fixture
def tranche():
    return TrancheFactory(
        number=1,
        convention__reference="CONV-FIN",
        convention__start=date(2026, 1, 1),
        convention__end=date(2027, 6, 30),
        available_on=date(2026, 1, 15),
    )


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2027-06-30", "2027-12-31", "184 jours (6 mois)"),  # month ends to month ends
        ("2027-06-30", "2027-08-15", "46 jours (1 mois et 15 jours)"),
        ("2027-06-30", "2027-07-30", "30 jours (1 mois)"),  # the same day a month later
        ("2027-06-29", "2027-07-28", "29 jours"),  # the day before: not a month yet
        ("2027-06-30", "2027-07-31", "31 jours (1 mois)"),
        ("2027-06-30", "2027-07-01", "1 jour"),
        ("2027-01-31", "2027-02-28", "28 jours (1 mois)"),
        ("2027-01-15", "2028-01-16", "366 jours (12 mois et 1 jour)"),
    ],
)
def test_the_length_of_an_overrun(since, until, expected):
    assert _length(date.fromisoformat(since), date.fromisoformat(until)) == expected


def test_an_allocation_running_past_the_convention_is_named_with_its_overrun(tranche):
    AllocationFactory(
        tranche=tranche,
        startup=StartupFactory(title="Aidants"),
        period_start=date(2027, 1, 1),
        period_end=date(2027, 12, 31),
    )
    # Inside the period, to its last day: no alert; no period (made by hand): no alert.
    AllocationFactory(tranche=tranche, period_start=date(2027, 1, 1), period_end=date(2027, 6, 30))
    AllocationFactory(tranche=tranche)
    report = monthly_report(tranche.convention, date(2026, 10, 1))
    assert report.alerts == [OVERRUN]
    assert f'\r\nAlertes\r\n"{OVERRUN}"\r\n' in report_csv(report)  # quoted: it holds a ;


def test_an_amendment_signed_by_the_months_end_moves_the_end(tranche):
    AllocationFactory(
        tranche=tranche, startup=StartupFactory(title="Aidants"), period_end=date(2027, 12, 31)
    )
    services.add_amendment(
        convention=tranche.convention,
        signed_on=date(2026, 11, 5),
        reason="Prolongation",
        new_end=date(2027, 9, 30),
    )
    # October's report stands as it was printed; November's reads the amended end.
    assert monthly_report(tranche.convention, date(2026, 10, 1)).alerts == [OVERRUN]
    assert monthly_report(tranche.convention, date(2026, 11, 1)).alerts == [
        "Allocation « Aidants » (tranche 1) : sa période va jusqu'au 31/12/2027, 92 jours "
        "(3 mois) après la fin de la convention (30/09/2027) ; au-delà, rien ne peut y être "
        "engagé ni payé sans avenant qui prolonge la convention."
    ]


def test_a_decision_funding_past_the_convention_shows_in_the_report_page_and_csv(
    tranche, staff_user, staff_client
):
    startup = startup_with_phases(
        ("construction", TODAY - timedelta(days=100)), title="Aidants Connect"
    )
    committees.record_decision(
        dossier=dossier_for(CommitteeFactory(date=TODAY), startup),
        kind="continue",
        effective_date=date(2027, 1, 1),
        amount=D("150000"),
        tranche=tranche,
        period_end=date(2027, 12, 31),
        by=staff_user,
    )
    url = (
        f"/admin/budgets/convention/rapport-mensuel/?convention={tranche.convention.pk}"
        "&mois=2026-11"
    )
    alert = (
        "Allocation « Aidants Connect » (tranche 1) : sa période va jusqu&#x27;au 31/12/2027, "
        "184 jours (6 mois) après la fin de la convention (30/06/2027)"
    )
    assert alert in staff_client.get(url).content.decode()
    sheet = staff_client.get(url + "&format=csv").content.decode("utf-8-sig")
    assert alert.replace("&#x27;", "'") in sheet
