"""The hot public pages whose content is Jinja2 (portfolio/jinja2.py, publishing.pages): the
HTML Django's templates would give, and a kept shell equal to base.html rendered in full."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from publishing import pages
from publishing.pages import breadcrumb, in_shell
from tests.factories import StartupFactory

RANDOM_ID = re.compile(r"breadcrumb-[a-z0-9]{16}")  # django-dsfr's breadcrumb id, new each time


@pytest.fixture(autouse=True)
def no_kept_shell():
    pages._shells.clear()
    pages._breadcrumbs.clear()
    yield
    pages._shells.clear()
    pages._breadcrumbs.clear()


def request_for(path: str):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def in_full(request, content: str, context: dict) -> str:
    """base.html around `content`, every part of it rendered by Django."""
    trail = engines["django"].get_template("publishing/breadcrumb.html").render(context)
    parts = {"content": mark_safe(content), "breadcrumb": trail}  # noqa: S308
    shell = engines["django"].get_template("publishing/page.html")
    return shell.render({**context, **parts}, request)


def same(first: str, second: str) -> bool:
    return RANDOM_ID.sub("", first) == RANDOM_ID.sub("", second)


@pytest.mark.parametrize(
    ("path", "title", "trail"),
    [
        ("/startups/x/", "L'été & « co » <b>\"gras\"</b>", breadcrumb(("/startups/", "Startups"), current="<x>")),
        ("/startups/", "Les startups d'État", breadcrumb(current="Startups")),
        ("/", "Accueil", None),
        ("/impact/", "Impact", breadcrumb(("/a?b=1&c=2", "A & B"), current="C")),
    ],
)  # fmt: skip
def test_the_kept_shell_is_base_html_rendered_in_full(path, title, trail):
    context = {"title": title, "breadcrumb_data": trail}
    content = mark_safe("<p>Le contenu</p>")
    for _ in range(2):  # the shell rendered and kept, then reused
        kept = in_shell(request_for(path), content, context)
        assert same(kept, in_full(request_for(path), content, context))
    assert len(pages._shells) == 1


def test_each_state_of_the_menu_has_its_shell():
    startups = in_shell(request_for("/startups/a/"), mark_safe("x"), {"title": "A"})
    budget = in_shell(request_for("/budget/"), mark_safe("x"), {"title": "A"})
    assert startups != budget and len(pages._shells) == 2
    assert 'href="/budget/" aria-current="page"' in budget


def test_a_page_without_title_is_rendered_in_full_and_not_kept():
    html = in_shell(request_for("/startups/"), mark_safe("x"), {})
    assert same(html, in_full(request_for("/startups/"), "x", {}))
    assert pages._shells == {}


class Thing:
    def __str__(self):
        return "<chose & 'truc'>"


VALUES = [
    'L\'été & « co » <b>"gras"</b>',
    mark_safe("<em>déjà sûr</em>"),
    1234567,
    999,
    -999,
    -1000,
    Decimal("1234.5"),
    12.5,
    None,
    date(2026, 3, 1),
    timedelta(days=3),
    Thing(),
    True,
    ["a", "<b>"],
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:20] for v in VALUES])
def test_a_variable_is_written_as_django_writes_it(value):
    jinja = engines["jinja2"].from_string("[{{ value }}]").render({"value": value})
    django = engines["django"].from_string("[{{ value }}]").render({"value": value})
    assert jinja == django


@pytest.mark.parametrize(
    ("jinja", "django"),
    [
        ('{{ items|join(" · ") }}', '{{ items|join:" · " }}'),
        ("{{ n|pluralize }}/{{ one|pluralize }}", "{{ n|pluralize }}/{{ one|pluralize }}"),
        ("{{ n|intcomma }}", "{% load humanize %}{{ n|intcomma }}"),
        ('{{ day|date("j F Y") }}', '{{ day|date:"j F Y" }}'),
        ("{{ text|lower }}/{{ text|urlencode }}", "{{ text|lower }}/{{ text|urlencode }}"),
        ("{{ span|days }}", "{% load publishing_tags %}{{ span|days }}"),
    ],
)
def test_the_filters_are_djangos(jinja, django):
    context = {"items": ["a&b", "<c>"], "n": 12345, "one": 1, "day": date(2026, 8, 1),
               "text": "Équipe L'Été / x", "span": timedelta(days=400)}  # fmt: skip
    assert engines["jinja2"].from_string(jinja).render(context) == engines["django"].from_string(
        django
    ).render(context)


@pytest.mark.django_db
@pytest.mark.time_machine("2026-06-15 10:00 +02:00")
def test_a_startup_page_is_served_with_its_kept_shell(client):
    startup = StartupFactory(title="L'outil « <b>test</b> »")
    first = client.get(startup.get_absolute_url()).content.decode()
    assert "<title>\n          \n            L&#x27;outil « &lt;b&gt;test&lt;/b&gt; » — " in first
    assert (
        '<a class="fr-breadcrumb__link" aria-current="page">L&#x27;outil « &lt;b&gt;test&lt;/b&gt; »</a>'
        in first
    )
    assert len(pages._shells) == 1


def test_a_kept_trail_is_the_breadcrumb_rendered_in_full():
    trails = [
        breadcrumb(("/startups/", "Startups"), current="L'été <b>&</b>"),
        breadcrumb(("/startups/", "Startups"), current="Autre"),
        breadcrumb(("/a/", "A & <B>"), ("/b/?x=1&y=2", "B"), current="PortefeuilleFilCourant"),
        {"links": [], "current": "Sans lien", "root_dir": "/racine/"},
    ]
    full = engines["django"].get_template("publishing/breadcrumb.html")
    for _ in range(2):
        for trail in trails:
            assert same(
                pages._breadcrumb({"breadcrumb_data": trail}),
                full.render({"breadcrumb_data": trail}),
            )
    assert len(pages._breadcrumbs) == 2  # the root_dir one is not kept


def test_a_shell_without_its_marks_is_never_kept_and_the_page_rendered_in_full(monkeypatch):
    # As if base.html wrote the title twice (a <meta> of its own, say).
    monkeypatch.setattr(pages, "_TITLE", "Portefeuille")  # also in the site's name
    html = in_shell(request_for("/startups/"), mark_safe("x"), {"title": "A"})
    assert same(html, in_full(request_for("/startups/"), "x", {"title": "A"}))
    assert list(pages._shells.values()) == [()]
