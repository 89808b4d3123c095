"""The portfolio's search: a typed word is looked up among the startups' words (a vocabulary
the database keeps), never by reading every startup's text, and finds what a substring search
of the text found. A list's cards are built once and kept per version of the registry."""

from datetime import date, timedelta

import pytest
from django.db import connection

import startups.models
from startups.models import SearchWord, Startup
from startups.phases import PhaseKind
from startups.text import normalise
from tests.clock import TODAY, paris
from tests.factories import IncubatorFactory, PhaseFactory, StartupFactory

pytestmark = pytest.mark.django_db


TEXTS = [
    ("Aidants Connect", "Sécuriser l'aide numérique", "Les aidants numériques accompagnent."),
    ("Mes Aides", "Simuler ses droits sociaux", "Un simulateur (100 % en ligne) des aides."),
    ("Santé Publique", "Numériser la santé_au travail", "Chemin C:\\dossiers\\santé."),
    ("Le Taxi", "Réserver un taxi", "Données ouvertes des taxis."),
    ("Numérique Responsable", "Mesurer l'empreinte", "Écoconception, 50% de moins."),
]
TYPED = [
    "numér",
    "NUMERIQUE aidants",
    "sante",
    "santé_au",
    "_",
    "%",
    "100 %",
    "50%",
    "c:\\dossiers",
    "\\",
    "e",
    "taxi",
    "zzz",
    "l'aide",
    "aidants aides",
    "aid",
    "connect numer",
    "connectsecuriser",  # across two fields: never one word
]


@pytest.fixture
def texts():
    for title, mission, description in TEXTS:
        StartupFactory(title=title, mission=mission, description=description)


def expected(typed: str) -> list[str]:
    """What a substring search of every text finds: the rule the search keeps."""
    words = normalise(typed).split()
    return sorted(
        startup.pk
        for startup in Startup.objects.all()
        if all(word in startup.search_text for word in words)
    )


@pytest.mark.parametrize("at_most", [0, 1, 200], ids=["like", "few-words", "vocabulary"])
@pytest.mark.parametrize("typed", TYPED)
def test_the_search_finds_what_a_substring_search_finds(texts, monkeypatch, at_most, typed):
    # at_most=0: every typed word is "in too many words", the LIKE over the text answers;
    # 200: the vocabulary answers every one; 1: each according to what was typed.
    monkeypatch.setattr(startups.models, "SEARCH_WORDS_AT_MOST", at_most)
    found = sorted(Startup.objects.search(typed).values_list("pk", flat=True))
    assert found == expected(typed)


def test_the_database_derives_the_words_whatever_writes_the_startup():
    startup = StartupFactory(title="Premier essai", mission="", description="")
    startup.refresh_from_db()
    assert "premier" in startup.search_words and "essai" in startup.search_words
    assert len(startup.search_words) == len(set(startup.search_words))
    # Written without the model's save(): the database still derives the words.
    Startup.objects.filter(pk=startup.pk).update(search_text="nouveau texte  seul")
    startup.refresh_from_db()
    assert startup.search_words == ["nouveau", "seul", "texte"]
    assert SearchWord.objects.filter(word__in=["nouveau", "seul", "texte"]).count() == 3
    # A save sending a stale list (an instance holds what it read) is not what is kept: the
    # words are those of the text saved (save() derives it again from the fields).
    startup.search_words = ["faux"]
    startup.save(update_fields=["contact"])
    startup.refresh_from_db()
    assert (
        set(startup.search_words)
        == set(startup.search_text.split())
        == {startup.pk, "premier", "essai"}
    )
    assert Startup.objects.search("essai").get() == startup
    # The words of a text edited in the admin's way (save()).
    startup.title = "Second"
    startup.description = "Une démarche réinventée"
    startup.save()
    assert Startup.objects.search("reinvent").get() == startup
    assert not Startup.objects.search("premier").exists()


def test_a_search_uses_the_indexes_not_the_texts(texts):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE startups_startup; ANALYZE startups_searchword")
        sql, params = Startup.objects.search("aidants").values("pk").query.sql_with_params()
        # Five rows: PostgreSQL would rather read them all, and the vocabulary the same way.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on startup_search_words_gin" in plan
    # The branch reading the texts is planned but never run.
    lines = plan.splitlines()
    reads_text = next(i for i, line in enumerate(lines) if "(search_text ~~" in line)
    assert "(never executed)" in lines[reads_text - 1]


def test_a_list_reuses_the_cards_it_built(client, django_assert_num_queries):
    for n in range(5):
        StartupFactory(title=f"Service {n}")
    first = client.get("/startups/").content.decode()
    # The data version and the matches: every card shown was built by the first page.
    with django_assert_num_queries(2):
        searched = client.get("/startups/?q=service").content.decode()
    assert searched.count("fr-card__title") == 5
    for n in range(5):
        assert f"Service {n}</a>" in first and f"Service {n}</a>" in searched


def test_a_kept_card_follows_the_data_and_the_day(client, clock):
    startup = StartupFactory(title="Ancien nom", incubator=IncubatorFactory(title="Incub"))
    tomorrow = TODAY + timedelta(days=1)
    PhaseFactory(startup=startup, kind=PhaseKind.INVESTIGATION, start=date(2025, 1, 1), end=TODAY)
    PhaseFactory(startup=startup, kind=PhaseKind.CONSTRUCTION, start=tomorrow)
    page = client.get("/startups/").content.decode()
    assert "Ancien nom" in page and "fr-badge--purple-glycine" in page
    Startup.objects.filter(pk=startup.pk).update(title="Nouveau nom")
    page = client.get("/startups/?q=nom").content.decode()
    assert "Nouveau nom" in page and "Ancien nom" not in page
    # At midnight the planned phase begins: the card kept yesterday is not shown today.
    clock.move_to(paris(tomorrow, "00:01"))
    page = client.get("/startups/?q=nom").content.decode()
    assert "fr-badge--blue-ecume" in page and "fr-badge--purple-glycine" not in page


def test_a_filter_shows_the_most_frequent_spelling_and_breaks_ties_the_same_way():
    from startups.forms import labelled_values

    for themes in (["Santé "], ["santé"], ["Santé"], ["emploi"], ["Emploi"]):
        StartupFactory(themes=themes)
    # « Santé » twice (spaces around a value do not make another spelling), « santé » once.
    expected_tie = labelled_values("themes")[0]
    assert labelled_values("themes")[1] == ("sante", "Santé")
    # « Emploi » and « emploi » once each: whichever is shown, it is the same one every time,
    # whatever order the rows were written in.
    Startup.objects.filter(themes=["emploi"]).delete()
    StartupFactory(themes=["emploi"])
    assert labelled_values("themes")[0] == expected_tie


def test_a_description_is_rendered_as_it_is_written_and_served_as_rendered_then():
    from publishing import markdown

    startup = StartupFactory(
        description="## Titre\n\n[lien](javascript:alert(1)) <script>x</script> **gras**"
    )
    startup.refresh_from_db()
    assert startup.description_rendering == markdown.RENDERING
    assert startup.description_as_html == markdown.render_markdown(startup.description)
    assert "<h3>Titre</h3>" in startup.description_as_html
    assert (
        "javascript" not in startup.description_as_html
        and "<script" not in startup.description_as_html
    )
    # HTML written another way than through the model is sanitised when served.
    Startup.objects.filter(pk=startup.pk).update(
        description_html='<p onclick="x()">a</p><script>b</script>'
    )
    startup.refresh_from_db()
    assert startup.description_as_html == "<p>a</p>"
    # Made by another rendering (an older library, other rules): rendered again.
    Startup.objects.filter(pk=startup.pk).update(description_rendering="ancienne")
    startup.refresh_from_db()
    assert startup.description_as_html == markdown.render_markdown(startup.description)
