"""Reads of the committees across many startups, at a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min, Prefetch, Q
from django.utils import timezone

from budgets.models import (
    Allocation,
    Commitment,
    Convention,
    ConventionStatus,
    Figures,
    Payment,
    figures_by,
)
from budgets.selectors import TrancheMoney, startup_figures, tranches_money
from committees.models import (
    ENDING_DECISIONS,
    MONEY_MARGIN,
    Committee,
    CommitteeStatus,
    Decision,
    DecisionKind,
    Dossier,
    PartnerReview,
    Programme,
    committee_due,
)
from publishing.compiled import compiled_query
from publishing.formats import euros, fr_date
from startups.models import Organisation, Phase, Startup
from startups.phases import PhaseKind


@dataclass
class DueCommittee:
    startup: Startup
    due: date
    reason: str
    # The day the list was made for (`committees_due(on=...)`): overdue is said of that day, not
    # of the clock when the property is read (which could be past midnight, or another day).
    on: date
    # No committee recorded here yet: its "six months" run from the imported past (or from the
    # day staff started managing the portfolio here), a different task from a late follow-up.
    first_here: bool = False

    @property
    def overdue(self) -> bool:
        return self.due < self.on


def committees_due(within_days: int = 45, on: date | None = None) -> list[DueCommittee]:
    """Active startups whose next committee is due within `within_days` (or overdue).

    The rule of `committees.models.committee_due`, for every active startup at once: the
    earliest of six months after the last committee (or the construction start) and 45 days
    before the money runs out at the burn rate of the last three months; startups already on
    the agenda of a coming committee are left out. A startup with no committee recorded here
    counts from `Programme.managed_since` at the earliest, when staff set it. Seven queries.
    """
    on = on or timezone.localdate()
    managed_since = Programme.managed_since_date()
    startups = list(
        Startup.objects.active(on)
        .select_related("incubator")
        .defer("source_front_matter", "source_body", "description", "search_text")
    )
    ids = [s.pk for s in startups]
    last_committee = dict(
        Decision.objects.filter(dossier__startup_id__in=ids)
        .values_list("dossier__startup_id")
        .annotate(last=Max("dossier__committee__date"))
        .values_list("dossier__startup_id", "last")
    )
    construction = dict(
        Phase.objects.filter(startup_id__in=ids, kind=PhaseKind.CONSTRUCTION)
        .values_list("startup_id")
        .annotate(first=Min("start"))
        .values_list("startup_id", "first")
    )
    money = figures_by("startup", on=on)
    # A startup already on the agenda of a coming committee is taken care of.
    on_agenda = set(
        Dossier.objects.filter(committee__date__gte=on)
        .exclude(committee__status=CommitteeStatus.CLOSED)
        .values_list("startup_id", flat=True)
    )
    horizon = on + timedelta(days=within_days)
    due = []
    for startup in startups:
        if startup.pk in on_agenda:
            continue
        anchor = last_committee.get(startup.pk)
        reason = "six mois après le dernier comité"
        first_here = anchor is None
        if first_here:
            anchor = construction.get(startup.pk) or startup.current_phase_start
            reason = (
                "six mois après le début de la construction"
                if startup.pk in construction
                else "six mois après le début de la phase"
            )
            if managed_since and (anchor is None or anchor < managed_since):
                anchor = managed_since
                reason = f"six mois après la reprise du suivi ici ({fr_date(managed_since)})"
        figures = money.get((startup.pk,))
        runs_out = figures.runs_out_on if figures else None
        if anchor is None:
            # Its phase has no known start (an undated phase of old data): six months from
            # nothing is no date; only the money can still say when a committee is due.
            if runs_out is None:
                continue
            anchor = runs_out
        day = committee_due(anchor, runs_out)
        if runs_out and day == runs_out - MONEY_MARGIN:
            reason = f"45 jours avant l'épuisement du budget ({fr_date(runs_out)})"
        if day <= horizon:
            due.append(DueCommittee(startup, day, reason, on, first_here))
    return sorted(due, key=lambda item: item.due)


@dataclass
class NextCommittee:
    """A startup's next committee, as the public may know it: the committee it is on the agenda
    of, else the date an extension (reconduction temporaire) set; `extension` is the last
    decision when it is one."""

    date: date
    committee: object | None = None
    extension: Decision | None = None


@compiled_query(startup_id="\x00startup")
def _dossier_rows(startup_id: str):
    """What `next_committee` reads of a startup's dossiers, in committee order (every startup
    page built fresh runs it: compiled once)."""
    return (
        Dossier.objects.filter(startup_id=startup_id)
        .values(
            "pk",
            "committee__id",
            "committee__date",
            "committee__status",
            "decision__id",
            "decision__kind",
            "decision__new_committee_date",
        )
        .order_by("committee__date", "pk")
    )


def _dossier(row: dict) -> Dossier:
    """A dossier with its committee and its decision (if any) from a row of `_dossier_rows`, as
    `select_related` leaves them."""
    committee = Committee(
        id=row["committee__id"], date=row["committee__date"], status=row["committee__status"]
    )
    dossier = Dossier(id=row["pk"], committee=committee)
    if row["decision__id"] is None:
        # Known to have none, as select_related leaves it: `hasattr(dossier, "decision")` is
        # then False without a query.
        Dossier.decision.related.set_cached_value(dossier, None)
    else:
        dossier.decision = Decision(
            id=row["decision__id"],
            dossier=dossier,
            kind=row["decision__kind"],
            new_committee_date=row["decision__new_committee_date"],
        )
    return dossier


def next_committee(startup_id: str, on: date | None = None) -> NextCommittee | None:
    """One query (the startup's dossiers with their committee and decision, a few a year).

    The last decision counts when it is an extension; a planned committee is one of `on` or
    later, not closed, where the startup's dossier has no decision yet. An extension's date
    already past with no committee planned says nothing: it is no longer "next".
    """
    on = on or timezone.localdate()
    dossiers = [_dossier(row) for row in _dossier_rows.rows(startup_id=startup_id)]
    decided = [d for d in dossiers if hasattr(d, "decision")]
    last = decided[-1].decision if decided else None
    extension = (
        last if last and last.kind == DecisionKind.EXTEND and last.new_committee_date else None
    )
    planned = next(
        (
            d.committee
            for d in dossiers
            if not hasattr(d, "decision")
            and d.committee.date >= on
            and d.committee.status != CommitteeStatus.CLOSED
        ),
        None,
    )
    if planned:
        return NextCommittee(planned.date, planned, extension)
    if extension and extension.new_committee_date >= on:
        return NextCommittee(extension.new_committee_date, None, extension)
    return None


def public_decisions():
    return Decision.objects.public().only(
        "pk",
        "kind",
        "amount",
        "effective_date",
        "new_committee_date",
        "phase_started",
        "recorded_at",
        "dossier__id",
        "dossier__committee__id",
        "dossier__committee__date",
        "dossier__startup__id",
        "dossier__startup__title",
    )


# --- A committee's session, as one page -------------------------------------------------------
@dataclass
class SessionItem:
    """One dossier of the agenda, with what staff need to run it."""

    dossier: Dossier
    startup: Startup  # annotated with its current phase
    missing: list[str]  # Dossier.missing_parts: the rule of the warning before sending
    reviews: list[PartnerReview]
    sponsors: list  # the organisations that fund the startup (whose review is awaited)
    money: Figures
    decision: Decision | None

    @property
    def awaited_reviews(self) -> list:
        reviewed = {review.organisation_id for review in self.reviews}
        return [sponsor for sponsor in self.sponsors if sponsor.pk not in reviewed]


@dataclass
class Session:
    committee: Committee
    items: list[SessionItem]
    tranches: list[TrancheMoney]
    on: date
    undecided: list[SessionItem] = field(init=False)

    def __post_init__(self):
        self.undecided = [item for item in self.items if item.decision is None]

    @property
    def incomplete(self) -> list[SessionItem]:
        return [item for item in self.items if item.missing and not item.dossier.is_frozen]

    @property
    def unsent(self) -> list[SessionItem]:
        return [item for item in self.items if not item.dossier.is_frozen]

    @property
    def can_decide(self) -> bool:
        """The committee's day has come and it is not closed (`record_decision`'s rules)."""
        return self.committee.has_taken_place and self.committee.status != CommitteeStatus.CLOSED


def committee_conventions(committee: Committee):
    """The conventions a committee's decisions can draw on: those funding a startup of its
    agenda, and those in force (a lazy queryset: a subquery of the caller's query)."""
    funding = Allocation.objects.filter(startup__dossiers__committee=committee).values(
        "tranche__convention"
    )
    return Convention.objects.filter(Q(pk__in=funding) | Q(status=ConventionStatus.IN_FORCE))


def committee_session(committee: Committee, on: date | None = None) -> Session:
    """The agenda in order, each dossier's completeness, reviews, money and decision, and what
    is left on each tranche of the conventions concerned: eight queries, whatever the number of
    dossiers, reviews or tranches."""
    on = on or timezone.localdate()
    dossiers = list(
        committee.dossiers.select_related("decision__allocation__tranche__convention")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=PartnerReview.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            )
        )
        .order_by("order", "startup__title", "pk")
    )
    startups = {
        startup.pk: startup
        for startup in Startup.objects.filter(pk__in=[d.startup_id for d in dossiers])
        .with_current_phase(on)
        .select_related("incubator")
        .prefetch_related(
            Prefetch("sponsors", queryset=Organisation.objects.only("id", "name", "acronym"))
        )
        .defer("source_front_matter", "source_body", "description", "search_text")
    }
    ids = list(startups)
    money = figures_by(
        "startup",
        allocations=Allocation.objects.filter(startup_id__in=ids),
        commitments=Commitment.objects.filter(allocation__startup_id__in=ids),
        payments=Payment.objects.filter(commitment__allocation__startup_id__in=ids),
        on=on,
    )
    items = []
    for dossier in dossiers:
        startup = startups[dossier.startup_id]
        dossier.startup = startup
        items.append(
            SessionItem(
                dossier=dossier,
                startup=startup,
                missing=dossier.missing_parts(),
                reviews=list(dossier.reviews.all()),
                sponsors=sorted(startup.sponsors.all(), key=lambda o: o.name),
                money=money.get((startup.pk,), Figures(on=on)),
                decision=getattr(dossier, "decision", None),
            )
        )
    return Session(committee, items, tranches_money(committee_conventions(committee), on), on)


@dataclass
class AgendaPlace:
    """Where a dossier stands on its committee's agenda: its neighbours and what is left."""

    previous: Dossier | None
    next: Dossier | None
    next_undecided: Dossier | None  # after this one, else the first before it
    position: int
    total: int


def agenda_place(dossier: Dossier) -> AgendaPlace:
    """One query: the committee's dossiers in order, with their startup and decision."""
    agenda = list(
        Dossier.objects.filter(committee_id=dossier.committee_id)
        .select_related("startup", "decision")
        .only("pk", "order", "committee_id", "startup__title", "decision__id")
        .order_by("order", "startup__title", "pk")
    )
    index = next(n for n, item in enumerate(agenda) if item.pk == dossier.pk)
    later, earlier = agenda[index + 1 :], agenda[:index]
    undecided = [item for item in later + earlier if not hasattr(item, "decision")]
    return AgendaPlace(
        previous=agenda[index - 1] if index else None,
        next=later[0] if later else None,
        next_undecided=undecided[0] if undecided else None,
        position=index + 1,
        total=len(agenda),
    )


# --- What a decision means for money -----------------------------------------------------------
def decision_money(
    *, dossier: Dossier, kind: str, amount: Decimal | None, on: date | None = None
) -> list[str]:
    """The money a decision without a decided amount leaves in play, in plain French: the
    allocations it goes on with (what is not committed yet, on which tranche, what is left to
    allocate there, unchanged) or that no money is involved. With an amount, the decision's
    preview (`services.decision_consequences`) already says which allocation it proposes, on
    which tranche, and what is left there afterwards. Five queries."""
    if amount:
        return []
    on = on or timezone.localdate()
    kind = DecisionKind(kind)
    startup = dossier.startup
    allocations = [
        allocation
        for allocation in Allocation.objects.filter(startup_id=startup.pk)
        .select_related("tranche__convention")
        .with_figures(on)
        .order_by("tranche__available_on", "pk")
        if allocation.figures.available > 0
    ]
    figures = startup_figures(startup.pk, on)
    if kind in ENDING_DECISIONS:
        said = f"Aucun argent n'est décidé pour {startup.title}"
        if figures.to_pay > 0:
            return [f"{said} ; {euros(figures.to_pay)} déjà engagés restent à payer."]
        return [f"{said}."]
    if not allocations:
        what = (
            "la reconduction n'en propose pas"
            if kind == DecisionKind.EXTEND
            else "cette décision n'en propose pas"
        )
        return [
            f"Aucun argent n'est en jeu : {startup.title} n'a plus d'argent alloué à engager et "
            f"{what}. Pour financer la suite, saisissez un montant et une tranche."
        ]
    left = {
        tranche.pk: tranche
        for tranche in tranches_money([a.tranche.convention_id for a in allocations], on)
    }
    lines = [
        f"Aucune nouvelle allocation n'est proposée : {startup.title} continue sur "
        + ("son allocation en cours" if len(allocations) == 1 else "ses allocations en cours")
        + (" jusqu'au nouveau comité." if kind == DecisionKind.EXTEND else ".")
    ]
    for allocation in allocations:
        tranche = left[allocation.tranche_id]
        lines.append(
            f"Allocation « {allocation.purpose} » sur la tranche « {tranche.label} » : "
            f"{euros(allocation.figures.available)} alloués non engagés ; il reste "
            f"{euros(tranche.left_to_allocate)} à allouer sur la tranche, inchangé."
        )
    if figures.runs_out_on:
        lines.append(
            f"Au rythme des paiements des trois derniers mois, l'argent alloué est épuisé vers le "
            f"{fr_date(figures.runs_out_on)}."
        )
    return lines
