"""Every admin URL with junk in its ids and in its query parameters answers without a server
error (issue 18, finding 6): a 403, a 404, a redirect or a French form error, never a 5xx.

The URLs are not listed by hand: they are read from the admin site's URL tree (its own views,
every registered model's `get_urls()` and the custom views they add), so a new admin page is
walked as soon as it exists. Each is tried as the superuser and as the staff account without
any permission (tests/conftest.py).
"""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern

from tests.clock import TODAY
from tests.factories import EventFactory, startup_with_phases
from tests.factories_budgets import PaymentFactory
from tests.factories_committees import CommitteeFactory, DecisionFactory, dossier_for
from tests.factories_impact import MeasurementFactory, NorthStarFactory

pytestmark = pytest.mark.django_db

# As they are typed in an address bar: percent-encoded where they need it.
JUNK_IDS = ["abc", "a%00b", "%00", "99999999", "-1", "9" * 30, "x" * 3000, "%C3%A9%20%3F"]
# Query values: NUL is refused for every parameter at once (portfolio.middleware), so it is
# tried once per page; the others are tried parameter by parameter.
JUNK_VALUES = ["abc", "-1", "9" * 30, "é" * 300]
# GET parameters the admin's pages read (lists, popups, custom views); each list page adds its
# own filters, read from its filter links.
PARAMETERS = [
    "q",
    "o",
    "p",
    "all",
    "e",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "convention",
    "mois",
    "format",
    "startup",
    "incubateur",
]


@pytest.fixture
def scene(organisation_a):
    """One object of each kind, so that lists, filters and change pages have something."""
    startup = startup_with_phases(
        ("investigation", TODAY - timedelta(days=400)),
        ("construction", TODAY - timedelta(days=200)),
        sponsors=[organisation_a],
    )
    EventFactory(startup=startup)
    MeasurementFactory(indicator=NorthStarFactory(startup=startup))
    PaymentFactory(commitment__allocation__startup=startup)
    committee = CommitteeFactory(date=TODAY - timedelta(days=5))
    DecisionFactory(dossier=dossier_for(committee, startup))
    dossier_for(CommitteeFactory(date=TODAY + timedelta(days=30)), startup)


def admin_patterns(resolver=None, prefix="/admin/", model_admin=None):
    """(route with its converters, the model admin it belongs to or None) for every view."""
    if resolver is None:
        resolver = URLResolver(RoutePattern(""), admin.site.get_urls())
    by_prefix = {
        f"{m._meta.app_label}/{m._meta.model_name}/": ma for m, ma in admin.site._registry.items()
    }
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from admin_patterns(entry, prefix + route, by_prefix.get(route, model_admin))
        elif isinstance(entry, URLPattern):
            yield prefix + route, model_admin


def urls_with_junk_ids(route: str, model_admin) -> list[str]:
    """The route with each junk value in every argument, and with a real id beside it."""
    if isinstance(route, str) and route.startswith("/admin/^"):  # the app index, a regex
        labels = {m._meta.app_label for m in admin.site._registry}
        return [f"/admin/{label}/" for label in sorted(labels)] + [
            f"/admin/{junk}/" for junk in JUNK_IDS
        ]
    route = route.replace("^", "").replace("$", "")
    if "(?P<" in route:  # the catch-all view, a regex
        return [re.sub(r"\(\?P<\w+>[^)]*\)", junk, route) for junk in JUNK_IDS]
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if not names:
        return [route]
    urls = [re.sub(r"<(?:\w+:)?\w+>", junk, route) for junk in JUNK_IDS]
    real = model_admin.model._default_manager.order_by("pk").first() if model_admin else None
    if real is not None and names[0] in ("object_id", "pk"):
        first = re.sub(r"<(?:\w+:)?\w+>", str(real.pk), route, count=1)
        urls += [re.sub(r"<(?:\w+:)?\w+>", junk, first) for junk in JUNK_IDS if "<" in first]
        if "<" not in first:
            urls.append(first)
    return urls


def filter_parameters(html: str) -> set[str]:
    """The parameters of a list page's filter and sort links."""
    names = set()
    for query in re.findall(r'href="\?([^"#]*)"', html):
        names.update(name for name, _ in parse_qsl(query.replace("&amp;", "&")))
    return names


def walk(client: Client, superuser_client: Client) -> tuple[int, list]:
    errors, tried = [], 0

    def get(url):
        nonlocal tried
        tried += 1
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"{response.status_code} {url[:160]}")
        return response

    for route, model_admin in admin_patterns():
        for url in urls_with_junk_ids(route, model_admin):
            response = get(url)
            if "<" in route or "(?P<" in route:
                continue  # junk in the path already; the query is tried on the real pages
            page = superuser_client.get(url)
            parameters = set(PARAMETERS)
            if page.status_code == 200 and not page.streaming:
                parameters |= filter_parameters(page.content.decode())
            if model_admin and url.endswith("/add/"):  # the admin prefills any field from GET
                parameters |= {f.name for f in model_admin.model._meta.fields}
            get(f"{url}?{urlencode(dict.fromkeys(sorted(parameters), chr(0)))}")
            for name in sorted(parameters):
                for value in JUNK_VALUES:
                    get(f"{url}?{urlencode({name: value})}")
            del response
    return tried, errors


@pytest.fixture
def superuser_client(staff_user):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    return client


@pytest.fixture
def permissionless_client(staff_without_permissions):
    client = Client(raise_request_exception=False)
    client.force_login(staff_without_permissions)
    return client


def test_every_admin_url_with_junk_answers_the_superuser_without_a_server_error(
    scene, superuser_client
):
    tried, errors = walk(superuser_client, superuser_client)
    assert tried > 1000
    assert not errors, "\n".join(errors)


def test_every_admin_url_with_junk_answers_staff_without_permission_without_a_server_error(
    scene, permissionless_client, superuser_client
):
    tried, errors = walk(permissionless_client, superuser_client)
    assert tried > 1000
    assert not errors, "\n".join(errors)


# --- The cases of the issue, with the answer each must give ---------------------------------
def test_a_junk_convention_in_the_monthly_report_is_a_french_form_error(superuser_client):
    response = superuser_client.get("/admin/budgets/convention/rapport-mensuel/?convention=abc")
    assert response.status_code == 400
    assert "Cette convention n'existe pas" in html.unescape(response.content.decode())
    response = superuser_client.get("/admin/budgets/convention/rapport-mensuel/?mois=2026-13")
    assert response.status_code == 400
    assert "n'est pas un mois au format AAAA-MM" in html.unescape(response.content.decode())


def test_the_monthly_report_needs_the_permission_to_view_conventions(permissionless_client):
    response = permissionless_client.get("/admin/budgets/convention/rapport-mensuel/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/impact/indicator/import/?startup=%00", 400),
        ("/admin/startups/startup/a%00b/change/", 404),
        ("/admin/startups/startup/?q=%00", 400),
        ("/startups/?q=%00", 400),
    ],
)
def test_a_nul_byte_in_the_url_is_refused_before_the_database(superuser_client, url, status):
    response = superuser_client.get(url)
    assert response.status_code == status
    assert "caractère nul" in response.content.decode() or status == 404


def test_recording_a_decision_without_the_permission_is_refused_for_any_id(
    scene, permissionless_client
):
    from committees.models import Dossier

    for pk in (Dossier.objects.first().pk, 99999999):
        response = permissionless_client.get(f"/admin/committees/dossier/{pk}/decision/")
        assert response.status_code == 403, pk


@pytest.mark.parametrize(
    "url",
    [
        "/admin/budgets/convention/abc/history/",
        "/admin/budgets/tranche/add/?convention=abc",
        "/admin/budgets/payment/export/?convention=abc",
        "/admin/budgets/payment/?paid_on__year=" + "9" * 30,
    ],
)
def test_junk_that_reached_the_database_or_overflowed_is_a_clear_answer(superuser_client, url):
    assert superuser_client.get(url).status_code in (400, 404)
