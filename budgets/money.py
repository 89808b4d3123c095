"""Money: exact euros to the cent, and how they are written in French.

Amounts are `Decimal` everywhere (database `numeric(14, 2)`); a float never gets in.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14  # up to 999 999 999 999,99 €


class NotAnAmount(ValueError):
    pass


def to_amount(value) -> Decimal:
    """A Decimal to the cent from a Decimal, an int or a string ("1 234,56" is accepted).

    Floats are refused (they cannot hold cents exactly); so are fractions of a cent.
    """
    if isinstance(value, float):
        raise NotAnAmount("Un montant ne peut pas être un nombre à virgule flottante.")
    if isinstance(value, str):
        value = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        value = value.replace("€", "").replace(",", ".")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise NotAnAmount(f"« {value} » n'est pas un montant.") from exc
    if not amount.is_finite():
        raise NotAnAmount(f"« {value} » n'est pas un montant.")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise NotAnAmount(f"{value} : un montant s'exprime au centime près.")
    return amount.quantize(CENT)


def euros(amount: Decimal | None, space: str = " ") -> str:
    """12345.6 -> "12 345,60 €" (French grouping; `space` between groups and before €)."""
    if amount is None:
        return "—"
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{space.join(groups)},{cents}{space}€"
