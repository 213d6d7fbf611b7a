"""Generated requests against every operation of the OpenAPI schema: never a server error, and
every answer is what the document says it is.

Schemathesis builds requests from /openapi.json (bodies, odd path and query values) and sends
them with a token of a role that may use each route, so they get past the gate. Each answer
goes through the checks below, chosen one by one:

- ``not_a_server_error``: no 5xx, ever;
- ``status_code_conformance``: the status is one the operation documents (errors as 4XX/5XX);
- ``content_type_conformance``: the Content-Type is one documented for that status;
- ``response_schema_conformance``: the body validates against the documented schema (the
  pull page, a record, a push's results, the error envelope …), hand-built JSON included;
- ``response_headers_conformance``: documented headers (``Upload-Offset``) have their type.

Left out: schemathesis' checks that probe with methods or data the document does not declare
(``unsupported_method`` flags the ``Allow`` of 405s; ``negative_data_rejection`` and
``positive_data_acceptance`` judge generated data this server validates more strictly than a
JSON schema can say, e.g. a form's fields); tests/api/test_errors.py covers 404/405 by hand.
"""

from __future__ import annotations

from collections import Counter

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app
from tests.api.helpers import auth_headers

# revoking, disabling a user or resetting a password would end the run's own tokens
# (tests/api/test_admin_users.py covers those routes)
SKIP = ("/auth/revoke", "/auth/token", "/disable", "/password")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _who(path: str) -> str:
    if "sync/push" in path or "attachments" in path:
        return "inspector.sr"
    if any(step in path for step in ("review", "placement", "resolve")):
        return "mosvy"
    return "admin"


def test_generated_requests_get_documented_answers_and_no_server_error(
    sqlite_demo_database: str,
) -> None:
    app = create_app()
    client = TestClient(app)
    headers = {who: auth_headers(client, who) for who in ("admin", "mosvy", "inspector.sr")}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
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
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # noqa: BLE001 - collect every failure, report them all
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:600]}")

        send()
    assert failures == [], "\n\n".join(failures[:20])
    assert statuses[200] > 0 and statuses[422] > 0  # the run reached the handlers
