"""Every route of the partner space for the five personas (issue 18, finding 5).

The partner space answers to partner memberships and, for staff, to explicit Django permissions
(`committees.partner_views.PartnerAccess`), never to `is_staff` alone: a staff account without
any permission is sent to the login page and reads nothing of any dossier.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from committees import services
from committees.models import PartnerReview
from tests.clock import TODAY
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for

pytestmark = pytest.mark.django_db

LOGIN = "/partenaires/connexion/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scene(organisation_a, organisation_b):
    """A committee open for review: a dossier of a startup A funds and one B funds, each with a
    file, its sponsor's review and a decision; every piece carries a marker of its side."""
    committee = CommitteeFactory(date=TODAY + timedelta(days=21))
    scene = {"committee": committee}
    for side, organisation in (("a", organisation_a), ("b", organisation_b)):
        startup = StartupFactory(title=f"Service-du-côté-{side}", sponsors=[organisation])
        dossier = dossier_for(committee, startup)
        scene[f"dossier_{side}"] = dossier
        scene[f"attachment_{side}"] = services.add_attachment(
            dossier=dossier,
            uploaded_file=SimpleUploadedFile(
                f"{side}.pdf", f"%PDF-1.4 contenu-du-côté-{side}".encode(), "application/pdf"
            ),
        )
        scene[f"review_{side}"] = PartnerReview.objects.create(
            dossier=dossier,
            organisation=organisation,
            opinion="reserved",
            questions=f"Question-secrète-du-côté-{side}",
        )
        DecisionFactory(dossier=dossier)
    return scene


def partner_routes() -> set[str]:
    """Names of every route served by the partner space's views (the accounts' excepted)."""
    names = set()

    def walk(resolver):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry)
            elif isinstance(entry, URLPattern) and (
                getattr(entry.callback, "__module__", "") == "committees.partner_views"
            ):
                names.add(entry.name)

    walk(get_resolver())
    return names


def requests_of(scene, organisations) -> list[tuple[str, str, str, dict | None, str]]:
    """(route, side, method, data, url) for every route, on both sides."""
    requests = []
    for side in ("", "a", "b"):
        if not side:
            requests += [
                ("partner_home", "", "GET", None, reverse("committees:partner_home")),
                ("partner_decisions", "", "GET", None, reverse("committees:partner_decisions")),
            ]
            continue
        dossier, attachment = scene[f"dossier_{side}"], scene[f"attachment_{side}"]
        review = reverse("committees:partner_review", args=[dossier.pk])
        requests += [
            ("partner_dossier", side, "GET", None, dossier.get_absolute_url()),
            ("partner_review", side, "GET", None, review),
            (
                "partner_review",
                side,
                "POST",
                {"organisation": organisations[side].pk, "opinion": "favourable"},
                review,
            ),
            (
                "partner_attachment",
                side,
                "GET",
                None,
                reverse("committees:partner_attachment", args=[attachment.pk]),
            ),
        ]
    return requests


def expected_status(persona: str, route: str, side: str, method: str) -> int:
    if persona in ("anonyme", "équipe sans permission"):
        return 302  # to the login page
    if persona == "équipe":
        # Reads everything; reviews for no organisation (the form is the partners').
        return 403 if method == "POST" else 200
    own = persona[-1].lower()  # "partenaire A" -> "a"
    if side and side != own:
        return 404
    return 302 if method == "POST" else 200  # a saved review goes back to the dossier


def body_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def markers(side: str) -> list[str]:
    return [
        f"Service-du-côté-{side}",
        f"Question-secrète-du-côté-{side}",
        f"contenu-du-côté-{side}",
    ]


def test_every_route_answers_each_of_the_five_personas_as_it_should(
    scene,
    organisation_a,
    organisation_b,
    staff_user,
    partner_a,
    partner_b,
    staff_without_permissions,
):
    personas = {
        "équipe": staff_user,
        "partenaire A": partner_a,
        "partenaire B": partner_b,
        "anonyme": None,
        "équipe sans permission": staff_without_permissions,
    }
    requests = requests_of(scene, {"a": organisation_a, "b": organisation_b})
    assert {route for route, *_ in requests} == partner_routes(), "a route of the space is untried"
    checked = 0
    for persona, user in personas.items():
        client = Client()
        if user:
            client.force_login(user)
        for route, side, method, data, url in requests:
            response = client.post(url, data) if method == "POST" else client.get(url)
            status = expected_status(persona, route, side, method)
            assert response.status_code == status, (persona, method, url, response.status_code)
            if status == 302 and persona in ("anonyme", "équipe sans permission"):
                assert response["Location"].startswith(f"{LOGIN}?next="), (persona, url)
            text = body_of(response)
            hidden = (
                ["a", "b"]
                if persona in ("anonyme", "équipe sans permission")
                else ["b" if persona == "partenaire A" else "a"]
                if persona.startswith("partenaire")
                else []
            )
            for other in hidden:
                leaked = [marker for marker in markers(other) if marker in text]
                assert not leaked, (persona, url, leaked)
            checked += 1
    assert checked == 5 * 10


def grant(user, *codenames: str):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="committees", codename__in=codenames)
    )


def test_staff_read_what_their_permissions_open_and_no_more(
    scene, staff_without_permissions, staff_without_permissions_client
):
    client = staff_without_permissions_client
    dossier_b = scene["dossier_b"].get_absolute_url()
    attachment_b = reverse("committees:partner_attachment", args=[scene["attachment_b"].pk])
    assert client.get(dossier_b).status_code == 302

    grant(staff_without_permissions, "view_dossier")
    page = client.get(dossier_b)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Service-du-côté-b" in text
    assert "Question-secrète-du-côté-b" not in text  # another organisation's review
    assert "b.pdf" not in text
    assert client.get(attachment_b).status_code == 404
    assert "Service-du-côté-a" in client.get("/partenaires/").content.decode()

    grant(staff_without_permissions, "view_partnerreview", "view_attachment")
    text = client.get(dossier_b).content.decode()
    assert "Question-secrète-du-côté-b" in text and "b.pdf" in text
    assert client.get(attachment_b).status_code == 200


def test_the_attachment_and_review_permissions_open_nothing_without_the_dossiers(
    scene, staff_without_permissions, staff_without_permissions_client
):
    grant(staff_without_permissions, "view_partnerreview", "view_attachment")
    attachment_a = reverse("committees:partner_attachment", args=[scene["attachment_a"].pk])
    assert staff_without_permissions_client.get(attachment_a).status_code == 302


def test_a_staff_partner_keeps_its_organisation_s_dossiers(
    scene, organisation_a, staff_without_permissions, staff_without_permissions_client
):
    from committees.models import PartnerMembership

    PartnerMembership.objects.create(user=staff_without_permissions, organisation=organisation_a)
    client = staff_without_permissions_client
    assert client.get(scene["dossier_a"].get_absolute_url()).status_code == 200
    assert client.get(scene["dossier_b"].get_absolute_url()).status_code == 404
