"""Leadership among processes on one PostgreSQL: a session-level advisory lock held on a
connection of its own. The lock goes with the connection, so a process that dies (or loses
its connection) lets another lead. SQLite runs one process, which always leads.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

log = logging.getLogger(__name__)


class LeaderLock:
    """Who may do what only one process may do at a time (`key` names the task)."""

    def __init__(self, engine: sa.Engine, *, key: int) -> None:
        self.engine = engine
        self.key = key
        self._connection: sa.Connection | None = None

    @property
    def shared(self) -> bool:
        """Whether other processes may share the database (PostgreSQL)."""
        return self.engine.dialect.name == "postgresql"

    def hold(self) -> bool:
        """Whether this process leads now: takes the lock when free, checks it when held.

        Blocking (a round trip); call it from a worker thread.
        """
        if not self.shared:
            return True
        if self._connection is not None:
            try:
                self._connection.execute(sa.text("SELECT 1"))
                self._connection.commit()
            except sa.exc.DBAPIError:
                log.warning("lost the connection that held leadership %d", self.key)
                self._drop()
            else:
                return True
        try:
            connection = self.engine.connect()
        except sa.exc.DBAPIError:
            return False
        try:
            taken = connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar_one()
            connection.commit()  # the lock is the session's; no transaction stays open
        except sa.exc.DBAPIError:
            connection.invalidate()
            connection.close()
            return False
        if not taken:
            connection.close()
            return False
        self._connection = connection
        log.info("leading task %d", self.key)
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self._connection.commit()
        except sa.exc.DBAPIError:
            pass  # the connection is gone, and the lock with it
        self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()  # never back to the pool while it may hold the lock
            connection.close()
