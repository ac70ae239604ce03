"""Property-based checks over the OpenAPI description (schemathesis), with an admin's token.

No input yields a 5xx; every response matches its schema; every person-linked read that
succeeded has its audit row.
"""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from storage.db import Database
from storage.repositories import audit
from tests.api.conftest import World, bearer, person_linked_routes

MAX_EXAMPLES = 8


class Reads:
    def __init__(self, app: FastAPI) -> None:
        self.routes = person_linked_routes(app)
        self.count = 0

    def saw(self, method: str, path: str, status: int) -> None:
        if 200 <= status < 300 and any(
            pattern.match(path) and method in methods for pattern, methods in self.routes
        ):
            self.count += 1


def test_no_input_breaks_the_api_or_its_schema(
    staff_app: FastAPI, world: World, database: Database
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", staff_app)
    reads = Reads(staff_app)
    headers = bearer(world, "admin")
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # a broken schema fails here
        if operation.path == "/api/v1/me/revoke":
            continue  # it would end the token the other operations are tried with
        tested.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
            response = case.call_and_validate(headers=headers)
            request = response.request
            reads.saw(
                str(request.method), str(request.path_url).split("?")[0], response.status_code
            )

        check()
    assert len(tested) > 20
    with database.transaction() as session:
        assert audit.count(session, reads_only=True) == reads.count
