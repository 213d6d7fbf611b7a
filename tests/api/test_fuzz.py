"""Generated requests against every operation of the OpenAPI schema: never a server error.

Schemathesis builds requests from /openapi.json (bad bodies, odd path and query values) and
sends them with a token of a role that may use each route, so they get past the gate.
"""

from __future__ import annotations

from collections import Counter

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from app.main import create_app
from tests.api.helpers import auth_headers

SKIP = ("/auth/revoke", "/auth/token")  # revoking would end the run's own token


def _who(path: str) -> str:
    if "sync/push" in path or "attachments" in path:
        return "inspector.sr"
    if any(step in path for step in ("review", "placement", "resolve")):
        return "mosvy"
    return "admin"


def test_no_generated_request_gets_a_server_error(sqlite_demo_database: str) -> None:
    app = create_app()
    client = TestClient(app)
    headers = {who: auth_headers(client, who) for who in ("admin", "mosvy", "inspector.sr")}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    server_errors: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith(SKIP):
            continue

        @settings(
            max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def send(case: schemathesis.Case) -> None:
            case.headers = (case.headers or {}) | headers[_who(case.operation.path)]
            response = case.call()
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.path}: {response.text[:200]}")

        send()
    assert server_errors == []
    assert statuses[200] > 0 and statuses[422] > 0  # the run reached the handlers
