"""Related rows read as JSON arrays in one query, handed to code that expects a prefetch.

A page that needs an object and its related lists reads them in one query (each list an array
of JSON objects, `ArraySubquery` or `json_build_object`) rather than one query per prefetch:
the round trips and Django's building of each prefetch query cost more than the rows.
"""

from datetime import date


def as_prefetched(instance, name: str, objects: list) -> None:
    """`instance.<name>.all()` answers `objects` without a query, as a prefetch leaves it."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def day(text: str | None) -> date | None:
    """A date of a JSON row (ISO text), or None."""
    return date.fromisoformat(text) if text else None
