"""Public impact pages and exports: a startup's indicators against its money, and the programme.

Each page costs a fixed number of queries whatever the number of startups, indicators and
values (tests/test_impact_pages.py checks it at two sizes): rows are loaded in bulk and
grouped in Python, charts are drawn from those rows (startups/charts.py).
"""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from budgets import selectors as money
from impact import cost as impact_cost
from impact import transparency
from impact.models import (
    Indicator,
    PeriodKind,
    is_fresh,
    latest_period,
    period_label,
    stale_after,
)
from impact.selectors import load_startup_impact
from publishing import charts
from publishing.caching import kept_many, public_page
from publishing.formats import euros, number
from publishing.pages import breadcrumb
from startups.models import Startup, today
from startups.phases import PhaseKind

# Phases that have a service to measure: where a North Star and transparency are expected.
MEASURED_KINDS = [PhaseKind.CONSTRUCTION, PhaseKind.ACCELERATION, PhaseKind.CONSOLIDATION]
TIMELINE_KINDS = [PhaseKind.INVESTIGATION, *MEASURED_KINDS]


def target_text(indicator: Indicator) -> str:
    if indicator.target is None:
        return ""
    text = f"Cible : {number(indicator.target)} {indicator.unit}"
    if indicator.target_date:
        text += f" d'ici {period_label(PeriodKind.MONTH, indicator.target_date)}"
    return text


def indicator_card(indicator: Indicator, on: date) -> dict:
    measurements = list(indicator.measurements.all())
    last = measurements[-1] if measurements else None
    # Judged on the period that ends last, not the last to start (a month after a day of it),
    # as `Indicator.objects.fresh()` and the transparency checklist on the same page judge.
    fresh = is_fresh(*latest_period(measurements), indicator.is_north_star, on)
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
            target_label=f"Cible : {number(indicator.target)}" if indicator.target is not None else "",
        )  # fmt: skip
    return {
        "indicator": indicator,
        "measurements": measurements,
        "rows": [
            {
                "period": m.period_label,
                "value": number(m.value),
                "source": m.source,
                "comment": m.comment,
            }
            for m in reversed(measurements)
        ],
        "last": last,
        "last_value": number(last.value) if last else "",
        "last_period": last.period_label if last else "",
        "fresh": fresh,
        "stale_after_days": stale_after(indicator.is_north_star).days,
        "target_text": target_text(indicator),
        "chart": chart,
        "chart_id": chart_id,
        "table_id": table_id,
    }


def cost_chart(cost: impact_cost.CostPerImpact, unit: str):
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
@public_page(depends_on=("startups", "budgets", "impact"))
def startup_impact(request: HttpRequest, startup_id: str) -> HttpResponse:
    startup, indicators = load_startup_impact(startup_id)
    on = today()
    north_star = next((i for i in indicators if i.is_north_star), None)
    cards = [indicator_card(indicator, on) for indicator in indicators]
    star_measurements = cards[0]["measurements"] if north_star else []
    cost = impact_cost.cost_per_impact(
        north_star, star_measurements, impact_cost.cp_paid_by_half_year(startup.pk, on)
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
        "impact/startup_impact.html",
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
            "json_url": reverse("api:indicators_json", args=[startup.pk]),
            "csv_url": reverse("api:indicators_csv", args=[startup.pk]),
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
    -- One pass over each startup's phases in order. An undated phase (the last, NULL sorts
    -- last) begins the day after the last dated one: the rule of with_current_phase; alone, it
    -- has always begun. A phase lasts until the next begins. The startups are told apart by
    -- byte order (COLLATE "C"): the same groups, sorted without the language's rules.
    SELECT kind,
           COALESCE(start, LAG(start) OVER w + 1, '-infinity'::date) AS start,
           CASE WHEN LEAD(id) OVER w IS NOT NULL THEN COALESCE(LEAD(start) OVER w, start + 1)
           END AS next_start
    FROM startups_phase
    WINDOW w AS (PARTITION BY startup_id COLLATE "C" ORDER BY start, id)
),
-- The days a phase covers, as positions in the sorted days: from the first day on or after
-- its start to the last day before the next phase starts (width_bucket counts the days at or
-- before a date, by binary search).
covered AS (
    SELECT kind,
           width_bucket(start - 1, %(days)s::date[]) + 1 AS first,
           COALESCE(width_bucket(next_start - 1, %(days)s::date[]), %(n)s) AS last
    FROM spans
    WHERE kind = ANY(%(kinds)s)
),
changes AS (
    SELECT kind, first AS position, 1 AS change FROM covered WHERE first <= last
    UNION ALL
    SELECT kind, last + 1, -1 FROM covered WHERE first <= last AND last < %(n)s
)
SELECT kind, position, sum(change) FROM changes GROUP BY kind, position
"""


def phases_over_time(on: date) -> tuple[list[date], dict[tuple[date, str], int]]:
    """Startups in each active phase at the end of each half-year: one query.

    Same rule as `StartupQuerySet.with_current_phase`: a phase lasts until the next starts.
    Each phase gives +1 on the first day it covers and -1 after its last; the counts are the
    running sums, in Python. Joining every phase to every day (a range condition, no index)
    cost phases × days: 150 ms at 6 620 startups.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(start) FROM startups_phase WHERE start <= %s", [on])
        first = cursor.fetchone()[0]
        if first is None:
            return [], {}
        # Ten years at most: older halves hold a handful of startups and crowd the chart.
        first = max(first, date(on.year - 10, 1, 1))
        days = half_year_ends(first, on)
        kinds = [str(k) for k in TIMELINE_KINDS]
        cursor.execute(PHASES_OVER_TIME_SQL, {"days": days, "n": len(days), "kinds": kinds})
        changes = Counter()
        for kind, position, change in cursor.fetchall():
            changes[position, kind] += change
    counts = {}
    for kind in kinds:
        running = 0
        for position, day in enumerate(days, 1):
            running += changes[position, kind]
            if running:
                counts[day, kind] = running
    return days, counts


def day_label(day: date, on: date) -> str:
    if day == on:
        return "aujourd'hui"
    return f"{'juin' if day.month == 6 else 'déc.'} {day.year}"


@require_safe
@public_page(depends_on=("startups", "budgets", "impact"))
def programme_impact(request: HttpRequest) -> HttpResponse:
    on = today()
    # The timeline and what the checklists read besides money are registry and impact data:
    # kept while payments change the budgets version (each change rebuilt this page, 34 ms on
    # average under the mixed load at 6 620 startups, two thirds of it these three queries).
    measured = Startup.objects.with_current_phase(on).filter(current_phase_kind__in=MEASURED_KINDS)
    builders = {
        "timeline": lambda: phases_over_time(on),
        "inputs": lambda: transparency.registry_inputs(measured),
    }
    parts = kept_many(
        {"timeline": "impact:timeline", "inputs": "impact:measured-checklist-inputs"},
        lambda missing: {name: builders[name]() for name in missing},
        depends_on=("startups", "impact"),
    )
    days, counts = parts["timeline"]
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

    lists = transparency.checklists(on=on, inputs=parts["inputs"])
    total = len(lists)
    with_star = sum(c.has_north_star for c in lists.values())
    fresh = sum(c.north_star_point.ok for c in lists.values())
    star_rows = [
        ("Startups en construction, accélération ou consolidation", total),
        ("qui suivent une étoile polaire", with_star),
        ("dont l'étoile polaire est à jour", fresh),
    ]
    star_chart = charts.hbar_chart(
        [(label, value, number(value)) for label, value in star_rows],
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

    totals = money.programme_totals(on)
    money_rows = money_chart = None
    if totals["allocated"] or totals["committed"]:  # else: « pas encore de données »
        money_rows = [
            ("Engagé (AE)", totals["committed"]),
            ("Payé (CP)", totals["paid"]),
            ("Reste à payer (AE engagées − CP payés)", totals["to_pay"]),
        ]
        money_chart = charts.hbar_chart(
            [(label, float(value), euros(value, 0)) for label, value in money_rows],
            maximum=float(max(totals["committed"], totals["paid"], Decimal(1))),
            title="Argent du programme : engagé, payé, reste à payer",
            chart_id="argent",
            table_id="argent-donnees",
        )
        money_rows = [(label, euros(value, 0)) for label, value in money_rows]

    followed = sorted(
        (c for c in lists.values() if c.has_north_star), key=lambda c: c.title.casefold()
    )
    return render(
        request,
        "impact/programme_impact.html",
        {
            "title": "L'impact des startups d'État",
            "on": on,
            "timeline_kinds": TIMELINE_KINDS,
            "timeline_rows": timeline_rows,
            "timeline_chart": timeline_chart,
            "legend": list(zip(TIMELINE_KINDS, charts.SERIES, strict=False)),
            "measured_total": total,
            "star_rows": [(label, number(value)) for label, value in star_rows],
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
