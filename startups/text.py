"""Normalisation of free text for filtering and search, keeping the original spelling elsewhere.

The real data writes the same theme as "Santé", "santé " or "Sante": they must filter together.
PostgreSQL's `unaccent` is not available in the embedded server, so this is done in Python.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """Lower case, no accents, single spaces, no leading or trailing space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", without_accents.replace("’", "'")).strip().casefold()


def normalise_list(values) -> list[str]:
    """Normalised, de-duplicated values in their first order; empty ones dropped."""
    seen = []
    for value in values or []:
        key = normalise(value)
        if key and key not in seen:
            seen.append(key)
    return seen
