"""Engine steps per second on a full youth check-in, beside a JSON round-trip of the state.

The baseline is the work the service does around every step anyway (the state to JSON and
back), so the ratio says how the engine's own cost compares with it.

    .venv/bin/python -m bench.engine
"""

from __future__ import annotations

import json
import time

from dialogs import engine
from dialogs.loader import load_directory
from dialogs.model import Answer, Event, Goal, Start, State

GOALS = (Goal(1, "Going to school"), Goal(2, "Sleeping enough"), Goal(3, "Seeing friends"))
ANSWERS = ["4", "3", "2", "5", "1", "0", "-1", "Nothing more, thanks"]
ROUNDS = 5
CONVERSATIONS = 3000


def _events() -> list[Event]:
    return [Start(goals=GOALS, anonymous=False), *map(Answer, ANSWERS)]


def engine_run() -> tuple[int, float]:
    dialog = load_directory()["youth_checkin"]
    events = _events()
    steps = 0
    started = time.perf_counter()
    for _ in range(CONVERSATIONS):
        state = engine.start(dialog)
        for event in events:
            state, _ = engine.step(dialog, state, event)
            steps += 1
        assert state.finished
    return steps, time.perf_counter() - started


def baseline_run() -> tuple[int, float]:
    dialog = load_directory()["youth_checkin"]
    state = engine.start(dialog)
    for event in _events()[:4]:
        state, _ = engine.step(dialog, state, event)
    rounds = CONVERSATIONS * len(_events())
    started = time.perf_counter()
    for _ in range(rounds):
        state = State.from_json(json.loads(json.dumps(state.to_json())))
    return rounds, time.perf_counter() - started


def main() -> None:
    engine_rates, baseline_rates = [], []
    for _ in range(ROUNDS):  # alternate, so that noise hits both alike
        steps, seconds = engine_run()
        engine_rates.append(steps / seconds)
        rounds, seconds = baseline_run()
        baseline_rates.append(rounds / seconds)
    engine_best, baseline_best = max(engine_rates), max(baseline_rates)
    print(f"engine: {engine_best:,.0f} steps/s (best of {ROUNDS}; full youth check-in, 3 goals)")
    print(f"baseline, state JSON round-trip: {baseline_best:,.0f}/s (best of {ROUNDS})")
    print(f"ratio: engine step = {baseline_best / engine_best:.2f} state round-trips")


if __name__ == "__main__":
    main()
