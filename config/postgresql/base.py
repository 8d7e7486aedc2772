"""Django's PostgreSQL backend, its connection health check made without a round trip.

With CONN_HEALTH_CHECKS, Django checks a persistent connection at the first query of each request by
running `SELECT 1` on it: one round trip to the server on every page, when most pages' own statements
take less time than that wait. A connection waiting between requests has sent nothing and expects
nothing; if the server has closed it (a restart, a failover, an idle timeout) or said why before
closing (a FATAL message), there is something to read on its socket. So: nothing to read, usable,
checked locally; something to read, Django's `SELECT 1` decides, as before. A server that vanished
without closing the socket (a network cut) is found by the request's first query instead.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        if self.connection.info.transaction_status == self.connection.info.transaction_status.IDLE:
            try:
                readable, _writable, _failed = select.select([self.connection.fileno()], [], [], 0)
            except (OSError, ValueError):
                return False
            if not readable:
                return True
        return super().is_usable()
