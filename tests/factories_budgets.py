"""factory_boy factories for budgets. They write rows directly (no service): tests of the rules
go through `budgets.services`; these build the scene around them."""

from datetime import date
from decimal import Decimal

import factory

from budgets.models import Activity, Allocation, Commitment, Convention, Payment, Resource, Tranche
from tests.factories import OrganisationFactory, StartupFactory


class ConventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Convention

    reference = factory.Sequence(lambda n: f"DINUM-2026-{n:03d}")
    title = "Délégation de gestion pour les startups d'État"
    delegant = factory.SubFactory(OrganisationFactory, name="Ministère de l'exemple")
    delegataire = factory.SubFactory(OrganisationFactory, name="DINUM")
    signed_on = date(2025, 1, 10)
    start = date(2025, 1, 1)
    end = date(2026, 12, 31)
    ceiling = Decimal("3000000.00")
    status = "en_vigueur"
    programme = "103"
    bop = "0103-CEFP"
    uo = "0103-CEFP-C003"
    functional_domain = "0103-04"


class TrancheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tranche

    convention = factory.SubFactory(ConventionFactory)
    number = factory.Sequence(lambda n: n + 1)
    available_on = date(2025, 2, 1)
    ae_amount = Decimal("1500000.00")
    cp_amount = Decimal("1500000.00")


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    tranche = factory.SubFactory(TrancheFactory)
    startup = factory.SubFactory(StartupFactory)
    amount = Decimal("100000.00")
    purpose = "Six mois de construction"


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    allocation = factory.SubFactory(AllocationFactory)
    committed_on = date(2025, 3, 1)
    supplier = "Prestataire Secret SAS"
    purchase_order = factory.Sequence(lambda n: f"BC-{n:05d}")
    activity = Activity.DEVELOPMENT
    resource = Resource.SERVICES
    amount = Decimal("10000.00")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    commitment = factory.SubFactory(CommitmentFactory)
    service_done_on = date(2025, 4, 1)
    paid_on = date(2025, 4, 15)
    amount = Decimal("1000.00")
