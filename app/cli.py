"""The ``homeward`` command line."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from pydantic import ValidationError

from app.settings import get_settings


@click.group()
def main() -> None:
    """Homeward: offline-first field data collection for child care reform."""
    try:
        get_settings()
    except ValidationError as exc:  # one clear line (click prints "Error: …", exits 1)
        raise click.ClickException(f"configuration: {settings_problems(exc)}") from None


def settings_problems(exc: ValidationError) -> str:
    """What is wrong with the HOMEWARD_* environment, in one line."""
    problems = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        names = [f"HOMEWARD_{str(part).upper()}" for part in error["loc"]]
        problems.append(f"{names[0]}: {message}" if names else message)
    return "; ".join(problems)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API and the field app."""
    import uvicorn

    from app.web.log_redaction import logging_config
    from app.web.workers import reuse_port_available, serve_workers

    options = {
        "app": "app.main:create_app",
        "factory": True,
        "proxy_headers": True,
        "log_level": "info",
        "log_config": logging_config(),  # no token reaches a log line
    }
    if workers > 1 and reuse_port_available():  # each worker its own socket (app.web.workers)
        try:
            status = serve_workers(host, port, workers, options)
        except OSError as exc:  # as uvicorn says it
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        sys.exit(status)
    uvicorn.run(host=host, port=port, workers=workers, **options)  # type: ignore[arg-type]


@main.command()
def migrate() -> None:
    """Upgrade the database to the newest schema (safe to run twice)."""
    from app.db.migrate import migrate_and_publish_builtin_forms

    published = migrate_and_publish_builtin_forms()
    click.echo(f"database is at the newest schema ({_safe_url()})")
    if published:
        click.echo(f"published built-in forms: {', '.join(published)}")


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the synthetic demo data set and demo accounts (idempotent)."""
    from app.db.session import session_scope
    from app.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
    from app.demo.history import add_history
    from app.demo.load import load_demo
    from app.demo.plan_history import load_plan_history
    from app.indicators.facts import bring_up_to_date

    started = time.perf_counter()
    with session_scope() as session:
        report = load_demo(session)
        created = ensure_demo_accounts(session)
    loaded = time.perf_counter() - started
    with session_scope() as session:
        history = add_history(session)
    with session_scope() as session:
        plan = load_plan_history(session, get_settings().data_dir)
    with session_scope() as session:
        bring_up_to_date(session)  # the indicators' facts: the first page view need not
    if report.skipped:
        click.echo(f"demo data {report.version} is already loaded")
    else:
        click.echo(
            f"demo data {report.version}: {report.institutions} institutions, "
            f"{report.children} children, {report.locations} locations "
            f"in {loaded:.1f} s"
        )
    if not history.skipped:
        click.echo(
            f"demo history: {history.inspections} inspections, {history.abuse_reports} abuse "
            f"reports, placements {history.placements}, reviews {history.reviews}, "
            f"{history.conflicts} open conflicts in {history.seconds:.1f} s"
        )
    if not plan.skipped:
        click.echo(f"plan history: {plan.records} records pushed in {plan.seconds:.1f} s")
    click.echo(
        f"demo accounts (synthetic; {len(created)} created now), password {DEMO_PASSWORD!r}:"
    )
    for account in DEMO_ACCOUNTS:
        scope = account.province or account.district or account.commune or "national"
        click.echo(f"  {account.username:<14} {account.role:<17} scope {scope}")


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True)
@click.option("--province", default=None)
@click.option("--district", default=None)
@click.option("--commune", default=None)
def create_user_command(
    username: str, role: str, province: str | None, district: str | None, commune: str | None
) -> None:
    """Create a user; the password is read from standard input."""
    from app.auth.users import create_user
    from app.db.session import session_scope

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with session_scope() as session:
            user = create_user(
                session,
                username=username,
                password=password,
                role=role,
                province=province,
                district=district,
                commune=commune,
                created_by="cli",
            )
            name, scope = user.username, user.commune or user.district or user.province
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {name} ({role}, scope {scope or 'national'})")


@main.command("import-xlsform")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="Publish the version at once (else a draft).")
def import_xlsform_command(file: Path, publish: bool) -> None:
    """Import an XLSForm workbook (.xlsx or .xls) as a native form version."""
    from app.db.session import session_scope
    from app.forms.store import VersionExists, save_version
    from app.forms.xlsform import XLSFormError, read_xlsform
    from app.openrosa.xforms import store_xlsform_xform

    try:
        imported = read_xlsform(file.read_bytes(), file.name)
        schema = imported.schema
    except XLSFormError as exc:
        lines = [
            f"  {d.get('sheet') or '-'} row {d.get('row') or '-'} "
            f"[{d.get('feature')}]: {d.get('message')}"
            for d in exc.details()
        ]
        raise click.ClickException("the XLSForm cannot be imported:\n" + "\n".join(lines)) from exc
    for w in imported.warnings:  # what of the workbook Homeward ignored or filled in
        click.echo(f"warning: {w}", err=True)
    try:
        with session_scope() as session:
            result = save_version(session, schema, publish=publish, actor="cli")
            if publish:  # the XForm ODK clients download (app.openrosa.xforms)
                store_xlsform_xform(session, schema, file.read_bytes(), file.suffix.lower())
    except VersionExists as exc:
        raise click.ClickException(f"{exc}: publish it under a new version") from exc
    # what the database now holds, which a re-import does not change
    state = "published" if result.published else "stored as a draft"
    if not result.changed:
        state = f"already {'published' if result.published else 'a draft'} with this content"
        if result.published and not publish:
            state += " (a published version stays published)"
    click.echo(f"{result.form_id} version {result.version} {state} ({result.hash})")


def _safe_url() -> str:
    url = get_settings().database_url
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.split('@', 1)[1]}"
    return url
