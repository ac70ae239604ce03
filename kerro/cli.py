"""The `kerro` command."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from pydantic import ValidationError

from api.fields import EMAIL_PATTERN
from bot.channels.terminal import TerminalChat, run
from bot.i18n import LANGUAGES
from bot.messages import TERMINAL
from dialogs.loader import SHIPPED, DialogError, Problem, load_directory, load_file
from kerro import demo as demo_data
from kerro.runtime import Runtime, build
from kerro.settings import Settings
from storage import migrate
from storage.crypto import Keyring
from storage.db import Database, DatabaseUrlError
from storage.keys import ChatKey
from storage.repositories import clients, contacts, units
from storage.repositories import staff as staff_members
from storage.tables import utc_now

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
            for e in error.errors()
        )
        raise click.ClickException(f"bad settings: {problems}") from None


def _configured(*, upgrade: bool = True) -> Settings:
    settings = _settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per timer otherwise
    try:
        if upgrade:
            migrate.upgrade(settings.effective_database_url)
    except DatabaseUrlError as error:
        raise click.ClickException(str(error)) from None
    return settings


def _runtime(*, upgrade: bool = True) -> Runtime:
    settings = _configured(upgrade=upgrade)
    try:
        return build(settings)
    except DatabaseUrlError as error:
        raise click.ClickException(str(error)) from None
    except DialogError as error:
        raise click.ClickException(f"the shipped dialogs are broken:\n{error}") from None


def _database() -> Database:
    """Just the database, for the admin commands (no dialogs, no risk screen, no bot)."""
    settings = _configured()
    try:
        return Database.from_url(settings.effective_database_url)
    except DatabaseUrlError as error:
        raise click.ClickException(str(error)) from None


def _run(runtime: Runtime, work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        try:
            return await work()
        finally:
            runtime.close()

    return asyncio.run(main())


@click.group()
@click.version_option(package_name="kerro")
def main() -> None:
    """Kerro: a gentle feedback chat for social and family services."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (KERRO_HOST).")
@click.option("--public-port", type=int, default=None, help="Public app port (KERRO_PUBLIC_PORT).")
@click.option("--staff-port", type=int, default=None, help="Staff app port (KERRO_STAFF_PORT).")
@click.option(
    "--telegram-polling", is_flag=True, help="Get Telegram updates by long polling (a laptop)."
)
def serve(
    host: str | None, public_port: int | None, staff_port: int | None, telegram_polling: bool
) -> None:
    """Apply pending migrations and run the public and the staff app."""
    from kerro.server import run_event_loop
    from kerro.server import serve as serve_apps

    runtime = _runtime()
    settings = runtime.settings
    run_event_loop(
        serve_apps(
            runtime,
            host=host or settings.host,
            public_port=public_port or settings.public_port,
            staff_port=staff_port or settings.staff_port,
            telegram_polling=telegram_polling,
        )
    )


@main.command()
@click.argument("dialog", type=click.Choice(SHIPPED))
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Language (default fi).")
@click.option("--anonymous", is_flag=True, help="Answer anonymously.")
@click.option("--unit", "unit_code", default=None, help="The unit's code (default: demo).")
@click.option("--client", "case_ref", default=None, help="Answer as this client (case reference).")
def chat(
    dialog: str, lang: str | None, anonymous: bool, unit_code: str | None, case_ref: str | None
) -> None:
    """Have a conversation in the terminal. Answers are stored like any channel's."""
    runtime = _runtime()
    interactive = sys.stdin.isatty() and sys.stdout.isatty()

    def read_line() -> str | None:
        try:
            line = input("> ") if interactive else sys.stdin.readline()
        except EOFError:
            return None
        if not interactive and line == "":
            return None
        return line.rstrip("\n")

    code = unit_code or demo_data.DEMO_UNIT
    terminal = TerminalChat(runtime.service, sys.stdout, interactive, language=lang)
    try:
        with runtime.database.transaction() as session:
            unit = units.unit_by_code(session, code=code)
            if unit is None and unit_code is None:
                unit = demo_data.ensure_demo_unit(session)
            if unit is None or unit.id is None:
                raise click.ClickException(f"no unit has the code {code!r}; see `kerro unit add`")
            if case_ref is not None:
                client = clients.client_by_ref(session, unit_id=unit.id, case_ref=case_ref)
                if client is None or client.id is None:
                    raise click.ClickException(f"unit {code!r} has no client {case_ref!r}")
                contacts.link_contact(
                    session,
                    chat=ChatKey(TERMINAL, terminal.address_hmac),
                    client_id=client.id,
                    language=lang or client.language,
                    now=runtime.service.clock(),
                )
    except click.ClickException:
        runtime.close()
        raise

    async def work() -> bool:
        return await run(
            terminal,
            dialog_id=dialog,
            unit_code=code,
            anonymous=True if anonymous else None,
            read_line=read_line,
        )

    if not _run(runtime, work):
        click.echo(
            "The input ended before the conversation did; the answers so far are saved.", err=True
        )
        sys.exit(1)


@main.group()
def dialogs() -> None:
    """Dialog definitions."""


@dialogs.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def dialogs_check(files: tuple[Path, ...]) -> None:
    """Validate dialog files (default: the shipped ones); exit 1 with file:line errors."""
    try:
        if files:
            problems: list[Problem] = []
            for path in files:
                try:
                    load_file(path)
                except DialogError as error:
                    problems.extend(error.problems)
            if problems:
                raise DialogError(problems)
            count = len(files)
        else:
            count = len(load_directory())
    except DialogError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    click.echo(f"{count} dialog file(s) are valid.")


@main.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations."""
    settings = _settings()
    try:
        migrate.upgrade(settings.effective_database_url)
    except DatabaseUrlError as error:
        raise click.ClickException(str(error)) from None
    click.echo("The database is up to date.")


@main.group()
def unit() -> None:
    """Units."""


def _email(value: str | None) -> str | None:
    if value is not None and (len(value) > 254 or not re.match(EMAIL_PATTERN, value)):
        raise click.ClickException(f"not an e-mail address: {value!r}")
    return value


@unit.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--on-call", "on_call", default=None, help="E-mail for anonymous flags' alerts.")
def unit_add(code: str, name: str, on_call: str | None) -> None:
    """Add a unit with a short CODE (used in links) and a NAME."""
    if not demo_data.UNIT_CODE.match(code):
        raise click.ClickException("a unit code is 1-64 letters, digits, _ or -")
    _email(on_call)
    database = _database()
    try:
        with database.transaction() as session:
            added = units.add_unit(session, code=code, name=name, now=utc_now())
            if on_call is not None:
                assert added.id is not None
                units.set_on_call(session, unit_id=added.id, email=on_call)
    except units.DuplicateError as error:
        raise click.ClickException(str(error)) from None
    finally:
        database.dispose()
    click.echo(f"Added unit {code}.")


@main.group()
def staff() -> None:
    """Staff and their tokens."""


@staff.command("add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(staff_members.ROLES), required=True, help="What they may do."
)
@click.option("--unit", "unit_codes", multiple=True, help="A unit they work in (repeatable).")
@click.option("--days", type=click.IntRange(1, 3650), default=90, help="Token lifetime in days.")
@click.option("--email", default=None, help="Where their alerts go.")
@click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None, help="Language of alerts (default fi)."
)
def staff_add(
    name: str,
    role: str,
    unit_codes: tuple[str, ...],
    days: int,
    email: str | None,
    lang: str | None,
) -> None:
    """Add a member of staff; prints their personal token once, on the last line."""
    if not name.strip() or len(name) > 100:
        raise click.ClickException("a name is 1-100 characters")
    _email(email)
    if role != "admin" and not unit_codes:
        raise click.ClickException("a caseworker or coordinator needs at least one --unit")
    database = _database()
    now = utc_now()
    try:
        with database.transaction() as session:
            unit_ids: list[int] = []
            for code in unit_codes:
                found = units.unit_by_code(session, code=code)
                if found is None or found.id is None:
                    raise click.ClickException(f"no unit has the code {code!r}")
                unit_ids.append(found.id)
            member = staff_members.add_staff(
                session, name=name, role=role, unit_ids=unit_ids, now=now
            )
            assert member.id is not None
            if email is not None or lang is not None:
                staff_members.set_contact(session, staff_id=member.id, email=email, language=lang)
            token, _ = staff_members.issue_token(
                session, staff_id=member.id, now=now, lifetime=dt.timedelta(days=days)
            )
    except staff_members.StaffError as error:
        raise click.ClickException(str(error)) from None
    finally:
        database.dispose()
    click.echo(f"Added {role} {name}. Their token (shown only now, valid {days} days):")
    click.echo(token)


@staff.command("token")
@click.argument("name")
@click.option("--days", type=click.IntRange(1, 3650), default=90, help="Token lifetime in days.")
@click.option("--revoke-others", is_flag=True, help="Revoke their earlier tokens.")
def staff_token(name: str, days: int, revoke_others: bool) -> None:
    """Give a member of staff a new token; prints it once, on the last line."""
    database = _database()
    now = utc_now()
    try:
        with database.transaction() as session:
            member = staff_members.staff_by_name(session, name=name)
            if member is None or member.id is None:
                raise click.ClickException(f"no member of staff is called {name!r}")
            if revoke_others:
                staff_members.revoke_all(session, staff_id=member.id, now=now)
            token, _ = staff_members.issue_token(
                session, staff_id=member.id, now=now, lifetime=dt.timedelta(days=days)
            )
    finally:
        database.dispose()
    click.echo(f"A new token for {name} (shown only now, valid {days} days):")
    click.echo(token)


@staff.command("revoke")
@click.argument("name")
def staff_revoke(name: str) -> None:
    """Revoke every token of a member of staff."""
    database = _database()
    try:
        with database.transaction() as session:
            member = staff_members.staff_by_name(session, name=name)
            if member is None or member.id is None:
                raise click.ClickException(f"no member of staff is called {name!r}")
            count = staff_members.revoke_all(session, staff_id=member.id, now=utc_now())
    finally:
        database.dispose()
    click.echo(f"Revoked {count} token(s) of {name}.")


@main.command()
def demo() -> None:
    """Add a demo organisation: five units with caseworkers, clients, goals and a year of
    answers, and a coordinator; prints a new token of the coordinator for the staff API (safe
    to repeat: the data is added once)."""
    settings = _settings()
    database = _database()
    staff_url = f"http://{settings.host}:{settings.staff_port}"
    try:
        keyring = Keyring(settings.secret())
        with database.transaction() as session:
            summary = demo_data.ensure_demo(session, keyring=keyring, staff_url=staff_url)
    finally:
        database.dispose()
    click.echo(summary)


@main.group()
def i18n() -> None:
    """Translation catalogs (for developers working in a source checkout)."""


@i18n.command("update")
def i18n_update() -> None:
    """Extract msgids from the sources and merge them into locales/*/LC_MESSAGES/kerro.po."""
    from kerro import i18n as catalogs

    added = catalogs.update()
    click.echo(f"{len(added)} new msgid(s); translate them in the .po files.")


@i18n.command("check")
def i18n_check() -> None:
    """Exit 1 when a catalog is out of date or lacks a translation."""
    from kerro import i18n as catalogs

    problems = catalogs.check_catalogs()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("The catalogs are complete and up to date.")


if __name__ == "__main__":  # pragma: no cover
    main()
