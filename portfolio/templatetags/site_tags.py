"""`{% load site_tags %}`: the site's header and footer, rendered once per process and kept.

They are the same on every page but for the menu item marked current (the footer not even
that), yet as DSFR templates they cost ~0.65 ms of every page built fresh (a search term, a
startup page after a change). The header is kept per state of the menu (which item is current,
or the home page: a handful of states), the footer once; each is rendered the first time with
the page's own context, as the include did (tests/test_site_tags.py compares them).
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_kept: dict[tuple, SafeString] = {}


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    # No state on the page of a server error (no context processor): rendered, not kept.
    return _rendered(context, "portfolio/_header.html", context.get("SHELL_STATE"))


@register.simple_tag(takes_context=True)
def site_footer(context) -> SafeString:
    return _rendered(context, "portfolio/_footer.html", () if "SITE_CONFIG" in context else None)


def _rendered(context, name: str, state: tuple | None) -> SafeString:
    """The template rendered, kept under `state`; None: the context is not a page's own (no
    context processor ran: the page of a server error), rendered and not kept."""
    key = (name, state)
    html = _kept.get(key)
    if html is None:
        # Rendered by Django's templates, which escaped every variable.
        html = mark_safe(context.template.engine.get_template(name).render(context))  # noqa: S308
        if state is not None:
            _kept[key] = html
    return html
