"""Reading the members of the beta.gouv.fr corpus (`authors/`, `content/_authors/`).

Pure, like `startups.importer` (whose file reading it reuses); `startups.services` writes.
A member file is YAML front matter (fullname, role, domaine, github, link, competences,
missions, previously, the old `startups`...) and a markdown body, the bio.

Rules (each correction is recorded, none is silent; a file that breaks one of the refusing
rules is refused whole, with its reason, and the other files are kept):
1. Refused: not UTF-8, no or broken front matter, invalid YAML or impossible dates (as for
   startups), a NUL byte (PostgreSQL cannot hold it), a file over MAX_FILE_BYTES, no
   `fullname`, `missions` that is not a list, a mission that is not a mapping, a mission
   without a readable `start`, an unreadable `end`, an end before the start, a status other
   than `independent`, `admin`, `service`, startups that are not a list of ids.
2. Kept as written (beta.gouv.fr publishes them so): ids of startups (verbatim, case and
   accents kept, even when the registry has no such startup), fullname, role, domaine, link,
   github (not trimmed); the missions in source order; a list key present but empty ([]) is
   kept apart from an absent one (None).
3. Too long for its column: cut, and noted (« valeur tronquée »).
4. E-mail addresses are never kept: removed from the bio and from every value of the kept
   front matter, keys named like an e-mail (`email`, `mail`, `secondary_email`...) dropped,
   and noted (« adresse électronique retirée »). beta.gouv.fr publishes one in a bio; we do not.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from publishing.formats import fr_date
from startups.importer import Correction, SourceError, SourceFile, as_date, jsonable, read_source
from startups.models import ID_MAX_LENGTH, CorrectionKind, MissionStatus

# Bump when a rule changes: every member is then re-derived at the next import.
MEMBER_RULES_VERSION = "1"
MAX_FILE_BYTES = 1_000_000
BIO_MAX_LENGTH = 50_000
LIST_ITEM_MAX_LENGTH = 200

# An address: not a handle after a slash (`https://mastodon.social/@name` is no e-mail).
EMAIL = re.compile(r"(?<![\w/.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
EMAIL_KEY = re.compile(r"(^|_)(e-?)?mail($|_)", re.IGNORECASE)
REMOVED_EMAIL = "[adresse électronique retirée]"

# column: max length (the model's)
TEXT_FIELDS = {
    "fullname": 300,
    "role": 300,
    "domaine": 100,
    "github": 200,
    "link": 500,
    "memberType": 100,
}


@dataclass
class CleanMission:
    start: datetime.date
    end: datetime.date | None
    status: str
    employer: str = ""
    startup_ids: list[str] | None = None

    def key(self):
        return (self.start, self.end, self.status, self.employer, self.startup_ids)


@dataclass
class MemberRecord:
    source: SourceFile
    fields: dict
    missions: list[CleanMission]
    corrections: list[Correction] = field(default_factory=list)


def read_member_source(path: Path) -> SourceFile:
    """The file, read like a startup's, with the refusals of rule 1 that are the members'."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise SourceError(
            f"fichier trop volumineux ({size:,} octets, au plus {MAX_FILE_BYTES:,})".replace(
                ",", " "
            )
        )
    raw = path.read_bytes()
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise SourceError(
            f"caractère nul (octet 0x00) en position {nul} : fichier binaire ou corrompu"
        )
    source = read_source(path)
    source.sha256 = hashlib.sha256(
        f"{source.sha256}:members:{MEMBER_RULES_VERSION}".encode()
    ).hexdigest()
    return source


def without_emails(value, removed: list[str], where: str = ""):
    """`value` with every e-mail address replaced and e-mail keys dropped; `removed` gets where."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and EMAIL_KEY.search(key):
                removed.append(name)
                continue
            kept[key] = without_emails(item, removed, name)
        return kept
    if isinstance(value, list):
        return [without_emails(item, removed, where) for item in value]
    if isinstance(value, str) and EMAIL.search(value):
        removed.append(where)
        return EMAIL.sub(REMOVED_EMAIL, value)
    return value


def _text(data: dict, key: str, corrections: list[Correction]) -> str:
    value = data.get(key)
    if value is None:
        return ""
    value = value if isinstance(value, str) else str(value)
    limit = TEXT_FIELDS[key]
    if len(value) > limit:
        corrections.append(
            Correction(
                CorrectionKind.INVALID_VALUE,
                f"Valeur tronquée : {key} (plus de {limit} caractères).",
            )
        )
        value = value[:limit]
    return value


def _ids(value, where: str, *, max_length: int = ID_MAX_LENGTH) -> list[str] | None:
    """A list of ids as written; None when absent; a single id is a list of one."""
    if value is None:
        return None
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list):
        raise SourceError(f"« {where} » n'est pas une liste")
    ids = []
    for item in value:
        if item is None:
            continue
        if not isinstance(item, str | int | float):
            raise SourceError(
                f"« {where} » contient une valeur qui n'est pas un identifiant ({item!r:.60})"
            )
        text = str(item)
        if len(text) > max_length:
            raise SourceError(
                f"« {where} » contient un identifiant de plus de {max_length} caractères"
            )
        ids.append(text)
    return ids


def clean_missions(raw_missions) -> list[CleanMission]:
    """The missions in source order; refuses the file on the errors of rule 1."""
    if raw_missions is None:
        return []
    if not isinstance(raw_missions, list):
        raise SourceError("« missions » n'est pas une liste")
    missions = []
    for number, raw in enumerate(raw_missions, 1):
        where = f"missions n°{number}"
        if not isinstance(raw, dict):
            raise SourceError(f"{where} illisible ({raw!r:.60}) : une mission a start, end, status")
        if raw.get("start") in (None, ""):
            raise SourceError(f"{where} sans date de début (start)")
        start = as_date(raw["start"], f"{where}, start")
        end = as_date(raw["end"], f"{where}, end") if raw.get("end") not in (None, "") else None
        if end and end < start:
            raise SourceError(f"{where} : fin le {fr_date(end)} avant le début le {fr_date(start)}")
        status = raw.get("status")
        if status not in MissionStatus.values:
            raise SourceError(
                f"{where} : statut « {str(status)[:60]} » inconnu (independent, admin ou "
                "service attendu)"
            )
        employer = raw.get("employer")
        employer = "" if employer is None else str(employer)
        if len(employer) > 300:
            raise SourceError(f"{where} : employeur de plus de 300 caractères")
        missions.append(
            CleanMission(
                start=start,
                end=end,
                status=status,
                employer=employer,
                startup_ids=_ids(raw.get("startups"), f"{where}, startups"),
            )
        )
    return missions


def member_record(source: SourceFile) -> MemberRecord:
    corrections: list[Correction] = []
    removed: list[str] = []
    data = without_emails(source.front_matter, removed)
    bio = without_emails(source.body, removed, "bio")
    if removed:
        corrections.append(
            Correction(
                CorrectionKind.EMAIL_REMOVED,
                "Adresse électronique retirée (jamais publiée) : "
                f"{', '.join(dict.fromkeys(removed))}.",
            )
        )
    fullname = _text(data, "fullname", corrections)
    if not fullname.strip():
        raise SourceError("pas de nom (champ « fullname »)")
    if len(bio) > BIO_MAX_LENGTH:
        corrections.append(
            Correction(
                CorrectionKind.INVALID_VALUE,
                f"Valeur tronquée : bio (plus de {BIO_MAX_LENGTH} caractères).",
            )
        )
        bio = bio[:BIO_MAX_LENGTH]
    competences = _ids(data.get("competences"), "competences", max_length=10_000)
    if competences is not None and any(len(c) > LIST_ITEM_MAX_LENGTH for c in competences):
        corrections.append(
            Correction(
                CorrectionKind.INVALID_VALUE,
                f"Valeur tronquée : competences (plus de {LIST_ITEM_MAX_LENGTH} caractères).",
            )
        )
        competences = [c[:LIST_ITEM_MAX_LENGTH] for c in competences]
    fields = {
        "fullname": fullname,
        "role": _text(data, "role", corrections),
        "domaine": _text(data, "domaine", corrections),
        "github": _text(data, "github", corrections),
        "link": _text(data, "link", corrections),
        "member_type": _text(data, "memberType", corrections),
        "bio": bio,
        "competences": competences,
        "previously": _ids(data.get("previously"), "previously"),
        "legacy_startups": _ids(data.get("startups"), "startups"),
        "teams": _ids(data.get("teams"), "teams", max_length=LIST_ITEM_MAX_LENGTH),
        "source_front_matter": jsonable(data),
    }
    return MemberRecord(source, fields, clean_missions(data.get("missions")), corrections)
