"""The programme's money as open data: /api/v2/budget.json and .csv.

Amounts are strings with a decimal point ("1234.50"): exact, never floats. Supplier and
purchase order are published only for commitments marked `references_public`.
"""

from datetime import date

from django.http import HttpRequest, HttpResponse

from api.http import dumps, json_response, open_api_endpoint
from budgets import public
from budgets.models import Activity, PublicContract, Resource
from publishing.caching import public_page
from publishing.exports import csv_response

CSV_COLUMNS = [
    ("convention", "Référence de la convention."),
    ("tranche", "Numéro de la tranche."),
    ("startup", "Identifiant de la startup (vide pour un chantier)."),
    ("startup_nom", "Nom de la startup."),
    ("chantier", "Chantier transverse (vide pour une startup)."),
    ("date_engagement", "Date d'engagement (AAAA-MM-JJ)."),
    ("objet", "Objet de l'engagement."),
    ("marche", "Marché public utilisé."),
    ("activite", "Activité de dépense."),
    ("ressource", "Type de ressource."),
    ("montant_engage", "Montant engagé (AE), point décimal."),
    ("ht_ttc", "HT ou TTC."),
    ("montant_paye", "CP payés, point décimal."),
    ("reste_a_payer", "Reste à payer, point décimal."),
    ("fournisseur", "Fournisseur (vide sauf engagement marqué public)."),
    ("bon_de_commande", "Bon de commande (vide sauf engagement marqué public)."),
]


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


@open_api_endpoint
@public_page(depends_on=("startups", "budgets"))
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
            # The reste à payer of a year is the page's: cumulated to 31/12 of that year (or to
            # today for the year in progress), not that year's commitments minus its payments.
            {
                "annee": int(line.label),
                **figures_record(line.figures),
                "reste_a_payer": str(line.to_pay),
                "reste_a_payer_au": (line.to_pay_on or date(int(line.label), 12, 31)).isoformat(),
            }
            for line in budget["years"]
        ],
        "activites": [
            {"activite": line.label, **figures_record(line.figures)}
            for line in budget["activities"]
        ],
        "engagements": [commitment_record(row) for row in public.open_commitments()],
    }
    return json_response(dumps(payload))


@open_api_endpoint
@public_page(depends_on=("startups", "budgets"))
def budget_csv(request: HttpRequest) -> HttpResponse:
    names = [name for name, _ in CSV_COLUMNS]
    records = (commitment_record(row) for row in public.open_commitments())
    rows = ([record[name] for name in names] for record in records)
    return csv_response([names, *rows], "budget.csv", inline=True)
