"""The partner space: each partner sees only what its organisations sponsor, whatever the URL."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from committees import services
from committees.models import PartnerReview
from tests.clock import TODAY
from tests.conftest import PARTNER_PASSWORD, STAFF_PASSWORD
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for

pytestmark = pytest.mark.django_db

LOGIN = "/partenaires/connexion/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name="bilan.pdf", body=b"%PDF-1.4 dossier"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def scene(organisation_a, organisation_b):
    """One committee: a dossier of a startup funded by A, one funded by B, each with a file
    and its sponsor's review."""
    committee = CommitteeFactory(date=TODAY + timedelta(days=21))
    startup_a = StartupFactory(title="Service de A", sponsors=[organisation_a])
    startup_b = StartupFactory(title="Service de B", sponsors=[organisation_b])
    dossier_a = dossier_for(committee, startup_a)
    dossier_b = dossier_for(committee, startup_b)
    attachment_a = services.add_attachment(dossier=dossier_a, uploaded_file=pdf("a.pdf"))
    attachment_b = services.add_attachment(dossier=dossier_b, uploaded_file=pdf("b.pdf"))
    review_b = PartnerReview.objects.create(
        dossier=dossier_b,
        organisation=organisation_b,
        opinion="reserved",
        questions="Question secrète de B",
    )
    return {
        "committee": committee,
        "dossier_a": dossier_a,
        "dossier_b": dossier_b,
        "attachment_a": attachment_a,
        "attachment_b": attachment_b,
        "review_b": review_b,
    }


def urls_of(scene, side: str) -> list[str]:
    dossier, attachment = scene[f"dossier_{side}"], scene[f"attachment_{side}"]
    return [
        f"/partenaires/dossiers/{dossier.pk}/",
        f"/partenaires/dossiers/{dossier.pk}/avis/",
        f"/partenaires/pieces-jointes/{attachment.pk}/",
    ]


# --- Isolation --------------------------------------------------------------------------------
def test_it_sends_anonymous_visitors_to_the_login_page(client, scene):
    for url in ["/partenaires/", "/partenaires/decisions/", *urls_of(scene, "a")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN}?next=")


def test_it_shows_a_partner_its_own_dossiers(partner_a_client, scene):
    for url in urls_of(scene, "a"):
        assert partner_a_client.get(url).status_code == 200, url


def test_it_answers_404_for_another_organisation_s_objects(partner_a_client, scene):
    for url in urls_of(scene, "b"):
        assert partner_a_client.get(url).status_code == 404, url
    # Ids that do not exist look the same as ids of others.
    for url in ["/partenaires/dossiers/999999/", "/partenaires/pieces-jointes/999999/"]:
        assert partner_a_client.get(url).status_code == 404


def test_the_other_partner_is_isolated_the_same_way(partner_b_client, scene):
    for url in urls_of(scene, "a"):
        assert partner_b_client.get(url).status_code == 404, url
    for url in urls_of(scene, "b"):
        assert partner_b_client.get(url).status_code == 200, url


def test_staff_see_everything(staff_client, scene):
    for url in [*urls_of(scene, "a"), *urls_of(scene, "b")]:
        assert staff_client.get(url).status_code == 200, url


def test_a_user_without_organisation_is_sent_to_login(client, django_user_model, scene):
    client.force_login(django_user_model.objects.create_user("x@exemple.fr", "x@exemple.fr"))
    response = client.get(f"/partenaires/dossiers/{scene['dossier_a'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_the_index_lists_only_my_dossiers(partner_a_client, scene):
    content = partner_a_client.get("/partenaires/").content.decode()
    assert "Service de A" in content
    assert "Service de B" not in content
    assert "Donner l'avis" in content


def test_a_partner_sees_only_its_organisation_s_review(
    partner_a_client, scene, organisation_a, organisation_b
):
    # A startup funded by both: A sees the dossier, its own review, never B's.
    shared = StartupFactory(title="Service commun", sponsors=[organisation_a, organisation_b])
    dossier = dossier_for(scene["committee"], shared)
    PartnerReview.objects.create(
        dossier=dossier, organisation=organisation_b, opinion="unfavourable", comments="Avis de B"
    )
    PartnerReview.objects.create(
        dossier=dossier, organisation=organisation_a, opinion="favourable", comments="Avis de A"
    )
    content = partner_a_client.get(f"/partenaires/dossiers/{dossier.pk}/").content.decode()
    assert "Avis de A" in content
    assert "Avis de B" not in content and "Question secrète" not in content


def test_attachments_are_served_as_downloads_to_allowed_users_only(partner_a_client, scene):
    response = partner_a_client.get(f"/partenaires/pieces-jointes/{scene['attachment_a'].pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 dossier"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="a.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    # The file's storage path is not a URL of the site.
    name = scene["attachment_b"].file.name
    assert partner_a_client.get(f"/media/{name}").status_code == 404
    assert (
        partner_a_client.get(f"/partenaires/pieces-jointes/{scene['attachment_b'].pk}/").status_code
        == 404
    )


def test_decisions_list_only_my_startups(partner_a_client, scene):
    DecisionFactory(dossier=scene["dossier_a"], kind="continue", amount="123000.00")
    DecisionFactory(dossier=scene["dossier_b"], kind="stop", amount=None)
    content = partner_a_client.get("/partenaires/decisions/").content.decode()
    assert "Service de A" in content and "Poursuite avec budget" in content
    assert "Service de B" not in content and "Arrêt" not in content
    dossier = partner_a_client.get(f"/partenaires/dossiers/{scene['dossier_a'].pk}/")
    assert "Décision du comité" in dossier.content.decode()


def test_partner_pages_are_never_cached(partner_a_client, scene):
    response = partner_a_client.get(f"/partenaires/dossiers/{scene['dossier_a'].pk}/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "ETag" not in response


# --- The review -------------------------------------------------------------------------------
def test_it_saves_my_organisation_s_review(partner_a, partner_a_client, scene, organisation_a):
    url = f"/partenaires/dossiers/{scene['dossier_a'].pk}/avis/"
    form = {"organisation": organisation_a.pk, "opinion": "favourable", "questions": "Combien ?"}
    response = partner_a_client.post(url, form)
    assert response.status_code == 302
    assert response["Location"] == f"/partenaires/dossiers/{scene['dossier_a'].pk}/#avis"
    review = PartnerReview.objects.get(dossier=scene["dossier_a"])
    assert (review.organisation, review.author, review.opinion) == (
        organisation_a,
        partner_a,
        "favourable",
    )
    # Rewritten, not duplicated.
    partner_a_client.post(url, {**form, "opinion": "reserved"})
    assert PartnerReview.objects.get(dossier=scene["dossier_a"]).opinion == "reserved"
    page = partner_a_client.get(f"/partenaires/dossiers/{scene['dossier_a'].pk}/").content.decode()
    assert "Combien ?" in page and "réservé" in page


def test_it_shows_the_team_s_answers(partner_a_client, scene, organisation_a):
    PartnerReview.objects.create(
        dossier=scene["dossier_a"],
        organisation=organisation_a,
        opinion="favourable",
        questions="Quel coût ?",
        answers="0,40 € par dossier déposé.",
    )
    content = partner_a_client.get(f"/partenaires/dossiers/{scene['dossier_a'].pk}/").content
    assert "0,40 € par dossier déposé." in content.decode()


def test_an_invalid_review_says_why(partner_a_client, scene):
    response = partner_a_client.post(f"/partenaires/dossiers/{scene['dossier_a'].pk}/avis/", {})
    assert response.status_code == 400
    assert not PartnerReview.objects.filter(dossier=scene["dossier_a"]).exists()


def test_it_refuses_a_review_for_another_organisation(
    partner_a_client, scene, organisation_a, organisation_b
):
    # On B's dossier: 404.
    response = partner_a_client.post(
        f"/partenaires/dossiers/{scene['dossier_b'].pk}/avis/",
        {"organisation": organisation_b.pk, "opinion": "unfavourable"},
    )
    assert response.status_code == 404
    assert PartnerReview.objects.get(dossier=scene["dossier_b"]).opinion == "reserved"
    # On a shared dossier, in B's name: refused.
    shared = StartupFactory(sponsors=[organisation_a, organisation_b])
    dossier = dossier_for(scene["committee"], shared)
    response = partner_a_client.post(
        f"/partenaires/dossiers/{dossier.pk}/avis/",
        {"organisation": organisation_b.pk, "opinion": "unfavourable"},
    )
    assert response.status_code == 400
    assert not PartnerReview.objects.filter(dossier=dossier).exists()


def test_it_refuses_a_review_after_the_deadline(partner_a_client, organisation_a):
    committee = CommitteeFactory(date=TODAY + timedelta(days=3))  # deadline: 4 days ago
    dossier = dossier_for(committee, StartupFactory(sponsors=[organisation_a]))
    url = f"/partenaires/dossiers/{dossier.pk}/avis/"
    page = partner_a_client.get(url)
    assert page.status_code == 200
    assert "La date limite de relecture" in page.content.decode()
    assert '<form method="post" novalidate>' not in page.content.decode()
    response = partner_a_client.post(
        url, {"organisation": organisation_a.pk, "opinion": "favourable"}
    )
    assert response.status_code == 403
    assert "est passée" in response.content.decode()
    assert not PartnerReview.objects.filter(dossier=dossier).exists()


def test_the_review_form_is_csrf_protected(partner_a, scene, organisation_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(partner_a)
    response = client.post(
        f"/partenaires/dossiers/{scene['dossier_a'].pk}/avis/",
        {"organisation": organisation_a.pk, "opinion": "favourable"},
    )
    assert response.status_code == 403
    assert not PartnerReview.objects.filter(dossier=scene["dossier_a"]).exists()


# --- Accounts ---------------------------------------------------------------------------------
def test_the_login_page_asks_for_an_e_mail_address(client):
    content = client.get(LOGIN).content.decode()
    assert "Adresse électronique" in content
    assert "ProConnect" not in content  # off by default


def test_partners_log_in_by_e_mail_whatever_its_case(client, partner_a):
    response = client.post(
        LOGIN, {"username": "  Partenaire@DIRECTION-A.gouv.fr", "password": PARTNER_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/partenaires/"
    assert client.get("/partenaires/").status_code == 200


def test_a_wrong_password_is_refused_in_french(client, partner_a):
    response = client.post(LOGIN, {"username": partner_a.email, "password": "non"})
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()


def test_staff_still_log_in_to_the_admin(client, staff_user):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "equipe@incubateur.test", "password": STAFF_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_logout_is_a_post(partner_a_client):
    assert partner_a_client.get("/partenaires/deconnexion/").status_code == 405
    response = partner_a_client.post("/partenaires/deconnexion/")
    assert response.status_code == 302
    assert partner_a_client.get("/partenaires/").status_code == 302


def test_password_reset_sends_a_french_e_mail(client, partner_a, mailoutbox):
    response = client.post(
        "/partenaires/mot-de-passe/", {"email": "PARTENAIRE@direction-a.gouv.fr"}
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [partner_a.email]
    assert "mot de passe" in message.subject
    assert "Bonjour" in message.body and "ignorez ce courriel" in message.body
    link = next(line for line in message.body.splitlines() if "/partenaires/mot-de-passe/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert "Nouveau mot de passe" in page.content.decode()
    assert 'name="new_password1"' in page.content.decode()


def test_password_reset_says_nothing_of_unknown_addresses(client, mailoutbox):
    response = client.post("/partenaires/mot-de-passe/", {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302
    assert mailoutbox == []
