"""The OpenAPI 3.1 documents of the API, generated from the typed schemas (`api.schemas`).

One document per version: `/api/v2.N/openapi.json` describes beta.gouv.fr's resources of that
version; `/api/v2/openapi.json` those of v2 and Portefeuille's own (one startup, budget,
decisions, indicators, `/api/v2/`'s CSV, incubators and organisations). The schemas come from
`msgspec.json.schema_components`; only the operations' wording (summary, description) is
written here. The open data page (`/donnees/`, `api.open_data`) lists fields from the same
documents, and the tests validate every response against them.
"""

import msgspec

from api import betagouv, decisions, impact, money, registry, schemas
from api.betagouv import minor

API_VERSION = "3.0.0"
REF = "#/components/schemas/{name}"

# beta.gouv.fr's resources: the schema of each, by version (None: a CSV file).
BETAGOUV_SCHEMAS = {
    "startups.json": lambda m: betagouv.STARTUPS[m],
    "startups_details.json": lambda m: schemas.StartupsDetails,
    "incubators.json": lambda m: schemas.Incubators,
    "sponsors.json": lambda m: schemas.Sponsors,
    "organisations.json": lambda m: schemas.OrganisationsV2_6,
    "authors.json": lambda m: schemas.AuthorsV2_6 if m >= 6 else schemas.AuthorsV2_5,
    "startups.csv": lambda m: None,
}
BETAGOUV_SUMMARIES = {
    "startups.json": "Toutes les startups et les incubateurs visibles (JSON:API)",
    "startups_details.json": "Chaque startup et ses membres (actifs, passés, précédents)",
    "incubators.json": "Chaque incubateur et ses startups",
    "sponsors.json": "Chaque organisation, par identifiant",
    "organisations.json": "La liste des organisations (valeurs échappées en HTML)",
    "authors.json": "Les membres du programme et leurs missions",
    "startups.csv": "Toutes les startups, une ligne chacune",
}
BETAGOUV_CSV = (
    "Texte du gabarit Liquid de beta.gouv.fr : UTF-8, séparateur « ; », l'en-tête "
    "`{header}`, une ligne vide, une ligne par startup, une ligne vide. `name`, `mission`, "
    "`accessibility`{incubators} entre guillemets, sans échappement ; `start` : début de la "
    "première phase ; `status` : nom de la dernière phase de la fiche ; `stats`, `link`, "
    "`repository` absents : le texte `null`."
)


def csv_description(columns: list[tuple[str, str]]) -> str:
    return (
        "UTF-8 sans BOM, séparateur « ; », une ligne d'en-tête, guillemets doubles quand une "
        "cellule en contient ou contient « ; » ou un retour à la ligne (RFC 4180). Une cellule "
        "qui commence par =, +, -, @, une tabulation ou un retour chariot est précédée d'une "
        "apostrophe (injection de formules). Colonnes : "
        + ", ".join(f"`{name}` ({description})" for name, description in columns)
    )


CONDITIONAL_PARAMETERS = [
    {"$ref": "#/components/parameters/IfNoneMatch"},
    {"$ref": "#/components/parameters/IfModifiedSince"},
]
STARTUP_ID_PARAMETER = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "Identifiant de la startup, encodé en URL "
    "(`1000.jours`, `donn%C3%A9es-et-territoires`).",
    "schema": {"type": "string"},
}
NOT_MODIFIED = {"description": "Pas de changement depuis la version que le client possède."}
CACHE_HEADERS = {
    "ETag": {"$ref": "#/components/headers/ETag"},
    "Last-Modified": {"$ref": "#/components/headers/Last-Modified"},
}


def operation(
    operation_id: str,
    summary: str,
    schema,
    *,
    description: str = "",
    media: str = "application/json",
    path_id: bool = False,
) -> dict:
    """A GET answered 200 with `schema` (a type, or None for a text body), or 304."""
    body = {"type": "string"} if schema is None else schema
    responses = {
        "200": {
            "description": summary,
            "headers": CACHE_HEADERS,
            "content": {media: {"schema": body}},
        },
        "304": NOT_MODIFIED,
    }
    if path_id:
        responses["404"] = {
            "description": "Aucune startup n'a cet identifiant.",
            "content": {"application/json": {"schema": schemas.Error}},
        }
    get = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [STARTUP_ID_PARAMETER, *CONDITIONAL_PARAMETERS]
        if path_id
        else CONDITIONAL_PARAMETERS,
        "responses": responses,
    }
    if description:
        get["description"] = description
    return {"get": get}


def camel(resource: str) -> str:
    stem, _, extension = resource.partition(".")
    words = stem.split("_")
    return "".join(word.capitalize() for word in words) + extension.capitalize()


def betagouv_paths(version: str) -> dict:
    m = minor(version)
    paths = {}
    for resource in betagouv.resources_of(version):
        csv = resource.endswith(".csv")
        description = (
            BETAGOUV_CSV.format(
                header=betagouv.CSV_HEADER + (";incubators" if m >= 7 else ""),
                incubators=", `incubators` (séparés par des virgules)" if m >= 7 else "",
            )
            if csv
            else f"Forme de l'API v{version} de beta.gouv.fr (docs/api.md)."
        )
        paths[f"/{resource}"] = operation(
            f"get{camel(resource)}",
            BETAGOUV_SUMMARIES[resource],
            BETAGOUV_SCHEMAS[resource](m),
            description=description,
            media="text/csv" if csv else "application/json",
        )
    return paths


def own_paths() -> dict:
    return {
        "/startups.csv": operation(
            "listStartupsCsv",
            "Toutes les startups, en CSV (Portefeuille)",
            None,
            description=csv_description(registry.CSV_COLUMNS),
            media="text/csv",
        ),
        "/startups/{id}.json": operation(
            "getStartup",
            "Une startup, avec ses incubateurs inclus (Portefeuille)",
            schemas.OwnStartupDocument,
            path_id=True,
        ),
        "/incubators.json": operation(
            "listIncubators",
            "Tous les incubateurs et leurs startups (Portefeuille)",
            schemas.OwnIncubators,
        ),
        "/organisations.json": operation(
            "listOrganisations", "Toutes les organisations (Portefeuille)", schemas.OwnOrganisations
        ),
        "/budget.json": operation(
            "getBudget",
            "Le budget du programme (AE engagées, CP payés, reste à payer)",
            schemas.Budget,
            description="Montants en chaînes décimales au centime (« 1234.50 »), jamais en "
            "nombres flottants. Licence Ouverte 2.0.",
        ),
        "/budget.csv": operation(
            "getBudgetCsv",
            "Les engagements du programme, en CSV",
            None,
            description=csv_description(money.CSV_COLUMNS),
            media="text/csv",
        ),
        "/decisions.json": operation(
            "listDecisions",
            "Les décisions publiées des comités d'investissement",
            schemas.Decisions,
            description="Licence Ouverte 2.0.",
        ),
        "/decisions.csv": operation(
            "listDecisionsCsv",
            "Les décisions publiées, en CSV",
            None,
            description=csv_description(decisions.CSV_COLUMNS),
            media="text/csv",
        ),
        "/startups/{id}/indicators.json": operation(
            "getStartupIndicators",
            "Les indicateurs d'impact publics d'une startup et leurs valeurs",
            schemas.Indicators,
            description="Licence Ouverte 2.0.",
            path_id=True,
        ),
        "/startups/{id}/indicators.csv": operation(
            "getStartupIndicatorsCsv",
            "Les valeurs des indicateurs publics d'une startup, en CSV",
            None,
            description=csv_description(impact.CSV_COLUMNS)
            + " Une ligne par valeur ; un indicateur sans valeur a une ligne aux colonnes de "
            "valeur vides.",
            media="text/csv",
            path_id=True,
        ),
    }


OPENAPI_PATH = {
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "Cette description",
            "responses": {
                "200": {
                    "description": "Le document OpenAPI 3.1.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
}

COMPONENTS = {
    "parameters": {
        "IfNoneMatch": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "ETag d'une réponse précédente : 304 si rien n'a changé.",
            "schema": {"type": "string"},
        },
        "IfModifiedSince": {
            "name": "If-Modified-Since",
            "in": "header",
            "required": False,
            "description": "Last-Modified d'une réponse précédente : 304 si rien n'a changé "
            "(ignoré quand If-None-Match est présent).",
            "schema": {"type": "string"},
        },
    },
    "headers": {
        "ETag": {
            "description": "Version des données (change à chaque modification et chaque jour).",
            "schema": {"type": "string"},
        },
        "Last-Modified": {
            "description": "Dernière modification des données (au plus tôt, minuit du jour).",
            "schema": {"type": "string"},
        },
    },
}


def generated(paths: dict) -> tuple[dict, dict]:
    """`paths` with each schema type replaced by its JSON Schema, and the components."""
    types = []
    for item in paths.values():
        for response in item["get"]["responses"].values():
            for content in response.get("content", {}).values():
                if not isinstance(content["schema"], dict):
                    types.append(content["schema"])
    generated_schemas, components = msgspec.json.schema_components(types, ref_template=REF)
    by_type = dict(zip(map(id, types), generated_schemas, strict=True))
    for item in paths.values():
        for response in item["get"]["responses"].values():
            for content in response.get("content", {}).values():
                if not isinstance(content["schema"], dict):
                    content["schema"] = by_type[id(content["schema"])]
    return paths, components


def document(version: str) -> dict:
    """The OpenAPI document of `/api/v{version}/`."""
    paths = betagouv_paths(version)
    if version == "2":
        paths |= own_paths()
    paths |= OPENAPI_PATH
    paths, components = generated(paths)
    own = version == "2"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Portefeuille des startups d'État — API v{version}",
            "version": API_VERSION,
            "summary": f"L'API v{version} de beta.gouv.fr, servie par Portefeuille"
            + (", et les données propres à Portefeuille." if own else "."),
            "description": (
                f"Les ressources de l'API v{version} de beta.gouv.fr, dans sa forme (clé absente, "
                '"" ou null selon le champ, comme beta.gouv.fr) : un client change seulement '
                "d'hôte. Les différences, et leurs raisons, sont dans docs/api.md. Chaque réponse "
                "porte un ETag et un Last-Modified ; une requête conditionnelle reçoit 304 si "
                "rien n'a changé. CORS ouvert (Access-Control-Allow-Origin: *)."
                + (
                    " Sous /api/v2/ aussi : une startup (startups/{id}.json), le CSV, les "
                    "incubateurs et organisations dans la forme de Portefeuille (clés toujours "
                    "présentes, null pour une valeur absente, vrais booléens), le budget, les "
                    "décisions des comités et les indicateurs d'impact (Licence Ouverte 2.0)."
                    if own
                    else ""
                )
            ),
            "license": {
                "name": "CC BY-NC-SA 4.0 (contenu issu de beta.gouv.fr)",
                "url": "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr",
            },
        },
        "servers": [{"url": f"/api/v{version}", "description": "Ce site"}],
        "paths": paths,
        "components": {"schemas": components, **COMPONENTS},
    }


DOCUMENTS = {version: document(version) for version in betagouv.VERSIONS}
# The document of `/api/v2/`, which most of this project's readers want.
DOCUMENT = DOCUMENTS["2"]
