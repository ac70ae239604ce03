"""A client's timeline: each wellbeing dimension, the index and the GAS T-score over time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import Session

from api import audit
from api.auth import may_read, run_as
from api.deps import PERSON_LINKED, ClientId, ContextDep, Unchecked, purpose
from api.fields import Moment
from api.problems import not_found
from dialogs.scoring import WELLBEING_DIMENSIONS, gas_t_score, gas_weight, wellbeing_index
from storage.repositories import responses
from storage.repositories.staff import Member

router = APIRouter(tags=["clients"])
GAS = "gas"


class Point(BaseModel):
    response_id: str
    at: dt.datetime
    value: float


class GasPoint(BaseModel):
    response_id: str
    at: dt.datetime
    t_score: float
    levels: dict[str, float]  # goal id -> level -2..+2


class Timeline(BaseModel):
    client_id: int
    dimensions: dict[str, list[Point]]
    index: list[Point]
    gas: list[GasPoint]


@router.get("/clients/{client_id}/timeline", openapi_extra=PERSON_LINKED)
async def timeline(
    client_id: ClientId,
    caller: Unchecked,
    context: ContextDep,
    why: Annotated[str, purpose("casework")],
    since: Moment | None = None,
    until: Moment | None = None,
) -> Timeline:
    def work(session: Session, member: Member) -> Timeline:
        client = responses.timeline_client(session, client_id=client_id)
        if client is None or not may_read(
            member, unit_id=client.unit_id, caseworker_id=client.caseworker_id
        ):
            raise not_found("client")
        weights = {goal: gas_weight(weight) for goal, weight in client.goal_weights.items()}
        rows = responses.client_scores(
            session,
            client_id=client_id,
            measures=[*WELLBEING_DIMENSIONS, GAS],
            since=since,
            until=until,
        )
        dimensions: dict[str, list[Point]] = {name: [] for name in WELLBEING_DIMENSIONS}
        by_response: dict[str, dict[str, float]] = defaultdict(dict)
        gas_by_response: dict[str, dict[int, float]] = defaultdict(dict)
        started: dict[str, dt.datetime] = {}
        for response_id, at, measure, goal_id, number in rows:
            started[response_id] = at
            if measure == GAS:
                if goal_id is not None and -2 <= number <= 2:
                    gas_by_response[response_id][goal_id] = number
            elif 1 <= number <= 5:
                dimensions[measure].append(Point(response_id=response_id, at=at, value=number))
                by_response[response_id][measure] = number
        index: list[Point] = []
        for response_id, scores in by_response.items():
            value = wellbeing_index(scores.values())
            if value is not None:
                index.append(Point(response_id=response_id, at=started[response_id], value=value))
        gas: list[GasPoint] = []
        for response_id, levels in gas_by_response.items():
            goal_ids = list(levels)
            t_score = gas_t_score(
                [levels[g] for g in goal_ids], [weights.get(g, 1.0) for g in goal_ids]
            )
            if t_score is not None:
                gas.append(
                    GasPoint(
                        response_id=response_id,
                        at=started[response_id],
                        t_score=round(t_score, 2),
                        levels={str(g): levels[g] for g in goal_ids},
                    )
                )
        audit.record(
            session,
            member,
            action="client.timeline",
            target=f"client/{client_id}/timeline?since={since or ''}&until={until or ''}",
            purpose=why,
            client_ids=[client_id],
            now=context.clock(),
        )
        return Timeline(client_id=client_id, dimensions=dimensions, index=index, gas=gas)

    return await run_as(context, caller, work)
