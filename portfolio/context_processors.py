"""Template context shared by every page, without any database query."""

from django.conf import settings
from django.urls import reverse

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


def navigation(path: str) -> list[dict]:
    items = []
    for label, url_name in NAVIGATION_ITEMS:
        url = reverse(url_name)
        items.append({"label": label, "url": url, "active": path.startswith(url)})
    return items


def site(request):
    return {
        "SITE_CONFIG": SITE_CONFIG,
        "NAVIGATION": navigation(request.path),
        "DEBUG": settings.DEBUG,
    }
