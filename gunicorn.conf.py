"""gunicorn settings, read by `gunicorn portfolio.wsgi` (Procfile, Dockerfile, make bench)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Persistent database connections live in the worker: keep workers, recycle slowly against leaks.
max_requests = 20_000
max_requests_jitter = 2_000
timeout = 30
accesslog = "-"
# One line per request with its duration in milliseconds.
access_log_format = 'method=%(m)s path="%(U)s" status=%(s)s duration_ms=%(M)s bytes=%(B)s ip=%(h)s'
