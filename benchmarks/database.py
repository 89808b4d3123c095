"""A database of its own for the benchmarks, recreated empty on demand."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
# BENCH_DATABASE lets two benchmark runs share a server without dropping each other's database.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "portefeuille_bench")


def server_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    sys.path.insert(0, str(BASE_DIR))
    from portfolio.embedded_postgres import embedded_database_url

    return embedded_database_url(BASE_DIR / ".data" / "pg")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def bench_database_url() -> str:
    return with_database(server_url(), BENCH_DATABASE)


def recreate(url: str) -> None:
    """Drop and create the benchmark database, then migrate it."""
    admin_url = with_database(url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    manage(url, "migrate", "--noinput", "-v0")


def manage(url: str, *args: str, env: dict | None = None, capture=False) -> str:
    environment = {**os.environ, "DATABASE_URL": url, **(env or {})}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""
