"""A new worker requests a few pages of its own before it takes any (portfolio.warmup)."""

import logging

import pytest
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import connection

from portfolio.warmup import warm_up
from tests.factories import StartupFactory


@pytest.mark.django_db(
    transaction=True
)  # requests through the WSGI handler end with close_old_connections
@pytest.mark.time_machine("2026-06-15 10:00 +02:00")
def test_the_worker_builds_typical_pages_then_forgets_them(settings):
    settings.ALLOWED_HOSTS = [".osc-fr1.scalingo.io", "portefeuille.beta.gouv.fr"]
    settings.SECURE_SSL_REDIRECT = True
    startup = StartupFactory(pk="aaa-premiere")
    StartupFactory(pk="zzz-derniere")
    answered = warm_up(get_wsgi_application())
    assert answered == [
        ("/healthz", "200 OK"),
        ("/startups/", "200 OK"),
        ("/startups/?q=service", "200 OK"),
        (startup.get_absolute_url(), "200 OK"),
    ]
    # The pages forgotten; the parts every page shares kept (the filters, the cards shown).
    assert cache._cache and not [key for key in cache._cache if ":page:" in key]
    assert [key for key in cache._cache if ":kept:" in key]


@pytest.mark.django_db(
    transaction=True
)  # requests through the WSGI handler end with close_old_connections
def test_a_page_that_fails_is_logged_and_the_worker_starts(settings, caplog):
    settings.ALLOWED_HOSTS = [".ailleurs.example"]
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    answered = warm_up(get_wsgi_application())
    assert [status for _, status in answered] == ["200 OK", "200 OK", "200 OK"]  # no startup
    settings.ALLOWED_HOSTS = []  # every host refused: 400, logged
    logger = logging.getLogger("portfolio.warmup")  # the site's logging does not propagate
    logger.addHandler(caplog.handler)
    try:
        answered = warm_up(get_wsgi_application())
    finally:
        logger.removeHandler(caplog.handler)
    assert all(status.startswith("400") for _, status in answered)
    assert "a répondu 400" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_without_a_database_the_worker_starts_at_once():
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: refused at once
    try:
        assert warm_up(get_wsgi_application()) == []
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
