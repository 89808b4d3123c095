"""The API described (OpenAPI, one document per version) and the open data page listing every
export, its fields read from the same generated documents.
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
from api.http import json_response, max_age, open_api_endpoint
from api.registry import CSV_COLUMNS

OPENAPI_BODIES = {
    version: json.dumps(document, ensure_ascii=False, indent=2).encode()
    for version, document in openapi.DOCUMENTS.items()
}
OPENAPI_ETAGS = {
    version: f'"{hashlib.sha256(body).hexdigest()[:40]}"'
    for version, body in OPENAPI_BODIES.items()
}


@open_api_endpoint
def openapi_json(request: HttpRequest, version: str) -> HttpResponse:
    etag = OPENAPI_ETAGS[version]
    response = get_conditional_response(request, etag=etag) or json_response(
        OPENAPI_BODIES[version]
    )
    response["ETag"] = etag
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


def resolve(schema: dict, document: dict = openapi.DOCUMENT) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def component(name: str, version: str = "2") -> dict:
    return openapi.DOCUMENTS[version]["components"]["schemas"][name]


LABELS = {
    "string": "texte",
    "boolean": "booléen",
    "array": "liste",
    "object": "objet",
    "null": "null",
    "integer": "entier",
    "number": "nombre",
}
FORMATS = {"date": "date AAAA-MM-JJ", "uri": "URL"}


def type_label(schema: dict) -> str:
    """A schema's type in French: `texte ou null`, `date AAAA-MM-JJ`, `« startup »`…"""
    if "enum" in schema:
        values = schema["enum"]
        if len(values) == 1:
            return f"« {values[0]} »"
        kinds = {"null" if value is None else "string" for value in values}
        return " ou ".join(LABELS[kind] for kind in ("string", "null") if kind in kinds)
    if "anyOf" in schema:
        labels = [
            type_label({**option, **{k: schema[k] for k in ("format",) if k in schema}})
            for option in schema["anyOf"]
        ]
        return " ou ".join(dict.fromkeys(labels))
    kind = schema.get("type", "object")
    if kind == "string" and schema.get("format") in FORMATS:
        return FORMATS[schema["format"]]
    return LABELS[kind]


def inline_code(text: str) -> str:
    """Plain text with `code` spans (as in the OpenAPI descriptions), as safe HTML."""
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text)))  # noqa: S308


def schema_fields(schema: dict, prefix: str = "", version: str = "2") -> list[dict]:
    """One row per field of a schema, nested objects and lists of objects flattened; a key
    that may be absent says so."""
    document = openapi.DOCUMENTS[version]
    schema = resolve(schema, document)
    required = set(schema.get("required", ()))
    rows = []
    for name, prop in schema["properties"].items():
        target = resolve(prop, document)
        description = prop.get("description") or target.get("description", "")
        if name not in required:
            description += " (clé absente possible)"
        enum = [value for value in target.get("enum", []) if value is not None]
        rows.append(
            {
                "name": prefix + name,
                "type": type_label(target),
                "description": inline_code(description),
                "values": enum if len(enum) > 1 else [],
            }
        )
        items = resolve(target["items"], document) if target.get("type") == "array" else None
        if items and "properties" in items:
            rows += schema_fields(items, f"{prefix}{name}[].", version)
        elif "properties" in target:
            rows += schema_fields(target, f"{prefix}{name}.", version)
    return rows


def csv_fields(columns) -> list[dict]:
    return [
        {"name": name, "type": "texte", "description": inline_code(description), "values": []}
        for name, description in columns
    ]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def exports() -> list[dict]:
    """Every export of the open data page: where, what format, which licence, which fields."""
    return [
        {
            "title": "Startups (JSON, API v2.7 de beta.gouv.fr)",
            "url": reverse("api:v2_7_startups_json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Toutes les startups d'État, dans la forme exacte de l'API v2.7 de "
            "beta.gouv.fr (data[] : une startup ; included[] : les incubateurs). Les versions "
            "v2 à v2.6 (/api/v2/startups.json … /api/v2.6/startups.json) gardent chacune leur "
            "forme, comme leurs autres ressources (startups_details.json, incubators.json, "
            "sponsors.json, organisations.json, authors.json, startups.csv).",
            "fields": schema_fields(ref("StartupV2_7"), "data[].", "2.7")
            + schema_fields(ref("IncludedIncubator"), "included[].", "2.7"),
        },
        {
            "title": "Membres du programme (JSON, API v2.7 de beta.gouv.fr)",
            "url": reverse("api:v2_7_authors_json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Les membres et leurs missions, tels que beta.gouv.fr les publie "
            "(jamais d'adresse électronique).",
            "fields": schema_fields(ref("AuthorV2_6"), "[].", "2.7"),
        },
        {
            "title": "Équipes des startups (JSON, API v2.7 de beta.gouv.fr)",
            "url": reverse("api:v2_7_startups_details_json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Pour chaque startup, ses membres actifs, passés et précédents, "
            "calculés pour le jour même.",
            "fields": schema_fields(ref("StartupDetails"), "<id>.", "2.7"),
        },
        {
            "title": "Une startup (JSON)",
            "url": reverse("api:startup_json", args=["1000.jours"]),
            "pattern": "/api/v2/startups/<id>.json",
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Une startup par identifiant, dans la forme de Portefeuille : les "
            "clés de la v2.7 de beta.gouv.fr toujours présentes, null pour une valeur absente, "
            "l'historique des phases nettoyé, la phase en cours (data : la startup ; included : "
            "ses incubateurs).",
            "fields": schema_fields(ref("OwnStartup"), "data."),
        },
        {
            "title": "Startups (CSV)",
            "url": reverse("api:startups_csv"),
            "format": "CSV (UTF-8, séparateur « ; »)",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Une ligne par startup, pour un tableur. Les listes sont séparées par "
            "« | » ; une cellule qui commence par =, +, -, @ est précédée d'une apostrophe.",
            "fields": csv_fields(CSV_COLUMNS),
        },
        {
            "title": "Incubateurs (JSON)",
            "url": reverse("api:incubators_json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "Un objet dont chaque clé est l'identifiant d'un incubateur, dans la "
            "forme de Portefeuille (celle de beta.gouv.fr : /api/v2.7/incubators.json).",
            "fields": schema_fields(ref("OwnIncubatorEntry"), "<id>."),
        },
        {
            "title": "Organisations (JSON)",
            "url": reverse("api:organisations_json"),
            "format": "JSON",
            "licence": LICENCES["cc_by_nc_sa"],
            "description": "La liste des organisations sponsors et porteuses, dans la forme de "
            "Portefeuille (celle de beta.gouv.fr : /api/v2.7/organisations.json).",
            "fields": schema_fields(ref("OwnOrganisation"), "[]."),
        },
        {
            "title": "Budget du programme (JSON)",
            "url": reverse("api:budget_json"),
            "format": "JSON",
            "licence": LICENCES["licence_ouverte"],
            "description": "Par convention : plafond, tranches, alloué, engagé (AE), payé (CP), reste "
            "à payer, par année et par catégorie. Les références internes (bons de commande, "
            "fournisseurs) n'y figurent que lorsqu'elles sont marquées publiques.",
            "fields": schema_fields(ref("Budget")),
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
            "fields": schema_fields(ref("Decisions")),
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
            "description": "Chaque adresse, chaque champ et son type, pour générer un client ; "
            "une description par version : /api/v2.1/openapi.json … /api/v2.7/openapi.json.",
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
