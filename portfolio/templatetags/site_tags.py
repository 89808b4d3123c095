"""`{% load site_tags %}`: the site's header and footer, rendered once per process and kept.

They are the same on every page but for the menu item marked current (the footer not even
that), yet as DSFR templates they cost ~0.65 ms of every page built fresh (a search term, a
startup page after a change). The header is kept per state of the menu (which item is current,
or the home page: a handful of states), the footer once; each is rendered the first time with
the page's own context, as the include did (tests/test_site_tags.py compares them).
"""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_kept: dict[tuple, SafeString] = {}


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    request = context.get("request")  # none on the page of a server error
    state = (
        request is not None and request.path == reverse("home"),  # as the template compares
        tuple((item["url"], item["active"]) for item in context.get("NAVIGATION", ())),
    )
    return _rendered(context, "portfolio/_header.html", state)


@register.simple_tag(takes_context=True)
def site_footer(context) -> SafeString:
    return _rendered(context, "portfolio/_footer.html", ())


def _rendered(context, name: str, state: tuple) -> SafeString:
    """The template rendered, kept under `state` when the context is a page's own (its
    context processors ran: the page of a server error is rendered without them)."""
    key = (name, state)
    html = _kept.get(key)
    if html is None:
        # Rendered by Django's templates, which escaped every variable.
        html = mark_safe(context.template.engine.get_template(name).render(context))  # noqa: S308
        if "SITE_CONFIG" in context:
            _kept[key] = html
    return html
