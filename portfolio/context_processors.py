"""Template context shared by every page, without any database query."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

SITE_TITLE = "Portefeuille des startups d'État"
SITE_TAGLINE = "Phases, comités d'investissement, budgets et impact des startups de beta.gouv.fr"

# Stands in for django-dsfr's DsfrConfig row: dsfr's templates read these attributes, and the
# row would cost a query on every render (STACK.md).
SITE_CONFIG = {
    "site_title": SITE_TITLE,
    "site_tagline": SITE_TAGLINE,
    "footer_brand": "république française",
    "mourning": False,
    "beta_tag": True,
}

# Main menu: (label, URL name). Each section marks itself current for every page below it.
NAVIGATION_ITEMS: list[tuple[str, str]] = [
    ("Startups", "startups:list"),
    ("Incubateurs", "startups:incubators"),
    ("Organisations", "startups:organisations"),
    ("Impact", "impact:programme"),
    ("Budget", "budgets:programme"),
    ("Comités", "committees:public_calendar"),
    ("Données ouvertes", "api:open_data"),
]


@lru_cache(maxsize=4)
def _menu(script_prefix: str) -> tuple[tuple[str, str], ...]:
    """(label, URL) of each menu item: the URLs never change in a process (for one script
    prefix), and reversing seven of them cost ~0.3 ms of every page built."""
    return tuple((label, reverse(url_name)) for label, url_name in NAVIGATION_ITEMS)


def navigation(path: str) -> list[dict]:
    return [
        {"label": label, "url": url, "active": path.startswith(url)}
        for label, url in _menu(get_script_prefix())
    ]


def site(request):
    menu = navigation(request.path)
    return {
        "SITE_CONFIG": SITE_CONFIG,
        "NAVIGATION": menu,
        "DEBUG": settings.DEBUG,
        # All that makes one page's shell (header, menu, footer) differ from another's: the
        # home page or not, the menu item marked current (site_tags, publishing.pages).
        "SHELL_STATE": (
            request.path == reverse("home"),
            tuple((item["url"], item["active"]) for item in menu),
        ),
    }
