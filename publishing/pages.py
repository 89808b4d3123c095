"""What every page's context shares: the breadcrumb (django-dsfr's `dsfr_breadcrumb` data)."""


def breadcrumb(*links: tuple[str, str], current: str) -> dict:
    """breadcrumb(("/startups/", "Startups"), current="1000 jours")."""
    return {"links": [{"url": url, "title": title} for url, title in links], "current": current}
