"""Demo data and accounts for `make run` and the benchmarks. Never used by production code.

The demo portfolio is the real beta.gouv.fr corpus when the shared folder is there (read in
place: its licence forbids copying it into the project), else a synthetic one. `scale` adds
synthetic startups with realistic phase histories, and their teams (members and missions,
like the corpus's `authors/`), until the portfolio holds N × 662 of them.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from startups.models import Incubator, Member, Mission, MissionStatus, Organisation, Phase, Startup
from startups.phases import PhaseKind
from startups.services import import_corpus

CORPUS_SIZE = 662


def shared_corpus() -> Path | None:
    path = Path(settings.BETAGOUV_DATA)
    return path if (path / "startups").is_dir() else None


@dataclass(frozen=True)
class DemoAccount:
    role: str
    login: str
    password: str


# Printed by `make run`: a demo database only ever holds public data.
STAFF = DemoAccount(
    "équipe d'incubateur, accès /admin/", "equipe@demo.beta.gouv.fr", "demo-equipe-2026"
)


def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the demo accounts, or reset their password: running twice gives the same logins."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=STAFF.login,
        defaults={"email": STAFF.login, "first_name": "Équipe", "last_name": "Démo"},
    )
    user.is_staff = True
    user.is_superuser = True
    user.set_password(STAFF.password)
    user.save()
    return [STAFF]


def seed_everything_else(write=print) -> list[DemoAccount]:
    """The story of twenty startups (committees, money, impact: `portfolio/demo_story.py`),
    written once; the rest of the corpus stays as imported. Returns the partner accounts."""
    from committees.demo import PARTNER_PASSWORD, partner_account
    from portfolio import demo_story

    demo_story.tell(write)
    accounts = []
    for letter, organisation_id in demo_story.PARTNERS:
        if not Organisation.objects.filter(pk=organisation_id).exists():
            continue
        _, email, _ = partner_account(letter, organisation_id)
        accounts.append(
            DemoAccount(
                f"partenaire de l'organisation « {organisation_id} », accès /partenaires/",
                email,
                PARTNER_PASSWORD,
            )
        )
    return accounts


def load_portfolio(write=print) -> None:
    """The shared corpus when present, else a small synthetic portfolio; imported as on the
    demo's reference day, so that its phases are read the same way on every run."""
    import time_machine

    from portfolio.demo_story import REFERENCE_NOW

    corpus = shared_corpus()
    with time_machine.travel(REFERENCE_NOW, tick=False):
        if corpus:
            write(f"Import du corpus beta.gouv.fr depuis {corpus}…")
            report = import_corpus(corpus)
            write(f"{report.counts['startups']['created']} startups importées.")
        else:
            write("Corpus beta.gouv.fr absent : portefeuille synthétique.")
            add_synthetic_startups(60)


def scale_portfolio(scale: int, write=print) -> None:
    target = scale * CORPUS_SIZE
    missing = target - Startup.objects.count()
    if missing > 0:
        write(f"Ajout de {missing} startups synthétiques (objectif : {target})…")
        add_synthetic_startups(missing)


# --- Synthetic portfolio -----------------------------------------------------------------------
WORDS = [
    "Aide",
    "Dossier",
    "Emploi",
    "Santé",
    "Logement",
    "École",
    "Mobilité",
    "Énergie",
    "Climat",
    "Justice",
    "Agri",
    "Culture",
    "Sport",
    "Social",
    "Eau",
    "Forêt",
    "Mer",
    "Route",
    "Data",
    "Carte",
    "Signal",
    "Trajet",
    "Stage",
    "Parcours",
    "Guichet",
    "Droits",
    "Territoire",
]
THEMES = [
    "Santé",
    "Emploi",
    "Logement",
    "Éducation",
    "Environnement",
    "Justice",
    "Social",
    "Transports",
    "Agriculture",
    "Culture",
    "Numérique",
]
USER_TYPES = ["particulier", "entreprise", "administration", "collectivité", "association"]

# (kind, min days, max days, probability of going on to the next active phase)
LIFECYCLE = [
    (PhaseKind.INVESTIGATION, 40, 75, 0.65, PhaseKind.INVESTIGATION_DROPPED),
    (PhaseKind.CONSTRUCTION, 180, 400, 0.6, PhaseKind.STOPPED),
    (PhaseKind.ACCELERATION, 300, 800, 0.5, PhaseKind.STOPPED),
    (PhaseKind.CONSOLIDATION, 120, 260, 0.0, PhaseKind.TRANSFERRED),
]


def synthetic_phases(rng: random.Random, start: date, today: date) -> list[tuple]:
    """A plausible history: each active phase lasts its typical time, then goes on or ends."""
    phases = []
    day = start
    for kind, shortest, longest, go_on, ending in LIFECYCLE:
        length = timedelta(days=rng.randint(shortest, longest))
        if day + length > today:
            phases.append((kind, day, None))
            return phases
        phases.append((kind, day, day + length - timedelta(days=1)))
        day += length
        if rng.random() >= go_on:
            phases.append((ending, day, None))
            return phases
    return phases


def _synthetic_references(rng: random.Random):
    incubators = list(Incubator.objects.all()[:30])
    if not incubators:
        sponsor = Organisation.objects.create(id="demo-dinum", name="DINUM (démo)", acronym="DINUM")
        incubators = [
            Incubator.objects.create(
                id=f"demo-incubateur-{n}", title=f"Incubateur démo {n}", owner=sponsor
            )
            for n in range(1, 7)
        ]
    sponsors = list(Organisation.objects.all()[:60])
    if len(sponsors) < 5:
        sponsors += [
            Organisation.objects.create(
                id=f"demo-sponsor-{n}", name=f"Direction démo {n}", acronym=f"DD{n}"
            )
            for n in range(1, 11)
        ]
    return incubators, sponsors


@transaction.atomic
def add_synthetic_startups(count: int, seed: int = 2026) -> None:
    rng = random.Random(seed + Startup.objects.count())  # noqa: S311 - demo data, not secrets
    incubators, sponsors = _synthetic_references(rng)
    today = timezone.localdate()
    offset = Startup.objects.filter(id__startswith="demo-").count()
    startups, phases, sponsorships = [], [], []
    for n in range(offset + 1, offset + count + 1):
        title = f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} {n}"
        startup = Startup(
            id=f"demo-{n:05d}",
            title=title,
            mission=f"Aider les usagers à {rng.choice(['trouver', 'obtenir', 'comprendre', 'déclarer'])} "
            f"leurs droits en matière de {rng.choice(THEMES).lower()}.",
            description=f"## Problème\n\nUne démarche longue.\n\n## Solution\n\n{title}, un service en ligne.",
            contact=f"contact-{n}@demo.beta.gouv.fr",
            link=f"https://demo-{n}.beta.gouv.fr",
            repository=f"https://github.com/betagouv/demo-{n}" if rng.random() < 0.6 else "",
            themes=rng.sample(THEMES, rng.randint(1, 3)),
            user_types=rng.sample(USER_TYPES, rng.randint(1, 2)),
            incubator=rng.choice(incubators),
            accessibility_status=rng.choice(["", "non conforme", "partiellement conforme"]),
        )
        startup.refresh_derived_fields()
        startups.append(startup)
        begin = today - timedelta(days=rng.randint(30, 9 * 365))
        for kind, start, end in synthetic_phases(rng, begin, today):
            phases.append(Phase(startup=startup, kind=kind, start=start, end=end, source_name=kind))
        for sponsor in rng.sample(sponsors, rng.randint(1, 2)):
            sponsorships.append(
                Startup.sponsors.through(startup_id=startup.id, organisation_id=sponsor.pk)
            )
    Startup.objects.bulk_create(startups, batch_size=1000)
    Phase.objects.bulk_create(phases, batch_size=2000)
    Startup.sponsors.through.objects.bulk_create(sponsorships, batch_size=2000)
    add_synthetic_members(rng, [startup.id for startup in startups], today)


# Roughly the corpus's mix (authors/ of the shared snapshot): domain, role.
DOMAINS = [
    ("Développement", "Développeur·se", 28),
    ("Intraprenariat", "Intrapreneur·e", 18),
    ("Déploiement", "Chargé·e de déploiement", 14),
    ("Produit", "Product manager", 9),
    ("Design", "Designer", 7),
    ("Coaching", "Coach", 6),
    ("Autre", "Chargé·e de mission", 9),
    ("Data", "Data scientist", 3),
    ("Animation", "Animateur·rice", 4),
    ("Support", "Support", 2),
]
FIRST_NAMES = ["Camille", "Dominique", "Alex", "Sacha", "Claude", "Morgan", "Lou", "Noa", "Charlie"]
LAST_NAMES = ["Martin", "Bernard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Roux"]
EMPLOYERS = {
    MissionStatus.INDEPENDENT: ["Malt", "Scopyleft", "Octo"],
    MissionStatus.SERVICE: ["Octo", "Sopra", "Capgemini"],
    MissionStatus.ADMIN: ["DINUM", "DGCS", "ANCT"],
}


def add_synthetic_members(rng: random.Random, startup_ids: list[str], today: date) -> None:
    """A team for each startup: a few members on a mission today, some whose mission ended,
    now and then one who worked on it `previously`; missions with the corpus's statuses."""
    weights = [weight for *_, weight in DOMAINS]
    offset = Member.objects.filter(id__startswith="demo.").count()
    members, missions = [], []
    for startup_id in startup_ids:
        for _ in range(rng.randint(2, 9)):
            offset += 1
            domain, role, _ = rng.choices(DOMAINS, weights)[0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            member = Member(
                id=f"demo.{first.lower()}.{last.lower()}-{offset}",
                fullname=f"{first} {last} {offset}",
                role=role,
                domaine=domain,
                competences=[],
                previously=[rng.choice(startup_ids)] if rng.random() < 0.1 else None,
            )
            members.append(member)
            start = today - timedelta(days=rng.randint(30, 5 * 365))
            end = start + timedelta(days=rng.randint(90, 3 * 365))
            status = rng.choice(list(MissionStatus))
            missions.append(
                Mission(
                    member=member,
                    position=1,
                    start=start,
                    end=end,
                    status=status,
                    employer=rng.choice(EMPLOYERS[status]),
                    startup_ids=[startup_id],
                )
            )
    Member.objects.bulk_create(members, batch_size=1000)
    Mission.objects.bulk_create(missions, batch_size=2000)
