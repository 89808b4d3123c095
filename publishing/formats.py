"""Dates, numbers and amounts written the French way, once for every page, message and export.

Pages get the typographic spaces (a narrow no-break space between thousands, a no-break space
before « € »), so that an amount never breaks across lines; messages, e-mails and exports pass
`plain=True` for ordinary spaces, which every mail client and spreadsheet reads.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NARROW_NBSP = "\u202f"  # between thousands
NBSP = "\u00a0"  # before a unit


def fr_date(day: date | None, missing: str = "") -> str:
    """date(2026, 11, 18) -> "18/11/2026"; `missing` for no date."""
    return day.strftime("%d/%m/%Y") if day else missing


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin",
          "juillet", "août", "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def long_date(day: date) -> str:
    """date(2026, 3, 1) -> "1 mars 2026": what Django's `date_format(day, "j F Y")` writes in
    French, without its trip through the translation machinery for each date (~0.1 ms: the
    dates of a startup's phases were a tenth of its page built fresh)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def number(value, decimals: int | None = None, *, plain: bool = False) -> str:
    """« 12 345,6 »: grouped thousands, decimal comma.

    Without `decimals`: no decimals for a whole number, else at most two, trailing zeros off.
    """
    if value is None:
        return "—"
    value = Decimal(value)
    trim = decimals is None
    if decimals is None:
        decimals = 0 if value == value.to_integral_value() else 2
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # never « -0 »
    return text.replace(",", " " if plain else NARROW_NBSP).replace(".", ",")


def euros(value, decimals: int = 2, *, plain: bool = False) -> str:
    """Decimal("12345.6") -> « 12 345,60 € »; « — » for no amount."""
    if value is None:
        return "—"
    return f"{number(value, decimals, plain=plain)}{' ' if plain else NBSP}€"
