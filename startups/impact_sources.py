"""Where impact meets money, without `startups` ever importing `budgets`.

Dependencies go committees → budgets → startups. The budgets app registers its selectors here at
start-up (`register_money_source(...)` from its AppConfig.ready); until it does, or for a
startup with no payment yet, every source answers "nothing yet" and the pages say so.

Cost per unit of North Star, per half-year: CP paid in the half ÷ the sum of the North Star
values measured in the half. Only meaningful for a count where higher is better (dossiers
déposés par mois): for a rate or a stock, or with no or zero values, it is "non calculable",
never a division by zero.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from startups.charts import format_euros, format_number
from startups.impact_models import Direction, half_year_key


@dataclass(frozen=True)
class ProgrammeTotals:
    committed: Decimal  # AE engaged
    paid: Decimal  # CP paid

    @property
    def left_to_pay(self) -> Decimal:
        return self.committed - self.paid


def _no_payments(startup_id: str) -> dict[str, Decimal]:
    return {}


def _no_totals():
    return None


def _no_budget_figures(startup_ids: Iterable[str]) -> set[str]:
    return set()


_sources: dict[str, Callable] = {
    "cp_paid_by_half_year": _no_payments,
    "programme_totals": _no_totals,
    "startups_with_budget_figures": _no_budget_figures,
}


def register_money_source(
    *,
    cp_paid_by_half_year: Callable[[str], dict[str, Decimal]] | None = None,
    programme_totals: Callable[[], object] | None = None,
    startups_with_budget_figures: Callable[[Iterable[str]], set[str]] | None = None,
) -> None:
    """Called by the budgets app. Each argument left out keeps its current source."""
    given = {
        "cp_paid_by_half_year": cp_paid_by_half_year,
        "programme_totals": programme_totals,
        "startups_with_budget_figures": startups_with_budget_figures,
    }
    _sources.update({name: source for name, source in given.items() if source is not None})


def reset_money_sources() -> None:
    """Back to "nothing yet" (tests)."""
    _sources.update(
        cp_paid_by_half_year=_no_payments,
        programme_totals=_no_totals,
        startups_with_budget_figures=_no_budget_figures,
    )


def cp_paid_by_half_year(startup_id: str) -> dict[str, Decimal]:
    return dict(_sources["cp_paid_by_half_year"](startup_id) or {})


def programme_totals() -> ProgrammeTotals | None:
    """(committed, paid) from the budgets app, or None before any money is recorded.

    Accepts what the source returns: a ProgrammeTotals, a (committed, paid) pair, a mapping
    with those keys, or an object with those attributes.
    """
    totals = _sources["programme_totals"]()
    if totals is None or isinstance(totals, ProgrammeTotals):
        return totals
    if isinstance(totals, dict):
        return ProgrammeTotals(Decimal(totals["committed"]), Decimal(totals["paid"]))
    if isinstance(totals, tuple | list):
        return ProgrammeTotals(Decimal(totals[0]), Decimal(totals[1]))
    return ProgrammeTotals(Decimal(totals.committed), Decimal(totals.paid))


def startups_with_budget_figures(startup_ids: Iterable[str]) -> set[str]:
    return set(_sources["startups_with_budget_figures"](list(startup_ids)) or ())


# --- Cost per unit of North Star -------------------------------------------------------------
NO_PAYMENT_DATA = "Pas encore de données de paiement"


@dataclass(frozen=True)
class HalfYearCost:
    half: str  # "2025-S1"
    paid: Decimal | None  # CP paid in the half, None when nothing was paid
    impact: Decimal | None  # sum of the North Star values measured in the half
    cost: Decimal | None  # paid ÷ impact, when it can be computed
    text: str  # "0,42 € par dossier déposé", or why it cannot be computed

    @property
    def label(self) -> str:
        year, half = self.half.split("-S")
        return f"{'1er' if half == '1' else '2d'} semestre {year}"

    @property
    def paid_text(self) -> str:
        return format_euros(self.paid) if self.paid is not None else "—"

    @property
    def impact_text(self) -> str:
        return format_number(self.impact) if self.impact is not None else "—"


@dataclass(frozen=True)
class CostPerImpact:
    rows: list[HalfYearCost]
    message: str  # why there is no table, or ""

    @property
    def available(self) -> bool:
        return bool(self.rows)


def cost_per_impact(north_star, measurements, paid_by_half: dict[str, Decimal]) -> CostPerImpact:
    """Per half-year: CP paid ÷ sum of the North Star values of the half.

    `north_star` is an Indicator or None; `measurements` its measurements (any order);
    `paid_by_half` the CP paid keyed "2025-S1". Pure: no query, hand-checkable.
    """
    paid_by_half = {half: Decimal(paid) for half, paid in paid_by_half.items() if paid}
    if not paid_by_half:
        return CostPerImpact([], NO_PAYMENT_DATA)
    if north_star is None:
        return CostPerImpact(
            [_row(half, paid, None, "non calculable : pas d'étoile polaire") for half, paid in sorted(paid_by_half.items())],
            "",
        )  # fmt: skip
    if not north_star.is_count or north_star.direction != Direction.HIGHER_IS_BETTER:
        reason = "non calculable : l'étoile polaire n'est pas un décompte qui s'additionne"
        return CostPerImpact(
            [_row(half, paid, None, reason) for half, paid in sorted(paid_by_half.items())], ""
        )
    impact_by_half: dict[str, Decimal] = {}
    for measurement in measurements:
        half = half_year_key(measurement.period_start)
        impact_by_half[half] = impact_by_half.get(half, Decimal(0)) + measurement.value
    unit = north_star.unit_for_cost
    rows = []
    for half in sorted(paid_by_half.keys() | impact_by_half.keys()):
        paid, impact = paid_by_half.get(half), impact_by_half.get(half)
        if paid is None:
            rows.append(_row(half, None, impact, "aucun paiement sur la période"))
        elif impact is None:
            rows.append(_row(half, paid, None, "non calculable : aucune valeur sur la période"))
        elif impact <= 0:
            rows.append(_row(half, paid, impact, "non calculable : valeur nulle sur la période"))
        else:
            cost = (paid / impact).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            text = (
                f"{format_euros(cost, 2)} par {unit}" if cost > 0 else f"moins de 0,01 € par {unit}"
            )
            rows.append(HalfYearCost(half, paid, impact, cost, text))
    return CostPerImpact(rows, "")


def _row(half: str, paid, impact, text: str) -> HalfYearCost:
    return HalfYearCost(half, paid, impact, None, text)
