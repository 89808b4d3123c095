"""What the public sees of budgets: figures built for the public pages, the startup block and
the open data. Nothing here exposes a supplier or a purchase order unless the commitment is
marked `references_public`.

Each function costs a fixed number of queries whatever the data size.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Sum
from django.db.models.functions import ExtractYear

from budgets.models import (
    Activity,
    Allocation,
    Amendment,
    Commitment,
    Convention,
    Figures,
    Payment,
    figures_by,
    total_of,
)
from budgets.money import ZERO
from publishing import charts
from publishing.caching import fingerprint, tables_of, version_seen
from publishing.compiled import compiled_query
from publishing.models import DataChange
from startups.models import today


@dataclass
class Line:
    label: str
    figures: Figures
    # Reste à payer shown on the line: for a year, at its end (committed − paid, both cumulated
    # up to 31/12 of that year), since payments of one year settle commitments of the year before.
    to_pay: Decimal | None = None
    # The day `to_pay` is at when it is not the year's end: a year in progress (or to come)
    # only has its figure of today, and the column says « au 31/12 ».
    to_pay_on: date | None = None

    def __post_init__(self):
        if self.to_pay is None:
            self.to_pay = self.figures.to_pay


def _year_lines(by_year: dict, on: date) -> list[Line]:
    lines, committed, paid = [], ZERO, ZERO
    for key in sorted(by_year):
        figures = by_year[key]
        committed, paid = committed + figures.committed, paid + figures.paid
        # Before 31/12 of its year, the cumulated figure is today's, not the year end's: say so
        # rather than label it « au 31/12 » (payments still to come that year are not in it).
        to_pay_on = on if on < date(key[0], 12, 31) else None
        lines.append(Line(str(key[0]), figures, committed - paid, to_pay_on))
    return lines


def _activity_lines(figures: dict) -> list[Line]:
    lines = [Line(Activity(key[0]).label, f) for key, f in figures.items() if key[0]]
    return sorted(lines, key=lambda line: -line.figures.committed)


@compiled_query(startup_id="\x00startup")
def _allocated_by_year(startup_id: str):
    """A startup's allocations by year and convention (every startup page built fresh runs it:
    compiled once)."""
    return (
        Allocation.objects.filter(startup_id=startup_id)
        .annotate(year=ExtractYear("tranche__available_on"))
        .values("year", "tranche__convention__reference", "tranche__convention__title")
        .annotate(total=Sum("amount"))
        .order_by("tranche__convention__start", "year")
    )


def startup_budget(startup_id: str) -> dict | None:
    """By year and by activity for one startup, and its conventions; None without allocation.

    One query when the startup has no allocation (it then has no commitment either), three
    otherwise: allocations by year and convention, then commitments and payments by year and
    activity, folded in Python.
    """
    on = today()
    allocated = _allocated_by_year.rows(startup_id=startup_id)
    if not allocated:
        return None
    by_year: dict[tuple, Figures] = {}
    conventions: dict[str, str] = {}
    for row in allocated:
        figures = by_year.setdefault((row["year"],), Figures(on=on))
        figures.allocated += row["total"]
        conventions[row["tranche__convention__reference"]] = row["tranche__convention__title"]
    by_activity: dict[tuple, Figures] = {}
    detailed = figures_by(
        "year",
        "activity",
        commitments=Commitment.objects.filter(allocation__startup_id=startup_id),
        payments=Payment.objects.filter(commitment__allocation__startup_id=startup_id),
        on=on,
    )
    for (year, activity), figures in detailed.items():
        by_year[(year,)] = by_year.get((year,), Figures(on=on)) + figures
        by_activity[(activity,)] = by_activity.get((activity,), Figures(on=on)) + figures
    return {
        "years": _year_lines(by_year, on),
        "activities": _activity_lines(by_activity),
        "total": total_of(by_year, on),
        "conventions": [{"reference": ref, "title": title} for ref, title in conventions.items()],
    }


# Every startup's money rows, whole, digested by PostgreSQL: what `startup_budget` reads (the
# startup's allocations with their tranche and convention, their commitments, their payments),
# any column a later block shows included. A startup without an allocation is absent.
MONEY_DIGESTS_SQL = """
WITH allocations AS (
    SELECT a.startup_id, string_agg(concat(a, t, v), ',' ORDER BY a.id) AS rows
    FROM budgets_allocation a
    JOIN budgets_tranche t ON t.id = a.tranche_id
    JOIN budgets_convention v ON v.id = t.convention_id
    WHERE a.startup_id IS NOT NULL
    GROUP BY a.startup_id
), commitments AS (
    SELECT a.startup_id, string_agg(c::text, ',' ORDER BY c.id) AS rows
    FROM budgets_commitment c
    JOIN budgets_allocation a ON a.id = c.allocation_id
    WHERE a.startup_id IS NOT NULL
    GROUP BY a.startup_id
), payments AS (
    SELECT a.startup_id, string_agg(p::text, ',' ORDER BY p.id) AS rows
    FROM budgets_payment p
    JOIN budgets_commitment c ON c.id = p.commitment_id
    JOIN budgets_allocation a ON a.id = c.allocation_id
    WHERE a.startup_id IS NOT NULL
    GROUP BY a.startup_id
)
SELECT allocations.startup_id, encode(sha256(convert_to(concat(
    'allocations:', allocations.rows, '|commitments:', commitments.rows, '|payments:', payments.rows
), 'UTF8')), 'hex')
FROM allocations
LEFT JOIN commitments USING (startup_id)
LEFT JOIN payments USING (startup_id)
"""

# (budgets version read before them, day, {startup: digest}) as this process last read them.
_money_digests: tuple[int, date, dict[str, str]] | None = None


def money_digests() -> dict[str, str]:
    """{startup: digest of its money rows}, read once per budgets version and day in this
    process (one query, ~4 ms at 6 620 startups, in proportion to the money rows), then kept.

    Read again when a page has seen a newer budgets version than the one read before them
    (`version_seen`; outside a page, `DataChange.latest`, remembered PUBLIC_DATA_VERSION_TTL):
    digests read before a payment never vouch for a page that has seen it. Read once for all
    startups rather than once per page: under the mixed load (28 payments/s) most startup pages
    revalidate after each version, ~300 hits a second per worker, at ~0.25 ms each for a digest
    of their own rows (one query each)."""
    global _money_digests
    version = version_seen("budgets")
    if version is None:
        version, _ = DataChange.latest(tables_of(("budgets",)))
    on = today()
    held = _money_digests
    if held is None or held[0] < version or held[1] != on:
        with connection.cursor() as cursor:
            cursor.execute(MONEY_DIGESTS_SQL)
            held = _money_digests = (version, on, dict(cursor.fetchall()))
    return held[2]


@fingerprint("budgets:startup")
def startup_fingerprint(startup_id: str) -> str:
    """All a startup's page shows of the money: its budget block, and whether it has one (its
    transparency point). A payment to another startup leaves it unchanged, so the page is kept
    (`public_page(revalidate=...)`).

    What the block is computed from, rather than the block (three queries, ~1.2 ms to build):
    the day (payments after today are not counted, the burn window ends today) and the digest
    of the startup's money rows (`money_digests`: no query while the budgets version holds).
    """
    return f"{today().isoformat()}|{money_digests().get(startup_id, 'aucune allocation')}"


def programme_budget() -> dict:
    """Totals by convention, by year and by activity for /budget/ and the JSON API."""
    on = today()
    conventions = list(
        Convention.objects.with_figures(on)
        .prefetch_related(Prefetch("amendments", queryset=Amendment.objects.all()))
        .select_related("delegant", "delegataire")
        .order_by("start", "reference")
    )
    by_year = figures_by("year", on=on)
    by_activity = figures_by("activity", on=on)
    return {
        "conventions": conventions,
        "years": _year_lines(by_year, on),
        "activities": _activity_lines(by_activity),
        "total": total_of(by_year, on),
        "on": on,
    }


def open_commitments():
    """Every commitment with what was paid on it: one query, `values()` rows."""
    return (
        Commitment.objects.with_figures()
        .order_by("committed_on", "pk")
        .values(
            "pk",
            "committed_on",
            "label",
            "supplier",
            "purchase_order",
            "references_public",
            "public_contract",
            "activity",
            "resource",
            "amount",
            "tax_basis",
            "paid_total",
            "allocation__startup_id",
            "allocation__startup__title",
            "allocation__workstream",
            "allocation__tranche__number",
            "allocation__tranche__convention__reference",
        )
    )


# --- The chart: AE committed and CP paid per year, side by side ---------------------------------
AE_AND_CP = ("AE engagées", "CP payés")


def year_chart(lines: list[Line]) -> dict:
    """The SVG bar chart of the by-year table (`table_id`), and its legend."""
    colours = charts.SERIES[:2]
    svg = charts.bar_chart(
        [line.label for line in lines],
        [
            (AE_AND_CP[0], [float(line.figures.committed) for line in lines]),
            (AE_AND_CP[1], [float(line.figures.paid) for line in lines]),
        ],
        title="AE engagées et CP payés par année, en euros",
        chart_id="budget-annees",
        table_id="budget-annees-donnees",
        colours=colours,
        side_by_side=True,
    )
    return {
        "svg": svg,
        "legend": list(zip(AE_AND_CP, colours, strict=True)),
        "table_id": "budget-annees-donnees",
    }
