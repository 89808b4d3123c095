"""A new worker serves its first pages as fast as the next ones (gunicorn.conf.py,
post_worker_init).

A worker's first requests import the URL configuration and its views (the API's OpenAPI
document, icalendar), compile the templates and the queries, and prepare the statements on
its database connection: ~0.6 s of CPU before its first startup page (measured on the real
corpus), paid by the first visitors after each deploy or restart, and, at 662 startups, as much
as a tenth of building every startup page once. The worker requests a few typical pages of its
own before it takes any, then forgets them: its page cache starts without pages, with the
parts they share.
"""

import io
import logging
import sys

from django.conf import settings
from django.core.cache import caches
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def warm_up(application) -> list[tuple[str, str]]:
    """Requests the pages through `application` (the worker's WSGI application); gives
    (path, status) of each."""
    try:
        from startups.models import Startup

        first = Startup.objects.order_by("pk").values_list("pk", flat=True).first()
    except Exception as exc:  # noqa: BLE001 - a worker starts even with its database down
        # Each page would wait for the database again (up to connect_timeout): the URL
        # configuration only, which needs none.
        logger.warning("Préchauffage du worker sans base de données : %s", exc)
        get_resolver().url_patterns  # noqa: B018 - imports every view
        return []
    paths = ["/healthz", "/startups/", "/startups/?q=service"]
    if first is not None:
        paths.append(Startup(pk=first).get_absolute_url())
    answered = []
    for path in paths:
        status = _get(application, path)
        if not status.startswith("200"):
            logger.warning("Préchauffage du worker : %s a répondu %s", path, status)
        answered.append((path, status))
    # The pages only, built for addresses of the warm-up's own: never the rate-limit counters
    # ("throttle"), which a restart must not reset if they were shared. What every page shares
    # stays, built for the data as it is (`kept`: the filters' HTML, cards): the first search
    # of each worker rendered the whole filter form again (~0.1 s).
    caches["default"].delete_prefixed("page:")
    return answered


def _get(application, url: str) -> str:
    path, _, query = url.partition("?")
    host = _host(settings.ALLOWED_HOSTS)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.encode().decode("latin-1"),  # WSGI: the bytes of the path, as latin-1
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "HTTP_HOST": host,
        "HTTP_ACCEPT_ENCODING": "gzip",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https",  # as behind the TLS proxy: no redirect to HTTPS
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    answered = []
    try:
        b"".join(
            application(environ, lambda status, headers, exc_info=None: answered.append(status))
        )
    except Exception as exc:  # noqa: BLE001 - a failed warm-up never stops the worker
        return f"une erreur ({exc!r})"
    return answered[0] if answered else "rien"


def _host(allowed: list[str]) -> str:
    """A host name ALLOWED_HOSTS accepts: a plain one first, else a domain (".gouv.fr")."""
    plain = [host for host in allowed if host != "*" and not host.startswith(".")]
    domains = [host.removeprefix(".") for host in allowed if host.startswith(".")]
    return (plain + domains + ["localhost"])[0]
