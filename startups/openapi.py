"""The OpenAPI 3.1 description of the open data API (/api/v2/), hand-written.

One source for three readers: `/api/v2/openapi.json` serves `DOCUMENT`, the open data page
(`/donnees/`) lists the fields of each export from the same schemas and `CSV_COLUMNS`, and the
tests validate every response against it. Change a field here and in `startups.api` together.
"""

from startups.models import AccessibilityStatus, EventKind
from startups.phases import PhaseKind, StartupStatus

API_VERSION = "2.0.0"


def nullable(type_: str, description: str, **extra) -> dict:
    return {"type": [type_, "null"], "description": description, **extra}


def string_list(description: str) -> dict:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def strict(properties: dict, description: str = "") -> dict:
    """An object whose every property is always present, and nothing else."""
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


URL = {"format": "uri"}
DATE = {"format": "date"}

PHASE = strict(
    {
        "name": {
            "type": "string",
            "enum": PhaseKind.values,
            "description": "Nom de la phase (vocabulaire actuel de beta.gouv.fr ; les anciens "
            "noms sont convertis : perennisation → consolidation, success/transfer/alumni → "
            "transfere).",
        },
        "start": {"type": "string", **DATE, "description": "Premier jour de la phase."},
        "end": nullable(
            "string",
            "Dernier jour de la phase (inclus) ; null si la phase est en cours ou si elle dure "
            "jusqu'au début de la suivante sans date de fin écrite.",
            **DATE,
        ),
    },
    "Une période de l'historique des phases, nettoyé par des règles explicites.",
)

EVENT = strict(
    {
        "name": {
            "type": "string",
            "enum": EventKind.values,
            "description": "Type d'événement ; un nom inconnu de la source devient « other ».",
        },
        "date": {"type": "string", **DATE, "description": "Date de l'événement."},
        "comment": nullable("string", "Commentaire, retours à la ligne compris ; null si aucun."),
    },
    "Un événement marquant de la vie de la startup.",
)

STARTUP_ATTRIBUTES = strict(
    {
        "name": {"type": "string", "description": "Nom de la startup."},
        "pitch": nullable("string", "Mission : la phrase qui résume le problème traité."),
        "stats_url": nullable(
            "string",
            "Page de statistiques : `stats_url` de la fiche, sinon `link` + `/stats` quand la "
            "fiche déclare une page /stats (`stats: true`).",
            **URL,
        ),
        "budget_url": nullable("string", "Page publiant le budget.", **URL),
        "impact_url": nullable("string", "Page publiant l'impact.", **URL),
        "link": nullable("string", "Site du service.", **URL),
        "repository": nullable("string", "Dépôt du code source.", **URL),
        "contact": nullable("string", "Adresse de contact de l'équipe."),
        "content_url_encoded_markdown": nullable(
            "string",
            "Description en markdown, encodée comme une URL (RFC 3986, comme "
            "`ERB::Util.url_encode` chez beta.gouv.fr) ; null si aucune.",
        ),
        "events": {
            "type": "array",
            "items": ref("Event"),
            "description": "Événements, du plus ancien au plus récent.",
        },
        "phases": {
            "type": "array",
            "items": ref("Phase"),
            "description": "Historique des phases, du plus ancien au plus récent (les phases "
            "prévues, datées dans le futur, comprises).",
        },
        "sponsors": string_list(
            "Identifiants des organisations sponsors (voir organisations.json)."
        ),
        "thematiques": string_list("Thématiques."),
        "technos": string_list("Technologies."),
        "usertypes": string_list("Publics du service."),
        "analyse_risques": nullable(
            "boolean", "Analyse de risques de sécurité faite ; null si non renseigné."
        ),
        "analyse_risques_url": nullable("string", "Lien vers l'analyse de risques.", **URL),
        "mon_service_securise": nullable(
            "boolean", "Suivie dans MonServiceSécurisé ; null si non renseigné."
        ),
        "dashlord_url": nullable("string", "Rapport DashLord.", **URL),
        "accessibility_status": {
            "type": ["string", "null"],
            "enum": [*AccessibilityStatus.values, None],
            "description": "Conformité au RGAA déclarée ; null si non renseignée.",
        },
        "current_phase": {
            "type": ["string", "null"],
            "enum": [*PhaseKind.values, None],
            "description": "Phase en cours aujourd'hui : celle qui a commencé le plus récemment "
            "(une phase dure jusqu'au début de la suivante) ; null si aucune n'a commencé.",
        },
        "current_phase_start": nullable("string", "Début de la phase en cours.", **DATE),
        "lifecycle": {
            "type": "string",
            "enum": StartupStatus.values,
            "description": "Situation déduite de la phase en cours : active, handed_over "
            "(transférée ou opérée), stopped (arrêtée), not_started.",
        },
    },
    "Attributs d'une startup.",
)

RESOURCE_IDENTIFIER = strict(
    {
        "type": {"type": "string", "const": "incubator", "description": "Type de ressource."},
        "id": {"type": "string", "description": "Identifiant de l'incubateur."},
    },
    "Référence à un incubateur (décrit dans included).",
)

STARTUP_RESOURCE = strict(
    {
        "id": {
            "type": "string",
            "description": "Identifiant beta.gouv.fr (nom du fichier) : points, majuscules et "
            "lettres accentuées possibles (`1000.jours`, `auxAJ`, `données-et-territoires`).",
        },
        "type": {"type": "string", "const": "startup", "description": "Type de ressource."},
        "attributes": ref("StartupAttributes"),
        "relationships": strict(
            {
                "incubator": strict({"data": ref("IncubatorIdentifier")}, "Incubateur principal."),
                "incubators": strict(
                    {
                        "data": {
                            "type": "array",
                            "items": ref("IncubatorIdentifier"),
                            "description": "Références aux incubateurs.",
                        }
                    },
                    "Tous les incubateurs : le principal d'abord, puis les co-incubateurs par identifiant.",
                ),
            },
            "Liens vers les incubateurs.",
        ),
    },
    "Une startup d'État.",
)

INCUBATOR_ATTRIBUTES = strict(
    {
        "title": {"type": "string", "description": "Nom de l'incubateur."},
        "owner": nullable(
            "string", "Identifiant de l'organisation porteuse (voir organisations.json)."
        ),
        "website": nullable("string", "Site de l'incubateur.", **URL),
        "github": nullable("string", "Organisation GitHub ou GitLab.", **URL),
        "contact": nullable("string", "Contact."),
    },
    "Attributs d'un incubateur.",
)

INCUBATOR_RESOURCE = strict(
    {
        "id": {"type": "string", "description": "Identifiant de l'incubateur."},
        "type": {"type": "string", "const": "incubator", "description": "Type de ressource."},
        "attributes": ref("IncubatorAttributes"),
    },
    "Un incubateur, inclus dans les réponses sur les startups.",
)

LINKS = strict(
    {"self": {"type": "string", **URL, "description": "Adresse de ce document."}},
    "Liens (JSON:API).",
)

STARTUP_COLLECTION = strict(
    {
        "links": ref("Links"),
        "data": {"type": "array", "items": ref("Startup"), "description": "Les startups."},
        "included": {
            "type": "array",
            "items": ref("Incubator"),
            "description": "Tous les incubateurs.",
        },
    },
    "Toutes les startups, par identifiant.",
)

STARTUP_DOCUMENT = strict(
    {
        "links": ref("Links"),
        "data": ref("Startup"),
        "included": {
            "type": "array",
            "items": ref("Incubator"),
            "description": "Les incubateurs de cette startup.",
        },
    },
    "Une startup.",
)

INCUBATOR_STARTUP = strict(
    {
        "id": {"type": "string", "description": "Identifiant de la startup."},
        "name": {"type": "string", "description": "Nom."},
        "pitch": nullable("string", "Mission."),
        "repository": nullable("string", "Dépôt du code source.", **URL),
        "contact": nullable("string", "Contact."),
        "phases": {"type": "array", "items": ref("Phase"), "description": "Historique des phases."},
    },
    "Une startup dont l'incubateur est l'incubateur principal.",
)

INCUBATOR_ENTRY = strict(
    {
        "title": {"type": "string", "description": "Nom de l'incubateur."},
        "owner": nullable(
            "string", "Identifiant de l'organisation porteuse (voir organisations.json)."
        ),
        "contact": nullable("string", "Contact."),
        "address": nullable("string", "Adresse postale."),
        "website": nullable("string", "Site.", **URL),
        "github": nullable("string", "Organisation GitHub ou GitLab.", **URL),
        "startups": {
            "type": "array",
            "items": ref("IncubatorStartup"),
            "description": "Startups dont c'est l'incubateur principal (liste vide si aucune).",
        },
    },
    "Un incubateur.",
)

INCUBATOR_INDEX = {
    "type": "object",
    "description": "Les incubateurs, indexés par identifiant.",
    "additionalProperties": ref("IncubatorEntry"),
}

ORGANISATION = strict(
    {
        "id": {"type": "string", "description": "Identifiant de l'organisation."},
        "name": {"type": "string", "description": "Nom."},
        "acronym": nullable("string", "Sigle."),
        "domaine_ministeriel": nullable("string", "Domaine ministériel (code beta.gouv.fr)."),
        "type": nullable("string", "Type d'organisation (code beta.gouv.fr)."),
    },
    "Une organisation : ministère, direction, opérateur, collectivité… sponsor ou porteuse.",
)

ORGANISATION_LIST = {
    "type": "array",
    "items": ref("Organisation"),
    "description": "Toutes les organisations, par identifiant.",
}

ERROR = strict(
    {
        "errors": {
            "type": "array",
            "items": strict(
                {
                    "status": {"type": "string", "description": "Code HTTP."},
                    "title": {"type": "string", "description": "Intitulé."},
                }
            ),
            "description": "Les erreurs.",
        }
    },
    "Une erreur (format JSON:API).",
)

# The CSV export, column by column: beta.gouv.fr's twelve columns in their order, then ours.
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


def json_response(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Last-Modified": {"$ref": "#/components/headers/Last-Modified"},
        },
        "content": {"application/json": {"schema": ref(schema_name)}},
    }


CONDITIONAL_PARAMETERS = [
    {"$ref": "#/components/parameters/IfNoneMatch"},
    {"$ref": "#/components/parameters/IfModifiedSince"},
]
NOT_MODIFIED = {"description": "Pas de changement depuis la version que le client possède."}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Portefeuille des startups d'État — API de données ouvertes",
        "version": API_VERSION,
        "summary": "Startups, incubateurs et organisations du programme beta.gouv.fr.",
        "description": (
            "Même forme que l'API publique v2.7 de beta.gouv.fr (startups.json, startups.csv) "
            "et v2.6 (incubators.json, organisations.json), corrigée : échappement JSON réel, "
            'null plutôt que "" pour une valeur absente, booléens en booléens, toutes les clés '
            "toujours présentes. Les différences sont décrites dans docs/api.md et sur la page "
            "/donnees/. Chaque réponse porte un ETag et un Last-Modified ; une requête "
            "conditionnelle (If-None-Match, If-Modified-Since) reçoit 304 si rien n'a changé. "
            "CORS ouvert (Access-Control-Allow-Origin: *)."
        ),
        "license": {
            "name": "CC BY-NC-SA 4.0 (contenu issu de beta.gouv.fr)",
            "url": "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr",
        },
    },
    "servers": [{"url": "/api/v2", "description": "Ce site"}],
    "paths": {
        "/startups.json": {
            "get": {
                "operationId": "listStartups",
                "summary": "Toutes les startups, avec les incubateurs inclus",
                "parameters": CONDITIONAL_PARAMETERS,
                "responses": {
                    "200": json_response("StartupCollection", "Les startups."),
                    "304": NOT_MODIFIED,
                },
            }
        },
        "/startups.csv": {
            "get": {
                "operationId": "listStartupsCsv",
                "summary": "Toutes les startups, en CSV",
                "description": (
                    "UTF-8 sans BOM, séparateur « ; », une ligne d'en-tête, guillemets doubles "
                    "quand une cellule en contient ou contient « ; » ou un retour à la ligne "
                    "(RFC 4180). Une cellule qui commence par =, +, -, @, une tabulation ou un "
                    "retour chariot est précédée d'une apostrophe (injection de formules). "
                    "Colonnes : " + ", ".join(name for name, _ in CSV_COLUMNS) + "."
                ),
                "parameters": CONDITIONAL_PARAMETERS,
                "responses": {
                    "200": {
                        "description": "Les startups, une par ligne.",
                        "headers": {
                            "ETag": {"$ref": "#/components/headers/ETag"},
                            "Last-Modified": {"$ref": "#/components/headers/Last-Modified"},
                        },
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    "304": NOT_MODIFIED,
                },
            }
        },
        "/startups/{id}.json": {
            "get": {
                "operationId": "getStartup",
                "summary": "Une startup, avec ses incubateurs inclus",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": "Identifiant de la startup, encodé en URL "
                        "(`1000.jours`, `donn%C3%A9es-et-territoires`).",
                        "schema": {"type": "string"},
                    },
                    *CONDITIONAL_PARAMETERS,
                ],
                "responses": {
                    "200": json_response("StartupDocument", "La startup."),
                    "304": NOT_MODIFIED,
                    "404": {
                        "description": "Aucune startup n'a cet identifiant.",
                        "content": {"application/json": {"schema": ref("Error")}},
                    },
                },
            }
        },
        "/incubators.json": {
            "get": {
                "operationId": "listIncubators",
                "summary": "Tous les incubateurs et leurs startups",
                "parameters": CONDITIONAL_PARAMETERS,
                "responses": {
                    "200": json_response("IncubatorIndex", "Les incubateurs."),
                    "304": NOT_MODIFIED,
                },
            }
        },
        "/organisations.json": {
            "get": {
                "operationId": "listOrganisations",
                "summary": "Toutes les organisations",
                "parameters": CONDITIONAL_PARAMETERS,
                "responses": {
                    "200": json_response("OrganisationList", "Les organisations."),
                    "304": NOT_MODIFIED,
                },
            }
        },
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
        },
    },
    "components": {
        "schemas": {
            "Links": LINKS,
            "Phase": PHASE,
            "Event": EVENT,
            "StartupAttributes": STARTUP_ATTRIBUTES,
            "IncubatorIdentifier": RESOURCE_IDENTIFIER,
            "Startup": STARTUP_RESOURCE,
            "IncubatorAttributes": INCUBATOR_ATTRIBUTES,
            "Incubator": INCUBATOR_RESOURCE,
            "StartupCollection": STARTUP_COLLECTION,
            "StartupDocument": STARTUP_DOCUMENT,
            "IncubatorStartup": INCUBATOR_STARTUP,
            "IncubatorEntry": INCUBATOR_ENTRY,
            "IncubatorIndex": INCUBATOR_INDEX,
            "Organisation": ORGANISATION,
            "OrganisationList": ORGANISATION_LIST,
            "Error": ERROR,
        },
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
                "description": "Dernière modification des données (au plus tôt, minuit du jour : "
                "la phase en cours dépend de la date).",
                "schema": {"type": "string"},
            },
        },
    },
}
