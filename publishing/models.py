"""What the whole site shares: the version of the public data, for caches and conditional GET."""

import time
from datetime import datetime

from django.conf import settings
from django.db import connection, models


class DataChange(models.Model):
    """One row per write statement on a table whose content public pages show.

    Rows are inserted by a statement-level trigger (see `publishing.data_version`), so every
    write is seen whatever its path (admin, services, bulk loads, raw SQL). A row becomes
    visible when its transaction commits, together with the data it announces: a page cached
    under the latest id can never hold data older than that id. Inserts never block each
    other, unlike a single counter row would.
    """

    id = models.BigAutoField(primary_key=True)
    table = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True, db_default=models.functions.Now())

    class Meta:
        verbose_name = "changement de données"
        # The table kept its name when the model moved here from `portfolio` (no data moved).
        db_table = "portfolio_datachange"
        # Serves DataChange.latest(tables): the last change of each table, one index lookup each.
        indexes = [models.Index(fields=["table", "-id"], name="datachange_table_latest")]

    def __str__(self):
        return f"{self.table} @ {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def latest(cls, tables: tuple[str, ...] | None = None) -> tuple[int, datetime | None]:
        """(version, when) of the data, or of the given tables only: one query, remembered in
        this process for PUBLIC_DATA_VERSION_TTL seconds (1 s by default).

        A page that shows only the registry keeps its cache while payments are recorded. The
        short memory spares a database round trip on every cached page (measured: +40 % of
        throughput); a change shows on public pages at most that long after its commit.
        """
        ttl = settings.PUBLIC_DATA_VERSION_TTL
        key = tuple(tables or ())
        now = time.monotonic()
        remembered = _latest_seen.get(key)
        if ttl and remembered and remembered[0] > now:
            return remembered[1]
        value = cls._latest(tables)
        if ttl:
            _latest_seen[key] = (now + ttl, value)
        return value

    @classmethod
    def _latest(cls, tables: tuple[str, ...] | None) -> tuple[int, datetime | None]:
        if not tables:
            row = cls.objects.order_by("-id").values_list("id", "at").first()
            return row if row else (0, None)
        with connection.cursor() as cursor:
            cursor.execute(LATEST_OF_TABLES_SQL, [list(tables)])
            row = cursor.fetchone()
        return row if row else (0, None)

    @classmethod
    def latest_by_table(cls, tables: tuple[str, ...]) -> dict[str, tuple[int, datetime]]:
        """{table: (version, when)} of the given tables that have changed: one query,
        remembered like `latest` (a page keyed on two groups of tables reads both at once)."""
        ttl = settings.PUBLIC_DATA_VERSION_TTL
        key = ("by table", *tables)
        now = time.monotonic()
        remembered = _latest_seen.get(key)
        if ttl and remembered and remembered[0] > now:
            return remembered[1]
        with connection.cursor() as cursor:
            cursor.execute(LATEST_BY_TABLE_SQL, [list(tables)])
            value = {name: (version, at) for name, version, at in cursor.fetchall()}
        if ttl:
            _latest_seen[key] = (now + ttl, value)
        return value


_latest_seen: dict[tuple, tuple[float, object]] = {}

# The latest change of each table: a backward scan of datachange_table_latest per table.
LATEST_BY_TABLE_SQL = """
SELECT tracked.name, change.id, change.at
FROM unnest(%s::text[]) AS tracked(name)
CROSS JOIN LATERAL (
    SELECT id, at FROM portfolio_datachange WHERE "table" = tracked.name ORDER BY id DESC LIMIT 1
) AS change
"""

# The latest change among some tables: a backward scan of datachange_table_latest per table.
LATEST_OF_TABLES_SQL = """
SELECT change.id, change.at
FROM unnest(%s::text[]) AS tracked(name)
CROSS JOIN LATERAL (
    SELECT id, at FROM portfolio_datachange WHERE "table" = tracked.name ORDER BY id DESC LIMIT 1
) AS change
ORDER BY change.id DESC
LIMIT 1
"""
