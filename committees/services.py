"""Writes of the committees: dossiers, reviews, decisions and their consequences.

Recording a decision is one transaction: the decision, the phase change (through the startups
services), the proposed allocation (through the budgets services, under every budget rule) and
the next committee date. If any part is refused, nothing is written and the French message of
the refusal reaches the person who recorded it.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.selectors import startup_figures, tranche_left_to_allocate
from committees import snapshots
from committees.models import (
    ENDING_DECISIONS,
    FIXED_TARGET_PHASE,
    INVESTIGATION_ONLY,
    NEXT_ACTIVE_PHASE,
    Attachment,
    Committee,
    CommitteeStatus,
    Decision,
    DecisionKind,
    Dossier,
    ObjectiveStatus,
    PartnerReview,
    committee_due,
    six_months_after,
)
from publishing.formats import euros, fr_date
from startups.models import Event, EventKind, Startup
from startups.phases import ACTIVE_KINDS, PHASE_BEGINS, PhaseKind
from startups.services import start_phase

EXTENSION_MIN = timedelta(days=28)
EXTENSION_MAX = timedelta(days=62)


class CommitteeError(ValidationError):
    """A committee action refused; the message says why, in French."""


# --- Dossiers ----------------------------------------------------------------------------------
def previous_decision(startup: Startup, before: date) -> Decision | None:
    return (
        Decision.objects.filter(dossier__startup=startup, dossier__committee__date__lt=before)
        .order_by("-dossier__committee__date")
        .first()
    )


def create_dossier(*, committee: Committee, startup: Startup, by=None) -> Dossier:
    """Put a startup on the agenda, with the last decision's objectives to evaluate."""
    previous = previous_decision(startup, committee.date)
    objectives = [
        {"objective": objective, "status": ObjectiveStatus.UNKNOWN.value, "comment": ""}
        for objective in (previous.objectives if previous else [])
    ]
    dossier = Dossier(
        committee=committee,
        startup=startup,
        previous_objectives=objectives,
        order=committee.dossiers.count() + 1,
    )
    dossier._history_user = by
    dossier.full_clean()
    dossier.save()
    return dossier


def send_dossiers(*, committee: Committee, by=None, notify=None) -> list[Dossier]:
    """Freeze every dossier's indicators, money and team, and mark the committee's dossiers sent.

    Partners are notified afterwards by `notify(committee)` (e-mails go out only once the
    transaction has committed, so a refused send notifies no one).
    """
    with transaction.atomic():
        committee = Committee.objects.select_for_update().get(pk=committee.pk)
        if committee.status not in (CommitteeStatus.PLANNED, CommitteeStatus.DOSSIERS_SENT):
            raise CommitteeError(
                f"Le comité du {fr_date(committee.date)} est {committee.get_status_display().lower()} : "
                "ses dossiers ne peuvent plus être envoyés."
            )
        dossiers = list(committee.dossiers.select_related("startup"))
        if not dossiers:
            raise CommitteeError("Ce comité n'a aucun dossier à l'ordre du jour.")
        now = timezone.now()
        for dossier in dossiers:
            if dossier.is_frozen:
                continue
            dossier.indicators_snapshot = snapshots.indicators(dossier.startup)
            dossier.money_snapshot = snapshots.money(dossier.startup)
            dossier.team_snapshot = snapshots.team(dossier.startup, timezone.localdate(now))
            dossier.snapshot_at = now
            dossier._history_user = by
            dossier.save(
                update_fields=[
                    "indicators_snapshot",
                    "money_snapshot",
                    "team_snapshot",
                    "snapshot_at",
                ]
            )
        committee.status = CommitteeStatus.DOSSIERS_SENT
        committee.dossiers_sent_at = now
        committee._history_user = by
        committee.save(update_fields=["status", "dossiers_sent_at"])
        if notify:
            transaction.on_commit(lambda: notify(committee))
    return dossiers


def mark_held(*, committee: Committee, by=None) -> Committee:
    with transaction.atomic():
        committee = Committee.objects.select_for_update().get(pk=committee.pk)
        if committee.status == CommitteeStatus.CLOSED:
            raise CommitteeError("Ce comité est déjà clos.")
        if not committee.has_taken_place:
            raise CommitteeError(committee.not_yet_error("il ne peut pas être marqué comme tenu"))
        committee.status = CommitteeStatus.HELD
        committee._history_user = by
        committee.save(update_fields=["status"])
    return committee


def close_committee(*, committee: Committee, by=None) -> Committee:
    """Close a committee; refused while a dossier has no decision (the programme's failure)."""
    with transaction.atomic():
        committee = Committee.objects.select_for_update().get(pk=committee.pk)
        if not committee.has_taken_place:
            raise CommitteeError(committee.not_yet_error("il ne peut pas être clos"))
        undecided = [
            d.startup.title for d in committee.dossiers.without_decision().select_related("startup")
        ]
        if undecided:
            raise CommitteeError(
                "Le comité ne peut pas être clos sans décision d'investissement pour : "
                f"{', '.join(undecided)}. Sans décision, les prestataires ne peuvent pas "
                "travailler faute de bons de commande."
            )
        committee.status = CommitteeStatus.CLOSED
        committee._history_user = by
        committee.save(update_fields=["status"])
    return committee


# --- Reviews -----------------------------------------------------------------------------------
def save_review(*, dossier: Dossier, organisation, author, opinion, questions="", comments=""):
    """An organisation's review, written or rewritten until the pre-read deadline."""
    committee = dossier.committee
    if not committee.review_open:
        raise CommitteeError(
            f"La date limite de relecture ({fr_date(committee.pre_read_deadline)}) est passée : "
            "l'avis ne peut plus être modifié."
        )
    with transaction.atomic():
        review, _ = PartnerReview.objects.select_for_update().get_or_create(
            dossier=dossier,
            organisation=organisation,
            defaults={"author": author, "opinion": opinion},
        )
        review.author = author
        review.opinion = opinion
        review.questions = questions
        review.comments = comments
        review._history_user = author
        review.full_clean()
        review.save()
    return review


# --- Attachments -------------------------------------------------------------------------------
ALLOWED_ATTACHMENTS = {
    # extension: (content type, magic bytes at the start of the file)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "odp": ("application/vnd.oasis.opendocument.presentation", (b"PK\x03\x04",)),
    "ppt": ("application/vnd.ms-powerpoint", (b"\xd0\xcf\x11\xe0",)),
}  # fmt: skip
MAX_ATTACHMENT_SIZE = 20 * 1024 * 1024


def check_attachment(uploaded_file) -> tuple[str, str]:
    """Check an upload's type (extension and content) and size: (safe name, content type)."""
    name = uploaded_file.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_ATTACHMENTS:
        raise CommitteeError(
            f"« {name} » : seuls les PDF et les présentations (.pptx, .odp, .ppt) sont acceptés."
        )
    if uploaded_file.size > MAX_ATTACHMENT_SIZE:
        raise CommitteeError(
            f"« {name} » pèse {uploaded_file.size / 2**20:.1f} Mo : 20 Mo au plus."
        )
    content_type, signatures = ALLOWED_ATTACHMENTS[extension]
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if not head.startswith(signatures):
        raise CommitteeError(f"« {name} » n'est pas un fichier {extension.upper()} valide.")
    return name, content_type


def add_attachment(*, dossier: Dossier, uploaded_file, by=None) -> Attachment:
    """Check an upload, then store it privately under a random name."""
    name, content_type = check_attachment(uploaded_file)
    attachment = Attachment(
        dossier=dossier,
        token=secrets.token_urlsafe(24),
        original_name=name,
        content_type=content_type,
        size=uploaded_file.size,
    )
    try:
        with transaction.atomic():
            attachment.file.save(attachment.token, uploaded_file, save=False)
            attachment.save()
    except OSError as exc:
        # Disk full or read-only storage: the dossier is untouched, the person is told.
        attachment.file.storage.delete(attachment.file.name) if attachment.file.name else None
        raise CommitteeError(
            f"« {name} » n'a pas pu être enregistré (stockage indisponible : {exc.strerror or exc}). "
            "Le dossier n'a pas été modifié ; réessayez plus tard."
        ) from exc
    return attachment


# --- Decisions ---------------------------------------------------------------------------------
@dataclass
class Consequences:
    """What recording a decision will do: shown to staff before they confirm."""

    phase: PhaseKind | None
    phase_start: date | None
    amount: Decimal | None
    tranche: object | None
    next_committee_due: date | None
    messages: list[str] = field(default_factory=list)


def decision_consequences(
    *,
    dossier: Dossier,
    kind: str,
    effective_date: date,
    amount: Decimal | None = None,
    tranche=None,
    new_committee_date: date | None = None,
) -> Consequences:
    """Check a decision against the rules and say what it will change. Raises CommitteeError."""
    kind = DecisionKind(kind)
    startup = Startup.objects.with_current_phase(effective_date).get(pk=dossier.startup_id)
    current = startup.current_phase_kind
    errors = []
    if kind in INVESTIGATION_ONLY and current != PhaseKind.INVESTIGATION:
        errors.append(
            f"« {kind.label} » ne s'applique qu'après une investigation ; "
            f"{startup.title} est en {PhaseKind(current).label.lower() if current else 'aucune phase'}."
        )
    if current not in ACTIVE_KINDS:
        errors.append(
            f"{startup.title} n'est pas active ({PhaseKind(current).label.lower() if current else 'aucune phase'}) : "
            "aucune décision d'investissement ne s'y applique."
        )
    target = FIXED_TARGET_PHASE.get(kind)
    if kind == DecisionKind.NEXT_PHASE:
        target = NEXT_ACTIVE_PHASE.get(current)
        if target is None and current in ACTIVE_KINDS:
            errors.append(
                "La consolidation est la dernière phase : choisissez « Pérennisation » pour un transfert."
            )
    if kind == DecisionKind.EXTEND:
        if not new_committee_date:
            errors.append("Une reconduction temporaire exige la date du nouveau comité.")
        elif not (EXTENSION_MIN <= new_committee_date - effective_date <= EXTENSION_MAX):
            # The bounds in days too: "9 semaines" (63 days) read as allowed, and is refused.
            errors.append("Une reconduction temporaire dure 1 à 2 mois : le nouveau comité doit se tenir entre 4 et 9 semaines (28 à 62 jours) après la date d'effet.")  # fmt: skip
    if kind in ENDING_DECISIONS and amount:
        errors.append(
            f"Une décision « {kind.label} » n'engage pas de nouveau budget : laissez le montant vide."
        )
    if amount is not None and amount < 0:
        errors.append("Le montant décidé ne peut pas être négatif.")
    if amount and tranche is None:
        errors.append(
            "Choisissez la tranche de convention sur laquelle proposer l'allocation du montant décidé."
        )
    left_on_tranche = tranche_left_to_allocate(tranche) if amount and tranche else None
    if left_on_tranche is not None and amount > left_on_tranche:
        # Said in the preview, not only at « Confirmer » (where the budget rule refuses it too).
        errors.append(
            f"Il reste {euros(max(left_on_tranche, 0), plain=True)} à allouer sur la tranche "
            f"« {tranche} », pour {euros(amount, plain=True)} décidés : choisissez une autre "
            "tranche, un montant plus petit, ou ajoutez une tranche à la convention."
        )
    if errors:
        raise CommitteeError(errors)

    if kind in ENDING_DECISIONS:
        due = None
    elif kind == DecisionKind.EXTEND:
        due = new_committee_date
    else:
        # Money decided today counts: it pushes back the day the money runs out.
        figures = startup_figures(startup.pk, dossier.committee.date)
        figures.allocated += amount or 0
        due = committee_due(dossier.committee.date, figures.runs_out_on)
    messages = []
    if target:
        messages.append(f"{startup.title} {PHASE_BEGINS[target]} le {fr_date(effective_date)} ; la phase en cours se termine la veille.")  # fmt: skip
    else:
        messages.append(f"{startup.title} reste en {PhaseKind(current).label.lower()}.")
    if amount:
        messages.append(
            f"Une allocation de {euros(amount)} est proposée sur la tranche « {tranche} » ; "
            f"il y restera {euros(left_on_tranche - amount)} à allouer."
        )
    if due:
        messages.append(f"Prochain comité dû au plus tard le {fr_date(due)}.")
    else:
        messages.append("Plus de comité à prévoir pour cette startup.")
    return Consequences(target, effective_date if target else None, amount, tranche, due, messages)


def record_decision(
    *,
    dossier: Dossier,
    kind: str,
    effective_date: date,
    by,
    amount: Decimal | None = None,
    tranche=None,
    period_start: date | None = None,
    period_end: date | None = None,
    objectives: list[str] | None = None,
    text: str = "",
    new_committee_date: date | None = None,
) -> Decision:
    """Record the decision and its consequences in one transaction (see the module docstring)."""
    from budgets.services import propose_allocation

    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update()
            .select_related("committee", "startup")
            .get(pk=dossier.pk)
        )
        if hasattr(dossier, "decision"):
            raise CommitteeError(
                f"Une décision est déjà enregistrée pour {dossier.startup.title} à ce comité."
            )
        if dossier.committee.status == CommitteeStatus.CLOSED:
            raise CommitteeError("Ce comité est clos : ses décisions ne peuvent plus changer.")
        if not dossier.committee.has_taken_place:
            raise CommitteeError(
                dossier.committee.not_yet_error("aucune décision ne peut être enregistrée")
            )
        consequences = decision_consequences(
            dossier=dossier,
            kind=kind,
            effective_date=effective_date,
            amount=amount,
            tranche=tranche,
            new_committee_date=new_committee_date,
        )
        kind = DecisionKind(kind)
        decision = Decision(
            dossier=dossier,
            kind=kind,
            effective_date=effective_date,
            amount=amount,
            period_start=period_start or (effective_date if amount else None),
            period_end=period_end or (six_months_after(effective_date) if amount else None),
            objectives=[o.strip() for o in (objectives or []) if o and o.strip()],
            text=text,
            new_committee_date=new_committee_date,
            next_committee_due=consequences.next_committee_due,
            phase_started=consequences.phase or "",
            recorded_by=by,
        )
        reason = f"décision du comité du {fr_date(dossier.committee.date)} : {kind.label}"
        if consequences.phase:
            start_phase(
                startup=dossier.startup,
                kind=consequences.phase,
                on=effective_date,
                comment=reason,
                by=by,
                reason=reason,
            )
        if amount:
            decision.allocation = propose_allocation(
                tranche=tranche,
                startup=dossier.startup,
                amount=amount,
                purpose=reason,
                # No purchase order before the decision takes effect, whatever period it names.
                period_start=max(effective_date, decision.period_start or effective_date),
                period_end=decision.period_end,
                by=by,
            )
        decision._history_user = by
        decision.full_clean(exclude=["dossier", "allocation", "recorded_by"])
        decision.save()
        # The startup's public timeline shows the decision, as beta.gouv.fr's "committee" events.
        event = Event(
            startup=dossier.startup,
            kind=EventKind.COMMITTEE,
            date=dossier.committee.date,
            comment=kind.label + (f" ({euros(amount)})" if amount else ""),
            source_name="committee",
        )
        event._history_user = by
        event.save()
    return decision
