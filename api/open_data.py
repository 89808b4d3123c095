"""The whole public API described (OpenAPI) and the open data page listing every export.

Project-level: the document and the page span the startups, budgets and committees apps.
"""

import hashlib
import json
import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from api import decisions, impact, money, openapi
from api.betagouv import CSV_COLUMNS
from api.http import json_response, max_age, open_api_endpoint

OPENAPI_BODY = json.dumps(openapi.DOCUMENT, ensure_ascii=False, indent=2).encode()
OPENAPI_ETAG = f'"{hashlib.sha256(OPENAPI_BODY).hexdigest()[:40]}"'


@open_api_endpoint
def openapi_json(request: HttpRequest) -> HttpResponse:
    response = get_conditional_response(request, etag=OPENAPI_ETAG) or json_response(OPENAPI_BODY)
    response["ETag"] = OPENAPI_ETAG
    patch_cache_control(response, public=True, max_age=max_age())
    return response


# --- The open data page ---------------------------------------------------------------------
LICENCES = {
    "cc_by_nc_sa": {
        "name": "Creative Commons BY-NC-SA 4.0",
        "url": "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr",
    },
    "licence_ouverte": {
        "name": "Licence Ouverte 2.0 (Etalab)",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
}


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = openapi.DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def type_label(schema: dict) -> str:
    labels = {
        "string": "texte",
        "boolean": "booléen",
        "array": "liste",
        "object": "objet",
        "null": "null",
        "integer": "entier",
    }
    formats = {"date": "date AAAA-MM-JJ", "uri": "URL"}
    types = schema.get("type", "object")
    types = types if isinstance(types, list) else [types]
    names = [formats.get(schema.get("format"), labels[t]) if t != "null" else "null" for t in types]
    if "const" in schema:
        return f"« {schema['const']} »"
    return " ou ".join(names)


def inline_code(text: str) -> str:
    """Plain text with `code` spans (as in the OpenAPI descriptions), as safe HTML."""
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text)))  # noqa: S308


def schema_fields(schema: dict, prefix: str = "") -> list[dict]:
    """One row per field of a schema, nested objects and lists of objects flattened."""
    rows = []
    for name, prop in resolve(schema)["properties"].items():
        target = resolve(prop)
        description = prop.get("description") or target.get("description", "")
        enum = [value for value in target.get("enum", []) if value is not None]
        rows.append(
            {
                "name": prefix + name,
                "type": type_label(target),
                "description": inline_code(description),
                "values": enum,
            }
        )
        items = resolve(target["items"]) if target.get("type") == "array" else None
        if items and "properties" in items:
            rows += schema_fields(items, f"{prefix}{name}[].")
        elif "properties" in target:
            rows += schema_fields(target, f"{prefix}{name}.")
    return rows


def csv_fields(columns) -> list[dict]:
    return [
        {"name": name, "type": "texte", "description": inline_code(description), "values": []}
        for name, description in columns
    ]


def exports() -> list[dict]:
    """Every export of the open data page: where, what format, which licence, which fields."""
    startup_fields = schema_fields(openapi.STARTUP_RESOURCE) + schema_fields(
        openapi.INCUBATOR_RESOURCE, "included[]."
    )
    return [
        {
            "title": "Startups (JSON)",
            "url": reverse("api:startups_json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Toutes les startups d'État, au format de l'API v2.7 de beta.gouv.fr "
            "(data[] : une startup ; included[] : les incubateurs).",
            "fields": startup_fields,
        },
        {
            "title": "Une startup (JSON)",
            "url": reverse("api:startup_json", args=["1000.jours"]),
            "pattern": reverse("api:startups_json").replace("startups.json", "startups/<id>.json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Une startup par identifiant, même forme qu'un élément de "
            "startups.json (data : la startup ; included : ses incubateurs). Les champs sont "
            "ceux de l'export précédent.",
            "fields": [],
        },
        {
            "title": "Startups (CSV)",
            "url": reverse("api:startups_csv"),
            "format": "CSV (UTF-8, séparateur « ; »)",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Une ligne par startup, pour un tableur. Les listes sont séparées par "
            "« | » ; une cellule qui commence par =, +, -, @ est précédée d'une apostrophe.",
            "fields": [
                {
                    "name": name,
                    "type": "texte",
                    "description": inline_code(description),
                    "values": [],
                }
                for name, description in CSV_COLUMNS
            ],
        },
        {
            "title": "Incubateurs (JSON)",
            "url": reverse("api:incubators_json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Un objet dont chaque clé est l'identifiant d'un incubateur "
            "(forme de l'API v2.6 de beta.gouv.fr).",
            "fields": schema_fields(openapi.INCUBATOR_ENTRY, "<id>."),
        },
        {
            "title": "Organisations (JSON)",
            "url": reverse("api:organisations_json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "La liste des organisations sponsors et porteuses (forme de l'API "
            "v2.6 de beta.gouv.fr).",
            "fields": schema_fields(openapi.ORGANISATION, "[]."),
        },
        {
            "title": "Budget du programme (JSON)",
            "url": reverse("api:budget_json"),
            "format": "JSON",
            "licence": LICENCES["licence_ouverte"],
            "description": "Par convention : plafond, tranches, alloué, engagé (AE), payé (CP), reste "
            "à payer, par année et par catégorie. Les références internes (bons de commande, "
            "fournisseurs) n'y figurent que lorsqu'elles sont marquées publiques.",
            "fields": schema_fields(openapi.BUDGET),
        },
        {
            "title": "Budget du programme (CSV)",
            "url": reverse("api:budget_csv"),
            "format": "CSV (UTF-8, séparateur « ; »)",
            "licence": LICENCES["licence_ouverte"],
            "description": "Une ligne par engagement, avec ses paiements cumulés.",
            "fields": csv_fields(money.CSV_COLUMNS),
        },
        {
            "title": "Décisions des comités d'investissement (JSON)",
            "url": reverse("api:decisions_json"),
            "format": "JSON",
            "licence": LICENCES["licence_ouverte"],
            "description": "Chaque décision : startup, comité, décision, montant, période.",
            "fields": schema_fields(openapi.DECISION_COLLECTION),
        },
        {
            "title": "Décisions des comités d'investissement (CSV)",
            "url": reverse("api:decisions_csv"),
            "format": "CSV (UTF-8, séparateur « ; »)",
            "licence": LICENCES["licence_ouverte"],
            "description": "Une ligne par décision.",
            "fields": csv_fields(decisions.CSV_COLUMNS),
        },
        {
            "title": "Indicateurs d'impact d'une startup (JSON et CSV)",
            "url": reverse("api:indicators_json", args=["1000.jours"]),
            "pattern": "/api/v2/startups/<id>/indicators.json (ou .csv)",
            "format": "JSON ; CSV (UTF-8, séparateur « ; »)",
            "licence": LICENCES["licence_ouverte"],
            "description": "Les indicateurs publics d'une startup, la North Star en premier, avec "
            "toutes leurs valeurs.",
            "fields": csv_fields(impact.CSV_COLUMNS),
        },
        {
            "title": "Description OpenAPI de l'API",
            "url": reverse("api:openapi_json"),
            "format": "JSON (OpenAPI 3.1)",
            "licence": LICENCES["licence_ouverte"],
            "description": "Chaque adresse, chaque champ et son type, pour générer un client.",
            "fields": [],
        },
    ]


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "api/open_data.html",
        {
            "title": "Données ouvertes",
            "exports": exports(),
            "licences": LICENCES,
            "breadcrumb_data": {"links": [], "current": "Données ouvertes"},
        },
    )
