"""Demo money, written through `budgets.services` (so every rule holds). Never used by
production code. The story that calls it (which startups, which committees) is
`portfolio/demo_story.py`; here only how money is framed and spent.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from budgets import services
from budgets.models import Activity, Commitment, Convention, Resource
from budgets.money import CENT
from startups.models import Organisation


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` months after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


@dataclass(frozen=True)
class OrderLine:
    activity: str
    resource: str
    public_contract: str
    supplier: str
    share: Decimal


# The orders a team places after a decision: most of the money goes to the development contract,
# the rest to design, deployment, coaching and hosting. 95 % committed: a margin stays available.
ORDER_LINES = [
    OrderLine(Activity.DEVELOPMENT, Resource.SERVICES, "developpement", "Scop Numérique Commun", Decimal("0.55")),
    OrderLine(Activity.DESIGN, Resource.SERVICES, "developpement", "Atelier Usages & Services", Decimal("0.14")),
    OrderLine(Activity.DEPLOYMENT, Resource.SERVICES, "developpement", "Territoires Connectés SAS", Decimal("0.12")),
    OrderLine(Activity.COACHING, Resource.SERVICES, "coaching", "Coopérative Pilotage Agile", Decimal("0.10")),
    OrderLine(Activity.HOSTING, Resource.SOFTWARE, "developpement", "Hébergeur Souverain SAS", Decimal("0.04")),
]  # fmt: skip


def organisation(pk: str, name: str, acronym: str, kind: str) -> Organisation:
    """The imported organisation, or a placeholder when the corpus lacks it."""
    return Organisation.objects.get_or_create(
        pk=pk, defaults={"name": name, "acronym": acronym, "type": kind}
    )[0]


def create_delegation(
    *, reference, title, delegant, signed_on, start, end, ceiling, chorus: dict
) -> Convention:
    return services.create_convention(
        reference=reference,
        title=title,
        kind="delegation",
        status="en_vigueur",
        delegant=delegant,
        delegataire=organisation(
            "dinum", "Direction interministérielle du numérique", "DINUM", "administration-centrale"
        ),
        signed_on=signed_on,
        start=start,
        end=end,
        ceiling=Decimal(ceiling),
        **chorus,
    )


def place_orders(allocation, committed_on: date, label: str) -> list[Commitment]:
    """The purchase orders following a decision: 95 % of the allocation, one per contract line."""
    orders = []
    # Numbered in the order they were placed (never by primary key: a sequence is not replayed).
    first = Commitment.objects.count() + 1
    for number, line in enumerate(ORDER_LINES, first):
        orders.append(
            services.create_commitment(
                allocation=allocation,
                committed_on=committed_on,
                amount=(allocation.amount * line.share).quantize(CENT),
                supplier=line.supplier,
                purchase_order=f"BC-{committed_on:%Y}-{number:05d}",
                public_contract=line.public_contract,
                activity=line.activity,
                resource=line.resource,
                tax_basis="TTC",
                label=label,
                references_public=line.public_contract == "coaching",
            )
        )
    return orders


def monthly_payments(commitment: Commitment, months: int, pace: Decimal = Decimal(1)):
    """(service fait, paid on, amount) of each month's invoice: the order paid in `months`
    equal parts (faster with `pace` > 1: the last months get nothing), each month's service
    certified on its last day and paid a fortnight later."""
    share = (commitment.amount * pace / months).quantize(CENT)
    left = commitment.amount
    start = commitment.committed_on.replace(day=1)
    for index in range(months):
        if left <= 0:
            return
        amount = min(share, left) if index < months - 1 else left
        done = month_end(add_months(start, index))
        yield done, done + timedelta(days=15), amount
        left -= amount


def pay(commitment: Commitment, service_done_on: date, paid_on: date, amount) -> None:
    services.record_payment(
        commitment=commitment,
        service_done_on=service_done_on,
        paid_on=paid_on,
        amount=amount,
        reference=f"DP-{commitment.purchase_order}-{service_done_on:%m%y}",
    )


def close_orders(commitments: list[Commitment]) -> None:
    """A stopped startup's orders are reduced to what was paid (désengagement of the rest)."""
    for commitment in commitments:
        commitment.refresh_from_db()
        paid = sum((p.amount for p in commitment.payments.all()), Decimal(0))
        if 0 < paid < commitment.amount:
            commitment.amount = paid
            services.save_commitment(commitment=commitment)
