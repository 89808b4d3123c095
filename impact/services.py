"""Writes to impact data: the CSV import of measurements.

The file is `indicator;period;value` (optional header, optional 4th and 5th columns `source` and
`comment`), UTF-8 with or without BOM. Every line is checked first; then the good lines are
written in one transaction, each inside its own savepoint: a good line is saved whole, a bad
line is reported with its number and the reason, in French, and nothing is half-written.
A value for a period that already has one corrects it (the history keeps the old value).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import DatabaseError, transaction

from impact.models import Indicator, Measurement, PeriodKind
from startups.models import today
from startups.text import normalise

IMPORT_REASON = "import CSV"
HEADER = ["indicator", "period", "value"]
HEADER_ALIASES = {"indicator", "indicateur"}
MAX_LINES = 20_000
# DecimalField(max_digits=20, decimal_places=4): at most 16 digits before the comma.
MAX_VALUE = Decimal(10) ** 16

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FRENCH_MONTH = re.compile(r"^(\d{1,2})/(\d{4})$")
_FRENCH_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


class LineError(ValueError):
    pass


@dataclass
class LineProblem:
    number: int
    text: str
    reason: str


@dataclass
class MeasurementImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[LineProblem] = field(default_factory=list)
    # Set when the file as a whole could not be read: then no line was looked at.
    fatal: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.fatal

    @property
    def saved(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        if self.fatal:
            return self.fatal
        return (
            f"{self.created} valeur(s) ajoutée(s), {self.updated} corrigée(s), "
            f"{self.unchanged} inchangée(s), {len(self.problems)} ligne(s) refusée(s)."
        )


def parse_period(text: str) -> tuple[str, date]:
    """« 2025-03 » (a month), « 2025-03-15 » (a day); the French « 03/2025 », « 15/03/2025 »."""
    text = text.strip()
    try:
        if match := _MONTH.match(text):
            return PeriodKind.MONTH, date(int(match[1]), int(match[2]), 1)
        if match := _FRENCH_MONTH.match(text):
            return PeriodKind.MONTH, date(int(match[2]), int(match[1]), 1)
        if match := _DAY.match(text):
            return PeriodKind.DAY, date(int(match[1]), int(match[2]), int(match[3]))
        if match := _FRENCH_DAY.match(text):
            return PeriodKind.DAY, date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        raise LineError(
            f"période impossible « {text} » (ce jour ou ce mois n'existe pas)"
        ) from None
    raise LineError(
        f"période illisible « {text} » : écrivez un mois « 2025-03 » ou un jour « 2025-03-15 »"
    )


def parse_value(text: str) -> Decimal:
    """Decimal comma or point; spaces between thousands are allowed."""
    cleaned = _SPACES.sub("", text).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not cleaned:
        raise LineError(f"valeur non numérique « {text.strip()} »")
    if abs(value) >= MAX_VALUE:
        raise LineError(f"valeur trop grande « {text.strip()} »")
    if value != value.quantize(Decimal("0.0001")):
        value = value.quantize(Decimal("0.0001"))
    return value


@dataclass
class _GoodLine:
    number: int
    text: str
    indicator: Indicator
    kind: str
    start: date
    value: Decimal
    source: str
    comment: str


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LineError(
            "Le fichier n'est pas en UTF-8 (sans doute en Windows-1252 / « CSV » d'Excel) : "
            "enregistrez-le au format « CSV UTF-8 (délimité par des points-virgules) » puis "
            "recommencez. Aucune valeur n'a été enregistrée."
        ) from None


def _check_line(number: int, line: str, indicators: dict, on: date) -> _GoodLine:
    if "\x00" in line:
        raise LineError("caractère nul dans la ligne : fichier binaire ou mal encodé ?")
    if ";" not in line:
        separator = next((s for s in (",", "\t") if s in line), None)
        if separator:
            name = "la virgule" if separator == "," else "la tabulation"
            raise LineError(f"séparateur attendu « ; » ({name} n'est pas acceptée)")
        raise LineError("trois colonnes attendues : indicateur;période;valeur")
    cells = [cell.strip() for cell in line.split(";")]
    if len(cells) < 3 or len(cells) > 5:
        raise LineError(
            f"{len(cells)} colonne(s) au lieu de 3 (indicateur;période;valeur, "
            "puis source et commentaire facultatifs)"
        )
    name, period, value_text = cells[:3]
    source = cells[3] if len(cells) > 3 else ""
    comment = cells[4] if len(cells) > 4 else ""
    if not name:
        raise LineError("indicateur manquant")
    indicator = indicators.get(normalise(name)) or indicators.get(name)
    if indicator is None:
        raise LineError(f"indicateur inconnu « {name} » pour cette startup")
    kind, start = parse_period(period)
    if start > on:
        raise LineError(f"période dans le futur « {period} »")
    if not value_text:
        raise LineError("valeur manquante")
    value = parse_value(value_text)
    if value < 0 and not indicator.can_be_negative:
        raise LineError(f"valeur négative impossible pour « {indicator.name} »")
    if len(source) > 500:
        raise LineError("source trop longue (500 caractères au plus)")
    return _GoodLine(number, line, indicator, kind, start, value, source, comment)


def import_measurements(*, startup, file, by=None) -> MeasurementImportReport:
    """Import `indicator;period;value` lines for `startup`'s indicators; see the module doc.

    `file` is bytes, a str, or a file object (an upload). `by` is the user recorded in history.
    """
    report = MeasurementImportReport()
    content = file if isinstance(file, bytes | str) else file.read()
    try:
        text = _decode(content) if isinstance(content, bytes) else content.lstrip("\ufeff")
    except LineError as exc:
        report.fatal = str(exc)
        return report
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        report.fatal = f"Fichier trop long : {MAX_LINES} lignes au plus. Aucune valeur enregistrée."
        return report

    indicators = {}
    for indicator in Indicator.objects.filter(startup=startup):
        indicators[normalise(indicator.name)] = indicator
        indicators[str(indicator.pk)] = indicator
    on = today()
    good: list[_GoodLine] = []
    seen: dict[tuple, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if number == 1 and normalise(line.split(";")[0]) in HEADER_ALIASES:
            continue
        try:
            checked = _check_line(number, line, indicators, on)
        except LineError as exc:
            report.problems.append(LineProblem(number, line, str(exc)))
            continue
        key = (checked.indicator.pk, checked.kind, checked.start)
        if key in seen:
            report.problems.append(
                LineProblem(
                    number,
                    line,
                    f"ligne en double : même indicateur et même période que la ligne {seen[key]} "
                    "(seule la première est gardée)",
                )
            )
            continue
        seen[key] = number
        good.append(checked)

    if good:
        _write(good, report, by)
    report.problems.sort(key=lambda problem: problem.number)
    return report


def _write(good: list[_GoodLine], report: MeasurementImportReport, by) -> None:
    indicator_ids = {line.indicator.pk for line in good}
    with transaction.atomic():
        existing = {
            (m.indicator_id, m.period_kind, m.period_start): m
            for m in Measurement.objects.select_for_update().filter(indicator_id__in=indicator_ids)
        }
        for line in good:
            measurement = existing.get((line.indicator.pk, line.kind, line.start))
            try:
                with transaction.atomic():
                    outcome = _save_line(line, measurement, by)
            except DatabaseError as exc:
                report.problems.append(
                    LineProblem(line.number, line.text, f"refusée par la base de données : {exc}")
                )
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)


def _save_line(line: _GoodLine, measurement: Measurement | None, by) -> str:
    if measurement is None:
        measurement = Measurement(
            indicator=line.indicator,
            period_kind=line.kind,
            period_start=line.start,
            value=line.value,
            source=line.source,
            comment=line.comment,
        )
        outcome = "created"
    else:
        changes = {"value": line.value}
        # Empty optional cells keep what the row already says.
        if line.source:
            changes["source"] = line.source
        if line.comment:
            changes["comment"] = line.comment
        changed = [name for name, value in changes.items() if getattr(measurement, name) != value]
        if not changed:
            return "unchanged"
        for name in changed:
            setattr(measurement, name, changes[name])
        outcome = "updated"
    measurement._change_reason = IMPORT_REASON
    if by is not None and getattr(by, "is_authenticated", False):
        measurement._history_user = by
    measurement.save()
    return outcome
