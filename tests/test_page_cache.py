"""The page cache holds one body per page and filter, never one per junk query string, and
never more bytes than its bound (finding 1 of issue 18: `?z=1`, `?z=2`… each stored 4 MB)."""

import os
import pickle
import re

import pytest
from django.core.cache import cache, caches
from django.urls import URLPattern, URLResolver, get_resolver

from publishing.cache_backend import BoundedLocMemCache
from tests.factories import OrganisationFactory, StartupFactory
from tests.factories_committees import CommitteeFactory

pytestmark = pytest.mark.django_db


def cached_routes(resolver=None, prefix=""):
    """(pattern, entry) of every route served through `publishing.caching.public_page`."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from cached_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cached_params"):
            yield prefix + str(entry.pattern), entry


@pytest.fixture
def cached_urls():
    organisation = OrganisationFactory()
    startup = StartupFactory(sponsors=[organisation])
    committee = CommitteeFactory()
    values = {
        "startup_id": startup.pk,
        "incubator_id": startup.incubator_id,
        "organisation_id": organisation.pk,
        "pk": committee.pk,
    }
    urls = []
    for pattern, _ in cached_routes():
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), pattern)
        urls.append(url.replace("\\", "").strip("^$"))
    return urls


def footprint():
    return cache.bytes_used, cache.entries()


def page_entries():
    """Bodies of pages held; the cache also keeps parts that pages share (`caching.kept`)."""
    return sum(":page:" in key for key in cache._cache)


def test_the_cache_is_the_byte_bounded_one():
    assert isinstance(caches["default"], BoundedLocMemCache)


def test_junk_query_strings_leave_the_cache_as_it_was_for_every_cached_page(client, cached_urls):
    # Every cached page and export, from the URL configuration: a new one is checked too.
    assert len(cached_urls) >= 20
    for url in cached_urls:
        response = client.get(url)
        assert response.status_code == 200, url
    before = footprint()
    assert page_entries() == len(cached_urls)

    # 1 000 distinct junk query strings, spread over every page in turn.
    for n in range(1000):
        url = cached_urls[n % len(cached_urls)]
        response = client.get(f"{url}?z={n}&utm_source=x{n}")
        assert response.status_code == 200, url
    assert footprint() == before


def test_junk_beside_a_real_filter_is_ignored_and_each_filter_value_has_its_body(client):
    StartupFactory(title="Alpha santé")
    StartupFactory(title="Beta emploi")
    alpha = client.get("/startups/?q=alpha").content.decode()
    beta = client.get("/startups/?q=beta").content.decode()
    assert "Alpha santé" in alpha and "Beta emploi" not in alpha
    assert "Beta emploi" in beta and "Alpha santé" not in beta
    assert page_entries() == 2

    # The same filters, in another order and with junk: served from the two bodies kept.
    for n in range(50):
        client.get(f"/startups/?z={n}&q=alpha")
        client.get(f"/startups/?q=beta&junk={n}")
    assert page_entries() == 2
    # Links built from the query (pagination) carry the parameters read, never the junk.
    junk = client.get("/startups/?utm_source=piege&q=alpha").content.decode()
    assert "piege" not in junk


def test_the_cache_never_holds_more_bytes_than_its_bound():
    bounded = BoundedLocMemCache(
        "test-bound", {"OPTIONS": {"MAX_BYTES": 10_000, "MAX_ENTRIES": 1000}}
    )
    bounded.clear()
    for n in range(200):
        bounded.set(f"page:{n}", b"x" * 900)
        assert bounded.bytes_used <= 10_000
    # The most recent entries are kept, the oldest evicted first.
    assert bounded.get("page:199") == b"x" * 900
    assert bounded.get("page:0") is None
    assert 9 <= bounded.entries() <= 11

    # An entry larger than the bound on its own (compressed: random bytes do not shrink) is
    # not kept, and evicts nothing.
    bounded.set("huge", os.urandom(20_000))
    assert bounded.get("huge") is None
    assert bounded.get("page:199") == b"x" * 900

    # Replacing, deleting, counting and clearing keep the total exact.
    bounded.set("page:199", b"y")
    bounded.delete("page:198")
    bounded.set("count", 1)
    bounded.incr("count", 41)
    assert bounded.get("count") == 42
    assert bounded.bytes_used == sum(len(k) + len(v) for k, v in bounded._cache.items())
    bounded.clear()
    assert bounded.bytes_used == 0 and bounded.entries() == 0


def test_pages_are_held_compressed_and_served_as_they_were():
    bounded = BoundedLocMemCache("test-compressed", {"OPTIONS": {"MAX_BYTES": 10**7}})
    bounded.clear()
    page = ('<li class="fr-card">Startup d\'État é</li>\n' * 2_000).encode()
    entry = ("1|2026-12-02", page, {"Content-Type": "text/html"}, {}, None)
    bounded.set("page:a", entry)
    assert bounded.get("page:a") == entry
    pickled = len(pickle.dumps(entry, pickle.HIGHEST_PROTOCOL))
    # Counted as held: compressed, far below the pickled size.
    assert bounded.bytes_used < pickled / 10
    assert bounded.bytes_used == sum(len(k) + len(v) for k, v in bounded._cache.items())
    # get_many and add read and write the same way.
    assert bounded.add("page:b", entry)
    assert bounded.get_many(["page:a", "page:b"]) == {"page:a": entry, "page:b": entry}


def test_small_values_and_bodies_over_a_megabyte_are_held_as_they_are():
    bounded = BoundedLocMemCache("test-raw", {"OPTIONS": {"MAX_BYTES": 10**8}})
    bounded.clear()
    body = b"[" + b'{"id": "startup", "phases": []},' * 40_000 + b"]"  # 1.3 MB of JSON
    bounded.set("api", body)
    bounded.set("count", 1)
    assert bounded.incr("count", 2) == 3
    assert bounded.get("api") == body
    raw = {key: len(value) for key, value in bounded._cache.items()}
    assert raw[bounded.make_key("api")] > len(body)  # the pickle, not compressed
    assert bounded.get("count") == 3
