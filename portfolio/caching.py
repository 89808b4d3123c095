"""Public pages: conditional GET and a server-side cache keyed on the version of the data.

A public page depends only on the data (never on who asks) and on the day (the current phase
of a startup changes at midnight). Its cache key and ETag are built from the URL, the data
version (`portfolio.models.DataChange`, one indexed query) and the date, so a change to the
data is visible on the next request, with no invalidation to forget.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_http_date_safe

from portfolio.models import DataChange

# The tables each kind of public data lives in (each app's migration tracks them).
REGISTRY = (
    "startups_organisation",
    "startups_incubator",
    "startups_startup",
    "startups_startup_sponsors",
    "startups_startup_co_incubators",
    "startups_phase",
    "startups_event",
    "startups_importcorrection",
)
IMPACT = ("startups_indicator", "startups_measurement")
MONEY = (
    "budgets_convention",
    "budgets_amendment",
    "budgets_tranche",
    "budgets_allocation",
    "budgets_commitment",
    "budgets_payment",
)
COMMITTEES = (
    "committees_committee",
    "committees_committee_incubators",
    "committees_dossier",
    "committees_decision",
)


def public_page(view=None, *, depends_on: tuple[str, ...] | None = None):
    """Serve `view` from the cache when its data has not changed; answer 304 when possible.

    `depends_on`: the tables the page shows (default: all public data). A page keyed on fewer
    tables is not rebuilt when the others change (a payment does not touch the portfolio list).
    """
    if view is None:
        return lambda actual: public_page(actual, depends_on=depends_on)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        version, changed_at = DataChange.latest(depends_on)
        today = timezone.localdate().isoformat()
        key = hashlib.sha256(f"{request.get_full_path()}|{version}|{today}".encode()).hexdigest()
        etag = f'"{key[:32]}"'
        last_modified = int(changed_at.timestamp()) if changed_at else None

        def headers(response):
            response["ETag"] = etag
            if last_modified:
                response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
            return response

        if_none_match = request.headers.get("If-None-Match")
        if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
            return headers(HttpResponseNotModified())
        if not if_none_match and last_modified:
            since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
            # Dates alone cannot see the day change: only trusted on the same day.
            if since and since >= last_modified and since >= _start_of_today():
                return headers(HttpResponseNotModified())

        cache_key = f"page:{key}"
        cached = cache.get(cache_key)
        if cached is not None:
            content, content_type = cached
            return headers(HttpResponse(content, content_type=content_type))
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            cache.set(cache_key, (response.content, response["Content-Type"]))
        return headers(response) if response.status_code == 200 else response

    return wrapper


def _start_of_today() -> int:
    now = timezone.localtime()
    return int(now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
