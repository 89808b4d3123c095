"""A per-process cache bounded in bytes, not only in entries.

Django's LocMemCache caps the number of entries (MAX_ENTRIES): with pages of 4 MB, 3 000
entries are 12 GB. This one also counts what it holds (each pickled value plus its key) and
evicts the least recently used entries until the total is under MAX_BYTES. An entry larger
than MAX_BYTES on its own is not kept. Python's own overhead per entry (a few hundred bytes)
is not counted: MAX_ENTRIES still bounds it.

Values from 1 KiB to 1 MiB are held compressed (zlib, level 1): HTML and JSON shrink five to
ten times, so the same bound holds that many more pages, and a worker's memory stays low. It
costs ~0.5 ms when a page is stored (a build costs 5 to 50 ms) and ~0.07 ms each time one is
served. Larger values (the API bodies of several MB) are held as they are: inflating 3.4 MB
takes ~8 ms, more than sending it.

Counters live next to LocMemCache's module-level stores, per cache name, so every thread's
instance of the backend sees the same total.
"""

import pickle
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

DEFAULT_MAX_BYTES = 32 * 2**20
COMPRESSED_SIZES = range(2**10, 2**20 + 1)
# A pickle (protocol >= 2) starts with the PROTO opcode; a zlib stream never does.
PICKLE_START = pickle.PROTO[0]


def packed(pickled: bytes) -> bytes:
    if len(pickled) in COMPRESSED_SIZES:
        return zlib.compress(pickled, 1)
    return pickled


def unpacked(stored: bytes) -> bytes:
    return stored if stored[0] == PICKLE_START else zlib.decompress(stored)


_sizes: dict[str, dict[str, int]] = {}
_totals: dict[str, list[int]] = {}


class BoundedLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self.max_bytes = int(options.get("MAX_BYTES", DEFAULT_MAX_BYTES))
        self._sizes = _sizes.setdefault(name, {})
        self._total = _totals.setdefault(name, [0])

    def validate_key(self, key):
        """No check: Django's warns about keys memcached would refuse, character by character
        (a fifth of looking up a list's 48 cards). This cache lives in the process, never in
        memcached, and its keys are the app's own (`page:` or `kept:` and a hex digest)."""

    @property
    def bytes_used(self) -> int:
        """Bytes held: the pickled values and their keys."""
        return self._total[0]

    def entries(self) -> int:
        return len(self._cache)

    # Every write of the parent goes through _set, and every removal through _delete or _cull
    # (both called under self._lock), except incr and clear, overridden below.
    def _set(self, key, value, timeout=DEFAULT_TIMEOUT):
        value = packed(value)
        size = len(key) + len(value)
        self._forget(key)
        if size > self.max_bytes:
            return
        super()._set(key, value, timeout)
        self._sizes[key] = size
        self._total[0] += size
        while self._total[0] > self.max_bytes:
            # The OrderedDict keeps the most recently used entry first: pop from the end.
            oldest, _ = self._cache.popitem()
            self._expire_info.pop(oldest, None)
            self._total[0] -= self._sizes.pop(oldest, 0)

    def _forget(self, key) -> None:
        if key in self._cache:
            del self._cache[key]
            self._expire_info.pop(key, None)
        self._total[0] -= self._sizes.pop(key, 0)

    def _delete(self, key):
        found = super()._delete(key)
        self._total[0] -= self._sizes.pop(key, 0)
        return found

    def _cull(self):
        super()._cull()
        for key in [key for key in self._sizes if key not in self._cache]:
            self._total[0] -= self._sizes.pop(key)

    def get(self, key, default=None, version=None):
        # LocMemCache.get, reading values as _set stores them.
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            stored = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return pickle.loads(unpacked(stored))  # noqa: S301 (what _set stored, as LocMemCache)

    def incr(self, key, delta=1, version=None):
        # The parent replaces the pickled value in place (a number: never compressed, see
        # COMPRESSED_SIZES): count the new size.
        value = super().incr(key, delta, version)
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if key in self._cache:
                size = len(key) + len(self._cache[key])
                self._total[0] += size - self._sizes.get(key, 0)
                self._sizes[key] = size
        return value

    def delete_prefixed(self, prefix: str) -> None:
        """Remove every entry whose key (as given to `set`) starts with `prefix`."""
        made = self.make_key(prefix)
        with self._lock:
            for key in [key for key in self._cache if key.startswith(made)]:
                self._delete(key)

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes.clear()
            self._total[0] = 0
