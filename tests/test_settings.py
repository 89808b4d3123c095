"""Production settings, checked in a real process with production variables."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args, **env_overrides):
    # A clean environment: the test process's own holds what settings read from .env.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update({"ENV_FILE": "", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "z" * 20 + "-production-like-secret-key-of-fifty-chars-and-more",
    "DJANGO_ALLOWED_HOSTS": "portefeuille.beta.gouv.fr",
    # check --deploy does not connect: any PostgreSQL URL will do.
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "EMAIL_URL": "smtp+tls://portefeuille:secret@smtp.example.org:587",
    "SITE_URL": "https://portefeuille.beta.gouv.fr",
}


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_missing_production_variable_stops_the_start_with_its_name():
    for missing in (
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "EMAIL_URL",
        "SITE_URL",
    ):
        variables = {k: v for k, v in PRODUCTION.items() if k != missing}
        result = manage("check", **variables)
        assert result.returncode != 0, f"sans {missing} : {result.stdout}"
        assert f"La variable d'environnement {missing} est obligatoire" in result.stderr
        assert "ImproperlyConfigured" in result.stderr


def test_the_ui_is_french_and_connections_persist():
    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
