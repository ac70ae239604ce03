"""Checks of Telegram's limits on what arrived at the fake Bot API: no second over the rate,
no chat sent to more often than its interval."""

from __future__ import annotations

from collections import defaultdict

from tests.support.fake_bot_api import Call


def busiest_second(calls: list[Call]) -> int:
    """The most sends that arrived within any one second."""
    times = sorted(call.at for call in calls)
    most = 0
    for index, start in enumerate(times):
        most = max(most, sum(1 for t in times[index:] if t < start + 1.0))
    return most


def shortest_chat_gap(calls: list[Call]) -> float:
    """The shortest time between two sends to one chat (infinite with one send per chat)."""
    by_chat: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        by_chat[str(call.params["chat_id"])].append(call.at)
    gaps = [
        later - earlier
        for times in by_chat.values()
        for earlier, later in zip(sorted(times), sorted(times)[1:], strict=False)
    ]
    return min(gaps, default=float("inf"))


def sends(calls: list[Call]) -> list[Call]:
    return [call for call in calls if call.method == "sendMessage"]
