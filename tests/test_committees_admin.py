"""Staff admin of committees: the dashboard, sending dossiers, a decision previewed then recorded."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from committees import services
from committees.models import Committee, CommitteeStatus, Decision, Dossier
from startups.models import Phase
from tests.clock import TODAY, paris
from tests.factories import startup_with_phases
from tests.factories_budgets import TrancheFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    committee = Committee.objects.create(date=TODAY + timedelta(days=10), place="DINUM")
    startup = startup_with_phases(
        ("construction", TODAY - timedelta(days=250)), title="Aides Jeunes"
    )
    return services.create_dossier(committee=committee, startup=startup)


@pytest.fixture
def committee_day(dossier, clock):
    """The clock on the committee's day, in the afternoon: it can be held, decide and close.
    Ask for it before `staff_client`, so that staff log in on that day."""
    clock.move_to(paris(dossier.committee.date, "15:00"), tick=False)
    return dossier.committee.date


@pytest.mark.parametrize("size", [2, 12])
def test_the_dashboard_lists_what_needs_attention_at_a_constant_cost(
    staff_client, size, django_assert_max_num_queries
):
    for n in range(size):
        startup_with_phases(("investigation", TODAY - timedelta(days=200 + n)), title=f"Longue {n}")
    with django_assert_max_num_queries(24):
        response = staff_client.get("/admin/")
    content = response.content.decode()
    assert "À surveiller" in content
    assert "Longue 0 — investigation dépassée" in content
    assert "Comités dus dans les 45 jours" in content and "Comités en retard" in content


def test_sending_incomplete_dossiers_asks_first_then_sends(staff_client, dossier):
    action = {"action": "send_dossiers", "_selected_action": [dossier.committee.pk]}
    warning = staff_client.post("/admin/committees/committee/", action).content.decode()
    assert "1 dossier(s) incomplet(s) sur 1" in warning
    assert "manque problème, stratégie passée, stratégie à venir, montant demandé" in warning
    dossier.refresh_from_db()
    assert not dossier.is_frozen  # nothing sent yet

    response = staff_client.post(
        "/admin/committees/committee/", {**action, "confirm_incomplete": "1"}, follow=True
    )
    assert "1 dossier(s) envoyé(s)" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.is_frozen and dossier.committee.status == CommitteeStatus.DOSSIERS_SENT


def test_complete_dossiers_are_sent_without_a_warning(staff_client, dossier):
    Dossier.objects.filter(pk=dossier.pk).update(
        problem="Un problème",
        past_strategy="Une stratégie",
        next_strategy="La suite",
        amount_requested=Decimal("100000"),
        success_criteria=[{"criterion": "Usagers", "kind": "quantitative", "target": "100"}],
    )
    response = staff_client.post(
        "/admin/committees/committee/",
        {"action": "send_dossiers", "_selected_action": [dossier.committee.pk]},
        follow=True,
    )
    assert "1 dossier(s) envoyé(s)" in response.content.decode()


def test_closing_without_decisions_is_refused_with_a_french_message(
    committee_day, staff_client, dossier
):
    response = staff_client.post(
        "/admin/committees/committee/",
        {"action": "close", "_selected_action": [dossier.committee.pk]},
        follow=True,
    )
    assert "ne peut pas être clos sans décision" in response.content.decode()
    dossier.committee.refresh_from_db()
    assert dossier.committee.status == CommitteeStatus.PLANNED


def test_a_decision_is_previewed_then_recorded(committee_day, staff_client, dossier):
    tranche = TrancheFactory(
        convention__start=TODAY - timedelta(days=300),
        convention__end=TODAY + timedelta(days=500),
        available_on=TODAY - timedelta(days=200),
    )
    url = f"/admin/committees/dossier/{dossier.pk}/decision/"
    data = {
        "kind": "next_phase",
        "effective_date": (TODAY + timedelta(days=10)).isoformat(),
        "amount": "250000",
        "tranche": tranche.pk,
        "objectives": "Passer à 10 départements\nMesurer le non-recours",
        "text": "Usage prouvé.",
    }
    preview = staff_client.post(url, {**data, "preview": "1"})
    content = preview.content.decode()
    assert "Ce que cette décision va faire" in content
    assert "entre en accélération" in content and "250" in content
    assert not Decision.objects.exists()
    confirmed = staff_client.post(url, {**data, "confirm": "1"})
    assert confirmed.status_code == 302
    decision = Decision.objects.get()
    assert decision.amount == Decimal("250000") and decision.recorded_by is not None
    assert Phase.objects.filter(startup=dossier.startup, kind="acceleration").exists()
    assert decision.allocation.decided  # changed only by a new decision or a stated correction


def test_a_refused_decision_shows_the_reason_on_the_form(committee_day, staff_client, dossier):
    response = staff_client.post(
        f"/admin/committees/dossier/{dossier.pk}/decision/",
        {"kind": "go_on", "effective_date": TODAY.isoformat(), "confirm": "1"},
    )
    assert response.status_code == 200
    assert "ne s&#x27;applique qu&#x27;après une investigation" in response.content.decode()
    assert not Decision.objects.exists()


@pytest.mark.parametrize("action", ["mark_held", "close"])
def test_a_committee_to_come_cannot_be_held_or_closed(staff_client, dossier, action):
    response = staff_client.post(
        "/admin/committees/committee/",
        {"action": action, "_selected_action": [dossier.committee.pk]},
        follow=True,
    )
    assert "n&#x27;a pas encore eu lieu" in response.content.decode()
    dossier.committee.refresh_from_db()
    assert dossier.committee.status == CommitteeStatus.PLANNED


def test_a_decision_before_the_committee_is_refused_on_the_form(staff_client, dossier):
    response = staff_client.post(
        f"/admin/committees/dossier/{dossier.pk}/decision/",
        {"kind": "go_on", "effective_date": TODAY.isoformat(), "confirm": "1"},
    )
    assert "aucune décision ne peut être enregistrée avant cette date" in response.content.decode()
    assert not Decision.objects.exists()


def test_dossier_change_page_shows_snapshots_and_the_decision_link(staff_client, dossier):
    services.send_dossiers(committee=dossier.committee)
    response = staff_client.get(f"/admin/committees/dossier/{dossier.pk}/change/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Enregistrer la décision" in content and "Alloué" in content


def test_staff_attach_partner_accounts_to_organisations(staff_client, partner_a):
    response = staff_client.get(f"/admin/auth/user/{partner_a.pk}/change/")
    assert "Organisations (compte partenaire)" in response.content.decode()


def test_staff_without_permission_get_403_on_the_decision_page(client, django_user_model, dossier):
    viewer = django_user_model.objects.create_user(
        username="lecture@incubateur.test", password="x", is_staff=True
    )
    viewer.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    client.force_login(viewer)
    response = client.get(f"/admin/committees/dossier/{dossier.pk}/decision/")
    assert response.status_code == 403
    assert not Decision.objects.filter(dossier=dossier).exists()


@pytest.fixture
def portfolio_to_follow(staff_user):
    """Three startups of incubator A and one of B: one followed here and due soon, one followed
    here and late, one never seen in committee here since its construction in 2014."""
    from tests.factories import IncubatorFactory
    from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for

    a, b = IncubatorFactory(id="inc-a", title="Incubateur A"), IncubatorFactory(id="inc-b")
    soon = startup_with_phases(
        ("construction", TODAY - timedelta(days=400)), title="Bientôt", incubator=a
    )
    late = startup_with_phases(
        ("construction", TODAY - timedelta(days=600)), title="Tardive", incubator=a
    )
    startup_with_phases(("construction", date(2014, 5, 1)), title="Ancienne", incubator=a)
    startup_with_phases(("construction", date(2015, 5, 1)), title="Autre incubateur", incubator=b)
    # Last committees here: 5 months and 8 months ago.
    for startup, months_ago in ((soon, 160), (late, 240)):
        committee = CommitteeFactory(date=TODAY - timedelta(days=months_ago))
        DecisionFactory(dossier=dossier_for(committee, startup), kind="continue")
    return a


def dashboard_section(content: str, title: str) -> str:
    start = content.index(f"<h3>{title} (")
    end = content.find("<h3>", start + 4)
    return content[start : end if end > 0 else None]


def test_the_dashboard_puts_due_soon_first_late_next_and_the_imported_past_apart(
    staff_client, portfolio_to_follow
):
    content = staff_client.get("/admin/").content.decode()
    assert (
        content.index("Comités dus dans les 45 jours (1)")
        < content.index("Comités en retard (1)")
        < content.index("Jamais passées en comité ici (2)")
    )
    assert "Bientôt" in dashboard_section(content, "Comités dus dans les 45 jours")
    assert "Tardive" in dashboard_section(content, "Comités en retard")
    never = dashboard_section(content, "Jamais passées en comité ici")
    assert "Ancienne" in never and "fixez la date de reprise" in never
    # Each group links to the startup list that shows exactly it.
    listed = staff_client.get("/admin/startups/startup/?comite=premier-ici").content.decode()
    assert "Ancienne" in listed and "Autre incubateur" in listed and "Tardive" not in listed
    late = staff_client.get("/admin/startups/startup/?comite=en-retard").content.decode()
    assert "Tardive" in late and "Ancienne" not in late


def test_one_incubator_s_dashboard(staff_client, portfolio_to_follow):
    content = staff_client.get("/admin/?incubateur=inc-a").content.decode()
    assert "Jamais passées en comité ici (1)" in content
    assert "Autre incubateur" not in content
    assert "?comite=premier-ici&amp;incubator__id__exact=inc-a" in content
    # An unknown incubator is ignored, never an error; a NUL byte is refused for any page
    # (portfolio.middleware.RefuseNulBytesMiddleware).
    assert staff_client.get("/admin/?incubateur=inconnu").status_code == 200
    assert staff_client.get("/admin/?incubateur=%00x").status_code == 400


def test_from_the_day_staff_manage_the_portfolio_here_the_imported_past_is_not_late(
    staff_client, portfolio_to_follow
):
    from committees.models import Programme

    Programme.objects.create(managed_since=TODAY - timedelta(days=30))
    content = staff_client.get("/admin/").content.decode()
    # Six months after the day staff started here: not due within 45 days, not late.
    assert "Jamais passées en comité ici (0)" in content
    assert "Ancienne" not in dashboard_section(content, "Jamais passées en comité ici")
    # Two months later, they come due (from the managed-since day, not from 2014).
    Programme.objects.update(managed_since=TODAY - timedelta(days=160))
    content = staff_client.get("/admin/").content.decode()
    never = dashboard_section(content, "Jamais passées en comité ici")
    assert "Ancienne" in never and "six mois après la reprise du suivi ici" in never
    assert "En retard" not in never


def test_the_programme_settings_are_one_row(staff_client):
    from committees.models import Programme

    Programme.objects.create(managed_since=TODAY)
    assert staff_client.get("/admin/committees/programme/add/").status_code == 403
    with pytest.raises(Exception, match="one_programme_row"), transaction.atomic():
        Programme.objects.create(managed_since=TODAY)


def test_the_preview_says_what_is_left_on_the_tranche_and_refuses_more(
    committee_day, staff_client, dossier
):
    tranche = TrancheFactory(
        convention__start=TODAY - timedelta(days=300),
        convention__end=TODAY + timedelta(days=500),
        available_on=TODAY - timedelta(days=200),
        ae_amount=Decimal("300000"),
    )
    from budgets.services import create_allocation

    create_allocation(tranche=tranche, amount="100000", purpose="Autre", workstream="Transverse")
    url = f"/admin/committees/dossier/{dossier.pk}/decision/"
    data = {
        "kind": "continue",
        "effective_date": committee_day.isoformat(),
        "tranche": tranche.pk,
        "preview": "1",
    }
    fits = staff_client.post(url, {**data, "amount": "150000"}).content.decode()
    assert "il y restera 50\u202f000,00\xa0€ à allouer" in fits.replace("&#x27;", "'")
    too_much = staff_client.post(url, {**data, "amount": "250000"}).content.decode()
    assert "Il reste 200 000,00 € à allouer sur la tranche" in too_much.replace("&#x27;", "'")
    assert "ajoutez une tranche à la convention" in too_much
    assert not Decision.objects.exists()


def test_the_preview_of_a_stop_says_it_in_french(committee_day, staff_client, dossier):
    response = staff_client.post(
        f"/admin/committees/dossier/{dossier.pk}/decision/",
        {"kind": "stop", "effective_date": committee_day.isoformat(), "preview": "1"},
    )
    assert "Aides Jeunes est arrêtée le" in response.content.decode()
