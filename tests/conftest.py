"""Fixtures shared by every test: personas, browser set-up, accessibility check."""

import os
import shutil

import pytest
import time_machine as time_machine_library

from tests.clock import SUITE_NOW

# pytest-playwright runs an event loop in the test thread; the ORM calls made beside it from
# live_server tests are synchronous and safe (STACK.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


_suite_clock = time_machine_library.travel(SUITE_NOW, tick=False)


def pytest_sessionstart(session):
    """Data built by session- and module-wide fixtures is dated SUITE_NOW too (still, so that
    it is never later than what a test then writes).

    Started with the session, not as a session fixture: a session fixture is set up inside the
    first test, after that test's `@pytest.mark.time_machine` date, and would cover it."""
    _suite_clock.start()


def pytest_sessionfinish(session, exitstatus):
    _suite_clock.stop()


@pytest.fixture(autouse=True)
def clock(request, time_machine):
    """Every test runs at SUITE_NOW (tests/clock.py), or at the instant its
    `@pytest.mark.time_machine(...)` marker states; `clock.move_to(...)` moves it within a test.

    time-machine replaces the clock of the whole process, so the live server's thread and every
    library see the same instant; the clock ticks from there (sessions, ordering by time).
    Autouse fixtures run first: data built by other fixtures is dated by this clock too.
    """
    if request.node.get_closest_marker("time_machine") is None:
        time_machine.move_to(SUITE_NOW, tick=True)
    return time_machine


@pytest.fixture(autouse=True)
def data_version_read_every_time(settings):
    # Tests check that a change shows on the very next request.
    settings.PUBLIC_DATA_VERSION_TTL = 0


@pytest.fixture(autouse=True)
def empty_page_cache():
    # Pages, filters and cards kept in the process: each test builds its own.
    from django.core.cache import cache

    from publishing.caching import forget_held

    cache.clear()
    forget_held()
    yield
    cache.clear()
    forget_held()


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # The manifest storage needs collectstatic (53 MB of DSFR); tests serve the source files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # The counters live in the process (committees/password_reset.py): each test starts at 0.
    from django.core.cache import caches

    caches["throttle"].clear()


# --- Personas -------------------------------------------------------------------------------
STAFF_PASSWORD = "mot-de-passe-equipe-de-test"


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="equipe@incubateur.test",
        email="equipe@incubateur.test",
        password=STAFF_PASSWORD,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def staff_without_permissions(django_user_model):
    """A team account (`is_staff`) granted no permission: staff status alone opens nothing,
    neither in the admin nor in the partner space."""
    return django_user_model.objects.create_user(
        username="sans-permission@incubateur.test",
        email="sans-permission@incubateur.test",
        password=STAFF_PASSWORD,
        is_staff=True,
    )


@pytest.fixture
def staff_without_permissions_client(client, staff_without_permissions):
    client.force_login(staff_without_permissions)
    return client


@pytest.fixture
def anonymous_client(client):
    return client


PARTNER_PASSWORD = "mot-de-passe-partenaire-de-test"


def make_partner(django_user_model, email: str, organisation):
    from committees.models import PartnerMembership

    user = django_user_model.objects.create_user(
        username=email, email=email, password=PARTNER_PASSWORD, first_name="Partenaire"
    )
    PartnerMembership.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def organisation_a(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(id="organisation-a", name="Direction A", acronym="DA")


@pytest.fixture
def organisation_b(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(id="organisation-b", name="Direction B", acronym="DB")


@pytest.fixture
def partner_a(django_user_model, organisation_a):
    """A partner of organisation A (sees what A funds, nothing else)."""
    return make_partner(django_user_model, "partenaire@direction-a.gouv.fr", organisation_a)


@pytest.fixture
def partner_b(django_user_model, organisation_b):
    """A partner of organisation B."""
    return make_partner(django_user_model, "partenaire@direction-b.gouv.fr", organisation_b)


@pytest.fixture
def partner_a_client(client, partner_a):
    client.force_login(partner_a)
    return client


@pytest.fixture
def partner_b_client(client, partner_b):
    client.force_login(partner_b)
    return client


# --- Browser --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium from the PATH; a browser is never downloaded."""
    if not CHROMIUM:
        message = (
            "chromium absent du PATH : `apt-get install -y chromium` pour les tests navigateur"
        )
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def page(page):
    """Every browser test fails on a Content-Security-Policy violation the page reports."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    yield page
    assert not violations, violations


@pytest.fixture
def assert_accessible():
    """Runs axe-core (bundled, offline) on the page and fails with its report on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()

    return check
