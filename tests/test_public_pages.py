"""The public pages: content, filters, ids with dots and accents, constant query counts."""

from datetime import date, timedelta

import pytest

from startups.models import ImportCorrection, Startup
from startups.phases import PhaseKind
from startups.views import startup_for_page
from tests.clock import SUITE_NOW, TODAY
from tests.factories import (
    EventFactory,
    IncubatorFactory,
    OrganisationFactory,
    StartupFactory,
    startup_with_phases,
)

pytestmark = pytest.mark.django_db


def portfolio(size: int):
    """`size` startups across phases, incubators, sponsors, themes."""
    incubators = [IncubatorFactory() for _ in range(3)]
    sponsors = [OrganisationFactory() for _ in range(3)]
    kinds = [
        PhaseKind.INVESTIGATION,
        PhaseKind.CONSTRUCTION,
        PhaseKind.ACCELERATION,
        PhaseKind.STOPPED,
    ]
    for n in range(size):
        startup = startup_with_phases(
            ("investigation", TODAY - timedelta(days=400)),
            *([(kinds[n % 4], TODAY - timedelta(days=100))] if n % 4 else []),
            incubator=incubators[n % 3],
            sponsors=[sponsors[n % 3]],
            themes=["Santé", "Emploi"] if n % 2 else ["Logement "],
            user_types=["particulier"],
        )
        EventFactory(startup=startup)


@pytest.fixture
def accented():
    startup = startup_with_phases(
        ("investigation", date(2023, 1, 1)),
        ("construction", date(2023, 3, 1)),
        id="données-et-territoires",
        title="Données et Territoires",
        mission="Éclairer les décisions locales",
        themes=["Santé"],
    )
    StartupFactory(id="1000.jours", title="1000 jours")
    return startup


def test_it_lists_the_portfolio_grouped_by_phase(client):
    portfolio(8)
    response = client.get("/startups/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "8 startups" in content
    assert "Investigation : 2" in content and "Construction : 2" in content
    assert content.index('<h2 class="fr-h4 fr-mt-4w">Investigation') < content.index(
        '<h2 class="fr-h4 fr-mt-4w">Construction'
    )


@pytest.mark.parametrize("size", [4, 40])
def test_the_list_costs_the_same_number_of_queries_at_any_size(
    client, size, django_assert_max_num_queries
):
    portfolio(size)
    with django_assert_max_num_queries(10):
        response = client.get("/startups/?thematique=sante&actives=on&q=startup")
    assert response.status_code == 200


def test_filters_combine_and_live_in_the_query_string(client, accented):
    other = startup_with_phases(("acceleration", date(2022, 1, 1)), themes=["Emploi"])
    content = client.get("/startups/?thematique=sante&phase=construction").content.decode()
    assert "Données et Territoires" in content
    assert other.title not in content
    content = client.get("/startups/?q=DONNEES eclairer").content.decode()
    assert "Données et Territoires" in content and other.title not in content
    content = client.get("/startups/?sans_investigation=on&statut=active").content.decode()
    assert "Données et Territoires" in content
    # Pagination links keep the filters.
    assert client.get("/startups/?thematique=sante&page=99").status_code == 200


def test_filters_by_incubator_and_sponsor(client):
    sponsor = OrganisationFactory(id="dgcs")
    mine = StartupFactory(sponsors=[sponsor], title="Aidée par la DGCS")
    other = StartupFactory(title="Ailleurs")
    content = client.get("/startups/?sponsor=dgcs").content.decode()
    assert mine.title in content and other.title not in content
    content = client.get(f"/startups/?incubateur={other.incubator_id}").content.decode()
    assert other.title in content and mine.title not in content


def test_an_invalid_filter_is_ignored_not_an_error(client, accented):
    response = client.get("/startups/?phase=inconnue&incubateur=%3Cscript%3E")
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_the_list_is_paginated(client):
    portfolio(60)
    first = client.get("/startups/").content.decode()
    second = client.get("/startups/?page=2").content.decode()
    assert first.count('class="fr-card ') == 48
    assert second.count('class="fr-card ') == 12
    assert 'aria-current="page" title="Page 2"' in second


@pytest.mark.parametrize(
    "url",
    [
        "/startups/1000.jours/",
        "/startups/données-et-territoires/",
        "/startups/donn%C3%A9es-et-territoires/",
    ],
)
def test_ids_with_dots_and_accents_work(client, accented, url):
    assert client.get(url).status_code == 200


def test_a_startup_page_shows_what_a_reader_needs(client, accented, django_assert_max_num_queries):
    sponsor = OrganisationFactory(
        name="Agence nationale de la cohésion des territoires", acronym="ANCT"
    )
    accented.sponsors.set([sponsor])
    accented.repository = "https://github.com/betagouv/donnees"
    accented.stats_url = "https://donnees.beta.gouv.fr/stats"
    accented.save()
    EventFactory(startup=accented, kind="fast", date=date(2023, 6, 1), promotion=12, amount=230000)
    # The startup with its phases, events, sponsors, co-incubators and corrections (one query),
    # the next committee (committees_tags), the budget block, read once for the block and the
    # transparency point (budgets_tags), the North Star (impact_tags) and the team block's 2
    # (startups.members.team_of).
    with django_assert_max_num_queries(6):
        response = client.get("/startups/données-et-territoires/")
    content = response.content.decode()
    assert "Éclairer les décisions locales" in content
    assert "En quelques dates" in content and "Construction" in content
    assert "ANCT" in content and sponsor.get_absolute_url() in content
    assert accented.incubator.get_absolute_url() in content
    assert "Code source" in content and "https://github.com/betagouv/donnees" in content
    assert "Transparence" in content and "Statistiques d&#x27;usage" in content
    assert "promotion 12" in content and "230" in content


def test_the_transparency_block_is_hidden_during_investigation(client):
    startup = startup_with_phases(
        ("investigation", TODAY - timedelta(days=10)), repository="https://github.com/x/y"
    )
    content = client.get(startup.get_absolute_url()).content.decode()
    assert "les éléments de transparence sont publiés à partir de la construction" in content
    assert "Analyse de risques" not in content


def test_an_overstayed_phase_is_shown(client):
    startup = startup_with_phases(("investigation", TODAY - timedelta(days=120)))
    content = client.get(startup.get_absolute_url()).content.decode()
    assert "de plus que prévu" in content


def test_a_malicious_description_is_rendered_inert(client):
    startup = StartupFactory(
        description=(
            "# Titre\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
            '[clic](javascript:alert(1)) <a href="#" onclick="alert(1)">a</a>\n\n'
            '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>'
        )
    )
    content = client.get(startup.get_absolute_url()).content.decode()
    body = content[content.index("portfolio-markdown") :]
    assert "<script>alert" not in body
    assert "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body
    assert "<iframe" not in body and "<style>" not in body
    assert "<h3>Titre</h3>" in body


def test_import_corrections_are_shown_discreetly(client, accented):
    accented.import_corrections.create(kind="overlap", message="Construction finissait trop tard.")
    content = client.get(accented.get_absolute_url()).content.decode()
    assert "<details" in content and "Construction finissait trop tard." in content


def test_unknown_ids_are_404(client):
    for url in ["/startups/inconnue/", "/incubateurs/inconnu/", "/organisations/inconnue/"]:
        assert client.get(url).status_code == 404


def test_incubator_and_organisation_pages_list_their_startups_by_phase(
    client, django_assert_max_num_queries
):
    portfolio(8)
    incubator = Startup.objects.first().incubator
    co_incubated = StartupFactory(title="Co-incubée")
    co_incubated.co_incubators.add(incubator)
    with django_assert_max_num_queries(6):
        content = client.get(incubator.get_absolute_url()).content.decode()
    assert "Co-incubée" in content and "Investigation" in content
    sponsor = Startup.objects.filter(sponsors__isnull=False).first().sponsors.first()
    with django_assert_max_num_queries(6):
        content = client.get(sponsor.get_absolute_url()).content.decode()
    assert "financée" in content
    for url in ["/incubateurs/", "/organisations/"]:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200


def test_home_shows_key_figures(client):
    portfolio(8)
    content = client.get("/").content.decode()
    assert "startups actives" in content and "startups au total" in content


# A still clock: Last-Modified is "now" here (the database clock runs ahead of the suite's),
# and two requests must fall in the same second.
@pytest.mark.time_machine(SUITE_NOW, tick=False)
def test_pages_answer_304_to_a_conditional_get_and_change_with_the_data(client, accented):
    url = accented.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    accented.title = "Nouveau titre"
    accented.save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert "Nouveau titre" in changed.content.decode()
    EventFactory(startup=accented)
    assert client.get(url)["ETag"] != changed["ETag"]


def test_a_startup_page_reads_its_lists_in_one_query(client, django_assert_num_queries):
    """Phases, events, sponsors, co-incubators and import corrections come with the startup
    (startups.views.startup_for_page): each shown, in order, with its exact values."""
    startup = startup_with_phases(
        ("investigation", date(2023, 1, 1)), ("construction", date(2023, 7, 1))
    )
    startup.co_incubators.add(IncubatorFactory(title="Fabrique du Sud"))
    startup.sponsors.set(
        [
            OrganisationFactory(name="Zèbre", acronym=""),
            OrganisationFactory(name="Agence", acronym="AG"),
        ]
    )
    EventFactory(startup=startup, kind="fast", date=date(2024, 6, 1), promotion=3, amount="1234.56")
    EventFactory(startup=startup, kind="product_launch", date=date(2023, 9, 1))
    ImportCorrection.objects.create(startup=startup, kind="overlap", message="Date corrigée")
    with django_assert_num_queries(1):
        page_startup = startup_for_page(startup.pk)
        assert [p.start for p in page_startup.phases.all()] == [date(2023, 1, 1), date(2023, 7, 1)]
        assert [str(o) for o in page_startup.sponsors.all()] == ["Agence (AG)", "Zèbre"]
        assert [i.title for i in page_startup.co_incubators.all()] == ["Fabrique du Sud"]
        assert [c.message for c in page_startup.import_corrections.all()] == ["Date corrigée"]
        assert [e.date for e in page_startup.page_events] == [date(2023, 9, 1), date(2024, 6, 1)]
        assert str(page_startup.page_events[1].amount) == "1234.56"
        assert page_startup.current_kind == "construction"
    content = client.get(startup.get_absolute_url()).content.decode()
    assert "Fabrique du Sud" in content and "Date corrigée" in content
    assert content.index("Lancement du produit") < content.index("Lauréate FAST")
    assert "(promotion 3), 1\xa0235 €" in content
