"""The demo as a visitor sees it after `make run`: three startups of the story, their page and
their impact page, every block filled; screenshots to look at.

Screenshots go to `test-results/screenshots/demo/`; with `UPDATE_DOC_SCREENSHOTS=1`, also to
`docs/screenshots/` (demo-*.png). The demo is read at its reference day, the suite's.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "test-results" / "screenshots" / "demo"
DOCS = ROOT / "docs" / "screenshots"
DATA = Path(settings.BETAGOUV_DATA)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (DATA / "startups").is_dir(),
        reason=f"corpus beta.gouv.fr absent ({DATA}) : définir BETAGOUV_DATA pour ces tests",
    ),
]
# The one moved to accélération, the one about to run out of money, the one whose North Star
# is stale.
SHOWN = {
    "guichet-unique-de-la-haie-envergo-agricole": "accélération",
    "ecopass": "épuisement",
    "lucca": "étoile polaire pas à jour",
}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "fr-FR"}


def shot(page, name: str) -> None:
    image = page.screenshot(full_page=True)
    folders = [RESULTS, DOCS] if os.environ.get("UPDATE_DOC_SCREENSHOTS") == "1" else [RESULTS]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.png").write_bytes(image)


def test_three_demo_startups_show_every_block(live_server, page, assert_accessible):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for startup_id in SHOWN:
        page.goto(f"{live_server.url}/startups/{startup_id}/")
        text = page.locator("main").inner_text()
        assert "Pas encore de données budgétaires" not in text
        for heading in ("En quelques dates", "Budget", "Transparence", "Fiche"):
            assert page.get_by_role("heading", name=heading, exact=True).count() == 1, heading
        assert page.get_by_role("table", name="Par année").count() == 1
        assert page.get_by_role("table", name="Par catégorie de dépense").count() == 1
        assert "Comité d'investissement" in text
        shot(page, f"demo-{startup_id}")
        assert_accessible(page)

        page.goto(f"{live_server.url}/startups/{startup_id}/impact/")
        text = page.locator("main").inner_text()
        assert "Pas encore de données de paiement" not in text
        assert "Aucun indicateur" not in text and "Aucune valeur" not in text
        assert page.get_by_role("heading", name="Étoile polaire").count() == 1
        assert page.locator("#cout-par-impact-donnees tbody tr").count() >= 2
        assert page.get_by_role("heading", name="Autres indicateurs").count() == 1
        shot(page, f"demo-{startup_id}-impact")
        assert_accessible(page)
    # The stale North Star says so; the overstay notice shows on a startup past its phase.
    page.goto(f"{live_server.url}/startups/lucca/impact/")
    assert "Dernière valeur plus ancienne" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/startups/sain-eau/")
    assert "de plus que prévu" in page.locator("main").inner_text()
