"""A committee's whole session in a real Chromium, as staff and a partner live it.

Five startups of one incubator: staff plan the committee and its agenda, send the dossiers
(one incomplete: the warning), a partner gives a review, then on the committee's day staff
hold it and take five decisions from the session page, one after the other (« Dossier
suivant »), one refused for money and corrected; they close it, record a commitment (AE) and a
payment (CP) on the money decided, and download the monthly report. Each step asserts what its
page shows, takes its screenshot (docs/screenshots/21-seance-*.png with
UPDATE_DOC_SCREENSHOTS=1) and counts its page loads and clicks (tests/browser_steps.py).
"""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from budgets.models import Commitment, Payment
from committees.models import Committee, CommitteeStatus, Decision, Dossier, PartnerReview
from startups.phases import PhaseKind
from tests.browser_steps import Steps
from tests.clock import TODAY, paris
from tests.conftest import PARTNER_PASSWORD
from tests.factories import IncubatorFactory, startup_with_phases
from tests.factories_budgets import (
    AllocationFactory,
    CommitmentFactory,
    PaymentFactory,
    TrancheFactory,
)
from tests.test_browser_staff_guide import fr, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMITTEE_DAY = TODAY + timedelta(days=8)  # a Thursday; the partners read until the 19th


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "fr-FR"}


@pytest.fixture
def portfolio(organisation_a):
    """One incubator's five startups, all funded by Direction A, and a convention whose single
    tranche has 400 000 € left to allocate."""
    incubator = IncubatorFactory(id="incubateur-territoires", title="Incubateur des territoires")

    def startup(slug, title, *phases):
        return startup_with_phases(
            *phases, id=slug, title=title, incubator=incubator, sponsors=[organisation_a]
        )

    startups = {
        "aidants": startup(
            "aidants-connect",
            "Aidants Connect",
            ("investigation", TODAY - timedelta(days=400)),
            ("construction", TODAY - timedelta(days=330)),
        ),
        "suivi": startup(
            "mon-suivi-social",
            "Mon Suivi Social",
            ("investigation", TODAY - timedelta(days=260)),
            ("construction", TODAY - timedelta(days=200)),
        ),
        "aides": startup(
            "carte-des-aides", "Carte des aides", ("investigation", TODAY - timedelta(days=80))
        ),
        "conso": startup(
            "signal-conso",
            "Signal Conso",
            ("construction", TODAY - timedelta(days=700)),
            ("acceleration", TODAY - timedelta(days=400)),
        ),
        "ancien": startup(
            "ancien-service",
            "Ancien Service",
            ("investigation", TODAY - timedelta(days=600)),
            ("construction", TODAY - timedelta(days=500)),
        ),
    }
    tranche = TrancheFactory(
        convention__reference="DINUM-2026-001",
        convention__start=TODAY - timedelta(days=300),
        convention__end=TODAY + timedelta(days=500),
        number=1,
        available_on=TODAY - timedelta(days=200),
        ae_amount=Decimal("1000000.00"),
        cp_amount=Decimal("1000000.00"),
    )
    for key, amount in (("aidants", 200), ("suivi", 100), ("conso", 150), ("ancien", 50)):
        AllocationFactory(
            tranche=tranche, startup=startups[key], amount=Decimal(amount * 1000), purpose="Phase"
        )
    AllocationFactory(
        tranche=tranche, startup=None, workstream="Coaching transverse", amount=Decimal("100000")
    )
    commitment = CommitmentFactory(
        allocation=startups["aidants"].allocations.get(),
        committed_on=TODAY - timedelta(days=150),
        supplier="Atelier numérique SAS",
        amount=Decimal("150000.00"),
    )
    for days in (75, 45, 15):
        PaymentFactory(
            commitment=commitment,
            service_done_on=TODAY - timedelta(days=days + 10),
            paid_on=TODAY - timedelta(days=days),
            amount=Decimal("45000.00"),
        )
    return {"incubator": incubator, "tranche": tranche, **startups}


def written_dossiers(committee) -> None:
    """The teams write their dossiers (the staff guide walks one dossier's form): all but
    Carte des aides, which stays incomplete."""
    texts = {
        "problem": "Les usagers attendent des semaines une réponse.",
        "past_strategy": "Un premier service avec deux départements.",
        "next_strategy": "Ouvrir le service à dix départements.",
        "success_criteria": [
            {"criterion": "Dossiers déposés par mois", "kind": "quantitative", "target": "2 000"}
        ],
    }
    requested = {
        "aidants-connect": "300000",
        "mon-suivi-social": "250000",
        "signal-conso": "0",
        "ancien-service": "0",
    }
    for startup_id, amount in requested.items():
        Dossier.objects.filter(committee=committee, startup_id=startup_id).update(
            amount_requested=Decimal(amount), team_size=Decimal("4.5"), **texts
        )


def decide(page, kind: str, tranche=None, **fields) -> None:
    page.select_option("#id_kind", kind)
    if tranche is not None:
        page.select_option("#id_tranche", str(tranche.pk))
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)
    page.click("input[name=preview]")


def test_a_committee_session_from_plan_to_monthly_report(
    live_server,
    page,
    staff_user,
    partner_a,
    portfolio,
    clock,
    assert_accessible,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    url = live_server.url
    tranche = portfolio["tranche"]
    steps = Steps(page.context)

    # 1. Staff log in; the dashboard, for one incubator.
    log_in(page, url, staff_user)
    expect(page.locator("#attention h2")).to_have_text("À surveiller")
    # The admin's menu folded away, as the browser remembers it: wider pages, smaller images.
    page.evaluate("() => localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    steps.done("connexion")
    page.select_option("#incubateur", "incubateur-territoires")
    page.click("input[value=Filtrer]")
    expect(page.locator("#attention")).to_contain_text("Ancien Service")
    shot(page, "21-seance-01-tableau-de-bord")
    steps.done("tableau de bord d'un incubateur")

    # 2. Plan the committee and its agenda: five startups, in one form.
    page.goto(url + "/admin/committees/committee/add/")
    page.fill("#id_date", fr(COMMITTEE_DAY))
    page.fill("#id_starts_at", "14:00")
    page.fill("#id_place", "DINUM, 20 avenue de Ségur, Paris")
    page.fill("#id_chair", "DINUM")
    page.select_option("#id_incubators_from", label="Incubateur des territoires")
    page.click("#id_incubators_add")
    for n, title in enumerate(
        ["Aidants Connect", "Mon Suivi Social", "Carte des aides", "Signal Conso", "Ancien Service"]
    ):
        page.locator("#dossiers-group .add-row a").click()
        page.locator(f"#id_dossiers-{n}-startup + .select2").click()
        page.locator(".select2-search__field").fill(title.split()[-1])
        page.locator(".select2-results__option", has_text=title).click()
    shot(page, "21-seance-02-ordre-du-jour", top=page.locator("#dossiers-group"))
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("a été ajouté")
    committee = Committee.objects.get()
    assert committee.dossiers.count() == 5
    steps.done("planifier : comité et cinq dossiers")
    written_dossiers(committee)

    # 3. The session page: the agenda, what each dossier lacks, the money on the tranche.
    page.get_by_role("link", name="Ouvrir la séance").click()
    expect(page.locator("h1")).to_contain_text("Séance — Comité du")
    agenda = page.locator("#ordre-du-jour")
    expect(agenda).to_contain_text("Carte des aides")
    expect(agenda.locator("tr", has_text="Carte des aides")).to_contain_text("Incomplet")
    expect(page.locator("#tranches")).to_contain_text("400\xa0000,00 €")
    expect(page.locator("#etat")).to_contain_text("À partir du")
    assert_accessible(page)
    shot(page, "21-seance-03-seance-prevue")
    steps.done("ouvrir la séance")

    # 4. Send the dossiers: one is incomplete, the warning first.
    page.click("input[value='Envoyer les dossiers']")
    expect(page.locator(".portfolio-attention h2")).to_have_text("1 dossier(s) incomplet(s) sur 5")
    shot(page, "21-seance-04-dossiers-incomplets")
    page.click("input[value='Envoyer quand même']")
    expect(page.locator(".messagelist")).to_contain_text("5 dossier(s) envoyé(s)")
    expect(page.locator("#etat h2")).to_contain_text("Dossiers envoyés")
    shot(page, "21-seance-05-dossiers-envoyes")
    steps.done("envoyer (avertissement)")

    # 5. A partner's review, in the partners' space.
    page.context.clear_cookies()
    page.goto(url + "/partenaires/")
    page.get_by_label("Adresse électronique").fill(partner_a.email)
    page.get_by_label("Mot de passe", exact=True).fill(PARTNER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Dossier de Aidants Connect").click()
    page.get_by_role("link", name="Donner l'avis").first.click()
    page.get_by_text("Favorable", exact=True).click()
    page.get_by_label("Questions écrites à l'équipe").fill("Quel coût par dossier déposé ?")
    shot(page, "21-seance-06-avis-partenaire", top=page.locator("h1"))
    page.get_by_role("button", name="Envoyer l'avis").click()
    expect(page.get_by_text("est enregistré")).to_be_visible()
    assert PartnerReview.objects.get().opinion == "favourable"
    steps.done("avis d'un partenaire")

    # 6. The committee's day: staff log in again, open the session, hold the committee.
    clock.move_to(paris(COMMITTEE_DAY, "14:00"), tick=True)
    page.context.clear_cookies()
    log_in(page, url, staff_user)
    page.goto(url + f"/admin/committees/committee/{committee.pk}/seance/")
    expect(page.locator("#ordre-du-jour")).to_contain_text("DA : Favorable")
    page.click("input[value='Marquer comme tenu']")
    expect(page.locator(".messagelist")).to_contain_text("tenu")
    expect(page.locator("#etat h2")).to_contain_text("Tenu")
    shot(page, "21-seance-07-seance-tenue")
    steps.done("jour du comité : reconnexion, tenir")

    # 7. Five decisions, from the session, one after the other.
    page.get_by_role("link", name="Décider pour Aidants Connect").click()
    expect(page.locator("h1")).to_contain_text("Décision — Aidants Connect")
    expect(page.locator("#id_tranche")).to_have_value(str(tranche.pk))  # its tranche, chosen
    decide(page, "next_phase", objectives="Ouvrir dans 20 départements")
    consequences = page.locator("#consequences")
    expect(consequences).to_contain_text("entre en accélération")
    expect(consequences).to_contain_text("il y restera 100\u202f000,00\xa0€ à allouer")
    shot(page, "21-seance-08-decision-apercu", top=page.locator("#content"))
    page.click("input[name=confirm]")
    expect(page.locator(".messagelist")).to_contain_text(
        "Décision enregistrée pour Aidants Connect"
    )
    expect(page.locator("h1")).to_contain_text("Décision — Mon Suivi Social")
    steps.done("décision 1 : accélération")

    # Mon Suivi Social's team is late: the committee takes the next dossier first.
    page.get_by_role("link", name=re.compile("Dossier suivant")).click()
    expect(page.locator("h1")).to_contain_text("Décision — Carte des aides")
    decide(page, "go_on", tranche, amount="50000")  # its first money: staff choose the tranche
    expect(page.locator("#consequences")).to_contain_text("entre en construction")
    page.click("input[name=confirm]")
    expect(page.locator("h1")).to_contain_text("Décision — Signal Conso")
    steps.done("décision 2 : dossier suivant, construction")

    decide(page, "extend", new_committee_date=(COMMITTEE_DAY + timedelta(days=42)).isoformat())
    money = page.locator("#argent")
    expect(money).to_contain_text("continue sur son allocation en cours jusqu'au nouveau comité")
    expect(money).to_contain_text("150\u202f000,00\xa0€ alloués non engagés")
    shot(page, "21-seance-09-reconduction-argent", top=page.locator("#content"))
    page.click("input[name=confirm]")
    expect(page.locator("h1")).to_contain_text("Décision — Ancien Service")
    steps.done("décision 3 : reconduction sans argent")

    decide(page, "stop")
    expect(page.locator("#consequences")).to_contain_text("Ancien Service est arrêtée le")
    page.click("input[name=confirm]")
    # Back to the one left, earlier on the agenda.
    expect(page.locator("h1")).to_contain_text("Décision — Mon Suivi Social")
    steps.done("décision 4 : arrêt")

    # Mon Suivi Social asks for 250 000 € where 50 000 € are left: refused, nothing written.
    decide(page, "next_phase")
    expect(page.locator(".errorlist.nonfield")).to_contain_text(
        "Il reste 50 000,00 € à allouer sur la tranche « DINUM-2026-001 — tranche 1 », pour "
        "250 000,00 € décidés"
    )
    shot(page, "21-seance-10-decision-refusee-argent")
    assert not Decision.objects.filter(dossier__startup_id="mon-suivi-social").exists()
    assert not portfolio["suivi"].phases.filter(kind=PhaseKind.ACCELERATION).exists()
    page.fill("#id_amount", "50000")
    page.click("input[name=preview]")
    expect(page.locator("#consequences")).to_contain_text("il y restera 0,00\xa0€ à allouer")
    page.click("input[name=confirm]")
    expect(page.locator(".messagelist")).to_contain_text(
        "Tous les dossiers du comité ont leur décision"
    )
    expect(page.locator("#tranches")).to_contain_text("0,00 €")
    assert Decision.objects.count() == 5
    assert_accessible(page)
    shot(page, "21-seance-11-seance-decidee", top=page.locator("#ordre-du-jour"))
    steps.done("décision 5 : refusée pour l'argent, corrigée")

    # 8. Close.
    page.click("input[value='Clore le comité']")
    expect(page.locator(".messagelist")).to_contain_text("clos")
    expect(page.locator("#etat h2")).to_contain_text("Clos")
    shot(page, "21-seance-12-seance-close")
    assert Committee.objects.get().status == CommitteeStatus.CLOSED
    steps.done("clore")

    # 9. A commitment (AE) on the allocation Aidants Connect was decided.
    page.get_by_role("link", name="Allocation décidée pour Aidants Connect").click()
    page.get_by_role("link", name="Ajouter un engagement").click()
    page.fill("#id_committed_on", fr(COMMITTEE_DAY))
    page.fill("#id_label", "Passage à l'échelle")
    page.fill("#id_supplier", "Atelier numérique SAS")
    page.fill("#id_purchase_order", "BC-2026-100")
    page.select_option("#id_activity", "developpement")
    page.select_option("#id_resource", "prestations")
    page.fill("#id_amount", "120000,00")
    shot(page, "21-seance-13-engagement")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("a été ajouté")
    commitment = Commitment.objects.get(purchase_order="BC-2026-100")
    assert commitment.allocation.decided
    steps.done("engagement (AE)")

    # 10. A payment (CP) on it.
    page.get_by_role("link", name="Ajouter un paiement").click()
    page.fill("#id_service_done_on", fr(COMMITTEE_DAY))
    page.fill("#id_paid_on", fr(COMMITTEE_DAY))
    page.fill("#id_amount", "20000,00")
    page.fill("#id_reference", "DP-2026-0100")
    shot(page, "21-seance-14-paiement")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("a été ajouté")
    assert Payment.objects.get(reference="DP-2026-0100").commitment == commitment
    steps.done("paiement (CP)")

    # 11. The monthly report, and its CSV for the délégant.
    page.goto(url + "/admin/budgets/convention/rapport-mensuel/")
    page.fill("#id_mois", f"{COMMITTEE_DAY:%Y-%m}")
    page.click("input[value=Afficher]")
    expect(page.locator("#content")).to_contain_text("Aidants Connect")
    shot(page, "21-seance-15-rapport-mensuel")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en CSV").click()
    csv = Path(download.value.path()).read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # the BOM a French spreadsheet reads as UTF-8
    text = csv.decode("utf-8-sig")
    assert "Aidants Connect" in text and "120000,00" in text and ";" in text
    steps.done("rapport mensuel (CSV)")

    steps.report("seance")
