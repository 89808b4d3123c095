"""The real beta.gouv.fr corpus through `manage.py import_betagouv`.

The corpus is read where it lies (settings.BETAGOUV_DATA, licence CC BY-NC-SA: never copied into
the project; copies in tmp_path are deleted after the run). It is imported twice for the whole
module, in one transaction rolled back at the end: a dry run, then the real run.
"""

import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max, Q

from startups import importer
from startups.models import (
    CorrectionKind,
    Event,
    ImportCorrection,
    Incubator,
    Member,
    MemberImportCorrection,
    Mission,
    Organisation,
    Phase,
    Startup,
)
from startups.phases import PhaseKind, phase_kind_from_name
from startups.services import IMPORT_REASON

DATA = Path(settings.BETAGOUV_DATA)
FOLDERS = ("startups", "incubators", "organisations")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not all((DATA / folder).is_dir() for folder in FOLDERS),
        reason=f"corpus beta.gouv.fr absent ({DATA}) : définir BETAGOUV_DATA pour ces tests",
    ),
]

# Measured on the shared snapshot (SOURCE.md: commit 693fb7c of betagouv/beta.gouv.fr).
STARTUPS, INCUBATORS, ORGANISATIONS = 662, 23, 145
# Members (authors/): every file is imported, none refused; one bio holds an e-mail address.
MEMBERS, MISSIONS, EMAILS_REMOVED = 3484, 4761, 1
SOURCE_PHASES, PHASES, SAME_DAY_STARTS = 1695, 1637, 58
EVENTS, OVERLAPS, GAPS = 562, 17, 72
# The corrections that leave a source phase out of the clean history (each says which one).
REMOVING = (
    CorrectionKind.SAME_DAY_START,
    CorrectionKind.DUPLICATE_PHASE,
    CorrectionKind.UNKNOWN_PHASE,
)


def import_betagouv(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("import_betagouv", str(path), *options, stdout=out, stderr=StringIO())
    return out.getvalue()


def report_lines(output: str) -> list[str]:
    """The counts and corrections of a run: what a dry run must report the same."""
    return [line for line in output.splitlines() if not line.startswith(("Durée", "Simulation"))]


def history_models():
    return [
        m
        for m in apps.get_app_config("startups").get_models()
        if m.__name__.startswith("Historical")
    ]


def registry_state() -> dict:
    """Row counts, history counts and last modifications of the registry."""
    state = {m.__name__: m.objects.count() for m in history_models()}
    for model in (
        Organisation,
        Incubator,
        Startup,
        Phase,
        Event,
        ImportCorrection,
        Member,
        Mission,
        MemberImportCorrection,
    ):
        state[model.__name__] = model.objects.count()
    for model in (Organisation, Incubator, Startup, Member):
        state[f"{model.__name__}.updated_at"] = model.objects.aggregate(m=Max("updated_at"))["m"]
    state["ImportCorrection.pk"] = ImportCorrection.objects.aggregate(m=Max("pk"))["m"]
    return state


@dataclass
class Imported:
    dry_run_output: str
    after_dry_run: dict
    output: str


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    """The corpus imported once for the module (after a dry run), rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        dry_run_output = import_betagouv(DATA, "--dry-run")
        after_dry_run = registry_state()
        output = import_betagouv(DATA)
        yield Imported(dry_run_output, after_dry_run, output)
        transaction.set_rollback(True)


def read_front_matter(path: Path) -> dict:
    """The YAML between the two `---` lines, read without the importer."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].strip() == "---", path
    end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    return yaml.load("\n".join(lines[1:end]), Loader=yaml.CSafeLoader)  # noqa: S506 - safe loader


def stem(path: Path) -> str:
    return path.name.removesuffix(".md")


@pytest.fixture(scope="module")
def source() -> dict[str, dict]:
    return {stem(p): read_front_matter(p) for p in sorted((DATA / "startups").iterdir())}


def as_day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value).strip())


def fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def says_left_out(message: str, name: str, kind: str | None, start: date) -> bool:
    """Whether a correction says that the source phase `name` of `start` was left out."""
    day = fr(start)
    if kind is None:
        return f"Phase « {name} » du {day} : nom inconnu" in message
    label = PhaseKind(kind).label
    same_day = f"({day}) :" in message and f"{label} écartée" in message
    return same_day or f"{label} du {day} listée deux fois" in message


# --- The whole corpus -------------------------------------------------------------------------
def test_it_imports_every_startup_incubator_and_organisation(imported):
    assert "Organisations : 145 créé(s), 0 mis à jour" in imported.output
    assert "Incubateurs : 23 créé(s), 0 mis à jour" in imported.output
    assert "Startups : 662 créé(s), 0 mis à jour" in imported.output
    assert "en échec" not in imported.output
    for model, folder, number in [
        (Startup, "startups", STARTUPS),
        (Incubator, "incubators", INCUBATORS),
        (Organisation, "organisations", ORGANISATIONS),
    ]:
        ids = {stem(p) for p in (DATA / folder).iterdir()}
        assert len(ids) == number
        from_files = model.objects.exclude(source_path="")
        assert set(from_files.values_list("pk", flat=True)) == ids
    assert not Incubator.objects.filter(is_placeholder=True).exists()
    # The one organisation without a file: the owner of the incubator `menj`.
    placeholders = Organisation.objects.filter(is_placeholder=True)
    assert list(placeholders.values_list("pk", "source_path")) == [("menj", "")]
    assert Incubator.objects.get(pk="menj").owner_id == "menj"
    assert Startup.objects.count() == STARTUPS
    assert Incubator.objects.count() == INCUBATORS


def test_every_source_phase_is_in_the_database_or_explicitly_corrected(imported, source):
    assert sum(len(fm.get("phases") or []) for fm in source.values()) == SOURCE_PHASES
    assert Phase.objects.count() == PHASES
    assert ImportCorrection.objects.filter(kind=CorrectionKind.SAME_DAY_START).count() == (
        SAME_DAY_STARTS
    )

    in_db = defaultdict(Counter)
    for startup_id, kind, start in Phase.objects.values_list("startup_id", "kind", "start"):
        in_db[startup_id][kind, start] += 1
    removing = defaultdict(list)
    for startup_id, kind, message in ImportCorrection.objects.filter(kind__in=REMOVING).values_list(
        "startup_id", "kind", "message"
    ):
        removing[startup_id].append((kind, message))

    removed_total = 0
    for startup_id, front_matter in source.items():
        raw_phases = front_matter.get("phases") or []
        assert len(raw_phases) == sum(in_db[startup_id].values()) + len(removing[startup_id]), (
            startup_id
        )
        removed_total += len(removing[startup_id])
        left = Counter(in_db[startup_id])
        unexplained = [message for _, message in removing[startup_id]]
        for raw in raw_phases:
            name, start = str(raw["name"]).strip(), as_day(raw["start"])
            kind = phase_kind_from_name(name)
            if kind and left[kind, start]:
                left[kind, start] -= 1
                continue
            # Not in the database: one correction must say this very phase was left out.
            why = next((m for m in unexplained if says_left_out(m, name, kind, start)), None)
            assert why, (startup_id, raw, unexplained)
            unexplained.remove(why)
        assert not unexplained, startup_id
    assert removed_total == SOURCE_PHASES - PHASES


def test_every_source_event_is_in_the_database(imported, source):
    assert sum(len(fm.get("events") or []) for fm in source.values()) == EVENTS
    assert Event.objects.count() == EVENTS
    in_db = defaultdict(Counter)
    for startup_id, name, day in Event.objects.values_list("startup_id", "source_name", "date"):
        in_db[startup_id][name, day] += 1
    for startup_id, front_matter in source.items():
        expected = Counter(
            (str(e["name"]).strip(), as_day(e["date"])) for e in front_matter.get("events") or []
        )
        assert in_db[startup_id] == expected, startup_id


def test_it_reports_the_corrections_by_kind(imported):
    lines = imported.output.splitlines()
    assert f"Phases : {PHASES} créé(s), 0 mis à jour" in lines
    assert f"Événements : {EVENTS} créé(s), 0 mis à jour" in lines
    assert "Corrections et observations enregistrées (startups du corpus) :" in lines
    for number, kind in [
        (SAME_DAY_STARTS, CorrectionKind.SAME_DAY_START),
        (OVERLAPS, CorrectionKind.OVERLAP),
        (GAPS, CorrectionKind.GAP),
    ]:
        assert f"  {number:5d}  {kind.label}" in lines
        assert ImportCorrection.objects.filter(kind=kind).count() == number


def test_a_second_run_changes_nothing(imported):
    before = registry_state()

    output = import_betagouv(DATA)

    assert "Organisations : 0 créé(s), 0 mis à jour, 145 inchangé(s)" in output
    assert "Incubateurs : 0 créé(s), 0 mis à jour, 23 inchangé(s)" in output
    assert "Startups : 0 créé(s), 0 mis à jour, 662 inchangé(s)" in output
    assert f"Phases : 0 créé(s), 0 mis à jour, {PHASES} inchangé(s)" in output
    assert f"Événements : 0 créé(s), 0 mis à jour, {EVENTS} inchangé(s)" in output
    assert f"Membres : 0 créé(s), 0 mis à jour, {MEMBERS} inchangé(s)" in output
    assert f"Missions : 0 créé(s), 0 mis à jour, {MISSIONS} inchangé(s)" in output
    assert registry_state() == before


def test_a_dry_run_writes_nothing_and_reports_what_the_run_did(imported):
    assert imported.after_dry_run == {key: 0 for key in imported.after_dry_run} | {
        f"{m}.updated_at": None for m in ("Organisation", "Incubator", "Startup", "Member")
    } | {"ImportCorrection.pk": None}
    assert "Simulation (--dry-run) : rien n'a été écrit." in imported.dry_run_output
    assert report_lines(imported.dry_run_output) == report_lines(imported.output)


# --- Samples ----------------------------------------------------------------------------------
def test_ids_with_dots_capitals_and_accents_are_kept_as_written(imported):
    for startup_id in ("1000.jours", "auxAJ", "données-et-territoires"):
        startup = Startup.objects.get(pk=startup_id)
        assert startup.source_path == str(DATA / "startups" / f"{startup_id}.md")
    assert Organisation.objects.get(pk="Préfecture").source_path.endswith("/Préfecture")
    assert Organisation.objects.filter(pk="idfm").exists()


def test_the_sample_1000_jours_has_its_phases_and_sponsors(imported):
    startup = Startup.objects.get(pk="1000.jours")
    assert startup.title == "1000 premiers jours - l'app"
    assert startup.mission == "Accompagner les parents les 1000 premiers jours de l’enfant"
    assert startup.incubator_id == "sgmas"
    assert list(startup.sponsors.values_list("pk", flat=True)) == ["dgcs"]
    assert startup.link == "https://1000jours.fabrique.social.gouv.fr/"
    assert startup.repository == "https://github.com/SocialGouv/1000jours"
    assert startup.accessibility_status == "non conforme"
    assert startup.has_stats_page is True
    assert startup.user_types == ["particulier", "entreprise"]
    assert startup.themes == ["Santé", "Social"]
    assert startup.description.startswith("## Contexte")
    assert list(startup.phases.values_list("kind", "start", "end", "source_name")) == [
        (PhaseKind.INVESTIGATION, date(2020, 10, 15), date(2021, 2, 28), "investigation"),
        (PhaseKind.CONSTRUCTION, date(2021, 3, 1), date(2021, 10, 31), "construction"),
        (PhaseKind.ACCELERATION, date(2021, 11, 1), date(2024, 3, 6), "acceleration"),
        (PhaseKind.CONSOLIDATION, date(2024, 3, 7), None, "consolidation"),
    ]
    assert startup.source_front_matter["phases"][2] == {
        "name": "acceleration",
        "start": "2021-11-01",
    }
    assert not startup.import_corrections.exists()
    assert list(startup.history.values_list("history_type", "history_change_reason")) == [
        ("+", IMPORT_REASON)
    ]
    assert Startup.objects.with_theme("sante").filter(pk="1000.jours").exists()


# --- Changes between two runs -----------------------------------------------------------------
def test_a_changed_file_updates_exactly_that_startup_and_its_history_shows_it(imported, tmp_path):
    copy = tmp_path / "betagouv"
    shutil.copytree(DATA, copy)
    sample = copy / "startups" / "1000.jours.md"
    text = sample.read_text(encoding="utf-8")
    changed = text.replace(
        "mission: Accompagner les parents les 1000 premiers jours de l’enfant",
        "mission: Accompagner chaque parent pendant les 1000 premiers jours",
    ).replace("    end: 2021-02-28\n", "    end: 2021-01-31\n")
    assert changed.count("\n") == text.count("\n") and changed != text
    sample.write_text(changed, encoding="utf-8")
    startup_history = Startup.history.count()
    phase_history = Phase.history.count()

    output = import_betagouv(copy)

    assert "Startups : 0 créé(s), 1 mis à jour, 661 inchangé(s)" in output
    assert f"Phases : 0 créé(s), 1 mis à jour, {PHASES - 1} inchangé(s)" in output
    assert f"Événements : 0 créé(s), 0 mis à jour, {EVENTS} inchangé(s)" in output
    assert "Organisations : 0 créé(s), 0 mis à jour, 145 inchangé(s)" in output
    assert "Incubateurs : 0 créé(s), 0 mis à jour, 23 inchangé(s)" in output

    startup = Startup.objects.get(pk="1000.jours")
    assert startup.mission == "Accompagner chaque parent pendant les 1000 premiers jours"
    assert startup.phases.get(kind=PhaseKind.INVESTIGATION).end == date(2021, 1, 31)
    # The shortened investigation leaves a gap before construction: noted.
    assert list(startup.import_corrections.values_list("kind", flat=True)) == [CorrectionKind.GAP]

    assert Startup.history.count() == startup_history + 1
    latest, previous = startup.history.all()[:2]
    assert (latest.history_type, latest.history_change_reason) == ("~", IMPORT_REASON)
    assert "mission" in latest.diff_against(previous).changed_fields
    assert previous.mission == "Accompagner les parents les 1000 premiers jours de l’enfant"
    assert Phase.history.count() == phase_history + 1
    phase_change = Phase.history.latest("history_id")
    assert (phase_change.startup_id, phase_change.kind, phase_change.end) == (
        "1000.jours",
        PhaseKind.INVESTIGATION,
        date(2021, 1, 31),
    )
    assert phase_change.history_type == "~"


def test_it_reads_a_checkout_of_the_beta_gouv_site(imported, tmp_path):
    checkout = tmp_path / "beta.gouv.fr"
    for folder in FOLDERS:
        shutil.copytree(DATA / folder, checkout / "content" / f"_{folder}")
    (checkout / "content" / "_startups" / "nouvelle.md").write_text(
        "---\ntitle: Nouvelle\nincubator: sgmas\nphases:\n"
        "  - name: investigation\n    start: 2025-01-06\n---\n",
        encoding="utf-8",
    )
    files = importer.corpus_files(checkout)
    assert [len(files[kind]) for kind in ("startups", "incubators", "organisations")] == [
        STARTUPS + 1,
        INCUBATORS,
        ORGANISATIONS,
    ]

    output = import_betagouv(checkout)

    assert "Startups : 1 créé(s), 0 mis à jour, 662 inchangé(s)" in output
    assert "Incubateurs : 0 créé(s), 0 mis à jour, 23 inchangé(s)" in output
    assert Startup.objects.get(pk="nouvelle").source_path == str(
        checkout / "content" / "_startups" / "nouvelle.md"
    )


# --- Members ----------------------------------------------------------------------------------
needs_authors = pytest.mark.skipif(
    not (DATA / "authors").is_dir(), reason=f"pas de dossier authors/ dans {DATA}"
)


@needs_authors
def test_it_imports_every_member_with_every_mission_in_source_order(imported):
    assert f"Membres : {MEMBERS} créé(s), 0 mis à jour" in imported.output
    assert f"Missions : {MISSIONS} créé(s), 0 mis à jour" in imported.output
    paths = sorted((DATA / "authors").iterdir())
    assert {stem(p) for p in paths} == set(Member.objects.values_list("pk", flat=True))
    missions = defaultdict(list)
    for member_id, start, end, status, employer, startup_ids in Mission.objects.order_by(
        "member_id", "position"
    ).values_list("member_id", "start", "end", "status", "employer", "startup_ids"):
        missions[member_id].append((start, end, status, employer, startup_ids))
    members = {m.pk: m for m in Member.objects.all()}
    for path in paths:
        front_matter = read_front_matter(path)
        member = members[stem(path)]
        assert member.fullname == front_matter["fullname"]
        assert member.domaine == front_matter.get("domaine", "")
        assert member.github == front_matter.get("github", "")
        for key, field in [
            ("competences", "competences"),
            ("previously", "previously"),
            ("startups", "legacy_startups"),
        ]:
            assert getattr(member, field) == front_matter.get(key), (path, key)
        assert missions[member.pk] == [
            (m["start"], m.get("end"), m["status"], m.get("employer", ""), m.get("startups"))
            for m in front_matter["missions"]
        ], path
    assert sum(len(m) for m in missions.values()) == MISSIONS


@needs_authors
def test_no_member_e_mail_is_kept(imported):
    assert f"  {EMAILS_REMOVED:5d}  Adresse électronique retirée" in imported.output
    assert (
        MemberImportCorrection.objects.filter(kind=CorrectionKind.EMAIL_REMOVED).count()
        == EMAILS_REMOVED
    )
    with_email = Member.objects.filter(
        Q(bio__contains="@beta.gouv.fr") | Q(source_front_matter__icontains="@beta.gouv.fr")
    )
    assert not with_email.exists()
    # A handle in an address is no e-mail: kept as written.
    assert Member.objects.get(pk="etienne.pichot-damon").link == (
        "https://medium.com/@etienne.datactivist"
    )


@needs_authors
def test_members_of_a_startup_on_the_corpus_day_as_beta_gouv_computes_them(imported):
    from startups.members import betagouv_memberships, team_of

    on = date(2026, 8, 20)  # the day of the snapshot (SOURCE.md)
    every = betagouv_memberships(on)
    assert set(every) == set(Startup.objects.values_list("pk", flat=True))
    assert list(every)[:3] == ["infrastructures.numeriques", "domifa", "la-bonne-boite"]
    team = team_of("aidantsconnect", on)
    assert every["aidantsconnect"]["active"] == [m.pk for m in team.active]
    # The legacy field: maitane.lenoir's last mission ended on 2026-04-18.
    assert "maitane.lenoir" in every["sppnaut"]["expired"]
    assert "maitane.lenoir" in every["mon-entreprise"]["previous"]
