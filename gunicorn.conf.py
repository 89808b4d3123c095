"""gunicorn settings, read by `gunicorn portfolio.wsgi` (Procfile, Dockerfile, make bench)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Persistent database connections live in the worker: keep workers, recycle slowly against leaks.
# A recycled worker starts with an empty page cache and builds again every page it serves
# (the API at 6 620 startups: 0.5 s; 200 startup pages: 4 s): under the mixed load of
# `make bench`, one recycle raised p99 from 0.27 s to 2.4 s. Memory is bounded otherwise (the
# page cache by CACHE_MAX_BYTES, freed memory given back after large bodies), so recycling is
# only a guard against a leak of a library: rare, and staggered by the jitter.
max_requests = 500_000
max_requests_jitter = 50_000
timeout = 30
accesslog = "-"
# One line per request with its duration in milliseconds.
access_log_format = 'method=%(m)s path="%(U)s" status=%(s)s duration_ms=%(M)s bytes=%(B)s ip=%(h)s'


def post_worker_init(worker):
    """Each worker requests a few typical pages of its own before it takes any (portfolio.warmup)."""
    from portfolio.warmup import warm_up

    warm_up(worker.wsgi)


def worker_exit(server, worker):
    """Log what the worker's page cache held (bytes, entries) as it exits: the cache lives in
    the worker's memory, so no other process can read it. `make bench` prints these lines."""
    if worker.pid != os.getpid():
        return  # called by the arbiter for a worker already gone: nothing to read here
    from django.core.cache import caches

    cache = caches["default"]
    used = getattr(cache, "bytes_used", None)
    if used is not None:
        server.log.info(
            "Cache des pages du worker %s à sa sortie : %d octets en %d entrées (borne %d)",
            worker.pid,
            used,
            cache.entries(),
            cache.max_bytes,
        )
