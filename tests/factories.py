"""factory_boy factories for the registry; each test builds only what it needs."""

from datetime import date

import factory

from startups.models import Event, EventKind, Incubator, Organisation, Phase, Startup
from startups.phases import PhaseKind


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    id = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Direction numéro {n}")
    acronym = factory.Sequence(lambda n: f"D{n}")
    type = "administration-centrale"
    ministerial_domain = "autres"


class IncubatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incubator

    id = factory.Sequence(lambda n: f"incubateur-{n}")
    title = factory.Sequence(lambda n: f"Incubateur {n}")
    owner = factory.SubFactory(OrganisationFactory)
    short_description = "Un incubateur de services publics numériques."


class StartupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Startup
        skip_postgeneration_save = True

    id = factory.Sequence(lambda n: f"startup-{n}")
    title = factory.Sequence(lambda n: f"Startup {n}")
    mission = "Simplifier une démarche administrative."
    description = "## Problème\n\nUne démarche trop longue."
    contact = "equipe@beta.gouv.fr"
    link = "https://exemple.beta.gouv.fr"
    incubator = factory.SubFactory(IncubatorFactory)

    @factory.post_generation
    def sponsors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sponsors.set(extracted)


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    startup = factory.SubFactory(StartupFactory)
    kind = PhaseKind.INVESTIGATION
    start = date(2024, 1, 1)
    end = None
    source_name = factory.LazyAttribute(lambda phase: phase.kind)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    startup = factory.SubFactory(StartupFactory)
    kind = EventKind.PRODUCT_LAUNCH
    date = date(2024, 6, 1)


def startup_with_phases(*phases: tuple, **fields) -> Startup:
    """A startup with consecutive phases: ("investigation", date(...)), ("construction", date(...))."""
    startup = StartupFactory(**fields)
    for (kind, start), following in zip(phases, [*phases[1:], None], strict=True):
        end = date.fromordinal(following[1].toordinal() - 1) if following else None
        PhaseFactory(startup=startup, kind=kind, start=start, end=end)
    return startup
