"""Engines and units of work for SQLite (the embedded default) and PostgreSQL.

Database work runs synchronously in a small pool of worker threads, one transaction per call
of `Database.run`. A unit of work is a handful of statements: run together on one thread they
cost one hand-over between the event loop and a thread, instead of one per statement, which
is what made an async driver several times slower here (docs/BENCHMARKS.md). SQLite gets one
worker, so its writers never wait on each other's locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

T = TypeVar("T")


class DatabaseUrlError(ValueError):
    pass


def sync_url(url: str) -> URL:
    """The driver URL: sqlite stays sqlite (pysqlite), postgresql uses psycopg 3."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as error:
        raise DatabaseUrlError(f"not a database URL: {url!r}") from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite or postgresql")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun explicitly (BEGIN IMMEDIATE, below), so that two writers
    # never deadlock on a lock upgrade.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before the answer is acknowledged (R1).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def configure_sqlite(engine: sa.Engine) -> None:
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    sa.event.listen(engine, "begin", _sqlite_begin)


_DEFERRED = "kerro_deferred_writes"


def defer_write(connection: sa.Connection, sql: str, arguments: Any, *, many: bool) -> None:
    """Queue a write that returns nothing, to be sent before the connection's next statement
    or its commit (`send_deferred`); a rollback drops it."""
    connection.info.setdefault(_DEFERRED, []).append((sql, arguments, many))


def send_deferred(connection: sa.Connection, *, commit: bool = False) -> None:
    """Send the queued writes, in order; on PostgreSQL in one round trip (pipeline mode).

    With `commit` (the transaction is about to commit), PostgreSQL's COMMIT goes in the same
    round trip; the driver's own commit that follows then finds nothing left to do.
    """
    writes = connection.info.pop(_DEFERRED, None)
    if not writes:
        return
    dbapi = connection.dialect.loaded_dbapi
    raw = cast(Any, connection.connection.dbapi_connection)
    postgres = connection.dialect.name == "postgresql"
    batch = raw.pipeline() if postgres else contextlib.nullcontext()
    cursor = raw.cursor()
    sql = ""
    try:
        with batch:
            for sql, arguments, many in writes:
                if many:
                    cursor.executemany(sql, arguments)
                else:
                    cursor.execute(sql, arguments)
            if commit and postgres:
                sql = "COMMIT"
                raw.commit()
    except dbapi.Error as error:
        wrapped = sa.exc.DBAPIError.instance(
            sql, None, error, dbapi.Error, dialect=connection.dialect
        )
        raise cast(Exception, wrapped) from error
    finally:
        cursor.close()


def _send_before_statement(connection: sa.Connection, *_: Any) -> None:
    # Any other statement, Core or ORM, sees the deferred writes made before it.
    if _DEFERRED in connection.info:
        send_deferred(connection)


def _send_and_commit(connection: sa.Connection) -> None:
    send_deferred(connection, commit=True)


def _drop_deferred(connection: sa.Connection) -> None:
    connection.info.pop(_DEFERRED, None)


def _configure_deferred_writes(engine: sa.Engine) -> None:
    sa.event.listen(engine, "before_execute", _send_before_statement)
    sa.event.listen(engine, "commit", _send_and_commit)
    sa.event.listen(engine, "begin", _drop_deferred)
    sa.event.listen(engine, "rollback", _drop_deferred)


def create_engine(url: str, *, pool_size: int = 8) -> sa.Engine:
    parsed = sync_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            parsed, connect_args={"check_same_thread": False}, pool_size=2, max_overflow=2
        )
        configure_sqlite(engine)
    else:
        engine = sa.create_engine(
            parsed, pool_pre_ping=True, pool_size=pool_size, max_overflow=2, pool_recycle=1800
        )
    _configure_deferred_writes(engine)
    return engine


class UnitSession(Session):
    """A session for one unit of work, whose connection is looked up once per transaction.

    Repositories ask for `session.connection()` for every statement; SQLAlchemy resolves it
    anew each time, which cost more than some of the statements themselves.
    """

    _bound: sa.Connection | None = None

    def connection(
        self, bind_arguments: Any = None, execution_options: Any = None
    ) -> sa.Connection:
        if bind_arguments is not None or execution_options is not None:
            return super().connection(bind_arguments, execution_options)
        bound = self._bound
        if bound is None or bound.closed or not bound.in_transaction():
            bound = self._bound = super().connection()
        return bound


class Database:
    """An engine, its sessions and the worker threads that run units of work."""

    def __init__(self, engine: sa.Engine, *, workers: int | None = None) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        count = workers if workers is not None else (1 if self.is_sqlite else 8)
        self._executor = ThreadPoolExecutor(max_workers=count, thread_name_prefix="kerro-db")

    @classmethod
    def from_url(cls, url: str, *, workers: int | None = None) -> Database:
        return cls(create_engine(url), workers=workers)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction on the calling thread: committed at the end, rolled back on error."""
        # The deferred writes go with the commit (the engine's "commit" event).
        with UnitSession(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in one transaction on a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self._run, work))

    def _run(self, work: Callable[[Session], T]) -> T:
        with self.transaction() as session:
            return work(session)

    async def ping(self) -> bool:
        def check(session: Session) -> bool:
            session.connection().execute(sa.text("SELECT 1"))
            return True

        try:
            return await self.run(check)
        except (sa.exc.SQLAlchemyError, OSError):
            return False

    def dispose(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
