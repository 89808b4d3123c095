"""The phase vocabulary of beta.gouv.fr, in one place: kinds, legacy names, expected durations.

Sources: the programme's description of its four phases (DOMAIN.md) and the names used by the
beta.gouv.fr data (`investigation`, `construction`, `acceleration`, `consolidation`, `transfere`,
`opere`, `abandon-investigation`, `abandon`).
"""

from datetime import timedelta

from django.db import models


class PhaseKind(models.TextChoices):
    INVESTIGATION = "investigation", "Investigation"
    CONSTRUCTION = "construction", "Construction"
    ACCELERATION = "acceleration", "Accélération"
    CONSOLIDATION = "consolidation", "Consolidation"
    TRANSFERRED = "transfere", "Transférée"
    OPERATED = "opere", "Opérée"
    INVESTIGATION_DROPPED = "abandon-investigation", "Investigation non concluante"
    STOPPED = "abandon", "Abandonnée"


# "X entre en construction le …", "X est abandonnée le …": how a sentence says a phase begins.
PHASE_BEGINS = {
    PhaseKind.INVESTIGATION: "entre en investigation",
    PhaseKind.CONSTRUCTION: "entre en construction",
    PhaseKind.ACCELERATION: "entre en accélération",
    PhaseKind.CONSOLIDATION: "entre en consolidation",
    PhaseKind.TRANSFERRED: "est transférée à l'administration",
    PhaseKind.OPERATED: "est opérée par l'administration",
    PhaseKind.INVESTIGATION_DROPPED: "clôt une investigation non concluante",
    PhaseKind.STOPPED: "est arrêtée",
}


class StartupStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    HANDED_OVER = "handed_over", "Transférée ou opérée"
    STOPPED = "stopped", "Arrêtée"
    NOT_STARTED = "not_started", "Pas encore commencée"


# Older beta.gouv.fr data used other names. Each maps explicitly onto the current vocabulary:
# `perennisation` is the old name of consolidation (DOMAIN.md); `success` ("pérennisée") and
# `transfer` meant handed over to an administration; `alumni` ("partenariat terminé") meant the
# startup left the programme to live on elsewhere, i.e. handed over too.
LEGACY_PHASE_NAMES = {
    "perennisation": PhaseKind.CONSOLIDATION,
    "success": PhaseKind.TRANSFERRED,
    "transfer": PhaseKind.TRANSFERRED,
    "alumni": PhaseKind.TRANSFERRED,
}

# Lifecycle order: breaks ties between phases that start on the same day.
LIFECYCLE_ORDER = [
    PhaseKind.INVESTIGATION,
    PhaseKind.CONSTRUCTION,
    PhaseKind.ACCELERATION,
    PhaseKind.CONSOLIDATION,
    PhaseKind.INVESTIGATION_DROPPED,
    PhaseKind.STOPPED,
    PhaseKind.TRANSFERRED,
    PhaseKind.OPERATED,
]

ACTIVE_KINDS = frozenset(
    {
        PhaseKind.INVESTIGATION,
        PhaseKind.CONSTRUCTION,
        PhaseKind.ACCELERATION,
        PhaseKind.CONSOLIDATION,
    }
)
HANDED_OVER_KINDS = frozenset({PhaseKind.TRANSFERRED, PhaseKind.OPERATED})
STOPPED_KINDS = frozenset({PhaseKind.INVESTIGATION_DROPPED, PhaseKind.STOPPED})
TERMINAL_KINDS = HANDED_OVER_KINDS | STOPPED_KINDS

# Expected length of each active phase: the upper bound of the programme's typical length
# (DOMAIN.md). A startup still in its phase after this is overstaying it.
EXPECTED_DURATIONS = {
    PhaseKind.INVESTIGATION: timedelta(weeks=9),
    PhaseKind.CONSTRUCTION: timedelta(days=365),
    PhaseKind.ACCELERATION: timedelta(days=730),
    PhaseKind.CONSOLIDATION: timedelta(days=183),
}
EXPECTED_DURATION_LABELS = {
    PhaseKind.INVESTIGATION: "6 à 9 semaines",
    PhaseKind.CONSTRUCTION: "6 à 12 mois",
    PhaseKind.ACCELERATION: "12 à 24 mois",
    PhaseKind.CONSOLIDATION: "environ 6 mois",
}


def phase_kind_from_name(name: str) -> PhaseKind | None:
    """The kind for a name of the data (current or legacy), or None when it is unknown."""
    name = (name or "").strip().lower()
    if name in PhaseKind.values:
        return PhaseKind(name)
    return LEGACY_PHASE_NAMES.get(name)


def status_of(kind: str | None) -> StartupStatus:
    if kind is None:
        return StartupStatus.NOT_STARTED
    if kind in HANDED_OVER_KINDS:
        return StartupStatus.HANDED_OVER
    if kind in STOPPED_KINDS:
        return StartupStatus.STOPPED
    return StartupStatus.ACTIVE


def kinds_of_status(status: str) -> frozenset:
    return {
        StartupStatus.ACTIVE: ACTIVE_KINDS,
        StartupStatus.HANDED_OVER: HANDED_OVER_KINDS,
        StartupStatus.STOPPED: STOPPED_KINDS,
    }.get(status, frozenset())
