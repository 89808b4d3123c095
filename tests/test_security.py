"""Security: headers, login rate limit, sessions, admin for staff only, and every route that
takes an id tried as every persona."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from committees import services
from tests.clock import TODAY
from tests.conftest import PARTNER_PASSWORD
from tests.factories import StartupFactory
from tests.factories_committees import CommitteeFactory, dossier_for

pytestmark = pytest.mark.django_db


def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.parametrize("login_url", ["/partenaires/connexion/", "/admin/login/"])
def test_logins_are_rate_limited_with_a_clear_french_message(client, partner_a, login_url):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login_url, {"username": partner_a.email, "password": "mauvais"})
        assert response.status_code == 200
    # The last allowed failure locks the account: even the right password is refused then.
    assert client.post(login_url, {"username": partner_a.email, "password": "x"}).status_code == 429
    locked = client.post(login_url, {"username": partner_a.email, "password": PARTNER_PASSWORD})
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_is_for_staff_only(client, partner_a):
    client.force_login(partner_a)
    response = client.get("/admin/startups/startup/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def routes_with_ids(resolver=None, prefix=""):
    """(pattern, converters) of every non-admin route that takes an argument."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            yield from routes_with_ids(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.pattern.converters:
            yield prefix + str(entry.pattern), entry


@pytest.fixture
def ids(organisation_a, organisation_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    startup_a = StartupFactory(id="startup.de-a", sponsors=[organisation_a])
    committee = CommitteeFactory(date=TODAY + timedelta(days=20))
    dossier = dossier_for(committee, startup_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    attachment = services.add_attachment(
        dossier=dossier, uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
    )
    return {
        "startup_id": startup_a.pk,
        "incubator_id": startup_a.incubator_id,
        "organisation_id": organisation_a.pk,
        "pk": {"dossier": dossier.pk, "attachment": attachment.pk, "committee": committee.pk},
        "uidb64": None,
    }


# Who may read what: public pages for all; partner pages for staff and the sponsor's partners.
PRIVATE_PREFIX = "partenaires/"


def build(pattern: str, entry, ids) -> str | None:
    url = "/" + pattern
    for name in entry.pattern.converters:
        if name == "pk":
            kind = (
                "attachment"
                if "pieces-jointes" in pattern
                else "dossier"
                if "dossiers" in pattern
                else "committee"
            )
            value = ids["pk"][kind]
        elif name in ids and ids[name] is not None:
            value = ids[name]
        else:
            return None
        url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
    return None if "<" in url else url


def test_every_route_with_an_id_answers_each_persona_as_it_should(
    ids, client, partner_a, partner_b, staff_user
):
    personas = {
        "anonyme": None,
        "partenaire A": partner_a,
        "partenaire B": partner_b,
        "équipe": staff_user,
    }
    checked = 0
    for pattern, entry in routes_with_ids():
        url = build(pattern, entry, ids)
        if url is None:
            continue
        for persona, user in personas.items():
            client.logout()
            if user:
                client.force_login(user)
            status = client.get(url).status_code
            if not pattern.startswith(PRIVATE_PREFIX):
                assert status in (200, 304), (url, persona, status)
            elif persona == "anonyme":
                assert status == 302, (url, persona, status)
            elif persona == "partenaire B":
                assert status == 404, (url, persona, status)
            else:
                assert status == 200, (url, persona, status)
            checked += 1
    assert checked >= 4 * 11
