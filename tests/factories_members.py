"""factory_boy factories for the members and their missions (startups.models.Member)."""

from datetime import date

import factory

from startups.models import Member, Mission, MissionStatus


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    id = factory.Sequence(lambda n: f"prenom.nom{n:04d}")
    fullname = factory.Sequence(lambda n: f"Prénom Nom {n}")
    role = "Développeuse"
    domaine = "Développement"
    source_sha256 = "fabrique"


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    member = factory.SubFactory(MemberFactory)
    position = factory.LazyAttribute(lambda mission: mission.member.missions.count() + 1)
    start = date(2025, 1, 1)
    end = None
    status = MissionStatus.INDEPENDENT
    employer = "Malt"
    startup_ids = None


def member_on(startup_ids: list[str], start: date, end: date | None, **fields) -> Member:
    """A member with one mission on `startup_ids` from `start` to `end`."""
    member = MemberFactory(**fields)
    MissionFactory(member=member, start=start, end=end, startup_ids=startup_ids)
    return member
