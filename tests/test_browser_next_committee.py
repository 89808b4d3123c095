"""« Prochain comité » on a startup's page and in /comites/, in a real Chromium (axe)."""

from datetime import timedelta
from pathlib import Path

import pytest

from committees import services
from tests.clock import TODAY
from tests.factories import startup_with_phases
from tests.factories_committees import CommitteeFactory, dossier_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


def test_the_next_committee_of_an_extension_reads_well_and_is_accessible(
    live_server, page, assert_accessible, staff_user
):
    startup = startup_with_phases(("construction", TODAY - timedelta(days=200)), title="Reconduite")
    services.record_decision(
        dossier=dossier_for(CommitteeFactory(date=TODAY), startup),
        kind="extend",
        effective_date=TODAY,
        new_committee_date=TODAY + timedelta(days=42),
        by=staff_user,
    )
    page.goto(live_server.url + startup.get_absolute_url())
    notice = page.get_by_text("Prochain comité : le 30 décembre 2026")
    assert notice.is_visible()
    assert "reconduction temporaire décidée au comité du 18 novembre 2026" in notice.inner_text()
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "startup-prochain-comite.png", full_page=True)
    page.goto(live_server.url + "/comites/")
    assert (
        page.get_by_role("row", name="Reconduite")
        .get_by_text("Prochain comité : le 30 décembre 2026")
        .is_visible()
    )
    page.screenshot(path=SCREENSHOTS / "comites-prochain-comite.png", full_page=True)
    assert_accessible(page)
