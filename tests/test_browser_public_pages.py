"""The public pages in a real Chromium: accessible (axe), usable without JavaScript."""

from datetime import date
from pathlib import Path

import pytest

from tests.factories import EventFactory, OrganisationFactory, startup_with_phases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


@pytest.fixture
def startup():
    sponsor = OrganisationFactory(name="Direction générale de la cohésion sociale", acronym="DGCS")
    startup = startup_with_phases(
        ("investigation", date(2023, 1, 1)),
        ("construction", date(2023, 3, 1)),
        ("acceleration", date(2024, 3, 1)),
        id="données-et-territoires",
        title="Données et Territoires",
        mission="Éclairer les décisions locales",
        description="## Problème\n\nLes données sont éparpillées.\n\n## Solution\n\nUn **outil** en ligne.",
        repository="https://github.com/betagouv/donnees",
        themes=["Santé"],
        sponsors=[sponsor],
        accessibility_status="partiellement conforme",
    )
    EventFactory(startup=startup, kind="product_launch", date=date(2023, 9, 1))
    for n in range(5):
        startup_with_phases(("construction", date(2024, 1, 1)), title=f"Autre startup {n}")
    return startup


def visit(page, url, name):
    page.goto(url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize(
    ("path", "name", "heading"),
    [
        ("/", "accueil", "Portefeuille des startups d'État"),
        ("/startups/", "startups", "Les startups d'État"),
        ("/startups/données-et-territoires/", "startup", "Données et Territoires"),
        ("/incubateurs/", "incubateurs", "Incubateurs"),
        ("/organisations/", "organisations", "Organisations sponsors"),
        ("/startups/?q=donn%C3%A9es+outil", "recherche", "Les startups d'État"),
        # Refused (more than 8 words): the message on the field, the list unfiltered.
        ("/startups/?q=a+b+c+d+e+f+g+h+i", "recherche-refusee", "Les startups d'État"),
    ],
)
def test_public_pages_are_accessible(
    live_server, page, assert_accessible, startup, path, name, heading
):
    visit(page, live_server.url + path, name)
    assert page.locator("h1").inner_text() == heading
    assert_accessible(page)


def test_incubator_page_is_accessible(live_server, page, assert_accessible, startup):
    visit(page, live_server.url + startup.incubator.get_absolute_url(), "incubateur")
    assert page.get_by_text("Données et Territoires").count() >= 1
    assert_accessible(page)


def test_filters_work_without_javascript(live_server, browser, startup):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/startups/")
    page.get_by_label("Rechercher").fill("donnees eclairer")
    page.get_by_role("button", name="Filtrer").click()
    assert "q=donnees+eclairer" in page.url
    assert page.get_by_role("link", name="Données et Territoires").count() == 1
    assert page.get_by_role("link", name="Autre startup 1").count() == 0
    page.get_by_role("link", name="Données et Territoires").click()
    assert page.locator("h1").inner_text() == "Données et Territoires"
    context.close()
