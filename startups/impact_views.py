"""Public impact pages and exports: a startup's indicators against its money, and the programme.

Each page costs a fixed number of queries whatever the number of startups, indicators and
values (tests/test_impact_pages.py checks it at two sizes): rows are loaded in bulk and
grouped in Python, charts are drawn from those rows (startups/charts.py).
"""

import csv
import io
import json
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from portfolio.caching import IMPACT, MONEY, REGISTRY, public_page
from portfolio.csv_safety import neutralise
from startups import charts, impact_sources, transparency
from startups.api import open_api_endpoint
from startups.charts import format_euros, format_number
from startups.impact_models import (
    Indicator,
    Measurement,
    PeriodKind,
    is_fresh,
    period_label,
    stale_after,
)
from startups.models import Startup, today
from startups.phases import PhaseKind
from startups.views import breadcrumb

# Phases that have a service to measure: where a North Star and transparency are expected.
MEASURED_KINDS = [PhaseKind.CONSTRUCTION, PhaseKind.ACCELERATION, PhaseKind.CONSOLIDATION]
TIMELINE_KINDS = [PhaseKind.INVESTIGATION, *MEASURED_KINDS]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).


# --- A startup's impact ---------------------------------------------------------------------
def load_startup_impact(startup_id: str):
    """The startup (1 query) and its public indicators with their values (2 queries)."""
    startup = get_object_or_404(
        Startup.objects.with_current_phase()
        .select_related("incubator")
        .only(
            "id",
            "title",
            "mission",
            "repository",
            "accessibility_status",
            "risk_analysis_done",
            "incubator__id",
            "incubator__title",
        ),
        pk=startup_id,
    )
    indicators = list(
        Indicator.objects.public()
        .filter(startup=startup)
        .order_by("-is_north_star", "position", "name")
        .prefetch_related(Prefetch("measurements", queryset=Measurement.objects.chronological()))
    )
    return startup, indicators


def target_text(indicator: Indicator) -> str:
    if indicator.target is None:
        return ""
    text = f"Cible : {format_number(indicator.target)} {indicator.unit}"
    if indicator.target_date:
        text += f" d'ici {period_label(PeriodKind.MONTH, indicator.target_date)}"
    return text


def indicator_card(indicator: Indicator, on: date) -> dict:
    measurements = list(indicator.measurements.all())
    last = measurements[-1] if measurements else None
    fresh = bool(last) and is_fresh(
        last.period_kind, last.period_start, indicator.is_north_star, on
    )
    chart_id = f"indicateur-{indicator.pk}"
    table_id = f"{chart_id}-donnees"
    chart = None
    if measurements:
        chart = charts.line_chart(
            [(m.period_start, m.value) for m in measurements],
            title=f"{indicator.name} : évolution, en {indicator.unit}",
            chart_id=chart_id,
            table_id=table_id,
            target=indicator.target,
            target_label=f"Cible : {format_number(indicator.target)}" if indicator.target is not None else "",
        )  # fmt: skip
    return {
        "indicator": indicator,
        "measurements": measurements,
        "rows": [
            {
                "period": m.period_label,
                "value": format_number(m.value),
                "source": m.source,
                "comment": m.comment,
            }
            for m in reversed(measurements)
        ],
        "last": last,
        "last_value": format_number(last.value) if last else "",
        "last_period": last.period_label if last else "",
        "fresh": fresh,
        "stale_after_days": stale_after(indicator.is_north_star).days,
        "target_text": target_text(indicator),
        "chart": chart,
        "chart_id": chart_id,
        "table_id": table_id,
    }


def cost_chart(cost: impact_sources.CostPerImpact, unit: str):
    computed = [row for row in cost.rows if row.cost is not None]
    if not computed:
        return None
    return charts.bar_chart(
        [row.half.replace("-", " ") for row in computed],
        [(f"€ par {unit}", [float(row.cost) for row in computed])],
        title=f"Coût par {unit}, par semestre, en euros",
        chart_id="cout-par-impact",
        table_id="cout-par-impact-donnees",
    )


@require_safe
@public_page(depends_on=REGISTRY + IMPACT + MONEY)
def startup_impact(request: HttpRequest, startup_id: str) -> HttpResponse:
    startup, indicators = load_startup_impact(startup_id)
    on = today()
    north_star = next((i for i in indicators if i.is_north_star), None)
    cards = [indicator_card(indicator, on) for indicator in indicators]
    star_measurements = cards[0]["measurements"] if north_star else []
    cost = impact_sources.cost_per_impact(
        north_star, star_measurements, impact_sources.cp_paid_by_half_year(startup.pk)
    )
    checklist = transparency.checklist_for(
        startup,
        north_star=north_star,
        # Without a public North Star, the checklist looks for a private one (one query).
        measurements=star_measurements if north_star else None,
        on=on,
    )
    unit = north_star.unit_for_cost if north_star else ""
    return render(
        request,
        "startups/impact/startup_impact.html",
        {
            "title": f"Impact de {startup.title}",
            "startup": startup,
            "cards": cards,
            "north_star_card": cards[0] if north_star else None,
            "other_cards": cards[1:] if north_star else cards,
            "cost": cost,
            "cost_chart": cost_chart(cost, unit) if north_star else None,
            "cost_unit": unit,
            "checklist": checklist,
            "json_url": reverse("impact:indicators_json", args=[startup.pk]),
            "csv_url": reverse("impact:indicators_csv", args=[startup.pk]),
            "breadcrumb_data": breadcrumb(
                ("/startups/", "Startups"),
                (startup.get_absolute_url(), startup.title),
                current="Impact",
            ),
        },
    )


# --- The programme --------------------------------------------------------------------------
def half_year_ends(first: date, on: date) -> list[date]:
    """30 June and 31 December from the half holding `first` up to before `on`, then `on`."""
    ends = []
    year, half = first.year, 1 if first.month <= 6 else 2
    while True:
        end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        if end >= on:
            break
        ends.append(end)
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    return [*ends, on]


PHASES_OVER_TIME_SQL = """
WITH spans AS (
    SELECT kind, start,
           LEAD(start) OVER (PARTITION BY startup_id ORDER BY start, id) AS next_start
    FROM startups_phase
),
days AS (SELECT unnest(%s::date[]) AS day)
SELECT days.day, spans.kind, count(*)
FROM days JOIN spans ON spans.start <= days.day
                    AND (spans.next_start IS NULL OR spans.next_start > days.day)
WHERE spans.kind = ANY(%s)
GROUP BY days.day, spans.kind
"""


def phases_over_time(on: date) -> tuple[list[date], dict[tuple[date, str], int]]:
    """Startups in each active phase at the end of each half-year: one query.

    Same rule as `StartupQuerySet.with_current_phase`: a phase lasts until the next starts.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(start) FROM startups_phase WHERE start <= %s", [on])
        first = cursor.fetchone()[0]
        if first is None:
            return [], {}
        # Ten years at most: older halves hold a handful of startups and crowd the chart.
        first = max(first, date(on.year - 10, 1, 1))
        days = half_year_ends(first, on)
        cursor.execute(PHASES_OVER_TIME_SQL, [days, [str(k) for k in TIMELINE_KINDS]])
        counts = {(day, kind): number for day, kind, number in cursor.fetchall()}
    return days, counts


def day_label(day: date, on: date) -> str:
    if day == on:
        return "aujourd'hui"
    return f"{'juin' if day.month == 6 else 'déc.'} {day.year}"


@require_safe
@public_page(depends_on=REGISTRY + IMPACT + MONEY)
def programme_impact(request: HttpRequest) -> HttpResponse:
    on = today()
    days, counts = phases_over_time(on)
    timeline_rows = [
        {
            "label": day_label(day, on),
            "counts": [counts.get((day, kind), 0) for kind in TIMELINE_KINDS],
            "total": sum(counts.get((day, kind), 0) for kind in TIMELINE_KINDS),
        }
        for day in days
    ]
    timeline_chart = (
        charts.bar_chart(
            [
                row["label"].replace("déc. ", "").replace("juin ", "")
                if row["label"] != "aujourd'hui"
                else "auj."
                for row in timeline_rows
            ],
            [
                (kind.label, [float(row["counts"][i]) for row in timeline_rows])
                for i, kind in enumerate(TIMELINE_KINDS)
            ],
            title="Startups actives par phase, à la fin de chaque semestre",
            chart_id="phases",
            table_id="phases-donnees",
        )
        if timeline_rows
        else None
    )

    measured = Startup.objects.with_current_phase().filter(current_phase_kind__in=MEASURED_KINDS)
    lists = transparency.checklists(measured, on)
    total = len(lists)
    with_star = sum(c.has_north_star for c in lists.values())
    fresh = sum(c.north_star_point.ok for c in lists.values())
    star_rows = [
        ("Startups en construction, accélération ou consolidation", total),
        ("qui suivent une étoile polaire", with_star),
        ("dont l'étoile polaire est à jour", fresh),
    ]
    star_chart = charts.hbar_chart(
        [(label, value, format_number(value)) for label, value in star_rows],
        maximum=total,
        title="Startups qui suivent une étoile polaire, et à jour",
        chart_id="etoiles",
        table_id="etoiles-donnees",
    )

    points = transparency.summary(lists.values())
    for point in points:
        point["share"] = f"{round(100 * point['count'] / total)} %" if total else "—"
    transparency_chart = charts.hbar_chart(
        [(p["label"], p["count"], p["share"]) for p in points],
        maximum=total,
        title="Startups qui remplissent chaque point de transparence",
        chart_id="transparence",
        table_id="transparence-donnees",
    )

    money = impact_sources.programme_totals()
    money_rows = money_chart = None
    if money is not None:
        money_rows = [
            ("Engagé (AE)", money.committed),
            ("Payé (CP)", money.paid),
            ("Reste à payer (AE engagées − CP payés)", money.left_to_pay),
        ]
        money_chart = charts.hbar_chart(
            [(label, float(value), format_euros(value)) for label, value in money_rows],
            maximum=float(max(money.committed, money.paid, Decimal(1))),
            title="Argent du programme : engagé, payé, reste à payer",
            chart_id="argent",
            table_id="argent-donnees",
        )
        money_rows = [(label, format_euros(value)) for label, value in money_rows]

    followed = sorted(
        (c for c in lists.values() if c.has_north_star), key=lambda c: c.title.casefold()
    )
    return render(
        request,
        "startups/impact/programme_impact.html",
        {
            "title": "L'impact des startups d'État",
            "on": on,
            "timeline_kinds": TIMELINE_KINDS,
            "timeline_rows": timeline_rows,
            "timeline_chart": timeline_chart,
            "legend": list(zip(TIMELINE_KINDS, charts.SERIES, strict=False)),
            "measured_total": total,
            "star_rows": [(label, format_number(value)) for label, value in star_rows],
            "star_chart": star_chart,
            "north_star_stale_days": stale_after(True).days,
            "points": points,
            "transparency_chart": transparency_chart,
            "money_rows": money_rows,
            "money_chart": money_chart,
            "followed": followed,
            "breadcrumb_data": breadcrumb(current="Impact"),
        },
    )


# --- Exports --------------------------------------------------------------------------------
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
        "fresh": bool(last)
        and is_fresh(last.period_kind, last.period_start, indicator.is_north_star, on),
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
@public_page(depends_on=REGISTRY + IMPACT + MONEY)
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
    body = json.dumps(payload, ensure_ascii=False, indent=1)
    return HttpResponse(body.encode(), content_type="application/json; charset=utf-8")


CSV_COLUMNS = [
    "indicator_id",
    "indicator",
    "north_star",
    "category",
    "unit",
    "direction",
    "target",
    "target_date",
    "period",
    "period_kind",
    "value",
    "source",
    "comment",
]


def plain_decimal(value: Decimal) -> str:
    """« 1234.5 », never « 1234.5000 » nor « 1.2E+3 »."""
    return format(value.normalize(), "f")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(str(value))


@open_api_endpoint
@public_page(depends_on=REGISTRY + IMPACT + MONEY)
def indicators_csv(request: HttpRequest, startup_id: str) -> HttpResponse:
    _, indicators = load_startup_impact(startup_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for indicator in indicators:
        common = [
            indicator.pk,
            indicator.name,
            indicator.is_north_star,
            indicator.category,
            indicator.unit,
            indicator.direction,
            indicator.target,
            indicator.target_date.isoformat() if indicator.target_date else None,
        ]
        measurements = list(indicator.measurements.all())
        if not measurements:
            writer.writerow([csv_cell(v) for v in [*common, None, None, None, None, None]])
        for m in measurements:
            row = [
                *common,
                period_code(m.period_kind, m.period_start),
                m.period_kind,
                m.value,
                m.source,
                m.comment,
            ]
            writer.writerow([csv_cell(v) for v in row])
    response = HttpResponse(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicateurs.csv"'
    return response
