"""Demo committees: the past ones from the imported `committee` events, an upcoming one with
dossiers, and partner accounts for two sponsoring organisations. Idempotent."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from committees import services
from committees.models import (
    Committee,
    CommitteeStatus,
    Decision,
    DecisionKind,
    Dossier,
    PartnerMembership,
)
from startups.models import Event, EventKind, Startup

PARTNER_PASSWORD = "demo-partenaire-2026"  # noqa: S105 - demo accounts, printed by make run
PAST_COMMITTEES = 12


def decision_kind_of(comment: str) -> str:
    """The beta.gouv.fr committee events are free text ("Poursuite", "Arrêt", ...)."""
    text = comment.lower()
    if "arrêt" in text or "arret" in text or "fin " in text:
        return DecisionKind.STOP
    if "accélération" in text or "acceleration" in text:
        return DecisionKind.NEXT_PHASE
    if "pérenn" in text or "transfert" in text:
        return DecisionKind.MAKE_PERMANENT
    return DecisionKind.CONTINUE


def partner_accounts() -> list[tuple[str, str, str]]:
    """Partner accounts for the two organisations that fund the most active startups."""
    user_model = get_user_model()
    counts = Counter(
        Startup.sponsors.through.objects.filter(
            startup__in=Startup.objects.active().values("pk")
        ).values_list("organisation_id", flat=True)
    )
    accounts = []
    for letter, (organisation_id, _) in zip("ab", counts.most_common(2), strict=False):
        email = f"partenaire-{letter}@demo.beta.gouv.fr"
        user, _ = user_model.objects.get_or_create(
            username=email,
            defaults={"email": email, "first_name": "Partenaire", "last_name": letter.upper()},
        )
        user.set_password(PARTNER_PASSWORD)
        user.save()
        PartnerMembership.objects.get_or_create(user=user, organisation_id=organisation_id)
        accounts.append((organisation_id, email, PARTNER_PASSWORD))
    return accounts


@transaction.atomic
def seed_committees(write=print) -> list[tuple[str, str, str]]:
    accounts = partner_accounts()
    if Committee.objects.exists():
        return accounts
    today = timezone.localdate()
    # Past committees, from the imported events: their consequences are already in the phases.
    events = (
        Event.objects.filter(kind=EventKind.COMMITTEE, date__lt=today)
        .select_related("startup")
        .order_by("-date")[:80]
    )
    by_date = {}
    for event in events:
        by_date.setdefault(event.date, []).append(event)
    for day, day_events in list(by_date.items())[:PAST_COMMITTEES]:
        committee = Committee.objects.create(
            date=day, place="DINUM, 20 avenue de Ségur", status=CommitteeStatus.CLOSED
        )
        for order, event in enumerate(day_events, 1):
            dossier = Dossier.objects.create(
                committee=committee, startup=event.startup, order=order
            )
            Decision.objects.create(
                dossier=dossier,
                kind=decision_kind_of(event.comment),
                effective_date=day,
                text=event.comment,
                objectives=["Mesurer l'impact chaque mois", "Préparer le passage à l'échelle"],
            )
    # An upcoming committee with the startups the demo partners fund.
    upcoming = Committee.objects.create(
        date=today + timedelta(days=20),
        place="DINUM, 20 avenue de Ségur, Paris",
        video_link="https://webinaire.numerique.gouv.fr/demo-comite",
        chair="Direction du programme beta.gouv.fr",
    )
    partner_organisations = [organisation_id for organisation_id, _, _ in accounts]
    upcoming.invited_organisations.set(partner_organisations)
    startups = (
        Startup.objects.active()
        .filter(sponsors__in=partner_organisations)
        .exclude(current_phase_kind="investigation")
        .distinct()
        .order_by("title")[:5]
    )
    for startup in startups:
        dossier = services.create_dossier(committee=upcoming, startup=startup)
        dossier.problem = (
            f"{startup.mission or startup.title} : la démarche reste longue et mal connue."
        )
        dossier.past_strategy = (
            "Ouverture à trois nouveaux territoires, refonte du parcours de dépôt."
        )
        dossier.next_strategy = "Généraliser au niveau national et automatiser l'instruction."
        dossier.team = "Intrapreneure, 2 développeurs, 1 designer, 1 chargée de déploiement."
        dossier.team_size = 5
        dossier.amount_requested = Decimal("320000.00")
        dossier.hypotheses = "Les agents adoptent l'outil sans formation longue."
        dossier.success_criteria = [
            {"criterion": "Dossiers déposés par mois", "kind": "quantitative", "target": "2 000"},
            {"criterion": "Satisfaction des agents", "kind": "qualitative", "target": "8/10"},
        ]
        dossier.save()
    if upcoming.dossiers.exists():
        services.send_dossiers(committee=upcoming)
    write(f"{Committee.objects.count()} comités de démonstration (dont un à venir).")
    return accounts
