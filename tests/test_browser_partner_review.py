"""A partner's review in a real Chromium: log in, read the dossier, send the review (axe)."""

from datetime import timedelta
from pathlib import Path

import pytest

from committees.models import PartnerReview
from tests import clock
from tests.conftest import PARTNER_PASSWORD
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, dossier_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"partner-{name}.png", full_page=True)


@pytest.fixture
def dossier(organisation_a, organisation_b):
    committee = CommitteeFactory(date=clock.today() + timedelta(days=21))
    startup = StartupFactory(
        title="Aidants Connect", mission="Aider les aidants.", sponsors=[organisation_a]
    )
    StartupFactory(title="Service de B", sponsors=[organisation_b])
    dossier = dossier_for(
        committee,
        startup,
        previous_objectives=[
            {
                "objective": "Ouvrir à 2 départements",
                "status": "reached",
                "comment": "Fait en mars.",
            }
        ],
        team_size=5,
        team="Une intrapreneuse, deux développeurs, un designer, une coach.",
    )
    dossier.indicators_snapshot = [
        {
            "name": "Dossiers déposés",
            "unit": "dossiers",
            "category": "Utilisé",
            "north_star": True,
            "target": "5000",
            "target_date": None,
            "values": [
                {"period": "janvier 2026", "start": "2026-01-01", "value": "1200"},
                {"period": "février 2026", "start": "2026-02-01", "value": "1540.5"},
            ],
        }
    ]
    dossier.money_snapshot = {
        "on": "2026-03-01",
        "allocated": "400000",
        "committed": "250000",
        "paid": "180000",
        "to_pay": "70000",
        "available": "150000",
        "monthly_burn": "30000",
        "runs_out_on": "2026-08-01",
    }
    dossier.snapshot_at = clock.now()
    dossier.save()
    return dossier


def test_a_partner_reviews_a_dossier(live_server, page, assert_accessible, partner_a, dossier):
    page.goto(live_server.url + "/partenaires/")
    assert "/partenaires/connexion/" in page.url
    page.get_by_label("Adresse électronique").fill("PARTENAIRE@direction-a.gouv.fr")
    page.get_by_label("Mot de passe", exact=True).fill(PARTNER_PASSWORD)
    shot(page, "connexion")
    assert_accessible(page)
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url(live_server.url + "/partenaires/")
    assert page.locator("h1").inner_text() == "Espace partenaires"
    assert page.get_by_text("Service de B").count() == 0
    shot(page, "accueil")
    assert_accessible(page)

    page.get_by_role("link", name="Dossier de Aidants Connect").click()
    assert page.locator("h1").inner_text() == "Dossier de Aidants Connect"
    assert page.get_by_text("utilisez la fonction « Imprimer » de votre navigateur").count() == 1
    assert page.get_by_role("cell", name="1 540,5 (février 2026)").count() == 1
    shot(page, "dossier")
    assert_accessible(page)
    page.emulate_media(media="print")
    shot(page, "dossier-impression")
    assert page.locator("header.fr-header").is_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Donner l'avis").first.click()
    assert page.locator("h1").inner_text() == "Avis sur le dossier de Aidants Connect"
    assert_accessible(page)
    page.get_by_text("Réservé", exact=True).click()
    page.get_by_label("Questions écrites à l'équipe").fill("Quel est le coût par dossier ?")
    page.get_by_label("Commentaires").fill("Belle progression.")
    shot(page, "avis")
    page.get_by_role("button", name="Envoyer l'avis").click()

    assert page.get_by_text("est enregistré").count() == 1
    assert page.get_by_text("Quel est le coût par dossier ?").count() == 1
    shot(page, "avis-enregistre")
    review = PartnerReview.objects.get(dossier=dossier)
    assert (review.opinion, review.author_id) == ("reserved", partner_a.pk)


def test_the_review_form_shows_its_errors_accessibly(
    live_server, page, assert_accessible, partner_a, dossier
):
    page.goto(live_server.url + "/partenaires/connexion/")
    page.get_by_label("Adresse électronique").fill(partner_a.email)
    page.get_by_label("Mot de passe", exact=True).fill(PARTNER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server.url + "/partenaires/")
    page.goto(live_server.url + f"/partenaires/dossiers/{dossier.pk}/avis/")
    page.get_by_role("button", name="Envoyer l'avis").click()
    assert page.locator(".fr-error-text, .fr-message--error").count() >= 1
    shot(page, "avis-erreur")
    assert_accessible(page)
