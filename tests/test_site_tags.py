"""The header and footer kept by site_tags are those the templates render on each page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from portfolio.templatetags import site_tags

PATHS = ["/", "/startups/", "/startups/x/", "/incubateurs/", "/impact/", "/budget/", "/comites/",
         "/donnees/", "/accessibilite/", "/partenaires/"]  # fmt: skip
INCLUDED = Template('{% include "portfolio/_header.html" %}|{% include "portfolio/_footer.html" %}')
KEPT = Template("{% load site_tags %}{% site_header %}|{% site_footer %}")


def page_context(path: str) -> RequestContext:
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return RequestContext(request, {})


@pytest.fixture(autouse=True)
def nothing_kept():
    site_tags._kept.clear()
    yield
    site_tags._kept.clear()


def test_the_kept_header_and_footer_are_the_included_ones():
    for _ in range(2):  # rendered, then kept
        for path in PATHS:
            assert KEPT.render(page_context(path)) == INCLUDED.render(page_context(path))


def test_a_page_without_the_site_context_is_rendered_but_not_kept():
    # The page of a server error: no context processor ran.
    bare = KEPT.render(Context({}))
    assert bare == INCLUDED.render(Context({}))
    assert site_tags._kept == {}
    assert KEPT.render(page_context("/")) == INCLUDED.render(page_context("/")) != bare


@pytest.mark.django_db
def test_one_menu_item_at_most_is_current_on_a_page(client):
    startups = client.get("/startups/").content.decode()
    budget = client.get("/budget/").content.decode()
    current = 'class="fr-nav__link" href="{}" aria-current="page"'
    assert current.format("/startups/") in startups and current.format("/budget/") not in startups
    assert current.format("/budget/") in budget and current.format("/startups/") not in budget
