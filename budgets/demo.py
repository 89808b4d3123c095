"""Demo budget: the convention of DOMAIN.md, written through the services (so every rule holds).

A ministry delegates 3 M€ over 18 months to DINUM; a first tranche of 1.5 M€ is split
700 / 200 / 200 / 400 k€ between three startups and the « équipe transverse »; purchase orders
every quarter and monthly payments after service fait, up to today.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from budgets import services
from budgets.models import Activity, Convention, Resource
from budgets.money import CENT
from startups.models import Incubator, Organisation, Startup, today

REFERENCE = "DINUM-DG-2025-001"
SPLIT = [Decimal("700000"), Decimal("200000"), Decimal("200000"), Decimal("400000")]
WORKSTREAM = "équipe transverse"
# (activity, resource, public contract, supplier, share of the quarter's order)
ORDER_LINES = [
    (Activity.DEVELOPMENT, Resource.SERVICES, "developpement", "Prestataire Développement", "0.55"),
    (Activity.DESIGN, Resource.SERVICES, "developpement", "Prestataire Design", "0.15"),
    (Activity.COACHING, Resource.SERVICES, "coaching", "Prestataire Coaching", "0.20"),
    (Activity.HOSTING, Resource.SOFTWARE, "developpement", "Hébergeur", "0.10"),
]


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _organisation(pk: str, name: str, acronym: str, kind: str) -> Organisation:
    return Organisation.objects.get_or_create(
        pk=pk, defaults={"name": name, "acronym": acronym, "type": kind}
    )[0]


def _startups() -> list[Startup]:
    startups = list(Startup.objects.active().order_by("title")[:3])
    if len(startups) == 3:
        return startups
    incubator = Incubator.objects.get_or_create(
        pk="incubateur-dinum", defaults={"title": "Incubateur de la DINUM"}
    )[0]
    for n in range(3 - len(startups)):
        startups.append(
            Startup.objects.get_or_create(
                pk=f"demo-budget-{n + 1}",
                defaults={"title": f"Startup budget démo {n + 1}", "incubator": incubator},
            )[0]
        )
    return startups


@transaction.atomic
def seed_budgets(write=print, on: date | None = None) -> Convention | None:
    """Create the demo convention once; does nothing if it exists."""
    if Convention.objects.filter(reference=REFERENCE).exists():
        write(f"Convention {REFERENCE} déjà présente : budget de démonstration inchangé.")
        return None
    on = on or today()
    start = add_months(on.replace(day=1), -17)
    end = add_months(start, 18) - timedelta(days=1)
    convention = services.create_convention(
        reference=REFERENCE,
        title="Délégation de gestion pour le financement de startups d'État",
        kind="delegation",
        status="en_vigueur",
        delegant=_organisation(
            "ministere-demo", "Ministère de la Transition numérique (démo)", "MTN", "ministere"
        ),
        delegataire=_organisation(
            "dinum", "Direction interministérielle du numérique", "DINUM", "administration-centrale"
        ),
        signed_on=start - timedelta(days=10),
        start=start,
        end=end,
        ceiling=Decimal("3000000.00"),
        programme="103",
        bop="0103-CEFP",
        uo="0103-CEFP-C003",
        financial_centre="0103-CEFP-C003",
        functional_domain="0103-04",
        activity="010304000001",
        cost_centre="DINUM-BETA",
    )
    tranche = services.create_tranche(
        convention=convention,
        available_on=start,
        ae_amount=Decimal("1500000.00"),
        cp_amount=Decimal("1500000.00"),
        decision_reference="Signature de la convention",
    )
    beneficiaries = [*_startups(), None]
    allocations = []
    for beneficiary, amount in zip(beneficiaries, SPLIT, strict=True):
        allocations.append(
            services.create_allocation(
                tranche=tranche,
                startup=beneficiary,
                workstream="" if beneficiary else WORKSTREAM,
                amount=amount,
                purpose="Équipe produit, 18 mois"
                if beneficiary
                else "Coaching, design et hébergement mutualisés",
            )
        )
    orders = payments = 0
    for allocation in allocations:
        # Six quarterly orders of about 15 % each: 90 % of the allocation committed by the end.
        quarter_amount = (allocation.amount * Decimal("0.15")).quantize(CENT)
        for quarter in range(6):
            committed_on = add_months(start, quarter * 3) + timedelta(days=4)
            if committed_on > on:
                break
            for activity, resource, contract, supplier, share in ORDER_LINES:
                amount = (quarter_amount * Decimal(share)).quantize(CENT) + Decimal("0.37")
                commitment = services.create_commitment(
                    allocation=allocation,
                    committed_on=committed_on,
                    amount=amount,
                    supplier=supplier,
                    purchase_order=f"BC-{convention.pk}-{allocation.pk}-{quarter + 1}-{activity}",
                    public_contract=contract,
                    activity=activity,
                    resource=resource,
                    label=f"Trimestre {quarter + 1}",
                    references_public=contract == "coaching",
                )
                orders += 1
                monthly = (amount / 3).quantize(CENT)
                for month in range(3):
                    service_done_on = add_months(committed_on, month + 1) - timedelta(days=1)
                    paid_on = service_done_on + timedelta(days=20)
                    if paid_on > on or paid_on > end:
                        break
                    last = month == 2
                    services.record_payment(
                        commitment=commitment,
                        service_done_on=service_done_on,
                        paid_on=paid_on,
                        amount=amount - 2 * monthly if last else monthly,
                        reference=f"DP-{commitment.pk}-{month + 1}",
                    )
                    payments += 1
    write(
        f"Convention {REFERENCE} : 1 tranche, {len(allocations)} allocations, "
        f"{orders} engagements, {payments} paiements."
    )
    return convention
