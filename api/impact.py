"""A startup's public indicators as open data: /api/v2/startups/<id>/indicators.json and .csv."""

import json
from datetime import date
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from api.http import json_response, open_api_endpoint
from impact.models import Indicator, PeriodKind, is_fresh, latest_period
from impact.selectors import load_startup_impact
from publishing.caching import public_page
from publishing.exports import csv_response
from startups.models import today


def json_number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def period_code(kind: str, start: date) -> str:
    return start.strftime("%Y-%m") if kind == PeriodKind.MONTH else start.isoformat()


def indicator_resource(indicator: Indicator, on: date) -> dict:
    measurements = list(indicator.measurements.all())
    last = measurements[-1] if measurements else None
    return {
        "id": indicator.pk,
        "name": indicator.name,
        "description": indicator.description,
        "unit": indicator.unit,
        "category": indicator.category,
        "direction": indicator.direction,
        "north_star": indicator.is_north_star,
        "is_count": indicator.is_count,
        "target": json_number(indicator.target),
        "target_date": indicator.target_date.isoformat() if indicator.target_date else None,
        # The period that ends last, as the impact page and `Indicator.objects.fresh()`.
        "fresh": is_fresh(*latest_period(measurements), indicator.is_north_star, on),
        "last_period": period_code(last.period_kind, last.period_start) if last else None,
        "values": [
            {
                "period": period_code(m.period_kind, m.period_start),
                "period_kind": m.period_kind,
                "value": json_number(m.value),
                "source": m.source or None,
                "comment": m.comment or None,
            }
            for m in measurements
        ],
    }


@open_api_endpoint
@public_page(depends_on=("startups", "budgets", "impact"))
def indicators_json(request: HttpRequest, startup_id: str) -> HttpResponse:
    startup, indicators = load_startup_impact(startup_id)
    on = today()
    payload = {
        "startup": {
            "id": startup.pk,
            "name": startup.title,
            "impact_page": request.build_absolute_uri(reverse("impact:startup", args=[startup.pk])),
        },
        "generated_on": on.isoformat(),
        "indicators": [indicator_resource(indicator, on) for indicator in indicators],
    }
    return json_response(json.dumps(payload, ensure_ascii=False, indent=1).encode())


CSV_COLUMNS = [
    ("indicator_id", "Identifiant de l'indicateur."),
    ("indicator", "Nom de l'indicateur."),
    ("north_star", "true pour la North Star."),
    ("category", "Case de la matrice d'impact."),
    ("unit", "Unité."),
    ("direction", "higher ou lower."),
    ("target", "Cible (vide si aucune)."),
    ("target_date", "Date de la cible."),
    ("period", "Période de la valeur (AAAA-MM ou AAAA-MM-JJ ; vide sans valeur)."),
    ("period_kind", "month ou day."),
    ("value", "Valeur, point décimal."),
    ("source", "Source."),
    ("comment", "Commentaire."),
]


def plain_decimal(value: Decimal | None) -> str | None:
    """« 1234.5 », never « 1234.5000 » nor « 1.2E+3 » (values are stored to 4 decimals)."""
    return None if value is None else format(value.normalize(), "f")


@open_api_endpoint
@public_page(depends_on=("startups", "budgets", "impact"))
def indicators_csv(request: HttpRequest, startup_id: str) -> HttpResponse:
    _, indicators = load_startup_impact(startup_id)
    rows = [[name for name, _ in CSV_COLUMNS]]
    for indicator in indicators:
        common = [
            indicator.pk,
            indicator.name,
            indicator.is_north_star,
            indicator.category,
            indicator.unit,
            indicator.direction,
            plain_decimal(indicator.target),
            indicator.target_date,
        ]
        measurements = list(indicator.measurements.all())
        if not measurements:
            rows.append([*common, None, None, None, None, None])
        for m in measurements:
            period = period_code(m.period_kind, m.period_start)
            value = plain_decimal(m.value)
            rows.append([*common, period, m.period_kind, value, m.source, m.comment])
    return csv_response(rows, "indicateurs.csv")
