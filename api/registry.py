"""Portefeuille's own shape of the registry: one startup, the CSV, incubators, organisations.

beta.gouv.fr's keys (v2.7 for a startup and the CSV, v2.6 for incubators.json and
organisations.json), corrected: real JSON escaping, null for a missing value, booleans as
booleans, every key always present, the current phase computed; served under `/api/v2/` where
beta.gouv.fr's v2 has no such resource (api.betagouv serves beta.gouv.fr's own shapes).
docs/api.md lists every difference; api.schemas types every field.

Cost: served through `publishing.caching.public_page` keyed on the registry's tables, like the
public pages: while the data does not change, a request costs at most one query (ETag and
Last-Modified, 304 to a conditional request, the body from the cache). Building a body costs a fixed number of queries whatever the number of
startups: `values()` rows, grouped in Python, no model instance per row.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse

from api.http import dumps, json_response, not_found, open_api_endpoint
from publishing.caching import public_page
from publishing.exports import csv_response
from startups.models import (
    Event,
    Incubator,
    Organisation,
    Phase,
    Startup,
)
from startups.phases import status_of


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def grouped(rows: Iterable[tuple]) -> dict[str, list[tuple]]:
    """{startup_id: [rest of each row]} from rows whose first value is the startup id."""
    groups = defaultdict(list)
    for startup_id, *rest in rows:
        groups[startup_id].append(rest)
    return groups


def phase_json(kind: str, start: date | None, end: date | None) -> dict:
    return {"name": kind, "start": iso(start), "end": iso(end)}


def stats_url(row: dict) -> str | None:
    """beta.gouv.fr's rule: `stats_url`, else the site's /stats page when `stats: true`."""
    if row["stats_url"]:
        return row["stats_url"]
    if row["has_stats_page"] and row["link"]:
        return row["link"].strip().rstrip("/") + "/stats"
    return None


# --- Loading --------------------------------------------------------------------------------
STARTUP_FIELDS = (
    "id",
    "title",
    "mission",
    "contact",
    "link",
    "repository",
    "stats_url",
    "has_stats_page",
    "impact_url",
    "budget_url",
    "dashlord_url",
    "user_types",
    "themes",
    "technologies",
    "accessibility_status",
    "risk_analysis_done",
    "risk_analysis_url",
    "mon_service_securise",
    "incubator_id",
    "current_phase_kind",
    "current_phase_start",
)
INCUBATOR_FIELDS = ("id", "title", "owner_id", "website", "github", "contact", "address")


def load_startups(startup_id: str | None = None, *, full: bool = True) -> list[dict]:
    """Startup rows with `phases`, `sponsors`, `co_incubators` (and, when `full`, `events`
    and `description`): five queries (four without `full`), one for an unknown id."""
    startups = Startup.objects.with_current_phase()
    phases = Phase.objects.all()
    events = Event.objects.all()
    sponsors = Startup.sponsors.through.objects.all()
    co_incubators = Startup.co_incubators.through.objects.all()
    if startup_id is not None:
        startups = startups.filter(pk=startup_id)
        phases, events, sponsors, co_incubators = (
            queryset.filter(startup_id=startup_id)
            for queryset in (phases, events, sponsors, co_incubators)
        )
    fields = (*STARTUP_FIELDS, "description") if full else STARTUP_FIELDS
    rows = list(startups.order_by("id").values(*fields))
    if not rows:
        return rows
    phases_of = grouped(
        phases.order_by("startup_id", "start").values_list("startup_id", "kind", "start", "end")
    )
    sponsors_of = grouped(
        sponsors.order_by("startup_id", "organisation_id").values_list(
            "startup_id", "organisation_id"
        )
    )
    co_incubators_of = grouped(
        co_incubators.order_by("startup_id", "incubator_id").values_list(
            "startup_id", "incubator_id"
        )
    )
    events_of = (
        grouped(
            events.order_by("startup_id", "date", "pk").values_list(
                "startup_id", "kind", "date", "comment"
            )
        )
        if full
        else {}
    )
    for row in rows:
        key = row["id"]
        row["phases"] = phases_of.get(key, [])
        row["events"] = events_of.get(key, [])
        row["sponsors"] = [organisation for (organisation,) in sponsors_of.get(key, [])]
        row["incubators"] = [row["incubator_id"]] + [
            incubator
            for (incubator,) in co_incubators_of.get(key, [])
            if incubator != row["incubator_id"]
        ]
    return rows


# --- Resources ------------------------------------------------------------------------------
def startup_resource(row: dict) -> dict:
    kind = row["current_phase_kind"]
    return {
        "id": row["id"],
        "type": "startup",
        "attributes": {
            # beta.gouv.fr's keys, in its order...
            "name": row["title"],
            "pitch": row["mission"] or None,
            "stats_url": stats_url(row),
            "budget_url": row["budget_url"] or None,
            "impact_url": row["impact_url"] or None,
            "link": row["link"] or None,
            "repository": row["repository"] or None,
            "contact": row["contact"] or None,
            "content_url_encoded_markdown": quote(row["description"], safe="") or None,
            "events": [
                {"name": kind_, "date": day.isoformat(), "comment": comment or None}
                for kind_, day, comment in row["events"]
            ],
            "phases": [phase_json(*phase) for phase in row["phases"]],
            "sponsors": row["sponsors"],
            "thematiques": row["themes"],
            "technos": row["technologies"],
            "analyse_risques": row["risk_analysis_done"],
            "analyse_risques_url": row["risk_analysis_url"] or None,
            "dashlord_url": row["dashlord_url"] or None,
            "accessibility_status": row["accessibility_status"] or None,
            # ...then ours.
            "usertypes": row["user_types"],
            "mon_service_securise": row["mon_service_securise"],
            "current_phase": kind,
            "current_phase_start": iso(row["current_phase_start"]),
            "lifecycle": status_of(kind).value,
        },
        "relationships": {
            "incubator": {"data": {"type": "incubator", "id": row["incubator_id"]}},
            "incubators": {
                "data": [{"type": "incubator", "id": incubator} for incubator in row["incubators"]]
            },
        },
    }


def incubator_resource(row: dict) -> dict:
    return {
        "id": row["id"],
        "type": "incubator",
        "attributes": {
            "title": row["title"],
            "owner": row["owner_id"],
            "website": row["website"] or None,
            "github": row["github"] or None,
            "contact": row["contact"] or None,
        },
    }


def self_link(request: HttpRequest) -> dict:
    return {"self": request.build_absolute_uri(request.path)}


# --- Views ----------------------------------------------------------------------------------
@open_api_endpoint
@public_page(depends_on=("startups",))
def startup_json(request: HttpRequest, startup_id: str) -> HttpResponse:
    if "\x00" in startup_id:  # PostgreSQL text cannot hold NUL: no startup has such an id
        return not_found()

    def build() -> bytes | None:
        rows = load_startups(startup_id)
        if not rows:
            return None
        row = rows[0]
        incubators = {
            incubator["id"]: incubator
            for incubator in Incubator.objects.filter(pk__in=row["incubators"]).values(
                *INCUBATOR_FIELDS
            )
        }
        return dumps(
            {
                "links": self_link(request),
                "data": startup_resource(row),
                "included": [
                    incubator_resource(incubators[incubator])
                    for incubator in row["incubators"]
                    if incubator in incubators
                ],
            }
        )

    body = build()
    if body is None:
        return not_found()
    return json_response(body)


# The columns of startups.csv: beta.gouv.fr's twelve first, then ours (docs/api.md).
CSV_COLUMNS = [
    ("id", "Identifiant beta.gouv.fr de la startup."),
    ("name", "Nom."),
    ("mission", "Mission."),
    ("start", "Début de la première phase (AAAA-MM-JJ)."),
    ("status", "Phase en cours aujourd'hui (vide si aucune n'a commencé)."),
    ("incubator", "Identifiant de l'incubateur principal."),
    ("stats", "Page de statistiques."),
    ("link", "Site du service."),
    ("repository", "Dépôt du code source."),
    ("accessibility", "Conformité au RGAA déclarée."),
    ("contact", "Contact de l'équipe."),
    ("incubators", "Tous les incubateurs, séparés par des virgules (le principal d'abord)."),
    ("current_phase_start", "Début de la phase en cours."),
    ("lifecycle", "active, handed_over (transférée ou opérée), stopped ou not_started."),
    (
        "sponsors",
        "Identifiants des organisations sponsors, séparés par « | » (ordre alphabétique).",
    ),
    ("thematiques", "Thématiques, séparées par « | »."),
    ("technos", "Technologies, séparées par « | »."),
    ("usertypes", "Publics, séparés par « | »."),
    ("impact_url", "Page d'impact."),
    ("budget_url", "Page de budget."),
    ("dashlord_url", "Rapport DashLord."),
    ("analyse_risques", "Analyse de risques faite : true, false, ou vide si non renseigné."),
]


def csv_row(row: dict) -> list:
    kind = row["current_phase_kind"]
    values = {
        "id": row["id"],
        "name": row["title"],
        "mission": row["mission"],
        "start": iso(row["phases"][0][1]) if row["phases"] else None,
        "status": kind,
        "incubator": row["incubator_id"],
        "stats": stats_url(row),
        "link": row["link"],
        "repository": row["repository"],
        "accessibility": row["accessibility_status"],
        "contact": row["contact"],
        "incubators": ",".join(row["incubators"]),
        "current_phase_start": iso(row["current_phase_start"]),
        "lifecycle": status_of(kind).value,
        "sponsors": row["sponsors"],
        "thematiques": row["themes"],
        "technos": row["technologies"],
        "usertypes": row["user_types"],
        "impact_url": row["impact_url"],
        "budget_url": row["budget_url"],
        "dashlord_url": row["dashlord_url"],
        "analyse_risques": row["risk_analysis_done"],
    }
    return [values[name] for name, _ in CSV_COLUMNS]


@open_api_endpoint
@public_page(depends_on=("startups",))
def startups_csv(request: HttpRequest) -> HttpResponse:
    header = [name for name, _ in CSV_COLUMNS]
    rows = (csv_row(row) for row in load_startups(full=False))
    return csv_response([header, *rows], "startups.csv")


@open_api_endpoint
@public_page(depends_on=("startups",))
def incubators_json(request: HttpRequest) -> HttpResponse:
    def build() -> bytes:
        phases_of = grouped(
            Phase.objects.order_by("startup_id", "start").values_list(
                "startup_id", "kind", "start", "end"
            )
        )
        startups_of = defaultdict(list)
        for startup in Startup.objects.order_by("id").values(
            "id", "title", "mission", "repository", "contact", "incubator_id"
        ):
            startups_of[startup["incubator_id"]].append(
                {
                    "id": startup["id"],
                    "name": startup["title"],
                    "pitch": startup["mission"] or None,
                    "repository": startup["repository"] or None,
                    "contact": startup["contact"] or None,
                    "phases": [phase_json(*phase) for phase in phases_of.get(startup["id"], [])],
                }
            )
        return dumps(
            {
                row["id"]: {
                    "title": row["title"],
                    "owner": row["owner_id"],
                    "contact": row["contact"] or None,
                    "address": row["address"] or None,
                    "website": row["website"] or None,
                    "github": row["github"] or None,
                    "startups": startups_of.get(row["id"], []),
                }
                for row in Incubator.objects.order_by("id").values(*INCUBATOR_FIELDS)
            }
        )

    return json_response(build())


@open_api_endpoint
@public_page(depends_on=("startups",))
def organisations_json(request: HttpRequest) -> HttpResponse:
    def build() -> bytes:
        return dumps(
            [
                {
                    "id": row["id"],
                    "name": row["name"],
                    "acronym": row["acronym"] or None,
                    "domaine_ministeriel": row["ministerial_domain"] or None,
                    "type": row["type"] or None,
                }
                for row in Organisation.objects.order_by("id").values(
                    "id", "name", "acronym", "ministerial_domain", "type"
                )
            ]
        )

    return json_response(build())
