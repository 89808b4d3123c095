"""Exports: CSV files and their cells, safe to open in a spreadsheet.

CSV/XLSX injection: a spreadsheet runs a text cell starting with one of FORMULA_PREFIXES as a
formula, and some trim leading blanks first (" =1+1", "\n=1+1") or read the full-width signs
of Asian keyboards as the ASCII ones ("＝1+1"). Every export (public CSV, admin CSV/XLSX,
command-line reports) passes its cells through `neutralise`: a leading `'` makes the
spreadsheet show the text as typed. Nothing is stripped, and numbers, dates and other non-text
values are returned unchanged (they stay numbers in XLSX).
"""

import csv
import io
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(value):
    """`value` with a leading `'` when it is a str that a spreadsheet would run as a formula:
    it starts with a formula sign, or with blanks (any Unicode space) then one, a full-width or
    small sign counting as the sign itself (NFKC: "＝" and "﹦" are "=")."""
    if not isinstance(value, str):
        return value
    first = value.lstrip()[:1]
    if value.startswith(FORMULA_PREFIXES) or (
        first and unicodedata.normalize("NFKC", first).startswith(FORMULA_PREFIXES)
    ):
        return "'" + value
    return value


def cell(value) -> str:
    """One CSV cell of open data: "" for nothing, true/false, ISO dates, a decimal point and
    never an exponent, « a|b » for a list; text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = "|".join(str(item) for item in value)
    return neutralise(str(value))


# A CSV for people (staff's reports and lists) rather than for programs (open data): French
# spreadsheets read UTF-8 only after a byte-order mark, and a number only with a decimal comma.
SPREADSHEET_BOM = "\ufeff"


def spreadsheet_cell(value):
    """One cell of a CSV a French spreadsheet opens as typed: amounts with a decimal comma and no
    thousands separator (so it stays a number), dates as JJ/MM/AAAA, text neutralised."""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutralise(value)


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows as CSV: `;` between cells (what French spreadsheets expect), CRLF line ends, every
    cell through `cell` (a header row is a row like the others)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def csv_response(rows: Iterable[Iterable], filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(csv_text(rows).encode(), content_type=CSV_CONTENT_TYPE)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
