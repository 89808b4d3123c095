"""Turns a database outage into a 503 page instead of a traceback."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError

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
