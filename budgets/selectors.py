"""What other apps read from budgets (committees, impact): small, documented, tested.

Each selector costs a fixed number of queries and returns plain values (sets, dicts, dates,
Decimal), never a queryset other apps would have to know how to read.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from budgets.models import (
    Allocation,
    Commitment,
    Figures,
    Payment,
    Tranche,
    figures_by,
    total_of,
)
from startups.models import today


def startups_with_budget_figures(startup_ids: Iterable[str] | None = None) -> set[str]:
    """Those of `startup_ids` that have at least one allocation (one query); every startup
    that has one when `startup_ids` is None.

    For many startups at once, ask for all: a list of a thousand ids cost ~10 ms to send and
    match (at 6 620 startups), all of them ~0.3 ms (one index scan of the allocations)."""
    allocations = Allocation.objects.filter(startup__isnull=False)
    if startup_ids is not None:
        allocations = allocations.filter(startup_id__in=list(startup_ids))
    return set(allocations.order_by().values_list("startup_id", flat=True).distinct())


def cp_paid_by_month(startup_id: str, on: date | None = None) -> dict[tuple[int, int], Decimal]:
    """CP paid to a startup by month of payment, up to `on` (today by default), as every
    figure counts them: {(2025, 3): Decimal("1234.56")} (one query).

    Months with no payment are absent. The impact app groups them into its half-years.
    """
    rows = (
        Payment.objects.filter(
            commitment__allocation__startup_id=startup_id, paid_on__lte=on or today()
        )
        .annotate(year=ExtractYear("paid_on"), month=ExtractMonth("paid_on"))
        .values_list("year", "month")
        .annotate(total=Sum("amount"))
        .order_by("year", "month")
    )
    return {(year, month): total for year, month, total in rows}


def startup_figures(startup_id: str, on: date | None = None) -> Figures:
    """Allocated, committed, paid (and burn) for one startup, all conventions (three queries)."""
    on = on or today()
    figures = figures_by(
        "startup",
        allocations=Allocation.objects.filter(startup_id=startup_id),
        commitments=Commitment.objects.filter(allocation__startup_id=startup_id),
        payments=Payment.objects.filter(commitment__allocation__startup_id=startup_id),
        on=on,
    )
    return figures.get((startup_id,), Figures(on=on))


def money_runs_out_on(startup_id: str, on: date | None = None) -> date | None:
    """When the startup's allocated money is all paid at its burn rate of the last three
    months (CP paid ÷ 3 per month); None when nothing was paid in that window.

    The committees app schedules a committee 30–45 days before this date.
    """
    return startup_figures(startup_id, on).runs_out_on


def programme_totals(on: date | None = None) -> dict[str, Decimal]:
    """Programme-wide totals for the /impact/ page: allocated, committed, paid, reste à payer."""
    total = total_of(figures_by("convention", on=on), on)
    return {
        "allocated": total.allocated,
        "committed": total.committed,
        "paid": total.paid,
        "to_pay": total.to_pay,
    }


def tranche_left_to_allocate(tranche, excluding: Allocation | None = None) -> Decimal:
    """AE of the tranche not yet allocated, leaving `excluding` out (the allocation being saved):
    the rule `services.check_allocation` enforces and the decision preview shows."""
    allocations = Allocation.objects.filter(tranche=tranche)
    if excluding is not None and excluding.pk:
        allocations = allocations.exclude(pk=excluding.pk)
    allocated = allocations.aggregate(total=Sum("amount"))["total"]
    return tranche.ae_amount - (allocated or Decimal("0"))


@dataclass(frozen=True)
class TrancheMoney:
    """A tranche's money as plain values: AE and CP, what is allocated, committed and paid."""

    pk: int
    convention_pk: int
    convention: str  # the convention's reference
    number: int
    available_on: date
    ae: Decimal
    cp: Decimal
    allocated: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def label(self) -> str:
        return f"{self.convention} — tranche {self.number}"

    @property
    def left_to_allocate(self) -> Decimal:
        """AE not allocated yet: the sum `tranche_left_to_allocate` gives for one tranche."""
        return self.ae - self.allocated

    @property
    def cp_left(self) -> Decimal:
        return self.cp - self.paid


def tranches_money(conventions, on: date | None = None) -> list[TrancheMoney]:
    """Every tranche of `conventions` (a queryset or list of conventions or their pks), by
    convention reference and number, with what is left to allocate (one query)."""
    rows = (
        Tranche.objects.filter(convention__in=conventions)
        .select_related("convention")
        .with_figures(on or today())
        .order_by("convention__reference", "number")
    )
    return [
        TrancheMoney(
            pk=tranche.pk,
            convention_pk=tranche.convention_id,
            convention=tranche.convention.reference,
            number=tranche.number,
            available_on=tranche.available_on,
            ae=tranche.ae_amount,
            cp=tranche.cp_amount,
            allocated=tranche.figures.allocated,
            committed=tranche.figures.committed,
            paid=tranche.figures.paid,
        )
        for tranche in rows
    ]
