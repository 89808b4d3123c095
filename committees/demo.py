"""Demo committees: partner accounts and the wording of dossiers, for the story of
`portfolio/demo_story.py` (which runs every committee through `committees.services`).
Never used by production code."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from committees.models import Committee, Dossier, PartnerMembership

PARTNER_PASSWORD = "demo-partenaire-2026"  # noqa: S105 - demo accounts, printed by make run
PLACE = "DINUM, 20 avenue de Ségur, Paris"


def partner_account(letter: str, organisation_id: str) -> tuple[str, str, str]:
    """A partner account of `organisation_id`; its password is reset on every run."""
    user_model = get_user_model()
    email = f"partenaire-{letter}@demo.beta.gouv.fr"
    user, _ = user_model.objects.get_or_create(
        username=email,
        defaults={"email": email, "first_name": "Partenaire", "last_name": letter.upper()},
    )
    user.set_password(PARTNER_PASSWORD)
    user.save()
    PartnerMembership.objects.get_or_create(user=user, organisation_id=organisation_id)
    return organisation_id, email, PARTNER_PASSWORD


def create_committee(day, incubators, invited, status=None) -> Committee:
    committee = Committee(
        date=day,
        place=PLACE,
        video_link="https://webinaire.numerique.gouv.fr/comite-investissement",
        chair="Direction du programme beta.gouv.fr",
    )
    committee.full_clean()
    committee.save()
    committee.incubators.set(incubators)
    committee.invited_organisations.set(invited)
    return committee


def fill_dossier(dossier: Dossier, *, team_size: int, amount, north_star: str, complete=True):
    """What the team writes in its dossier; an incomplete one lacks the amount and criteria."""
    startup = dossier.startup
    dossier.problem = (
        f"{startup.mission or startup.title}. Les usagers passent par des démarches longues, "
        "mal outillées, et les services instructeurs ressaisissent les informations."
    )
    dossier.past_strategy = (
        "Entretiens avec les usagers et les agents, mise en production d'une première version "
        "sur un territoire pilote, suivi hebdomadaire des indicateurs."
    )
    dossier.demo_link = startup.link or ""
    dossier.team = f"Intrapreneur·e, {team_size - 1} membres (développement, design, déploiement)."
    dossier.next_strategy = (
        "Ouvrir à de nouveaux territoires, automatiser ce qui est encore manuel, "
        "préparer la reprise du service par l'administration."
    )
    dossier.team_size = team_size
    dossier.team_profiles = "Développement, design, déploiement, coaching."
    dossier.hypotheses = (
        "Les agents adoptent l'outil sans formation longue ; les usagers y reviennent."
    )
    dossier.blockers = "Accès aux données de l'administration à formaliser (convention en cours)."
    if complete:
        dossier.amount_requested = Decimal(amount)
        dossier.success_criteria = [
            {"criterion": north_star, "kind": "quantitative", "target": "+30 % en six mois"},
            {"criterion": "Satisfaction des usagers", "kind": "qualitative", "target": "8/10"},
        ]
    dossier.full_clean()
    dossier.save()
    return dossier
