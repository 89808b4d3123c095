"""The team block of a startup page: who is on a mission today and who was, by domain,
with what beta.gouv.fr publishes (names, roles, GitHub accounts) and never an e-mail."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.clock import TODAY
from tests.factories import startup_with_phases
from tests.factories_members import MemberFactory, MissionFactory, member_on

DAY = timedelta(days=1)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


@pytest.fixture
def startup(db):
    return startup_with_phases(
        ("construction", date(2024, 1, 1)),
        id="données-et-territoires",
        title="Données et Territoires",
    )


def team_block(client, startup) -> str:
    content = client.get(startup.get_absolute_url()).content.decode()
    start = content.index('<section class="fr-mt-4w" aria-labelledby="equipe">')
    return content[start : content.index("</section>", start)]


def test_it_counts_members_on_a_mission_today_and_former_ones_by_domain(client, startup):
    # Ends today: still on the mission (beta.gouv.fr's rule).
    member_on(
        [startup.pk],
        date(2025, 1, 1),
        TODAY,
        fullname="Ada Lovelace",
        role="Développeuse",
        domaine="Développement",
        github="ada",
    )
    member_on([startup.pk], date(2025, 1, 1), None, fullname="Alan Turing", domaine="Développement")
    member_on([startup.pk], date(2025, 1, 1), None, fullname="Grace Hopper", domaine="Design")
    member_on(
        [startup.pk], date(2024, 1, 1), TODAY - DAY, fullname="Ancien Membre", domaine="Produit"
    )
    MemberFactory(fullname="Membre Précédent", domaine="Design", previously=[startup.pk])
    # Starts tomorrow with an end: not yet in the team.
    member_on([startup.pk], TODAY + DAY, TODAY + 100 * DAY, fullname="Futur Membre")
    member_on(["une-autre"], date(2025, 1, 1), None, fullname="Hors Équipe")

    block = team_block(client, startup)

    assert "<strong>3 membres en mission</strong> le 18 novembre 2026, 2 anciens membres." in block
    rows = [
        '<th scope="row">Développement</th><td>2</td><td>0</td>',
        '<th scope="row">Design</th><td>1</td><td>1</td>',
        '<th scope="row">Produit</th><td>0</td><td>1</td>',
    ]
    assert all(row in block for row in rows)
    assert block.index(rows[0]) < block.index(rows[1]) < block.index(rows[2])
    assert "Ada Lovelace — Développeuse" in block and 'href="https://github.com/ada"' in block
    assert "Ancien Membre" in block and "Membre Précédent" in block
    assert "Futur Membre" not in block and "Hors Équipe" not in block


def test_a_member_on_a_mission_is_not_also_a_former_one(client, startup):
    member = MemberFactory(fullname="Ada Lovelace")
    MissionFactory(
        member=member, start=date(2023, 1, 1), end=date(2023, 12, 31), startup_ids=[startup.pk]
    )
    MissionFactory(member=member, start=date(2025, 1, 1), startup_ids=[startup.pk])
    block = team_block(client, startup)
    assert "<strong>1 membre en mission</strong>" in block and "ancien" not in block


def test_no_e_mail_and_no_odd_link_is_shown(client, startup):
    member_on(
        [startup.pk],
        date(2025, 1, 1),
        None,
        fullname="Ada <b>Lovelace</b>",
        github="javascript:alert(1)",
        bio="ada@beta.gouv.fr",
        source_front_matter={"email": "ada@beta.gouv.fr"},
    )
    content = client.get(startup.get_absolute_url()).content.decode()
    assert "ada@beta.gouv.fr" not in content
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in content and "javascript:" not in content


def test_a_startup_without_members_says_so(client, startup):
    assert "Aucun membre de beta.gouv.fr n'est rattaché à cette startup." in team_block(
        client, startup
    )


@pytest.mark.parametrize("size", [1, 40])
def test_the_page_costs_the_same_number_of_queries_whatever_the_team(client, startup, size):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(startup.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    member_on([startup.pk], date(2025, 1, 1), None)
    one = queries()
    for n in range(size):
        member_on([startup.pk], date(2024, 1, 1), date(2024, 6, 30), previously=[startup.pk])
        member_on([startup.pk, f"autre-{n}"], date(2025, 1, 1), None, github=f"membre{n}")
    assert queries() == one


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_team_block_is_accessible(live_server, page, assert_accessible):
    startup = startup_with_phases(
        ("construction", date(2024, 1, 1)), title="Données et Territoires"
    )
    member_on([startup.pk], date(2025, 1, 1), None, fullname="Ada Lovelace", github="ada")
    member_on([startup.pk], date(2024, 1, 1), date(2024, 6, 30), fullname="Alan Turing")
    page.goto(live_server.url + startup.get_absolute_url())
    page.get_by_text("Anciens membres (1)").click()
    assert page.get_by_text("Alan Turing").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section[aria-labelledby=equipe]").screenshot(
        path=SCREENSHOTS / "startup-equipe.png"
    )
    assert_accessible(page)
