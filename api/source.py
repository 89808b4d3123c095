"""The registry as beta.gouv.fr's site sees it: one page (front matter + body) per file.

beta.gouv.fr builds its API from its files' front matter, as written (untrimmed titles, phases
in file order with their old names, `/organisations/` prefixes...). The registry keeps each
file's front matter verbatim (`source_front_matter`) next to the values it cleaned from it. A
page starts from that front matter, then every value the registry no longer holds as imported
(a title changed by the staff, a phase started by a committee's decision, a startup created in
Portefeuille, which has no front matter at all) is replaced by the registry's value, written
as front matter. So the API is beta.gouv.fr's byte for byte while the registry says what the
files say, and the registry's truth as soon as it says something else.

"What the file says" is the importer's own reading of it (`startups.importer`): the same rules,
run again on the kept front matter, compared field by field with the registry's values.
Loading costs a fixed number of queries whatever the number of startups.
"""

from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from startups import importer
from startups.models import Event, Incubator, Organisation, Phase, Startup, today


@dataclass
class Page:
    """One beta.gouv.fr document: its id (the file name without `.md`), its front matter as
    Liquid reads it, its markdown body."""

    id: str
    data: dict
    body: str = ""
    file_name: str = ""
    # The registry's own values that some versions expose (see api.betagouv).
    extra: dict = field(default_factory=dict)

    @property
    def sort_key(self) -> str:
        """Jekyll's order: by path, byte by byte (`aides-jeunes.md` before `aides.md`)."""
        return self.file_name or f"{self.id}.md"


def file_name(source_path: str) -> str:
    return PurePosixPath(source_path).name if source_path else ""


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def source_file(row: dict, body: str = "") -> importer.SourceFile:
    return importer.SourceFile(
        Path(row["source_path"] or row["id"]),
        row["id"],
        row["source_front_matter"] or {},
        body,
        "",
    )


def grouped(rows) -> dict[str, list[tuple]]:
    groups = defaultdict(list)
    for key, *rest in rows:
        groups[key].append(tuple(rest))
    return groups


# --- Startups ---------------------------------------------------------------------------------
# Registry field → front-matter key, for the values written back when they differ.
STARTUP_KEYS = {
    "title": "title",
    "mission": "mission",
    "contact": "contact",
    "link": "link",
    "repository": "repository",
    "stats_url": "stats_url",
    "has_stats_page": "stats",
    "impact_url": "impact_url",
    "budget_url": "budget_url",
    "dashlord_url": "dashlord_url",
    "user_types": "usertypes",
    "themes": "thematiques",
    "technologies": "techno",
    "accessibility_status": "accessibility_status",
    "risk_analysis_done": "analyse_risques",
    "risk_analysis_url": "analyse_risques_url",
    "mon_service_securise": "mon_service_securise",
}
STARTUP_FIELDS = (
    "id",
    "source_front_matter",
    "source_path",
    "source_sha256",
    "description",
    "incubator_id",
    *STARTUP_KEYS,
)


def set_key(data: dict, key: str, value) -> None:
    """Write a registry value as front matter: nothing (None) removes the key."""
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value


def phase_front_matter(kind: str, start: date | None, end: date | None, comment: str) -> dict:
    phase = {"name": kind}
    if start:
        phase["start"] = start.isoformat()
    if end:
        phase["end"] = end.isoformat()
    if comment:
        phase["comment"] = comment
    return phase


@dataclass(frozen=True, slots=True)
class Reading:
    """What `startup_page` compares of the importer's reading of a file: the registry's values
    that came from it. Only that is kept, not the record (the file's text, its body, the
    corrections): at 6 620 startups whole records held ~30 MB per process."""

    fields: dict
    incubators: tuple[str, frozenset[str]]
    sponsors: frozenset[str]
    phases: tuple[tuple, ...]
    events: tuple[tuple, ...]

    @classmethod
    def of(cls, record: importer.StartupRecord) -> "Reading":
        return cls(
            fields={name: record.fields[name] for name in STARTUP_KEYS if name in record.fields},
            incubators=(record.incubator_id, frozenset(record.co_incubator_ids)),
            sponsors=frozenset(record.sponsor_ids),
            phases=tuple((p.kind, p.start, p.end) for p in record.phases),
            events=tuple((e.kind, e.date, e.comment) for e in record.events),
        )


class Imported:
    """What the importer reads in a startup's front matter, computed once per file content.

    The reading is pure and the file's digest (`source_sha256`, taken on the raw file and the
    rules' version) names its input, so a process keeps the last readings it made (as
    `Reading`s): a rebuild of the API after a change to the registry does not run the import
    rules on every file again. Bounded: the least recently used readings go first.
    """

    SIZE = 20_000

    def __init__(self):
        self.readings: OrderedDict[str, Reading | None] = OrderedDict()

    def __call__(self, row: dict, on: date) -> Reading | None:
        if not row["source_front_matter"]:
            return None  # created in Portefeuille: nothing was imported
        key = row["source_sha256"]
        if key and key in self.readings:
            self.readings.move_to_end(key)
            return self.readings[key]
        try:
            # The body is the registry's (the import keeps it as read): only the front matter
            # is compared.
            reading = Reading.of(importer.startup_record(source_file(row, row["description"]), on))
        except importer.SourceError:
            reading = None  # a front matter the import would refuse today
        if key:
            self.readings[key] = reading
            if len(self.readings) > self.SIZE:
                self.readings.popitem(last=False)
        return reading


imported_startup = Imported()


def startup_page(
    row: dict,
    phases: list[tuple],
    events: list[tuple],
    sponsors: list[str],
    co_incubators: list[str],
    on: date,
) -> Page:
    """`phases`: (kind, start, end, comment) by start; `events`: (kind, date, comment,
    source_name) by date; `sponsors`, `co_incubators`: ids."""
    data = dict(row["source_front_matter"] or {})
    record = imported_startup(row, on)
    imported = record.fields if record else {}
    for name, key in STARTUP_KEYS.items():
        if name not in imported or imported[name] != row[name]:
            set_key(data, key, row[name])

    primary = row["incubator_id"]
    if not record or record.incubators != (primary, frozenset(co_incubators) - {primary}):
        data["incubator"] = primary
        others = [i for i in co_incubators if i != primary]
        set_key(data, "incubators", [primary, *others] if others else None)
    if not record or record.sponsors != frozenset(sponsors):
        data["sponsors"] = [f"/organisations/{sponsor}" for sponsor in sponsors]
    if not record or record.phases != tuple((kind, start, end) for kind, start, end, _ in phases):
        data["phases"] = [phase_front_matter(*phase) for phase in phases]
    if not record or record.events != tuple(
        (kind, day, comment) for kind, day, comment, _ in events
    ):
        data["events"] = [
            {"name": source_name or kind, "date": day.isoformat(), "comment": comment}
            if comment
            else {"name": source_name or kind, "date": day.isoformat()}
            for kind, day, comment, source_name in events
        ]
    return Page(row["id"], data, row["description"], file_name(row["source_path"]))


def startup_pages(*, on: date | None = None) -> list[Page]:
    """Every startup's page, in Jekyll's order: five queries."""
    on = on or today()
    rows = list(Startup.objects.values(*STARTUP_FIELDS))
    phases_of = grouped(
        Phase.objects.order_by("startup_id", "start").values_list(
            "startup_id", "kind", "start", "end", "comment"
        )
    )
    events_of = grouped(
        Event.objects.order_by("startup_id", "date", "pk").values_list(
            "startup_id", "kind", "date", "comment", "source_name"
        )
    )
    sponsors_of = grouped(
        Startup.sponsors.through.objects.order_by("startup_id", "organisation_id").values_list(
            "startup_id", "organisation_id"
        )
    )
    co_incubators_of = grouped(
        Startup.co_incubators.through.objects.order_by("startup_id", "incubator_id").values_list(
            "startup_id", "incubator_id"
        )
    )
    pages = [
        startup_page(
            row,
            phases_of.get(row["id"], []),
            events_of.get(row["id"], []),
            [sponsor for (sponsor,) in sponsors_of.get(row["id"], [])],
            [incubator for (incubator,) in co_incubators_of.get(row["id"], [])],
            on,
        )
        for row in rows
    ]
    return sorted(pages, key=lambda page: page.sort_key)


# --- Incubators and organisations ---------------------------------------------------------------
INCUBATOR_KEYS = {
    "title": "title",
    "website": "website",
    "github": "github",
    "contact": "contact",
    "address": "address",
}


def incubator_pages() -> list[Page]:
    """Every incubator that has a file (not those the import created for a reference without
    one: beta.gouv.fr has no document for them), in Jekyll's order: one query."""
    pages = []
    for row in Incubator.objects.filter(is_placeholder=False).values(
        "id", "source_front_matter", "source_path", "owner_id", *INCUBATOR_KEYS
    ):
        data = dict(row["source_front_matter"] or {})
        try:
            record = importer.incubator_record(source_file(row))
        except importer.SourceError:
            record = None
        imported = record.fields if record else {}
        for name, key in INCUBATOR_KEYS.items():
            if imported.get(name) != row[name]:
                set_key(data, key, row[name])
        if not record or record.owner_id != row["owner_id"]:
            set_key(data, "owner", row["owner_id"] and f"/organisations/{row['owner_id']}")
        pages.append(Page(row["id"], data, file_name=file_name(row["source_path"])))
    return sorted(pages, key=lambda page: page.sort_key)


ORGANISATION_KEYS = {
    "name": "name",
    "acronym": "acronym",
    "type": "type",
    "ministerial_domain": "domaine_ministeriel",
}


def organisation_pages() -> list[Page]:
    """Every organisation that has a file, in Jekyll's order: one query."""
    pages = []
    for row in Organisation.objects.filter(is_placeholder=False).values(
        "id", "source_front_matter", "source_path", *ORGANISATION_KEYS
    ):
        data = dict(row["source_front_matter"] or {})
        try:
            imported = importer.organisation_record(source_file(row)).fields
        except importer.SourceError:
            imported = {}
        for name, key in ORGANISATION_KEYS.items():
            if imported.get(name) != row[name]:
                set_key(data, key, row[name])
        pages.append(Page(row["id"], data, file_name=file_name(row["source_path"])))
    return sorted(pages, key=lambda page: page.sort_key)
