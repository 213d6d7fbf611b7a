"""docs/api.md, "Examples at the edges": every row is sent; the answer must be as documented.

A row reads ``| `METHOD /path` [with `Header: value` and `{json}`] | caller | answer |``: the
caller is ``anyone`` (no token) or a demo account in backticks; the answer is a status, then
optionally the error code and an ``Allow`` header in backticks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.api.helpers import auth_headers

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = "## Examples at the edges"

_REQUEST = re.compile(r"^`(?P<method>[A-Z]+) (?P<target>\S+)`(?: with (?P<extras>.+))?$")
_ANSWER = re.compile(
    r"^(?P<status>\d{3})(?: `(?P<code>[a-z_]+)`)?(?:, `Allow: (?P<allow>[^`]+)`)?$"
)


@dataclass
class Example:
    line: str
    method: str
    target: str
    caller: str | None
    status: int
    code: str | None
    allow: str | None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


def documented_examples() -> list[Example]:
    text = API_MD.read_text()
    assert SECTION in text, f"docs/api.md lost its section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    examples = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if not line.startswith("| `") or len(cells) != 3:
            continue
        request, caller, answer = cells
        req, ans = _REQUEST.match(request), _ANSWER.match(answer)
        assert req and ans, f"a row of {SECTION!r} this test cannot read: {line}"
        example = Example(
            line=line,
            method=req["method"],
            target=req["target"],
            caller=None if caller == "anyone" else caller.strip("`"),
            status=int(ans["status"]),
            code=ans["code"],
            allow=ans["allow"],
        )
        for extra in re.findall(r"`([^`]+)`", req["extras"] or ""):
            if extra.startswith(("{", "[")):
                example.body = json.loads(extra)
            else:
                name, value = extra.split(":", 1)
                example.headers[name.strip()] = value.strip()
        examples.append(example)
    return examples


def _answer(client: TestClient, example: Example) -> Example:
    headers = dict(example.headers)
    if example.caller:
        headers |= auth_headers(client, example.caller)
    content = None
    if example.body is not None:
        content = json.dumps(example.body).encode()
        headers.setdefault("Content-Type", "application/json")
    response = client.request(
        example.method, example.target, content=content, headers=headers, follow_redirects=False
    )
    code = None
    if response.status_code >= 400 and example.method != "HEAD":
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
        code = body["error"]["code"]
    return Example(
        line=example.line,
        method=example.method,
        target=example.target,
        caller=example.caller,
        status=response.status_code,
        code=code,
        allow=response.headers.get("allow") if example.allow else None,
    )


def test_the_documented_examples_cover_the_edges() -> None:
    requests = {(e.method, e.target.split("?")[0]) for e in documented_examples()}
    assert {
        ("GET", "/api/v1/sync/push"),
        ("POST", "/api/v1/no-such-route"),
        ("POST", "/no/such/page"),
        ("POST", "/api/v1/auth/revoke"),
        ("GET", "/api/v1/sync/pull"),
    } <= requests


def test_every_documented_example_answers_as_documented(demo_client: TestClient) -> None:
    wrong = []
    for example in documented_examples():
        got = _answer(demo_client, example)
        if (got.status, got.code, got.allow) != (example.status, example.code, example.allow):
            wrong.append(f"{example.line}\n    got {got.status} {got.code} Allow: {got.allow}")
    assert wrong == [], "\n".join(wrong)
