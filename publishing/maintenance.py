"""Upkeep: PostgreSQL's statistics after a bulk load, a worker's memory after a large body."""

import ctypes

from django.apps import apps
from django.db import connection


def refresh_statistics(*labels: str) -> None:
    """VACUUM (ANALYZE) the tables of the apps labelled `labels` (every table without any).

    After an import writes thousands of rows, the planner still holds the statistics of the
    empty tables (it scanned 4 800 missions rather than use their GIN index) and the GIN
    indexes hold the new rows in their pending list, read linearly by every lookup, until
    autovacuum passes, a minute or more later. Measured on the corpus: a startup's team read in
    3.5 ms before, 1.1 ms after; the whole database at 6 620 startups takes 0.6 s.

    VACUUM cannot run inside a transaction: there (a dry run, a test), ANALYZE alone.
    """
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for label in labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(tables)}")


def _load_malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        return None


_malloc_trim = _load_malloc_trim()

# A body this large was built from many more bytes of Python objects (rows, dicts, strings).
LARGE_BODY = 1024 * 1024


def give_back_freed_memory() -> None:
    """Hand the memory freed since to the system (glibc's malloc_trim, ~1 ms).

    Building a large body (beta.gouv.fr's startups.json or authors.json at 6 620 startups:
    3 to 10 MB) allocates several times its size in Python objects, freed once it is built;
    glibc keeps the freed pages in the process, so a worker's memory only grew, +12 to +20 MB
    for each such body (measured), up to the limit the deployment sets. Given back, the worker
    holds its cache and what it uses."""
    if _malloc_trim is not None:
        _malloc_trim(0)
