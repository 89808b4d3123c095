"""Cost per unit of North Star, on hand-computed cases; never a division by zero."""

from datetime import date
from decimal import Decimal

import pytest

from impact.cost import NO_PAYMENT_DATA, cost_per_impact
from impact.models import Direction, Indicator, Measurement, PeriodKind


def star(**fields) -> Indicator:
    return Indicator(
        name="Dossiers déposés",
        unit="dossiers déposés",
        unit_singular="dossier déposé",
        is_north_star=True,
        **fields,
    )


def month(year: int, number: int, value) -> Measurement:
    return Measurement(
        period_kind=PeriodKind.MONTH, period_start=date(year, number, 1), value=Decimal(value)
    )


def by_half(result) -> dict:
    return {row.half: row for row in result.rows}


def test_no_payment_yet():
    result = cost_per_impact(star(), [month(2025, 1, 10)], {})
    assert not result.available
    assert result.message == NO_PAYMENT_DATA == "Pas encore de données de paiement"


def test_cost_per_unit_by_half_year():
    # S1 2025: 6 months × 5 000 = 30 000 dossiers; 12 600 € paid → 0,42 € per dossier.
    # S2 2025: 1 000 + 3 000 = 4 000 dossiers; 10 000 € → 2,50 €.
    measurements = [month(2025, n, 5000) for n in range(1, 7)]
    measurements += [month(2025, 7, 1000), month(2025, 12, 3000)]
    result = cost_per_impact(
        star(), measurements, {"2025-S1": Decimal("12600"), "2025-S2": Decimal("10000")}
    )
    rows = by_half(result)
    assert rows["2025-S1"].impact == 30000 and rows["2025-S1"].cost == Decimal("0.42")
    assert rows["2025-S1"].text == "0,42\u00a0€ par dossier déposé"
    assert rows["2025-S2"].cost == Decimal("2.50")
    assert rows["2025-S2"].text == "2,50\u00a0€ par dossier déposé"
    assert rows["2025-S1"].label == "1er semestre 2025"


def test_rounding_and_thousands():
    result = cost_per_impact(star(), [month(2024, 3, 3)], {"2024-S1": Decimal("10000")})
    # 10 000 / 3 = 3 333,333… → 3 333,33 €
    assert by_half(result)["2024-S1"].text == "3\u202f333,33\u00a0€ par dossier déposé"


@pytest.mark.parametrize(
    ("measurements", "expected"),
    [
        ([], "non calculable : aucune valeur sur la période"),
        ([month(2025, 1, 0), month(2025, 2, 0)], "non calculable : valeur nulle sur la période"),
    ],
)
def test_zero_or_missing_values_are_not_computable(measurements, expected):
    result = cost_per_impact(star(), measurements, {"2025-S1": Decimal("5000")})
    row = by_half(result)["2025-S1"]
    assert row.cost is None and row.text == expected


def test_a_half_with_values_but_no_payment():
    result = cost_per_impact(
        star(), [month(2025, 1, 10), month(2025, 8, 10)], {"2025-S1": Decimal(100)}
    )
    assert by_half(result)["2025-S2"].text == "aucun paiement sur la période"
    assert by_half(result)["2025-S1"].text == "10,00\u00a0€ par dossier déposé"


def test_without_a_north_star_or_with_a_rate_it_is_not_computable():
    paid = {"2025-S1": Decimal(100)}
    assert "pas d'étoile polaire" in cost_per_impact(None, [], paid).rows[0].text
    rate = star(is_count=False)
    assert "n'est pas un décompte" in cost_per_impact(rate, [month(2025, 1, 3)], paid).rows[0].text
    lower = star(direction=Direction.LOWER_IS_BETTER)
    assert cost_per_impact(lower, [month(2025, 1, 3)], paid).rows[0].cost is None


def test_a_tiny_cost_is_not_shown_as_zero():
    result = cost_per_impact(star(), [month(2025, 1, 1_000_000)], {"2025-S1": Decimal(1)})
    assert by_half(result)["2025-S1"].text == "moins de 0,01 € par dossier déposé"
