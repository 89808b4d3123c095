"""Public pages: conditional GET and a server-side cache keyed on the version of the data.

A public page depends only on the data (never on who asks) and on the day (the current phase
of a startup changes at midnight). Its ETag, and the state its cached body was built in, come
from the address, the data version of the tables it shows (`publishing.models.DataChange`) and
the date, so a change to the data shows without any invalidation to forget.
"""

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import lru_cache, wraps

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from publishing.maintenance import LARGE_BODY, give_back_freed_memory
from publishing.models import DataChange


def public_page(
    view=None,
    *,
    depends_on: tuple[str, ...] | None = None,
    params: tuple[str, ...] = (),
    revalidate: dict[str, str] | None = None,
):
    """Serve `view` from the cache when its data has not changed; answer 304 when possible.

    `depends_on`: the apps whose data the page shows, by label (default: all public data). A
    page keyed on fewer apps is not rebuilt when the others change (a payment does not touch
    the portfolio list). Naming apps rather than importing them keeps this floor free of any
    domain: each app's migrations say which of its tables announce their writes.

    `params`: the query parameters the page reads. Only they are part of the cache key, in a
    canonical order, and only they reach the view (`request.GET` holds nothing else), so that
    `?z=1`, `?z=2`… are one page, not one cached body each, and the key always names
    everything the body was built from.

    `revalidate`: {app label: fingerprint name} for apps the page shows only a small part of
    (a startup's page shows its own money, not the others'). When only such an app's data
    changed since the body was built, the fingerprint registered under that name
    (`@fingerprint`, by the app, called with the view's keyword arguments) says whether the
    part shown changed: the body is kept if not. A fingerprint must return everything the
    page shows of that app's data: the data itself, or a digest of every row it is computed
    from (whole rows: a column shown later is already in it), never a cheaper sign such as a
    count or the last id, which a correction of an amount leaves as it was.
    """
    if view is None:
        return lambda actual: public_page(
            actual, depends_on=depends_on, params=params, revalidate=revalidate
        )
    narrowed = tuple(sorted((revalidate or {}).items()))

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.GET = read_only(request.GET, params)
        if narrowed and depends_on is not None:
            # Both groups of tables in one query.
            groups = [tables_of(depends_on)] + [tables_of((label,)) for label, _ in narrowed]
            by_table = DataChange.latest_by_table(tuple(sorted({t for g in groups for t in g})))
            (version, changed_at), *others = [
                max((by_table[t] for t in group if t in by_table), default=(0, None))
                for group in groups
            ]
        else:
            version, changed_at = DataChange.latest(tables_of(depends_on))
            others = [DataChange.latest(tables_of((label,))) for label, _ in narrowed]
        narrow_versions = {}
        for (label, _), (narrow_version, at) in zip(narrowed, others, strict=True):
            narrow_versions[label] = narrow_version
            changed_at = max(changed_at, at) if changed_at and at else changed_at or at
        day = today()
        # Bodies hold absolute links (API): the host is part of what a page is.
        where = f"{request.scheme}://{request.get_host()}{request.path}?{request.GET.urlencode()}"
        state = f"{version}|{day.isoformat()}"
        # One entry per address, holding the state it was built in: a new version replaces
        # the old body instead of adding one. The cache backend bounds the bytes held
        # (publishing/cache_backend.py), whatever the number of addresses.
        cache_key = f"page:{digest(where)}"
        cached = cache.get(cache_key)
        entry = cached if cached is not None and cached[0] == state else None
        # The fingerprints the body was built with, when the narrowed apps changed since.
        prints = None
        if narrowed:
            if entry is not None and entry[3] == narrow_versions:
                prints = entry[4]
            else:
                # Read before the view runs, so that the fingerprints stored beside a body are
                # never newer than the data it was built from. A body built fresh stores them
                # too: without them, the next change of the narrowed apps rebuilt it whatever
                # it changed (under make bench's mixed load, the first payment rebuilt every
                # startup page of each worker: 400 pages, ~6 % of the workers' CPU).
                prints = fingerprints_of(narrowed, kwargs, narrow_versions)
                if entry is not None and prints is not None and prints == entry[4]:
                    entry = (state, entry[1], entry[2], narrow_versions, prints)
                    cache.set(cache_key, entry)
                else:
                    entry = None
            token = repr(prints if prints is not None else narrow_versions)
            etag = f'"{digest(where, state, token)}"'
        else:
            etag = f'"{digest(where, state)}"'
        last_modified = last_modified_of(changed_at, day)

        def headers(response):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
            return response

        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return headers(not_modified)
        if entry is not None:
            response = HttpResponse(entry[1])
            for name, value in entry[2].items():
                response[name] = value
            return headers(response)
        # What the view keeps (`kept`) is built against the version this page is keyed on.
        token = _page_versions.set({depends_on: version})
        try:
            response = view(request, *args, **kwargs)
        finally:
            _page_versions.reset(token)
        if response.status_code != 200 or response.streaming:
            return response
        kept = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        cache.set(cache_key, (state, response.content, kept, narrow_versions, prints))
        if len(response.content) >= LARGE_BODY:
            give_back_freed_memory()
        return headers(response)

    # Read by the tests that walk every cached page (functools.wraps carries it outwards).
    wrapper.cached_params = tuple(sorted(params))
    return wrapper


_fingerprints: dict[str, Callable[..., str]] = {}


def fingerprint(name: str):
    """Register `function(**view_kwargs) -> str` as the fingerprint `name`, for
    `public_page(revalidate=...)`: what a page shows of its app's data. Registered by the app
    that owns the data, named by the page that shows it (no import upwards)."""

    def register(function):
        _fingerprints[name] = function
        return function

    return register


def fingerprints_of(
    narrowed: tuple[tuple[str, str], ...], kwargs: dict, versions: dict[str, int] | None = None
) -> tuple | None:
    """The fingerprints of a page, or None when one is not registered in this process yet
    (the body is then rebuilt, never kept on trust). `versions`: {app label: the data version
    the page saw}, which `version_seen` tells the fingerprints."""
    functions = [_fingerprints.get(name) for _, name in narrowed]
    if None in functions:
        return None
    token = _seen_versions.set(versions)
    try:
        return tuple(function(**kwargs) for function in functions)
    finally:
        _seen_versions.reset(token)


# The narrowed apps' data versions of the page whose fingerprints are being read.
_seen_versions: ContextVar[dict[str, int] | None] = ContextVar("seen_versions", default=None)


def version_seen(label: str) -> int | None:
    """Inside a fingerprint: the version of app `label`'s data the page saw, None elsewhere.

    A fingerprint that keeps what it reads (once per version, for every page) must not answer
    from a value read before this version: the page would keep a body its data has left, and,
    its entry now stored under this version, never ask again until the next write."""
    return (_seen_versions.get() or {}).get(label)


KEPT_HEADERS = ("Content-Type", "Content-Disposition")

# The data version of the page being built, by `depends_on`: read once per page.
_page_versions: ContextVar[dict | None] = ContextVar("page_versions", default=None)


def kept[T](name: str, build: Callable[[], T], *, depends_on: tuple[str, ...] | None = None) -> T:
    """What `build()` returns, built once per version of the data of the apps `depends_on`
    (default: all public data) and per day, then kept in the page cache under `name`.

    For the parts of a page that many pages share and that cost more to build than to look up
    (the choices of the portfolio's filters, each filter's HTML): a page built fresh reuses
    them. `name` must say everything the value is built from besides the data and the day.
    Inside a page with the same `depends_on`, the version is the one the page is keyed on (no
    query); elsewhere, `DataChange.latest` (remembered PUBLIC_DATA_VERSION_TTL seconds).
    """
    return kept_many({name: name}, lambda names: {name: build()}, depends_on=depends_on)[name]


def kept_many[K, T](
    names: dict[K, str],
    build: Callable[[list[K]], dict[K, T]],
    *,
    depends_on: tuple[str, ...] | None = None,
) -> dict[K, T]:
    """`kept` for many values at once ({key: name}): one lookup for them all, and one call of
    `build(keys not kept)` -> {key: value} for the others (each then kept under its name).
    For what every page of a list shows one of (a startup's card): built once, whatever list,
    filter or search shows it next."""
    state = _data_state(depends_on)
    cache_keys = {key: f"kept:{digest(name)}" for key, name in names.items()}
    found = cache.get_many(cache_keys.values())
    values, missing = {}, []
    for key, cache_key in cache_keys.items():
        cached = found.get(cache_key)
        if cached is not None and cached[0] == state:
            values[key] = cached[1]
        else:
            missing.append(key)
    if missing:
        built = build(missing)
        cache.set_many({cache_keys[key]: (state, value) for key, value in built.items()})
        values.update(built)
    return values


def held[T](name: str, build: Callable[[], T], *, depends_on: tuple[str, ...] | None = None) -> T:
    """`kept`, held in this process as `build()` returned it: neither pickled nor copied.

    For the few values that every page reads and that no page changes, and which cost more to
    copy out of the cache than to use: the filters' choices (~350 pairs, read by the form's
    fields as they are). One entry per `name`, replaced at each version of the data."""
    state = _data_state(depends_on)
    entry = _held.get(name)
    if entry is None or entry[0] != state:
        entry = _held[name] = (state, build())
    return entry[1]


_held: dict[str, tuple[str, object]] = {}


def forget_held() -> None:
    """Empty what `held` holds (the tests, which empty the cache, start from nothing)."""
    _held.clear()


def _data_state(depends_on: tuple[str, ...] | None) -> str:
    """The data version of the apps `depends_on`, and the day: what a kept value is built in.
    Inside a page with the same `depends_on`, the version the page is keyed on (no query)."""
    version = (_page_versions.get() or {}).get(depends_on)
    if version is None:
        version, _ = DataChange.latest(tables_of(depends_on))
    return f"{version}|{today().isoformat()}"


def read_only(query: QueryDict, params: tuple[str, ...]) -> QueryDict:
    """The parameters of `query` named in `params`, sorted by name (each one's values kept in
    their order: the last one is what `get` answers)."""
    kept = QueryDict(mutable=True)
    for name in sorted(params):
        if name in query:
            kept.setlist(name, query.getlist(name))
    return QueryDict(kept.urlencode())


@lru_cache
def tables_of(labels: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The database tables of the apps labelled `labels` (their many-to-many tables included),
    or None for every table."""
    if labels is None:
        return None
    return tuple(
        model._meta.db_table
        for label in labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )


def today():
    return timezone.localdate()


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def last_modified_of(changed_at: datetime | None, day: date, now: datetime | None = None) -> int:
    """When a page last changed: the last write, but not before midnight of `day` (local
    midnight, Europe/Paris), since the current phase of a startup changes with the date alone.

    The write's time comes from the database server's clock (`now()` in the trigger), which
    may run ahead of the application's: it is clamped to the application's `now`, so that
    Last-Modified is never in the future (RFC 9110 § 8.8.2). Unclamped, a write dated 00:05
    by a clock ahead would keep the Last-Modified served at 23:59 current after midnight, and
    a client holding it would be answered 304 with yesterday's current phase.
    """
    midnight = timezone.make_aware(datetime.combine(day, time.min))
    if changed_at is None:
        return int(midnight.timestamp())
    changed_at = min(changed_at, now or timezone.now())
    return int(max(changed_at, midnight).timestamp())
