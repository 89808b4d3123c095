"""A worker gives back to the system the memory freed after building a large body."""

import psutil
import pytest
from django.http import HttpResponse
from django.test import RequestFactory

import publishing.caching
import publishing.maintenance
from publishing.caching import public_page
from publishing.maintenance import LARGE_BODY, give_back_freed_memory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("size", "given_back"), [(1000, 0), (LARGE_BODY, 1)])
def test_memory_is_given_back_after_a_large_body_is_built(monkeypatch, size, given_back):
    calls = []
    monkeypatch.setattr(publishing.caching, "give_back_freed_memory", lambda: calls.append(1))
    page = public_page(depends_on=("startups",))(lambda request: HttpResponse(b"x" * size))
    request = RequestFactory().get("/page/")
    page(request)
    page(request)  # served from the cache: nothing built, nothing to give back
    assert len(calls) == given_back


@pytest.mark.skipif(publishing.maintenance._malloc_trim is None, reason="glibc seulement")
def test_freed_memory_goes_back_to_the_system():
    process = psutil.Process()
    blocks = [bytearray(4096) for _ in range(20_000)]  # 80 MB in small blocks, as rows are
    del blocks[: len(blocks) - 1]  # all freed but the last, which keeps the heap's top in use
    before = process.memory_info().rss
    give_back_freed_memory()
    assert process.memory_info().rss < before - 40 * 2**20
