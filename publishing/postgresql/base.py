"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django checks a kept connection before the first query of each
request, by running `SELECT 1`: a round trip of its own on every page built fresh (one query in
six of a startup page, for nothing the page shows). This check reads the socket instead.
Between requests no query is in flight, so anything the server sent since is its farewell: the
FATAL error of a terminated session (pg_terminate_backend, a restart, idle_session_timeout),
then the end of the stream. A connection psycopg already knows closed or broken is unusable
too. Found readable for another reason (an asynchronous notice), a connection is closed and
opened again: one reconnection, never an error. What neither check sees, a peer gone silent
without a packet back, fails the request, where `SELECT 1` would have waited for the TCP
timeout.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        # poll, not select: select refuses a descriptor above 1 024, which would have made
        # every connection look unusable, and every request open a new one.
        waiting = select.poll()
        try:
            waiting.register(connection.fileno(), select.POLLIN)
            return not waiting.poll(0)  # POLLIN, or POLLHUP/POLLERR: the server left
        except (OSError, ValueError):  # the socket itself is gone
            return False
