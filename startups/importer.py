"""Reading the beta.gouv.fr corpus: files, front matter, and the rules that clean a phase history.

This module only reads and decides; `startups.services` writes. Everything here is pure, so each
rule is tested on hand-made data.

The corpus is a folder holding `startups/`, `incubators/`, `organisations/` (like the shared
snapshot), or a checkout of the beta.gouv.fr site at any date: `content/_startups`, ... (since
2019), or the oldest layout `_startup/`, `_incubator/` (2016 to early 2019, no organisations).
Its `authors/` (`content/_authors/`), the members, are read by `startups.authors`.
Each file is YAML front matter between two `---` lines, then a markdown body; the `.md`
extension is optional. A folder with none of these gets a clear error.

Phase history rules (each correction or observation is recorded, none is silent):
1. Names: a legacy name maps onto the current vocabulary (`startups.phases.LEGACY_PHASE_NAMES`);
   an unknown name is left out of the clean history.
2. An end before its start is dropped (the phase is then open-ended).
3. Phases are sorted by start; same-day ties by lifecycle order.
4. The same phase twice (same name, same start) is kept once.
5. Two different phases starting the same day: the one later in the lifecycle is kept (the
   other lasted zero days; e.g. investigation and construction on the same day: construction).
6. A phase lasts until the day before the next one starts: an open end, or an end on the very
   day the next phase starts (the data's habit for a handover), is set so without a note (the
   source's own conventions); an end later than that is brought back to it (overlap, noted); an
   end before it leaves a gap, kept and noted.
7. The last phase keeps its end, except a terminal one (transférée, opérée, abandon), whose end
   means nothing and is dropped.
8. Phases starting in the future are kept (planned) and noted; a restart after a terminal phase
   is kept and noted.
9. A phase without a start date never fails the file (« phase sans date de début », noted):
   - the LAST phase of the list, undated, is kept without a date (shown « date inconnue »): it
     began at an unknown day after every dated phase, so it is the current phase once the last
     dated one has begun, and gives the startup its status (a last `success`, `alumni` or
     `transfer` makes it handed over, `abandon` stopped). The dated phase before it keeps the
     end the source gives, else its end is unknown too. A terminal undated phase drops its end
     (rule 7); an undated phase of the same kind as the last dated one adds nothing: left out.
   - an undated phase followed by other phases (a middle one) is left out of the history (kept
     in the source): where it stood between dated phases is unknown, and a phase without a
     period cannot sit between two. The database holds at most one undated phase per startup.
Events: an unknown name is kept as `other`; an event dated before the first phase is noted.

The oldest layout (files of `_startup/` without `phases:`; a file with `phases:` is read as
today's, whatever else it carries). Each mapping is recorded as an « ancien format » correction:
10. `status:` was the startup's state at the snapshot; `start:` the startup's first day, `end:`
    the day it ended. The site's own vocabulary (`_data/fr/phases.yml` of beta.gouv.fr) maps
    onto today's phases: `comingsoon` (« bientôt incubée »), `investigation` → investigation;
    `construction` → construction; `acceleration` → accélération; `consolidation` →
    consolidation (same word); `passation` (« le service est viable », handover under way) →
    consolidation; `success` (« repris », operated for good by the administration taking it
    over), `transfer`, `alumni` → transférée; `retirement` (« fermé ») and `death`
    (« abandonné ») → abandon. An unknown status gives no phase.
11. An active status becomes one phase from `start` (to `end`, when given). A terminal status
    becomes its terminal phase from `end`; without `end` it is undated (rule 9): the
    startup's `start` is not the day it ended. No `start` at all: undated too.
12. `owner:` (free text, e.g. « DINSIC », « Pôle emploi ») becomes the sponsor when there is no
    `sponsors:`: a single word is an id as written (`DINSIC`), other text is made one
    (`pole-emploi`); an organisation without a file is created, named after the text. An
    incubator's `owner:` is read the same way (today's ids, one word, are unchanged).
13. No `incubator:`: the incubator whose file lists the startup in its `startups:` (the old
    incubator files did), else a placeholder « incubateur inconnu », both noted. Old incubator
    files say `name:` for the title and `adresse:` for the address.
"""

import datetime
import hashlib
import html
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.utils.text import slugify

from publishing.formats import fr_date
from startups.models import UNKNOWN_DATE, AccessibilityStatus, CorrectionKind, EventKind
from startups.phases import (
    LIFECYCLE_ORDER,
    TERMINAL_KINDS,
    PhaseKind,
    StartupStatus,
    phase_kind_from_name,
    status_of,
)

# Bump when a rule changes: every startup is then re-derived at the next import.
RULES_VERSION = "2"

try:  # libyaml is about ten times faster than the pure-Python parser
    YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    YamlLoader = yaml.SafeLoader

ONE_DAY = datetime.timedelta(days=1)
# The length of the URL fields of the models.
URL_MAX_LENGTH = 500


class SourceError(Exception):
    """A file that cannot be read at all. The message says why, in French."""


@dataclass
class SourceFile:
    path: Path
    id: str
    front_matter: dict
    body: str
    sha256: str


@dataclass
class Correction:
    kind: CorrectionKind
    message: str


@dataclass
class CleanPhase:
    kind: PhaseKind
    start: datetime.date | None  # None: undated, the last phase (rule 9)
    end: datetime.date | None
    comment: str = ""
    source_name: str = ""

    def key(self):
        return (self.kind, self.start, self.end, self.comment, self.source_name)


@dataclass
class CleanEvent:
    kind: EventKind
    date: datetime.date
    comment: str = ""
    promotion: int | None = None
    amount: Decimal | None = None
    source_name: str = ""

    def key(self):
        return (self.kind, self.date, self.comment, self.promotion, self.amount, self.source_name)


@dataclass
class StartupRecord:
    source: SourceFile
    fields: dict
    incubator_id: str
    co_incubator_ids: list[str]
    sponsor_ids: list[str]
    phases: list[CleanPhase]
    events: list[CleanEvent]
    corrections: list[Correction] = field(default_factory=list)
    # Names for organisations created from a free-text `owner:` (rule 12), by id.
    sponsor_names: dict[str, str] = field(default_factory=dict)


@dataclass
class IncubatorRecord:
    source: SourceFile
    fields: dict
    owner_id: str | None
    owner_name: str = ""


@dataclass
class OrganisationRecord:
    source: SourceFile
    fields: dict


# --- Files ------------------------------------------------------------------------------------
CORPUS_FOLDERS = {
    "organisations": ("organisations", "content/_organisations"),
    "incubators": ("incubators", "content/_incubators", "_incubator"),
    "startups": ("startups", "content/_startups", "_startup"),
    # The members (read by startups.authors).
    "authors": ("authors", "content/_authors", "_authors"),
}


def corpus_files(root: Path) -> dict[str, list[Path]]:
    """The files of each kind under `root`, sorted; raises SourceError when none is found."""
    found = {}
    for kind, candidates in CORPUS_FOLDERS.items():
        folder = next((root / c for c in candidates if (root / c).is_dir()), None)
        found[kind] = (
            sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
            if folder
            else []
        )
    if not any(found.values()):
        raise SourceError(
            f"{root} ne contient ni startups/, incubators/, organisations/ ni content/_startups/ "
            "ni _startup/ (dossier de données ou dépôt du site beta.gouv.fr attendu)."
        )
    return found


def file_id(path: Path) -> str:
    return path.name[: -len(".md")] if path.name.endswith(".md") else path.name


def read_source(path: Path) -> SourceFile:
    raw = path.read_bytes()
    sha256 = hashlib.sha256(raw + RULES_VERSION.encode()).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"le fichier n'est pas en UTF-8 (octet 0x{raw[exc.start]:02x} en position {exc.start})"
        ) from exc
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise SourceError("pas d'en-tête YAML : la première ligne doit être « --- »")
    closing = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if closing is None:
        raise SourceError("en-tête YAML non refermé : la ligne « --- » de fin manque")
    try:
        front_matter = yaml.load("".join(lines[1:closing]), Loader=YamlLoader)  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" ligne {where.line + 2}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(f"YAML invalide{line} : {problem}") from exc
    except ValueError as exc:
        # PyYAML reads an unquoted `2021-13-45` as a date and fails with a bare ValueError,
        # which would otherwise stop the whole import rather than this file.
        raise SourceError(impossible_date(lines[1:closing], exc)) from exc
    if not isinstance(front_matter, dict):
        raise SourceError("l'en-tête YAML n'est pas un dictionnaire de champs")
    return SourceFile(
        path=path,
        id=file_id(path),
        front_matter=front_matter,
        body="".join(lines[closing + 1 :]).strip("\n"),
        sha256=sha256,
    )


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def impossible_date(front_matter_lines: list[str], error: ValueError) -> str:
    """Why YAML could not build a value: the first date that does not exist, with its line."""
    for number, line in enumerate(front_matter_lines, 2):
        for match in ISO_DATE.finditer(line):
            try:
                datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return (
                    f"date impossible « {match.group(0)} » ligne {number} : "
                    "format AAAA-MM-JJ attendu, avec un mois et un jour qui existent"
                )
    return f"YAML invalide : valeur illisible ({error})"


def jsonable(value):
    """The front matter as JSON can hold it (dates as ISO strings)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# --- Values -----------------------------------------------------------------------------------
def as_date(value, where: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SourceError(f"date illisible « {value} » ({where}) : format AAAA-MM-JJ attendu")


class ValueCleaner:
    """Cleans scalar values of one file and remembers what it changed."""

    def __init__(self):
        self.cleaned: list[str] = []
        self.invalid: list[str] = []

    def text(self, data: dict, key: str, max_length: int | None = None) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            value = str(value)
        stripped = value.strip()
        if stripped != value and stripped:
            self.cleaned.append(key)
        if max_length and len(stripped) > max_length:
            self.invalid.append(f"{key} (plus de {max_length} caractères, tronqué)")
            stripped = stripped[:max_length]
        return stripped

    def url(self, data: dict, key: str) -> str:
        value = self.text(data, key)
        if not value:
            return ""
        if "&#" in value or "&amp;" in value:
            value = html.unescape(value)
            self.cleaned.append(key)
        if not re.match(r"^https?://\S+$", value):
            if not re.match(r"^[\w.-]+\.[a-z]{2,}(/\S*)?$", value, re.IGNORECASE):
                self.invalid.append(f"{key} « {value} » n'est pas une adresse web")
                return ""
            self.cleaned.append(key)
            value = f"https://{value}"
        if len(value) > URL_MAX_LENGTH:
            # A cut address leads nowhere: ignored (and said), never truncated.
            self.invalid.append(f"{key} (adresse de plus de {URL_MAX_LENGTH} caractères)")
            return ""
        return value

    def boolean(self, data: dict, key: str) -> bool | None:
        value = data.get(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {
            "true",
            "oui",
            "yes",
            "false",
            "non",
            "no",
        }:
            self.cleaned.append(key)
            return value.strip().lower() in {"true", "oui", "yes"}
        self.invalid.append(f"{key} « {value} » n'est pas oui/non")
        return None

    def strings(self, data: dict, key: str) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.invalid.append(f"{key} n'est pas une liste")
            return []
        result = []
        for item in value:
            if item is None:
                continue
            text = str(item)
            if text.strip() != text:
                self.cleaned.append(key)
            if text.strip():
                result.append(text.strip()[:200])
        return result

    def corrections(self) -> list[Correction]:
        found = []
        if self.cleaned:
            fields = ", ".join(sorted(set(self.cleaned)))
            found.append(Correction(CorrectionKind.CLEANED_VALUE, f"Valeurs nettoyées : {fields}."))
        for message in self.invalid:
            found.append(Correction(CorrectionKind.INVALID_VALUE, f"Valeur ignorée : {message}."))
        return found


def reference_id(value) -> str:
    """`/organisations/dgcs` or `dgcs` → `dgcs`."""
    return str(value).strip().rstrip("/").rsplit("/", 1)[-1]


REFERENCE = re.compile(r"^(/[\w-]+/)?[\w.-]+$")


def owner_id(text: str) -> str:
    """The organisation of an `owner:` (rule 12): an id as written (`/organisations/dinum`,
    `dinum`, `DINSIC`), or free text made an id (`Pôle emploi` → `pole-emploi`)."""
    text = text.strip()
    if REFERENCE.match(text):
        return reference_id(text)
    return slugify(text)[:200]


# --- Phase history ----------------------------------------------------------------------------
def clean_phase_history(
    raw_phases, today: datetime.date
) -> tuple[list[CleanPhase], list[Correction]]:
    """Apply the rules of the module docstring to the `phases` of one startup."""
    corrections: list[Correction] = []

    def note(kind, message):
        corrections.append(Correction(kind, message))

    if raw_phases is None:
        raw_phases = []
    if not isinstance(raw_phases, list):
        raise SourceError("« phases » n'est pas une liste")

    phases: list[CleanPhase] = []
    undated: CleanPhase | None = None
    last_number = max(
        (n for n, raw in enumerate(raw_phases, 1) if isinstance(raw, dict)), default=None
    )
    for number, raw in enumerate(raw_phases, 1):
        if not isinstance(raw, dict):
            note(CorrectionKind.INVALID_VALUE, f"Phase n°{number} illisible ({raw!r}) : écartée.")
            continue
        name = str(raw.get("name") or "").strip()
        if raw.get("start") in (None, ""):
            undated = _undated_phase(raw, number, name, number == last_number, note)
            continue
        start = as_date(raw["start"], f"phases n°{number}, start")
        end = as_date(raw["end"], f"phases n°{number}, end") if raw.get("end") else None
        kind = phase_kind_from_name(name)
        if kind is None:
            note(
                CorrectionKind.UNKNOWN_PHASE,
                f"Phase « {name} » du {fr_date(start)} : nom inconnu, écartée de l'historique "
                "(conservée dans la source).",
            )
            continue
        if name != kind.value:
            note(
                CorrectionKind.LEGACY_PHASE,
                f"Phase « {name} » du {fr_date(start)} lue comme « {kind.label} ».",
            )
        if end and end < start:
            note(
                CorrectionKind.END_BEFORE_START,
                f"{kind.label} : fin le {fr_date(end)} avant le début le {fr_date(start)} ; fin ignorée.",
            )
            end = None
        comment = str(raw.get("comment") or "").strip()
        phases.append(CleanPhase(kind, start, end, comment, name))

    if any(b.start < a.start for a, b in zip(phases, phases[1:], strict=False)):
        note(
            CorrectionKind.OUT_OF_ORDER,
            "Phases listées dans le désordre : triées par date de début.",
        )
    phases.sort(key=lambda p: (p.start, LIFECYCLE_ORDER.index(p.kind)))

    deduplicated: list[CleanPhase] = []
    for phase in phases:
        previous = deduplicated[-1] if deduplicated else None
        if previous and previous.start == phase.start:
            if previous.kind == phase.kind:
                note(
                    CorrectionKind.DUPLICATE_PHASE,
                    f"{phase.kind.label} du {fr_date(phase.start)} listée deux fois : gardée une fois.",
                )
                previous.end = previous.end or phase.end
                previous.comment = previous.comment or phase.comment
                continue
            note(
                CorrectionKind.SAME_DAY_START,
                f"{previous.kind.label} et {phase.kind.label} commencent le même jour "
                f"({fr_date(phase.start)}) : {phase.kind.label} gardée, {previous.kind.label} "
                "écartée de l'historique (conservée dans la source).",
            )
            phase.comment = phase.comment or previous.comment
            deduplicated[-1] = phase
            continue
        deduplicated.append(phase)
    phases = deduplicated

    for phase, following in zip(phases, phases[1:], strict=False):
        day_before = following.start - ONE_DAY
        # Ending on the day the next phase starts is the data's habit for a handover, not an
        # overlap: the phase ends the day before, like an open end.
        if phase.end is None or phase.end == following.start:
            phase.end = day_before
        elif phase.end > day_before:
            note(
                CorrectionKind.OVERLAP,
                f"{phase.kind.label} finissait le {fr_date(phase.end)} alors que "
                f"{following.kind.label} commence le {fr_date(following.start)} : "
                f"fin avancée au {fr_date(day_before)}.",
            )
            phase.end = day_before
        elif phase.end < day_before:
            gap = (day_before - phase.end).days
            note(
                CorrectionKind.GAP,
                f"{gap} jour(s) sans phase entre la fin de {phase.kind.label} "
                f"({fr_date(phase.end)}) et {following.kind.label} ({fr_date(following.start)}) : conservé.",
            )
        if phase.kind in TERMINAL_KINDS and following.kind not in TERMINAL_KINDS:
            note(
                CorrectionKind.RESTART,
                f"Reprise en {following.kind.label} le {fr_date(following.start)} après "
                f"« {phase.kind.label} » : conservée.",
            )

    if phases and phases[-1].end and phases[-1].kind in TERMINAL_KINDS:
        last = phases[-1]
        note(
            CorrectionKind.TERMINAL_END,
            f"{last.kind.label} porte une fin ({fr_date(last.end)}) : une phase terminale ne finit "
            "pas, fin ignorée.",
        )
        last.end = None

    for phase in phases:
        if phase.start > today:
            note(
                CorrectionKind.FUTURE_PHASE,
                f"{phase.kind.label} commence le {fr_date(phase.start)}, dans le futur : conservée "
                "comme phase prévue.",
            )
    if undated:
        _append_undated(phases, undated, note)
    if not phases:
        note(
            CorrectionKind.NO_PHASE,
            "Aucune phase exploitable : la startup n'a pas de phase en cours.",
        )
    return phases, corrections


def _undated_phase(raw: dict, number: int, name: str, is_last: bool, note) -> CleanPhase | None:
    """Rule 9 on a phase without a start: the last one of the list is kept, undated."""
    shown = f"« {name} »" if name else "sans nom"
    if not is_last:
        note(
            CorrectionKind.UNDATED_PHASE,
            f"Phase sans date de début : {shown} (n°{number}) est suivie d'autres phases, sa "
            "place dans l'historique est inconnue : écartée (conservée dans la source).",
        )
        return None
    kind = phase_kind_from_name(name)
    if kind is None:
        note(
            CorrectionKind.UNKNOWN_PHASE,
            f"Phase {shown} ({UNKNOWN_DATE}) : nom inconnu, écartée de l'historique "
            "(conservée dans la source).",
        )
        return None
    if name != kind.value:
        note(
            CorrectionKind.LEGACY_PHASE,
            f"Phase « {name} » ({UNKNOWN_DATE}) lue comme « {kind.label} ».",
        )
    end = as_date(raw["end"], f"phases n°{number}, end") if raw.get("end") else None
    comment = str(raw.get("comment") or "").strip()
    return CleanPhase(kind, None, end, comment, name)


def _append_undated(phases: list[CleanPhase], undated: CleanPhase, note):
    """Rule 9: the undated last phase after the dated ones, unless it repeats the last one."""
    previous = phases[-1] if phases else None
    if previous and previous.kind == undated.kind:
        note(
            CorrectionKind.UNDATED_PHASE,
            f"Phase sans date de début : {undated.kind.label}, déjà la phase du "
            f"{fr_date(previous.start)} : écartée (conservée dans la source).",
        )
        return
    after = f", après {previous.kind.label} du {fr_date(previous.start)}" if previous else ""
    status = status_of(undated.kind)
    says = "" if status == StartupStatus.ACTIVE else f" ; la startup est {status.label.lower()}"
    note(
        CorrectionKind.UNDATED_PHASE,
        f"Phase sans date de début : {undated.kind.label}, dernière de la liste, gardée "
        f"({UNKNOWN_DATE}{after}){says}.",
    )
    if undated.end and undated.kind in TERMINAL_KINDS:
        note(
            CorrectionKind.TERMINAL_END,
            f"{undated.kind.label} porte une fin ({fr_date(undated.end)}) : une phase terminale "
            "ne finit pas, fin ignorée.",
        )
        undated.end = None
    phases.append(undated)


# --- The oldest layout: status, start, end, owner (rules 10 to 13) ---------------------------
OLD_STATUSES = {
    "comingsoon": PhaseKind.INVESTIGATION,
    "investigation": PhaseKind.INVESTIGATION,
    "construction": PhaseKind.CONSTRUCTION,
    "acceleration": PhaseKind.ACCELERATION,
    "consolidation": PhaseKind.CONSOLIDATION,
    "passation": PhaseKind.CONSOLIDATION,
    "success": PhaseKind.TRANSFERRED,
    "transfer": PhaseKind.TRANSFERRED,
    "alumni": PhaseKind.TRANSFERRED,
    "retirement": PhaseKind.STOPPED,
    "death": PhaseKind.STOPPED,
}
UNKNOWN_INCUBATOR = "incubateur-inconnu"


def is_old_format(data: dict) -> bool:
    return "phases" not in data and ("status" in data or "start" in data)


def old_format_phases(data: dict) -> tuple[list[dict], list[Correction]]:
    """Rules 10 and 11: today's `phases` for a file of the oldest layout, and what was read."""
    status = str(data.get("status") or "").strip()
    start = as_date(data["start"], "start") if data.get("start") else None
    end = as_date(data["end"], "end") if data.get("end") else None
    kind = OLD_STATUSES.get(status.lower()) or phase_kind_from_name(status)
    if kind is None:
        message = (
            f"Ancien format : statut « {status} » inconnu, aucune phase"
            if status
            else "Ancien format : pas de statut, aucune phase"
        )
        dates = ", ".join(
            f"{label} le {fr_date(day)}" for label, day in (("début", start), ("fin", end)) if day
        )
        message += f" ({dates})." if dates else "."
        return [], [Correction(CorrectionKind.OLD_FORMAT, message)]
    if kind in TERMINAL_KINDS:
        phase_start, phase_end = end, None
        read = f"commencée le {fr_date(end)} (champ end)" if end else f"({UNKNOWN_DATE})"
        if start:
            read += f" ; début de la startup le {fr_date(start)} (champ start)"
    else:
        phase_start, phase_end = start, end
        read = f"commencée le {fr_date(start)} (champ start)" if start else f"({UNKNOWN_DATE})"
        if end:
            read += f", finie le {fr_date(end)} (champ end)"
    message = f"Ancien format : statut « {status} » lu comme phase « {kind.label} » {read}."
    phase = {"name": kind.value, "start": phase_start}
    if phase_end:
        phase["end"] = phase_end
    return [phase], [Correction(CorrectionKind.OLD_FORMAT, message)]


# --- Events -----------------------------------------------------------------------------------
PROMOTION = re.compile(r"promo(?:tion)?\s*n?°?\s*(\d+)", re.IGNORECASE)
AMOUNT = re.compile(r"(\d[\d\s  .]*\d|\d)\s*(k?)\s*€", re.IGNORECASE)


def amount_from(value) -> Decimal | None:
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace("\xa0", ""))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and 0 <= amount < Decimal("1e10") else None


def clean_events(
    raw_events, first_phase_start: datetime.date | None, fast: dict | None
) -> tuple[list[CleanEvent], list[Correction]]:
    corrections: list[Correction] = []
    if raw_events is None:
        raw_events = []
    if not isinstance(raw_events, list):
        raise SourceError("« events » n'est pas une liste")
    events: list[CleanEvent] = []
    for number, raw in enumerate(raw_events, 1):
        if not isinstance(raw, dict) or not raw.get("date"):
            corrections.append(
                Correction(
                    CorrectionKind.INVALID_VALUE, f"Événement n°{number} sans date : écarté."
                )
            )
            continue
        name = str(raw.get("name") or "").strip()
        day = as_date(raw["date"], f"events n°{number}, date")
        comment = str(raw.get("comment") or "").strip()
        if name in EventKind.values:
            kind = EventKind(name)
        else:
            kind = EventKind.OTHER
            corrections.append(
                Correction(
                    CorrectionKind.UNKNOWN_EVENT,
                    f"Événement « {name} » du {fr_date(day)} : nom inconnu, classé « Autre ».",
                )
            )
        event = CleanEvent(kind, day, comment, source_name=name[:100])
        if kind == EventKind.FAST:
            event.promotion, event.amount = fast_details(comment, fast)
        if first_phase_start and day < first_phase_start:
            corrections.append(
                Correction(
                    CorrectionKind.EVENT_BEFORE_FIRST_PHASE,
                    f"{kind.label} le {fr_date(day)}, avant la première phase ({fr_date(first_phase_start)}) : conservé.",
                )
            )
        events.append(event)
    events.sort(key=lambda e: e.date)
    return events, corrections


def fast_details(comment: str, fast: dict | None) -> tuple[int | None, Decimal | None]:
    """Promotion and amount of a FAST event: from its comment, else from the startup's `fast`."""
    promotion = amount = None
    if match := PROMOTION.search(comment):
        promotion = int(match.group(1))
    if match := AMOUNT.search(comment):
        amount = amount_from(match.group(1))
        if amount is not None and match.group(2):
            amount *= 1000
    if isinstance(fast, dict):
        if promotion is None and str(fast.get("promotion", "")).isdigit():
            promotion = int(fast["promotion"])
        if amount is None and fast.get("montant") is not None:
            amount = amount_from(fast["montant"])
    return promotion, amount


# --- Records ----------------------------------------------------------------------------------
def organisation_record(source: SourceFile) -> OrganisationRecord:
    data = source.front_matter
    values = ValueCleaner()
    name = values.text(data, "name", 300)
    if not name:
        raise SourceError("pas de nom (champ « name »)")
    return OrganisationRecord(
        source,
        {
            "name": name,
            "acronym": values.text(data, "acronym", 100),
            "type": values.text(data, "type", 100),
            "ministerial_domain": values.text(data, "domaine_ministeriel", 100),
        },
    )


def incubator_record(source: SourceFile) -> IncubatorRecord:
    data = source.front_matter
    values = ValueCleaner()
    # `name` and `adresse`: the oldest layout's words (rule 13).
    title = values.text(data, "title", 300) or values.text(data, "name", 300)
    if not title:
        raise SourceError("pas de titre (champ « title »)")
    owner = values.text(data, "owner")
    return IncubatorRecord(
        source,
        {
            "title": title,
            "short_description": values.text(data, "short_description"),
            "website": values.url(data, "website"),
            "github": values.url(data, "github"),
            "contact": values.text(data, "contact", 300),
            "address": values.text(data, "address", 500) or values.text(data, "adresse", 500),
            "highlighted_startups": values.strings(data, "highlighted_startups"),
            "description": source.body,
        },
        owner_id=owner_id(owner) or None if owner else None,
        owner_name=owner[:300],
    )


def incubator_members(source: SourceFile) -> list[str]:
    """The startups an incubator file of the oldest layout lists (`startups:`), by id."""
    members = source.front_matter.get("startups")
    if not isinstance(members, list):
        return []
    return [reference_id(m) for m in members if isinstance(m, str | int) and str(m).strip()]


def startup_record(
    source: SourceFile, today: datetime.date, members: dict[str, str] | None = None
) -> StartupRecord:
    """`members`: {startup id: incubator id} from the incubator files listing their startups
    (the oldest layout, rule 13)."""
    data = source.front_matter
    values = ValueCleaner()
    title = values.text(data, "title", 300)
    if not title:
        raise SourceError("pas de titre (champ « title »)")
    old_format = is_old_format(data)
    old_corrections: list[Correction] = []
    incubator = values.text(data, "incubator")
    co_incubators = [reference_id(i) for i in values.strings(data, "incubators")]
    if not incubator and co_incubators:
        incubator = co_incubators[0]
    if not incubator and old_format:
        incubator = (members or {}).get(source.id)
        if incubator:
            said = f"incubateur « {incubator} », dont la fiche liste la startup"
        else:
            incubator = UNKNOWN_INCUBATOR
            said = "incubateur inconnu (aucune fiche d'incubateur ne liste la startup)"
        old_corrections.append(
            Correction(
                CorrectionKind.OLD_FORMAT, f"Ancien format : pas de champ incubator ; {said}."
            )
        )
    if not incubator:
        raise SourceError("pas d'incubateur (champ « incubator »)")
    incubator = reference_id(incubator)

    raw_phases = data.get("phases")
    if old_format:
        raw_phases, read = old_format_phases(data)
        old_corrections = read + old_corrections
    phases, corrections = clean_phase_history(raw_phases, today)
    corrections = old_corrections + corrections
    fast = data.get("fast") if isinstance(data.get("fast"), dict) else None
    events, event_corrections = clean_events(
        data.get("events"), phases[0].start if phases else None, fast
    )

    accessibility = values.text(data, "accessibility_status").lower()
    if accessibility and accessibility not in AccessibilityStatus.values:
        values.invalid.append(f"accessibility_status « {accessibility} » inconnu")
        accessibility = ""
    fast_promotion, fast_amount = fast_details("", fast)

    fields = {
        "title": title,
        "mission": values.text(data, "mission"),
        "description": source.body,
        "contact": values.text(data, "contact", 300),
        "link": values.url(data, "link"),
        "repository": values.url(data, "repository"),
        "stats_url": values.url(data, "stats_url"),
        "has_stats_page": values.boolean(data, "stats"),
        "impact_url": values.url(data, "impact_url"),
        "budget_url": values.url(data, "budget_url"),
        "dashlord_url": values.url(data, "dashlord_url"),
        "user_types": values.strings(data, "usertypes"),
        "themes": values.strings(data, "thematiques"),
        "technologies": values.strings(data, "techno"),
        "accessibility_status": accessibility,
        "risk_analysis_done": values.boolean(data, "analyse_risques"),
        "risk_analysis_url": values.url(data, "analyse_risques_url"),
        "mon_service_securise": values.boolean(data, "mon_service_securise"),
        "fast_promotion": fast_promotion,
        "fast_amount": fast_amount,
    }
    sponsors = []
    for sponsor in values.strings(data, "sponsors"):
        sponsor_id = reference_id(sponsor)
        if sponsor_id and sponsor_id not in sponsors:
            sponsors.append(sponsor_id)
    sponsor_names = {}
    owner = values.text(data, "owner", 300)
    if owner and "sponsors" not in data:
        sponsor_id = owner_id(owner)
        if sponsor_id:
            sponsors.append(sponsor_id)
            sponsor_names[sponsor_id] = owner
            corrections.append(
                Correction(
                    CorrectionKind.OLD_FORMAT,
                    f"Ancien format : porteur « {owner} » (champ owner) lu comme sponsor "
                    f"« {sponsor_id} ».",
                )
            )
    return StartupRecord(
        source=source,
        fields=fields,
        incubator_id=incubator,
        co_incubator_ids=[i for i in dict.fromkeys(co_incubators) if i != incubator],
        sponsor_ids=sponsors,
        phases=phases,
        events=events,
        corrections=corrections + event_corrections + values.corrections(),
        sponsor_names=sponsor_names,
    )
