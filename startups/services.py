"""Writes to the registry. Every write that touches several rows happens here, in a transaction.

The import of the beta.gouv.fr corpus: each organisation, incubator and startup is written in its
own transaction, so a file that fails leaves nothing half-written and the others are kept.
A file whose content (and the importer's rules) did not change since the last import is skipped,
which makes a second run write nothing, unless what it points to changed status (an organisation
or incubator that gained or lost its own file): its corrections would otherwise lag behind.
A startup whose file left the corpus is kept and marked (`absent_from_source_since`), never
deleted; it is unmarked when its file comes back. So importing the site's snapshots one after
another ends where a fresh import of the last one does, for every startup still in it.
"""

import contextlib
import datetime
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.db.models.signals import post_save
from simple_history.utils import bulk_create_with_history

from publishing.formats import fr_date
from publishing.maintenance import refresh_statistics
from startups import authors, importer
from startups.importer import (
    CleanEvent,
    CleanPhase,
    Correction,
    SourceError,
    StartupRecord,
)
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
    today,
)
from startups.phases import PhaseKind

IMPORT_REASON = "import beta.gouv.fr"
OUTCOMES = ("created", "updated", "unchanged", "deleted", "failed", "absent")
ENTITIES = ("organisations", "incubators", "startups", "phases", "events", "members", "missions")
# New members are written this many at a time (one transaction each); a batch the database
# refuses is written again file by file, so that the refused file is named and the rest kept.
MEMBER_BATCH = 500


@dataclass
class ImportReport:
    counts: dict = field(default_factory=lambda: {e: Counter() for e in ENTITIES})
    failures: list[tuple[Path, str]] = field(default_factory=list)
    corrections: Counter = field(default_factory=Counter)
    dry_run: bool = False
    # Startups kept in the database whose file is not in this corpus (ids), and those back.
    absent: list[str] = field(default_factory=list)
    back: list[str] = field(default_factory=list)
    # The same for members, and the corrections recorded on the members of the corpus.
    absent_members: list[str] = field(default_factory=list)
    member_corrections: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.failures

    def count(self, entity: str, outcome: str, number: int = 1):
        if number:
            self.counts[entity][outcome] += number

    def changes(self) -> int:
        return sum(
            c["created"] + c["updated"] + c["deleted"] + c["absent"] for c in self.counts.values()
        )

    def add(self, other: "ImportReport"):
        for entity, counts in other.counts.items():
            self.counts[entity].update(counts)
        self.failures.extend(other.failures)
        self.corrections.update(other.corrections)
        self.member_corrections.update(other.member_corrections)


class _DryRunRollback(Exception):
    pass


def import_corpus(
    root: Path,
    *,
    dry_run: bool = False,
    on: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import a beta.gouv.fr corpus folder; with `dry_run`, do everything then roll it back."""
    report = ImportReport(dry_run=dry_run)
    files = importer.corpus_files(Path(root))
    on = on or today()
    with connection.cursor() as cursor:
        # One commit per startup: waiting for each to reach the disk would double the import's
        # time. A crash can lose the last commits, never half of one; re-running restores them.
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        # A dry run does everything inside one transaction rolled back at the end, so it
        # reports exactly what a real run would; a real run commits each file on its own.
        with transaction.atomic() if dry_run else contextlib.nullcontext():
            if dry_run:
                # Nothing kept: the search's vocabulary is left alone (migration 0009).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL portefeuille.import_dry_run = 'on'")
            placeholders_before = _placeholder_ids()
            _import_organisations(files["organisations"], report)
            members = _import_incubators(files["incubators"], report)
            startup_ids = _import_startups(
                files["startups"], report, on, progress, members, placeholders_before
            )
            report.back, report.absent = _mark_absent(
                Startup, files["startups"], report, on, counted="startups"
            )
            _count_corrections(startup_ids, report)
            if files["authors"]:
                import_members(files["authors"], report, on, progress)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
    if not dry_run:
        refresh_statistics("startups")
    return report


def _read(path: Path, report: ImportReport, entity: str):
    try:
        return importer.read_source(path)
    except SourceError as exc:
        report.failures.append((path, str(exc)))
        report.count(entity, "failed")
    except OSError as exc:
        report.failures.append((path, f"fichier illisible : {exc.strerror or exc}"))
        report.count(entity, "failed")
    return None


def _apply(instance, fields: dict) -> list[str]:
    """Set the fields that differ; return their names."""
    changed = []
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _source_fields(source: importer.SourceFile) -> dict:
    return {
        "source_front_matter": importer.jsonable(source.front_matter),
        "source_path": str(source.path),
        "source_sha256": source.sha256,
    }


def _save_simple(model, record_id: str, fields: dict, report: ImportReport, entity: str):
    """Create or update one organisation or incubator row."""
    instance = model.objects.filter(pk=record_id).first()
    if instance is None:
        instance = model(pk=record_id, **fields)
        instance._change_reason = IMPORT_REASON
        instance.save()
        report.count(entity, "created")
        return
    changed = _apply(instance, fields)
    instance._change_reason = IMPORT_REASON
    instance.save(update_fields=[*changed, "updated_at"])
    report.count(entity, "updated")


def _import_organisations(paths: list[Path], report: ImportReport):
    known = dict(Organisation.objects.values_list("pk", "source_sha256"))
    for path in paths:
        source = _read(path, report, "organisations")
        if source is None:
            continue
        if known.get(source.id) == source.sha256:
            report.count("organisations", "unchanged")
            continue
        try:
            record = importer.organisation_record(source)
            with transaction.atomic():
                fields = {**record.fields, **_source_fields(source), "is_placeholder": False}
                _save_simple(Organisation, source.id, fields, report, "organisations")
        except (SourceError, DatabaseError) as exc:
            report.failures.append((path, str(exc)))
            report.count("organisations", "failed")
    _unfile(Organisation, paths)


def _placeholder_organisation(organisation_id: str, name: str = "") -> tuple[Organisation, bool]:
    return Organisation.objects.get_or_create(
        pk=organisation_id,
        defaults={"name": name or organisation_id, "is_placeholder": True},
    )


def _import_incubators(paths: list[Path], report: ImportReport) -> dict[str, str]:
    """Import the incubator files; return {startup id: incubator id} of those listing their
    startups (the oldest layout, importer rule 13)."""
    known = dict(Incubator.objects.values_list("pk", "source_sha256"))
    members = {}
    for path in paths:
        source = _read(path, report, "incubators")
        if source is None:
            continue
        for startup_id in importer.incubator_members(source):
            members.setdefault(startup_id, source.id)
        if known.get(source.id) == source.sha256:
            report.count("incubators", "unchanged")
            continue
        try:
            record = importer.incubator_record(source)
            with transaction.atomic():
                owner = (
                    _placeholder_organisation(record.owner_id, record.owner_name)[0]
                    if record.owner_id
                    else None
                )
                fields = {
                    **record.fields,
                    **_source_fields(source),
                    "owner": owner,
                    "is_placeholder": False,
                }
                _save_simple(Incubator, source.id, fields, report, "incubators")
        except (SourceError, DatabaseError) as exc:
            report.failures.append((path, str(exc)))
            report.count("incubators", "failed")
    _unfile(Incubator, paths)
    return members


def _placeholder_ids() -> tuple[set[str], set[str]]:
    return (
        set(Organisation.objects.filter(is_placeholder=True).values_list("pk", flat=True)),
        set(Incubator.objects.filter(is_placeholder=True).values_list("pk", flat=True)),
    )


def _rederived(placeholders_before: tuple[set[str], set[str]]) -> set[str]:
    """Startups pointing at an organisation or incubator that gained or lost its own file in
    this run (placeholder ↔ real): their « sans fiche » corrections must be re-derived."""
    organisations_before, incubators_before = placeholders_before
    organisations_now, incubators_now = _placeholder_ids()
    organisations = organisations_before ^ organisations_now
    incubators = incubators_before ^ incubators_now
    if not organisations and not incubators:
        return set()
    return set(
        Startup.objects.filter(
            Q(sponsors__in=organisations)
            | Q(incubator__in=incubators)
            | Q(co_incubators__in=incubators)
        ).values_list("pk", flat=True)
    )


def _with_membership(source: importer.SourceFile, members: dict[str, str]):
    """A file of the oldest layout without `incubator:` takes it from an incubator's list: that
    list is part of what the startup was derived from, so it is part of its fingerprint."""
    data = source.front_matter
    if importer.is_old_format(data) and not data.get("incubator") and not data.get("incubators"):
        member_of = members.get(source.id, "")
        source.sha256 = hashlib.sha256(f"{source.sha256}:{member_of}".encode()).hexdigest()


def _mark_absent(
    model, paths: list[Path], report: ImportReport, on: datetime.date, *, counted: str
) -> tuple[list[str], list[str]]:
    """Mark the imported rows of `model` (startups, members) whose file is not in the corpus;
    unmark those back. Returns (back, absent), sorted.

    Ids are read first and rows updated only when there are some: an UPDATE of no row still
    fires the data-change trigger, and an unchanged re-import must write nothing.
    """
    present = {importer.file_id(path) for path in paths}
    imported = dict(
        model.objects.exclude(source_sha256="").values_list("pk", "absent_from_source_since")
    )
    gone = [pk for pk, since in imported.items() if since is None and pk not in present]
    back = [pk for pk, since in imported.items() if since is not None and pk in present]
    # Plain updates: the import's mark, not a change of the row's own data.
    if gone:
        model.objects.filter(pk__in=gone).update(absent_from_source_since=on)
        report.count(counted, "absent", len(gone))
    if back:
        model.objects.filter(pk__in=back).update(absent_from_source_since=None)
    return sorted(back), sorted(pk for pk in imported if pk not in present)


def _unfile(model, paths: list[Path]):
    """Organisations or incubators imported from a file that is no longer in the corpus are
    kept, as placeholders (« sans fiche source »), like those a fresh import would create;
    forgetting their fingerprint makes the file, if it comes back, imported again."""
    present = {importer.file_id(path) for path in paths}
    filed = model.objects.exclude(source_sha256="").values_list("pk", flat=True)
    gone = [pk for pk in filed if pk not in present]
    if gone:
        model.objects.filter(pk__in=gone).update(is_placeholder=True, source_sha256="")


def _import_startups(
    paths,
    report: ImportReport,
    on: datetime.date,
    progress,
    members: dict[str, str] | None = None,
    placeholders_before: tuple[set[str], set[str]] = (set(), set()),
) -> list[str]:
    members = members or {}
    known = dict(Startup.objects.values_list("pk", "source_sha256"))
    rederive = _rederived(placeholders_before)
    phase_counts = dict(
        Phase.objects.values_list("startup").annotate(n=Count("pk")).values_list("startup", "n")
    )
    event_counts = dict(
        Event.objects.values_list("startup").annotate(n=Count("pk")).values_list("startup", "n")
    )
    imported = []
    references = References()
    for number, path in enumerate(paths, 1):
        if progress and number % 100 == 0:
            progress(f"{number}/{len(paths)} startups lues")
        source = _read(path, report, "startups")
        if source is None:
            continue
        imported.append(source.id)
        _with_membership(source, members)
        if known.get(source.id) == source.sha256 and source.id not in rederive:
            report.count("startups", "unchanged")
            report.count("phases", "unchanged", phase_counts.get(source.id, 0))
            report.count("events", "unchanged", event_counts.get(source.id, 0))
            continue
        try:
            record = importer.startup_record(source, on, members)
            # Counted apart, and added once committed: a write rolled back counts for nothing.
            written = ImportReport()
            with transaction.atomic():
                write_startup(record, written, references, exists=source.id in known)
            report.add(written)
        except SourceError as exc:
            report.failures.append((path, str(exc)))
            report.count("startups", "failed")
        except (IntegrityError, DatabaseError) as exc:
            report.failures.append((path, f"refusé par la base de données : {exc}".strip()))
            report.count("startups", "failed")
            # Placeholders made for this startup were rolled back with it: forget them, or
            # the next startup would point at an incubator or organisation that is not there.
            references = References()
    return imported


class References:
    """Organisations and incubators by id, loaded once per import; placeholders made on demand."""

    def __init__(self):
        self.organisations = {o.pk: o for o in Organisation.objects.all()}
        self.incubators = {i.pk: i for i in Incubator.objects.all()}

    def incubator(self, incubator_id: str, corrections: list[Correction], role: str) -> Incubator:
        incubator = self.incubators.get(incubator_id)
        if incubator is None:
            title = (
                "Incubateur inconnu" if incubator_id == importer.UNKNOWN_INCUBATOR else incubator_id
            )
            incubator = Incubator.objects.create(pk=incubator_id, title=title, is_placeholder=True)
            self.incubators[incubator_id] = incubator
        if incubator.is_placeholder:
            corrections.append(
                Correction(
                    CorrectionKind.UNKNOWN_INCUBATOR,
                    f"{role} « {incubator_id} » sans fiche : créé à partir de son identifiant.",
                )
            )
        return incubator

    def sponsor(
        self, organisation_id: str, corrections: list[Correction], name: str = ""
    ) -> Organisation:
        organisation = self.organisations.get(organisation_id)
        if organisation is None:
            organisation = _placeholder_organisation(organisation_id, name)[0]
            self.organisations[organisation_id] = organisation
        if organisation.is_placeholder:
            corrections.append(
                Correction(
                    CorrectionKind.UNKNOWN_SPONSOR,
                    f"Sponsor « {organisation_id} » sans fiche : organisation créée à partir "
                    "de son identifiant.",
                )
            )
        return organisation


def write_startup(
    record: StartupRecord,
    report: ImportReport,
    references: References | None = None,
    *,
    exists: bool = True,
) -> Startup:
    """Create or update one startup from its record, with phases, events and corrections.

    The startup gets one history entry for the whole write (fields and sponsors together)
    rather than one per field group: history is kept off while writing, then recorded once.
    `exists=False` (the caller knows the id is new) saves looking it up.
    """
    references = references or References()
    corrections = list(record.corrections)
    incubator = references.incubator(record.incubator_id, corrections, "Incubateur")
    co_incubators = [
        references.incubator(i, corrections, "Co-incubateur") for i in record.co_incubator_ids
    ]
    sponsors = [
        references.sponsor(i, corrections, record.sponsor_names.get(i, ""))
        for i in record.sponsor_ids
    ]

    fields = {
        **record.fields,
        **_source_fields(record.source),
        "source_body": record.source.body,
        "incubator": incubator,
    }
    startup = Startup.objects.filter(pk=record.source.id).first() if exists else None
    created = startup is None
    if created:
        startup = Startup(pk=record.source.id, **fields)
        startup.skip_history_when_saving = True
        startup.save(force_insert=True)
        changed = ["*"]
        # Straight into the link tables: a new startup has no links yet, and the history
        # entry sent below snapshots them.
        Startup.sponsors.through.objects.bulk_create(
            Startup.sponsors.through(startup=startup, organisation=s) for s in sponsors
        )
        Startup.co_incubators.through.objects.bulk_create(
            Startup.co_incubators.through(startup=startup, incubator=i) for i in co_incubators
        )
    else:
        startup.skip_history_when_saving = True
        changed = _apply(startup, fields)
        if changed:
            startup.save(update_fields=[*changed, "updated_at"])
        if {s.pk for s in startup.sponsors.all()} != {s.pk for s in sponsors}:
            startup.sponsors.set(sponsors)
            changed.append("sponsors")
        if {i.pk for i in startup.co_incubators.all()} != {i.pk for i in co_incubators}:
            startup.co_incubators.set(co_incubators)
            changed.append("co_incubators")
    del startup.skip_history_when_saving
    if changed:
        # The signal simple-history listens to, sent once the sponsors are set too.
        startup._change_reason = IMPORT_REASON
        post_save.send(sender=Startup, instance=startup, created=created, using=startup._state.db)

    if created:
        new_phases = [_phase(startup, p) for p in record.phases]
        new_events = [_event(startup, e) for e in record.events]
        if new_phases:
            bulk_create_with_history(new_phases, Phase, default_change_reason=IMPORT_REASON)
        if new_events:
            bulk_create_with_history(new_events, Event, default_change_reason=IMPORT_REASON)
        ImportCorrection.objects.bulk_create(
            ImportCorrection(startup=startup, kind=c.kind, message=c.message) for c in corrections
        )
        report.count("phases", "created", len(new_phases))
        report.count("events", "created", len(new_events))
        report.count("startups", "created")
        return startup

    phase_changes = replace_phases(startup, record.phases, report)
    event_changes = _replace_events(startup, record.events, report)
    _replace_corrections(startup, corrections)
    if changed or phase_changes or event_changes:
        report.count("startups", "updated")
    else:
        report.count("startups", "unchanged")
    return startup


def _phase(startup: Startup, phase: CleanPhase) -> Phase:
    return Phase(
        startup=startup,
        kind=phase.kind,
        start=phase.start,
        end=phase.end,
        comment=phase.comment,
        source_name=phase.source_name,
    )


def _event(startup: Startup, event: CleanEvent) -> Event:
    return Event(
        startup=startup,
        kind=event.kind,
        date=event.date,
        comment=event.comment,
        promotion=event.promotion,
        amount=event.amount,
        source_name=event.source_name,
    )


PHASE_OVERLAP_CONSTRAINT = "phases_of_a_startup_never_overlap"


def defer_overlap_check():
    """Check that phases never overlap at the commit rather than at each statement.

    Moving the boundary between two phases takes two updates, and no order of them is always
    valid on its own; the database still refuses the commit if the result overlaps. Must be
    called inside a transaction.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {PHASE_OVERLAP_CONSTRAINT} DEFERRED")


def check_overlaps_now():
    """End `defer_overlap_check`: the phases written so far are checked now, and each
    statement after; raises IntegrityError if two overlap.

    Without it, inside an enclosing transaction (a dry run, a test) the check would wait for
    the outermost commit: the failing write would not be rolled back on its own.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {PHASE_OVERLAP_CONSTRAINT} IMMEDIATE")


def replace_phases(startup: Startup, phases: list[CleanPhase], report: ImportReport) -> int:
    """Make the startup's phases exactly `phases`, touching only the rows that differ."""
    defer_overlap_check()
    existing = {(p.kind, p.start): p for p in startup.phases.all()}
    wanted = {(p.kind, p.start): p for p in phases}
    changes = 0
    for key, phase in existing.items():
        if key not in wanted:
            phase._change_reason = IMPORT_REASON
            phase.delete()
            report.count("phases", "deleted")
            changes += 1
    for key in sorted(wanted.keys() & existing.keys(), key=lambda k: k[1]):
        phase, target = existing[key], wanted[key]
        updated = _apply(
            phase, {"end": target.end, "comment": target.comment, "source_name": target.source_name}
        )
        if updated:
            phase._change_reason = IMPORT_REASON
            phase.save(update_fields=updated)
            report.count("phases", "updated")
            changes += 1
        else:
            report.count("phases", "unchanged")
    new = [_phase(startup, p) for key, p in wanted.items() if key not in existing]
    if new:
        bulk_create_with_history(new, Phase, default_change_reason=IMPORT_REASON)
        report.count("phases", "created", len(new))
        changes += len(new)
    check_overlaps_now()
    return changes


def _event_key(event) -> tuple:
    amount = event.amount.normalize() if event.amount is not None else None
    return (event.kind, event.date, event.comment, event.promotion, amount, event.source_name)


def _replace_events(startup: Startup, events: list[CleanEvent], report: ImportReport) -> int:
    existing = defaultdict(list)
    for event in startup.events.all():
        existing[_event_key(event)].append(event)
    new = []
    for target in events:
        matches = existing.get(_event_key(target))
        if matches:
            matches.pop()
            report.count("events", "unchanged")
        else:
            new.append(_event(startup, target))
    stale = [event for events_left in existing.values() for event in events_left]
    for event in stale:
        event._change_reason = IMPORT_REASON
        event.delete()
    report.count("events", "deleted", len(stale))
    if new:
        bulk_create_with_history(new, Event, default_change_reason=IMPORT_REASON)
        report.count("events", "created", len(new))
    return len(stale) + len(new)


def _replace_corrections(startup: Startup, corrections: list[Correction]):
    current = [(c.kind, c.message) for c in startup.import_corrections.all()]
    target = [(c.kind, c.message) for c in corrections]
    if current == target:
        return
    startup.import_corrections.all().delete()
    ImportCorrection.objects.bulk_create(
        ImportCorrection(startup=startup, kind=kind, message=message) for kind, message in target
    )


def _count_corrections(startup_ids: list[str], report: ImportReport):
    rows = (
        ImportCorrection.objects.filter(startup_id__in=startup_ids)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    report.corrections.update(dict(rows))


# --- Phase changes decided by people (committees, staff) -------------------------------------
class PhaseChangeError(ValidationError):
    """A phase change that would break the history; the message says why, in French."""


def start_phase(
    *,
    startup: Startup,
    kind: str,
    on: datetime.date,
    comment: str = "",
    by=None,
    reason: str = "",
) -> Phase:
    """Start phase `kind` on `on`: the phase running that day ends the day before.

    Locks the startup's row, so two decisions on the same startup queue instead of racing.
    Refused when a phase already starts on or after `on` (the history would be rewritten).
    """
    kind = PhaseKind(kind)
    with transaction.atomic():
        Startup.objects.select_for_update().filter(pk=startup.pk).first()
        undated = startup.phases.filter(start__isnull=True).first()
        if undated:
            # It follows every dated phase (importer rule 9): a new phase could not follow it.
            raise PhaseChangeError(
                f"{startup.title} a une phase « {undated.get_kind_display()} » sans date de "
                "début : datez-la dans l'administration avant d'ouvrir une nouvelle phase."
            )
        later = startup.phases.filter(start__gte=on).order_by("start").first()
        if later:
            raise PhaseChangeError(
                f"{startup.title} a déjà une phase « {later.get_kind_display()} » qui commence le "
                f"{fr_date(later.start)} : une nouvelle phase ne peut commencer que après. "
                "Corrigez l'historique dans l'administration si besoin."
            )
        current = startup.phases.filter(start__lt=on).order_by("-start").first()
        if current and current.kind == kind and (current.end is None or current.end >= on):
            raise PhaseChangeError(
                f"{startup.title} est déjà en {kind.label.lower()} depuis le {fr_date(current.start)}."
            )
        if current and (current.end is None or current.end >= on):
            current.end = on - datetime.timedelta(days=1)
            current._change_reason = reason or f"fin de phase : {kind.label}"
            current._history_user = by
            current.save(update_fields=["end"])
        phase = Phase(startup=startup, kind=kind, start=on, comment=comment, source_name=kind.value)
        phase._change_reason = reason or f"début de phase : {kind.label}"
        phase._history_user = by
        phase.save()
        return phase


# --- Members and their missions (beta.gouv.fr `authors/`, rules in startups.authors) ---------
def import_members(
    paths: list[Path],
    report: ImportReport,
    on: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Import the member files: unchanged ones skipped, changed ones rewritten one transaction
    each, new ones created in batches (a refused batch is redone file by file)."""
    on = on or today()
    known = dict(Member.objects.values_list("pk", "source_sha256"))
    mission_counts = dict(
        Mission.objects.values_list("member").annotate(n=Count("pk")).values_list("member", "n")
    )
    new: list[authors.MemberRecord] = []
    for number, path in enumerate(paths, 1):
        if progress and number % 500 == 0:
            progress(f"{number}/{len(paths)} membres lus")
        try:
            source = authors.read_member_source(path)
        except SourceError as exc:
            _member_failed(path, str(exc), report)
            continue
        except OSError as exc:
            _member_failed(path, f"fichier illisible : {exc.strerror or exc}", report)
            continue
        if known.get(source.id) == source.sha256:
            report.count("members", "unchanged")
            report.count("missions", "unchanged", mission_counts.get(source.id, 0))
            continue
        try:
            record = authors.member_record(source)
        except SourceError as exc:
            _member_failed(path, str(exc), report)
            continue
        if source.id not in known:
            new.append(record)
            continue
        written = ImportReport()
        try:
            with transaction.atomic():
                write_member(record, written)
            report.add(written)
        except DatabaseError as exc:
            _member_failed(path, f"refusé par la base de données : {exc}".strip(), report)
    for start in range(0, len(new), MEMBER_BATCH):
        batch = new[start : start + MEMBER_BATCH]
        written = ImportReport()
        try:
            with transaction.atomic():
                _create_members(batch, written)
            report.add(written)
        except DatabaseError:
            for record in batch:
                written = ImportReport()
                try:
                    with transaction.atomic():
                        _create_members([record], written)
                    report.add(written)
                except DatabaseError as exc:
                    reason = f"refusé par la base de données : {exc}".strip()
                    _member_failed(record.source.path, reason, report)
    _, report.absent_members = _mark_absent(Member, paths, report, on, counted="members")
    rows = (
        MemberImportCorrection.objects.filter(member__absent_from_source_since__isnull=True)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    report.member_corrections.update(dict(rows))


def _member_failed(path: Path, reason: str, report: ImportReport):
    report.failures.append((path, reason))
    report.count("members", "failed")


def _member_fields(record: "authors.MemberRecord") -> dict:
    return {
        **record.fields,
        "source_path": str(record.source.path),
        "source_sha256": record.source.sha256,
    }


def _mission(member_id: str, position: int, mission: "authors.CleanMission") -> Mission:
    return Mission(
        member_id=member_id,
        position=position,
        start=mission.start,
        end=mission.end,
        status=mission.status,
        employer=mission.employer,
        startup_ids=mission.startup_ids,
    )


def _create_members(records: list["authors.MemberRecord"], report: ImportReport):
    members = [Member(pk=r.source.id, **_member_fields(r)) for r in records]
    missions = [
        _mission(r.source.id, position, m)
        for r in records
        for position, m in enumerate(r.missions, 1)
    ]
    bulk_create_with_history(members, Member, batch_size=100, default_change_reason=IMPORT_REASON)
    if missions:
        bulk_create_with_history(
            missions, Mission, batch_size=200, default_change_reason=IMPORT_REASON
        )
    MemberImportCorrection.objects.bulk_create(
        MemberImportCorrection(member_id=r.source.id, kind=c.kind, message=c.message)
        for r in records
        for c in r.corrections
    )
    report.count("members", "created", len(members))
    report.count("missions", "created", len(missions))


def write_member(record: "authors.MemberRecord", report: ImportReport) -> Member:
    """Create or update one member from its record: fields, missions (by source position),
    corrections; only what differs is written, each change with its history entry."""
    member = Member.objects.filter(pk=record.source.id).first()
    if member is None:
        _create_members([record], report)
        return Member.objects.get(pk=record.source.id)
    changed = _apply(member, _member_fields(record))
    if changed:
        member._change_reason = IMPORT_REASON
        member.save(update_fields=[*changed, "updated_at"])
    existing = list(member.missions.order_by("position"))
    mission_changes = 0
    for position, target in enumerate(record.missions, 1):
        current = existing[position - 1] if position <= len(existing) else None
        if current is None:
            mission = _mission(member.pk, position, target)
            mission._change_reason = IMPORT_REASON
            mission.save()
            report.count("missions", "created")
            mission_changes += 1
            continue
        updated = _apply(
            current,
            {
                "start": target.start,
                "end": target.end,
                "status": target.status,
                "employer": target.employer,
                "startup_ids": target.startup_ids,
            },
        )
        if updated:
            current._change_reason = IMPORT_REASON
            current.save(update_fields=updated)
            report.count("missions", "updated")
            mission_changes += 1
        else:
            report.count("missions", "unchanged")
    for stale in existing[len(record.missions) :]:
        stale._change_reason = IMPORT_REASON
        stale.delete()
        report.count("missions", "deleted")
        mission_changes += 1
    current_corrections = [(c.kind, c.message) for c in member.import_corrections.all()]
    target_corrections = [(c.kind, c.message) for c in record.corrections]
    if current_corrections != target_corrections:
        member.import_corrections.all().delete()
        MemberImportCorrection.objects.bulk_create(
            MemberImportCorrection(member=member, kind=kind, message=message)
            for kind, message in target_corrections
        )
    report.count("members", "updated" if changed or mission_changes else "unchanged")
    return member
