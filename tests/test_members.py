"""Who is active, expired or previous on a startup on a given day (startups.members), the
rule of beta.gouv.fr's startups_details.json, around the boundaries of missions."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError

from startups.members import betagouv_memberships, members_in_source_order, team_of
from startups.models import Member, Mission
from tests.clock import TODAY
from tests.factories import StartupFactory
from tests.factories_members import MemberFactory, MissionFactory, member_on

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 10)
DAY = timedelta(days=1)


def ids(members):
    return [member.pk for member in members]


def lists_of(startup_id: str, on: date = ON) -> dict:
    """The three lists by both entry points, which must agree."""
    every = betagouv_memberships(on)[startup_id]
    team = team_of(startup_id, on)
    assert every == {
        "active": ids(team.active),
        "expired": ids(team.expired),
        "previous": ids(team.previous),
    }
    return every


def test_a_mission_ending_today_is_active_and_expired_the_day_after():
    StartupFactory(id="aidantsconnect")
    member_on(["aidantsconnect"], date(2025, 1, 1), ON, id="ada.lovelace")
    assert lists_of("aidantsconnect", ON)["active"] == ["ada.lovelace"]
    after = lists_of("aidantsconnect", ON + DAY)
    assert after["active"] == [] and after["expired"] == ["ada.lovelace"]


def test_a_mission_starting_today_is_active_and_the_day_before_neither():
    StartupFactory(id="aidantsconnect")
    member_on(["aidantsconnect"], ON, ON + 30 * DAY, id="ada.lovelace")
    assert lists_of("aidantsconnect", ON)["active"] == ["ada.lovelace"]
    assert lists_of("aidantsconnect", ON - DAY) == {"active": [], "expired": [], "previous": []}


def test_a_mission_without_end_is_active_even_before_it_starts():
    # The site's rule: `!mission['end']` comes first.
    StartupFactory(id="aidantsconnect")
    member_on(["aidantsconnect"], ON + 100 * DAY, None, id="ada.lovelace")
    assert lists_of("aidantsconnect", ON)["active"] == ["ada.lovelace"]


def test_the_legacy_field_is_expired_once_the_last_mission_ended_on_or_before_the_day():
    StartupFactory(id="pitchou")
    member = MemberFactory(id="maitane.lenoir", legacy_startups=["pitchou"])
    MissionFactory(member=member, position=1, start=date(2018, 1, 1), end=date(2030, 1, 1))
    # The last mission in source order decides, not the latest one.
    MissionFactory(member=member, position=2, start=date(2020, 1, 1), end=ON)
    assert lists_of("pitchou", ON - DAY)["active"] == ["maitane.lenoir"]
    # Unlike a mission naming the startup, the end day itself counts as ended here.
    assert lists_of("pitchou", ON) == {"active": [], "expired": ["maitane.lenoir"], "previous": []}


def test_the_legacy_field_without_missions_is_active():
    StartupFactory(id="pitchou")
    MemberFactory(id="maitane.lenoir", legacy_startups=["pitchou"])
    assert lists_of("pitchou")["active"] == ["maitane.lenoir"]


def test_previously_makes_a_previous_member_whatever_the_day():
    StartupFactory(id="zam")
    MemberFactory(id="maitane.lenoir", previously=["zam"])
    assert lists_of("zam", date(2001, 1, 1))["previous"] == ["maitane.lenoir"]


def test_lists_follow_file_name_order_without_repeats_and_ids_are_verbatim():
    StartupFactory(id="données-et-territoires")
    for member_id in ("b.b", "a.b", "a"):
        member = MemberFactory(id=member_id)
        MissionFactory(
            member=member,
            position=1,
            start=date(2025, 1, 1),
            startup_ids=["données-et-territoires"],
        )
        MissionFactory(
            member=member,
            position=2,
            start=date(2025, 6, 1),
            startup_ids=["données-et-territoires"],
        )
    # Files `a.b.md` < `a.md` < `b.b.md`: the site sorts file names, not ids.
    assert lists_of("données-et-territoires")["active"] == ["a.b", "a", "b.b"]
    assert "Données-et-territoires" not in betagouv_memberships(ON)


def test_a_member_can_be_active_and_expired_on_the_same_startup():
    StartupFactory(id="aidantsconnect")
    member = MemberFactory(id="ada.lovelace", domaine="Design")
    MissionFactory(
        member=member,
        position=1,
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        startup_ids=["aidantsconnect"],
    )
    MissionFactory(
        member=member, position=2, start=date(2025, 1, 1), startup_ids=["aidantsconnect"]
    )
    team = team_of("aidantsconnect", ON)
    assert ids(team.active) == ids(team.expired) == ["ada.lovelace"]
    assert team.former == [] and team.active_by_domain == [("Design", 1)]
    assert [m.position for m in team.missions_here(member)] == [1, 2]


def test_every_startup_is_keyed_in_the_site_order_with_ids_only_members_name():
    StartupFactory(id="zz-sans-membre")
    StartupFactory(id="aa-sans-membre")
    member_on(["hors-registre", "hors-registre"], date(2025, 1, 1), None, id="ada.lovelace")
    every = betagouv_memberships(ON)
    assert list(every) == ["hors-registre", "aa-sans-membre", "zz-sans-membre"]
    # The site de-duplicates the lists of its own startups only.
    assert every["hors-registre"]["active"] == ["ada.lovelace", "ada.lovelace"]


def test_members_whose_file_left_the_corpus_are_not_counted():
    StartupFactory(id="aidantsconnect")
    member_on(["aidantsconnect"], date(2025, 1, 1), None, absent_from_source_since=TODAY)
    assert lists_of("aidantsconnect", TODAY)["active"] == []
    assert members_in_source_order() == []


def test_counts_by_domain_of_active_and_former_members():
    StartupFactory(id="aidantsconnect")
    for domaine in ("Design", "Développement", "Développement", ""):
        member_on(["aidantsconnect"], date(2025, 1, 1), None, domaine=domaine)
    member_on(["aidantsconnect"], date(2024, 1, 1), date(2024, 6, 30), domaine="Produit")
    MemberFactory(previously=["aidantsconnect"], domaine="Produit")
    team = team_of("aidantsconnect", ON)
    assert team.active_by_domain == [("Développement", 2), ("Design", 1), ("Non renseigné", 1)]
    assert team.former_by_domain == [("Produit", 2)]


def test_a_fixed_number_of_queries_whatever_the_number_of_members(django_assert_num_queries):
    StartupFactory(id="aidantsconnect")
    for n in range(30):
        member_on(["aidantsconnect", f"startup-{n}"], date(2025, 1, 1), None)
    with django_assert_num_queries(3):
        betagouv_memberships(ON)
    with django_assert_num_queries(1):
        team = team_of("aidantsconnect", ON)
        [team.missions_here(member) for member in team.active]
        [(m.fullname, m.role, m.domaine, m.github) for m in team.active]
    with django_assert_num_queries(2):
        members = members_in_source_order()
        [list(member.missions.all()) for member in members]


def test_the_database_refuses_a_mission_ending_before_it_starts():
    member = MemberFactory()
    with pytest.raises(IntegrityError, match="mission_ends_after_it_starts"):
        Mission.objects.create(
            member=member, position=1, start=ON, end=ON - DAY, status="independent"
        )


def test_the_database_refuses_an_unknown_status():
    member = MemberFactory()
    with pytest.raises(IntegrityError, match="mission_status_known"):
        Mission.objects.create(member=member, position=1, start=ON, status="freelance")


def test_member_history_is_kept():
    member = MemberFactory(fullname="Ada Lovelace")
    member.fullname = "Ada King"
    member.save()
    assert [h.fullname for h in Member.history.filter(id=member.pk).order_by("history_date")] == [
        "Ada Lovelace",
        "Ada King",
    ]


def test_synthetic_startups_of_the_demo_have_plausible_teams():
    from portfolio.demo import add_synthetic_startups

    add_synthetic_startups(40)
    every = betagouv_memberships(TODAY)
    demo = [lists for startup_id, lists in every.items() if startup_id.startswith("demo-")]
    assert len(demo) == 40
    assert all(lists["active"] or lists["expired"] for lists in demo)
    assert sum(len(lists["active"]) for lists in demo) > 40
    assert Mission.objects.filter(end__lt=TODAY).exists()
    assert set(Mission.objects.values_list("status", flat=True)) == {
        "independent",
        "admin",
        "service",
    }


def test_staff_find_members_and_their_missions_in_the_admin(staff_client):
    member = member_on(["aidantsconnect"], date(2025, 1, 1), None, fullname="Ada Lovelace")
    listing = staff_client.get("/admin/startups/member/?q=lovelace&source=present")
    assert listing.status_code == 200 and "Ada Lovelace" in listing.content.decode()
    page = staff_client.get(f"/admin/startups/member/{member.pk}/change/")
    assert page.status_code == 200 and "aidantsconnect" in page.content.decode()
