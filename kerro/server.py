"""`kerro serve`: the public and the staff app on two ports, in one process.

SIGTERM and SIGINT stop both servers gracefully: they stop accepting, finish the requests
under way, and run the apps' shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Coroutine, Generator
from typing import Any, TypeVar

import uvicorn

from bot import alert_coverage
from kerro.runtime import Runtime
from storage.repositories import units

log = logging.getLogger("kerro")
T = TypeVar("T")


def run_event_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on uvloop where it is installed (a dependency on Linux and macOS)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - e.g. on Windows
        factory = None
    else:
        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)


def settle_heap() -> None:
    """After start-up: what was built so far lives as long as the process, so the garbage
    collector need not walk it again on every collection."""
    gc.collect()
    gc.freeze()


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # Signals are handled once, for both servers, in serve() below.
        yield


SWEEP_EVERY = 60.0


async def sweep_forever(runtime: Runtime, *, every: float = SWEEP_EVERY) -> None:
    """Forget expired conversations and old update claims, once a minute."""
    while True:
        try:
            removed = await runtime.service.sweep()
        except Exception:  # the database may be away for a while; try again later
            log.warning("sweeping expired conversations failed", exc_info=True)
        else:
            if removed:
                log.info("forgot %d expired conversation(s)", removed)
        await asyncio.sleep(every)


async def start_telegram(runtime: Runtime, *, polling: bool) -> list[asyncio.Task[None]]:
    """The outbox sender, and updates by webhook (KERRO_PUBLIC_URL) or long polling."""
    telegram = runtime.telegram
    if telegram is None:
        if polling:
            log.warning("--telegram-polling needs KERRO_TELEGRAM_TOKEN; Telegram is off")
        return []
    from bot.channels.telegram.setup import ALLOWED_UPDATES, register_commands, register_webhook

    tasks = [asyncio.create_task(telegram.sender.run_forever())]
    settings = runtime.settings
    try:
        await register_commands(telegram.bot, runtime.translations)
        if polling:
            await telegram.bot.delete_webhook()
        elif settings.public_url and telegram.secret:
            await register_webhook(
                telegram.bot, public_url=settings.public_url, secret=telegram.secret
            )
    except Exception as error:  # Telegram unreachable: serve anyway, the sender retries
        log.warning("could not set up the bot with Telegram (%s)", type(error).__name__)
    if polling:
        tasks.append(
            asyncio.create_task(
                telegram.dispatcher.start_polling(
                    telegram.bot, handle_signals=False, allowed_updates=ALLOWED_UPDATES
                )
            )
        )
    return tasks


async def warn_of_alert_gaps(runtime: Runtime) -> list[str]:
    """Log a warning for each way a flag could alert nobody (no channel, no on-call address)."""
    channels = frozenset(runtime.alerts.channels)
    found = await runtime.database.run(
        lambda session: alert_coverage.warnings(channels, units.list_units(session))
    )
    for warning in found:
        log.warning("alerts: %s", warning)
    return found


async def serve(
    runtime: Runtime,
    *,
    host: str,
    public_port: int,
    staff_port: int,
    telegram_polling: bool = False,
) -> None:
    servers = [
        _Server(
            uvicorn.Config(
                app, host=host, port=port, access_log=False, log_config=None, lifespan="on"
            )
        )
        for app, port in ((runtime.public_app(), public_port), (runtime.staff_app(), staff_port))
    ]

    def stop() -> None:
        log.info("stopping")
        for server in servers:
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    log.info(
        "public app on http://%s:%d, staff app on http://%s:%d", host, public_port, host, staff_port
    )
    await warn_of_alert_gaps(runtime)
    background = [
        asyncio.create_task(sweep_forever(runtime)),
        asyncio.create_task(runtime.alerts.run_forever()),
    ]
    background += await start_telegram(runtime, polling=telegram_polling)
    await runtime.scheduler.start()
    settle_heap()
    try:
        await asyncio.gather(*(server.serve() for server in servers))
    finally:
        runtime.scheduler.stop()
        for task in background:
            task.cancel()
        for task in background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await runtime.aclose()
