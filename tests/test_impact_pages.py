"""Public impact pages and exports: content, money or its absence, constant query counts."""

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from impact.models import ImpactCategory
from impact.views import TIMELINE_KINDS, phases_over_time
from startups.models import Startup
from tests.clock import TODAY
from tests.factories import PhaseFactory, StartupFactory, startup_with_phases
from tests.factories_budgets import PaymentFactory
from tests.factories_impact import (
    IndicatorFactory,
    MeasurementFactory,
    NorthStarFactory,
    add_month,
    monthly_values,
)

pytestmark = pytest.mark.django_db

FIRST = add_month(TODAY, -24)


@pytest.fixture(autouse=True)
def fresh_state():
    cache.clear()


def startup_with_impact(n: int = 0, months: int = 24, **fields):
    startup = startup_with_phases(
        ("investigation", TODAY - timedelta(days=900)),
        ("construction", TODAY - timedelta(days=800)),
        ("acceleration", TODAY - timedelta(days=300)),
        id=fields.pop("id", f"startup-impact-{n}"),
        repository="https://github.com/betagouv/x",
        **fields,
    )
    star = NorthStarFactory(
        startup=startup, target=Decimal(5000), target_date=date(TODAY.year + 1, 6, 30)
    )
    monthly_values(star, add_month(TODAY, -months), [1000 + 100 * m for m in range(months)])
    other = IndicatorFactory(
        startup=startup,
        name="Satisfaction",
        unit="sur 5",
        is_count=False,
        category=ImpactCategory.USEFUL,
    )
    monthly_values(other, add_month(TODAY, -months), [4] * months)
    IndicatorFactory(startup=startup, name="Secret", is_public=False)
    return startup


def test_the_startup_impact_page_shows_the_north_star_first_with_chart_and_table(client):
    startup = startup_with_impact(id="1000.jours", title="1000 jours")
    content = client.get("/startups/1000.jours/impact/").content.decode()
    assert "<h1>Impact de 1000 jours</h1>" in content
    assert content.index("Dossiers déposés") < content.index("Satisfaction")
    assert "Secret" not in content
    # A chart is never the only way to read the data: an SVG naming its table.
    assert 'role="img"' in content and 'aria-describedby="indicateur-' in content
    svg_target = content.split('aria-describedby="')[1].split('"')[0]
    assert f'<table id="{svg_target}">' in content
    main = content.split("<main")[1].split("</main>")[0]
    assert "<script" not in main  # charts need no JavaScript
    assert "Cible : 5\u202f000" in content
    assert "À jour" in content
    assert "Pas encore de données de paiement" in content
    assert "Transparence" in content and "Étoile polaire suivie et à jour" in content
    assert startup.get_absolute_url() in content


def test_cost_per_north_star_appears_when_payments_exist(client):
    startup = startup_with_impact()
    PaymentFactory(
        commitment__allocation__startup=startup,
        service_done_on=TODAY.replace(day=1),
        paid_on=TODAY.replace(day=2),
        amount=Decimal("1000"),
    )
    content = client.get(f"/startups/{startup.pk}/impact/").content.decode()
    assert "Pas encore de données de paiement" not in content
    assert "€ par dossier déposé" in content
    assert 'id="cout-par-impact-donnees"' in content


def test_a_startup_without_indicators(client):
    startup = startup_with_phases(("construction", date(2024, 1, 1)))
    content = client.get(f"/startups/{startup.pk}/impact/").content.decode()
    assert "Aucun indicateur n'est encore publié" in content
    assert "aucune étoile polaire définie" in content


def test_a_stale_indicator_is_badged(client):
    startup = startup_with_phases(("construction", date(2024, 1, 1)))
    star = NorthStarFactory(startup=startup)
    MeasurementFactory(indicator=star, period_start=add_month(TODAY, -6))
    content = client.get(f"/startups/{startup.pk}/impact/").content.decode()
    assert "Pas à jour" in content


def test_unknown_startups_are_404(client):
    for url in [
        "/startups/inconnue/impact/",
        "/api/v2/startups/inconnue/indicators.json",
        "/api/v2/startups/inconnue/indicators.csv",
    ]:
        assert client.get(url).status_code == 404


def test_the_programme_page(client):
    for n in range(3):
        startup_with_impact(n)
    startup_with_phases(("investigation", TODAY - timedelta(days=10)))
    content = client.get("/impact/").content.decode()
    assert "<h1>L'impact des startups d'État</h1>" in content
    assert 'id="phases-donnees"' in content and 'aria-describedby="phases-donnees"' in content
    assert "qui suivent une étoile polaire</th><td>3</td>" in content.replace("Qui", "qui")
    assert "Pas encore de données de paiement" in content
    assert "Code source public</th><td>3 sur 3</td>" in content
    assert "/startups/startup-impact-0/impact/" in content


def test_the_programme_page_shows_money_when_available(client):
    startup_with_impact()
    PaymentFactory(
        commitment__amount=Decimal("1500000"),
        commitment__allocation__amount=Decimal("1500000"),
        amount=Decimal("600000"),
    )
    content = client.get("/impact/").content.decode()
    assert "1\u202f500\u202f000\u00a0€" in content and "900\u202f000\u00a0€" in content


def test_phases_over_time_follow_the_current_phase_rule(client):
    # Investigation from Jan 2024, construction from Mar 2024: at 30 June 2024, one in construction.
    startup_with_phases(("investigation", date(2024, 1, 1)), ("construction", date(2024, 3, 1)))
    content = client.get("/impact/").content.decode()
    row = content.split('<th scope="row">juin 2024</th>')[1].split("</tr>")[0]
    assert row.startswith("<td>0</td><td>1</td><td>0</td><td>0</td><td>1</td>")


def test_phases_over_time_count_what_the_current_phase_rule_says_on_each_day():
    """Every day of the timeline, the counts are those of with_current_phase on that day:
    phases starting on a half's last day, the day after, an undated last phase, a phase planned
    after today, one that ends before the next starts (a phase lasts until the next)."""
    startup_with_phases(("investigation", date(2023, 6, 30)), ("construction", date(2023, 7, 1)))
    undated_last = startup_with_phases(("investigation", date(2022, 1, 1)))
    PhaseFactory(startup=undated_last, kind="construction", start=None)
    on_a_half_end = startup_with_phases(("investigation", date(2023, 12, 31)))
    PhaseFactory(startup=on_a_half_end, kind="construction", start=None)
    startup_with_phases(
        ("investigation", date(2021, 12, 31)),
        ("construction", date(2023, 12, 31)),
        ("acceleration", TODAY + timedelta(days=20)),
    )
    startup_with_phases(("construction", date(2022, 5, 1)), ("abandon", date(2024, 6, 30)))
    PhaseFactory(startup=StartupFactory(), kind="construction", start=None)
    days, counts = phases_over_time(TODAY)
    assert days[-1] == TODAY and len(days) > 6
    for day in days:
        expected = Counter(
            Startup.objects.with_current_phase(day)
            .filter(current_phase_kind__in=TIMELINE_KINDS)
            .values_list("current_phase_kind", flat=True)
        )
        assert {kind: n for (d, kind), n in counts.items() if d == day} == expected, day


@pytest.mark.parametrize("size", [2, 12])
def test_pages_cost_a_fixed_number_of_queries(client, size, django_assert_max_num_queries):
    for n in range(size):
        startup_with_impact(n, months=6 if size == 2 else 24)
    for url, queries in [
        ("/startups/startup-impact-0/impact/", 6),
        # 3 of them: the programme's money, from budgets; 1 the version of the parts it keeps
        # while only money changes (tests/test_revalidation_cost.py).
        ("/impact/", 10),
        ("/api/v2/startups/startup-impact-0/indicators.json", 4),
        ("/api/v2/startups/startup-impact-0/indicators.csv", 4),
    ]:
        cache.clear()
        with django_assert_max_num_queries(queries):
            assert client.get(url).status_code == 200


def test_the_json_export(client):
    startup_with_impact(id="données-et-territoires")
    response = client.get("/api/v2/startups/données-et-territoires/indicators.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    assert data["startup"]["id"] == "données-et-territoires"
    names = [i["name"] for i in data["indicators"]]
    assert names == ["Dossiers déposés", "Satisfaction"]
    star = data["indicators"][0]
    assert star["north_star"] is True and star["target"] == 5000
    assert len(star["values"]) == 24
    assert star["values"][0] == {
        "period": FIRST.strftime("%Y-%m"),
        "period_kind": "month",
        "value": 1000,
        "source": None,
        "comment": None,
    }
    # Cached: a second request gives the same body and keeps the CORS header.
    again = client.get("/api/v2/startups/données-et-territoires/indicators.json")
    assert again.content == response.content and again["Access-Control-Allow-Origin"] == "*"


def test_the_csv_export_neutralises_formulas(client):
    startup = startup_with_impact()
    star = startup.indicators.get(is_north_star=True)
    star.name = "=HYPERLINK(1)"
    star.save()
    MeasurementFactory(
        indicator=star, period_kind="day", period_start=date(2020, 1, 2), value=Decimal("2.5"),
        source="@source", comment="-commentaire",
    )  # fmt: skip
    response = client.get(f"/api/v2/startups/{startup.pk}/indicators.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows[0][:3] == ["indicator_id", "indicator", "north_star"]
    day = next(row for row in rows if row[8] == "2020-01-02")
    assert day[1] == "'=HYPERLINK(1)" and day[10] == "2.5"
    assert day[11] == "'@source" and day[12] == "'-commentaire"
    assert len(rows) == 1 + 25 + 24


def test_a_write_is_visible_at_the_next_request(client):
    startup = startup_with_impact()
    url = f"/startups/{startup.pk}/impact/"
    assert "Nouvel indicateur" not in client.get(url).content.decode()
    IndicatorFactory(startup=startup, name="Nouvel indicateur")
    assert "Nouvel indicateur" in client.get(url).content.decode()
