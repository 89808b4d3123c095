"""Impact's date rules on their edges, on purpose: freshness at the end of months of 28, 29, 30
and 31 days (the SQL rule and the Python one, every day of a leap year), half-years on 30 June →
1 July and 31 December → 1 January in local time, 29 February, and the future refused at 23:59
and accepted at 00:00, the night the clocks change included.

Every expected date below is computed by hand from the rules: a month ends on its last day; a
North Star is fresh while `on − 45 days <= end of its last period`, another indicator for 100
days; a half-year is January–June (S1) or July–December (S2) of the local date.
"""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from api import impact as impact_api
from impact import cost as impact_cost
from impact import views as impact_views
from impact.admin import MeasurementForm, freshness_badge
from impact.models import (
    INDICATOR_STALE_AFTER,
    NORTH_STAR_STALE_AFTER,
    Indicator,
    Measurement,
    PeriodKind,
    half_year_key,
    is_fresh,
    latest_period,
    period_end,
)
from impact.services import import_measurements, parse_period
from tests.clock import paris
from tests.factories import StartupFactory
from tests.factories_budgets import ConventionFactory, PaymentFactory
from tests.factories_impact import (
    IndicatorFactory,
    MeasurementFactory,
    NorthStarFactory,
    add_month,
)

pytestmark = pytest.mark.django_db

MONTH, DAY = PeriodKind.MONTH, PeriodKind.DAY
D = date.fromisoformat


@pytest.fixture(autouse=True)
def empty_page_cache():
    cache.clear()


def one_day(day: date, n: int = 1) -> date:
    return day + timedelta(days=n)


def with_values(*periods, is_north_star=True, **fields) -> Indicator:
    """An indicator (a North Star by default) of its own startup, with values for `periods`:
    ("month", "2027-01-01"), ("day", "2027-03-10")…"""
    factory = NorthStarFactory if is_north_star else IndicatorFactory
    indicator = factory(**fields)
    for kind, start in periods:
        MeasurementFactory(indicator=indicator, period_kind=kind, period_start=D(start))
    return indicator


def sql_fresh(indicator: Indicator, on: date) -> bool:
    fresh = Indicator.objects.fresh(on).filter(pk=indicator.pk).exists()
    stale = Indicator.objects.stale(on).filter(pk=indicator.pk).exists()
    assert fresh is not stale, f"fresh() and stale() overlap or leave a gap on {on}"
    return fresh


# --- 1. Freshness at the end of each kind of month ----------------------------------------------
def test_the_thresholds_are_45_days_for_a_north_star_and_100_for_another_indicator():
    assert timedelta(days=45) == NORTH_STAR_STALE_AFTER
    assert timedelta(days=100) == INDICATOR_STALE_AFTER


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2027-02-01", "2027-02-28"),  # 28 days
        ("2028-02-01", "2028-02-29"),  # 29 days: 2028 is a leap year
        ("2100-02-01", "2100-02-28"),  # a century that is not a leap year
        ("2000-02-01", "2000-02-29"),  # …and one that is (divisible by 400)
        ("2027-04-01", "2027-04-30"),  # 30 days
        ("2027-01-01", "2027-01-31"),  # 31 days
        ("2027-12-01", "2027-12-31"),  # December: the next month is in the next year
    ],
)
def test_a_month_ends_on_its_last_day(start, end):
    assert period_end(MONTH, D(start)) == D(end)
    assert Measurement(period_kind=MONTH, period_start=D(start)).period_end == D(end)


def test_a_day_ends_on_itself_29_february_included():
    assert period_end(DAY, D("2028-02-29")) == D("2028-02-29")
    assert period_end(DAY, D("2027-01-31")) == D("2027-01-31")


# (indicator is a North Star, period kind, period start, first day it is no longer fresh):
# the end of the period + 45 (or 100) days is the last fresh day; the next one is stale.
STOPS_BEING_FRESH = [
    # North Star, 45 days.
    (True, MONTH, "2027-02-01", "2027-04-15"),  # 28 Feb + 45 = 14 April
    (True, MONTH, "2028-02-01", "2028-04-15"),  # 29 Feb + 45 = 14 April
    (True, MONTH, "2027-04-01", "2027-06-15"),  # 30 April + 45 = 14 June
    (True, MONTH, "2027-01-01", "2027-03-18"),  # 31 January + 45 = 17 March
    (True, MONTH, "2026-12-01", "2027-02-15"),  # 31 December + 45 = 14 February
    (True, DAY, "2027-01-31", "2027-03-18"),  # the last day of a month: as the month
    (True, DAY, "2027-03-01", "2027-04-16"),  # the first day of a month: 1 March + 45 = 15 April
    (True, DAY, "2028-02-29", "2028-04-15"),
    # Another indicator, 100 days.
    (False, MONTH, "2027-02-01", "2027-06-09"),  # 28 Feb + 100 = 8 June
    (False, MONTH, "2028-02-01", "2028-06-09"),  # 29 Feb + 100 = 8 June
    (False, MONTH, "2027-04-01", "2027-08-09"),  # 30 April + 100 = 8 August
    (False, MONTH, "2027-01-01", "2027-05-12"),  # 31 January + 100 = 11 May
]


@pytest.mark.parametrize(("is_north_star", "kind", "start", "stale_from"), STOPS_BEING_FRESH)
def test_the_day_a_value_stops_being_fresh(is_north_star, kind, start, stale_from):
    indicator = with_values((kind, start), is_north_star=is_north_star)
    stale_from = D(stale_from)
    expected = {one_day(stale_from, -1): True, stale_from: False, one_day(stale_from): False}
    for on, fresh in expected.items():
        assert is_fresh(kind, D(start), is_north_star, on) is fresh, on
        assert sql_fresh(indicator, on) is fresh, on


# Every indicator's last fresh day in 2028, by hand (see STOPS_BEING_FRESH for the arithmetic).
YEAR = [
    # North Stars.
    (True, [(MONTH, "2027-12-01")], "2028-02-14"),
    (True, [(MONTH, "2028-02-01")], "2028-04-14"),
    (True, [(MONTH, "2028-06-01")], "2028-08-14"),  # 30 June + 45
    (True, [(MONTH, "2028-10-01")], "2028-12-15"),  # 31 October + 45
    (True, [(DAY, "2028-02-29")], "2028-04-14"),
    (True, [(DAY, "2028-03-01")], "2028-04-15"),
    # An older value beneath changes nothing.
    (True, [(MONTH, "2027-06-01"), (MONTH, "2028-06-01")], "2028-08-14"),
    # A month and a day of that month: the month ends last (31 March + 45 = 15 May), although
    # the day (10 March + 45 = 24 April) starts last.
    (True, [(MONTH, "2028-03-01"), (DAY, "2028-03-10")], "2028-05-15"),
    # Other indicators.
    (False, [(MONTH, "2027-11-01")], "2028-03-09"),  # 30 November 2027 + 100
    (False, [(MONTH, "2028-02-01")], "2028-06-08"),
    (False, [(MONTH, "2028-09-01")], "2029-01-08"),  # fresh all year
    (False, [(DAY, "2028-01-01")], "2028-04-10"),
    # The day after the month ends last: 15 May + 100 = 23 August.
    (False, [(MONTH, "2028-04-01"), (DAY, "2028-05-15")], "2028-08-23"),
    # The month ends last: 31 May + 100 = 8 September (not 20 May + 100 = 28 August).
    (False, [(MONTH, "2028-05-01"), (DAY, "2028-05-20")], "2028-09-08"),
    # No value: never fresh.
    (True, [], "2027-12-31"),
    (False, [], "2027-12-31"),
]


def test_sql_and_python_agree_on_every_day_of_a_leap_year():
    cases = {}
    for is_north_star, periods, last_fresh in YEAR:
        indicator = with_values(*periods, is_north_star=is_north_star)
        cases[indicator.pk] = (indicator, D(last_fresh))
    loaded = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(pk__in=cases).prefetch_related("measurements")
    }
    transitions = set()
    previous = None
    day = D("2028-01-01")
    for _ in range(366):
        in_sql = set(Indicator.objects.fresh(day).values_list("pk", flat=True))
        stale = set(Indicator.objects.stale(day).values_list("pk", flat=True))
        assert in_sql.isdisjoint(stale) and in_sql | stale == set(cases), day
        in_python = {
            pk
            for pk, indicator in loaded.items()
            if is_fresh(*latest_period(indicator.measurements.all()), indicator.is_north_star, day)
        }
        by_hand = {pk for pk, (_, last_fresh) in cases.items() if day <= last_fresh}
        assert in_sql == in_python == by_hand, day
        if previous is not None and in_sql != previous:
            transitions.add(day)
        previous = in_sql
        day = one_day(day)
    assert day == D("2029-01-01")  # 2028 has 366 days, all seen
    # 13 indicators stop being fresh during 2028 (the one fresh all year and those without
    # values never change), on 11 different days: 14 April and 14 August end two each.
    assert len(transitions) == 11

    # The public page and the API judge on the same days (their rule, not a copy of it).
    for day in sorted(transitions):
        for on in (one_day(day, -1), day):
            expected = set(Indicator.objects.fresh(on).values_list("pk", flat=True))
            for pk, indicator in loaded.items():
                card = impact_views.indicator_card(indicator, on)
                resource = impact_api.indicator_resource(indicator, on)
                assert card["fresh"] is resource["fresh"] is (pk in expected), (on, pk)


def staff_dashboard(client) -> str:
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def impact_page(client, startup) -> str:
    response = client.get(f"/startups/{startup.pk}/impact/")
    assert response.status_code == 200
    return response.content.decode()


def api_fresh(client, startup) -> bool:
    response = client.get(f"/api/v2/startups/{startup.pk}/indicators.json")
    assert response.status_code == 200
    return json.loads(response.content)["indicators"][0]["fresh"]


@pytest.mark.time_machine(paris("2027-03-17", "23:59"), tick=False)
def test_dashboard_page_and_api_say_stale_from_local_midnight(clock, client, staff_user):
    # January 2027 (31 days): fresh up to 17 March included, stale from 18 March.
    star = with_values((MONTH, "2027-01-01"), startup=StartupFactory(title="Démarches faciles"))
    warning = "Démarches faciles — North Star « Dossiers déposés » sans valeur récente"
    client.force_login(staff_user)
    assert warning not in staff_dashboard(client)
    page = impact_page(client, star.startup)
    assert "À jour</p>" in page and "Pas à jour" not in page
    assert "dernière valeur janvier 2027, à jour" in page
    assert api_fresh(client, star.startup) is True

    # 00:00 and 00:30 in Paris (23:00 and 23:30 UTC on the 17th): already the 18th.
    for instant in (paris("2027-03-18", "00:00"), paris("2027-03-18", "00:30")):
        clock.move_to(instant, tick=False)
        assert warning in staff_dashboard(client)
        page = impact_page(client, star.startup)
        assert "Pas à jour</p>" in page and "À jour</p>" not in page
        assert "dernière valeur janvier 2027, pas à jour" in page
        assert api_fresh(client, star.startup) is False


@pytest.mark.time_machine(paris("2027-05-15", "23:00"), tick=False)
def test_a_month_and_a_later_day_of_it_the_month_ends_last_everywhere(clock, client, staff_user):
    # 10 March + 45 = 24 April: the day value alone would be stale; 31 March + 45 = 15 May.
    star = with_values(
        (MONTH, "2027-03-01"), (DAY, "2027-03-10"), startup=StartupFactory(title="Mixte")
    )
    warning = "Mixte — North Star « Dossiers déposés » sans valeur récente"
    client.force_login(staff_user)
    # The staff pages' "last value" is March's too: the period that ends last.
    row = Indicator.objects.with_last_measurement().get(pk=star.pk)
    assert (row.last_period_kind, row.last_period_start) == (MONTH, D("2027-03-01"))
    expected = {paris("2027-05-15", "23:59"): True, paris("2027-05-16", "00:00"): False}
    for instant, fresh in expected.items():
        clock.move_to(instant, tick=False)
        assert (warning not in staff_dashboard(client)) is fresh
        page = impact_page(client, star.startup)
        # The badge and the transparency checklist of the same page say the same thing.
        assert ("À jour</p>" in page) is fresh and ("Pas à jour</p>" in page) is not fresh
        assert f"dernière valeur mars 2027, {'à jour' if fresh else 'pas à jour'}" in page
        assert api_fresh(client, star.startup) is fresh
        assert freshness_badge(row) == ("à jour" if fresh else "<strong>pas à jour</strong>")


# --- 2. Half-years: 30 June → 1 July, 31 December → 1 January ----------------------------------
@pytest.mark.parametrize(
    ("day", "half"),
    [
        ("2027-01-01", "2027-S1"),
        ("2027-06-30", "2027-S1"),
        ("2027-07-01", "2027-S2"),
        ("2027-12-31", "2027-S2"),
        ("2028-01-01", "2028-S1"),
        ("2028-02-29", "2028-S1"),
    ],
)
def test_half_year_key(day, half):
    assert half_year_key(D(day)) == half


def paid(startup, on: str, amount: str):
    convention = ConventionFactory(start=D("2027-01-01"), end=D("2028-12-31"))
    return PaymentFactory(
        commitment__allocation__startup=startup,
        commitment__allocation__tranche__convention=convention,
        commitment__committed_on=D("2027-01-15"),
        service_done_on=D(on),
        paid_on=D(on),
        amount=Decimal(amount),
    )


def cost_rows(client, startup) -> list[tuple]:
    response = client.get(f"/startups/{startup.pk}/impact/")
    assert response.status_code == 200
    page = response.content.decode()
    rows = response.context["cost"].rows
    for row in rows:
        assert f'<th scope="row">{row.label}</th>' in page
    return [(row.half, row.paid, row.impact, row.text) for row in rows]


def generated_on(client, startup) -> str:
    response = client.get(f"/api/v2/startups/{startup.pk}/indicators.json")
    return json.loads(response.content)["generated_on"]


@pytest.fixture
def june_and_july():
    """June's 400 dossiers and 1 000 € paid on 30 June; July's 100 dossiers and 500 € paid on
    1 July (a payment scheduled, not yet made, while it is still 30 June)."""
    star = NorthStarFactory(startup=StartupFactory(title="Semestres"))
    MeasurementFactory(indicator=star, period_start=D("2027-06-01"), value=Decimal(400))
    paid(star.startup, "2027-06-30", "1000.00")
    paid(star.startup, "2027-07-01", "500.00")
    return star


S1_2027 = ("2027-S1", Decimal("1000.00"), Decimal(400), "2,50\u00a0€ par dossier déposé")


@pytest.mark.time_machine(paris("2027-06-30", "23:30"), tick=False)  # 21:30 UTC
def test_on_30_june_at_23_30_the_half_year_is_still_s1(client, june_and_july):
    startup = june_and_july.startup
    # Not paid yet: tomorrow's payment counts neither here nor on the budget pages.
    assert impact_cost.cp_paid_by_half_year(startup.pk) == {"2027-S1": Decimal("1000.00")}
    assert cost_rows(client, startup) == [S1_2027]
    assert generated_on(client, startup) == "2027-06-30"
    report = import_measurements(startup=startup, file="Dossiers déposés;2027-07;100\n")
    assert [p.reason for p in report.problems] == ["période dans le futur « 2027-07 »"]


@pytest.mark.time_machine(paris("2027-07-01", "00:30"), tick=False)  # 22:30 UTC on 30 June
def test_on_1_july_at_00_30_the_half_year_is_s2_though_utc_still_says_june(client, june_and_july):
    startup = june_and_july.startup
    report = import_measurements(startup=startup, file="Dossiers déposés;2027-07;100\n")
    assert report.ok and report.created == 1
    assert impact_cost.cp_paid_by_half_year(startup.pk) == {
        "2027-S1": Decimal("1000.00"),
        "2027-S2": Decimal("500.00"),
    }
    assert cost_rows(client, startup) == [
        S1_2027,
        ("2027-S2", Decimal("500.00"), Decimal(100), "5,00\u00a0€ par dossier déposé"),
    ]
    assert generated_on(client, startup) == "2027-07-01"


def test_a_day_value_of_30_june_is_s1_and_of_1_july_s2():
    star = NorthStarFactory()
    values = [
        Measurement(indicator=star, period_kind=DAY, period_start=D("2027-06-30"), value=30),
        Measurement(indicator=star, period_kind=DAY, period_start=D("2027-07-01"), value=10),
    ]
    paid_by_half = {"2027-S1": Decimal(60), "2027-S2": Decimal(60)}
    rows = impact_cost.cost_per_impact(star, values, paid_by_half).rows
    assert [(row.half, row.impact, row.cost) for row in rows] == [
        ("2027-S1", 30, Decimal("2.00")),
        ("2027-S2", 10, Decimal("6.00")),
    ]


@pytest.mark.time_machine(paris("2027-12-31", "23:30"), tick=False)
def test_31_december_to_1_january_s2_then_s1_of_the_next_year(clock, client):
    star = NorthStarFactory(startup=StartupFactory(title="Nouvel an"))
    MeasurementFactory(indicator=star, period_start=D("2027-12-01"), value=Decimal(200))
    paid(star.startup, "2027-12-31", "300.00")
    paid(star.startup, "2028-01-01", "90.00")
    december = ("2027-S2", Decimal("300.00"), Decimal(200), "1,50\u00a0€ par dossier déposé")
    assert cost_rows(client, star.startup) == [december]
    assert generated_on(client, star.startup) == "2027-12-31"

    clock.move_to(paris("2028-01-01", "00:30"), tick=False)  # 23:30 UTC on 31 December
    report = import_measurements(startup=star.startup, file="Dossiers déposés;01/2028;30\n")
    assert report.ok and report.created == 1
    assert cost_rows(client, star.startup) == [
        december,
        ("2028-S1", Decimal("90.00"), Decimal(30), "3,00\u00a0€ par dossier déposé"),
    ]
    assert generated_on(client, star.startup) == "2028-01-01"


def test_a_payment_later_in_the_current_month_is_not_paid_yet():
    star = NorthStarFactory()
    paid(star.startup, "2027-07-20", "500.00")
    assert impact_cost.cp_paid_by_half_year(star.startup.pk) == {}


@pytest.mark.parametrize(
    ("on", "ends"),
    [
        ("2027-06-30", ["2026-12-31", "2027-06-30"]),  # today closes S1: no separate row
        ("2027-07-01", ["2026-12-31", "2027-06-30", "2027-07-01"]),
        ("2027-12-31", ["2027-06-30", "2027-12-31"]),
        ("2028-01-01", ["2027-06-30", "2027-12-31", "2028-01-01"]),
    ],
)
def test_the_programme_timeline_ends_each_half_then_today(on, ends):
    first = D(ends[0]).replace(day=1)
    assert impact_views.half_year_ends(first, D(on)) == [D(end) for end in ends]


# --- 3. 29 February -----------------------------------------------------------------------------
def test_29_february_is_read_only_in_a_leap_year():
    assert parse_period("2028-02-29") == (DAY, D("2028-02-29"))
    assert parse_period("29/02/2028") == (DAY, D("2028-02-29"))
    assert parse_period("2028-02") == (MONTH, D("2028-02-01"))
    for text in ("2027-02-29", "29/02/2027", "2100-02-29"):
        with pytest.raises(ValueError, match=f"période impossible « {text} »"):
            parse_period(text)


@pytest.mark.time_machine(paris("2028-02-29", "00:00"), tick=False)
def test_importing_29_february(clock):
    star = NorthStarFactory()
    satisfaction = IndicatorFactory(startup=star.startup, name="Satisfaction")
    content = (
        "indicator;period;value\n"
        "Dossiers déposés;2028-02;290\n"
        "Satisfaction;2028-02-29;4,5\n"
        "Satisfaction;2027-02-29;4\n"
    )
    report = import_measurements(startup=star.startup, file=content)
    assert (report.created, len(report.problems)) == (2, 1)
    problem = report.problems[0]
    assert problem.number == 4 and problem.text == "Satisfaction;2027-02-29;4"
    assert problem.reason == "période impossible « 2027-02-29 » (ce jour ou ce mois n'existe pas)"
    month = Measurement.objects.get(indicator=star)
    assert (month.period_start, month.period_end, month.value) == (
        D("2028-02-01"),
        D("2028-02-29"),
        290,
    )
    day = Measurement.objects.get(indicator=satisfaction)
    assert (day.period_kind, day.period_start, day.period_end) == (DAY, D("2028-02-29"), D("2028-02-29"))  # fmt: skip
    assert day.period_label == "29 février 2028"
    # Fresh for 45 days after 29 February: until 14 April 2028 included.
    assert sql_fresh(star, D("2028-04-14")) and not sql_fresh(star, D("2028-04-15"))

    # The evening before, 29 February is still tomorrow.
    clock.move_to(paris("2028-02-28", "23:59"), tick=False)
    report = import_measurements(startup=star.startup, file="Satisfaction;29/02/2028;5\n")
    assert [p.reason for p in report.problems] == ["période dans le futur « 29/02/2028 »"]


# --- 4. The future: refused at 23:59, accepted at 00:00, local time ---------------------------
@pytest.mark.parametrize(
    ("last_evening", "this_month", "next_month", "next_day"),
    [
        ("2027-01-31", "2027-01", "2027-02", "2027-02-01"),
        ("2027-02-28", "2027-02", "2027-03", "2027-03-01"),
        ("2028-02-29", "2028-02", "2028-03", "2028-03-01"),
        ("2027-04-30", "2027-04", "2027-05", "2027-05-01"),
        ("2027-06-30", "2027-06", "2027-07", "2027-07-01"),
        ("2027-12-31", "2027-12", "2028-01", "2028-01-01"),
    ],
)
def test_next_month_is_future_until_local_midnight(
    clock, last_evening, this_month, next_month, next_day
):
    star = NorthStarFactory()
    lines = f"Dossiers déposés;{this_month};1\nDossiers déposés;{next_month};2\n"
    lines += f"Dossiers déposés;{last_evening};3\nDossiers déposés;{next_day};4\n"

    clock.move_to(paris(last_evening, "23:59"), tick=False)
    report = import_measurements(startup=star.startup, file=lines)
    assert report.created == 2
    assert [(p.number, p.reason) for p in report.problems] == [
        (2, f"période dans le futur « {next_month} »"),
        (4, f"période dans le futur « {next_day} »"),
    ]

    clock.move_to(paris(next_day, "00:00"), tick=False)
    report = import_measurements(startup=star.startup, file=lines)
    assert report.ok and (report.created, report.unchanged) == (2, 2)


@pytest.mark.parametrize(
    "instant",
    [
        paris("2027-03-28", "00:30"),  # 23:30 UTC on the 27th
        paris("2027-03-28", "01:59"),  # the last minute of winter time
        paris("2027-03-28", "02:30"),  # a time that does not exist (read as 03:30 summer time)
        paris("2027-03-28", "03:00"),
        paris("2027-03-28", "23:59"),  # 21:59 UTC
        paris("2027-03-29", "00:30"),  # the first summer night: 22:30 UTC on the 28th
        paris("2027-10-31", "02:30"),  # back to winter time: a time seen twice
    ],
)
def test_the_nights_the_clocks_change(clock, instant):
    clock.move_to(instant, tick=False)
    day = instant.date()
    star = NorthStarFactory()
    lines = (
        f"Dossiers déposés;{day:%Y-%m};1\n"
        f"Dossiers déposés;{day.isoformat()};2\n"
        f"Dossiers déposés;{one_day(day).isoformat()};3\n"
        f"Dossiers déposés;{add_month(day, 1):%Y-%m};4\n"
    )
    report = import_measurements(startup=star.startup, file=lines)
    assert report.created == 2
    assert [p.number for p in report.problems] == [3, 4]


def measurement_form(indicator, kind: str, start: str) -> MeasurementForm:
    return MeasurementForm(
        data={"period_kind": kind, "period_start": start, "value": "3"},
        instance=Measurement(indicator=indicator),
    )


def test_the_staff_form_refuses_the_future_as_the_import_does(clock):
    star = NorthStarFactory()
    clock.move_to(paris("2027-01-31", "23:59"), tick=False)
    assert measurement_form(star, MONTH, "2027-01-31").is_valid()
    assert measurement_form(star, DAY, "2027-01-31").is_valid()
    for kind, start in ((MONTH, "2027-02-01"), (MONTH, "2027-02-15"), (DAY, "2027-02-01")):
        form = measurement_form(star, kind, start)
        assert not form.is_valid()
        assert "dans le futur" in str(form.errors["period_start"])

    clock.move_to(paris("2027-02-01", "00:00"), tick=False)
    assert measurement_form(star, MONTH, "2027-02-15").is_valid()
    assert measurement_form(star, DAY, "2027-02-01").is_valid()
