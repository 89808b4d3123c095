"""What the whole site shares: the version of the public data, for caches and conditional GET."""

from datetime import datetime

from django.db import models


class DataChange(models.Model):
    """One row per write statement on a table whose content public pages show.

    Rows are inserted by a statement-level trigger (see `portfolio.data_version`), so every
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

    def __str__(self):
        return f"{self.table} @ {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def latest(cls) -> tuple[int, datetime | None]:
        """(version, when): one index lookup."""
        row = cls.objects.order_by("-id").values_list("id", "at").first()
        return row if row else (0, None)
