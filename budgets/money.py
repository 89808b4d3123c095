"""Money: exact euros to the cent (written in French by `publishing.formats.euros`).

Amounts are `Decimal` everywhere (database `numeric(14, 2)`); a float never gets in.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from publishing.formats import number

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_DIGITS = 14  # up to 999 999 999 999,99 €
# A typed amount is short ("-999 999 999 999,99 €" is 21 characters): anything longer is
# refused before any parsing, so no input can make the checks below slow.
MAX_LENGTH = 50
# Linear: the integer part cannot give digits back to the fraction, so a failed match backtracks
# one step at a time ("\d+\.?\d*" tried every split of a long run of digits: quadratic).
SCIENTIFIC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)e[+-]?\d+", re.IGNORECASE)


class NotAnAmount(ValueError):
    pass


def to_amount(value) -> Decimal:
    """A Decimal to the cent from a Decimal, an int or a string ("1 234,56" is accepted).

    Floats are refused (they cannot hold cents exactly); so are fractions of a cent, amounts
    beyond `MAX_DIGITS` digits, and the scientific notation ("1e3": a typo, never an amount).
    """
    if isinstance(value, float):
        raise NotAnAmount("Un montant ne peut pas être un nombre à virgule flottante.")
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_LENGTH:
            raise NotAnAmount(
                f"montant trop long : {number(len(value))} caractères, un montant en compte "
                f"{MAX_LENGTH} au plus (par exemple « 999 999 999 999,99 € »)."
            )
        value = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        value = value.replace("€", "").replace(",", ".")
        if SCIENTIFIC.fullmatch(value):
            raise NotAnAmount(
                f"« {value} » : la notation scientifique n'est pas acceptée, écrivez le montant "
                "en chiffres (par exemple 1000,00)."
            )
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise NotAnAmount(f"« {value} » n'est pas un montant.") from exc
    if not amount.is_finite():
        raise NotAnAmount(f"« {value} » n'est pas un montant.")
    too_big = NotAnAmount(f"montant illisible ou trop grand : « {value} ».")
    if amount and amount.adjusted() >= MAX_DIGITS - 2:
        raise too_big
    try:
        cents = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise too_big from exc
    if amount != cents:
        raise NotAnAmount(f"{value} : un montant s'exprime au centime près.")
    return cents
