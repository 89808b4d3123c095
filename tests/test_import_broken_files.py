"""The importer on hand-made broken files: each defect is reported (path and a French reason),
the other files of the run are imported, nothing is half-written, and the exit status says so.

Each test builds a small corpus in tmp_path: one organisation, one incubator, one healthy
startup, plus the file under test.
"""

import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from django.core.management import ManagementUtility
from django.db import IntegrityError, connection, transaction

from startups.importer import CleanPhase, read_source, startup_record
from startups.models import (
    CorrectionKind,
    Event,
    EventKind,
    ImportCorrection,
    Incubator,
    Organisation,
    Phase,
    Startup,
    today,
)
from startups.phases import PhaseKind, StartupStatus
from startups.services import ImportReport, References, import_corpus, write_startup

pytestmark = pytest.mark.django_db

HEALTHY = {
    "title": "Startup saine",
    "mission": "Tout va bien",
    "incubator": "sgmas",
    "sponsors": ["/organisations/dgcs"],
    "phases": [
        {"name": "investigation", "start": date(2021, 1, 4), "end": date(2021, 3, 31)},
        {"name": "construction", "start": date(2021, 4, 1)},
    ],
    "events": [{"name": "product_launch", "date": date(2021, 9, 1)}],
}


def front_matter(fields: dict, body: str = "Le corps du fichier.") -> str:
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    return f"---\n{dumped}---\n{body}\n"


def startup(**fields) -> str:
    return front_matter({**HEALTHY, **fields})


class Corpus:
    def __init__(self, root: Path):
        self.root = root
        self.write("organisations", "dgcs.md", front_matter({"name": "DGCS", "acronym": "DGCS"}))
        self.write(
            "incubators",
            "sgmas.md",
            front_matter({"title": "La Fabrique des ministères sociaux", "owner": "dgcs"}),
        )
        self.write("startups", "saine.md", startup())

    def write(self, kind: str, name: str, content: str | bytes) -> Path:
        path = self.root / kind / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path


@pytest.fixture
def corpus(tmp_path):
    return Corpus(tmp_path / "betagouv")


@dataclass
class Run:
    status: int
    out: str
    err: str


@pytest.fixture
def run_import(capsys, monkeypatch):
    """`manage.py import_betagouv PATH`, as a shell runs it: its exit status and its output."""
    # The command closes the connections when it ends; that would end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def run(root: Path, *options: str) -> Run:
        capsys.readouterr()
        try:
            ManagementUtility(["manage.py", "import_betagouv", str(root), *options]).execute()
            status = 0
        except SystemExit as exit:
            status = exit.code
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run


def assert_healthy_startup_imported():
    saine = Startup.objects.get(pk="saine")
    assert saine.title == "Startup saine"
    assert list(saine.phases.values_list("kind", "start", "end")) == [
        (PhaseKind.INVESTIGATION, date(2021, 1, 4), date(2021, 3, 31)),
        (PhaseKind.CONSTRUCTION, date(2021, 4, 1), None),
    ]
    assert list(saine.sponsors.values_list("pk", flat=True)) == ["dgcs"]
    assert saine.events.count() == 1


def assert_nothing_written_for(startup_id: str):
    assert not Startup.objects.filter(pk=startup_id).exists()
    assert not Startup.history.filter(id=startup_id).exists()
    assert not Phase.objects.filter(startup_id=startup_id).exists()
    assert not Phase.history.filter(startup_id=startup_id).exists()
    assert not Event.objects.filter(startup_id=startup_id).exists()
    assert not ImportCorrection.objects.filter(startup_id=startup_id).exists()


def corrections_of(startup_id: str) -> list[tuple[str, str]]:
    return list(
        ImportCorrection.objects.filter(startup_id=startup_id).values_list("kind", "message")
    )


# --- Files that cannot be imported --------------------------------------------------------------
BROKEN_STARTUPS = {
    "invalid_yaml": (
        "---\ntitle: Cassée\nincubator: sgmas\nphases: [investigation\n---\n",
        "YAML invalide ligne 5 : did not find expected ',' or ']'",
    ),
    "no_front_matter": (
        "# Cassée\n\ntitle: Cassée\n",
        "pas d'en-tête YAML : la première ligne doit être « --- »",
    ),
    "unclosed_front_matter": (
        "---\ntitle: Cassée\nincubator: sgmas\n\nLe corps.\n",
        "en-tête YAML non refermé : la ligne « --- » de fin manque",
    ),
    "empty_file": ("", "pas d'en-tête YAML : la première ligne doit être « --- »"),
    "empty_front_matter": (
        "---\n---\nRien.\n",
        "l'en-tête YAML n'est pas un dictionnaire de champs",
    ),
    "front_matter_is_a_list": (
        "---\n- title: Cassée\n- incubator: sgmas\n---\n",
        "l'en-tête YAML n'est pas un dictionnaire de champs",
    ),
    "no_title": (startup(title=None), "pas de titre (champ « title »)"),
    "blank_title": (startup(title="   "), "pas de titre (champ « title »)"),
    "no_incubator": (startup(incubator=None), "pas d'incubateur (champ « incubator »)"),
    "impossible_date_unquoted": (
        # As written by hand in the data: YAML itself reads it as a date and fails.
        textwrap.dedent(
            """\
            ---
            title: Cassée
            incubator: sgmas
            phases:
              - name: investigation
                start: 2021-13-45
            ---
            """
        ),
        "date impossible « 2021-13-45 » ligne 6 : format AAAA-MM-JJ attendu, avec un mois et "
        "un jour qui existent",
    ),
    "impossible_date_quoted": (
        startup(phases=[{"name": "investigation", "start": "2021-13-45"}]),
        "date illisible « 2021-13-45 » (phases n°1, start) : format AAAA-MM-JJ attendu",
    ),
    "phases_not_a_list": (startup(phases="investigation"), "« phases » n'est pas une liste"),
    "event_date_unreadable": (
        startup(events=[{"name": "committee", "date": "bientôt"}]),
        "date illisible « bientôt » (events n°1, date) : format AAAA-MM-JJ attendu",
    ),
}


@pytest.mark.parametrize("defect", list(BROKEN_STARTUPS))
def test_it_reports_a_broken_startup_file_and_imports_the_others(corpus, run_import, defect):
    content, reason = BROKEN_STARTUPS[defect]
    broken = corpus.write("startups", "cassee.md", content)

    result = run_import(corpus.root)

    assert result.status == 1
    assert f"ÉCHEC {broken} : {reason}" in result.err
    assert "1 fichier(s) en échec" in result.err
    assert "Startups : 1 créé(s), 0 mis à jour, 1 en échec" in result.out
    assert_healthy_startup_imported()
    assert_nothing_written_for("cassee")


def test_it_reports_a_file_that_is_not_utf8(corpus, run_import):
    broken = corpus.write(
        "startups", "latin1.md", "---\ntitle: Équipe\nincubator: sgmas\n---\n".encode("latin-1")
    )
    result = run_import(corpus.root)
    assert result.status == 1
    assert f"ÉCHEC {broken} : le fichier n'est pas en UTF-8 (octet 0xc9 en position 11)" in (
        result.err
    )
    assert_healthy_startup_imported()
    assert_nothing_written_for("latin1")


def test_the_report_lists_each_failed_path_with_its_reason(corpus):
    empty = corpus.write("startups", "vide.md", "")
    untitled = corpus.write("startups", "sans-titre.md", startup(title=None))
    report = import_corpus(corpus.root)
    assert not report.ok
    assert report.failures == [
        (untitled, "pas de titre (champ « title »)"),
        (empty, "pas d'en-tête YAML : la première ligne doit être « --- »"),
    ]
    assert report.counts["startups"] == {"created": 1, "failed": 2}


def test_it_reports_broken_organisation_and_incubator_files(corpus, run_import):
    nameless = corpus.write("organisations", "sans-nom.md", front_matter({"acronym": "SN"}))
    untitled = corpus.write("incubators", "sans-titre.md", front_matter({"owner": "dgcs"}))
    corpus.write("startups", "hebergee.md", startup(incubator="sans-titre"))

    result = run_import(corpus.root)

    assert result.status == 1
    assert f"ÉCHEC {nameless} : pas de nom (champ « name »)" in result.err
    assert f"ÉCHEC {untitled} : pas de titre (champ « title »)" in result.err
    assert "Organisations : 1 créé(s), 0 mis à jour, 1 en échec" in result.out
    assert "Incubateurs : 1 créé(s), 0 mis à jour, 1 en échec" in result.out
    assert not Organisation.objects.filter(pk="sans-nom").exists()
    # The startup hosted by the incubator whose file failed is kept, on a placeholder.
    assert Incubator.objects.get(pk="sans-titre").is_placeholder
    assert Startup.objects.get(pk="hebergee").incubator_id == "sans-titre"
    assert_healthy_startup_imported()


def test_a_file_broken_after_an_import_leaves_the_startup_as_it_was(corpus, run_import):
    assert run_import(corpus.root).status == 0
    before = Startup.objects.get(pk="saine")
    path = corpus.write("startups", "saine.md", "---\ntitle: [Startup saine\n---\n")

    result = run_import(corpus.root)

    assert result.status == 1
    assert f"ÉCHEC {path} : YAML invalide ligne 3" in result.err
    after = Startup.objects.get(pk="saine")
    assert (after.title, after.mission, after.source_sha256) == (
        before.title,
        before.mission,
        before.source_sha256,
    )
    assert after.history.count() == 1
    assert_healthy_startup_imported()


def test_a_file_fixed_after_a_failure_is_imported_at_the_next_run(corpus, run_import):
    corpus.write("startups", "reparee.md", startup(title=None))
    assert run_import(corpus.root).status == 1
    corpus.write("startups", "reparee.md", startup(title="Réparée"))

    result = run_import(corpus.root)

    assert result.status == 0, result.err
    assert "Startups : 1 créé(s), 0 mis à jour, 1 inchangé(s)" in result.out
    assert Startup.objects.get(pk="reparee").title == "Réparée"


# --- Defects that are corrected, not failures ---------------------------------------------------
def test_an_unknown_sponsor_becomes_a_placeholder_organisation_and_is_recorded(corpus, run_import):
    corpus.write(
        "startups",
        "parrainee.md",
        startup(sponsors=["/organisations/dgcs", "/organisations/dinum"]),
    )
    result = run_import(corpus.root)

    assert result.status == 0, result.err
    dinum = Organisation.objects.get(pk="dinum")
    assert (dinum.name, dinum.is_placeholder) == ("dinum", True)
    assert not Organisation.objects.get(pk="dgcs").is_placeholder
    assert set(Startup.objects.get(pk="parrainee").sponsors.values_list("pk", flat=True)) == {
        "dgcs",
        "dinum",
    }
    assert corrections_of("parrainee") == [
        (
            CorrectionKind.UNKNOWN_SPONSOR,
            "Sponsor « dinum » sans fiche : organisation créée à partir de son identifiant.",
        )
    ]
    assert "Sponsor sans fiche, créé" in result.out


def test_an_unknown_incubator_becomes_a_placeholder_and_is_recorded(corpus, run_import):
    corpus.write(
        "startups",
        "orpheline.md",
        startup(incubator="/incubators/inconnu", incubators=["inconnu", "autre-inconnu", "sgmas"]),
    )
    result = run_import(corpus.root)

    assert result.status == 0, result.err
    orpheline = Startup.objects.get(pk="orpheline")
    assert orpheline.incubator.is_placeholder
    assert orpheline.incubator.title == "inconnu"
    assert sorted(orpheline.co_incubators.values_list("pk", flat=True)) == [
        "autre-inconnu",
        "sgmas",
    ]
    assert corrections_of("orpheline") == [
        (
            CorrectionKind.UNKNOWN_INCUBATOR,
            "Incubateur « inconnu » sans fiche : créé à partir de son identifiant.",
        ),
        (
            CorrectionKind.UNKNOWN_INCUBATOR,
            "Co-incubateur « autre-inconnu » sans fiche : créé à partir de son identifiant.",
        ),
    ]
    assert "Incubateur sans fiche, créé" in result.out


def test_it_cleans_spaces_and_html_entities_in_urls_and_records_it(corpus, run_import):
    corpus.write(
        "startups",
        "liens.md",
        startup(
            link="https:&#x2F;&#x2F;kwenduparis.wixsite.com&#x2F;equipements-fronton-",
            repository="https://github.com/betagouv/liens   ",
            stats_url="liens.beta.gouv.fr/stats",
            impact_url="pas encore",
        ),
    )
    result = run_import(corpus.root)

    assert result.status == 0, result.err
    liens = Startup.objects.get(pk="liens")
    assert liens.link == "https://kwenduparis.wixsite.com/equipements-fronton-"
    assert liens.repository == "https://github.com/betagouv/liens"
    assert liens.stats_url == "https://liens.beta.gouv.fr/stats"
    assert liens.impact_url == ""
    # The source is kept as written.
    assert liens.source_front_matter["link"].startswith("https:&#x2F;&#x2F;")
    assert corrections_of("liens") == [
        (CorrectionKind.CLEANED_VALUE, "Valeurs nettoyées : link, repository, stats_url."),
        (
            CorrectionKind.INVALID_VALUE,
            "Valeur ignorée : impact_url « pas encore » n'est pas une adresse web.",
        ),
    ]


def test_themes_written_with_different_capitalisation_filter_together(corpus, run_import):
    corpus.write("startups", "a.md", startup(title="A", thematiques=["Santé"]))
    corpus.write("startups", "b.md", startup(title="B", thematiques=["santé ", "Social"]))
    corpus.write("startups", "c.md", startup(title="C", thematiques=["SANTE"]))
    corpus.write("startups", "d.md", startup(title="D", thematiques=["Santé publique"]))

    assert run_import(corpus.root).status == 0

    for theme in ("sante", "Santé", " SANTÉ "):
        found = Startup.objects.with_theme(theme).values_list("pk", flat=True)
        assert sorted(found) == ["a", "b", "c"], theme
    # Shown as written, without the stray space.
    assert Startup.objects.get(pk="b").themes == ["santé", "Social"]
    assert (CorrectionKind.CLEANED_VALUE, "Valeurs nettoyées : thematiques.") in corrections_of("b")


def test_events_before_the_first_phase_are_kept_and_recorded(corpus, run_import):
    corpus.write(
        "startups",
        "precoce.md",
        startup(
            events=[
                {"name": "committee", "date": date(2020, 11, 2)},
                {"name": "product_launch", "date": date(2021, 9, 1)},
            ]
        ),
    )
    assert run_import(corpus.root).status == 0
    events = Event.objects.filter(startup_id="precoce").values_list("kind", "date")
    assert list(events) == [
        (EventKind.COMMITTEE, date(2020, 11, 2)),
        (EventKind.PRODUCT_LAUNCH, date(2021, 9, 1)),
    ]
    assert corrections_of("precoce") == [
        (
            CorrectionKind.EVENT_BEFORE_FIRST_PHASE,
            "Comité d'investissement le 02/11/2020, avant la première phase (04/01/2021) : "
            "conservé.",
        )
    ]


def test_an_event_with_an_unknown_name_is_kept_as_other(corpus, run_import):
    corpus.write(
        "startups",
        "evenement.md",
        startup(events=[{"name": "hackathon", "date": date(2022, 5, 3), "comment": "Lille"}]),
    )
    assert run_import(corpus.root).status == 0
    event = Event.objects.get(startup_id="evenement")
    assert (event.kind, event.source_name, event.comment) == (EventKind.OTHER, "hackathon", "Lille")
    assert corrections_of("evenement") == [
        (
            CorrectionKind.UNKNOWN_EVENT,
            "Événement « hackathon » du 03/05/2022 : nom inconnu, classé « Autre ».",
        )
    ]


def test_a_restart_after_a_terminal_phase_is_kept_and_recorded(corpus, run_import):
    corpus.write(
        "startups",
        "reprise.md",
        startup(
            phases=[
                {"name": "investigation", "start": date(2020, 1, 6)},
                {"name": "abandon-investigation", "start": date(2020, 3, 2)},
                {"name": "investigation", "start": date(2021, 9, 1)},
            ]
        ),
    )
    assert run_import(corpus.root).status == 0
    reprise = Startup.objects.get(pk="reprise")
    assert list(reprise.phases.values_list("kind", "start", "end")) == [
        (PhaseKind.INVESTIGATION, date(2020, 1, 6), date(2020, 3, 1)),
        (PhaseKind.INVESTIGATION_DROPPED, date(2020, 3, 2), date(2021, 8, 31)),
        (PhaseKind.INVESTIGATION, date(2021, 9, 1), None),
    ]
    assert reprise.status == StartupStatus.ACTIVE
    assert corrections_of("reprise") == [
        (
            CorrectionKind.RESTART,
            "Reprise en Investigation le 01/09/2021 après « Investigation non concluante » : "
            "conservée.",
        )
    ]


def test_it_reads_files_with_and_without_the_md_extension(corpus, run_import):
    corpus.write("startups", "sans-extension", startup(title="Sans extension"))
    corpus.write("startups", "1000.jours.md", startup(title="Avec des points"))
    corpus.write("startups", ".DS_Store", b"\x00\x01")
    corpus.write("organisations", "Préfecture", front_matter({"name": "Préfecture"}))

    result = run_import(corpus.root)

    assert result.status == 0, result.err
    assert sorted(Startup.objects.values_list("pk", flat=True)) == [
        "1000.jours",
        "saine",
        "sans-extension",
    ]
    assert Startup.objects.get(pk="sans-extension").title == "Sans extension"
    assert Organisation.objects.get(pk="Préfecture").name == "Préfecture"


# --- Failures in the database -------------------------------------------------------------------
def test_a_startup_refused_by_the_database_leaves_nothing_behind(corpus, run_import):
    # An id longer than the database holds (200 characters), with a sponsor and an incubator of
    # its own; the next startup uses the same unknown incubator.
    too_long = "a" * 210
    refused = corpus.write(
        "startups",
        f"{too_long}.md",
        startup(incubator="inconnu", sponsors=["/organisations/seulement-ici"]),
    )
    corpus.write("startups", "suivante.md", startup(incubator="inconnu"))

    result = run_import(corpus.root)

    assert result.status == 1
    assert f"ÉCHEC {refused} : refusé par la base de données : " in result.err
    assert "Startups : 2 créé(s), 0 mis à jour, 1 en échec" in result.out
    assert_nothing_written_for(too_long)
    assert not Organisation.objects.filter(pk="seulement-ici").exists()
    # The placeholder made for the refused startup was rolled back with it; the next startup
    # gets one that exists.
    assert Incubator.objects.get(pk="inconnu").is_placeholder
    assert Startup.objects.get(pk="suivante").incubator_id == "inconnu"
    assert_healthy_startup_imported()


def healthy_record(corpus):
    return startup_record(read_source(corpus.root / "startups" / "saine.md"), today())


def test_writing_overlapping_phases_fails_and_leaves_the_startup_unchanged(corpus, run_import):
    assert run_import(corpus.root).status == 0
    saine = Startup.objects.get(pk="saine")
    phases_before = list(saine.phases.values_list("kind", "start", "end"))
    history_before = (saine.history.count(), Phase.history.filter(startup_id="saine").count())
    corrections_before = corrections_of("saine")

    record = healthy_record(corpus)
    record.fields["mission"] = "Une mission qui ne doit pas rester"
    record.corrections = []
    # The investigation now ends after construction has started.
    record.phases = [
        CleanPhase(PhaseKind.INVESTIGATION, date(2021, 1, 4), date(2021, 6, 30)),
        CleanPhase(PhaseKind.CONSTRUCTION, date(2021, 4, 1), None),
    ]
    with (
        pytest.raises(IntegrityError, match="phases_of_a_startup_never_overlap"),
        transaction.atomic(),
    ):
        write_startup(record, ImportReport(), References())

    saine = Startup.objects.get(pk="saine")
    assert saine.mission == "Tout va bien"
    assert list(saine.phases.values_list("kind", "start", "end")) == phases_before
    assert (saine.history.count(), Phase.history.filter(startup_id="saine").count()) == (
        history_before
    )
    assert corrections_of("saine") == corrections_before
    # The database checks each statement again afterwards: the deferral did not leak.
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(startup=saine, kind=PhaseKind.ACCELERATION, start=date(2022, 1, 1))


def test_a_new_startup_with_overlapping_phases_is_not_created(corpus):
    record = healthy_record(corpus)
    record.incubator_id = "nouvel-incubateur"
    record.phases = [
        CleanPhase(PhaseKind.INVESTIGATION, date(2021, 1, 4), None),
        CleanPhase(PhaseKind.CONSTRUCTION, date(2021, 4, 1), None),
    ]
    with (
        pytest.raises(IntegrityError, match="phases_of_a_startup_never_overlap"),
        transaction.atomic(),
    ):
        write_startup(record, ImportReport(), References())
    assert_nothing_written_for("saine")
    assert not Incubator.objects.filter(pk="nouvel-incubateur").exists()


def test_a_startup_refused_by_the_database_is_not_counted_as_written(corpus, run_import):
    assert run_import(corpus.root).status == 0
    # The construction now ends, and an event breaks a rule the database holds (added here
    # for the test): refused once the phase is rewritten, which is rolled back with it.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush the deferred foreign-key checks
        cursor.execute(
            "ALTER TABLE startups_event ADD CONSTRAINT test_refused_comment "
            "CHECK (comment <> 'refusé par la base')"
        )
    phases = [HEALTHY["phases"][0], {**HEALTHY["phases"][1], "end": date(2022, 12, 31)}]
    events = [{"name": "other", "date": date(2022, 1, 1), "comment": "refusé par la base"}]
    refused = corpus.write("startups", "saine.md", startup(phases=phases, events=events))

    result = run_import(corpus.root)

    assert result.status == 1
    assert f"ÉCHEC {refused} : refusé par la base de données : " in result.err
    assert "Startups : 0 créé(s), 0 mis à jour, 1 en échec" in result.out
    assert "Phases : 0 créé(s), 0 mis à jour\n" in result.out
    assert "Événements : 0 créé(s), 0 mis à jour\n" in result.out
    assert_healthy_startup_imported()
    assert Startup.objects.get(pk="saine").history.count() == 1
