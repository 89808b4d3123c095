"""A committee's session as one admin page, and deciding dossier after dossier from it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from committees.models import CommitteeStatus, Decision, Opinion
from tests.clock import TODAY, paris
from tests.factories import OrganisationFactory, startup_with_phases
from tests.factories_budgets import AllocationFactory, TrancheFactory
from tests.factories_committees import CommitteeFactory, PartnerReviewFactory, dossier_for

pytestmark = pytest.mark.django_db


def on_the_day(clock, client, user, committee) -> None:
    """The clock on the committee's morning; staff log in again that day (sessions expire)."""
    clock.move_to(paris(committee.date, "09:00"), tick=False)
    client.force_login(user)
    client.force_login(user)


def session_url(committee) -> str:
    return f"/admin/committees/committee/{committee.pk}/seance/"


def decide_url(dossier) -> str:
    return f"/admin/committees/dossier/{dossier.pk}/decision/"


@pytest.fixture
def tranche():
    return TrancheFactory(
        convention__reference="DINUM-2026-001",
        convention__start=TODAY - timedelta(days=300),
        convention__end=TODAY + timedelta(days=500),
        number=1,
        available_on=TODAY - timedelta(days=200),
        ae_amount=Decimal("500000"),
    )


def agenda(size: int, tranche, committee=None):
    """A committee in ten days with `size` dossiers (the second incomplete), each startup in
    construction with an allocation on `tranche` and a sponsor, the first reviewed."""
    committee = committee or CommitteeFactory(date=TODAY + timedelta(days=10))
    dossiers = []
    for n in range(size):
        sponsor = OrganisationFactory(name=f"Direction {n}", acronym=f"D{n}")
        startup = startup_with_phases(
            ("construction", TODAY - timedelta(days=100 + n)),
            title=f"Startup {n}",
            sponsors=[sponsor],
        )
        AllocationFactory(tranche=tranche, startup=startup, amount=Decimal("10000"))
        fields = {"problem": "", "amount_requested": None} if n == 1 else {}
        dossiers.append(dossier_for(committee, startup, **fields))
        if n == 0:
            PartnerReviewFactory(
                dossier=dossiers[0], organisation=sponsor, opinion=Opinion.RESERVED
            )
    return committee, dossiers


def test_the_session_shows_the_agenda_reviews_money_and_what_can_be_done(staff_client, tranche):
    committee, dossiers = agenda(3, tranche)
    content = staff_client.get(session_url(committee)).content.decode()
    assert content.index("Startup 0") < content.index("Startup 1") < content.index("Startup 2")
    assert "Construction, depuis 100 jours" in content
    assert "manque problème, montant demandé" in content  # Dossier.missing_parts, as the warning
    assert "1 avis</a> sur 1 financeur" in content and "D0 : Réservé" in content
    assert "attendu : D1" in content
    # What is left on the tranche: 500 000 − 3 × 10 000.
    assert "DINUM-2026-001 — tranche 1" in content and "470\xa0000,00 €" in content
    # Before the committee's day: send is possible, holding and closing say from when.
    assert 'value="Envoyer les dossiers"' in content
    assert "À partir du " + committee.date.strftime("%d/%m/%Y") in content.replace("&#x27;", "'")
    assert "Décider…" not in content
    # Reachable from the committee's list and its page.
    assert (
        session_url(committee) in staff_client.get("/admin/committees/committee/").content.decode()
    )
    change = staff_client.get(f"/admin/committees/committee/{committee.pk}/change/")
    assert session_url(committee) in change.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_session_costs_the_same_queries_whatever_the_number_of_dossiers(
    staff_client, tranche, size, django_assert_num_queries
):
    from committees.selectors import committee_session

    committee, dossiers = agenda(size, tranche)
    for n, dossier in enumerate(dossiers):  # a tranche and a review more for each dossier
        PartnerReviewFactory(dossier=dossier)
        TrancheFactory(convention=tranche.convention, number=10 + n, ae_amount=1000, cp_amount=1000)
    with django_assert_num_queries(8):
        session = committee_session(committee)
    assert len(session.items) == size and len(session.tranches) == size + 1
    # The page: the login session and user (2), the committee, those eight, the settings row.
    with django_assert_num_queries(12):
        response = staff_client.get(session_url(committee))
    assert response.content.decode().count("Décision") >= 1
    assert "Startup " + str(size - 1) in response.content.decode()


def test_staff_without_the_committee_permission_get_403(client, django_user_model, tranche):
    committee, _ = agenda(1, tranche)
    user = django_user_model.objects.create_user(username="autre", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(session_url(committee)).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_committee"))
    assert client.get(session_url(committee)).status_code == 200
    # Viewing is not acting: an action the person is not given is refused.
    refused = client.post(session_url(committee), {"action": "send_dossiers"})
    assert refused.status_code == 403
    committee.refresh_from_db()
    assert committee.status == CommitteeStatus.PLANNED


def test_sending_from_the_session_warns_then_sends_and_comes_back(staff_client, tranche):
    committee, dossiers = agenda(2, tranche)
    warning = staff_client.post(session_url(committee), {"action": "send_dossiers"})
    content = warning.content.decode()
    assert "1 dossier(s) incomplet(s) sur 2" in content
    assert f'href="{session_url(committee)}"' in content  # « Annuler » comes back here
    sent = staff_client.post(
        session_url(committee), {"action": "send_dossiers", "confirm_incomplete": "1"}
    )
    assert sent.status_code == 302 and sent.url == session_url(committee)
    committee.refresh_from_db()
    assert committee.status == CommitteeStatus.DOSSIERS_SENT
    page = staff_client.get(session_url(committee)).content.decode()
    assert "2 dossier(s) envoyé(s)" in page and "Tous les dossiers sont envoyés" in page


def test_holding_before_the_day_is_refused_then_done_on_the_day(
    staff_client, staff_user, tranche, clock
):
    committee, _ = agenda(1, tranche)
    early = staff_client.post(session_url(committee), {"action": "mark_held"}, follow=True)
    assert "n&#x27;a pas encore eu lieu" in early.content.decode()
    on_the_day(clock, staff_client, staff_user, committee)
    staff_client.post(session_url(committee), {"action": "mark_held"})
    committee.refresh_from_db()
    assert committee.status == CommitteeStatus.HELD


def test_decisions_go_from_one_dossier_to_the_next_then_back_to_the_session(
    staff_client, staff_user, tranche, clock
):
    committee, dossiers = agenda(3, tranche)
    on_the_day(clock, staff_client, staff_user, committee)
    page = staff_client.get(decide_url(dossiers[1])).content.decode()
    assert "Dossier 2 sur 3" in page
    assert f'href="{decide_url(dossiers[0])}" rel="prev"' in page
    assert f'href="{decide_url(dossiers[2])}" rel="next"' in page
    assert f'href="{session_url(committee)}"' in page
    # The tranche the startup's money came from is chosen for it.
    assert f'<option value="{tranche.pk}" selected>' in page

    def decide(dossier):
        data = {"kind": "continue", "effective_date": committee.date.isoformat()}
        return staff_client.post(decide_url(dossier), {**data, "amount": "", "confirm": "1"})

    # The second first: then the third, then back to the first (skipping nothing undecided).
    assert decide(dossiers[1]).url == decide_url(dossiers[2])
    assert decide(dossiers[2]).url == decide_url(dossiers[0])
    last = decide(dossiers[0])
    assert last.url == session_url(committee)
    assert Decision.objects.count() == 3
    session = staff_client.get(last.url).content.decode()
    assert "Tous les dossiers du comité ont leur décision" in session
    assert (
        'value="Clore le comité"' in session and "disabled" not in session.split("Clore")[0][-200:]
    )
    # A decided dossier reads its decision, with the same way through the agenda.
    decided = staff_client.get(decide_url(dossiers[1])).content.decode()
    assert "Décision enregistrée le" in decided and 'name="confirm"' not in decided


def test_a_decision_above_what_is_left_is_refused_and_nothing_moves(
    staff_client, staff_user, tranche, clock
):
    committee, dossiers = agenda(2, tranche)
    on_the_day(clock, staff_client, staff_user, committee)
    data = {
        "kind": "next_phase",
        "effective_date": committee.date.isoformat(),
        "tranche": tranche.pk,
        "amount": "600000",
        "confirm": "1",
    }
    refused = staff_client.post(decide_url(dossiers[0]), data)
    assert refused.status_code == 200
    assert "Il reste 480 000,00 € à allouer sur la tranche" in refused.content.decode()
    assert not Decision.objects.exists()
    assert not dossiers[0].startup.phases.filter(kind="acceleration").exists()
    corrected = staff_client.post(decide_url(dossiers[0]), {**data, "amount": "300000"})
    assert corrected.url == decide_url(dossiers[1])


def test_deciding_needs_the_permission_to_add_a_decision(client, django_user_model, tranche, clock):
    committee, dossiers = agenda(1, tranche)
    clock.move_to(paris(committee.date, "09:00"), tick=False)
    user = django_user_model.objects.create_user(username="dossiers", password="x", is_staff=True)
    for codename in ("view_committee", "view_dossier", "change_dossier"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    assert client.get(decide_url(dossiers[0])).status_code == 403
    assert "Décider…" not in client.get(session_url(committee)).content.decode()
    user.user_permissions.add(Permission.objects.get(codename="add_decision"))
    user = django_user_model.objects.get(pk=user.pk)  # permissions are cached on the user
    client.force_login(user)
    assert client.get(decide_url(dossiers[0])).status_code == 200


# --- What a decision means for money ------------------------------------------------------------
def preview(staff_client, dossier, **data):
    data = {"effective_date": dossier.committee.date.isoformat(), "preview": "1", **data}
    return staff_client.post(decide_url(dossier), data).content.decode().replace("&#x27;", "'")


def test_an_extension_without_money_goes_on_with_the_allocation_in_progress(
    staff_client, staff_user, tranche, clock
):
    committee, dossiers = agenda(1, tranche)
    on_the_day(clock, staff_client, staff_user, committee)
    content = preview(
        staff_client,
        dossiers[0],
        kind="extend",
        amount="",
        new_committee_date=(committee.date + timedelta(days=40)).isoformat(),
    )
    assert (
        "Aucune nouvelle allocation n'est proposée : Startup 0 continue sur son allocation en "
        "cours jusqu'au nouveau comité."
    ) in content
    assert (
        "10\u202f000,00\xa0€ alloués non engagés ; il reste 490\u202f000,00\xa0€ à allouer"
        in content
    )


def test_an_extension_with_money_says_the_allocation_and_what_is_left(
    staff_client, staff_user, tranche, clock
):
    committee, dossiers = agenda(1, tranche)
    on_the_day(clock, staff_client, staff_user, committee)
    content = preview(
        staff_client,
        dossiers[0],
        kind="extend",
        amount="50000",
        tranche=tranche.pk,
        new_committee_date=(committee.date + timedelta(days=40)).isoformat(),
    )
    assert "Une allocation de 50\u202f000,00\xa0€ est proposée sur la tranche" in content
    assert "il y restera 440\u202f000,00\xa0€ à allouer" in content
    assert "Aucune nouvelle allocation" not in content


def test_a_move_to_acceleration_without_any_money_says_none_is_involved(
    staff_client, staff_user, clock
):
    committee = CommitteeFactory(date=TODAY + timedelta(days=10))
    startup = startup_with_phases(
        ("construction", TODAY - timedelta(days=200)), title="Sans argent"
    )
    dossier = dossier_for(committee, startup)
    on_the_day(clock, staff_client, staff_user, committee)
    content = preview(staff_client, dossier, kind="next_phase", amount="")
    assert "entre en accélération" in content
    assert "Aucun argent n'est en jeu : Sans argent n'a plus d'argent alloué à engager" in content


def test_a_stop_says_what_stays_to_pay(staff_client, staff_user, tranche, clock):
    from tests.factories_budgets import CommitmentFactory

    committee, dossiers = agenda(1, tranche)
    allocation = dossiers[0].startup.allocations.get()
    CommitmentFactory(allocation=allocation, amount=Decimal("4000"), committed_on=TODAY)
    on_the_day(clock, staff_client, staff_user, committee)
    content = preview(staff_client, dossiers[0], kind="stop", amount="")
    assert (
        "Aucun argent n'est décidé pour Startup 0 ; 4\u202f000,00\xa0€ déjà engagés restent à payer."
        in content
    )


# --- On the real portfolio -----------------------------------------------------------------------
def test_on_the_demo_every_committee_s_session_costs_the_same(
    staff_client, django_assert_num_queries
):
    """The demo of `make run` (the 662 real startups, committees of 1 to 14 dossiers, several
    conventions): each session page at the same twelve queries, each decision page answers."""
    import os
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    from committees.models import Committee

    if not (Path(settings.BETAGOUV_DATA) / "startups").is_dir():
        pytest.skip(f"corpus beta.gouv.fr absent ({settings.BETAGOUV_DATA})")
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    committees = list(Committee.objects.prefetch_related("dossiers"))
    assert len({len(c.dossiers.all()) for c in committees}) > 2  # sizes that differ
    for committee in committees:
        with django_assert_num_queries(12):
            response = staff_client.get(session_url(committee))
        assert response.status_code == 200
        dossier = committee.dossiers.all()[0]
        assert staff_client.get(decide_url(dossier)).status_code == 200
