"""The demo's story: twenty real startups of three incubators, funded under two conventions,
from their committees to their money and their impact. Never used by production code.

Everything is written through the services (committees, budgets, phases, the CSV import of
measurements), in the order it happened: each day of the story runs at that day's date (the
clock is moved there with time-machine), so every rule that reads "today" (the review deadline,
no value for a future month, the figures frozen in a dossier) judges it as it would have, and
two runs write the same rows, timestamps included.

The story stops at REFERENCE_NOW: the demo is the portfolio as it stood on that morning. Pages
read the real clock, so after that day the demo ages as a real portfolio would (North Stars go
stale, the committee to come passes); the fixed date keeps screenshots and tests stable.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction

from budgets import demo as money
from budgets.models import Convention
from budgets.services import create_tranche
from committees import demo as meetings
from committees import services as committees
from committees.models import Committee, DecisionKind, Opinion
from committees.models import six_months_after as six_months_later
from impact import demo as impact
from startups.models import Organisation, Phase, Startup
from startups.phases import PhaseKind

PARIS = ZoneInfo("Europe/Paris")
# The morning the story stops: the tests' instant (tests/clock.py), so tests and screenshots
# see the demo exactly as it was built.
REFERENCE_NOW = datetime(2026, 11, 18, 10, 0, tzinfo=PARIS)
REFERENCE_DATE = REFERENCE_NOW.date()

# The programme's committees, every three months (a startup comes every other one: every six
# months); an extra one for a temporary extension; the next one of the calendar, to come (its
# pre-read deadline, 5 January 2027, leaves partners weeks to review after the reference day).
COMMITTEES = [
    date(2025, 7, 8),
    date(2025, 10, 7),
    date(2026, 1, 13),
    date(2026, 4, 7),
    date(2026, 7, 7),
    date(2026, 10, 6),
]
EXTENSION_COMMITTEE = date(2026, 6, 2)
UPCOMING = date(2027, 1, 12)
FIRST_COMMITTEE_MARGIN = timedelta(days=21)


@dataclass(frozen=True)
class ConventionPlan:
    key: str
    reference: str
    title: str
    delegant: tuple  # (id, name, acronym, type)
    signed_on: date
    start: date
    end: date
    ceiling: str
    tranches: list  # [(available on, amount, decision reference)]
    chorus: dict


CONVENTIONS = [
    ConventionPlan(
        "MTE",
        "MTE-DINUM-DG-2025-01",
        "Délégation de gestion pour le financement de startups d'État de la transition écologique",
        ("mtes", "Ministère de la Transition Écologique", "MTE", "ministere"),
        date(2025, 6, 20),
        date(2025, 7, 1),
        date(2026, 12, 31),
        "3000000.00",
        [
            (date(2025, 7, 1), "1500000.00", "Signature de la convention"),
            (date(2025, 10, 1), "1000000.00", "Comité d'investissement du 8 juillet 2025"),
            (date(2026, 4, 1), "500000.00", "Comité d'investissement du 13 janvier 2026"),
        ],
        {
            "programme": "217",
            "bop": "0217-CDBC",
            "uo": "0217-CDBC-DNUM",
            "financial_centre": "0217-CDBC-DNUM",
            "functional_domain": "0217-24",
            "activity": "021724010101",
            "cost_centre": "DINUM-BETA",
        },
    ),
    ConventionPlan(
        "MASA",
        "MASA-DINUM-DG-2025-02",
        "Délégation de gestion pour les startups d'État de l'agriculture et de l'alimentation",
        (
            "agriculture",
            "Ministère de l'Agriculture et de la Souveraineté alimentaire",
            "MASA",
            "ministere",
        ),
        date(2025, 6, 27),
        date(2025, 7, 1),
        date(2027, 6, 30),
        "3600000.00",
        [
            (date(2025, 7, 1), "1200000.00", "Signature de la convention"),
            (date(2026, 1, 1), "1200000.00", "Comité d'investissement du 7 octobre 2025"),
            (date(2026, 7, 1), "1200000.00", "Comité d'investissement du 7 avril 2026"),
        ],
        {
            "programme": "215",
            "bop": "0215-CSAG",
            "uo": "0215-CSAG-SNUM",
            "financial_centre": "0215-CSAG-SNUM",
            "functional_domain": "0215-03",
            "activity": "021503020101",
            "cost_centre": "DINUM-BETA",
        },
    ),
]


@dataclass
class StartupPlan:
    id: str
    convention: str
    north_star: str
    others: int
    team: int
    # {committee date: (decision kind, amount in k€ or None, months the money covers)}
    decisions: dict = field(default_factory=dict)
    budget: int = 150  # k€ for six months, the default decision
    stale_after: date | None = None  # the North Star's last reported month
    pace: Decimal = Decimal(1)  # how fast the last orders are paid


C = DecisionKind
STARTUPS = [
    # Transition écologique (incubateur mtes, Cerema's accelerema): the MTE convention. The
    # first committee splits the first tranche 700 / 200 / 200 / 400 k€ as the convention says.
    StartupPlan("guichet-unique-de-la-haie-envergo-agricole", "MTE", "dossiers", 3, 7, {
        date(2025, 7, 8): (C.NEXT_PHASE, 700, 12),
        date(2026, 1, 13): (C.STRENGTHEN, 100, 6),
        date(2026, 7, 7): (C.CONTINUE, 200, 6),
    }),
    StartupPlan("mon-devis-sans-oublis", "MTE", "demarches", 2, 5, {
        date(2025, 7, 8): (C.CONTINUE, 400, 12),
        date(2026, 1, 13): (C.SLOW_DOWN, None, 6),
        date(2026, 7, 7): (C.CONTINUE, 70, 6),
    }),
    StartupPlan("sain-eau", "MTE", "diagnostics", 2, 4, {date(2025, 7, 8): (C.CONTINUE, 200, 6)}, budget=110),
    StartupPlan("bambin", "MTE", "usagers", 3, 4, {date(2025, 7, 8): (C.CONTINUE, 200, 6)}, budget=100),
    StartupPlan("viz-eau", "MTE", "diagnostics", 2, 3, {date(2026, 4, 7): (C.STOP, None, 0)}, budget=110),
    StartupPlan("ecopass", "MTE", "demarches", 2, 4, {date(2026, 7, 7): (C.CONTINUE, 70, 6)}, budget=120, pace=Decimal(2)),
    StartupPlan("lucca", "MTE", "dossiers", 3, 4, budget=120, stale_after=date(2026, 6, 1)),
    StartupPlan("pv.facile", "MTE", "dossiers", 2, 3, {
        date(2026, 4, 7): (C.EXTEND, 40, 2),
        EXTENSION_COMMITTEE: (C.CONTINUE, 120, 6),
    }),
    # Agriculture (incubateur agriculture): the MASA convention.
    StartupPlan("plateforme-agriculteurs", "MASA", "demarches", 3, 5, budget=180),
    StartupPlan("piloter-le-budget-de-mon-produit-numerique", "MASA", "usagers", 2, 3, budget=110),
    StartupPlan("maestro", "MASA", "controles", 3, 5, budget=170),
    StartupPlan("peste-porcine-africaine", "MASA", "controles", 2, 4),
    StartupPlan("one-trick-pony", "MASA", "usagers", 2, 3, budget=120),
    StartupPlan("certiphyto-lisa", "MASA", "dossiers", 4, 4, budget=140),
    StartupPlan("sylva-san", "MASA", "diagnostics", 2, 3, budget=120),
    StartupPlan("base-de-donnees-plan-d-appro-biomasse", "MASA", "diagnostics", 2, 3, budget=110),
    StartupPlan("prest-agri", "MASA", "demarches", 3, 4, budget=130),
    StartupPlan("access-sol", "MASA", "diagnostics", 2, 3, budget=110),
    StartupPlan("partageons-l-eau", "MASA", "usagers", 2, 4, budget=130),
    StartupPlan("sami", "MASA", "diagnostics", 2, 3, budget=120),
]  # fmt: skip
STARTUP_IDS = [plan.id for plan in STARTUPS]
INCUBATORS = ["mtes", "accelerema", "agriculture"]
# Partner accounts: the directorate that sponsors most MTE startups, and the MASA ministry.
PARTNERS = [("a", "dgaln"), ("b", "agriculture")]
# The committee to come: (startup, state of its dossier)
UPCOMING_DOSSIERS = [
    ("sain-eau", "reviewed"),
    ("lucca", "sent"),
    ("plateforme-agriculteurs", "reviewed"),
    ("peste-porcine-africaine", "sent"),
    ("ecopass", "complete"),
    ("guichet-unique-de-la-haie-envergo-agricole", "complete"),
    ("mon-devis-sans-oublis", "incomplete"),
    ("pv.facile", "incomplete"),
]


# --- The plan, computed before anything is written -------------------------------------------
def construction_start(startup: Startup) -> date:
    return (
        Phase.objects.filter(startup=startup, kind=PhaseKind.CONSTRUCTION)
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )


def committee_dates(plan: StartupPlan, construction: date) -> list[date]:
    """The first committee six months after the start of construction, then every six months;
    a temporary extension brings the next one forward, a stop ends the series."""
    first = six_months_later(construction) - FIRST_COMMITTEE_MARGIN
    regular = [day for day in COMMITTEES if day >= first][::2]
    dates = []
    for day in regular:
        if dates and plan.decisions.get(dates[-1], (None,))[0] == C.EXTEND:
            dates.append(EXTENSION_COMMITTEE)
            continue
        dates.append(day)
        if plan.decisions.get(day, (None,))[0] == C.STOP:
            break
    return sorted(set(dates) | set(plan.decisions))


@dataclass
class Step:
    """A decision of the story: who, when, what, how much, on which tranche."""

    plan: StartupPlan
    day: date
    kind: str
    amount: Decimal | None
    months: int
    tranche_index: int | None = None


def decisions_of(plan: StartupPlan, construction: date) -> list[Step]:
    steps = []
    for day in committee_dates(plan, construction):
        kind, amount, months = plan.decisions.get(day, (C.CONTINUE, plan.budget, 6))
        steps.append(Step(plan, day, kind, Decimal(amount * 1000) if amount else None, months))
    return steps


def assign_tranches(steps: list[Step]) -> None:
    """Each decided amount goes to the oldest tranche of its convention that is available by
    the committee and still holds it; the plan fails loudly if a convention cannot pay."""
    left = {c.key: [Decimal(amount) for _, amount, _ in c.tranches] for c in CONVENTIONS}
    for step in sorted(steps, key=lambda s: (s.day, s.plan.id)):
        if not step.amount:
            continue
        convention = next(c for c in CONVENTIONS if c.key == step.plan.convention)
        for index, (available_on, _, _) in enumerate(convention.tranches):
            if available_on <= step.day and left[convention.key][index] >= step.amount:
                left[convention.key][index] -= step.amount
                step.tranche_index = index
                break
        else:
            raise RuntimeError(f"Démo : plus assez de crédits pour {step.plan.id} le {step.day}.")


# --- Writing the story, day by day ------------------------------------------------------------
class Story:
    def __init__(self, write):
        self.write = write
        self.staff = get_user_model().objects.get(username="equipe@demo.beta.gouv.fr")
        self.startups = {s.pk: s for s in Startup.objects.filter(pk__in=STARTUP_IDS)}
        self.days: dict[date, list] = {}
        self.tranches = {}
        self.orders = {}  # startup id -> commitments of its current money
        self.indicators = {}
        self.partners = {}  # organisation id -> its partner account
        self.conventions = {}
        self.committees = {}
        self.stops = {}  # startup id -> the day it was stopped
        self.last_steps = {}  # startup id -> its last decision with money

    def on(self, day: date, priority: int, action) -> None:
        self.days.setdefault(day, []).append((priority, len(self.days.get(day, [])), action))

    def run(self) -> None:
        """Each day in turn, at 10:00 in Paris; an action may plan later ones (payments)."""
        done = set()
        while pending := [day for day in self.days if day not in done]:
            day = min(pending)
            if day > REFERENCE_DATE:
                raise RuntimeError(f"Démo : une écriture datée du {day}, après la référence.")
            with time_machine.travel(datetime.combine(day, time(10, 0), PARIS), tick=False):
                for _, _, action in sorted(self.days[day], key=lambda item: item[:2]):
                    action()
            done.add(day)

    # Conventions and tranches
    def plan_conventions(self, write_day: date) -> None:
        def create():
            for plan in CONVENTIONS:
                convention = money.create_delegation(
                    reference=plan.reference,
                    title=plan.title,
                    delegant=money.organisation(*plan.delegant),
                    signed_on=plan.signed_on,
                    start=plan.start,
                    end=plan.end,
                    ceiling=plan.ceiling,
                    chorus=plan.chorus,
                )
                self.conventions[plan.key] = convention

        self.on(write_day, 0, create)
        for plan in CONVENTIONS:
            for index, (available_on, amount, reference) in enumerate(plan.tranches):
                self.on(
                    available_on, 1, self._tranche(plan.key, index, available_on, amount, reference)
                )

    def _tranche(self, key, index, available_on, amount, reference):
        def create():
            self.tranches[(key, index)] = create_tranche(
                convention=self.conventions[key],
                available_on=available_on,
                ae_amount=amount,
                cp_amount=amount,
                decision_reference=reference,
            )

        return create

    # Impact: indicators from the start of construction, a value each month
    def plan_impact(self, plan: StartupPlan, construction: date, stop: date | None) -> None:
        startup = self.startups[plan.id]
        rng = random.Random(f"demo-{plan.id}")  # noqa: S311 - demo data, not secrets
        first_month = construction.replace(day=1)
        last_month = money.add_months(REFERENCE_DATE, -1)
        if stop:
            last_month = money.add_months(stop, -1)

        _, _, _, level = impact.NORTH_STARS[plan.north_star]
        level *= rng.uniform(0.7, 1.4)
        growth = rng.uniform(0.05, 0.11)
        # The team's target: the level its growth would reach by mid-2027, rounded.
        months = (2027 - first_month.year) * 12 + 6 - first_month.month
        target = Decimal(round(level * (1 + growth) ** months, -1))

        def create():
            self.indicators[plan.id] = impact.create_indicators(
                startup, plan.north_star, plan.others, f"demo-{plan.id}", target, date(2027, 6, 30)
            )

        self.on(first_month, 0, create)
        month, index = first_month, 0
        while month <= last_month:
            value_level = level * (1 + growth) ** index
            reported_on = money.add_months(month, 1) + timedelta(days=4)
            self.on(reported_on, 0, self._report(plan, month, index, value_level, rng.random()))
            month, index = money.add_months(month, 1), index + 1

    def _report(self, plan, month, index, level, seed):
        def report():
            rng = random.Random(seed)  # noqa: S311
            lines = []
            for indicator in self.indicators[plan.id]:
                if indicator.is_north_star and plan.stale_after and month > plan.stale_after:
                    continue
                lines.append((indicator, month, impact.value_of(indicator, level, index, rng)))
            impact.report_month(self.startups[plan.id], lines)

        return report

    # Committees
    def plan_committees(self, steps: list[Step]) -> None:
        by_day: dict[date, list[Step]] = {}
        for step in steps:
            by_day.setdefault(step.day, []).append(step)
        for day, day_steps in sorted(by_day.items()):
            self.on(day - timedelta(days=12), 2, self._prepare(day, day_steps))
            self.on(day - timedelta(days=9), 3, self._review(day))
            self.on(day, 3, self._decide(day, day_steps))
            for step in day_steps:
                if step.amount:
                    self.on(day + timedelta(days=10), 2, self._order(step))

    def _prepare(self, day, steps):
        def prepare():
            committee = meetings.create_committee(day, INCUBATORS, [o for _, o in PARTNERS])
            self.committees[day] = committee
            for step in sorted(steps, key=lambda s: s.plan.id):
                dossier = committees.create_dossier(
                    committee=committee, startup=self.startups[step.plan.id], by=self.staff
                )
                meetings.fill_dossier(
                    dossier,
                    team_size=step.plan.team,
                    amount=step.amount or 0,
                    north_star=impact.NORTH_STARS[step.plan.north_star][0],
                )
            committees.send_dossiers(committee=committee, by=self.staff)

        return prepare

    def _review(self, day):
        def review():
            committee = self.committees[day]
            for dossier in committee.dossiers.select_related("startup"):
                for organisation_id, user in self.partners.items():
                    if not dossier.startup.sponsors.filter(pk=organisation_id).exists():
                        continue
                    if self.stops.get(dossier.startup_id) == day:
                        # The partner saw it coming: the usage did not take off.
                        self._save_review(
                            dossier,
                            organisation_id,
                            user,
                            Opinion.UNFAVOURABLE,
                            "Quel usage réel après un an ? Les services ne l'ont pas adopté.",
                            "L'usage reste marginal ; la direction ne souhaite pas poursuivre.",
                        )
                    else:
                        self._save_review(dossier, organisation_id, user)

        return review

    def _save_review(
        self,
        dossier,
        organisation_id,
        user,
        opinion=Opinion.FAVOURABLE,
        questions="",
        comments="Les indicateurs progressent ; la direction soutient la suite proposée.",
    ):
        committees.save_review(
            dossier=dossier,
            organisation=Organisation.objects.get(pk=organisation_id),
            author=user,
            opinion=opinion,
            questions=questions,
            comments=comments,
        )

    def _decide(self, day, steps):
        def decide():
            committee = self.committees[day]
            committees.mark_held(committee=committee, by=self.staff)
            for step in sorted(steps, key=lambda s: s.plan.id):
                dossier = committee.dossiers.get(startup_id=step.plan.id)
                tranche = (
                    self.tranches[(step.plan.convention, step.tranche_index)]
                    if step.amount
                    else None
                )
                extension = step.kind == C.EXTEND
                decision = committees.record_decision(
                    dossier=dossier,
                    kind=step.kind,
                    effective_date=day,
                    by=self.staff,
                    amount=step.amount,
                    tranche=tranche,
                    period_end=(
                        money.add_months(day, step.months) - timedelta(days=1)
                        if step.amount
                        else None
                    ),
                    objectives=OBJECTIVES.get(step.kind, OBJECTIVES[C.CONTINUE]),
                    text=MOTIVATIONS[step.kind],
                    new_committee_date=EXTENSION_COMMITTEE if extension else None,
                )
                step.allocation = decision.allocation
                if step.kind == C.STOP:
                    # After the last invoice (the month before the stop), the rest is released.
                    self.on(day + timedelta(days=25), 2, self._close(step.plan.id))
            committees.close_committee(committee=committee, by=self.staff)

        return decide

    def _order(self, step: Step):
        def order():
            committed_on = step.day + timedelta(days=10)
            commitments = money.place_orders(
                step.allocation, committed_on, f"Décision du comité du {step.day:%d/%m/%Y}"
            )
            self.orders[step.plan.id] = commitments
            stop = self.stops.get(step.plan.id)
            pace = step.plan.pace if step is self.last_steps[step.plan.id] else Decimal(1)
            for commitment in commitments:
                for done, paid_on, amount in money.monthly_payments(commitment, step.months, pace):
                    if paid_on > REFERENCE_DATE or (stop and done >= stop):
                        break
                    self.on(paid_on, 1, self._pay(commitment, done, paid_on, amount))

        return order

    def _close(self, startup_id):
        orders = self.orders.get(startup_id, [])
        return lambda: money.close_orders(orders)

    def _pay(self, commitment, done, paid_on, amount):
        return lambda: money.pay(commitment, done, paid_on, amount)

    # The committee to come
    def plan_upcoming(self) -> None:
        def prepare():
            committee = meetings.create_committee(UPCOMING, INCUBATORS, [o for _, o in PARTNERS])
            self.upcoming = committee
            for startup_id, state in UPCOMING_DOSSIERS:
                if state in ("sent", "reviewed"):
                    self._upcoming_dossier(committee, startup_id, complete=True)
            committees.send_dossiers(committee=committee, by=self.staff)

        def add_late_dossiers():
            for startup_id, state in UPCOMING_DOSSIERS:
                if state in ("complete", "incomplete"):
                    self._upcoming_dossier(
                        committee=self.upcoming, startup_id=startup_id, complete=state == "complete"
                    )

        def review():
            opinions = {
                "sain-eau": (Opinion.FAVOURABLE, ""),
                "plateforme-agriculteurs": (
                    Opinion.RESERVED,
                    "Comment l'équipe prévoit-elle la reprise du service par les services déconcentrés ?",
                ),
            }
            for startup_id, state in UPCOMING_DOSSIERS:
                if state != "reviewed":
                    continue
                dossier = self.upcoming.dossiers.get(startup_id=startup_id)
                organisation_id = next(
                    o for o in self.partners if dossier.startup.sponsors.filter(pk=o).exists()
                )
                opinion, questions = opinions[startup_id]
                self._save_review(
                    dossier, organisation_id, self.partners[organisation_id], opinion, questions
                )

        self.on(REFERENCE_DATE - timedelta(days=2), 4, prepare)
        self.on(REFERENCE_DATE - timedelta(days=1), 4, review)
        self.on(REFERENCE_DATE, 4, add_late_dossiers)

    def _upcoming_dossier(self, committee, startup_id, complete):
        plan = next(p for p in STARTUPS if p.id == startup_id)
        dossier = committees.create_dossier(
            committee=committee, startup=self.startups[startup_id], by=self.staff
        )
        meetings.fill_dossier(
            dossier,
            team_size=plan.team,
            amount=plan.budget * 1000,
            north_star=impact.NORTH_STARS[plan.north_star][0],
            complete=complete,
        )


OBJECTIVES = {
    C.CONTINUE: [
        "Doubler le nombre d'usagers servis chaque mois",
        "Mesurer la North Star chaque mois et la publier",
        "Préparer le modèle de reprise avec l'administration",
    ],
    C.NEXT_PHASE: [
        "Déployer dans dix nouveaux départements",
        "Stabiliser le service (disponibilité 99,5 %)",
        "Recruter un·e second·e développeur·se",
    ],
    C.EXTEND: ["Présenter au prochain comité les chiffres d'usage du premier territoire"],
    C.STRENGTHEN: ["Absorber la montée en charge sans allonger les délais"],
    C.SLOW_DOWN: ["Concentrer l'équipe sur la fiabilité du parcours de dépôt"],
    C.STOP: [],
}
MOTIVATIONS = {
    C.CONTINUE: "Les indicateurs progressent et l'équipe a atteint l'essentiel de ses objectifs.",
    C.NEXT_PHASE: "L'utilité du service est démontrée : passage en accélération.",
    C.EXTEND: "Les premiers chiffres d'usage manquent encore : reconduction de deux mois.",
    C.STRENGTHEN: "La demande dépasse la capacité de l'équipe : renforcement des moyens.",
    C.SLOW_DOWN: "Le budget voté pour douze mois suffit : l'équipe ralentit en attendant l'usage.",
    C.STOP: "L'usage ne décolle pas après un an : arrêt, les données sont conservées.",
}


@transaction.atomic
def tell(write=print) -> bool:
    """Write the story once; False (and nothing written) when it is there or cannot be told."""
    if Convention.objects.filter(reference=CONVENTIONS[0].reference).exists():
        write("Histoire de démonstration déjà présente : inchangée.")
        return False
    found = Startup.objects.filter(pk__in=STARTUP_IDS).count()
    if found < len(STARTUP_IDS) or Committee.objects.exists():
        write(
            "Histoire de démonstration non écrite : elle suit vingt startups du corpus "
            "beta.gouv.fr (absentes ici) sur une base sans comité."
        )
        return False
    story = Story(write)
    story.partners = {
        organisation_id: get_user_model().objects.get(
            username=meetings.partner_account(letter, organisation_id)[1]
        )
        for letter, organisation_id in PARTNERS
    }
    steps = []
    for plan in STARTUPS:
        construction = construction_start(story.startups[plan.id])
        plan_steps = decisions_of(plan, construction)
        steps += plan_steps
        story.last_steps[plan.id] = [s for s in plan_steps if s.amount][-1]
        stop = next((s.day for s in plan_steps if s.kind == C.STOP), None)
        if stop:
            story.stops[plan.id] = stop
        story.plan_impact(plan, construction, stop)
    assign_tranches(steps)
    story.plan_conventions(min(c.signed_on for c in CONVENTIONS))
    story.plan_committees(steps)
    story.plan_upcoming()
    story.run()
    write(
        f"Histoire de démonstration : {len(STARTUPS)} startups, {len(CONVENTIONS)} conventions, "
        f"{len(story.committees) + 1} comités (dont un à venir), {len(steps)} décisions."
    )
    return True
