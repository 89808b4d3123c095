"""The OpenAPI 3.1 description of the open data API (/api/v2/), hand-written.

One source for three readers: `/api/v2/openapi.json` serves `DOCUMENT`, the open data page
(`/donnees/`) lists the fields of each export from the same schemas and each module's
`CSV_COLUMNS` (name, description), and the tests validate every response against it.
"""

from api import decisions, impact, money
from api.betagouv import CSV_COLUMNS
from budgets.models import Activity, PublicContract, Resource, TaxBasis
from committees.models import DecisionKind
from impact.models import Direction, ImpactCategory, PeriodKind
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
        "start": nullable(
            "string",
            "Premier jour de la phase ; null quand la source n'en donne pas (date inconnue : "
            "seule la dernière phase peut l'être, elle suit alors toutes les autres).",
            **DATE,
        ),
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

# --- Budget, decisions, indicators: what Portefeuille produces itself (Licence Ouverte 2.0) ---
AMOUNT = {"pattern": r"^-?[0-9]+\.[0-9]{2}$"}


def amount(description: str) -> dict:
    return {"type": "string", **AMOUNT, "description": description}


def nullable_amount(description: str) -> dict:
    return {"type": ["string", "null"], **AMOUNT, "description": description}


FIGURES = {
    "alloue": amount("Alloué (euros, chaîne décimale au centime)."),
    "engage": amount("AE engagées : bons de commande et engagements juridiques signés."),
    "paye": amount("CP payés à la date du document."),
    "reste_a_payer": amount("Reste à payer : AE engagées − CP payés."),
}

BUDGET_CONVENTION = strict(
    {
        "reference": {"type": "string", "description": "Référence de la convention."},
        "intitule": {"type": "string", "description": "Intitulé."},
        "type": {
            "type": "string",
            "description": "Type de convention (délégation de gestion, partenariat), en clair.",
        },
        "statut": {
            "type": "string",
            "description": "Statut (en projet, en vigueur, close, résiliée), en clair.",
        },
        "delegant": {"type": "string", "description": "Nom de l'organisation délégante."},
        "delegataire": {"type": "string", "description": "Nom de l'organisation délégataire."},
        "debut": {"type": "string", **DATE, "description": "Début de la convention."},
        "fin": {"type": "string", **DATE, "description": "Fin, avenants compris (incluse)."},
        "plafond": amount("Plafond, avenants compris."),
        "tranches_ae": amount("Total des tranches mises à disposition, en AE."),
        "tranches_cp": amount("Total des tranches mises à disposition, en CP."),
        "programme": {"type": "string", "description": "Programme Chorus (vide si inconnu)."},
        "bop": {"type": "string", "description": "BOP Chorus (vide si inconnu)."},
        "uo": {"type": "string", "description": "Unité opérationnelle Chorus (vide si inconnue)."},
        "domaine_fonctionnel": {
            "type": "string",
            "description": "Domaine fonctionnel Chorus (vide si inconnu).",
        },
        **FIGURES,
    },
    "Une convention et ses chiffres.",
)

BUDGET_YEAR = strict(
    {
        "annee": {"type": "integer", "description": "Année civile."},
        **FIGURES,
        "reste_a_payer": amount(
            "Reste à payer cumulé : toutes les AE engagées − tous les CP payés jusqu'à "
            "`reste_a_payer_au` (les paiements d'une année soldent les engagements des précédentes)."
        ),
        "reste_a_payer_au": {
            "type": "string",
            "format": "date",
            "description": "Le 31/12 de l'année, ou aujourd'hui pour l'année en cours.",
        },
    },
    "Les chiffres d'une année : engagé et payé dans l'année.",
)

BUDGET_ACTIVITY = strict(
    {
        "activite": {
            "type": "string",
            "enum": Activity.labels,
            "description": "Activité de dépense, en clair.",
        },
        **FIGURES,
    },
    "Les chiffres d'une activité.",
)

COMMITMENT = strict(
    {
        "convention": {"type": "string", "description": "Référence de la convention."},
        "tranche": {"type": "integer", "description": "Numéro de la tranche."},
        "startup": nullable("string", "Identifiant de la startup ; null pour un chantier."),
        "startup_nom": nullable("string", "Nom de la startup ; null pour un chantier."),
        "chantier": nullable("string", "Chantier transverse ; null pour une startup."),
        "date_engagement": {"type": "string", **DATE, "description": "Date d'engagement."},
        "objet": {"type": "string", "description": "Objet de l'engagement (vide si aucun)."},
        "marche": {
            "type": "string",
            "enum": PublicContract.labels,
            "description": "Marché public utilisé, en clair.",
        },
        "activite": {
            "type": "string",
            "enum": Activity.labels,
            "description": "Activité de dépense, en clair.",
        },
        "ressource": {
            "type": "string",
            "enum": Resource.labels,
            "description": "Type de ressource, en clair.",
        },
        "montant_engage": amount("Montant engagé (AE)."),
        "ht_ttc": {
            "type": "string",
            "enum": TaxBasis.values,
            "description": "Le montant est hors taxes (HT) ou toutes taxes comprises (TTC).",
        },
        "montant_paye": amount("CP payés sur cet engagement."),
        "reste_a_payer": amount("Reste à payer sur cet engagement."),
        "fournisseur": nullable(
            "string", "Fournisseur ; null sauf si l'engagement est marqué public."
        ),
        "bon_de_commande": nullable(
            "string", "Bon de commande ou EJ ; null sauf si l'engagement est marqué public."
        ),
    },
    "Un engagement et ce qui a été payé dessus.",
)

BUDGET = strict(
    {
        "date": {"type": "string", **DATE, "description": "Date des chiffres (aujourd'hui)."},
        "unite": {"type": "string", "description": "Unité des montants."},
        "total": strict(FIGURES, "Les chiffres de tout le programme."),
        "conventions": {
            "type": "array",
            "items": ref("BudgetConvention"),
            "description": "Les conventions, de la plus ancienne à la plus récente.",
        },
        "annees": {
            "type": "array",
            "items": ref("BudgetYear"),
            "description": "Les chiffres par année.",
        },
        "activites": {
            "type": "array",
            "items": ref("BudgetActivity"),
            "description": "Les chiffres par activité, du plus engagé au moins engagé.",
        },
        "engagements": {
            "type": "array",
            "items": ref("Commitment"),
            "description": "Tous les engagements, par date.",
        },
    },
    "Le budget du programme : AE engagées, CP payés, reste à payer.",
)


DECISION = strict(
    {
        "id": {"type": "string", "description": "Identifiant de la décision."},
        "type": {"type": "string", "const": "decision", "description": "Type de ressource."},
        "attributes": strict(
            {
                "committee_id": {"type": "integer", "description": "Identifiant du comité."},
                "committee_date": {
                    "type": "string",
                    **DATE,
                    "description": "Date du comité.",
                },
                "committee_url": {
                    "type": "string",
                    **URL,
                    "description": "Page publique du comité.",
                },
                "startup": {"type": "string", "description": "Identifiant de la startup."},
                "startup_name": {"type": "string", "description": "Nom de la startup."},
                "decision": {
                    "type": "string",
                    "enum": DecisionKind.values,
                    "description": "Décision d'investissement.",
                },
                "decision_label": {
                    "type": "string",
                    "enum": DecisionKind.labels,
                    "description": "La décision, en clair.",
                },
                "amount": nullable_amount("Montant décidé en euros ; null sans montant."),
                "effective_date": {"type": "string", **DATE, "description": "Date d'effet."},
                "phase_started": {
                    "type": ["string", "null"],
                    "enum": [*PhaseKind.values, None],
                    "description": "Phase engagée par la décision ; null si aucune.",
                },
            },
            "Attributs d'une décision.",
        ),
        "relationships": strict(
            {
                "startup": strict(
                    {
                        "data": strict(
                            {
                                "type": {
                                    "type": "string",
                                    "const": "startup",
                                    "description": "Type de ressource.",
                                },
                                "id": {
                                    "type": "string",
                                    "description": "Identifiant de la startup.",
                                },
                            },
                            "Référence à une startup (voir startups.json).",
                        )
                    },
                    "La startup concernée.",
                )
            },
            "Liens.",
        ),
    },
    "Une décision de comité d'investissement publiée.",
)

DECISION_COLLECTION = strict(
    {
        "links": ref("Links"),
        "data": {
            "type": "array",
            "items": ref("Decision"),
            "description": "Les décisions publiées.",
        },
    },
    "Les décisions des comités d'investissement.",
)


NUMBER_OR_NULL = ["number", "null"]

MEASUREMENT = strict(
    {
        "period": {
            "type": "string",
            "description": "Période : AAAA-MM pour un mois, AAAA-MM-JJ pour un jour.",
        },
        "period_kind": {
            "type": "string",
            "enum": PeriodKind.values,
            "description": "Mois ou jour.",
        },
        "value": {"type": "number", "description": "Valeur mesurée."},
        "source": nullable("string", "Source de la valeur ; null si aucune."),
        "comment": nullable("string", "Commentaire ; null si aucun."),
    },
    "Une valeur d'un indicateur sur une période.",
)

INDICATOR = strict(
    {
        "id": {"type": "integer", "description": "Identifiant de l'indicateur."},
        "name": {"type": "string", "description": "Nom."},
        "description": {"type": "string", "description": "Description (vide si aucune)."},
        "unit": {"type": "string", "description": "Unité, au pluriel."},
        "category": {
            "type": "string",
            "enum": ImpactCategory.values,
            "description": "Case de la matrice d'impact du programme.",
        },
        "direction": {
            "type": "string",
            "enum": Direction.values,
            "description": "Sens souhaité : higher (plus haut, mieux) ou lower.",
        },
        "north_star": {"type": "boolean", "description": "Étoile polaire (North Star)."},
        "is_count": {
            "type": "boolean",
            "description": "Décompte par période (les valeurs s'additionnent).",
        },
        "target": {"type": NUMBER_OR_NULL, "description": "Cible ; null si aucune."},
        "target_date": nullable("string", "Date de la cible.", **DATE),
        "fresh": {
            "type": "boolean",
            "description": "La dernière valeur est assez récente (45 jours pour la North Star, "
            "100 jours sinon, comptés depuis la fin de sa période).",
        },
        "last_period": nullable("string", "Période de la dernière valeur ; null sans valeur."),
        "values": {
            "type": "array",
            "items": ref("Measurement"),
            "description": "Les valeurs, de la plus ancienne à la plus récente.",
        },
    },
    "Un indicateur d'impact public et ses valeurs.",
)

INDICATORS = strict(
    {
        "startup": strict(
            {
                "id": {"type": "string", "description": "Identifiant de la startup."},
                "name": {"type": "string", "description": "Nom de la startup."},
                "impact_page": {
                    "type": "string",
                    **URL,
                    "description": "Page publique d'impact.",
                },
            },
            "La startup.",
        ),
        "generated_on": {"type": "string", **DATE, "description": "Date du document."},
        "indicators": {
            "type": "array",
            "items": ref("Indicator"),
            "description": "Les indicateurs publics, la North Star d'abord.",
        },
    },
    "Les indicateurs d'impact publics d'une startup.",
)


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
NOT_FOUND = {
    "description": "Aucune startup n'a cet identifiant.",
    "content": {"application/json": {"schema": ref("Error")}},
}
STARTUP_ID_PARAMETER = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "Identifiant de la startup, encodé en URL "
    "(`1000.jours`, `donn%C3%A9es-et-territoires`).",
    "schema": {"type": "string"},
}


def csv_description(columns: list[tuple[str, str]]) -> str:
    return (
        "UTF-8 sans BOM, séparateur « ; », une ligne d'en-tête, guillemets doubles quand une "
        "cellule en contient ou contient « ; » ou un retour à la ligne (RFC 4180). Une cellule "
        "qui commence par =, +, -, @, une tabulation ou un retour chariot est précédée d'une "
        "apostrophe (injection de formules). Colonnes : "
        + ", ".join(f"{name} ({description})" for name, description in columns)
    )


def csv_response(description: str) -> dict:
    return {
        "description": description,
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Last-Modified": {"$ref": "#/components/headers/Last-Modified"},
        },
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }


DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Portefeuille des startups d'État — API de données ouvertes",
        "version": API_VERSION,
        "summary": "Startups, incubateurs, organisations, décisions des comités, budget et "
        "indicateurs d'impact du programme beta.gouv.fr.",
        "description": (
            "Même forme que l'API publique v2.7 de beta.gouv.fr (startups.json, startups.csv) "
            "et v2.6 (incubators.json, organisations.json), corrigée : échappement JSON réel, "
            'null plutôt que "" pour une valeur absente, booléens en booléens, toutes les clés '
            "toujours présentes. Les différences sont décrites dans docs/api.md et sur la page "
            "/donnees/. Chaque réponse porte un ETag et un Last-Modified ; une requête "
            "conditionnelle (If-None-Match, If-Modified-Since) reçoit 304 si rien n'a changé. "
            "CORS ouvert (Access-Control-Allow-Origin: *). Le budget, les décisions et les "
            "indicateurs sont produits par Portefeuille, sous Licence Ouverte 2.0."
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
        "/budget.json": {
            "get": {
                "operationId": "getBudget",
                "summary": "Le budget du programme (AE engagées, CP payés, reste à payer)",
                "description": "Montants en chaînes décimales au centime (« 1234.50 »), jamais "
                "en nombres flottants. Licence Ouverte 2.0.",
                "parameters": CONDITIONAL_PARAMETERS,
                "responses": {
                    "200": json_response("Budget", "Le budget."),
                    "304": NOT_MODIFIED,
                },
            }
        },
        "/budget.csv": {
            "get": {
                "operationId": "getBudgetCsv",
                "summary": "Les engagements du programme, en CSV",
                "description": csv_description(money.CSV_COLUMNS),
                "parameters": CONDITIONAL_PARAMETERS,
                "responses": {"200": csv_response("Un engagement par ligne."), "304": NOT_MODIFIED},
            }
        },
        "/decisions.json": {
            "get": {
                "operationId": "listDecisions",
                "summary": "Les décisions publiées des comités d'investissement",
                "description": "Licence Ouverte 2.0.",
                "parameters": CONDITIONAL_PARAMETERS,
                "responses": {
                    "200": json_response("DecisionCollection", "Les décisions."),
                    "304": NOT_MODIFIED,
                },
            }
        },
        "/decisions.csv": {
            "get": {
                "operationId": "listDecisionsCsv",
                "summary": "Les décisions publiées, en CSV",
                "description": csv_description(decisions.CSV_COLUMNS),
                "parameters": CONDITIONAL_PARAMETERS,
                "responses": {"200": csv_response("Une décision par ligne."), "304": NOT_MODIFIED},
            }
        },
        "/startups/{id}/indicators.json": {
            "get": {
                "operationId": "getStartupIndicators",
                "summary": "Les indicateurs d'impact publics d'une startup et leurs valeurs",
                "description": "Licence Ouverte 2.0.",
                "parameters": [STARTUP_ID_PARAMETER, *CONDITIONAL_PARAMETERS],
                "responses": {
                    "200": json_response("Indicators", "Les indicateurs."),
                    "304": NOT_MODIFIED,
                    "404": NOT_FOUND,
                },
            }
        },
        "/startups/{id}/indicators.csv": {
            "get": {
                "operationId": "getStartupIndicatorsCsv",
                "summary": "Les valeurs des indicateurs publics d'une startup, en CSV",
                "description": csv_description(impact.CSV_COLUMNS)
                + " Une ligne par valeur ; un indicateur sans valeur a une ligne aux colonnes "
                "de valeur vides.",
                "parameters": [STARTUP_ID_PARAMETER, *CONDITIONAL_PARAMETERS],
                "responses": {
                    "200": csv_response("Une valeur par ligne."),
                    "304": NOT_MODIFIED,
                    "404": NOT_FOUND,
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
            "BudgetConvention": BUDGET_CONVENTION,
            "BudgetYear": BUDGET_YEAR,
            "BudgetActivity": BUDGET_ACTIVITY,
            "Commitment": COMMITMENT,
            "Budget": BUDGET,
            "Decision": DECISION,
            "DecisionCollection": DECISION_COLLECTION,
            "Measurement": MEASUREMENT,
            "Indicator": INDICATOR,
            "Indicators": INDICATORS,
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
