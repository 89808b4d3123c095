"""The money's date rules on their edges, on purpose.

- A month runs from its 1st to its last day (31st, 30th, 28th or 29 February), both in it: the
  monthly report (function, `budget_report` command, admin page) counts a commitment or a
  payment of those days in that month and not in the next or the previous one, cumulates to
  the last day and never counts the day after.
- AE and CP are annual: 31 December is in its year, 1 January in the next. The by-year lines
  (/budget/, a startup's block) say the reste à payer at 31/12 (committed − paid up to that
  day); the year in progress says the day its figure is at. The year changes at local
  midnight in Paris, not in UTC.
- The burn rate's window (the three months up to the day) across 1 January and 29 February;
  the run-out date is the stated day and never crashes.
- The nights the clocks change in Paris: "today" is the local day at 00:30 and at 02:30.
- The services' date checks accept the first and last day of a period and refuse the next.

Every expected value is computed by hand in the comments.
"""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.template import Context, Template

from budgets import public, selectors, services
from budgets.models import Allocation, Figures, figures_by, months_before
from budgets.report import monthly_report, report_csv
from tests.clock import TODAY, paris, today
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
DAY = timedelta(days=1)
REPORT_URL = "/admin/budgets/convention/rapport-mensuel/"


def commit(allocation, day: date, amount: str, **fields):
    return CommitmentFactory(allocation=allocation, committed_on=day, amount=D(amount), **fields)


def pay(commitment, day: date, amount: str):
    return PaymentFactory(commitment=commitment, service_done_on=day, paid_on=day, amount=D(amount))


def plain(markup: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    return " ".join(text.split())


def table_rows(markup: str) -> dict[str, list[str]]:
    """{row header: [cell texts]} of every `<tr><th scope="row">` of a public figures table."""
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', markup, re.S)
    return {
        plain(label): [plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        for label, cells in rows
    }


def render_block(startup) -> str:
    return Template("{% load budgets_tags %}{% startup_budget startup %}").render(
        Context({"startup": startup})
    )


# --- 1. The first and the last day of a month: the monthly report ------------------------------
MONTHS = [
    pytest.param(date(2024, 2, 1), date(2024, 2, 29), id="february-of-a-leap-year"),
    pytest.param(date(2025, 2, 1), date(2025, 2, 28), id="february"),
    pytest.param(date(2025, 4, 1), date(2025, 4, 30), id="month-of-30-days"),
    pytest.param(date(2025, 12, 1), date(2025, 12, 31), id="december"),
    pytest.param(date(2026, 1, 1), date(2026, 1, 31), id="january"),
]


def month_edges(first: date, last: date):
    """One allocation, a commitment and payments on the day before `first`, on `first`, on
    `last` and on the day after `last`; amounts are powers of two so that each sum says which
    rows it holds."""
    tranche = TrancheFactory(
        number=1,
        convention__reference="CONV-MOIS",
        convention__start=date(2024, 1, 1),
        available_on=date(2024, 1, 1),
        cp_amount=D("10000"),
    )
    alpha = AllocationFactory(tranche=tranche, amount=D("5000"), startup__title="Alpha")
    before, after = first - DAY, last + DAY
    on_before = commit(alpha, before, "100")
    on_first = commit(alpha, first, "200")
    on_last = commit(alpha, last, "400")
    commit(alpha, after, "800")
    pay(on_before, before, "1")
    pay(on_before, first, "2")
    pay(on_first, last, "4")
    pay(on_last, after, "8")
    pay(on_before, after, "16")
    return tranche.convention


def report_figures(report) -> tuple:
    [row] = report.rows
    return (row.month_committed, row.month_paid, row.committed, row.paid)


@pytest.mark.parametrize(("first", "last"), MONTHS)
def test_the_first_and_the_last_day_are_in_the_month_and_cumulated(first, last):
    convention = month_edges(first, last)
    report = monthly_report(convention, last)  # any day of the month names it
    assert (report.month, report.end) == (first, last)
    # Month: 200 + 400 committed, 2 + 4 paid; cumulated: 100 more committed, 1 more paid; the
    # commitment (800) and the payments (8, 16) of the day after are not counted.
    assert report_figures(report) == (D("600"), D("6"), D("700"), D("7"))
    [tranche] = report.tranches
    assert (tranche.figures.committed, tranche.figures.paid) == (D("700"), D("7"))
    assert tranche.cp_left == D("9993")


@pytest.mark.parametrize(("first", "last"), MONTHS)
def test_the_day_before_and_the_day_after_belong_to_the_neighbour_months(first, last):
    convention = month_edges(first, last)
    previous = monthly_report(convention, first - DAY)
    assert previous.end == first - DAY
    assert report_figures(previous) == (D("100"), D("1"), D("100"), D("1"))
    following = monthly_report(convention, last + DAY)
    assert following.month == last + DAY
    # 800 committed and 8 + 16 paid on its 1st; cumulated: 100 + 200 + 400 + 800, 1 + 2 + 4 + 24.
    assert report_figures(following) == (D("800"), D("24"), D("1500"), D("31"))


@pytest.mark.parametrize(("first", "last"), MONTHS)
def test_the_command_reports_the_month_to_its_last_day(first, last, capsys):
    month_edges(first, last)
    call_command("budget_report", convention="CONV-MOIS", month=f"{first:%Y-%m}")
    out = capsys.readouterr().out
    assert f"— {first:%m/%Y}\n(cumul au {last:%d/%m/%Y})" in out
    assert re.search(r"Total\s+600,00 €\s+6,00 €\s+700,00 €\s+7,00 €\n", out), out


@pytest.mark.parametrize(("first", "last"), MONTHS)
def test_the_admin_page_reports_the_month_to_its_last_day(first, last, staff_client):
    convention = month_edges(first, last)
    url = f"{REPORT_URL}?convention={convention.pk}&mois={first:%Y-%m}"
    content = staff_client.get(url).content.decode()
    assert f"— {first:%m/%Y} (cumul au {last:%d/%m/%Y})" in content
    [total] = re.findall(r'colspan="3">Total</th>(.*?)</tr>', content, re.S)
    cells = [plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", total, re.S)]
    assert cells == ["600,00 €", "6,00 €", "700,00 €", "7,00 €", "693,00 €"]
    csv = staff_client.get(url + "&format=csv").content.decode()
    assert ";Total;;600,00;6,00;700,00;7,00;693,00\r\n" in csv


def test_a_tranche_made_available_after_the_month_is_not_in_its_report():
    """The report of a month is what stood at its last day, whenever it is printed."""
    tranche = TrancheFactory(
        number=1, convention__reference="CONV-T", ae_amount=D("1000"), cp_amount=D("1000")
    )
    AllocationFactory(tranche=tranche, amount=D("100"), startup__title="Alpha")
    on_last_day = TrancheFactory(
        convention=tranche.convention,
        number=2,
        available_on=date(2025, 4, 30),
        ae_amount=D("1000"),
        cp_amount=D("1000"),
    )
    AllocationFactory(tranche=on_last_day, amount=D("200"), startup__title="Beta")
    next_day = TrancheFactory(
        convention=tranche.convention,
        number=3,
        available_on=date(2025, 5, 1),
        ae_amount=D("1000"),
        cp_amount=D("1000"),
    )
    AllocationFactory(tranche=next_day, amount=D("300"), startup__title="Gamma")
    april = monthly_report(tranche.convention, date(2025, 4, 1))
    assert [line.tranche.number for line in april.tranches] == [1, 2]
    assert [row.beneficiary for row in april.rows] == ["Alpha", "Beta"]
    may = monthly_report(tranche.convention, date(2025, 5, 1))
    assert [line.tranche.number for line in may.tranches] == [1, 2, 3]
    assert [row.beneficiary for row in may.rows] == ["Alpha", "Beta", "Gamma"]
    assert "Gamma" not in report_csv(april)


def test_figures_by_month_and_by_year_split_at_midnight_of_the_first():
    allocation = AllocationFactory(tranche__available_on=date(2025, 1, 1))
    for day, amount in (
        (date(2025, 12, 31), "1"),
        (date(2026, 1, 1), "2"),
        (date(2026, 1, 31), "4"),
        (date(2026, 2, 1), "8"),
    ):
        pay(commit(allocation, day, amount), day, amount)
    by_month = figures_by("month", on=TODAY)
    assert {key: (f.committed, f.paid) for key, f in by_month.items() if f.committed} == {
        (date(2025, 12, 1),): (D("1"), D("1")),
        (date(2026, 1, 1),): (D("6"), D("6")),
        (date(2026, 2, 1),): (D("8"), D("8")),
    }
    by_year = figures_by("year", on=TODAY)
    assert {key: (f.committed, f.paid) for key, f in by_year.items()} == {
        (2025,): (D("1"), D("1")),
        (2026,): (D("14"), D("14")),
    }


@pytest.mark.time_machine(paris("2026-12-31", "23:30"), tick=False)
def test_the_report_page_opens_on_the_local_month_before_midnight(staff_client):
    TrancheFactory(convention__reference="CONV-NUIT")
    content = staff_client.get(REPORT_URL).content.decode()
    assert 'value="2026-12"' in content
    assert "— 12/2026 (cumul au 31/12/2026)" in content


@pytest.mark.time_machine(paris("2027-01-01", "00:30"), tick=False)
def test_the_report_page_opens_on_the_local_month_after_midnight(staff_client):
    # 23:30 UTC on 31 December: the month in Paris is already January.
    TrancheFactory(convention__reference="CONV-NUIT")
    content = staff_client.get(REPORT_URL).content.decode()
    assert 'value="2027-01"' in content
    assert "— 01/2027 (cumul au 31/01/2027)" in content


# --- 2. 31 December → 1 January: the by-year lines and the reste à payer au 31/12 --------------
@pytest.fixture
def year_end():
    """Alpha: 30 000 € allocated on a tranche of 31/12/2025, 20 000 € on one of 01/01/2026;
    1 000 € committed on 31/12/2025, 500 € on 01/01/2026; payments on each side of midnight,
    on SUITE_NOW's day, the next day, and on both sides of the next year end."""
    convention = ConventionFactory(reference="CONV-AN", end=date(2027, 12, 31))
    alpha = StartupFactory(id="alpha", title="Alpha")
    last_day = TrancheFactory(convention=convention, number=1, available_on=date(2025, 12, 31))
    first_day = TrancheFactory(convention=convention, number=2, available_on=date(2026, 1, 1))
    old = AllocationFactory(tranche=last_day, startup=alpha, amount=D("30000"))
    new = AllocationFactory(tranche=first_day, startup=alpha, amount=D("20000"))
    of_2025 = commit(old, date(2025, 12, 31), "1000")
    of_2026 = commit(new, date(2026, 1, 1), "500")
    pay(of_2025, date(2025, 12, 31), "200")
    pay(of_2025, date(2026, 1, 1), "300")
    pay(of_2026, TODAY, "40")
    pay(of_2026, TODAY + DAY, "8")
    pay(of_2026, date(2026, 12, 31), "16")
    pay(of_2026, date(2027, 1, 1), "4")
    return alpha


def year_lines(lines) -> list[tuple]:
    return [
        (line.label, line.figures.allocated, line.figures.committed, line.figures.paid)
        + (line.to_pay, line.to_pay_on)
        for line in lines
    ]


# (year, allocated, committed, paid, reste à payer, the day it is at when not 31/12)
AT_SUITE_NOW = [
    # 2025: 1 000 committed − 200 paid by 31/12/2025.
    ("2025", D("30000"), D("1000"), D("200"), D("800"), None),
    # 2026 so far (18/11): 300 + 40 paid; 1 500 − 540 at 18/11/2026, not at 31/12.
    ("2026", D("20000"), D("500"), D("340"), D("960"), date(2026, 11, 18)),
]
ON_31_DECEMBER = [
    ("2025", D("30000"), D("1000"), D("200"), D("800"), None),
    # 300 + 40 + 8 + 16 paid in 2026: 1 500 − 564 at 31/12/2026.
    ("2026", D("20000"), D("500"), D("364"), D("936"), None),
]
ON_1_JANUARY = [
    *ON_31_DECEMBER,
    # 4 paid on 01/01/2027: 1 500 − 568 at the day.
    ("2027", D("0"), D("0"), D("4"), D("932"), date(2027, 1, 1)),
]


@pytest.mark.parametrize(
    ("instant", "expected", "paid"),
    [
        pytest.param(None, AT_SUITE_NOW, D("540"), id="suite-now"),
        # 22:30 UTC.
        pytest.param(paris("2026-12-31", "23:30"), ON_31_DECEMBER, D("564"), id="31-12-23h30"),
        # 23:30 UTC on 31 December: in Paris, already 2027.
        pytest.param(paris("2027-01-01", "00:30"), ON_1_JANUARY, D("568"), id="01-01-00h30"),
    ],
)
def test_by_year_lines_and_the_reste_a_payer_at_the_year_end(
    year_end, clock, instant, expected, paid
):
    if instant:
        clock.move_to(instant, tick=False)
    budget = public.programme_budget()
    assert budget["on"] == (instant.date() if instant else TODAY)
    assert year_lines(budget["years"]) == expected
    total = budget["total"]
    assert (total.allocated, total.committed, total.paid) == (D("50000"), D("1500"), paid)
    assert total.to_pay == D("1500") - paid
    block = public.startup_budget("alpha")
    assert year_lines(block["years"]) == expected
    assert block["total"].paid == paid


def test_the_budget_page_says_the_day_of_the_year_in_progress(year_end, client):
    content = client.get("/budget/").content.decode()
    assert "Reste à payer au 31/12" in content
    assert "Données au 18 novembre 2026" in content
    rows = table_rows(content)
    assert rows["2025"] == ["30 000,00 €", "1 000,00 €", "200,00 €", "800,00 €"]
    assert rows["2026"] == ["20 000,00 €", "500,00 €", "340,00 €", "960,00 € (au 18/11/2026)"]
    assert rows["Total"] == ["50 000,00 €", "1 500,00 €", "540,00 €", "960,00 €"]


@pytest.mark.time_machine(paris("2026-12-31", "23:30"), tick=False)
def test_the_budget_page_changes_year_at_midnight_in_paris(year_end, client, clock):
    before = client.get("/budget/")
    rows = table_rows(before.content.decode())
    assert rows["2026"] == ["20 000,00 €", "500,00 €", "364,00 €", "936,00 €"]
    assert "2027" not in rows
    clock.move_to(paris("2027-01-01", "00:30"), tick=False)
    # Same data, new day: neither a 304 nor yesterday's cached body.
    after = client.get("/budget/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    content = after.content.decode()
    assert "Données au 1 janvier 2027" in content
    rows = table_rows(content)
    assert rows["2026"] == ["20 000,00 €", "500,00 €", "364,00 €", "936,00 €"]
    assert rows["2027"] == ["0,00 €", "0,00 €", "4,00 €", "932,00 € (au 01/01/2027)"]
    assert rows["Total"] == ["50 000,00 €", "1 500,00 €", "568,00 €", "932,00 €"]


@pytest.mark.time_machine(paris("2027-01-01", "00:30"), tick=False)
def test_the_startup_block_puts_31_12_and_01_01_in_their_years(year_end):
    block = render_block(year_end)
    assert "Reste à payer au 31/12" in block
    rows = table_rows(block)
    assert rows["2025"] == ["30 000,00 €", "1 000,00 €", "200,00 €", "800,00 €"]
    assert rows["2026"] == ["20 000,00 €", "500,00 €", "364,00 €", "936,00 €"]
    assert rows["2027"] == ["0,00 €", "0,00 €", "4,00 €", "932,00 € (au 01/01/2027)"]
    assert rows["Total"] == ["50 000,00 €", "1 500,00 €", "568,00 €", "932,00 €"]
    # By category, the same money so far: 1 500 committed, 568 paid.
    assert rows["Développement"] == ["1 500,00 €", "568,00 €", "932,00 €"]


# --- 3. The burn rate across 1 January and 29 February; the run-out date ------------------------
@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2028, 5, 31), 3, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2027, 2, 28)),
        (date(2028, 2, 29), 3, date(2027, 11, 30)),  # a month's last day: whole months
        (date(2028, 2, 28), 3, date(2027, 11, 28)),  # any other day: the same day
        (date(2028, 3, 31), 1, date(2028, 2, 29)),
        (date(2027, 5, 31), 3, date(2027, 2, 28)),
        (date(2027, 1, 31), 3, date(2026, 10, 31)),
        (date(2027, 2, 15), 2, date(2026, 12, 15)),
        (date(2027, 1, 1), 1, date(2026, 12, 1)),
        (date(2026, 12, 31), 12, date(2025, 12, 31)),
        (date(2024, 2, 29), 48, date(2020, 2, 29)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def burn_scene(payments: list[tuple[date, str]], allocated: str = "10000"):
    allocation = AllocationFactory(
        amount=D(allocated), startup__id="alpha", tranche__available_on=date(2025, 1, 1)
    )
    commitment = commit(allocation, date(2025, 6, 1), allocated)
    for day, amount in payments:
        pay(commitment, day, amount)
    return allocation


def every_figures(on: date) -> list[Figures]:
    """The same allocation's figures from each place that computes them."""
    return [
        Allocation.objects.with_figures(on).get().figures,
        figures_by("allocation", on=on)[(Allocation.objects.get().pk,)],
        selectors.startup_figures("alpha", on),
    ]


def test_the_burn_window_straddles_the_first_of_january():
    burn_scene(
        [
            (date(2026, 10, 15), "1000"),  # the window's start: outside it (paid, not recent)
            (date(2026, 10, 16), "300"),
            (date(2026, 12, 31), "600"),
            (date(2027, 1, 1), "900"),
            (date(2027, 1, 15), "30"),  # the day itself: in
            (date(2027, 1, 16), "5000"),  # after the day: not counted at all
        ]
    )
    for figures in every_figures(date(2027, 1, 15)):
        assert (figures.paid, figures.paid_recently) == (D("2830"), D("1830"))
        assert figures.monthly_burn == D("610.00")
        # 7 170 left at 1 830 per 92 days (16/10/2026 to 15/01/2027): ⌈360.46⌉ = 361 days.
        assert figures.runs_out_on == date(2028, 1, 11)


def test_the_burn_window_ending_on_the_31st_of_may_of_a_leap_year_starts_on_29_february():
    burn_scene(
        [
            (date(2028, 2, 29), "700"),  # the window's start: outside it
            (date(2028, 3, 1), "300"),
            (date(2028, 5, 31), "600"),
        ]
    )
    for figures in every_figures(date(2028, 5, 31)):
        assert (figures.paid, figures.paid_recently) == (D("1600"), D("900"))
        assert figures.monthly_burn == D("300.00")
        # 8 400 left at 900 per 92 days (01/03 to 31/05): ⌈858.67⌉ = 859 days.
        assert figures.runs_out_on == date(2030, 10, 7)


def test_the_burn_window_ending_on_29_february():
    # 29 February is the month's last day: the window is December to February, whole months.
    burn_scene([(date(2027, 11, 30), "500"), (date(2027, 12, 1), "920")])
    for figures in every_figures(date(2028, 2, 29)):
        assert (figures.paid, figures.paid_recently) == (D("1420"), D("920"))
        # 8 580 left at 920 per 91 days (01/12/2027 to 29/02/2028): ⌈848.7⌉ = 849 days.
        assert figures.runs_out_on == date(2028, 2, 29) + timedelta(days=849)
        assert figures.runs_out_on == date(2030, 6, 27)


@pytest.mark.time_machine(paris("2027-01-15", "00:30"), tick=False)
def test_the_run_out_date_of_today_is_of_the_local_day():
    # 23:30 UTC on 14 January: "today" is the 15th in Paris (same scene as across 1 January).
    burn_scene(
        [
            (date(2026, 10, 15), "1000"),
            (date(2026, 10, 16), "300"),
            (date(2026, 12, 31), "600"),
            (date(2027, 1, 1), "900"),
            (date(2027, 1, 15), "30"),
        ]
    )
    assert today() == date(2027, 1, 15)
    assert selectors.money_runs_out_on("alpha") == date(2028, 1, 11)


def test_the_monthly_report_alert_across_the_year_end():
    tranche = TrancheFactory(number=1, available_on=date(2025, 1, 1))
    alpha = AllocationFactory(tranche=tranche, amount=D("1000"), startup__title="Alpha")
    commitment = commit(alpha, date(2025, 9, 1), "1000")
    for day, amount in (
        (date(2025, 9, 30), "50"),  # before the window (30/09 excluded): paid, not recent
        (date(2025, 10, 1), "300"),
        (date(2025, 11, 15), "300"),
        (date(2025, 12, 31), "300"),
        (date(2026, 1, 1), "40"),  # after the month: not counted
    ):
        pay(commitment, day, amount)
    report = monthly_report(tranche.convention, date(2025, 12, 1))
    # 50 left at 900 per 92 days: ⌈5.11⌉ = 6 days after 31/12/2025.
    assert report.alerts == [
        "Allocation « Alpha » (tranche 1) engagée à 100% : il reste 0,00 € disponibles.",
        "Allocation « Alpha » (tranche 1) : au rythme des trois derniers mois (300,00 € par "
        "mois), l'argent sera épuisé le 06/01/2026, dans moins de 45 jours.",
    ]


LAST_DAY_OFFSET = (date.max - TODAY).days  # 2 912 121 days from 18/11/2026 to 31/12/9999


@pytest.mark.parametrize(
    ("left", "paid_recently", "expected"),
    [
        # 92 paid in the 92 days to 18/11/2026: one euro a day.
        pytest.param(D("10"), D("92"), TODAY + timedelta(days=10), id="ten-days"),
        pytest.param(D(LAST_DAY_OFFSET), D("92"), date.max, id="the-calendar-s-last-day"),
        # One day more than the calendar holds: no date to give.
        pytest.param(D(LAST_DAY_OFFSET + 1), D("92"), None, id="past-the-calendar"),
        # 1 € in three months on 100 000 €: 25 000 years.
        pytest.param(D("99999"), D("1"), None, id="a-tiny-rate"),
        pytest.param(D("999999999999.98"), D("0.01"), None, id="the-largest-amount"),
        pytest.param(D("0"), D("0.01"), TODAY, id="all-paid"),
    ],
)
def test_the_run_out_date_never_crashes(left, paid_recently, expected):
    figures = Figures(
        allocated=left + paid_recently, paid=paid_recently, paid_recently=paid_recently, on=TODAY
    )
    assert figures.runs_out_on == expected


def test_a_tiny_rate_breaks_no_page_nor_report(staff_client):
    allocation = burn_scene([(TODAY, "0.01")], allocated="100000")
    assert selectors.money_runs_out_on("alpha") is None
    report = monthly_report(allocation.tranche.convention, TODAY)
    assert not [alert for alert in report.alerts if "épuisé" in alert]
    response = staff_client.get(f"/admin/budgets/allocation/{allocation.pk}/change/")
    assert response.status_code == 200
    assert "au-delà de l'an 9999" in plain(response.content.decode())


# --- 4. The nights the clocks change in Paris -------------------------------------------------
@pytest.mark.parametrize(
    ("instant", "day", "window_days"),
    [
        # 02:30 does not exist on 28/03/2027 (02:00 → 03:00): the instant is 01:30 UTC.
        pytest.param(paris("2027-03-28", "02:30"), date(2027, 3, 28), 90, id="spring-02h30"),
        # 23:30 UTC on the 27th.
        pytest.param(paris("2027-03-28", "00:30"), date(2027, 3, 28), 90, id="spring-00h30"),
        # 02:30 happens twice on 25/10/2026: 00:30 then 01:30 UTC.
        pytest.param(paris("2026-10-25", "02:30"), date(2026, 10, 25), 92, id="autumn-02h30"),
        pytest.param(
            paris("2026-10-25", "02:30").replace(fold=1),
            date(2026, 10, 25),
            92,
            id="autumn-second-02h30",
        ),
        # 22:30 UTC on the 24th.
        pytest.param(paris("2026-10-25", "00:30"), date(2026, 10, 25), 92, id="autumn-00h30"),
    ],
)
def test_figures_of_today_on_the_nights_the_clocks_change(clock, instant, day, window_days):
    clock.move_to(instant, tick=False)
    start = months_before(day, 3)  # 28/12/2026 (90 days before) or 25/07/2026 (92 days)
    assert (day - start).days == window_days
    burn_scene(
        [
            (start, "1000"),  # the window's start: outside it
            (day - DAY, "100"),
            (day, "200"),
            (day + DAY, "400"),  # tomorrow: not counted
        ]
    )
    assert today() == day
    figures = selectors.startup_figures("alpha")
    assert figures.on == day
    assert (figures.paid, figures.paid_recently) == (D("1300"), D("300"))
    # 8 700 left at 300 per window: 29 windows.
    expected = {date(2027, 3, 28): date(2034, 5, 20), date(2026, 10, 25): date(2034, 2, 13)}
    assert figures.runs_out_on == expected[day] == day + timedelta(days=29 * window_days)
    assert Allocation.objects.with_figures().get().figures.paid == D("1300")
    budget = public.programme_budget()
    assert budget["on"] == day and budget["total"].paid == D("1300")


# --- 5. The services' date checks: first and last day in, the next one out ---------------------
@pytest.fixture
def period():
    """A convention from 01/01/2025 to 31/12/2026, a tranche available on 01/02/2025."""
    tranche = TrancheFactory(
        number=1, convention__reference="CONV-P", available_on=date(2025, 2, 1)
    )
    return AllocationFactory(tranche=tranche, amount=D("10000"))


def create(allocation, day: date, amount: str = "100"):
    return services.create_commitment(
        allocation=allocation,
        committed_on=day,
        amount=amount,
        supplier="Prestataire",
        activity="developpement",
        resource="prestations",
    )


@pytest.mark.time_machine(paris("2028-06-01", "12:00"), tick=False)  # every date below is past
def test_a_commitment_on_the_conventions_last_day_is_accepted_the_next_day_refused(period):
    # The convention ends on 31/12/2026, inside the year-end cut-off (no order after 15/12): its
    # last day for an order is the 15th; the period's own edge is tested on 30/06 below.
    assert create(period, date(2026, 12, 15)).committed_on == date(2026, 12, 15)
    with pytest.raises(services.BudgetRuleError, match=r"pas de nouvelle commande après le 15/12"):
        create(period, date(2026, 12, 31))
    with pytest.raises(
        services.BudgetRuleError,
        match=r"La date d'engagement \(01/01/2027\) doit être dans la période de la convention "
        r"CONV-P : du 01/01/2025 au 31/12/2026\.",
    ):
        create(period, date(2027, 1, 1))
    # An amendment moves the last day: 01/01/2027 is then in, 01/07/2027 out.
    convention = period.tranche.convention
    services.add_amendment(
        convention=convention,
        signed_on=date(2026, 6, 1),
        reason="Prolongation",
        new_end=date(2027, 6, 30),
    )
    assert create(period, date(2027, 1, 1)).committed_on == date(2027, 1, 1)
    assert create(period, date(2027, 6, 30)).committed_on == date(2027, 6, 30)
    with pytest.raises(services.BudgetRuleError, match=r"au 30/06/2027\."):
        create(period, date(2027, 7, 1))


@pytest.mark.time_machine(paris("2026-12-30", "23:30"), tick=False)  # 22:30 UTC
def test_commitments_and_payments_are_of_today_at_the_latest_in_paris(period):
    commitment = create(period, date(2026, 12, 15), "100")
    # The future is said first: tomorrow's order is refused as not done yet.
    with pytest.raises(
        services.BudgetRuleError,
        match=r"la date d'engagement \(31/12/2026\) est dans le futur .*aujourd'hui : 30/12/2026",
    ):
        create(period, date(2026, 12, 31))

    def record(service_done_on, paid_on):
        return services.record_payment(
            commitment=commitment, service_done_on=service_done_on, paid_on=paid_on, amount="1"
        )

    assert record(date(2026, 12, 30), date(2026, 12, 30)).amount == D("1")
    with pytest.raises(
        services.BudgetRuleError, match=r"la date de paiement \(31/12/2026\) est dans le futur"
    ):
        record(date(2026, 12, 30), date(2026, 12, 31))
    # Midnight in Paris (23:00 UTC): the 31st is today; an order of that day is then refused
    # for the year-end cut-off only, a payment is not an order and goes through.
    with time_machine.travel(paris("2026-12-31", "00:00"), tick=False):
        with pytest.raises(services.BudgetRuleError, match=r"clôture de fin d'année"):
            create(period, date(2026, 12, 31))
        assert record(date(2026, 12, 31), date(2026, 12, 31)).paid_on == date(2026, 12, 31)


def test_a_commitment_on_the_tranches_first_day_is_accepted_the_day_before_refused(period):
    assert create(period, date(2025, 2, 1)).committed_on == date(2025, 2, 1)
    with pytest.raises(
        services.BudgetRuleError, match=r"la tranche 1 n'est disponible qu'à partir du 01/02/2025"
    ):
        create(period, date(2025, 1, 31))


@pytest.mark.time_machine(paris("2028-06-01", "12:00"), tick=False)  # every date below is past
def test_payment_dates_on_their_edges(period):
    commitment = create(period, date(2026, 12, 15), "100")
    day = date(2026, 12, 15)

    def record(service_done_on, paid_on):
        return services.record_payment(
            commitment=commitment, service_done_on=service_done_on, paid_on=paid_on, amount="1"
        )

    # Service fait on the day of the commitment, paid the same day, or on the last day.
    assert record(day, day).paid_on == day
    assert record(day, date(2026, 12, 31)).paid_on == date(2026, 12, 31)
    with pytest.raises(services.BudgetRuleError, match=r"précède l'engagement du 15/12/2026"):
        record(day - DAY, day)
    with pytest.raises(
        services.BudgetRuleError, match=r"La date de paiement \(01/01/2027\) doit être"
    ):
        record(day, date(2027, 1, 1))


def test_an_amendment_may_end_the_convention_on_its_last_payment_not_before(period):
    commitment = create(period, date(2025, 3, 1), "100")
    services.record_payment(
        commitment=commitment,
        service_done_on=date(2025, 3, 1),
        paid_on=date(2025, 12, 31),
        amount="1",
    )
    convention = period.tranche.convention
    with pytest.raises(
        services.BudgetRuleError, match=r"datée du 31/12/2025, après la fin demandée \(30/12/2025\)"
    ):
        services.add_amendment(
            convention=convention,
            signed_on=date(2025, 6, 1),
            reason="Fin",
            new_end=date(2025, 12, 30),
        )
    amendment = services.add_amendment(
        convention=convention, signed_on=date(2025, 6, 1), reason="Fin", new_end=date(2025, 12, 31)
    )
    assert amendment.new_end == date(2025, 12, 31)


@pytest.mark.time_machine(paris("2028-06-01", "12:00"), tick=False)  # every date below is past
def test_a_convention_ending_on_29_february():
    tranche = TrancheFactory(
        number=1,
        convention__start=date(2027, 3, 1),
        convention__end=date(2028, 2, 29),
        available_on=date(2027, 3, 1),
    )
    allocation = AllocationFactory(tranche=tranche, amount=D("1000"))
    assert create(allocation, date(2028, 2, 29)).committed_on == date(2028, 2, 29)
    with pytest.raises(
        services.BudgetRuleError, match=r"\(01/03/2028\) doit être .* au 29/02/2028"
    ):
        create(allocation, date(2028, 3, 1))
