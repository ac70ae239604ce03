"""Dialect facts shared by the repositories."""

from __future__ import annotations

from sqlmodel import Session


def is_postgresql(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"
