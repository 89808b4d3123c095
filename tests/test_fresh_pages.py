"""Pages built fresh cost little: what they share is built once per data version (the list's
filters), cards are plain HTML, and a startup's page survives payments to other startups."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.http import QueryDict
from dsfr.forms import DsfrBaseForm, DsfrBoundField

from budgets.models import Payment
from publishing.caching import held, kept
from startups.forms import StartupFilterForm
from startups.models import Startup
from startups.templatetags.startups_tags import phase_badge, startup_card
from tests.factories import IncubatorFactory, OrganisationFactory, StartupFactory
from tests.factories_budgets import AllocationFactory, CommitmentFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def test_kept_builds_once_per_data_version(django_assert_num_queries):
    built = []

    def build():
        built.append(1)
        return Startup.objects.count()

    StartupFactory()
    assert kept("count", build, depends_on=("startups",)) == 1
    with django_assert_num_queries(1):  # the data version only (remembered 1 s in production)
        assert kept("count", build, depends_on=("startups",)) == 1
    assert len(built) == 1
    StartupFactory()
    assert kept("count", build, depends_on=("startups",)) == 2
    assert len(built) == 2


def test_a_write_to_another_app_keeps_what_was_kept():
    built = []
    StartupFactory()
    kept("count", lambda: built.append(1), depends_on=("startups",))
    PaymentFactory()  # writes budgets, and a startup through its factories
    Payment.objects.update(reference="x")  # budgets only
    kept("count", lambda: built.append(1), depends_on=("startups",))
    assert len(built) == 2  # the factories wrote a startup
    Payment.objects.update(reference="y")
    kept("count", lambda: built.append(1), depends_on=("startups",))
    assert len(built) == 2


def test_held_builds_once_per_data_version_and_hands_back_what_it_built(
    django_assert_num_queries,
):
    built = []

    def build():
        built.append(1)
        return [Startup.objects.count()]

    StartupFactory()
    first = held("count", build, depends_on=("startups",))
    with django_assert_num_queries(1):  # the data version only
        assert held("count", build, depends_on=("startups",)) is first  # neither copied nor pickled
    StartupFactory()
    assert held("count", build, depends_on=("startups",)) == [2]
    assert len(built) == 2


def test_a_filter_takes_a_choice_added_since_the_last_page(client):
    StartupFactory(title="Alpha", incubator=IncubatorFactory(title="Incubateur Alpha"))
    client.get("/startups/?q=alpha")
    beta = IncubatorFactory(title="Incubateur Beta")
    StartupFactory(title="Beta", incubator=beta)
    page = client.get(f"/startups/?incubateur={beta.pk}").content.decode()
    assert "Incubateur : Incubateur Beta" in page
    assert "Beta" in page and "Alpha</a>" not in page


def uncached(form) -> str:
    """The form as django-dsfr renders it, each field built afresh."""
    return "".join(
        DsfrBoundField(form, field, name).as_field_group() for name, field in form.fields.items()
    )


FILTER_QUERIES = [
    "",
    "q=santé",
    "phase=construction&actives=on",
    "phase=nimporte",
    "sponsor=absent&page=2",
    "sans_investigation=on&actives=nimporte",
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "q=%22l%27%C3%A9tat%22+%26+co&q=dernier",
    "q=++",
    "q=" + "x" * 201,
    "q=PortefeuilleTexteSaisi",
    "q=xPortefeuilleTexteSaisix%22",
]


@pytest.mark.parametrize("query", FILTER_QUERIES)
def test_each_filter_kept_is_the_filter_django_dsfr_renders(query):
    sponsor = OrganisationFactory(name="Ministère <des> Tests", acronym="MT")
    StartupFactory(themes=["Santé"], user_types=["Particuliers"], sponsors=[sponsor])
    data = QueryDict(query) if query else None
    expected = uncached(StartupFilterForm(data))
    for _ in range(2):  # built, then kept
        form = StartupFilterForm(data)
        assert "".join(form[name].as_field_group() for name in form.fields) == expected
    if query == "phase=nimporte":
        assert "fr-select-group--error" in expected or "--error" in expected


@pytest.mark.parametrize("query", FILTER_QUERIES)
def test_the_kept_form_is_the_form_django_dsfr_renders(query):
    sponsor = OrganisationFactory(name="Ministère <des> Tests", acronym="MT")
    StartupFactory(themes=["Santé"], user_types=["Particuliers"], sponsors=[sponsor])
    data = QueryDict(query) if query else None
    expected = DsfrBaseForm.render(StartupFilterForm(data))  # the form's own template
    for _ in range(2):  # built, then kept
        assert str(StartupFilterForm(data)) == expected
    if query.startswith("q=%22"):
        assert "&quot;l&#x27;état&quot; &amp; co" not in expected  # the last q, escaped
        assert 'value="dernier"' in expected


def test_a_kept_filter_follows_the_data(client):
    StartupFactory(incubator=IncubatorFactory(title="Incubateur Alpha"))
    assert "Incubateur Alpha" in client.get("/startups/").content.decode()
    StartupFactory(incubator=IncubatorFactory(title="Incubateur Beta"))
    page = client.get("/startups/?q=zzz").content.decode()
    assert "Incubateur Alpha" in page and "Incubateur Beta" in page
    assert "Incubateur Beta" in client.get("/startups/").content.decode()


def test_a_search_page_built_fresh_reuses_the_filters(client, django_assert_max_num_queries):
    for n in range(30):
        StartupFactory(title=f"Service {n}", themes=["Santé"])
    client.get("/startups/")
    # The data version, the vocabulary and the matches (their cards built by the list): nothing
    # for the filters.
    with django_assert_max_num_queries(3):
        response = client.get("/startups/?q=service+1")
    assert response.status_code == 200
    assert "Service 1" in response.content.decode()


def test_a_card_is_the_html_the_template_wrote():
    startup = StartupFactory(
        id="données.test",
        title="Aide <b>& co</b>",
        mission="« " + "x" * 200,
        incubator=IncubatorFactory(title="L'incubateur"),
    )
    startup = Startup.objects.with_current_phase().select_related("incubator").get()
    assert startup_card(startup, True) == (
        '<div class="fr-card fr-card--sm fr-enlarge-link">\n'
        '  <div class="fr-card__body">\n'
        '    <div class="fr-card__content">\n'
        '      <h3 class="fr-card__title"><a href="/startups/donn%C3%A9es.test/">'
        "Aide &lt;b&gt;&amp; co&lt;/b&gt;</a></h3>\n"
        f'      <p class="fr-card__desc">« {"x" * 157}…</p>\n'
        '      <div class="fr-card__start"><p class="fr-badge fr-badge--sm">Pas encore commencée</p>\n'
        "</div>\n"
        '      <div class="fr-card__end"><p class="fr-card__detail fr-icon-building-line">'
        "L&#x27;incubateur</p></div>\n"
        "    </div>\n"
        "  </div>\n"
        "</div>\n"
    )
    assert "fr-card__end" not in startup_card(startup, False)


def test_each_phase_has_its_badge():
    assert phase_badge("acceleration") == (
        '<p class="fr-badge fr-badge--sm fr-badge--green-emeraude">Accélération</p>\n'
    )
    assert phase_badge("abandon") == '<p class="fr-badge fr-badge--sm">Abandonnée</p>\n'
    assert phase_badge(None) == '<p class="fr-badge fr-badge--sm">Pas encore commencée</p>\n'


@pytest.fixture
def two_startups():
    funded = AllocationFactory(startup__id="financee", amount=D("50000")).startup
    commitment = CommitmentFactory(allocation=funded.allocations.get(), amount=D("10000"))
    other = StartupFactory(id="autre")
    return funded, commitment, other


def without_random_ids(response) -> str:
    # django-dsfr's breadcrumb draws a new id at each render.
    return re.sub(r"breadcrumb-[a-z]+", "breadcrumb", response.content.decode())


def pay(commitment, amount: str):
    PaymentFactory(
        commitment=commitment,
        amount=D(amount),
        service_done_on=date(2026, 1, 5),
        paid_on=date(2026, 1, 10),
    )


def test_a_payment_rebuilds_the_page_of_its_startup_only(
    client, two_startups, django_assert_max_num_queries
):
    funded, commitment, other = two_startups
    client.get("/startups/financee/")
    first = client.get("/startups/autre/")
    pay(commitment, "1234.56")
    # The funded startup's page shows the payment at once.
    assert "1\u202f234,56\xa0€" in client.get("/startups/financee/").content.decode()
    # The other page was built with its fingerprint: from the first payment to another
    # startup on, it costs the page its fingerprint only (no page built).
    with django_assert_max_num_queries(4):
        second = client.get("/startups/autre/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304
    with django_assert_max_num_queries(4):
        third = client.get("/startups/autre/")
    assert third.content == first.content  # the body kept, as it was served
    pay(commitment, "1.00")
    with django_assert_max_num_queries(4):
        fourth = client.get("/startups/autre/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert fourth.status_code == 304
    assert "1\u202f235,56\xa0€" in client.get("/startups/financee/").content.decode()


def test_a_change_to_the_startup_itself_still_rebuilds_its_page(client, two_startups):
    funded, commitment, other = two_startups
    client.get("/startups/autre/")
    pay(commitment, "1.00")
    client.get("/startups/autre/")
    Startup.objects.filter(pk="autre").update(title="Autre nom")
    assert "Autre nom" in client.get("/startups/autre/").content.decode()


def test_an_allocation_to_the_startup_shows_in_its_page_and_its_transparency(client, two_startups):
    funded, commitment, other = two_startups
    client.get("/startups/autre/")
    pay(commitment, "1.00")
    before = client.get("/startups/autre/").content.decode()
    assert "Pas encore de données budgétaires." in before
    AllocationFactory(startup=other, tranche=funded.allocations.get().tranche, amount=D("777"))
    after = client.get("/startups/autre/").content.decode()
    assert "Pas encore de données budgétaires." not in after and "777,00\xa0€" in after


def test_a_search_reads_the_text_once_and_pages_in_order(client, django_assert_max_num_queries):
    sponsor = OrganisationFactory()
    for n in range(50):
        StartupFactory(title=f"Service {n:02d}", sponsors=[sponsor, OrganisationFactory()])
    StartupFactory(title="Autre chose", sponsors=[sponsor])
    client.get("/startups/")
    # The data version, the vocabulary, the matches in order, the cards of the two not on the
    # first page of the list.
    with django_assert_max_num_queries(4):
        first = client.get(f"/startups/?q=SERVICE&sponsor={sponsor.pk}").content.decode()
    second = client.get(f"/startups/?q=service&sponsor={sponsor.pk}&page=2").content.decode()
    assert "50 startups correspondant aux filtres" in first
    titles = re.findall(r'fr-card__title"><a href="[^"]+">([^<]+)<', first + second)
    assert titles == [f"Service {n:02d}" for n in range(50)]
    assert "Autre chose" not in first + second


def test_a_search_page_finds_what_the_search_finds_whatever_the_kind_of_words(client, monkeypatch):
    from django.core.cache import cache

    import startups.models

    fabrique = IncubatorFactory(title="Fabrique")
    StartupFactory(title="Santé numérique", mission="Soigner", incubator=fabrique)
    StartupFactory(title="Santé au travail", mission="Prévenir")
    StartupFactory(title="Numérique responsable", mission="Sobriété", incubator=fabrique)
    cases = {
        "q=sante": ["Santé au travail", "Santé numérique"],
        "q=SANTÉ": ["Santé au travail", "Santé numérique"],  # the same query, compiled once
        "q=sante+numer": ["Santé numérique"],
        "q=numer+sante": ["Santé numérique"],
        "q=sante+introuvable": [],
        "q=introuvable": [],
        f"q=numer&incubateur={fabrique.pk}": ["Numérique responsable", "Santé numérique"],
        f"q=sante&incubateur={fabrique.pk}": ["Santé numérique"],
        f"q=travail&incubateur={fabrique.pk}": [],
    }

    def titles(query):
        page = client.get(f"/startups/?{query}").content.decode()
        return sorted(re.findall(r'<h3 class="fr-card__title"><a href="[^"]+">([^<]+)</a>', page))

    for query, expected in cases.items():
        assert titles(query) == expected, query
    # Every word now read in the texts (found in too many words of the vocabulary).
    monkeypatch.setattr(startups.models, "SEARCH_WORDS_AT_MOST", 0)
    cache.clear()
    for query, expected in cases.items():
        assert titles(query) == expected, query
