"""Every write to budgets, whatever the entry path (admin, import, committees, demo).

Each write runs in `transaction.atomic()` and first locks the parent row with
`SELECT ... FOR UPDATE`: the convention for its tranches and amendments, the tranche for its
allocations, the allocation for its commitments, the commitment (and its tranche, for CP) for
its payments. Two staff members writing under the same parent at the same moment are thus
serialised: the second one sees the first one's amount and is refused if the sum would go over.
Locks are always taken top-down (convention → tranche → allocation → commitment), so two writes
never wait for each other in a circle.

A refused write raises `BudgetRuleError` (a `ValidationError`) with a French message saying how
much is left; nothing is written. `check_*` run the same rules without saving: the admin forms
call them (inside the admin's request transaction, so the lock they take holds until the save).
The save then runs them again unless that check is provably still true: see `_check_once`.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from budgets.models import (
    Allocation,
    Amendment,
    Commitment,
    Convention,
    Payment,
    Tranche,
)
from budgets.money import ZERO, NotAnAmount, to_amount
from budgets.selectors import tranche_left_to_allocate
from publishing.formats import euros, fr_date


class BudgetRuleError(ValidationError):
    """A write that would break a budget rule; the message says why and how much is left."""


def _amount(value, label: str) -> Decimal:
    try:
        amount = to_amount(value)
    except NotAnAmount as exc:
        raise BudgetRuleError(f"{label} : {exc}") from exc
    if amount <= 0:
        raise BudgetRuleError(f"{label} doit être strictement positif (au centime près).")
    return amount


def _sum(queryset, field: str = "amount") -> Decimal:
    return queryset.aggregate(total=Sum(field))["total"] or ZERO


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _check_in_period(day: date, convention: Convention, what: str):
    end = convention.current_end
    if not (convention.start <= day <= end):
        raise BudgetRuleError(
            f"{what} ({fr_date(day)}) doit être dans la période de la convention "
            f"{convention.reference} : du {fr_date(convention.start)} au {fr_date(end)}."
        )


def _check_not_future(day: date, refused: str, what: str):
    """A commitment or a payment records what happened: never a day after today (in Paris)."""
    today = timezone.localdate()
    if day > today:
        raise BudgetRuleError(
            f"{refused} : {what} ({fr_date(day)}) est dans le futur ; saisissez-le une fois fait "
            f"(aujourd'hui : {fr_date(today)})."
        )


def last_order_day(year: int) -> date:
    """The last day of `year` a commitment may be dated: AE are annual and no new orders go out
    after mid-December (DOMAIN.md); `settings.BUDGETS_LAST_ORDER_DAY` (DD/MM, 15/12 by default).
    """
    text = str(settings.BUDGETS_LAST_ORDER_DAY).strip()
    try:
        day, month = (int(part) for part in text.split("/"))
        date(2001, month, day)  # a day every year has (29/02 is not)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"BUDGETS_LAST_ORDER_DAY : « {text} » n'est pas un jour de l'année au format JJ/MM "
            "(15/12 par exemple)."
        ) from exc
    return date(year, month, day)


def _check_order_season(day: date):
    """No new order from the day after the cut-off to 31 December (a payment is not an order:
    `check_payment` does not call this)."""
    last = last_order_day(day.year)
    if day > last:
        raise BudgetRuleError(
            f"Engagement refusé : pas de nouvelle commande après le {fr_date(last)} (les AE sont "
            f"annuelles). La date d'engagement ({fr_date(day)}) tombe dans la clôture de fin "
            f"d'année, du {fr_date(last + timedelta(days=1))} au {fr_date(date(day.year, 12, 31))} ; "
            f"datez l'engagement à partir du {fr_date(date(day.year + 1, 1, 1))}."
        )


def _check_allocation_started(day: date, allocation: Allocation):
    """No commitment before the allocation's period starts: for a decided allocation, the day
    the committee's decision takes effect."""
    start = allocation.period_start
    if start and day < start:
        why = ", date d'effet de la décision du comité" if allocation.decided else ""
        raise BudgetRuleError(
            f"Engagement refusé : l'allocation « {allocation.beneficiary} » n'est engageable qu'à "
            f"partir du {fr_date(start)}{why} ; la date d'engagement ({fr_date(day)}) la précède."
        )


# --- A check proven once per transaction -------------------------------------------------------
class _Proof:
    """That `instance` passed its `check_*` with `values`, in a transaction still open.

    Registered as an `on_commit` callback (it does nothing when called): Django drops it when
    the transaction commits or rolls back, when the connection closes, and when an `atomic`
    savepoint it was registered in is rolled back (which releases the row locks taken inside
    it, in PostgreSQL). A savepoint rolled back by hand (`transaction.savepoint_rollback`) or
    any end of transaction sent as SQL is seen by `_watch_transaction_control`. So while the
    proof stands, the locks the check took are held.

    A transaction id read from PostgreSQL (`pg_current_xact_id()`) would cost a round trip at
    each check and each save, and would not see a rolled-back savepoint (same id, locks gone).
    """

    __slots__ = ("instance", "values")

    def __init__(self, instance):
        self.instance = instance
        self.values = _values(instance)

    def __call__(self):
        pass


# What a check reads besides the row's columns (`AllocationForm`'s correction) or leaves on it.
_CHECKED_ATTRIBUTES = ("_correction", "_change_reason")


def _values(instance) -> tuple:
    """Every value a check reads from `instance`, with its type (`1 == True == Decimal(1)`)."""
    columns = [getattr(instance, field.attname) for field in instance._meta.concrete_fields]
    extra = [getattr(instance, name, None) for name in _CHECKED_ATTRIBUTES]
    return tuple((type(value), value) for value in (*columns, *extra))


# SQL that releases row locks: a rollback (to a savepoint too), or the end of the transaction.
_RELEASES_LOCKS = re.compile(r"\s*(ROLLBACK|COMMIT|END|ABORT|PREPARE\s+TRANSACTION)\b", re.I)


def _watch_transaction_control(execute, sql, params, many, context):
    """Forgets the proof before any statement that releases the locks it relies on."""
    connection = context["connection"]
    if (
        getattr(connection, "budgets_proof", None) is not None
        and isinstance(sql, str)
        and _RELEASES_LOCKS.match(sql)
    ):
        connection.budgets_proof = None
    return execute(sql, params, many, context)


def _proved(instance):
    """Called by each `check_*` once its rules hold: the proof `_check_once` may use."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        # In autocommit, each query was its own transaction: the locks are already gone.
        connection.budgets_proof = None
        return
    if _watch_transaction_control not in connection.execute_wrappers:
        # First in the list: `connection.execute_wrapper()` blocks pop the last one on exit.
        connection.execute_wrappers.insert(0, _watch_transaction_control)
    proof = _Proof(instance)
    transaction.on_commit(proof)
    connection.budgets_proof = proof


def _forget_proof(**kwargs):
    """Any write to a budgets row (through a service or not) may change what a check summed."""
    transaction.get_connection().budgets_proof = None


for _model in (Convention, Amendment, Tranche, Allocation, Commitment, Payment):
    post_save.connect(_forget_proof, sender=_model, dispatch_uid=f"budgets_proof_{_model.__name__}")
    post_delete.connect(
        _forget_proof, sender=_model, dispatch_uid=f"budgets_proof_{_model.__name__}"
    )


def _proving(check):
    """A `check_*` that leaves its proof once every rule held (not when it refuses)."""

    @wraps(check)
    def checked(instance):
        check(instance)
        _proved(instance)

    return checked


def _check_once(instance, check):
    """Run `check` on `instance` unless the same check already passed on this very object, with
    the same values, in this transaction (its row locks still held), with no write to a budgets
    row since: the admin's form checked it a moment ago, in the request's transaction.

    The proof is kept by the service (on the connection, never on the instance) and serves one
    save: no caller can ask to skip a check, it can only have run it. Each model has one
    `check_*`, so the same object means the same check.
    """
    connection = transaction.get_connection()
    proof = getattr(connection, "budgets_proof", None)
    connection.budgets_proof = None
    still_true = (
        proof is not None
        and proof.instance is instance
        and connection.in_atomic_block
        and any(proof in entry for entry in connection.run_on_commit)
        and proof.values == _values(instance)
    )
    if not still_true:
        check(instance)
        connection.budgets_proof = None


def _remember(instance, by):
    if by is not None:
        instance._history_user = by


def _save(instance, by):
    _remember(instance, by)
    try:
        instance.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as error:
        raise BudgetRuleError(
            error.message_dict if hasattr(error, "error_dict") else error.messages
        ) from error
    instance.save()
    return instance


# --- Conventions and amendments -----------------------------------------------------------------
def _dated_bounds(convention: Convention) -> tuple[date | None, date | None]:
    """The first and last dates used under the convention (tranches, commitments, payments)."""
    tranches = Tranche.objects.filter(convention=convention).aggregate(
        first=Min("available_on"), last=Max("available_on")
    )
    commitments = Commitment.objects.filter(allocation__tranche__convention=convention).aggregate(
        first=Min("committed_on"), last=Max("committed_on")
    )
    payments = Payment.objects.filter(
        commitment__allocation__tranche__convention=convention
    ).aggregate(first=Min("service_done_on"), last=Max("paid_on"))
    firsts = [d["first"] for d in (tranches, commitments, payments) if d["first"]]
    lasts = [d["last"] for d in (tranches, commitments, payments) if d["last"]]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def _check_convention_holds(convention: Convention, refused: str = "Convention refusée"):
    """The convention as it would be (ceiling, period) still covers what was released and dated."""
    released = Tranche.objects.filter(convention=convention).aggregate(
        ae=Sum("ae_amount"), cp=Sum("cp_amount")
    )
    ceiling = convention.current_ceiling
    for label, total in (("AE", released["ae"]), ("CP", released["cp"])):
        if total and total > ceiling:
            raise BudgetRuleError(
                f"{refused} : les tranches de la convention {convention.reference} "
                f"totalisent déjà {euros(total, plain=True)} en {label}, au-delà du plafond de {euros(ceiling, plain=True)}."
            )
    first, last = _dated_bounds(convention)
    if first and first < convention.start:
        raise BudgetRuleError(
            f"{refused} : une écriture de la convention {convention.reference} est datée "
            f"du {fr_date(first)}, avant le début demandé ({fr_date(convention.start)})."
        )
    if last and last > convention.current_end:
        raise BudgetRuleError(
            f"{refused} : une écriture de la convention {convention.reference} est datée "
            f"du {fr_date(last)}, après la fin demandée ({fr_date(convention.current_end)})."
        )


@_proving
def check_convention(convention: Convention):
    if convention.pk:
        _locked(Convention, convention.pk)
        _check_convention_holds(convention)


@transaction.atomic
def save_convention(*, convention: Convention, by=None) -> Convention:
    convention.ceiling = _amount(convention.ceiling, "Le plafond")
    _check_once(convention, check_convention)
    return _save(convention, by)


def create_convention(*, by=None, **fields) -> Convention:
    return save_convention(convention=Convention(**fields), by=by)


@_proving
def check_amendment(amendment: Amendment):
    convention = _locked(Convention, amendment.convention_id)
    if amendment.new_ceiling is not None:
        amendment.new_ceiling = _amount(amendment.new_ceiling, "Le nouveau plafond")
    if amendment.new_end is not None and amendment.new_end < convention.start:
        raise BudgetRuleError(
            f"Avenant refusé : la nouvelle fin ({fr_date(amendment.new_end)}) précède le début de la "
            f"convention ({fr_date(convention.start)})."
        )
    # The convention as amended: its other amendments plus this one.
    others = [a for a in convention.amendments.all() if a.pk != amendment.pk]
    convention._prefetched_objects_cache = {"amendments": [*others, amendment]}
    _check_convention_holds(convention, "Avenant refusé")


@transaction.atomic
def save_amendment(*, amendment: Amendment, by=None) -> Amendment:
    if amendment.number is None and amendment.convention_id:
        last = Amendment.objects.filter(convention_id=amendment.convention_id).aggregate(
            n=Max("number")
        )["n"]
        amendment.number = (last or 0) + 1
    _check_once(amendment, check_amendment)
    return _save(amendment, by)


def add_amendment(
    *,
    convention: Convention,
    signed_on: date,
    reason: str,
    new_ceiling=None,
    new_end: date | None = None,
    by=None,
) -> Amendment:
    return save_amendment(
        amendment=Amendment(
            convention=convention,
            signed_on=signed_on,
            reason=reason,
            new_ceiling=new_ceiling,
            new_end=new_end,
        ),
        by=by,
    )


# --- Tranches -----------------------------------------------------------------------------------
@_proving
def check_tranche(tranche: Tranche):
    convention = _locked(Convention, tranche.convention_id)
    tranche.ae_amount = _amount(tranche.ae_amount, "Le montant en AE")
    tranche.cp_amount = _amount(tranche.cp_amount, "Le montant en CP")
    _check_in_period(tranche.available_on, convention, "La date de mise à disposition")
    others = Tranche.objects.filter(convention=convention).exclude(pk=tranche.pk)
    ceiling = convention.current_ceiling
    for label, field, amount in (
        ("AE", "ae_amount", tranche.ae_amount),
        ("CP", "cp_amount", tranche.cp_amount),
    ):
        left = ceiling - _sum(others, field)
        if amount > left:
            raise BudgetRuleError(
                f"Tranche refusée : il reste {euros(max(left, ZERO), plain=True)} en {label} sous le plafond "
                f"de la convention {convention.reference} ({euros(ceiling, plain=True)}), "
                f"pour {euros(amount, plain=True)} demandés."
            )
    if tranche.pk:
        _locked(Tranche, tranche.pk)
        allocated = _sum(Allocation.objects.filter(tranche=tranche))
        if tranche.ae_amount < allocated:
            raise BudgetRuleError(
                f"Tranche refusée : {euros(allocated, plain=True)} sont déjà alloués sur cette tranche, "
                f"le montant en AE ne peut pas descendre en dessous."
            )
        paid = _sum(Payment.objects.filter(commitment__allocation__tranche=tranche))
        if tranche.cp_amount < paid:
            raise BudgetRuleError(
                f"Tranche refusée : {euros(paid, plain=True)} sont déjà payés sur cette tranche, "
                f"le montant en CP ne peut pas descendre en dessous."
            )
        first = Allocation.objects.filter(tranche=tranche).aggregate(
            d=Min("commitments__committed_on")
        )["d"]
        if first and first < tranche.available_on:
            raise BudgetRuleError(
                f"Tranche refusée : un engagement sur cette tranche date du {fr_date(first)}, "
                f"avant la mise à disposition demandée."
            )


@transaction.atomic
def save_tranche(*, tranche: Tranche, by=None) -> Tranche:
    _check_once(tranche, check_tranche)
    if tranche.number is None:
        last = Tranche.objects.filter(convention_id=tranche.convention_id).aggregate(
            n=Max("number")
        )["n"]
        tranche.number = (last or 0) + 1
    return _save(tranche, by)


def create_tranche(
    *,
    convention: Convention,
    available_on: date,
    ae_amount,
    cp_amount,
    number: int | None = None,
    decision_reference: str = "",
    by=None,
) -> Tranche:
    return save_tranche(
        tranche=Tranche(
            convention=convention,
            number=number,
            available_on=available_on,
            ae_amount=ae_amount,
            cp_amount=cp_amount,
            decision_reference=decision_reference,
        ),
        by=by,
    )


# --- Allocations --------------------------------------------------------------------------------
DECIDED_FIELDS = ("tranche_id", "startup_id", "workstream", "amount", "period_start", "period_end")


def _check_decided_allocation(allocation: Allocation):
    """A decided allocation is what the committee framed: changed only with a stated correction
    (`allocation._correction`, set by the admin form or `correct_allocation`), kept in history."""
    stored = Allocation.objects.filter(pk=allocation.pk, decided=True).first()
    if stored is None:
        return
    changed = [
        name for name in DECIDED_FIELDS if getattr(stored, name) != getattr(allocation, name)
    ]
    correction = (getattr(allocation, "_correction", "") or "").strip()
    if changed and not correction:
        raise BudgetRuleError(
            "Allocation refusée : elle a été décidée en comité. Changez-la par une nouvelle "
            "décision, ou indiquez le motif de la correction (gardé dans l'historique)."
        )
    if changed:
        allocation._change_reason = f"Correction : {correction}"[:100]


@_proving
def check_allocation(allocation: Allocation):
    tranche = _locked(Tranche, allocation.tranche_id)
    allocation.amount = _amount(allocation.amount, "Le montant de l'allocation")
    if bool(allocation.startup_id) == bool(allocation.workstream.strip()):
        raise BudgetRuleError(
            "Allocation refusée : indiquez une startup ou un chantier nommé (pas les deux)."
        )
    left = tranche_left_to_allocate(tranche, excluding=allocation)
    if allocation.amount > left:
        raise BudgetRuleError(
            f"Allocation refusée : il reste {euros(max(left, ZERO), plain=True)} à allouer sur la tranche "
            f"{tranche.number} de la convention {tranche.convention.reference}, "
            f"pour {euros(allocation.amount, plain=True)} demandés."
        )
    if allocation.pk:
        _locked(Allocation, allocation.pk)
        _check_decided_allocation(allocation)
        committed = _sum(Commitment.objects.filter(allocation=allocation))
        if allocation.amount < committed:
            raise BudgetRuleError(
                f"Allocation refusée : {euros(committed, plain=True)} sont déjà engagés sur cette allocation, "
                f"son montant ne peut pas descendre en dessous."
            )
        commitments = Commitment.objects.filter(allocation=allocation)
        first = commitments.aggregate(first=Min("committed_on"))["first"]
        if first and allocation.period_start and first < allocation.period_start:
            raise BudgetRuleError(
                f"Allocation refusée : un engagement sur cette allocation est daté du "
                f"{fr_date(first)}, avant le début de période demandé "
                f"({fr_date(allocation.period_start)})."
            )
        moved = Allocation.objects.filter(pk=allocation.pk).exclude(tranche=tranche).exists()
        if moved and committed:
            raise BudgetRuleError(
                "Allocation refusée : elle porte déjà des engagements, elle ne peut pas changer "
                "de tranche."
            )


@transaction.atomic
def save_allocation(*, allocation: Allocation, by=None) -> Allocation:
    allocation.workstream = allocation.workstream.strip()
    _check_once(allocation, check_allocation)
    return _save(allocation, by)


def create_allocation(
    *,
    tranche: Tranche,
    amount,
    purpose: str,
    startup=None,
    workstream: str = "",
    decided: bool = False,
    period_start: date | None = None,
    period_end: date | None = None,
    by=None,
) -> Allocation:
    return save_allocation(
        allocation=Allocation(
            tranche=tranche,
            startup=startup,
            workstream=workstream,
            amount=amount,
            purpose=purpose,
            decided=decided,
            period_start=period_start,
            period_end=period_end,
        ),
        by=by,
    )


def correct_allocation(*, allocation: Allocation, correction: str, by=None, **changes):
    """Change a decided allocation (a typing error, a tranche swapped), saying why."""
    for name, value in changes.items():
        setattr(allocation, name, value)
    allocation._correction = correction
    return save_allocation(allocation=allocation, by=by)


def propose_allocation(
    *,
    tranche: Tranche,
    startup,
    amount,
    purpose: str,
    period_start: date,
    period_end: date | None = None,
    by,
) -> Allocation:
    """The allocation a committee decision proposes for a startup (called by `committees`).

    `period_start` is the day the decision takes effect: no commitment on the allocation may be
    dated before (`check_commitment`). The dates are stored on the allocation, not read from the
    decision: budgets knows nothing of committees (the layers), and the rule, the admin, the
    import and the monthly report read them from the row they already hold.

    Every rule holds (tranche not exceeded, positive amount); refused with `BudgetRuleError`.
    """
    return create_allocation(
        tranche=tranche,
        startup=startup,
        amount=amount,
        purpose=purpose,
        decided=True,
        period_start=period_start,
        period_end=period_end,
        by=by,
    )


# --- Commitments (AE) ---------------------------------------------------------------------------
@_proving
def check_commitment(commitment: Commitment):
    allocation = _locked(Allocation, commitment.allocation_id)
    commitment.amount = _amount(commitment.amount, "Le montant de l'engagement")
    tranche = Tranche.objects.select_related("convention").get(pk=allocation.tranche_id)
    _check_in_period(commitment.committed_on, tranche.convention, "La date d'engagement")
    _check_not_future(commitment.committed_on, "Engagement refusé", "la date d'engagement")
    # The cut-off and the allocation's start hold for a new commitment, or one moved to another
    # day or allocation: a row written before these rules can still have its label corrected.
    previous = (
        Commitment.objects.filter(pk=commitment.pk).values("committed_on", "allocation_id").first()
        if commitment.pk
        else None
    )
    if previous != {"committed_on": commitment.committed_on, "allocation_id": allocation.pk}:
        _check_order_season(commitment.committed_on)
        _check_allocation_started(commitment.committed_on, allocation)
    if commitment.committed_on < tranche.available_on:
        raise BudgetRuleError(
            f"Engagement refusé : la tranche {tranche.number} n'est disponible qu'à partir du "
            f"{fr_date(tranche.available_on)}."
        )
    others = _sum(Commitment.objects.filter(allocation=allocation).exclude(pk=commitment.pk))
    left = allocation.amount - others
    if commitment.amount > left:
        raise BudgetRuleError(
            f"Engagement refusé : il reste {euros(max(left, ZERO), plain=True)} disponibles sur l'allocation "
            f"« {allocation.beneficiary} » (tranche {tranche.number}), "
            f"pour {euros(commitment.amount, plain=True)} demandés."
        )
    if commitment.pk:
        _locked(Commitment, commitment.pk)
        payments = Payment.objects.filter(commitment=commitment)
        paid = _sum(payments)
        if commitment.amount < paid:
            raise BudgetRuleError(
                f"Engagement refusé : {euros(paid, plain=True)} sont déjà payés sur cet engagement, "
                f"son montant ne peut pas descendre en dessous."
            )
        first = payments.aggregate(d=Min("service_done_on"))["d"]
        if first and first < commitment.committed_on:
            raise BudgetRuleError(
                f"Engagement refusé : un service fait est daté du {fr_date(first)}, avant la date "
                f"d'engagement demandée."
            )
        previous = Commitment.objects.get(pk=commitment.pk)
        if previous.allocation_id != allocation.pk and paid:
            raise BudgetRuleError(
                "Engagement refusé : il porte déjà des paiements, il ne peut pas changer "
                "d'allocation."
            )


@transaction.atomic
def save_commitment(*, commitment: Commitment, by=None) -> Commitment:
    _check_once(commitment, check_commitment)
    return _save(commitment, by)


def create_commitment(
    *,
    allocation: Allocation,
    committed_on: date,
    amount,
    supplier: str,
    activity: str,
    resource: str,
    purchase_order: str = "",
    public_contract: str = "developpement",
    tax_basis: str = "TTC",
    label: str = "",
    references_public: bool = False,
    by=None,
) -> Commitment:
    return save_commitment(
        commitment=Commitment(
            allocation=allocation,
            committed_on=committed_on,
            amount=amount,
            supplier=supplier,
            activity=activity,
            resource=resource,
            purchase_order=purchase_order,
            public_contract=public_contract,
            tax_basis=tax_basis,
            label=label,
            references_public=references_public,
        ),
        by=by,
    )


# --- Payments (CP) ------------------------------------------------------------------------------
@_proving
def check_payment(payment: Payment):
    # Top-down: the tranche (its CP) and its convention, then the commitment. The tranche is
    # found through the commitment in the statement that locks it (one round trip, not two).
    tranche = (
        Tranche.objects.select_for_update(of=("self", "convention"))
        .select_related("convention")
        .get(allocations__commitments=payment.commitment_id)
    )
    commitment = _locked(Commitment, payment.commitment_id)
    payment.amount = _amount(payment.amount, "Le montant du paiement")
    if payment.paid_on < payment.service_done_on:
        raise BudgetRuleError("Paiement refusé : le paiement ne peut pas précéder le service fait.")
    if payment.service_done_on < commitment.committed_on:
        raise BudgetRuleError(
            f"Paiement refusé : le service fait ({fr_date(payment.service_done_on)}) précède "
            f"l'engagement du {fr_date(commitment.committed_on)}."
        )
    _check_in_period(payment.paid_on, tranche.convention, "La date de paiement")
    _check_not_future(payment.paid_on, "Paiement refusé", "la date de paiement")
    # Both sums in one query: the other payments of the tranche, and those of the commitment.
    paid = (
        Payment.objects.filter(commitment__allocation__tranche=tranche)
        .exclude(pk=payment.pk)
        .aggregate(tranche=Sum("amount"), commitment=Sum("amount", filter=Q(commitment=commitment)))
    )
    others = paid["commitment"] or ZERO
    left = commitment.amount - others
    if payment.amount > left:
        raise BudgetRuleError(
            f"Paiement refusé : il reste {euros(max(left, ZERO), plain=True)} à payer sur l'engagement "
            f"« {commitment} », pour {euros(payment.amount, plain=True)} demandés."
        )
    paid_on_tranche = paid["tranche"] or ZERO
    cp_left = tranche.cp_amount - paid_on_tranche
    if payment.amount > cp_left:
        raise BudgetRuleError(
            f"Paiement refusé : il reste {euros(max(cp_left, ZERO), plain=True)} de CP sur la tranche "
            f"{tranche.number} de la convention {tranche.convention.reference}, "
            f"pour {euros(payment.amount, plain=True)} demandés."
        )


@transaction.atomic
def save_payment(*, payment: Payment, by=None) -> Payment:
    _check_once(payment, check_payment)
    return _save(payment, by)


def record_payment(
    *,
    commitment: Commitment,
    service_done_on: date,
    paid_on: date,
    amount,
    reference: str = "",
    by=None,
) -> Payment:
    return save_payment(
        payment=Payment(
            commitment=commitment,
            service_done_on=service_done_on,
            paid_on=paid_on,
            amount=amount,
            reference=reference,
        ),
        by=by,
    )


# --- Deletions ----------------------------------------------------------------------------------
@transaction.atomic
def delete(*, instance, by=None):
    """Delete a row with no children (the PROTECT foreign keys refuse otherwise)."""
    if isinstance(instance, Allocation) and instance.decided:
        raise BudgetRuleError(
            "Suppression refusée : cette allocation a été décidée en comité ; seule une nouvelle "
            "décision la change."
        )
    _remember(instance, by)
    instance.delete()
