"""Cost per unit of North Star, per half-year: where impact meets money.

CP paid in the half ÷ the sum of the North Star values measured in the half. Only meaningful
for a count where higher is better (dossiers déposés par mois): for a rate or a stock, or with
no or zero values, it is "non calculable", never a division by zero. The money comes from the
budgets app's selectors (impact sits above budgets: it reads money, never writes it).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from budgets import selectors
from impact.models import Direction, half_year_key
from publishing.formats import euros, number
from startups.models import today


def cp_paid_by_half_year(startup_id: str, on: date | None = None) -> dict[str, Decimal]:
    """CP paid to a startup by half-year of payment, up to the month of `on` (local today by
    default): {"2025-S1": Decimal("1234.56")} (one query); half-years without payment are
    absent, keys sort chronologically."""
    on = on or today()
    by_half: dict[str, Decimal] = {}
    # A payment dated after today is not paid yet (the budget pages count `paid_on <= on`):
    # on 30 June at 23:30 a payment of 1 July made a half-year S2 appear.
    for (year, month), paid in selectors.cp_paid_by_month(startup_id, on).items():
        half = half_year_key(date(year, month, 1))
        by_half[half] = by_half.get(half, Decimal(0)) + paid
    return dict(sorted(by_half.items()))


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
        return euros(self.paid, 0) if self.paid is not None else "—"

    @property
    def impact_text(self) -> str:
        return number(self.impact) if self.impact is not None else "—"


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
            text = f"{euros(cost)} par {unit}" if cost > 0 else f"moins de 0,01 € par {unit}"
            rows.append(HalfYearCost(half, paid, impact, cost, text))
    return CostPerImpact(rows, "")


def _row(half: str, paid, impact, text: str) -> HalfYearCost:
    return HalfYearCost(half, paid, impact, None, text)
