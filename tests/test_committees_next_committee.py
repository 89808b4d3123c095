"""Public pages show the next committee of a startup: the new committee date an extension
(reconduction temporaire) set, or the committee it is on the agenda of (issue 13)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from committees import services
from committees.models import CommitteeStatus
from committees.selectors import next_committee
from tests.clock import TODAY
from tests.factories import StartupFactory, startup_with_phases
from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for

pytestmark = pytest.mark.django_db

# TODAY is 18/11/2026: an extension of six weeks sets the next committee on 30/12/2026.
NEW_DATE = TODAY + timedelta(days=42)
NOTICE = (
    "Prochain comité : le 30 décembre 2026 (reconduction temporaire décidée au comité du "
    "18 novembre 2026)."
)


def extended(staff_user, title="Reconduite"):
    startup = startup_with_phases(("construction", TODAY - timedelta(days=200)), title=title)
    committee = CommitteeFactory(date=TODAY)
    services.record_decision(
        dossier=dossier_for(committee, startup),
        kind="extend",
        effective_date=TODAY,
        new_committee_date=NEW_DATE,
        by=staff_user,
    )
    return startup, committee


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def test_the_startup_page_says_the_extensions_next_committee(client, staff_user):
    startup, _ = extended(staff_user)
    assert NOTICE in text(client.get(startup.get_absolute_url()))


def test_a_planned_committee_is_the_next_one_and_links_to_its_page(client, staff_user):
    startup, _ = extended(staff_user)
    planned = CommitteeFactory(date=NEW_DATE + timedelta(days=7))  # 6 January 2027
    dossier_for(planned, startup)
    content = text(client.get(startup.get_absolute_url()))
    assert (
        f'Prochain comité : <a href="{planned.get_absolute_url()}">le 6 janvier 2027</a> '
        "(reconduction temporaire décidée au comité du 18 novembre 2026, qui le prévoyait le "
        "30 décembre 2026)." in content
    )
    # Without an extension: the planned committee alone.
    other = StartupFactory(title="Sans reconduction")
    dossier_for(planned, other)
    assert (
        f'Prochain comité : <a href="{planned.get_absolute_url()}">le 6 janvier 2027</a>.'
        in text(client.get(other.get_absolute_url()))
    )


def test_nothing_is_said_once_the_date_passed_or_after_a_later_decision(staff_user, clock):
    startup, _ = extended(staff_user)
    assert next_committee(startup.pk).date == NEW_DATE
    assert next_committee(startup.pk, on=NEW_DATE).date == NEW_DATE
    assert next_committee(startup.pk, on=NEW_DATE + timedelta(days=1)) is None
    # The committee of the new date decides: its decision is the last one, no extension any more.
    later = CommitteeFactory(date=NEW_DATE, status=CommitteeStatus.HELD)
    DecisionFactory(dossier=dossier_for(later, startup), kind="continue")
    assert next_committee(startup.pk, on=NEW_DATE) is None
    # A committee closed without its decision is no next one either.
    forgotten = StartupFactory()
    dossier_for(CommitteeFactory(date=NEW_DATE, status=CommitteeStatus.CLOSED), forgotten)
    assert next_committee(forgotten.pk) is None


def test_the_decisions_lists_show_the_new_committee_date(client, staff_user):
    _, committee = extended(staff_user)
    line = 'Reconduction temporaire (1 à 2 mois)<br><span class="fr-text--sm">Prochain comité : le 30 décembre 2026</span>'
    assert line in text(client.get("/comites/"))
    assert line in text(client.get(f"/comites/{committee.pk}/"))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_cost_the_same_queries_with_or_without_extensions(client, staff_user):
    plain = StartupFactory()
    startup, committee = extended(staff_user)
    for n in range(5):
        dossier_for(CommitteeFactory(date=NEW_DATE + timedelta(days=n)), startup)
    # Each page asked once (the page cache would answer a second time without a query).
    with_extension = count_queries(client, startup.get_absolute_url())
    assert with_extension == count_queries(client, plain.get_absolute_url())
    assert with_extension <= 12  # the page, its team (2) and its next committee (1)
    few = count_queries(client, "/comites/")
    for n in range(10):
        extended(staff_user, title=f"Reconduite {n}")
    assert count_queries(client, "/comites/") == few


def test_the_notice_is_the_html_the_template_wrote(staff_user):
    from committees.templatetags.committees_tags import next_committee as notice

    startup, _ = extended(staff_user)
    planned = CommitteeFactory(date=NEW_DATE + timedelta(days=7))
    dossier_for(planned, startup)
    assert notice(startup) == (
        "\n"
        '  <div class="fr-notice fr-notice--info fr-mb-2w">\n'
        '    <div class="fr-container"><div class="fr-notice__body">\n'
        f'      <p class="fr-notice__title">Prochain comité : <a href="/comites/{planned.pk}/">'
        "le 6 janvier 2027</a> (reconduction temporaire décidée au comité du 18 novembre "
        "2026, qui le prévoyait le 30 décembre 2026).</p>\n"
        "    </div></div>\n"
        "  </div>\n"
        "\n"
    )
    assert notice(StartupFactory(title="Sans comité")) == "\n"
