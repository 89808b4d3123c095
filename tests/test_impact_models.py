"""Indicators and measurements: database constraints, their French admin messages, freshness."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from impact.models import (
    Indicator,
    Measurement,
    PeriodKind,
    half_year_key,
    is_fresh,
    period_end,
)
from tests.clock import TODAY
from tests.factories import StartupFactory
from tests.factories_impact import (
    IndicatorFactory,
    MeasurementFactory,
    NorthStarFactory,
    add_month,
    form_data,
)

pytestmark = pytest.mark.django_db


# --- The database refuses -----------------------------------------------------------------
def test_it_refuses_two_north_stars_for_one_startup():
    star = NorthStarFactory()
    other = IndicatorFactory(startup=star.startup)
    with pytest.raises(IntegrityError, match="one_north_star_per_startup"), transaction.atomic():
        Indicator.objects.filter(pk=other.pk).update(is_north_star=True)
    # Another startup may have its own.
    NorthStarFactory()


def test_it_refuses_two_values_for_one_period():
    measurement = MeasurementFactory()
    duplicate = pytest.raises(IntegrityError, match="one_value_per_indicator_and_period")
    with duplicate, transaction.atomic():
        MeasurementFactory(indicator=measurement.indicator, period_start=date(2025, 1, 1))
    # A day of the same month is another period.
    MeasurementFactory(
        indicator=measurement.indicator, period_kind=PeriodKind.DAY, period_start=date(2025, 1, 1)
    )


def test_a_month_starts_on_its_first_day():
    refused = pytest.raises(IntegrityError, match="a_month_starts_on_its_first_day")
    with refused, transaction.atomic():
        MeasurementFactory(period_start=date(2025, 1, 15))


def test_a_correction_keeps_history():
    measurement = MeasurementFactory(value=Decimal(100))
    measurement.value = Decimal(120)
    measurement.save()
    assert [h.value for h in measurement.history.order_by("history_date")] == [100, 120]


# --- The admin says it in French, never a 500 -------------------------------------------------
def startup_change_page(client, startup):
    url = f"/admin/startups/startup/{startup.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    return url, form_data(response.content.decode())


def inline_prefix(data: dict) -> str:
    return next(k for k in data if k.endswith("-TOTAL_FORMS") and k.startswith("indicators"))[
        : -len("-TOTAL_FORMS")
    ]


def test_admin_refuses_two_north_stars_in_one_save_with_a_clear_message(staff_client):
    startup = StartupFactory()
    first = IndicatorFactory(startup=startup, name="Dossiers déposés")
    IndicatorFactory(startup=startup, name="Usagers accompagnés")
    url, data = startup_change_page(staff_client, startup)
    prefix = inline_prefix(data)
    data[f"{prefix}-0-is_north_star"] = "on"
    data[f"{prefix}-1-is_north_star"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Cette startup a déjà une étoile polaire" in content
    assert "« Dossiers déposés »" in content and "« Usagers accompagnés »" in content
    assert not Indicator.objects.filter(is_north_star=True).exists()
    first.refresh_from_db()
    assert not first.is_north_star


def test_admin_moves_the_north_star_from_one_indicator_to_another_in_one_save(staff_client):
    startup = StartupFactory()
    old = NorthStarFactory(startup=startup, name="Ancienne")
    new = IndicatorFactory(startup=startup, name="Nouvelle")
    url, data = startup_change_page(staff_client, startup)
    prefix = inline_prefix(data)
    names = [data[f"{prefix}-{n}-name"] for n in range(2)]
    data.pop(f"{prefix}-{names.index('Ancienne')}-is_north_star")
    data[f"{prefix}-{names.index('Nouvelle')}-is_north_star"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.is_north_star and not old.is_north_star


def test_indicator_admin_refuses_a_second_north_star(staff_client):
    star = NorthStarFactory()
    other = IndicatorFactory(startup=star.startup, name="Autre")
    url = f"/admin/impact/indicator/{other.pk}/change/"
    data = form_data(staff_client.get(url).content.decode())
    data["is_north_star"] = "on"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Cette startup a déjà une étoile polaire" in response.content.decode()


def test_indicator_admin_refuses_a_duplicate_period_with_a_clear_message(staff_client):
    indicator = IndicatorFactory()
    MeasurementFactory(indicator=indicator, period_start=date(2025, 1, 1), value=10)
    url = f"/admin/impact/indicator/{indicator.pk}/change/"
    data = form_data(staff_client.get(url).content.decode())
    # The empty extra row: any day of January names the month, already measured.
    data["measurements-1-period_kind"] = "month"
    data["measurements-1-period_start"] = "17/01/2025"
    data["measurements-1-value"] = "12"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Cet indicateur a déjà une valeur pour cette période" in response.content.decode()
    assert Measurement.objects.count() == 1


def test_indicator_admin_refuses_two_rows_for_the_same_period(staff_client):
    indicator = IndicatorFactory()
    url = f"/admin/impact/indicator/{indicator.pk}/change/"
    data = form_data(staff_client.get(url).content.decode())
    data["measurements-TOTAL_FORMS"] = "2"
    for n, day in enumerate(["01/03/2025", "20/03/2025"]):
        data[f"measurements-{n}-period_kind"] = "month"
        data[f"measurements-{n}-period_start"] = day
        data[f"measurements-{n}-value"] = "5"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Deux lignes portent sur la même période" in response.content.decode()
    assert not Measurement.objects.exists()


def test_indicator_admin_saves_a_month_on_its_first_day_and_refuses_a_negative_value(
    staff_client,
):
    indicator = IndicatorFactory()
    url = f"/admin/impact/indicator/{indicator.pk}/change/"
    data = form_data(staff_client.get(url).content.decode())
    data["measurements-0-period_kind"] = "month"
    data["measurements-0-period_start"] = "17/03/2025"
    data["measurements-0-value"] = "-3"
    response = staff_client.post(url, data)
    assert "Cet indicateur ne peut pas être négatif." in response.content.decode()
    data["measurements-0-value"] = "3,5"
    assert staff_client.post(url, data).status_code == 302
    measurement = Measurement.objects.get()
    assert measurement.period_start == date(2025, 3, 1)
    assert measurement.value == Decimal("3.5")


def test_the_startup_admin_shows_last_values_and_freshness(staff_client):
    star = NorthStarFactory(name="Dossiers déposés")
    MeasurementFactory(indicator=star, period_start=add_month(TODAY, -1), value=1234)
    IndicatorFactory(startup=star.startup, name="Sans valeur")
    content = staff_client.get(f"/admin/startups/startup/{star.startup.pk}/change/").content
    content = content.decode()
    assert "1\u202f234" in content and "à jour" in content and "aucune valeur" in content


def test_the_indicator_list_filters_on_freshness(staff_client):
    fresh = NorthStarFactory(name="Mesurée le mois dernier")
    MeasurementFactory(indicator=fresh, period_start=add_month(TODAY, -1))
    IndicatorFactory(name="Périmée")
    content = staff_client.get("/admin/impact/indicator/?fraicheur=pas-a-jour").content.decode()
    assert "Périmée" in content and "Mesurée le mois dernier" not in content


# --- Freshness ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("is_north_star", "kind", "start", "expected"),
    [
        # North Star, monthly: March ends on the 31st; fresh until 45 days later.
        (True, PeriodKind.MONTH, date(2025, 3, 1), True),
        (True, PeriodKind.MONTH, date(2025, 2, 1), False),
        (True, PeriodKind.DAY, date(2025, 3, 31), True),
        (True, PeriodKind.DAY, date(2025, 3, 30), False),
        # Another indicator: 100 days.
        (False, PeriodKind.MONTH, date(2025, 1, 1), True),
        (False, PeriodKind.MONTH, date(2024, 12, 1), False),
    ],
)
def test_freshness_is_the_same_rule_in_python_and_in_sql(is_north_star, kind, start, expected):
    on = date(2025, 3, 31) + timedelta(days=45)  # 15 May 2025
    if not is_north_star:
        on = date(2025, 1, 31) + timedelta(days=100)
    indicator = IndicatorFactory(is_north_star=is_north_star)
    MeasurementFactory(indicator=indicator, period_kind=kind, period_start=start)
    assert is_fresh(kind, start, is_north_star, on) is expected
    assert Indicator.objects.fresh(on).filter(pk=indicator.pk).exists() is expected
    assert Indicator.objects.stale(on).filter(pk=indicator.pk).exists() is not expected


def test_an_indicator_without_values_is_stale():
    indicator = IndicatorFactory()
    assert list(Indicator.objects.stale()) == [indicator]
    assert not Indicator.objects.fresh().exists()


def test_queryset_reads():
    star = NorthStarFactory()
    hidden = IndicatorFactory(startup=star.startup, is_public=False)
    assert list(Indicator.objects.north_stars()) == [star]
    assert hidden not in Indicator.objects.public()
    MeasurementFactory(indicator=star, period_start=date(2025, 1, 1), value=1)
    MeasurementFactory(indicator=star, period_start=date(2025, 2, 1), value=2)
    row = Indicator.objects.with_last_measurement().get(pk=star.pk)
    assert (row.last_period_start, row.last_value) == (date(2025, 2, 1), 2)


def test_periods():
    assert period_end(PeriodKind.MONTH, date(2024, 2, 1)) == date(2024, 2, 29)
    assert period_end(PeriodKind.MONTH, date(2024, 12, 1)) == date(2024, 12, 31)
    assert half_year_key(date(2025, 6, 30)) == "2025-S1"
    assert half_year_key(date(2025, 7, 1)) == "2025-S2"


def test_old_admin_addresses_of_indicators_lead_to_their_new_place(staff_client):
    response = staff_client.get("/admin/startups/indicator/import/?startup=x")
    assert response.status_code == 302
    assert response["Location"] == "/admin/impact/indicator/import/?startup=x"
    assert staff_client.get("/admin/startups/measurement/").url == "/admin/impact/measurement/"
