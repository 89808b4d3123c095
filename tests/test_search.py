"""The portfolio's search: a typed word is looked up among the startups' words (a vocabulary
the database keeps), never by reading every startup's text, and finds what a substring search
of the text found. A list's cards are built once and kept per version of the registry."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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


def plan_of(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE startups_startup; ANALYZE startups_searchword")
        sql, params = queryset.values("pk").query.sql_with_params()
        # Five rows: PostgreSQL would rather read them all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_search_uses_the_index_of_the_words_not_the_texts(texts):
    plan = plan_of(Startup.objects.search("aidants numer sante"))
    assert "startup_search_words_gin" in plan and "search_text" not in plan
    # One scan of the startups whatever the number of words typed: no join per word.
    assert plan.count("on startups_startup") == 1 and "Join" not in plan


def test_a_word_in_most_of_the_vocabulary_reads_the_texts(texts, monkeypatch):
    monkeypatch.setattr(startups.models, "SEARCH_WORDS_AT_MOST", 1)
    plan = plan_of(Startup.objects.search("aidants e"))
    assert "strpos(search_text" in plan and "startup_search_words_gin" in plan


def test_the_vocabulary_is_read_in_one_query_whatever_the_words(texts, django_assert_num_queries):
    with django_assert_num_queries(2):  # the vocabulary, then the startups
        list(Startup.objects.search("aidants numer sante taxi mes le la"))
    with django_assert_num_queries(1):  # nothing typed: the startups only
        list(Startup.objects.search("   "))


def test_typed_words_are_each_looked_up_once():
    from startups.models import typed_words

    # Repeated, or contained in another typed word: nothing more to find.
    assert typed_words("Numérique num NUMERIQUE santé e") == ["numerique", "sante"]
    assert typed_words("e " * 100) == ["e"]


def test_more_than_eight_words_is_refused_with_a_message(client, texts):
    page = client.get(
        "/startups/?q="
        + "+".join(
            [
                "aidants",
                "mes",
                "sante",
                "taxi",
                "numerique",
                "empreinte",
                "droits",
                "simuler",
                "reserver",
            ]
        )
    )
    assert page.status_code == 200
    assert "Cherchez au plus 8 mots" in page.content.decode()
    assert page.content.decode().count("fr-card__title") == len(TEXTS)  # the filter is ignored


def test_a_very_long_word_is_kept_in_pieces_and_found():
    import random
    import string

    rng = random.Random(7)  # noqa: S311 - test data, not a secret
    blob = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(9000))
    startup = StartupFactory(description=f"Logo ![x](data:image/png;base64,{blob}) fin")
    startup.refresh_from_db()
    assert max(len(word) for word in startup.search_words) <= 400
    for start in (0, 123, 4567, 8800):
        piece = blob[start : start + 200].lower()
        assert Startup.objects.search(piece).get() == startup
    assert Startup.objects.search(blob[:201].lower()).get() == startup  # longer: the LIKE


def test_a_list_reuses_the_cards_it_built(client, django_assert_num_queries):
    for n in range(5):
        StartupFactory(title=f"Service {n}")
    first = client.get("/startups/").content.decode()
    # The data version, the vocabulary and the matches: every card shown was built before.
    with django_assert_num_queries(3):
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
    assert startup.description_rendering == markdown.rendering_of(startup.description)
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
    # The text changed without the HTML: the new text is rendered.
    Startup.objects.filter(pk=startup.pk).update(description="Texte **nouveau**")
    startup.refresh_from_db()
    assert startup.description_as_html == "<p>Texte <strong>nouveau</strong></p>"
    # Made by another rendering (an older library, other rules): rendered again.
    Startup.objects.filter(pk=startup.pk).update(description_rendering="ancienne")
    startup.refresh_from_db()
    assert startup.description_as_html == markdown.render_markdown(startup.description)


def test_a_dry_run_of_the_import_leaves_the_vocabulary_alone(tmp_path):
    from startups.services import import_corpus

    (tmp_path / "content" / "_startups").mkdir(parents=True)
    (tmp_path / "content" / "_incubators").mkdir(parents=True)
    (tmp_path / "content" / "_incubators" / "incub.md").write_text(
        "---\ntitle: Incub\n---\n", encoding="utf-8"
    )
    (tmp_path / "content" / "_startups" / "essai.md").write_text(
        "---\ntitle: Essai\nmission: Un motquinexistepasailleurs\nincubator: incub\n"
        "phases:\n  - name: investigation\n    start: 2025-01-01\n---\n",
        encoding="utf-8",
    )
    with CaptureQueriesContext(connection) as queries:
        report = import_corpus(tmp_path, dry_run=True)
    assert report.dry_run and not Startup.objects.exists()
    said = [q["sql"] for q in queries.captured_queries if "import_dry_run" in q["sql"]]
    assert said == ["SET LOCAL portefeuille.import_dry_run = 'on'"]
    # What the setting does, seen before a rollback: the words are not added.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL portefeuille.import_dry_run = 'on'")
        StartupFactory(mission="autremotquinexistepas")
        assert not SearchWord.objects.filter(word__contains="autremotquinexiste").exists()
        transaction.set_rollback(True)
    import_corpus(tmp_path)
    assert Startup.objects.search("motquinexiste").get().pk == "essai"
