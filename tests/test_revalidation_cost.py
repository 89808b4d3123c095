"""What a payment costs the public pages that show money: a startup's page compares the digest
PostgreSQL makes of its money rows (read for all startups once per budgets version the pages
have seen) to know whether it is still current, and /impact/ keeps what it reads of the registry and impact data
while payments change the budgets version."""

import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.cache import cache

from budgets.models import Allocation, Commitment, Convention, Payment, Tranche
from budgets.public import startup_fingerprint
from publishing.models import _latest_seen as remembered_versions
from tests.clock import TODAY, paris
from tests.factories import StartupFactory, startup_with_phases
from tests.factories_budgets import AllocationFactory, CommitmentFactory, PaymentFactory
from tests.factories_impact import MeasurementFactory, NorthStarFactory, add_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def money():
    """Two funded startups on one tranche, each with a commitment and a payment."""
    funded = AllocationFactory(startup__id="financee", amount=D("50000"))
    other = AllocationFactory(startup__id="autre", tranche=funded.tranche, amount=D("20000"))
    mine = CommitmentFactory(allocation=funded, amount=D("10000"))
    theirs = CommitmentFactory(allocation=other, amount=D("5000"))
    PaymentFactory(commitment=mine, amount=D("100"), paid_on=date(2026, 1, 10))
    PaymentFactory(commitment=theirs, amount=D("200"), paid_on=date(2026, 1, 10))
    return funded, mine, theirs


def pay(commitment, amount: str = "1.00", paid_on: date = date(2026, 2, 10)):
    PaymentFactory(
        commitment=commitment, amount=D(amount), service_done_on=paid_on, paid_on=paid_on
    )


# --- The fingerprint of a startup's money --------------------------------------------------------
def test_the_digests_are_read_once_per_budgets_version(money, django_assert_num_queries):
    # The suite reads the data version at every call (PUBLIC_DATA_VERSION_TTL = 0); production
    # remembers it a second.
    with django_assert_num_queries(2):  # the budgets version, every startup's digest
        startup_fingerprint("financee")
    with django_assert_num_queries(1):  # the version only: the digests are kept
        assert startup_fingerprint("sans-argent").endswith("|aucune allocation")
    pay(money[2])
    with django_assert_num_queries(2):
        startup_fingerprint("financee")


def test_a_payment_to_another_startup_leaves_the_fingerprint_as_it_was(money):
    funded, mine, theirs = money
    before = startup_fingerprint("financee")
    pay(theirs)
    Payment.objects.filter(commitment=theirs).update(amount=D("3"))
    CommitmentFactory(allocation=theirs.allocation, amount=D("7"))
    assert startup_fingerprint("financee") == before


@pytest.mark.parametrize(
    "change",
    [
        "new payment",
        "payment amount",
        "payment day",
        "payment moved away",
        "new commitment",
        "commitment activity",
        "commitment day",
        "allocation amount",
        "new allocation",
        "tranche day",
        "convention title",
        "convention reference",
    ],
)
def test_every_row_the_budget_block_reads_moves_the_fingerprint(money, change):
    funded, mine, theirs = money
    before = startup_fingerprint("financee")
    payments = Payment.objects.filter(commitment=mine)
    match change:
        case "new payment":
            pay(mine)
        case "payment amount":
            payments.update(amount=D("101"))
        case "payment day":
            payments.update(paid_on=date(2026, 1, 11))
        case "payment moved away":
            payments.update(commitment=theirs)
        case "new commitment":
            CommitmentFactory(allocation=funded, amount=D("1"))
        case "commitment activity":
            Commitment.objects.filter(pk=mine.pk).update(activity="design")
        case "commitment day":
            Commitment.objects.filter(pk=mine.pk).update(committed_on=date(2025, 3, 2))
        case "allocation amount":
            Allocation.objects.filter(pk=funded.pk).update(amount=D("50001"))
        case "new allocation":
            AllocationFactory(startup=funded.startup, tranche=funded.tranche, amount=D("1"))
        case "tranche day":
            Tranche.objects.filter(pk=funded.tranche_id).update(available_on=date(2026, 2, 1))
        case "convention title":
            Convention.objects.update(title="Autre intitulé")
        case "convention reference":
            Convention.objects.update(reference="DINUM-2026-999")
    assert startup_fingerprint("financee") != before


def test_the_fingerprint_says_the_day(money, clock):
    # Payments after today are not counted yet, and the burn window ends today.
    before = startup_fingerprint("financee")
    assert before.startswith(f"{TODAY.isoformat()}|")
    clock.move_to(paris(TODAY + timedelta(days=1)))
    assert startup_fingerprint("financee") != before


# --- A startup's page after a payment ------------------------------------------------------------
def test_a_payment_elsewhere_costs_a_page_its_fingerprint_only_and_keeps_its_body(
    client, money, django_assert_num_queries
):
    funded, mine, theirs = money
    client.get("/startups/financee/")
    pay(theirs)
    built = client.get("/startups/financee/")  # built with none: its fingerprint read, rebuilt
    pay(theirs)
    # The page's two groups of data versions (one query), then every startup's digest (once
    # per budgets version and process): no page built.
    with django_assert_num_queries(2):
        kept = client.get("/startups/financee/")
    assert kept.content == built.content
    pay(theirs)
    with django_assert_num_queries(2):
        not_modified = client.get("/startups/financee/", HTTP_IF_NONE_MATCH=built["ETag"])
    assert not_modified.status_code == 304


def test_a_payment_of_its_own_shows_on_the_page_at_once(client, money):
    funded, mine, theirs = money
    client.get("/startups/financee/")
    pay(theirs)
    first = client.get("/startups/financee/")
    assert "100,00\xa0€" in first.content.decode()
    pay(mine, "1234.56")
    second = client.get("/startups/financee/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert "1\u202f334,56\xa0€" in second.content.decode()


def test_digests_read_before_a_version_the_page_has_seen_are_read_again(client, money, settings):
    # In production each process remembers a data version a second, under one key per group of
    # tables: the page's may be newer than the one the digests were read under.
    settings.PUBLIC_DATA_VERSION_TTL = 60
    funded, mine, theirs = money
    client.get("/startups/financee/")
    pay(theirs)
    remembered_versions.clear()
    assert startup_fingerprint("financee")  # digests held, the budgets version remembered
    client.get("/startups/financee/")  # revalidated: the body and its fingerprint stored
    pay(mine, "1234.56")
    for key in [key for key in remembered_versions if key[0] == "by table"]:
        del remembered_versions[
            key
        ]  # the page's versions read again, the digests' still remembered
    assert "1\u202f334,56\xa0€" in client.get("/startups/financee/").content.decode()


def test_a_new_year_of_a_tranche_shows_on_the_page(client, money):
    funded, mine, theirs = money
    client.get("/startups/financee/")
    pay(theirs)
    assert ">2025<" in client.get("/startups/financee/").content.decode()
    Tranche.objects.update(available_on=date(2024, 2, 1))
    assert ">2024<" in client.get("/startups/financee/").content.decode()


# --- /impact/ ------------------------------------------------------------------------------------
def measured_startup(n: int, **fields):
    startup = startup_with_phases(
        ("construction", TODAY - timedelta(days=400)),
        id=f"mesuree-{n}",
        title=f"Mesurée {n:02d}",
        repository="https://github.com/betagouv/x" if n % 2 else "",
        risk_analysis_done=[True, False, None][n % 3],
        **fields,
    )
    if n % 3:
        star = NorthStarFactory(startup=startup, is_public=n % 5 != 0)
        MeasurementFactory(indicator=star, period_start=add_month(TODAY, -1 - n % 4))
    if n % 4 == 0:
        AllocationFactory(startup=startup)
    return startup


def without_random_ids(response) -> str:
    # django-dsfr's breadcrumb draws a new id at each render.
    return re.sub(r"breadcrumb-[a-z]+", "breadcrumb", response.content.decode())


@pytest.mark.parametrize("size", [3, 30])
def test_impact_costs_a_fixed_number_of_queries(client, size, django_assert_num_queries):
    for n in range(size):
        measured_startup(n)
    StartupFactory()  # never started: not measured
    # Page and kept parts' versions (2), the timeline (2), the measured startups and the North
    # Stars (2), the funded startups (1), the programme's money (3).
    with django_assert_num_queries(10):
        fresh = client.get("/impact/")
    PaymentFactory(commitment=CommitmentFactory(allocation=Allocation.objects.first()))
    # Rebuilt after a payment: the timeline, the startups and the North Stars are kept.
    with django_assert_num_queries(6):
        rebuilt = client.get("/impact/")
    assert "1 000 €" in rebuilt.content.decode()  # the payment shows
    assert f"Pour les {size} startups en construction" in fresh.content.decode()


def test_impact_rebuilt_from_kept_parts_is_the_page_built_fresh(client):
    for n in range(12):
        measured_startup(n)
    client.get("/impact/")
    AllocationFactory(startup_id="mesuree-1")  # a budget point more, kept parts unchanged
    rebuilt = client.get("/impact/")
    cache.clear()
    assert without_random_ids(client.get("/impact/")) == without_random_ids(rebuilt)
    assert "4 sur 12" in rebuilt.content.decode()  # mesuree-0, 1, 4 and 8 are funded


def test_impact_shows_a_change_of_the_registry_or_of_a_north_star(client):
    for n in range(6):
        measured_startup(n)
    first = client.get("/impact/").content.decode()
    assert "Mesurée 03" not in first  # no North Star
    NorthStarFactory(startup_id="mesuree-3")
    assert "Mesurée 03" in client.get("/impact/").content.decode()
    startup_with_phases(("acceleration", TODAY - timedelta(days=10)), id="nouvelle")
    assert "Pour les 7 startups en construction" in client.get("/impact/").content.decode()
