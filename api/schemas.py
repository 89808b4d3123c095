"""Every resource of the API, typed, per version: the OpenAPI document is generated from here.

Written with msgspec `Struct`s (see the commit that brought them): a field typed `... |
UnsetType = UNSET` is a key that may be absent, and is absent from the JSON when unset (never
`null`, never `""`); a field without a default is always present; `str | None` may be `null`.
`msgspec.json.schema_components` turns them into JSON Schema (OpenAPI 3.1): optional keys are
not `required`, every object refuses unknown keys (`additionalProperties: false`).

beta.gouv.fr's resources (`/api/v2/` … `/api/v2.7/`, shapes in ../shared/BETAGOUV_API.md and
docs/api.md) are built as these structs and encoded by msgspec, one pass, no dict per row.
Portefeuille's own resources (budget, decisions, indicators, one startup, `/api/v2/`'s
incubators and organisations) are built as dicts by their views and checked against these
structs by the tests (`msgspec.convert(..., type=...)`).
"""

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType, defstruct, field

from budgets.models import Activity, PublicContract, Resource, TaxBasis
from committees.models import DecisionKind
from impact.models import Direction, ImpactCategory, PeriodKind
from startups.models import AccessibilityStatus, EventKind
from startups.phases import PhaseKind, StartupStatus

__all__ = ["UNSET", "UnsetType"]


def doc(type_, description: str, **json_schema):
    """`type_` with its description (and any other JSON Schema keyword) in the document."""
    return Annotated[type_, Meta(description=description, extra_json_schema=json_schema or None)]


def one_of(values) -> type:
    return Literal[tuple(values)]


class Shape(Struct, omit_defaults=True, forbid_unknown_fields=True, kw_only=True, gc=False):
    """Base: UNSET fields are left out, unknown keys refused when decoding; never in a
    reference cycle, so left out of the cycle collector's work (`gc=False`)."""


# =================================================================================================
# beta.gouv.fr: startups.json, every scalar a string (Liquid prints everything as text)
# =================================================================================================
Text = str


class Links(Shape, kw_only=True):
    """Liens (JSON:API)."""

    self_: doc(str, "Chez beta.gouv.fr : la page https://beta.gouv.fr/startups.") = field(
        name="self"
    )


class Event(Shape, kw_only=True):
    """Un événement, tel qu'écrit dans la fiche (ordre de la fiche)."""

    name: doc(Text, "Nom de l'événement tel qu'écrit (committee, product_launch, fast…).")
    date: doc(Text, "Date telle qu'écrite (AAAA-MM-JJ).")
    comment: doc(
        Text,
        'Commentaire ; "" si aucun. v2 : retours à la ligne gardés ; v2.1+ : supprimés '
        "(strip_newlines).",
    )


class Phase(Shape, kw_only=True):
    """Une phase telle qu'écrite dans la fiche, dans l'ordre de la fiche (pas triée)."""

    name: doc(
        Text,
        "Nom tel qu'écrit : vocabulaire actuel (investigation, construction, acceleration, "
        "consolidation, opere, transfere, abandon, abandon-investigation) ou ancien "
        "(success, transfer, alumni, perennisation).",
    )
    start: doc(Text, 'Début (AAAA-MM-JJ) ; "" si la fiche n\'en donne pas.')
    end: doc(Text, 'Fin (AAAA-MM-JJ) ; "" pour une phase ouverte.')


class IncubatorData(Shape, kw_only=True):
    """Référence à un incubateur (identifiant écrit dans la fiche de la startup)."""

    type: doc(Literal["incubator"], "Type de ressource.")
    id: doc(Text, "Identifiant tel qu'écrit dans la fiche (`incubator`).")


class IncubatorRelationship(Shape, kw_only=True):
    """L'incubateur principal."""

    data: IncubatorData


class IncubatorsRelationship(Shape, kw_only=True):
    """Tous les incubateurs (v2.7) : `incubators` de la fiche, sinon `[incubator]`."""

    data: doc(list[IncubatorData], "Références aux incubateurs.")


class Relationships(Shape, kw_only=True):
    """Liens vers l'incubateur (v2 à v2.6)."""

    incubator: IncubatorRelationship


class RelationshipsV2_7(Shape, kw_only=True):
    """Liens vers les incubateurs (v2.7)."""

    incubator: IncubatorRelationship
    incubators: IncubatorsRelationship


class IncludedIncubatorAttributes(Shape, kw_only=True):
    """Attributs d'un incubateur inclus, tels qu'écrits dans sa fiche ("" si absents)."""

    title: doc(Text, "Nom.")
    owner: doc(Text, "Organisation porteuse : `/organisations/<id>`.")
    website: doc(Text, "Site.")
    github: doc(Text, "Organisation GitHub ou GitLab.")
    contact: doc(Text, "Contact.")


class IncludedIncubator(Shape, kw_only=True):
    """Un incubateur visible (les incubateurs cachés, `hidden: true`, n'y sont pas)."""

    id: doc(
        Text,
        "v2 à v2.6 : `/incubateurs/<id>` (identifiant de document Jekyll, qui ne correspond à "
        "aucune relation) ; v2.7 : `<id>`.",
    )
    type: doc(Literal["incubator"], "Type de ressource.")
    attributes: IncludedIncubatorAttributes


# Attribute descriptions shared by the versions.
NAME = doc(Text, "Nom (`title` de la fiche), espaces de bord compris.")
PITCH = doc(Text, "Mission (`mission`), espaces de bord compris.")
STATS_URL_WHEN = doc(
    Text,
    "Seulement si `stats: true` : `stats_url`, sinon `link` + `/stats` (`/stats` seul sans lien).",
)
STATS_URL_ALWAYS = doc(
    Text, '`stats_url`, sinon `link` + `/stats` si `stats: true`, sinon "" (toujours présente).'
)
BUDGET_URL = doc(Text, "Page de budget ; absente si non renseignée.")
IMPACT_URL = doc(
    Text, "Page d'impact ; présente seulement quand `link` l'est (\"\" si non renseignée)."
)
LINK = doc(Text, "Site du service ; absent si non renseigné.")
REPOSITORY = doc(Text, "Dépôt du code source ; absent si non renseigné.")
CONTACT = doc(Text, 'Contact de l\'équipe ; "" si aucun.')
MARKDOWN = doc(
    Text,
    "Description en markdown encodée comme une URL (`ERB::Util.url_encode` : `%XX` en "
    "majuscules, espace `%20`).",
)
EVENTS = doc(list[Event], "Événements, dans l'ordre de la fiche.")
PHASES = doc(list[Phase], "Phases, dans l'ordre de la fiche.")
SPONSORS = doc(list[Text], "Identifiants des organisations sponsors (`/organisations/` retiré).")
THEMATIQUES = doc(list[Text], "Thématiques.")
TECHNOS = doc(list[Text], "Technologies (`techno` de la fiche).")
ANALYSE_RISQUES = doc(
    Text, 'La chaîne "true" quand l\'analyse de risques est faite ; absente sinon.'
)
ANALYSE_RISQUES_URL = doc(Text, "Lien vers l'analyse de risques ; absent si non renseigné.")
DASHLORD_URL = doc(Text, "Rapport DashLord ; absent si non renseigné.")
ACCESSIBILITY = doc(Text, "Conformité au RGAA déclarée ; absente si non renseignée.")


class StartupAttributesV2(Shape, kw_only=True):
    """Attributs d'une startup (v2)."""

    name: NAME
    pitch: PITCH
    stats_url: STATS_URL_WHEN | UnsetType = UNSET
    link: LINK | UnsetType = UNSET
    repository: REPOSITORY | UnsetType = UNSET
    events: EVENTS
    phases: PHASES


class StartupAttributesV2_1(Shape, kw_only=True):
    """Attributs d'une startup (v2.1, v2.2, v2.3)."""

    name: NAME
    pitch: PITCH
    stats_url: STATS_URL_WHEN | UnsetType = UNSET
    link: LINK | UnsetType = UNSET
    repository: REPOSITORY | UnsetType = UNSET
    contact: CONTACT
    content_url_encoded_markdown: MARKDOWN
    events: EVENTS
    phases: PHASES


class StartupAttributesV2_4(Shape, kw_only=True):
    """Attributs d'une startup (v2.4)."""

    name: NAME
    pitch: PITCH
    stats_url: STATS_URL_WHEN | UnsetType = UNSET
    budget_url: BUDGET_URL | UnsetType = UNSET
    link: LINK | UnsetType = UNSET
    repository: REPOSITORY | UnsetType = UNSET
    contact: CONTACT
    content_url_encoded_markdown: MARKDOWN
    events: EVENTS
    phases: PHASES


class StartupAttributesV2_5(Shape, kw_only=True):
    """Attributs d'une startup (v2.5)."""

    name: NAME
    pitch: PITCH
    stats_url: STATS_URL_WHEN | UnsetType = UNSET
    budget_url: BUDGET_URL | UnsetType = UNSET
    link: LINK | UnsetType = UNSET
    repository: REPOSITORY | UnsetType = UNSET
    contact: CONTACT
    content_url_encoded_markdown: MARKDOWN
    events: EVENTS
    phases: PHASES
    sponsors: SPONSORS
    analyse_risques: ANALYSE_RISQUES | UnsetType = UNSET
    analyse_risques_url: ANALYSE_RISQUES_URL | UnsetType = UNSET
    dashlord_url: DASHLORD_URL | UnsetType = UNSET
    accessibility_status: ACCESSIBILITY | UnsetType = UNSET


class StartupAttributesV2_6(Shape, kw_only=True):
    """Attributs d'une startup (v2.6, v2.7)."""

    name: NAME
    pitch: PITCH
    stats_url: STATS_URL_ALWAYS
    budget_url: BUDGET_URL | UnsetType = UNSET
    impact_url: IMPACT_URL | UnsetType = UNSET
    link: LINK | UnsetType = UNSET
    repository: REPOSITORY | UnsetType = UNSET
    contact: CONTACT
    content_url_encoded_markdown: MARKDOWN
    events: EVENTS
    phases: PHASES
    sponsors: SPONSORS
    thematiques: THEMATIQUES
    technos: TECHNOS
    analyse_risques: ANALYSE_RISQUES | UnsetType = UNSET
    analyse_risques_url: ANALYSE_RISQUES_URL | UnsetType = UNSET
    dashlord_url: DASHLORD_URL | UnsetType = UNSET
    accessibility_status: ACCESSIBILITY | UnsetType = UNSET


STARTUP_ID = doc(
    Text,
    "Nom du fichier sans `.md`, tel quel : points, majuscules, accents (`api.gouv.fr`, "
    "`auxAJ`, `données-et-territoires`).",
)
STARTUP_TYPE = doc(Literal["startup"], "Type de ressource.")
INCLUDED = doc(list[IncludedIncubator], "Les incubateurs visibles, par nom de fichier.")


def _startup_shapes(
    version: str, label: str, attributes: type, relationships: type
) -> tuple[type, type]:
    """One startup and the whole list of `version` (they differ only by their attributes and
    relationships): the same four keys, the same three keys, in beta.gouv.fr's order."""
    startup = defstruct(
        f"StartupV{version}",
        [
            ("id", STARTUP_ID),
            ("type", STARTUP_TYPE),
            ("attributes", attributes),
            ("relationships", relationships),
        ],
        bases=(Shape,),
        kw_only=True,
    )
    startup.__doc__ = f"Une startup ({label})."
    startups = defstruct(
        f"StartupsV{version}",
        [("links", Links), ("data", doc(list[startup], "Les startups.")), ("included", INCLUDED)],
        bases=(Shape,),
        kw_only=True,
    )
    startups.__doc__ = f"Toutes les startups, par nom de fichier ({label})."
    return startup, startups


StartupV2, StartupsV2 = _startup_shapes("2", "v2", StartupAttributesV2, Relationships)
StartupV2_1, StartupsV2_1 = _startup_shapes(
    "2_1", "v2.1 à v2.3", StartupAttributesV2_1, Relationships
)
StartupV2_4, StartupsV2_4 = _startup_shapes("2_4", "v2.4", StartupAttributesV2_4, Relationships)
StartupV2_5, StartupsV2_5 = _startup_shapes("2_5", "v2.5", StartupAttributesV2_5, Relationships)
StartupV2_6, StartupsV2_6 = _startup_shapes("2_6", "v2.6", StartupAttributesV2_6, Relationships)
StartupV2_7, StartupsV2_7 = _startup_shapes("2_7", "v2.7", StartupAttributesV2_6, RelationshipsV2_7)


# =================================================================================================
# beta.gouv.fr: startups_details.json, incubators.json, sponsors.json (Ruby JSON: null, raw values)
# =================================================================================================
RawText = str | None


class SourcePhase(Shape, kw_only=True):
    """Une phase telle qu'écrite dans la fiche (ordre de la fiche)."""

    name: doc(RawText, "Nom tel qu'écrit.")
    start: doc(RawText, "Début (AAAA-MM-JJ).") | UnsetType = UNSET
    end: doc(RawText, "Fin (AAAA-MM-JJ) ; absente pour une phase ouverte.") | UnsetType = UNSET
    comment: doc(RawText, "Commentaire ; absent si aucun.") | UnsetType = UNSET


MEMBERS = "Identifiants des membres (fichiers `authors`)"


class StartupDetails(Shape, kw_only=True):
    """Une startup et son équipe, calculée le jour de la construction du document."""

    active_members: doc(list[str], f"{MEMBERS} en mission sur la startup ce jour-là.")
    previous_members: doc(list[str], f"{MEMBERS} qui la citent dans `previously`.")
    expired_members: doc(list[str], f"{MEMBERS} dont la mission sur la startup est finie.")
    id: doc(str, "Identifiant de la startup.") | UnsetType = UNSET
    name: doc(RawText, "Nom (`title`).") | UnsetType = UNSET
    repository: doc(RawText, "Dépôt du code source ; null si aucun.") | UnsetType = UNSET
    contact: doc(RawText, "Contact ; null si aucun.") | UnsetType = UNSET
    phases: doc(list[SourcePhase] | None, "Phases de la fiche.") | UnsetType = UNSET


StartupsDetails = doc(
    dict[str, StartupDetails],
    "Les startups et leurs membres, par identifiant : d'abord celles que citent les membres, "
    "puis les autres.",
)


class IncubatorStartup(Shape, kw_only=True):
    """Une startup de l'incubateur (principal ou co-incubateur)."""

    id: doc(str, "Identifiant de la startup.")
    name: doc(RawText, "Nom (`title`).")
    pitch: doc(RawText, "Mission ; null si aucune.")
    repository: doc(RawText, "Dépôt du code source ; null si aucun.")
    contact: doc(RawText, "Contact ; null si aucun.")
    phases: doc(list[SourcePhase] | None, "Phases de la fiche.")


class IncubatorEntry(Shape, kw_only=True):
    """Un incubateur : ses startups (clé absente s'il n'en a aucune), puis sa fiche (clés
    absentes pour un incubateur caché)."""

    startups: doc(list[IncubatorStartup], "Ses startups, par nom de fichier.") | UnsetType = UNSET
    title: doc(RawText, "Nom.") | UnsetType = UNSET
    owner: doc(RawText, "Organisation porteuse : `/organisations/<id>`.") | UnsetType = UNSET
    contact: doc(RawText, "Contact.") | UnsetType = UNSET
    address: doc(RawText, "Adresse.") | UnsetType = UNSET
    website: doc(RawText, "Site ; null si aucun.") | UnsetType = UNSET
    github: doc(RawText, "Organisation GitHub ou GitLab.") | UnsetType = UNSET


Incubators = doc(
    dict[str, IncubatorEntry],
    "Les incubateurs par identifiant : d'abord ceux des startups (par nom de fichier), puis les "
    "autres.",
)


class Sponsor(Shape, kw_only=True):
    """Une organisation, valeurs de sa fiche (null si absentes)."""

    name: doc(RawText, "Nom.")
    acronym: doc(RawText, "Sigle.")
    domaine_ministeriel: doc(RawText, "Domaine ministériel (code).")
    type: doc(RawText, "Type d'organisation (code).")


Sponsors = doc(dict[str, Sponsor], "Les organisations par identifiant, par nom de fichier.")


# =================================================================================================
# beta.gouv.fr: organisations.json, authors.json (Liquid, HTML-escaped where the template says)
# =================================================================================================
ESCAPED = " Échappé en HTML (`&#39;`, `&amp;`…) comme par le filtre Liquid `escape`."


class OrganisationV2_6(Shape, kw_only=True):
    """Une organisation."""

    id: doc(str, "Identifiant (nom du fichier).")
    name: doc(str, "Nom." + ESCAPED)
    acronym: doc(str, 'Sigle ; "" si aucun.' + ESCAPED)
    domaine_ministeriel: doc(str, 'Domaine ministériel (code) ; "" si aucun.' + ESCAPED)
    type: doc(str, 'Type d\'organisation (code) ; "" si aucun.' + ESCAPED)


OrganisationsV2_6 = doc(list[OrganisationV2_6], "Les organisations, par nom de fichier.")

MISSION_START = doc(str, "Début (AAAA-MM-JJ).")
MISSION_END = doc(str, 'Fin (AAAA-MM-JJ) ; "" si aucune.')
MISSION_STATUS = doc(str, "independent, admin ou service.")
MISSION_EMPLOYER = doc(str, 'Employeur ; "" si aucun.')


class MissionV2_5(Shape, kw_only=True):
    """Une mission (v2 à v2.5)."""

    start: MISSION_START
    end: MISSION_END
    status: MISSION_STATUS
    employer: MISSION_EMPLOYER


class MissionV2_6(Shape, kw_only=True):
    """Une mission (v2.6, v2.7)."""

    start: MISSION_START
    end: MISSION_END
    status: MISSION_STATUS
    employer: MISSION_EMPLOYER
    startups: doc(list[str], "Startups de la mission ; absente si aucune.") | UnsetType = UNSET


AUTHOR_ID = doc(str, "Identifiant du membre (nom du fichier, `prenom.nom`).")
FULLNAME = doc(str, "Nom complet.")
ROLE = doc(str, "Rôle." + ESCAPED)
DOMAINE = doc(str, "Domaine (Développement, Design…)." + ESCAPED)
GITHUB = doc(str, "Compte GitHub ; absent si aucun.")
AUTHOR_STARTUPS = doc(list[str], "Startups (ancien format) ; absente si aucune.")
PREVIOUSLY = doc(list[str], "Startups précédentes ; absente si aucune.")


class AuthorV2_5(Shape, kw_only=True):
    """Un membre (v2 à v2.5)."""

    id: AUTHOR_ID
    fullname: FULLNAME
    role: ROLE
    domaine: DOMAINE
    github: GITHUB | UnsetType = UNSET
    missions: doc(list[MissionV2_5], "Missions, dans l'ordre de la fiche.")
    startups: AUTHOR_STARTUPS | UnsetType = UNSET
    previously: PREVIOUSLY | UnsetType = UNSET


class AuthorV2_6(Shape, kw_only=True):
    """Un membre (v2.6, v2.7)."""

    id: AUTHOR_ID
    fullname: FULLNAME
    role: ROLE
    domaine: DOMAINE
    link: doc(str, 'Lien ; "" si aucun.' + ESCAPED)
    bio: doc(str, "Présentation (texte de la fiche) ; absente si vide.") | UnsetType = UNSET
    github: GITHUB | UnsetType = UNSET
    missions: doc(list[MissionV2_6], "Missions, dans l'ordre de la fiche.")
    competences: doc(list[str], "Compétences ; absente si aucune.") | UnsetType = UNSET
    startups: AUTHOR_STARTUPS | UnsetType = UNSET
    previously: PREVIOUSLY | UnsetType = UNSET


AuthorsV2_5 = doc(list[AuthorV2_5], "Les membres, par nom de fichier.")
AuthorsV2_6 = doc(list[AuthorV2_6], "Les membres, par nom de fichier.")


# =================================================================================================
# Portefeuille's own resources (all keys always present, null for nothing, real types)
# =================================================================================================
DATE = {"format": "date"}
URI = {"format": "uri"}
AMOUNT = {"pattern": r"^-?[0-9]+\.[0-9]{2}$"}
Date = doc(str, "Date (AAAA-MM-JJ).", **DATE)


class Own(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of Portefeuille's resources: every key always present."""


class OwnLinks(Own, kw_only=True):
    """Liens (JSON:API)."""

    self_: doc(str, "Adresse de ce document.", **URI) = field(name="self")


class OwnPhase(Own, kw_only=True):
    """Une période de l'historique des phases, nettoyé par des règles explicites."""

    name: doc(
        one_of(PhaseKind.values),
        "Nom de la phase (vocabulaire actuel ; les anciens noms sont convertis : "
        "perennisation → consolidation, success/transfer/alumni → transfere).",
    )
    start: doc(str | None, "Premier jour ; null quand la source n'en donne pas.", **DATE)
    end: doc(str | None, "Dernier jour (inclus) ; null si la phase est en cours.", **DATE)


class OwnEvent(Own, kw_only=True):
    """Un événement marquant de la vie de la startup."""

    name: doc(one_of(EventKind.values), "Type d'événement ; un nom inconnu devient « other ».")
    date: doc(str, "Date de l'événement.", **DATE)
    comment: doc(str | None, "Commentaire, retours à la ligne compris ; null si aucun.")


class OwnStartupAttributes(Own, kw_only=True):
    """Attributs d'une startup : les clés de beta.gouv.fr v2.7 corrigées, puis les nôtres."""

    name: doc(str, "Nom de la startup.")
    pitch: doc(str | None, "Mission.")
    stats_url: doc(
        str | None,
        "Page de statistiques : `stats_url`, sinon `link` + `/stats` (`stats: true`).",
        **URI,
    )
    budget_url: doc(str | None, "Page publiant le budget.", **URI)
    impact_url: doc(str | None, "Page publiant l'impact.", **URI)
    link: doc(str | None, "Site du service.", **URI)
    repository: doc(str | None, "Dépôt du code source.", **URI)
    contact: doc(str | None, "Adresse de contact de l'équipe.")
    content_url_encoded_markdown: doc(
        str | None, "Description en markdown, encodée comme une URL ; null si aucune."
    )
    events: doc(list[OwnEvent], "Événements, du plus ancien au plus récent.")
    phases: doc(list[OwnPhase], "Historique des phases, du plus ancien au plus récent.")
    sponsors: doc(list[str], "Identifiants des organisations sponsors.")
    thematiques: doc(list[str], "Thématiques.")
    technos: doc(list[str], "Technologies.")
    analyse_risques: doc(bool | None, "Analyse de risques faite ; null si non renseigné.")
    analyse_risques_url: doc(str | None, "Lien vers l'analyse de risques.", **URI)
    dashlord_url: doc(str | None, "Rapport DashLord.", **URI)
    accessibility_status: doc(
        one_of([*AccessibilityStatus.values, None]), "Conformité au RGAA ; null si non renseignée."
    )
    usertypes: doc(list[str], "Publics du service.")
    mon_service_securise: doc(
        bool | None, "Suivie dans MonServiceSécurisé ; null si non renseigné."
    )
    current_phase: doc(
        one_of([*PhaseKind.values, None]),
        "Phase en cours aujourd'hui (celle qui a commencé le plus récemment) ; null si aucune.",
    )
    current_phase_start: doc(str | None, "Début de la phase en cours.", **DATE)
    lifecycle: doc(
        one_of(StartupStatus.values),
        "Situation : active, handed_over (transférée ou opérée), stopped, not_started.",
    )


class OwnIncubatorIdentifier(Own, kw_only=True):
    """Référence à un incubateur (décrit dans included)."""

    type: doc(Literal["incubator"], "Type de ressource.")
    id: doc(str, "Identifiant de l'incubateur.")


class OwnIncubatorRelationship(Own, kw_only=True):
    """Incubateur principal."""

    data: OwnIncubatorIdentifier


class OwnIncubatorsRelationship(Own, kw_only=True):
    """Tous les incubateurs : le principal d'abord, puis les co-incubateurs."""

    data: doc(list[OwnIncubatorIdentifier], "Références aux incubateurs.")


class OwnRelationships(Own, kw_only=True):
    """Liens vers les incubateurs."""

    incubator: OwnIncubatorRelationship
    incubators: OwnIncubatorsRelationship


class OwnStartup(Own, kw_only=True):
    """Une startup d'État."""

    id: doc(str, "Identifiant beta.gouv.fr (nom du fichier).")
    type: doc(Literal["startup"], "Type de ressource.")
    attributes: OwnStartupAttributes
    relationships: OwnRelationships


class OwnIncubatorAttributes(Own, kw_only=True):
    """Attributs d'un incubateur."""

    title: doc(str, "Nom de l'incubateur.")
    owner: doc(str | None, "Identifiant de l'organisation porteuse.")
    website: doc(str | None, "Site de l'incubateur.", **URI)
    github: doc(str | None, "Organisation GitHub ou GitLab.", **URI)
    contact: doc(str | None, "Contact.")


class OwnIncubator(Own, kw_only=True):
    """Un incubateur, inclus dans la réponse sur une startup."""

    id: doc(str, "Identifiant de l'incubateur.")
    type: doc(Literal["incubator"], "Type de ressource.")
    attributes: OwnIncubatorAttributes


class OwnStartupDocument(Own, kw_only=True):
    """Une startup et ses incubateurs."""

    links: OwnLinks
    data: OwnStartup
    included: doc(list[OwnIncubator], "Les incubateurs de cette startup.")


class OwnIncubatorStartup(Own, kw_only=True):
    """Une startup dont l'incubateur est l'incubateur principal."""

    id: doc(str, "Identifiant de la startup.")
    name: doc(str, "Nom.")
    pitch: doc(str | None, "Mission.")
    repository: doc(str | None, "Dépôt du code source.", **URI)
    contact: doc(str | None, "Contact.")
    phases: doc(list[OwnPhase], "Historique des phases.")


class OwnIncubatorEntry(Own, kw_only=True):
    """Un incubateur."""

    title: doc(str, "Nom de l'incubateur.")
    owner: doc(str | None, "Identifiant de l'organisation porteuse.")
    contact: doc(str | None, "Contact.")
    address: doc(str | None, "Adresse postale.")
    website: doc(str | None, "Site.", **URI)
    github: doc(str | None, "Organisation GitHub ou GitLab.", **URI)
    startups: doc(list[OwnIncubatorStartup], "Startups dont c'est l'incubateur principal.")


OwnIncubators = doc(dict[str, OwnIncubatorEntry], "Les incubateurs, indexés par identifiant.")


class OwnOrganisation(Own, kw_only=True):
    """Une organisation : ministère, direction, opérateur, collectivité…"""

    id: doc(str, "Identifiant de l'organisation.")
    name: doc(str, "Nom.")
    acronym: doc(str | None, "Sigle.")
    domaine_ministeriel: doc(str | None, "Domaine ministériel (code beta.gouv.fr).")
    type: doc(str | None, "Type d'organisation (code beta.gouv.fr).")


OwnOrganisations = doc(list[OwnOrganisation], "Toutes les organisations, par identifiant.")


class ErrorItem(Own, kw_only=True):
    """Une erreur."""

    status: doc(str, "Code HTTP.")
    title: doc(str, "Intitulé.")


class Error(Own, kw_only=True):
    """Une erreur (format JSON:API)."""

    errors: doc(list[ErrorItem], "Les erreurs.")


# --- Budget -------------------------------------------------------------------------------------
def amount(description: str):
    return doc(str, description, **AMOUNT)


ALLOUE = amount("Alloué (euros, chaîne décimale au centime).")
ENGAGE = amount("AE engagées : bons de commande et engagements juridiques signés.")
PAYE = amount("CP payés à la date du document.")
RESTE = amount("Reste à payer : AE engagées − CP payés.")


class Figures(Own, kw_only=True):
    """Les chiffres de tout le programme."""

    alloue: ALLOUE
    engage: ENGAGE
    paye: PAYE
    reste_a_payer: RESTE


class BudgetConvention(Own, kw_only=True):
    """Une convention et ses chiffres."""

    reference: doc(str, "Référence de la convention.")
    intitule: doc(str, "Intitulé.")
    type: doc(str, "Type de convention (délégation de gestion, partenariat), en clair.")
    statut: doc(str, "Statut (en projet, en vigueur, close, résiliée), en clair.")
    delegant: doc(str, "Nom de l'organisation délégante.")
    delegataire: doc(str, "Nom de l'organisation délégataire.")
    debut: doc(str, "Début de la convention.", **DATE)
    fin: doc(str, "Fin, avenants compris (incluse).", **DATE)
    plafond: amount("Plafond, avenants compris.")
    tranches_ae: amount("Total des tranches mises à disposition, en AE.")
    tranches_cp: amount("Total des tranches mises à disposition, en CP.")
    programme: doc(str, "Programme Chorus (vide si inconnu).")
    bop: doc(str, "BOP Chorus (vide si inconnu).")
    uo: doc(str, "Unité opérationnelle Chorus (vide si inconnue).")
    domaine_fonctionnel: doc(str, "Domaine fonctionnel Chorus (vide si inconnu).")
    alloue: ALLOUE
    engage: ENGAGE
    paye: PAYE
    reste_a_payer: RESTE


class BudgetYear(Own, kw_only=True):
    """Les chiffres d'une année : engagé et payé dans l'année."""

    annee: doc(int, "Année civile.")
    alloue: ALLOUE
    engage: ENGAGE
    paye: PAYE
    reste_a_payer: amount(
        "Reste à payer cumulé : toutes les AE engagées − tous les CP payés jusqu'à "
        "`reste_a_payer_au`."
    )
    reste_a_payer_au: doc(str, "Le 31/12 de l'année, ou aujourd'hui pour l'année en cours.", **DATE)


class BudgetActivity(Own, kw_only=True):
    """Les chiffres d'une activité."""

    activite: doc(one_of(Activity.labels), "Activité de dépense, en clair.")
    alloue: ALLOUE
    engage: ENGAGE
    paye: PAYE
    reste_a_payer: RESTE


class Commitment(Own, kw_only=True):
    """Un engagement et ce qui a été payé dessus."""

    convention: doc(str, "Référence de la convention.")
    tranche: doc(int, "Numéro de la tranche.")
    startup: doc(str | None, "Identifiant de la startup ; null pour un chantier.")
    startup_nom: doc(str | None, "Nom de la startup ; null pour un chantier.")
    chantier: doc(str | None, "Chantier transverse ; null pour une startup.")
    date_engagement: doc(str, "Date d'engagement.", **DATE)
    objet: doc(str, "Objet de l'engagement (vide si aucun).")
    marche: doc(one_of(PublicContract.labels), "Marché public utilisé, en clair.")
    activite: doc(one_of(Activity.labels), "Activité de dépense, en clair.")
    ressource: doc(one_of(Resource.labels), "Type de ressource, en clair.")
    montant_engage: amount("Montant engagé (AE).")
    ht_ttc: doc(one_of(TaxBasis.values), "Hors taxes (HT) ou toutes taxes comprises (TTC).")
    montant_paye: amount("CP payés sur cet engagement.")
    reste_a_payer: amount("Reste à payer sur cet engagement.")
    fournisseur: doc(str | None, "Fournisseur ; null sauf engagement marqué public.")
    bon_de_commande: doc(str | None, "Bon de commande ou EJ ; null sauf engagement marqué public.")


class Budget(Own, kw_only=True):
    """Le budget du programme : AE engagées, CP payés, reste à payer."""

    date: doc(str, "Date des chiffres (aujourd'hui).", **DATE)
    unite: doc(str, "Unité des montants.")
    total: Figures
    conventions: doc(
        list[BudgetConvention], "Les conventions, de la plus ancienne à la plus récente."
    )
    annees: doc(list[BudgetYear], "Les chiffres par année.")
    activites: doc(
        list[BudgetActivity], "Les chiffres par activité, du plus engagé au moins engagé."
    )
    engagements: doc(list[Commitment], "Tous les engagements, par date.")


# --- Decisions ----------------------------------------------------------------------------------
class DecisionAttributes(Own, kw_only=True):
    """Attributs d'une décision."""

    committee_id: doc(int, "Identifiant du comité.")
    committee_date: doc(str, "Date du comité.", **DATE)
    committee_url: doc(str, "Page publique du comité.", **URI)
    startup: doc(str, "Identifiant de la startup.")
    startup_name: doc(str, "Nom de la startup.")
    decision: doc(one_of(DecisionKind.values), "Décision d'investissement.")
    decision_label: doc(one_of(DecisionKind.labels), "La décision, en clair.")
    amount: doc(str | None, "Montant décidé en euros ; null sans montant.", **AMOUNT)
    effective_date: doc(str, "Date d'effet.", **DATE)
    phase_started: doc(
        one_of([*PhaseKind.values, None]), "Phase engagée par la décision ; null si aucune."
    )


class StartupIdentifier(Own, kw_only=True):
    """Référence à une startup."""

    type: doc(Literal["startup"], "Type de ressource.")
    id: doc(str, "Identifiant de la startup.")


class StartupRelationship(Own, kw_only=True):
    """La startup concernée."""

    data: StartupIdentifier


class DecisionRelationships(Own, kw_only=True):
    """Liens."""

    startup: StartupRelationship


class Decision(Own, kw_only=True):
    """Une décision de comité d'investissement publiée."""

    id: doc(str, "Identifiant de la décision.")
    type: doc(Literal["decision"], "Type de ressource.")
    attributes: DecisionAttributes
    relationships: DecisionRelationships


class Decisions(Own, kw_only=True):
    """Les décisions des comités d'investissement."""

    links: OwnLinks
    data: doc(list[Decision], "Les décisions publiées.")


# --- Indicators ---------------------------------------------------------------------------------
class Measurement(Own, kw_only=True):
    """Une valeur d'un indicateur sur une période."""

    period: doc(str, "Période : AAAA-MM pour un mois, AAAA-MM-JJ pour un jour.")
    period_kind: doc(one_of(PeriodKind.values), "Mois ou jour.")
    value: doc(int | float, "Valeur mesurée.")
    source: doc(str | None, "Source de la valeur ; null si aucune.")
    comment: doc(str | None, "Commentaire ; null si aucun.")


class Indicator(Own, kw_only=True):
    """Un indicateur d'impact public et ses valeurs."""

    id: doc(int, "Identifiant de l'indicateur.")
    name: doc(str, "Nom.")
    description: doc(str, "Description (vide si aucune).")
    unit: doc(str, "Unité, au pluriel.")
    category: doc(one_of(ImpactCategory.values), "Case de la matrice d'impact du programme.")
    direction: doc(one_of(Direction.values), "Sens souhaité : higher ou lower.")
    north_star: doc(bool, "Étoile polaire (North Star).")
    is_count: doc(bool, "Décompte par période (les valeurs s'additionnent).")
    target: doc(int | float | None, "Cible ; null si aucune.")
    target_date: doc(str | None, "Date de la cible.", **DATE)
    fresh: doc(bool, "La dernière valeur est assez récente (45 jours North Star, 100 sinon).")
    last_period: doc(str | None, "Période de la dernière valeur ; null sans valeur.")
    values: doc(list[Measurement], "Les valeurs, de la plus ancienne à la plus récente.")


class IndicatorsStartup(Own, kw_only=True):
    """La startup."""

    id: doc(str, "Identifiant de la startup.")
    name: doc(str, "Nom de la startup.")
    impact_page: doc(str, "Page publique d'impact.", **URI)


class Indicators(Own, kw_only=True):
    """Les indicateurs d'impact publics d'une startup."""

    startup: IndicatorsStartup
    generated_on: doc(str, "Date du document.", **DATE)
    indicators: doc(list[Indicator], "Les indicateurs publics, la North Star d'abord.")
