"""CSV/XLSX injection: a spreadsheet runs a text cell starting with one of these as a formula.

Every export (public CSV, admin CSV/XLSX, command-line reports) passes its cells through
`neutralise`: a leading `'` makes the spreadsheet show the text as typed. Nothing is stripped,
and numbers, dates and other non-text values are returned unchanged (they stay numbers in XLSX).
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` with a leading `'` when it is a str that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
