"""Reads of the committees across many startups, at a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Min
from django.utils import timezone

from budgets.models import figures_by
from committees.models import (
    MONEY_MARGIN,
    CommitteeStatus,
    Decision,
    DecisionKind,
    Dossier,
    Programme,
    committee_due,
)
from publishing.formats import fr_date
from startups.models import Phase, Startup
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


def next_committee(startup_id: str, on: date | None = None) -> NextCommittee | None:
    """One query (the startup's dossiers with their committee and decision, a few a year).

    The last decision counts when it is an extension; a planned committee is one of `on` or
    later, not closed, where the startup's dossier has no decision yet. An extension's date
    already past with no committee planned says nothing: it is no longer "next".
    """
    on = on or timezone.localdate()
    dossiers = list(
        Dossier.objects.filter(startup_id=startup_id)
        .select_related("committee", "decision")
        .only(
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
