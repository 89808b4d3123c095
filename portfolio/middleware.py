"""Turns a database outage into a 503 page instead of a traceback; refuses NUL bytes in URLs."""

import logging

from django.core.exceptions import BadRequest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404

from portfolio.views import service_unavailable

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            logger.error("Base de données indisponible pour %s : %s", request.path, exception)
            return service_unavailable(request)
        return None


class RefuseNulBytesMiddleware:
    """A NUL byte (`%00`) in the path or the query string is refused before any view runs: 404
    for a path (no page's address holds one, as the `ident` converter says for public pages),
    400 for a parameter.

    PostgreSQL refuses NUL in text, so no id, code or search term of this site can hold one;
    passed on, it reached the database from the admin (`/admin/startups/startup/a%00b/change/`,
    `?startup=%00`, `?q=%00`, list filters) and raised a DataError: a 500. Every view taking
    text from the URL would have to check it; refusing it here is one rule for all of them
    (forms already refuse NUL in what is posted: Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404("Adresse invalide : elle contient un caractère nul.")
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("Paramètre invalide : il contient un caractère nul (%00).")
        return self.get_response(request)
