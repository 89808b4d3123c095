"""E-mails of the committees, in French: dossiers sent, pre-read reminders, staff alerts.

Every message is keyed (`ReminderLog.key`, unique): a key already logged is never sent again,
so `committees_remind` and `notify_dossiers_sent` are safe to re-run. One message per person,
so partners never see each other's addresses.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse

from committees.models import (
    Committee,
    CommitteeStatus,
    Dossier,
    PartnerMembership,
    PartnerReview,
    ReminderLog,
)
from publishing.formats import fr_date
from startups.models import Startup

PRE_READ_WINDOW = timedelta(days=7)
SIGNATURE = "\n\nL'équipe du portefeuille des startups d'État"


def site_url(path: str) -> str:
    base = getattr(settings, "SITE_URL", "") or "http://localhost:8000"
    return base.rstrip("/") + path


def admin_url(model: str, pk: int) -> str:
    try:
        return site_url(reverse(f"admin:committees_{model}_change", args=[pk]))
    except NoReverseMatch:
        return site_url("/admin/")


@dataclass
class Message:
    key: str
    to: str
    subject: str
    body: str


@dataclass
class Outcome:
    sent: list[Message] = field(default_factory=list)
    skipped: list[Message] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)


def deliver(messages: list[Message], *, dry_run: bool = False) -> Outcome:
    """Send each message whose key was never logged; log it in the same transaction."""
    outcome = Outcome()
    logged = set(
        ReminderLog.objects.filter(key__in=[m.key for m in messages]).values_list("key", flat=True)
    )
    for message in messages:
        if message.key in logged:
            outcome.skipped.append(message)
            continue
        if dry_run:
            outcome.sent.append(message)
            continue
        try:
            with transaction.atomic():
                ReminderLog.objects.create(key=message.key, recipients=message.to)
                send_mail(message.subject, message.body + SIGNATURE, None, [message.to])
        except IntegrityError:
            outcome.skipped.append(message)  # sent meanwhile by another run
        except OSError as error:  # SMTP down: not logged, so the next run retries
            outcome.failed.append((message, str(error)))
        else:
            outcome.sent.append(message)
        logged.add(message.key)
    return outcome


# --- Recipients ---------------------------------------------------------------------------------
def partners_of(committee: Committee) -> dict:
    """{user: [dossiers of the committee its organisations sponsor]}, invited organisations'
    members included (with the dossiers they sponsor, possibly none)."""
    dossiers = list(committee.dossiers.select_related("startup").order_by("order"))
    sponsors = defaultdict(set)
    for startup_id, organisation_id in Startup.sponsors.through.objects.filter(
        startup_id__in=[d.startup_id for d in dossiers]
    ).values_list("startup_id", "organisation_id"):
        sponsors[organisation_id].add(startup_id)
    invited = set(committee.invited_organisations.values_list("pk", flat=True))
    memberships = (
        PartnerMembership.objects.filter(organisation_id__in=set(sponsors) | invited)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    )
    recipients: dict = {}
    for membership in memberships:
        mine = recipients.setdefault(membership.user, {})
        for dossier in dossiers:
            if dossier.startup_id in sponsors.get(membership.organisation_id, ()):
                mine.setdefault(dossier.pk, (dossier, membership.organisation_id))
    return {user: list(items.values()) for user, items in recipients.items()}


def staff_users():
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .order_by("email")
    )


def dossier_lines(dossiers: list[Dossier]) -> str:
    return "\n".join(
        f"- {dossier.startup.title} : {site_url(dossier.get_absolute_url())}"
        for dossier in dossiers
    )


# --- Dossiers sent ------------------------------------------------------------------------------
def dossiers_sent_messages(committee: Committee) -> list[Message]:
    messages = []
    for user, items in partners_of(committee).items():
        dossiers = [dossier for dossier, _ in items]
        lines = dossier_lines(dossiers) or (
            f"- l'espace partenaires : {site_url(reverse('committees:partner_home'))}"
        )
        messages.append(
            Message(
                key=f"dossiers-sent:committee:{committee.pk}:user:{user.pk}",
                to=user.email,
                subject=f"Comité d'investissement du {fr_date(committee.date)} : les dossiers sont disponibles",
                body=(
                    "Bonjour,\n\n"
                    f"Les dossiers du comité d'investissement du {fr_date(committee.date)}"
                    f"{' (' + committee.place + ')' if committee.place else ''} sont disponibles "
                    "dans l'espace partenaires :\n"
                    f"{lines}\n\n"
                    f"Vous pouvez donner l'avis de votre organisation jusqu'au "
                    f"{fr_date(committee.pre_read_deadline)} inclus."
                ),
            )
        )
    return messages


def notify_dossiers_sent(committee: Committee) -> Outcome:
    """Passed to `services.send_dossiers(notify=...)`: tells the partners, once each."""
    return deliver(dossiers_sent_messages(committee))


# --- Reminders ----------------------------------------------------------------------------------
def prereading_messages(committee: Committee, on: date) -> list[Message]:
    """A week before the pre-read deadline, and the day before: to partners whose organisation
    still has a dossier to review."""
    days_left = (committee.pre_read_deadline - on).days
    if 2 <= days_left <= 7:
        kind = "prereading-7d"
    elif 0 <= days_left <= 1:
        kind = "prereading-1d"
    else:
        return []
    reviewed = set(
        PartnerReview.objects.filter(dossier__committee=committee).values_list(
            "dossier_id", "organisation_id"
        )
    )
    when = (
        "demain"
        if days_left == 1
        else ("aujourd'hui" if days_left == 0 else f"dans {days_left} jours")
    )
    messages = []
    for user, items in partners_of(committee).items():
        pending = [dossier for dossier, org in items if (dossier.pk, org) not in reviewed]
        if not pending:
            continue
        messages.append(
            Message(
                key=f"{kind}:committee:{committee.pk}:user:{user.pk}",
                to=user.email,
                subject=(
                    f"Rappel : avis attendus avant le {fr_date(committee.pre_read_deadline)} "
                    f"(comité du {fr_date(committee.date)})"
                ),
                body=(
                    "Bonjour,\n\n"
                    f"La relecture des dossiers du comité d'investissement du {fr_date(committee.date)} "
                    f"se termine {when} ({fr_date(committee.pre_read_deadline)} inclus). "
                    "Votre organisation n'a pas encore donné son avis sur :\n"
                    f"{dossier_lines(pending)}\n\n"
                    "Après cette date, l'avis ne pourra plus être donné ni modifié."
                ),
            )
        )
    return messages


def overdue_messages(committee: Committee, staff: list) -> list[Message]:
    admin = admin_url("committee", committee.pk)
    return [
        Message(
            key=f"overdue:committee:{committee.pk}:user:{user.pk}",
            to=user.email,
            subject=f"Comité du {fr_date(committee.date)} non clos",
            body=(
                "Bonjour,\n\n"
                f"Le comité d'investissement du {fr_date(committee.date)} est passé mais n'est pas clos "
                f"(statut : {committee.get_status_display().lower()}). Sans décision enregistrée, "
                "les prestataires ne peuvent pas travailler faute de bons de commande.\n\n"
                f"Enregistrer les décisions et clore le comité : {admin}"
            ),
        )
        for user in staff
    ]


def incomplete_messages(committee: Committee, staff: list) -> list[Message]:
    incomplete = [
        (dossier, dossier.missing_parts())
        for dossier in committee.dossiers.select_related("startup").order_by("order")
    ]
    incomplete = [(dossier, missing) for dossier, missing in incomplete if missing]
    if not incomplete:
        return []
    lines = "\n".join(
        f"- {dossier.startup.title} : manque {', '.join(missing)} "
        f"({admin_url('dossier', dossier.pk)})"
        for dossier, missing in incomplete
    )
    return [
        Message(
            key=f"incomplete:committee:{committee.pk}:user:{user.pk}",
            to=user.email,
            subject=f"Comité du {fr_date(committee.date)} : {len(incomplete)} dossier(s) incomplet(s)",
            body=(
                "Bonjour,\n\n"
                f"La relecture du comité du {fr_date(committee.date)} se termine le "
                f"{fr_date(committee.pre_read_deadline)} et des dossiers sont incomplets :\n{lines}"
            ),
        )
        for user in staff
    ]


def reminders(on: date) -> list[Message]:
    """Every reminder due on `on` (sent or not yet: `deliver` skips those already logged)."""
    open_statuses = (CommitteeStatus.PLANNED, CommitteeStatus.DOSSIERS_SENT)
    staff = list(staff_users())
    messages = []
    for committee in Committee.objects.filter(
        status__in=open_statuses, pre_read_deadline__range=(on, on + PRE_READ_WINDOW)
    ).order_by("date"):
        messages += prereading_messages(committee, on)
        messages += incomplete_messages(committee, staff)
    for committee in (
        Committee.objects.filter(date__lt=on)
        .exclude(status=CommitteeStatus.CLOSED)
        .order_by("date")
    ):
        messages += overdue_messages(committee, staff)
    return messages
