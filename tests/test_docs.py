"""Docs are tested: every route, error code and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from app.change_codes import CODES, MESSAGES
from app.errors import CATALOG
from app.main import ROUTERS
from app.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def test_every_route_is_in_the_api_reference() -> None:
    text = (REPO / "docs" / "api.md").read_text()
    missing = [
        f"{method} {route.path}"
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if f"| {method} | `{route.path}` |" not in text
    ]
    assert missing == []


def test_every_error_code_is_in_the_api_reference() -> None:
    text = (REPO / "docs" / "api.md").read_text()
    assert [code for code in CATALOG if f"| `{code}` |" not in text] == []


def test_every_setting_is_in_the_readme() -> None:
    text = (REPO / "README.md").read_text()
    names = [f"HOMEWARD_{name.upper()}" for name in Settings.model_fields]
    assert [name for name in names if f"`{name}`" not in text] == []


def test_every_per_change_code_is_in_the_api_reference() -> None:
    text = (REPO / "docs" / "api.md").read_text()
    section = text.split("## Per-change codes", 1)[1]
    assert [code for code in sorted(CODES) if f"| `{code}` |" not in section] == []


def test_every_per_change_code_has_english_and_khmer_text() -> None:
    khmer = re.compile("[\u1780-\u17ff]")
    for key, (en, km) in MESSAGES.items():
        assert en.strip() and khmer.search(km), key


def _section(text: str, heading: str) -> str:
    assert heading in text, f"missing section {heading!r}"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def _route_media_types(route: APIRoute) -> tuple[str, ...] | None:
    """The media types a route's ``accepts`` dependency takes (None: it takes any)."""
    for dependency in route.dependant.dependencies:
        found = getattr(dependency.call, "homeward_media_types", None)
        if found is not None:
            return tuple(found)
    return None


def test_every_route_with_a_body_lists_its_media_types() -> None:
    """docs/api.md "Request bodies" says, per route, which Content-Types the code accepts."""
    section = _section((REPO / "docs" / "api.md").read_text(), "## Request bodies")
    documented: dict[str, tuple[str, ...] | None] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`/"):
            types = tuple(re.findall(r"`([a-z]+/[a-z0-9.+-]+)`", cells[2]))
            documented[f"{cells[0]} {cells[1].strip('`')}"] = (
                None if cells[2].startswith("any") else types
            )
    in_code = {
        f"{method} {route.path}": _route_media_types(route)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.path.startswith("/api/")  # the desk: HTML forms
        for method in route.methods & {"POST", "PUT", "PATCH"}
    }
    assert documented == in_code


def test_the_attachment_limit_is_documented_as_attachment_too_large_however_sent() -> None:
    readme = (REPO / "README.md").read_text()
    [row] = [line for line in readme.splitlines() if "`HOMEWARD_MAX_ATTACHMENT_BYTES` |" in line]
    assert "`attachment_too_large`" in row and "chunked" in row
    assert "`body_too_large`" not in row
    api = (REPO / "docs" / "api.md").read_text()
    [row] = [line for line in api.splitlines() if line.startswith("| `attachment_too_large` |")]
    assert "Content-Length" in row and "chunked" in row


def test_the_sync_protocol_names_every_key_of_a_pulled_record() -> None:
    from app.sync.schemas import PullRecord

    text = (REPO / "docs" / "sync-protocol.md").read_text()
    section = text.split("### What a pulled record carries", 1)[1].split("\n#", 1)[0]
    named = set(re.findall(r"`([a-z_]+)`", section))
    assert [key for key in PullRecord.model_fields if key not in named] == []


def test_the_api_reference_says_the_openapi_document_describes_every_answer() -> None:
    text = (REPO / "docs" / "api.md").read_text()
    assert "`additionalProperties: false`" in text and "tests/api/test_fuzz.py" in text
    from app.main import create_app

    document = create_app().openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"4XX", "5XX"} <= set(operation["responses"]), (method, path)
            assert "HTTPValidationError" not in str(operation["responses"]), (method, path)


def test_every_command_and_option_is_in_the_readme() -> None:
    import click

    from app.cli import main

    section = _section((REPO / "README.md").read_text(), "## Command line")
    missing = []
    for name, command in main.commands.items():
        lines = [line for line in section.splitlines() if f"`homeward {name}" in line]
        if not lines:
            missing.append(name)
            continue
        for param in command.params:
            if isinstance(param, click.Option):
                missing += [f"{name} {o}" for o in param.opts if o not in lines[0]]
            elif param.name and param.name.upper() not in lines[0]:
                missing.append(f"{name} {param.name.upper()}")
    assert missing == []


def test_the_readme_says_what_the_commands_refuse_and_report() -> None:
    section = _section((REPO / "README.md").read_text(), "## Command line")
    assert "must be a location the database has" in section  # create-user: app/auth/users.py
    assert "a published version stays published" in section  # import-xlsform: app/cli.py
    assert "one line on standard error and exit status 1" in section  # app.cli.main


def test_the_figures_live_in_docs_performance_and_the_readme_links_them() -> None:
    readme = (REPO / "README.md").read_text()
    benchmarks = _section(readme, "## Benchmarks")
    assert "`docs/performance.md`" in benchmarks
    assert "|" not in benchmarks, "the README keeps a summary; the tables are in performance.md"
    performance = (REPO / "docs" / "performance.md").read_text()
    benches = sorted(p.name for p in (REPO / "bench").glob("*_bench.py"))
    assert [b for b in benches if f"`bench/{b}`" not in performance] == []


def test_no_doc_or_comment_of_the_http_layer_narrates_history() -> None:
    """Docs and code say what is true now; when something changed is git's business."""
    diary = re.compile(
        r"\| [^|\n]*\((?:before|now)\) \||session \d|before 20\d\d|tried and dropped", re.I
    )
    app = REPO / "app"
    paths = [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(app / "web").glob("*.py")]
    paths += [app / name for name in ("main.py", "cli.py", "errors.py", "settings.py")]
    paths += [app / "sync" / f"{name}.py" for name in ("routes", "pull", "cursor", "schemas")]
    found = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path in paths
        for match in diary.finditer(path.read_text())
    ]
    assert found == []
