"""The embedded PostgreSQL that `make run` uses when DATABASE_URL is unset."""

from pathlib import Path

import psycopg
import pytest

from portfolio.embedded_postgres import embedded_database_url, stop_embedded

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir():
    # Inside the repository, like .data/pg: pgserver loosens the permissions of its parents.
    path = BASE_DIR / ".data" / "pg-test"
    yield path
    stop_embedded(path)
    assert not (path / "postmaster.pid").exists()


def test_it_starts_postgres_with_the_extensions_the_schema_needs(data_dir):
    url = embedded_database_url(data_dir)
    with psycopg.connect(url) as connection:
        version = connection.execute("SHOW server_version_num").fetchone()[0]
        available = {
            row[0]
            for row in connection.execute(
                "SELECT name FROM pg_available_extensions WHERE name IN ('btree_gist', 'pg_trgm')"
            )
        }
    assert int(version) >= 150000
    assert available == {"btree_gist", "pg_trgm"}
    # A second call finds the running server instead of starting another.
    assert embedded_database_url(data_dir) == url
