"""The whole public API fuzzed by schemathesis from its own OpenAPI documents, every version.

Each version's document is read through the WSGI application (`/api/v2/openapi.json`,
`/api/v2.1/openapi.json` … `/api/v2.7/openapi.json`), every operation is
called with a bounded, deterministic set of generated requests (path ids with dots, accents,
slashes, NUL bytes…; arbitrary If-None-Match / If-Modified-Since headers) against a small
registry with phases, events, sponsors, members, indicators, budget and decisions. Each
response must not be a 5xx and must match the document: status code, content type, body
schema (generated from api/schemas.py: optional keys, "" or null per field, no other key).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from api import betagouv, decisions, impact, money, openapi
from committees.models import DecisionKind
from portfolio.wsgi import application
from startups.models import EventKind
from startups.phases import PhaseKind
from tests import clock
from tests.factories import (
    EventFactory,
    IncubatorFactory,
    OrganisationFactory,
    StartupFactory,
    startup_with_phases,
)
from tests.factories_budgets import AllocationFactory, CommitmentFactory, PaymentFactory
from tests.factories_committees import CommitteeFactory, DecisionFactory, DossierFactory
from tests.factories_impact import IndicatorFactory, NorthStarFactory, monthly_values
from tests.factories_members import member_on

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
]


def small_registry() -> None:
    """Three startups (one with dots and accents in its id), every kind of public data."""
    incubators = IncubatorFactory.create_batch(2)
    sponsors = OrganisationFactory.create_batch(2)
    startups = [
        startup_with_phases(
            (PhaseKind.INVESTIGATION, date(2023, 1, 1)),
            (PhaseKind.CONSTRUCTION, date(2023, 3, 1)),
            (PhaseKind.ACCELERATION, date(2024, 3, 1)),
            id=startup_id,
            incubator=incubators[number % 2],
            sponsors=sponsors,
        )
        for number, startup_id in enumerate(["1000.jours", "données-et-territoires", "auxAJ"])
    ]
    startups[0].co_incubators.add(incubators[1])
    # Members: one active, one whose mission ended, one before (`previously`).
    member_on(["1000.jours"], date(2024, 1, 1), None, id="ana.lyse", github="ana")
    member_on(["auxAJ"], date(2023, 1, 1), date(2024, 1, 1), id="bob.leponge", link="https://x.fr")
    member_on(["auxAJ"], date(2022, 1, 1), date(2022, 6, 1), previously=["1000.jours"])
    EventFactory(startup=startups[0], kind=EventKind.PRODUCT_LAUNCH, date=date(2023, 6, 1))
    EventFactory(startup=startups[1], kind=EventKind.COMMITTEE, comment="Ligne 1\nLigne 2")
    # Indicators: a North Star with values, a plain one without any.
    north_star = NorthStarFactory(startup=startups[0], target=Decimal("1000"))
    monthly_values(north_star, clock.today().replace(day=1) - timedelta(days=90), [1, 2.5])
    IndicatorFactory(startup=startups[0], target=Decimal("0.5"), target_date=date(2026, 1, 1))
    # Budget: one startup allocation with a commitment half paid, one workstream.
    allocation = AllocationFactory(startup=startups[0])
    commitment = CommitmentFactory(allocation=allocation, references_public=True)
    PaymentFactory(commitment=commitment, amount=Decimal("5000.00"))
    workstream = AllocationFactory(
        startup=None, workstream="Mutualisation", tranche=allocation.tranche
    )
    CommitmentFactory(allocation=workstream, label="=SUM(A1:A2)")
    # Decisions: one with an amount, one without.
    committee = CommitteeFactory(date=date(2025, 6, 1))
    DecisionFactory(dossier=DossierFactory(committee=committee, startup=startups[0]))
    DecisionFactory(
        dossier=DossierFactory(committee=committee, startup=startups[1]),
        kind=DecisionKind.NEXT_PHASE,
        amount=None,
        phase_started=PhaseKind.ACCELERATION,
    )


# Read through the application itself (the documents are static: no database query).
SCHEMAS = {
    version: schemathesis.openapi.from_wsgi(f"/api/v{version}/openapi.json", application)
    for version in betagouv.VERSIONS
}


@pytest.fixture
def registry(db):
    """The data, seen by the WSGI calls inside the test's transaction: like Django's test
    client, the calls must not close the connection at the start and end of each request."""
    cache.clear()
    small_registry()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    cache.clear()


def fuzzed(version: str):
    """The test of every operation of `version`'s document."""

    @SCHEMAS[version].parametrize()
    @settings(
        max_examples=12,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def test(case, registry):
        case.call_and_validate(checks=CHECKS)

    return test


test_v2_every_operation_answers_without_error_and_as_documented = fuzzed("2")
test_v2_1_every_operation_answers_as_documented = fuzzed("2.1")
test_v2_2_every_operation_answers_as_documented = fuzzed("2.2")
test_v2_3_every_operation_answers_as_documented = fuzzed("2.3")
test_v2_4_every_operation_answers_as_documented = fuzzed("2.4")
test_v2_5_every_operation_answers_as_documented = fuzzed("2.5")
test_v2_6_every_operation_answers_as_documented = fuzzed("2.6")
test_v2_7_every_operation_answers_as_documented = fuzzed("2.7")


def test_every_version_has_its_fuzzed_test():
    tests = {name for name in globals() if name.startswith("test_v")}
    assert len(tests) == len(betagouv.VERSIONS)


def test_every_public_api_route_is_in_the_document():
    """The budget, decision and indicator exports are described with the registry's."""
    assert {
        "/budget.json",
        "/budget.csv",
        "/decisions.json",
        "/decisions.csv",
        "/startups/{id}/indicators.json",
        "/startups/{id}/indicators.csv",
    } <= set(openapi.DOCUMENT["paths"])


@pytest.mark.django_db
def test_the_csv_columns_documented_are_those_served(client):
    StartupFactory(id="1000.jours")
    for path, columns in [
        ("/api/v2/budget.csv", money.CSV_COLUMNS),
        ("/api/v2/decisions.csv", decisions.CSV_COLUMNS),
        ("/api/v2/startups/1000.jours/indicators.csv", impact.CSV_COLUMNS),
    ]:
        header = client.get(path).content.decode().splitlines()[0].split(";")
        assert header == [name for name, _ in columns]
        documented = openapi.DOCUMENT["paths"][
            path.removeprefix("/api/v2").replace("1000.jours", "{id}")
        ]["get"]["description"]
        assert all(f"`{name}`" in documented or name in documented for name in header)
