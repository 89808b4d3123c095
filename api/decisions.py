"""The committees' decisions as open data: /api/v2/decisions.json and .csv (public only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from api.http import dumps, json_response, open_api_endpoint
from committees.models import Decision
from committees.selectors import public_decisions
from publishing.caching import public_page
from publishing.exports import csv_response

CSV_COLUMNS = [
    ("id", "Identifiant de la décision."),
    ("committee_date", "Date du comité (AAAA-MM-JJ)."),
    ("startup", "Identifiant de la startup."),
    ("startup_name", "Nom de la startup."),
    ("decision", "Code de la décision."),
    ("decision_label", "La décision, en clair."),
    ("amount", "Montant décidé en euros, point décimal (vide sans montant)."),
    ("effective_date", "Date d'effet (AAAA-MM-JJ)."),
    ("phase_started", "Phase engagée (vide si aucune)."),
    ("committee_url", "Page publique du comité."),
]


def decision_row(decision: Decision, request: HttpRequest) -> dict:
    dossier = decision.dossier
    return {
        "id": decision.pk,
        "committee_id": dossier.committee.pk,
        "committee_date": dossier.committee.date.isoformat(),
        "committee_url": request.build_absolute_uri(
            reverse("committees:public_committee", args=[dossier.committee.pk])
        ),
        "startup": dossier.startup.id,
        "startup_name": dossier.startup.title,
        "decision": decision.kind,
        "decision_label": decision.get_kind_display(),
        "amount": None if decision.amount is None else format(decision.amount, "f"),
        "effective_date": decision.effective_date.isoformat(),
        "phase_started": decision.phase_started or None,
    }


@open_api_endpoint
@public_page(depends_on=("startups", "committees"))
def decisions_json(request: HttpRequest) -> HttpResponse:
    rows = [decision_row(decision, request) for decision in public_decisions()]
    body = dumps(
        {
            "links": {"self": request.build_absolute_uri(request.path)},
            "data": [
                {
                    "id": str(row["id"]),
                    "type": "decision",
                    "attributes": {key: value for key, value in row.items() if key != "id"},
                    "relationships": {
                        "startup": {"data": {"type": "startup", "id": row["startup"]}}
                    },
                }
                for row in rows
            ],
        }
    )
    return json_response(body)


@open_api_endpoint
@public_page(depends_on=("startups", "committees"))
def decisions_csv(request: HttpRequest) -> HttpResponse:
    names = [name for name, _ in CSV_COLUMNS]
    records = (decision_row(decision, request) for decision in public_decisions())
    return csv_response(
        [names, *([row[name] for name in names] for row in records)], "decisions.csv"
    )
