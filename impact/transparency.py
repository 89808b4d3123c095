"""The transparency checklist of a startup, computed from the data rather than from links alone.

Five points: source code public (a repository is set), a North Star that is present and fresh,
budget figures present (read from the budgets app), accessibility
status declared, security risk analysis done. For many startups at once it costs a fixed number
of queries: the startups' fields, their North Stars with their last periods, and one call to the
money source.

Nothing of a non-public indicator leaves this module: the checklist is public, so a North Star
that is not published is said to be so, unnamed (its name is dropped in `_state`, the one place
both the bulk query and the loaded indicator go through).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db.models import Max, Q

from budgets.selectors import startups_with_budget_figures
from impact.models import Indicator, PeriodKind, is_fresh, period_end, period_label
from publishing.compiled import compiled_query
from startups.models import AccessibilityStatus, Startup, today

POINTS = [
    ("source_code", "Code source public"),
    ("north_star", "Étoile polaire suivie et à jour"),
    ("budget", "Budget publié"),
    ("accessibility", "Statut d'accessibilité déclaré"),
    ("risk_analysis", "Analyse de risques de sécurité faite"),
]
LABELS = dict(POINTS)


@dataclass(frozen=True)
class Point:
    key: str
    label: str
    ok: bool
    detail: str
    url: str = ""


@dataclass(frozen=True)
class Checklist:
    startup_id: str
    title: str
    has_north_star: bool
    points: list[Point]

    @property
    def met(self) -> int:
        return sum(point.ok for point in self.points)

    @property
    def total(self) -> int:
        return len(self.points)

    def point(self, key: str) -> Point:
        return next(point for point in self.points if point.key == key)

    @property
    def north_star_point(self) -> Point:
        return self.point("north_star")


@dataclass(frozen=True)
class NorthStarState:
    name: str  # "" when the North Star is not public: its name is not to be published
    is_public: bool
    last_kind: str | None
    last_start: date | None


def _north_stars(indicators):
    """Each North Star's startup, name, publicity and latest month and day, as rows."""
    return (
        indicators.filter(is_north_star=True)
        .values("startup_id", "name", "is_public")
        .annotate(
            last_month=Max(
                "measurements__period_start",
                filter=Q(measurements__period_kind=PeriodKind.MONTH),
            ),
            last_day=Max(
                "measurements__period_start", filter=Q(measurements__period_kind=PeriodKind.DAY)
            ),
        )
    )


def _north_star_states() -> dict[str, NorthStarState]:
    """One query: each startup's North Star (public or not) and its latest month and day, of
    every startup that has one (at most one per startup)."""
    return {row["startup_id"]: _state_of(row) for row in _north_stars(Indicator.objects.all())}


@compiled_query(startup_id="\x00startup")
def _north_star_of(startup_id: str):
    """One startup's North Star as `_north_stars` reads it (a startup page built fresh runs
    this on every build: compiled once)."""
    return _north_stars(Indicator.objects.filter(startup_id=startup_id))


def _north_star_state(startup_id: str) -> NorthStarState | None:
    """One query: the startup's North Star state, None without one."""
    rows = _north_star_of.rows(startup_id=startup_id)
    return _state_of(rows[0]) if rows else None


def _state_of(row: dict) -> NorthStarState:
    return _state(row["name"], row["is_public"], row["last_month"], row["last_day"])


def _state(
    name: str, is_public: bool, last_month: date | None, last_day: date | None
) -> NorthStarState:
    candidates = []
    if last_month:
        candidates.append((PeriodKind.MONTH, last_month))
    if last_day:
        candidates.append((PeriodKind.DAY, last_day))
    # The period that ends last: a month ends on its last day.
    latest = max(candidates, key=lambda c: period_end(*c), default=(None, None))
    return NorthStarState(name if is_public else "", is_public, *latest)


def north_star_state_of(
    indicator: Indicator | None, measurements: Iterable
) -> NorthStarState | None:
    """The same state from an indicator already loaded with its measurements (no query)."""
    if indicator is None:
        return None
    last = {}
    for measurement in measurements:
        kind = measurement.period_kind
        if kind not in last or measurement.period_start > last[kind]:
            last[kind] = measurement.period_start
    return _state(
        indicator.name, indicator.is_public, last.get(PeriodKind.MONTH), last.get(PeriodKind.DAY)
    )


@cache
def _shared(key: str, ok: bool, detail: str) -> Point:
    """A point without a link, the same for every startup in that case: one instance (they are
    frozen) instead of five new ones per startup, ~1 000 startups on the impact page."""
    return Point(key, LABELS[key], ok, detail)


def _checklist(
    row: dict, north_star: NorthStarState | None, has_budget: bool, on: date
) -> Checklist:
    repository = row["repository"]
    if north_star is None:
        star = _shared("north_star", False, "aucune étoile polaire définie")
    elif not north_star.is_public:
        star = _shared("north_star", False, "l'étoile polaire n'est pas publiée")
    elif north_star.last_start is None:
        star = Point(
            "north_star",
            LABELS["north_star"],
            False,
            f"« {north_star.name} » : aucune valeur mesurée",
        )
    else:
        star_ok = is_fresh(north_star.last_kind, north_star.last_start, True, on)
        last = period_label(north_star.last_kind, north_star.last_start)
        state = "à jour" if star_ok else "pas à jour"
        star = Point(
            "north_star",
            LABELS["north_star"],
            star_ok,
            f"« {north_star.name} » : dernière valeur {last}, {state}",
        )
    accessibility = row["accessibility_status"]
    risk = row["risk_analysis_done"]
    return Checklist(
        row["id"],
        row["title"],
        north_star is not None,
        [
            Point("source_code", LABELS["source_code"], True, "voir le dépôt de code", repository)
            if repository
            else _shared("source_code", False, "aucun dépôt de code renseigné"),
            star,
            _shared(
                "budget",
                has_budget,
                "montants engagés et payés publiés" if has_budget else "aucun chiffre budgétaire pour l'instant",
            ),
            _shared(
                "accessibility",
                bool(accessibility),
                AccessibilityStatus(accessibility).label if accessibility else "non déclaré",
            ),
            _shared(
                "risk_analysis",
                risk is True,
                {True: "faite", False: "non faite", None: "non renseignée"}[risk],
            ),
        ],
    )  # fmt: skip


FIELDS = ["id", "title", "repository", "accessibility_status", "risk_analysis_done"]


@dataclass(frozen=True)
class RegistryInputs:
    """What checklists are built from besides money: the startups' fields and the North Stars
    (registry and impact data only, so a page can keep them while payments are recorded)."""

    rows: list[dict]
    north_stars: dict[str, NorthStarState]


def registry_inputs(startups) -> RegistryInputs:
    """The inputs of `checklists` that are not money, for a queryset or ids: two queries.

    The North Stars are read whole, not for the listed ids: at most one row per startup, and a
    list of a thousand ids (the impact page's) cost more to send and match than those rows."""
    if not hasattr(startups, "values"):
        startups = Startup.objects.filter(pk__in=list(startups))
    return RegistryInputs(list(startups.order_by().values(*FIELDS)), _north_star_states())


def checklists(
    startups=None, on: date | None = None, *, inputs: RegistryInputs | None = None
) -> dict[str, Checklist]:
    """Checklists of many startups (a queryset or ids): three queries and one money call, or
    the money call alone given their `registry_inputs`. The funded startups are read whole, as
    the North Stars (~16 ms for the two with a thousand ids, ~1.5 ms whole, at 6 620 startups)."""
    on = on or today()
    inputs = inputs or registry_inputs(startups)
    rows, stars = inputs.rows, inputs.north_stars
    with_budget = startups_with_budget_figures()
    return {
        row["id"]: _checklist(row, stars.get(row["id"]), row["id"] in with_budget, on)
        for row in rows
    }


def checklist_for(
    startup: Startup,
    *,
    north_star: Indicator | None = None,
    measurements: Iterable | None = None,
    has_budget: bool | None = None,
    on: date | None = None,
) -> Checklist:
    """One startup's checklist. Given its North Star already loaded with its measurements (the
    impact page has them), no query; otherwise one query. Plus the money source, unless
    `has_budget` says it (the startup page has read its budget block already)."""
    on = on or today()
    if measurements is not None:
        state = north_star_state_of(north_star, measurements)
    else:
        state = _north_star_state(startup.pk)
    row = {name: getattr(startup, name) for name in FIELDS}
    if has_budget is None:
        has_budget = startup.pk in startups_with_budget_figures([startup.pk])
    return _checklist(row, state, has_budget, on)


def summary(lists: Iterable[Checklist]) -> list[dict]:
    """[{key, label, count, total}]: how many startups meet each point."""
    lists = list(lists)
    counts = {key: 0 for key, _ in POINTS}
    for checklist in lists:
        for point in checklist.points:
            counts[point.key] += point.ok
    return [
        {"key": key, "label": label, "count": counts[key], "total": len(lists)}
        for key, label in POINTS
    ]
