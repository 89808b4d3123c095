"""Nothing of a non-public indicator reaches a public page, feed or export: neither its name,
nor its unit, description or values (issue 18, finding 4).

The transparency checklist may say that the North Star is not published, without naming it.
"""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest

from committees import services
from tests.clock import TODAY
from tests.factories import OrganisationFactory, startup_with_phases
from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for
from tests.factories_impact import IndicatorFactory, MeasurementFactory, add_month

pytestmark = pytest.mark.django_db

# Distinctive strings: found in a response only if something of the private indicators leaked.
SECRETS = [
    "Boussole-Confidentielle-7319",
    "unités-secrètes-7319",
    "Description-Réservée-7319",
    "Indicateur-Caché-4242",
    "unités-cachées-4242",
    "Description-Cachée-4242",
    "987654321",  # a value (no other figure of the pages has these digits)
]


@pytest.fixture
def startup_with_private_indicators():
    startup = startup_with_phases(
        ("investigation", date(2025, 1, 1)),
        ("construction", date(2025, 6, 1)),
        id="startup.privee",
        title="Startup Discrète",
        sponsors=[OrganisationFactory(id="sponsor", name="Direction Sponsor")],
    )
    star = IndicatorFactory(
        startup=startup,
        name="Boussole-Confidentielle-7319",
        unit="unités-secrètes-7319",
        unit_singular="unité-secrète-7319",
        description="Description-Réservée-7319",
        is_north_star=True,
        is_public=False,
    )
    hidden = IndicatorFactory(
        startup=startup,
        name="Indicateur-Caché-4242",
        unit="unités-cachées-4242",
        description="Description-Cachée-4242",
        is_public=False,
    )
    public = IndicatorFactory(startup=startup, name="Usagers servis", unit="usagers")
    for indicator in (star, hidden):
        MeasurementFactory(
            indicator=indicator, period_start=add_month(TODAY, -1), value=Decimal(987654321)
        )
    MeasurementFactory(indicator=public, period_start=add_month(TODAY, -1), value=Decimal(12))
    # A committee that froze the dossier (its snapshot holds every indicator) and decided.
    committee = CommitteeFactory(date=TODAY - timedelta(days=10))
    dossier = dossier_for(committee, startup)
    services.send_dossiers(committee=committee)
    dossier.refresh_from_db()
    assert any(i["name"] == "Indicateur-Caché-4242" for i in dossier.indicators_snapshot)
    DecisionFactory(dossier=dossier)
    return startup, committee


def public_urls(startup, committee) -> list[str]:
    return [
        f"/startups/{startup.pk}/",
        f"/startups/{startup.pk}/impact/",
        "/impact/",
        "/startups/",
        "/",
        f"/api/v2/startups/{startup.pk}/indicators.json",
        f"/api/v2/startups/{startup.pk}/indicators.csv",
        f"/api/v2/startups/{startup.pk}.json",
        "/api/v2/startups.json",
        "/api/v2/startups.csv",
        "/api/v2/decisions.json",
        "/api/v2/decisions.csv",
        "/api/v2/budget.json",
        "/api/v2/budget.csv",
        "/donnees/",
        "/comites/",
        f"/comites/{committee.pk}/",
        "/comites.ics",
        "/comites/decisions.atom",
        "/organisations/sponsor/",
        f"/incubateurs/{startup.incubator_id}/",
    ]


def test_nothing_of_a_private_indicator_reaches_a_public_page_feed_or_export(
    client, startup_with_private_indicators
):
    startup, committee = startup_with_private_indicators
    for url in public_urls(startup, committee):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response) if response.streaming else response.content
        text = html.unescape(body.decode("utf-8-sig"))
        leaked = [secret for secret in SECRETS if secret in text]
        assert not leaked, (url, leaked)


def test_the_checklist_says_the_north_star_is_not_public_without_naming_it(
    client, startup_with_private_indicators
):
    startup, _ = startup_with_private_indicators
    for url in (f"/startups/{startup.pk}/", f"/startups/{startup.pk}/impact/"):
        text = html.unescape(client.get(url).content.decode())
        assert "l'étoile polaire n'est pas publiée" in text, url
    assert "Usagers servis" in client.get(f"/startups/{startup.pk}/impact/").content.decode()
