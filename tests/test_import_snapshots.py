"""The importer on every snapshot of the beta.gouv.fr site since 2016, on hand-made files.

Older snapshots end a phase list with an undated phase, and the oldest layout (2016 to early
2019: `_startup/`, `_incubator/`, `status`/`start`/`end`/`owner`) has no `phases` at all. No
real file is copied here: every file below is written by hand, in the shape of its time.
"""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from publishing.models import DataChange
from startups.importer import clean_phase_history
from startups.models import (
    CorrectionKind,
    Event,
    ImportCorrection,
    Incubator,
    Organisation,
    Phase,
    Startup,
)
from startups.phases import PhaseKind, StartupStatus
from startups.services import import_corpus
from tests.clock import TODAY

pytestmark = pytest.mark.django_db

INV, CONS, ACC = PhaseKind.INVESTIGATION, PhaseKind.CONSTRUCTION, PhaseKind.ACCELERATION
CONSOLIDATION, TRANSFERRED = PhaseKind.CONSOLIDATION, PhaseKind.TRANSFERRED
STOPPED = PhaseKind.STOPPED


def write(root: Path, folder: str, name: str, fields: dict, body: str = "Le corps.") -> Path:
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{dumped}---\n{body}\n", encoding="utf-8")
    return path


def run(root: Path) -> str:
    out = StringIO()
    call_command("import_betagouv", str(root), stdout=out, stderr=StringIO())
    return out.getvalue()


def clean(*raw):
    phases, corrections = clean_phase_history(list(raw), TODAY)
    return (
        [(p.kind, p.start, p.end) for p in phases],
        [(c.kind, c.message) for c in corrections],
    )


def corrections_of(startup_id: str) -> list[tuple[str, str]]:
    return list(
        ImportCorrection.objects.filter(startup_id=startup_id).values_list("kind", "message")
    )


# --- Rule 9: phases without a start date ---------------------------------------------------------
def test_an_undated_last_success_is_kept_without_a_date_and_says_the_startup_was_handed_over():
    # The shape the issue quotes from the site's older snapshots.
    history, corrections = clean(
        {"name": "investigation", "start": date(2016, 6, 8)},
        {"name": "construction", "start": date(2016, 6, 8)},
        {"name": "success"},
    )

    assert history == [(CONS, date(2016, 6, 8), None), (TRANSFERRED, None, None)]
    assert (
        CorrectionKind.LEGACY_PHASE,
        "Phase « success » (date inconnue) lue comme « Transférée ».",
    ) in corrections
    assert (
        CorrectionKind.UNDATED_PHASE,
        "Phase sans date de début : Transférée, dernière de la liste, gardée (date inconnue, "
        "après Construction du 08/06/2016) ; la startup est transférée ou opérée.",
    ) in corrections


@pytest.mark.parametrize("name", ["success", "alumni", "transfer", "abandon"])
def test_an_undated_terminal_last_phase_gives_the_status(name):
    history, _ = clean({"name": "construction", "start": date(2017, 1, 2)}, {"name": name})

    assert history[-1][1:] == (None, None)
    assert history[-1][0] == (STOPPED if name == "abandon" else TRANSFERRED)


def test_an_undated_middle_phase_is_left_out_and_recorded():
    history, corrections = clean(
        {"name": "investigation", "start": date(2021, 1, 4)},
        {"name": "acceleration"},
        {"name": "construction", "start": date(2021, 4, 1)},
    )

    assert history == [(INV, date(2021, 1, 4), date(2021, 3, 31)), (CONS, date(2021, 4, 1), None)]
    assert corrections == [
        (
            CorrectionKind.UNDATED_PHASE,
            "Phase sans date de début : « acceleration » (n°2) est suivie d'autres phases, sa "
            "place dans l'historique est inconnue : écartée (conservée dans la source).",
        )
    ]


def test_of_two_undated_phases_at_the_end_only_the_last_is_kept():
    history, corrections = clean(
        {"name": "construction", "start": date(2019, 3, 4)},
        {"name": "acceleration"},
        {"name": "alumni"},
    )

    assert history == [(CONS, date(2019, 3, 4), None), (TRANSFERRED, None, None)]
    assert [kind for kind, _ in corrections].count(CorrectionKind.UNDATED_PHASE) == 2


def test_an_undated_phase_repeating_the_last_dated_one_adds_nothing():
    history, corrections = clean(
        {"name": "construction", "start": date(2019, 3, 4)}, {"name": "construction"}
    )

    assert history == [(CONS, date(2019, 3, 4), None)]
    assert corrections == [
        (
            CorrectionKind.UNDATED_PHASE,
            "Phase sans date de début : Construction, déjà la phase du 04/03/2019 : écartée "
            "(conservée dans la source).",
        )
    ]


def test_an_undated_terminal_phase_drops_its_end_and_the_phase_before_keeps_its_own():
    history, corrections = clean(
        {"name": "construction", "start": date(2019, 3, 4), "end": date(2020, 6, 30)},
        {"name": "success", "end": date(2021, 1, 1)},
    )

    assert history == [(CONS, date(2019, 3, 4), date(2020, 6, 30)), (TRANSFERRED, None, None)]
    assert (
        CorrectionKind.TERMINAL_END,
        "Transférée porte une fin (01/01/2021) : une phase terminale ne finit pas, fin ignorée.",
    ) in corrections


def test_a_startup_whose_only_phase_is_undated_has_it_as_current_phase():
    history, _ = clean({"name": "acceleration"})

    assert history == [(ACC, None, None)]


# --- Undated phases in the database, on the pages, in the API ----------------------------------
@pytest.fixture
def old_snapshot(tmp_path):
    """A checkout of the site around 2018: content/ folders, an undated last phase."""
    root = tmp_path / "beta.gouv.fr-2018"
    write(root, "content/_organisations", "dinum.md", {"name": "DINUM"})
    write(root, "content/_incubators", "dinum.md", {"title": "L'incubateur", "owner": "dinum"})
    write(
        root,
        "content/_startups",
        "reprise.md",
        {
            "title": "Reprise",
            "incubator": "dinum",
            "sponsors": ["/organisations/dinum"],
            "phases": [
                {"name": "investigation", "start": date(2016, 6, 8)},
                {"name": "construction", "start": date(2016, 9, 1)},
                {"name": "success"},
            ],
        },
    )
    return root


def test_an_undated_last_phase_is_imported_and_the_startup_is_handed_over(old_snapshot):
    output = run(old_snapshot)

    assert "Startups : 1 créé(s)" in output
    assert "Phase sans date de début" in output
    reprise = Startup.objects.with_current_phase().get(pk="reprise")
    assert list(reprise.phases.values_list("kind", "start", "end")) == [
        (INV, date(2016, 6, 8), date(2016, 8, 31)),
        (CONS, date(2016, 9, 1), None),
        (TRANSFERRED, None, None),
    ]
    assert (reprise.current_phase_kind, reprise.current_phase_start) == (TRANSFERRED, None)
    assert reprise.status == StartupStatus.HANDED_OVER
    assert list(Startup.objects.with_status(StartupStatus.HANDED_OVER)) == [reprise]
    # Plain Python and SQL say the same, and the dated phase is current on its first day.
    assert Startup.objects.get(pk="reprise").current_phase.kind == TRANSFERRED
    on_its_day = Startup.objects.with_current_phase(date(2016, 9, 1)).get(pk="reprise")
    assert on_its_day.current_phase_kind == CONS


def test_the_pages_say_date_inconnue_where_the_start_would_stand(
    old_snapshot, client, staff_client
):
    run(old_snapshot)

    page = client.get("/startups/reprise/").content.decode()
    # The undated start, and the end of the phase before it.
    assert page.count("<td>date inconnue</td>") == 2
    admin_list = staff_client.get("/admin/startups/startup/").content.decode()
    assert "date inconnue" in admin_list
    admin_page = staff_client.get("/admin/startups/startup/reprise/change/").content.decode()
    assert "début : date inconnue" in admin_page


def test_the_api_gives_null_for_an_unknown_start(old_snapshot, client):
    run(old_snapshot)

    data = client.get("/api/v2/startups/reprise.json").json()["data"]
    assert data["attributes"]["phases"][-1] == {"name": "transfere", "start": None, "end": None}


def test_the_database_holds_one_undated_phase_per_startup(old_snapshot):
    from django.db import IntegrityError, transaction

    run(old_snapshot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(startup_id="reprise", kind=STOPPED, start=None)


# --- Rules 10 to 13: the oldest layout --------------------------------------------------------
@pytest.fixture
def oldest(tmp_path):
    """A checkout of the site in 2017: `_startup/` and `_incubator/`, no organisations."""
    root = tmp_path / "beta.gouv.fr-2017"
    write(
        root,
        "_incubator",
        "pole-emploi.md",
        {
            "name": "L'incubateur de Pôle emploi",
            "owner": "Pôle emploi",
            "adresse": "1 rue de l'Emploi, Paris",
            "startups": ["memoire"],
        },
    )
    write(
        root,
        "_startup",
        "memoire.md",
        {
            "title": "Mémoire",
            "mission": "Suivre ses candidatures",
            "owner": "Pôle emploi",
            "status": "consolidation",
            "start": date(2016, 1, 3),
        },
    )
    write(
        root,
        "_startup",
        "fermee.md",
        {
            "title": "Fermée",
            "owner": "DINSIC",
            "incubator": "dinsic",
            "status": "death",
            "start": date(2016, 2, 1),
            "end": date(2017, 3, 31),
        },
    )
    write(
        root,
        "_startup",
        "reprise.md",
        {
            "title": "Reprise",
            "owner": "DINSIC",
            "incubator": "dinsic",
            "status": "success",
            "start": date(2015, 5, 4),
        },
    )
    write(
        root,
        "_startup",
        "en-passation.md",
        {"title": "En passation", "incubator": "dinsic", "status": "passation", "start": ""},
    )
    write(
        root,
        "_startup",
        "bientot.md",
        {"title": "Bientôt", "status": "comingsoon", "start": date(2017, 9, 1)},
    )
    write(
        root,
        "_startup",
        "etrange.md",
        {"title": "Étrange", "incubator": "dinsic", "status": "hibernation"},
    )
    return root


def phases_of(startup_id: str) -> list[tuple]:
    return list(Phase.objects.filter(startup_id=startup_id).values_list("kind", "start", "end"))


def test_the_oldest_layout_is_read_and_every_mapping_recorded(oldest):
    output = run(oldest)

    assert "Startups : 6 créé(s)" in output
    assert "en échec" not in output
    memoire = Startup.objects.get(pk="memoire")
    assert phases_of("memoire") == [(CONSOLIDATION, date(2016, 1, 3), None)]
    assert memoire.incubator_id == "pole-emploi"
    assert list(memoire.sponsors.values_list("pk", "name", "is_placeholder")) == [
        ("pole-emploi", "Pôle emploi", True)
    ]
    assert corrections_of("memoire")[:3] == [
        (
            CorrectionKind.OLD_FORMAT,
            "Ancien format : statut « consolidation » lu comme phase « Consolidation » "
            "commencée le 03/01/2016 (champ start).",
        ),
        (
            CorrectionKind.OLD_FORMAT,
            "Ancien format : pas de champ incubator ; incubateur « pole-emploi », dont la fiche "
            "liste la startup.",
        ),
        (
            CorrectionKind.OLD_FORMAT,
            "Ancien format : porteur « Pôle emploi » (champ owner) lu comme sponsor "
            "« pole-emploi ».",
        ),
    ]
    # The source is kept as it was.
    assert memoire.source_front_matter["status"] == "consolidation"
    assert memoire.source_front_matter["owner"] == "Pôle emploi"


def test_the_oldest_incubator_files_give_title_address_and_owner(oldest):
    run(oldest)

    incubator = Incubator.objects.get(pk="pole-emploi")
    assert (incubator.title, incubator.address, incubator.owner_id) == (
        "L'incubateur de Pôle emploi",
        "1 rue de l'Emploi, Paris",
        "pole-emploi",
    )
    assert not incubator.is_placeholder
    assert Organisation.objects.get(pk="pole-emploi").name == "Pôle emploi"


def test_old_statuses_map_onto_todays_phases(oldest):
    run(oldest)

    # A terminal status starts on `end`, the day it ended; the startup's `start` is noted.
    assert phases_of("fermee") == [(STOPPED, date(2017, 3, 31), None)]
    assert corrections_of("fermee")[0] == (
        CorrectionKind.OLD_FORMAT,
        "Ancien format : statut « death » lu comme phase « Abandonnée » commencée le "
        "31/03/2017 (champ end) ; début de la startup le 01/02/2016 (champ start).",
    )
    # Without `end`, the day of the handover is unknown: an undated phase (rule 9).
    assert phases_of("reprise") == [(TRANSFERRED, None, None)]
    assert Startup.objects.get(pk="reprise").status == StartupStatus.HANDED_OVER
    assert list(Startup.objects.get(pk="reprise").sponsors.values_list("pk", flat=True)) == [
        "DINSIC"
    ]
    assert phases_of("en-passation") == [(CONSOLIDATION, None, None)]
    assert phases_of("bientot") == [(INV, date(2017, 9, 1), None)]
    assert Startup.objects.get(pk="bientot").incubator_id == "incubateur-inconnu"
    assert Incubator.objects.get(pk="incubateur-inconnu").title == "Incubateur inconnu"
    assert phases_of("etrange") == []
    assert (
        CorrectionKind.OLD_FORMAT,
        "Ancien format : statut « hibernation » inconnu, aucune phase.",
    ) in corrections_of("etrange")


def test_the_oldest_layout_re_imported_writes_nothing(oldest):
    run(oldest)
    changes = DataChange.objects.count()

    output = run(oldest)

    assert "Startups : 0 créé(s), 0 mis à jour, 6 inchangé(s)" in output
    assert DataChange.objects.count() == changes


def test_an_incubator_listing_the_startup_later_re_derives_it(oldest):
    run(oldest)
    write(oldest, "_incubator", "lab.md", {"name": "Le lab", "startups": ["bientot"]})

    run(oldest)

    assert Startup.objects.get(pk="bientot").incubator_id == "lab"


def test_a_folder_with_neither_layout_gets_the_clear_error(tmp_path):
    write(tmp_path, "posts", "billet.md", {"title": "Un billet"})

    with pytest.raises(CommandError, match="ne contient ni startups/, incubators/, organisations/"):
        run(tmp_path)


# --- Successive snapshots into one database -----------------------------------------------------
def year_2017(root: Path):
    """The oldest layout."""
    write(root, "_incubator", "dinsic.md", {"name": "L'incubateur", "owner": "DINSIC"})
    write(
        root,
        "_startup",
        "aides.md",
        {
            "title": "Aides",
            "owner": "DINSIC",
            "incubator": "dinsic",
            "status": "construction",
            "start": date(2016, 4, 4),
        },
    )
    write(
        root,
        "_startup",
        "bourse.md",
        {
            "title": "Bourse",
            "owner": "Ministère de l'éducation",
            "incubator": "dinsic",
            "status": "investigation",
            "start": date(2017, 2, 6),
        },
    )
    write(
        root,
        "_startup",
        "cantine.md",
        {
            "title": "Cantine",
            "incubator": "dinsic",
            "status": "acceleration",
            "start": date(2016, 10, 3),
        },
    )


def year_2020(root: Path):
    """A site checkout with content/ folders and phases, an undated last phase; `cantine` is
    gone, `dossier` is new."""
    write(root, "content/_organisations", "dinum.md", {"name": "DINUM"})
    write(
        root,
        "content/_incubators",
        "dinum.md",
        {"title": "L'incubateur de la DINUM", "owner": "/organisations/dinum"},
    )
    write(
        root,
        "content/_startups",
        "aides.md",
        {
            "title": "Aides",
            "mission": "Connaître ses droits",
            "incubator": "dinum",
            "sponsors": ["/organisations/dinum"],
            "phases": [
                {"name": "construction", "start": date(2016, 4, 4)},
                {"name": "acceleration", "start": date(2017, 9, 1)},
                {"name": "success"},
            ],
            "events": [{"name": "product_launch", "date": date(2016, 11, 2)}],
        },
    )
    write(
        root,
        "content/_startups",
        "bourse.md",
        {
            "title": "Bourse",
            "incubator": "dinum",
            "sponsors": ["/organisations/menj"],
            "phases": [
                {"name": "investigation", "start": date(2017, 2, 6)},
                {"name": "construction", "start": date(2017, 6, 1)},
                {"name": "alumni"},
            ],
        },
    )
    write(
        root,
        "content/_startups",
        "dossier.md",
        {
            "title": "Dossier",
            "incubator": "dinum",
            "phases": [{"name": "investigation", "start": date(2019, 9, 2)}],
        },
    )


def year_2026(root: Path):
    """Today's shape: `bourse` is gone, `cantine` is back, `aides` got its dates."""
    write(root, "organisations", "dinum.md", {"name": "DINUM", "acronym": "DINUM"})
    write(root, "organisations", "menj.md", {"name": "Éducation nationale"})
    write(
        root,
        "incubators",
        "dinum.md",
        {"title": "L'incubateur de la DINUM", "owner": "/organisations/dinum"},
    )
    write(
        root,
        "startups",
        "aides.md",
        {
            "title": "Aides",
            "mission": "Connaître ses droits",
            "incubator": "dinum",
            "sponsors": ["/organisations/dinum"],
            "phases": [
                {"name": "construction", "start": date(2016, 4, 4)},
                {"name": "acceleration", "start": date(2017, 9, 1)},
                {"name": "transfere", "start": date(2021, 1, 4)},
            ],
        },
    )
    write(
        root,
        "startups",
        "cantine.md",
        {
            "title": "Cantine",
            "incubator": "dinum",
            "sponsors": ["/organisations/menj"],
            "phases": [
                {"name": "acceleration", "start": date(2016, 10, 3)},
                {"name": "opere", "start": date(2024, 1, 2)},
            ],
        },
    )
    write(
        root,
        "startups",
        "dossier.md",
        {
            "title": "Dossier",
            "incubator": "dinum",
            "sponsors": ["/organisations/ademe"],
            "phases": [
                {"name": "investigation", "start": date(2019, 9, 2)},
                {"name": "construction", "start": date(2020, 1, 6)},
            ],
        },
    )


FIELDS = ("title", "mission", "description", "incubator_id", "absent_from_source_since")


def startup_state(startup_id: str) -> dict:
    startup = Startup.objects.get(pk=startup_id)
    return {
        **{name: getattr(startup, name) for name in FIELDS},
        "sponsors": sorted(startup.sponsors.values_list("pk", "is_placeholder")),
        "co_incubators": sorted(startup.co_incubators.values_list("pk", flat=True)),
        "phases": list(
            startup.phases.order_by("start").values_list(
                "kind", "start", "end", "comment", "source_name"
            )
        ),
        "events": sorted(startup.events.values_list("kind", "date", "comment", "source_name")),
        "corrections": corrections_of(startup_id),
    }


def test_three_years_of_snapshots_end_like_a_fresh_import_of_the_last(tmp_path):
    years = [tmp_path / str(year) for year in (2017, 2020, 2026)]
    for build, root in zip((year_2017, year_2020, year_2026), years, strict=True):
        build(root)

    outputs = [run(root) for root in years]

    assert "Startups absentes de la source, conservées et marquées : 1 (cantine)" in outputs[1]
    assert "Startups revenues dans la source : 1 (cantine)" in outputs[2]
    assert "Startups absentes de la source, conservées et marquées : 1 (bourse)" in outputs[2]
    # Never deleted: the startup gone from the source is kept, marked, with its history.
    bourse = Startup.objects.get(pk="bourse")
    assert bourse.absent_from_source_since == TODAY
    assert phases_of("bourse")[-1] == (TRANSFERRED, None, None)
    assert list(
        Startup.objects.filter(absent_from_source_since__isnull=False).values_list("pk", flat=True)
    ) == ["bourse"]
    successive = {pk: startup_state(pk) for pk in ("aides", "cantine", "dossier")}
    assert successive["aides"]["phases"][-1][:3] == (TRANSFERRED, date(2021, 1, 4), None)

    # A fresh database, the last snapshot only.
    Startup.objects.all().delete()
    Incubator.objects.all().delete()
    Organisation.objects.all().delete()
    run(years[-1])
    fresh = {pk: startup_state(pk) for pk in ("aides", "cantine", "dossier")}

    assert successive == fresh
    assert Event.objects.filter(startup_id="aides").count() == 0


def test_a_startup_gone_from_the_source_can_be_found_in_the_admin(tmp_path, staff_client):
    years = [tmp_path / "2020", tmp_path / "2026"]
    year_2020(years[0])
    year_2026(years[1])
    for root in years:
        run(root)

    page = staff_client.get("/admin/startups/startup/?source=absente").content.decode()

    assert "/admin/startups/startup/bourse/change/" in page
    assert "/admin/startups/startup/aides/change/" not in page
    assert f"absente depuis le {TODAY:%d/%m/%Y}" in page


def test_a_dry_run_marks_nothing(tmp_path):
    years = [tmp_path / "2020", tmp_path / "2026"]
    year_2020(years[0])
    year_2026(years[1])
    run(years[0])

    report = import_corpus(years[1], dry_run=True)

    assert report.absent == ["bourse"]
    assert not Startup.objects.filter(absent_from_source_since__isnull=False).exists()


def test_an_unchanged_startup_follows_its_sponsor_gaining_then_losing_its_file(tmp_path):
    root = tmp_path / "site"
    write(root, "incubators", "dinum.md", {"title": "L'incubateur"})
    fields = {
        "title": "Aides",
        "incubator": "dinum",
        "sponsors": ["/organisations/menj"],
        "phases": [{"name": "investigation", "start": date(2021, 1, 4)}],
    }
    write(root, "startups", "aides.md", fields)
    unknown = (
        CorrectionKind.UNKNOWN_SPONSOR,
        "Sponsor « menj » sans fiche : organisation créée à partir de son identifiant.",
    )
    run(root)
    assert corrections_of("aides") == [unknown]

    organisation = write(root, "organisations", "menj.md", {"name": "Éducation nationale"})
    run(root)
    assert corrections_of("aides") == []

    organisation.unlink()
    run(root)
    assert corrections_of("aides") == [unknown]
    assert Organisation.objects.get(pk="menj").is_placeholder


# --- The rest of the house with an undated phase ------------------------------------------------
@pytest.fixture
def undated_active(tmp_path):
    """Two active startups whose current phase has no known start."""
    root = tmp_path / "site"
    write(root, "incubators", "dinum.md", {"title": "L'incubateur"})
    write(
        root,
        "startups",
        "aides.md",
        {
            "title": "Aides",
            "incubator": "dinum",
            "phases": [
                {"name": "construction", "start": date(2020, 1, 6)},
                {"name": "acceleration"},
            ],
        },
    )
    write(root, "_startup", "bourse.md", {"title": "Bourse", "status": "passation"})
    run(root)
    write(
        root,
        "startups",
        "bourse.md",
        {"title": "Bourse", "incubator": "dinum", "phases": [{"name": "acceleration"}]},
    )
    run(root)
    return root


def test_the_phases_over_time_chart_follows_the_current_phase_rule(undated_active):
    from impact.views import phases_over_time

    days, counts = phases_over_time(TODAY)

    for day in days:
        for kind in (CONS, ACC):
            expected = Startup.objects.with_current_phase(day).filter(current_phase_kind=kind)
            assert counts.get((day, kind), 0) == expected.count(), (day, kind)
    assert counts[(days[-1], ACC)] == 2


def test_the_committees_due_skip_a_phase_of_unknown_start_without_money(undated_active):
    from committees.selectors import committees_due

    assert Startup.objects.active().count() == 2
    # `aides` counts from its construction; `bourse` has no date to count from, and no money.
    assert [due.startup.pk for due in committees_due(within_days=10_000)] == ["aides"]


def test_a_new_phase_is_refused_while_an_undated_one_ends_the_history(undated_active):
    from startups.services import PhaseChangeError, start_phase

    with pytest.raises(PhaseChangeError, match="« Accélération » sans date de début : datez-la"):
        start_phase(startup=Startup.objects.get(pk="aides"), kind=CONSOLIDATION, on=TODAY)
    assert phases_of("aides")[-1] == (ACC, None, None)
