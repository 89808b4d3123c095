"""After a bulk load the planner knows the tables' new size (publishing.maintenance)."""

import pytest
from django.db import connection

from publishing.maintenance import refresh_statistics
from tests.factories import StartupFactory


def rows_the_planner_counts(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_inside_a_transaction_the_tables_are_analysed():
    StartupFactory.create_batch(3)
    refresh_statistics("startups")
    assert rows_the_planner_counts("startups_startup") == 3


@pytest.mark.django_db(transaction=True)
def test_outside_one_they_are_vacuumed_and_analysed():
    StartupFactory.create_batch(4)
    assert not connection.in_atomic_block
    refresh_statistics("startups")  # VACUUM: refused by PostgreSQL inside a transaction
    assert rows_the_planner_counts("startups_startup") == 4
