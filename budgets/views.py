"""Public pages of budgets: /budget/ and the open data /api/v2/budget.json and .csv.

Amounts in the open data are strings with a decimal point ("1234.50"): exact, never floats.
Supplier and purchase order are published only for commitments marked `references_public`.
"""

import csv
import io
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from budgets import public
from budgets.models import Activity, PublicContract, Resource
from portfolio.caching import MONEY, REGISTRY, public_page
from portfolio.csv_safety import neutralise
from startups.api import open_api_endpoint

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).

CSV_COLUMNS = [
    "convention",
    "tranche",
    "startup",
    "startup_nom",
    "chantier",
    "date_engagement",
    "objet",
    "marche",
    "activite",
    "ressource",
    "montant_engage",
    "ht_ttc",
    "montant_paye",
    "reste_a_payer",
    "fournisseur",
    "bon_de_commande",
]


def csv_cell(value) -> str:
    return neutralise("" if value is None else str(value))


def commitment_record(row: dict) -> dict:
    """One commitment as published: staff-only references are None unless marked public."""
    shown = row["references_public"]
    return {
        "convention": row["allocation__tranche__convention__reference"],
        "tranche": row["allocation__tranche__number"],
        "startup": row["allocation__startup_id"],
        "startup_nom": row["allocation__startup__title"],
        "chantier": row["allocation__workstream"] or None,
        "date_engagement": row["committed_on"].isoformat(),
        "objet": row["label"],
        "marche": PublicContract(row["public_contract"]).label,
        "activite": Activity(row["activity"]).label,
        "ressource": Resource(row["resource"]).label,
        "montant_engage": str(row["amount"]),
        "ht_ttc": row["tax_basis"],
        "montant_paye": str(row["paid_total"]),
        "reste_a_payer": str(row["amount"] - row["paid_total"]),
        "fournisseur": row["supplier"] if shown else None,
        "bon_de_commande": row["purchase_order"] if shown else None,
    }


def figures_record(figures) -> dict:
    return {
        "alloue": str(figures.allocated),
        "engage": str(figures.committed),
        "paye": str(figures.paid),
        "reste_a_payer": str(figures.to_pay),
    }


@require_safe
@public_page(depends_on=REGISTRY + MONEY)
def budget_page(request: HttpRequest) -> HttpResponse:
    budget = public.programme_budget()
    return render(
        request,
        "budgets/budget.html",
        {
            "title": "Budget du programme",
            "budget": budget,
            "chart": public.year_chart(budget["years"]),
            "breadcrumb_data": {"links": [], "current": "Budget"},
        },
    )


@open_api_endpoint
@public_page(depends_on=REGISTRY + MONEY)
def budget_json(request: HttpRequest) -> HttpResponse:
    budget = public.programme_budget()
    payload = {
        "date": budget["on"].isoformat(),
        "unite": "euros, chaînes décimales au centime",
        "total": figures_record(budget["total"]),
        "conventions": [
            {
                "reference": c.reference,
                "intitule": c.title,
                "type": c.get_kind_display(),
                "statut": c.get_status_display(),
                "delegant": c.delegant.name,
                "delegataire": c.delegataire.name,
                "debut": c.start.isoformat(),
                "fin": c.current_end.isoformat(),
                "plafond": str(c.current_ceiling),
                "tranches_ae": str(c.released_total),
                "tranches_cp": str(c.released_cp_total),
                "programme": c.programme,
                "bop": c.bop,
                "uo": c.uo,
                "domaine_fonctionnel": c.functional_domain,
                **figures_record(c.figures),
            }
            for c in budget["conventions"]
        ],
        "annees": [
            {"annee": int(line.label), **figures_record(line.figures)} for line in budget["years"]
        ],
        "activites": [
            {"activite": line.label, **figures_record(line.figures)}
            for line in budget["activities"]
        ],
        "engagements": [commitment_record(row) for row in public.open_commitments()],
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@open_api_endpoint
@public_page(depends_on=REGISTRY + MONEY)
def budget_csv(request: HttpRequest) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in public.open_commitments():
        record = commitment_record(row)
        writer.writerow([csv_cell(record[column]) for column in CSV_COLUMNS])
    response = HttpResponse(out.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="budget.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
