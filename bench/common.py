"""Shared benchmark helpers: timing, temporary databases, reporting."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from storage import migrate

POSTGRES = os.environ.get("KERRO_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Rate:
    name: str
    count: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def line(self) -> str:
        if not self.latencies:
            return f"{self.name}: {self.per_second:,.0f}/s ({self.count} in {self.seconds:.2f} s)"
        return (
            f"{self.name}: {self.per_second:,.0f}/s, p50 {self.percentile(0.5):.2f} ms, "
            f"p99 {self.percentile(0.99):.2f} ms ({self.count} in {self.seconds:.2f} s)"
        )


async def timed(name: str, count: int, work: Callable[[int], Awaitable[None]]) -> Rate:
    latencies: list[float] = []
    started = time.perf_counter()
    for index in range(count):
        before = time.perf_counter()
        await work(index)
        latencies.append(time.perf_counter() - before)
    return Rate(name, count, time.perf_counter() - started, latencies)


def median_rate(rates: list[Rate]) -> Rate:
    """The run with the median rate, of several alternating runs."""
    return sorted(rates, key=lambda r: r.per_second)[len(rates) // 2]


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, dropped afterwards."""
    base = make_url(POSTGRES)
    name = f"kerro_bench_{secrets.token_hex(4)}"
    options = {
        "host": base.host or "127.0.0.1",
        "port": base.port or 5432,
        "user": base.username,
        "dbname": base.database,
        "autocommit": True,
    }
    with psycopg.connect(**options) as admin:  # type: ignore[arg-type]
        admin.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(**options) as admin:  # type: ignore[arg-type]
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database(directory: Path) -> Iterator[str]:
    url = f"sqlite:///{directory / f'bench-{secrets.token_hex(4)}.db'}"
    migrate.upgrade(url)
    yield url


def ratio_line(name: str, measured: float, baseline: float, goal: float | None = None) -> str:
    ratio = measured / baseline
    verdict = (
        "" if goal is None else (" (goal met)" if ratio >= goal else f" (goal {goal:.0%} NOT met)")
    )
    return f"{name}: {ratio:.0%} of the baseline{verdict}"
