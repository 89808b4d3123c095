"""What every page's context shares: the breadcrumb (django-dsfr's `dsfr_breadcrumb` data);
pages whose content is a Jinja2 template."""

from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def address(name: str, *args) -> str:
    """`reverse(name, args=args)`, remembered per script prefix and URL configuration: an
    address never changes while they hold, and `reverse` cost ~30 µs (a card's link was most
    of what it cost; a startup page asks for some ten)."""
    return _address(get_script_prefix(), get_urlconf(), name, args)


@lru_cache(maxsize=20_000)  # each startup's page, then its incubators and sponsors: ~2 MB
def _address(prefix: str, urlconf, name: str, args: tuple) -> str:
    return reverse(name, args=args, urlconf=urlconf)


def breadcrumb(*links: tuple[str, str], current: str) -> dict:
    """breadcrumb(("/startups/", "Startups"), current="1000 jours")."""
    return {"links": [{"url": url, "title": title} for url, title in links], "current": current}


# Where a page's own parts go in its kept shell: letters only, which escaping leaves as they are.
_TITLE, _BREADCRUMB, _CONTENT = "PortefeuilleTitre", "PortefeuilleFilAriane", "PortefeuilleContenu"
_CURRENT = "PortefeuilleFilCourant"
_shells: dict[tuple, tuple[str, str, str, str]] = {}
# Trails of links of the pages in Jinja2: a handful (the startups' pages, the list).
BREADCRUMBS_KEPT = 64
_breadcrumbs: dict[tuple, tuple[str, str]] = {}


def render_page(request: HttpRequest, template_name: str, context: dict) -> HttpResponse:
    """A page whose content is a Jinja2 template (the "jinja2" engine: hot public pages, see
    portfolio/jinja2.py), in the site's shell: the HTML of a Django template extending
    base.html with that content block."""
    content = engines["jinja2"].get_template(template_name).render(context, request)
    return HttpResponse(in_shell(request, mark_safe(content), context))  # noqa: S308 - autoescaped


def in_shell(request: HttpRequest, content: SafeString, context: dict) -> str:
    """base.html (head, header, menu, breadcrumb, footer) around `content`.

    The shell (~1.2 ms of Django templates) differs from page to page only by the title, the
    breadcrumb and what the context processors give as SHELL_STATE (the menu item marked
    current): it is rendered once per state with marks where those go, and kept.
    tests/test_jinja_pages.py compares it with the shell rendered in full."""
    django = engines["django"]
    extra = {}
    for processor in django.engine.template_context_processors:
        extra.update(processor(request))
    state = extra.get("SHELL_STATE")
    title = context.get("title")
    kept = None
    if state is not None and title:  # no title: base.html writes another <title>
        kept = _shells.get(state)
        if kept is None:
            kept = _shells[state] = _shell(request)
    if not kept:
        shell = django.get_template("publishing/page.html")
        return shell.render(
            {**context, "content": content, "breadcrumb": _breadcrumb(context)}, request
        )
    head, after_title, after_breadcrumb, tail = kept
    return "".join(
        (head, conditional_escape(title), after_title, _breadcrumb(context), after_breadcrumb,
         content, tail)
    )  # fmt: skip


def _shell(request: HttpRequest) -> tuple[str, str, str, str] | tuple[()]:
    """base.html for this request's state, cut where the title, breadcrumb and content go;
    () when a mark is not there exactly once (base.html changed): rendered in full then."""
    shell = engines["django"].get_template("publishing/page.html")
    html = shell.render({"title": _TITLE, "breadcrumb": _BREADCRUMB, "content": _CONTENT}, request)
    if any(html.count(mark) != 1 for mark in (_TITLE, _BREADCRUMB, _CONTENT)):
        return ()
    head, rest = html.split(_TITLE)
    after_title, rest = rest.split(_BREADCRUMB)
    after_breadcrumb, tail = rest.split(_CONTENT)
    return head, after_title, after_breadcrumb, tail


def _breadcrumb(context: dict) -> str:
    """django-dsfr's breadcrumb of `breadcrumb_data`, as base.html includes it (none without).

    Kept per trail of links with a mark where the current page's name goes (~0.15 ms of
    Django templates a page); its id, random in django-dsfr, is then the same on the pages of
    one trail, unique in each page as it must be."""
    data = context.get("breadcrumb_data")
    template = engines["django"].get_template("publishing/breadcrumb.html")
    if not data or set(data) != {"links", "current"}:
        return template.render({"breadcrumb_data": data})
    trail = tuple((link["url"], link["title"]) for link in data["links"])
    kept = _breadcrumbs.get(trail)
    if kept is None:
        html = template.render({"breadcrumb_data": {**data, "current": _CURRENT}})
        if html.count(_CURRENT) != 1 or len(_breadcrumbs) >= BREADCRUMBS_KEPT:
            return template.render({"breadcrumb_data": data})
        kept = _breadcrumbs[trail] = tuple(html.split(_CURRENT))
    before, after = kept
    return f"{before}{conditional_escape(data['current'])}{after}"
