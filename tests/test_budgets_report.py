"""The monthly report on a hand-computed case, from the function, the command and the admin."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from budgets.report import monthly_report, report_csv
from publishing.exports import neutralise
from tests.factories import StartupFactory
from tests.factories_budgets import (
    AllocationFactory,
    CommitmentFactory,
    PaymentFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def convention():
    tranche = TrancheFactory(
        number=1, convention__reference="CONV-TEST", ae_amount=D("1000"), cp_amount=D("1000")
    )
    alpha = AllocationFactory(
        tranche=tranche, amount=D("500"), startup=StartupFactory(title="Alpha")
    )
    team = AllocationFactory(
        tranche=tranche, amount=D("400"), startup=None, workstream="équipe transverse"
    )
    beta = AllocationFactory(tranche=tranche, amount=D("100"), startup=StartupFactory(title="Beta"))
    alpha_dev = CommitmentFactory(
        allocation=alpha, committed_on=date(2025, 9, 10), amount=D("200.00")
    )
    CommitmentFactory(
        allocation=alpha, committed_on=date(2025, 10, 5), amount=D("260.50"), activity="design"
    )
    coaching = CommitmentFactory(
        allocation=team, committed_on=date(2025, 10, 20), amount=D("100.00"), activity="coaching"
    )
    beta_dev = CommitmentFactory(allocation=beta, committed_on=date(2025, 8, 1), amount=D("100"))

    def pay(commitment, day, amount):
        PaymentFactory(commitment=commitment, service_done_on=day, paid_on=day, amount=D(amount))

    pay(alpha_dev, date(2025, 9, 30), "50.00")
    pay(alpha_dev, date(2025, 10, 15), "60.00")
    pay(coaching, date(2025, 10, 31), "25.25")
    pay(coaching, date(2025, 11, 5), "10.00")  # after the month: not counted
    for month in (8, 9, 10):
        pay(beta_dev, date(2025, month, 28), "30.00")
    return tranche.convention


def test_the_monthly_report_on_a_hand_computed_case(convention):
    report = monthly_report(convention, date(2025, 10, 1))
    rows = [
        (r.beneficiary, r.activity, r.month_committed, r.month_paid, r.committed, r.paid)
        for r in report.rows
    ]
    assert rows == [
        ("Alpha", "Design", D("260.50"), D("0"), D("260.50"), D("0")),
        ("Alpha", "Développement", D("0"), D("60.00"), D("200.00"), D("110.00")),
        ("Beta", "Développement", D("0"), D("30.00"), D("100.00"), D("90.00")),
        (
            "équipe transverse",
            "Coaching / pilotage",
            D("100.00"),
            D("25.25"),
            D("100.00"),
            D("25.25"),
        ),
    ]
    assert {r.uo for r in report.rows} == {"0103-CEFP-C003"}
    total = report.total()
    assert (total.month_committed, total.month_paid, total.committed, total.paid) == (
        D("360.50"),
        D("115.25"),
        D("660.50"),
        D("225.25"),
    )
    [tranche] = report.tranches
    assert (tranche.ae_left, tranche.cp_left, tranche.unallocated) == (
        D("339.50"),
        D("774.75"),
        D("0"),
    )
    assert report.alerts == [
        "Allocation « Alpha » (tranche 1) engagée à 92% : il reste 39,50 € disponibles.",
        "Allocation « Beta » (tranche 1) engagée à 100% : il reste 0,00 € disponibles.",
        # 10 € left, 90 € paid in the 92 days up to 31/10: 11 days.
        "Allocation « Beta » (tranche 1) : au rythme des trois derniers mois (30,00 € par mois), "
        "l'argent sera épuisé le 11/11/2025, dans moins de 45 jours.",
    ]


def test_an_exhausted_tranche_is_reported(convention):
    tranche = convention.tranches.get()
    AllocationFactory(
        tranche=TrancheFactory(convention=convention, number=2, ae_amount=D("10")), amount=D("10")
    )
    CommitmentFactory(allocation=convention.tranches.last().allocations.get(), amount=D("10"))
    report = monthly_report(convention, date(2025, 10, 1))
    assert "Tranche 2 épuisée : toutes ses AE sont engagées." in report.alerts
    assert tranche.number == 1


def test_the_command_prints_the_report(convention, capsys):
    call_command("budget_report", convention="CONV-TEST", month="2025-10")
    out = capsys.readouterr().out
    assert "Rapport mensuel — convention CONV-TEST — 10/2025" in out
    assert "660,50 €" in out and "épuisé le 11/11/2025" in out


def test_the_command_writes_csv(convention, capsys):
    call_command("budget_report", convention="CONV-TEST", month="2025-10", format="csv")
    out = capsys.readouterr().out
    assert out == report_csv(monthly_report(convention, date(2025, 10, 1)))
    assert "0103-CEFP-C003;Alpha;Design;260,50;0,00;260,50;0,00;260,50" in out
    assert not out.startswith("\ufeff")  # the terminal's copy: no BOM


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"convention": "NOPE", "month": "2025-10"}, "Convention « NOPE » inconnue"),
        ({"convention": "CONV-TEST", "month": "octobre"}, "n'est pas un mois"),
    ],
)
def test_the_command_explains_bad_arguments(convention, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("budget_report", **options)


def test_the_admin_shows_and_downloads_the_report(convention, staff_client):
    url = f"/admin/budgets/convention/rapport-mensuel/?convention={convention.pk}&mois=2025-10"
    response = staff_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "engagée à 92%" in content and "660,50" in content
    response = staff_client.get(url + "&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # for a French spreadsheet
    assert "Alpha;Design;260,50;0,00" in response.content.decode("utf-8-sig")


def test_the_report_page_is_for_staff_only(client):
    response = client.get("/admin/budgets/convention/rapport-mensuel/")
    assert response.status_code == 302


def test_the_csv_report_neutralises_formulas_and_lists_allocations_without_commitments():
    tranche = TrancheFactory(number=1, convention__reference="CONV-F", convention__uo="-UO")
    AllocationFactory(tranche=tranche, startup=None, workstream="=1+1")
    AllocationFactory(tranche=tranche, startup=StartupFactory(title="@Startup"))
    report = monthly_report(tranche.convention, date(2025, 10, 1))
    assert [(r.uo, r.beneficiary, r.activity, r.committed) for r in report.rows] == [
        ("-UO", "=1+1", "—", D("0")),
        ("-UO", "@Startup", "—", D("0")),
    ]
    out = report_csv(report)
    assert "'-UO;'=1+1;—;0,00;0,00;0,00;0,00;0,00" in out
    assert "'-UO;'@Startup;—;" in out
    assert "=1+1" not in out.replace("'=1+1", "")


def test_two_allocations_of_one_startup_have_distinct_alerts():
    tranche = TrancheFactory(number=1)
    startup = StartupFactory(title="Gamma")
    for amount in ("100", "200"):
        allocation = AllocationFactory(tranche=tranche, startup=startup, amount=D(amount))
        CommitmentFactory(allocation=allocation, amount=D(amount), committed_on=date(2025, 3, 1))
    alerts = monthly_report(tranche.convention, date(2025, 10, 1)).alerts
    assert len(alerts) == 2 and len(set(alerts)) == 2
    assert "de 200,00 € (tranche 1) engagée à 100%" in alerts[1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=A1", "'=A1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("==1", "'==1"),
        ("\nx", "'\nx"),
        # Blanks before a sign: spreadsheets trim them and run the formula.
        (" =A1", "' =A1"),
        ("  +1", "'  +1"),
        ("\t=A1", "'\t=A1"),
        ("\n=A1", "'\n=A1"),
        ("\u00a0@x", "'\u00a0@x"),
        ("\u3000=A1", "'\u3000=A1"),
        # Full-width and small signs are read as the ASCII ones.
        ("＝A1", "'＝A1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        ("﹦A1", "'﹦A1"),
        (" ＝A1", "' ＝A1"),
        ("a ＝ 1", "a ＝ 1"),
        ("  ", "  "),
        ("a=1", "a=1"),
        ("", ""),
        (D("-12.50"), D("-12.50")),
        (3, 3),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected
