"""factory_boy factories for committees. Dossiers of a committee are made with
`services.create_dossier` (`dossier_for`); decisions through `services.record_decision`, or
`DecisionFactory` for pages that only display them."""

from datetime import timedelta

import factory

from committees import services
from committees.models import Committee, Decision, DecisionKind, Dossier, Opinion, PartnerReview
from tests import clock


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    date = factory.LazyFunction(lambda: clock.today() + timedelta(days=21))
    place = "DINUM, 20 avenue de Ségur, Paris"
    chair = "Direction du numérique"


def dossier_for(committee: Committee, startup, **fields) -> Dossier:
    """A dossier through the service, then filled with `fields` (a complete one by default)."""
    dossier = services.create_dossier(committee=committee, startup=startup)
    values = {
        "problem": "Les usagers attendent des semaines une réponse.",
        "past_strategy": "Tester un formulaire en ligne avec deux départements.",
        "next_strategy": "Ouvrir le service à dix départements.",
        "amount_requested": "300000.00",
        "success_criteria": [
            {"criterion": "Dossiers déposés en ligne", "kind": "quantitative", "target": "5 000"}
        ],
        **fields,
    }
    for name, value in values.items():
        setattr(dossier, name, value)
    dossier.save()
    return dossier


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    committee = factory.SubFactory(CommitteeFactory)
    startup = factory.SubFactory("tests.factories.StartupFactory")
    problem = "Une démarche trop longue."
    past_strategy = "Un premier service avec un département."
    next_strategy = "Dix départements."
    amount_requested = "250000.00"
    success_criteria = factory.LazyFunction(
        lambda: [{"criterion": "Usagers actifs", "kind": "quantitative", "target": "1 000"}]
    )


class PartnerReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerReview

    dossier = factory.SubFactory(DossierFactory)
    organisation = factory.SubFactory("tests.factories.OrganisationFactory")
    opinion = Opinion.FAVOURABLE
    questions = "Quel est le coût par dossier ?"
    comments = "Bonne dynamique."


class DecisionFactory(factory.django.DjangoModelFactory):
    """Only for pages that display decisions: rules are tested through record_decision."""

    class Meta:
        model = Decision

    dossier = factory.SubFactory(DossierFactory)
    kind = DecisionKind.CONTINUE
    effective_date = factory.LazyAttribute(lambda d: d.dossier.committee.date)
    amount = "300000.00"
