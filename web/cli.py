"""The `dossier` command line: a thin edge over the rooms' services.

Exceptions become exit codes only here: a setup problem is one line on stderr and
status 2, never a traceback.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive_store.errors import DossierError, SetupError
from archive_store.system import System, init_data_dir, open_system

EXIT_PROBLEMS = 1
EXIT_SETUP = 2


class DossierGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SetupError as exc:
            click.echo(f"dossier: {exc}", err=True)
            ctx.exit(EXIT_SETUP)
        except DossierError as exc:
            click.echo(f"dossier: {exc}", err=True)
            ctx.exit(EXIT_SETUP)


@click.group(cls=DossierGroup)
@click.option("--data", "data_dir", envvar="DOSSIER_DATA", type=click.Path(file_okay=False),
              default="dossier-data", show_default=True, help="The data folder (or set DOSSIER_DATA).")
@click.pass_context
def main(ctx: click.Context, data_dir: str) -> None:
    """Dossier: customer archives (客户档案) from scan to shelf."""
    ctx.obj = {"data_dir": data_dir}


def system_for(ctx: click.Context) -> System:
    system = open_system(ctx.obj["data_dir"])
    ctx.call_on_close(system.close)
    return system


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the data folder and its database, and the first admin account."""
    system, password = init_data_dir(ctx.obj["data_dir"])
    ctx.call_on_close(system.close)
    click.echo(f"data folder ready: {system.settings.data_dir}")
    if password:
        click.echo(f"admin account created. user: admin  password: {password}")
        click.echo("This password is shown once: write it down or change it after signing in.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-watch", is_flag=True, help="Serve the portal only; do not watch the inbox.")
@click.pass_context
def run(ctx: click.Context, host: str, port: int, no_watch: bool) -> None:
    """Run the main job: the inbox watcher and the portal (initialising the data folder if needed)."""
    from web.serve import serve

    system, password = init_data_dir(ctx.obj["data_dir"])
    ctx.call_on_close(system.close)
    if password:
        click.echo(f"admin account created. user: admin  password: {password}  (shown once)")
    serve(system, host=host, port=port, watch=not no_watch)


@main.group()
def users() -> None:
    """Manage user accounts."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, help="clerk, sales, service, marketing, dept_head, leader, archive_manager, auditor or admin")
@click.option("--generate", is_flag=True, help="Generate a password and print it once instead of reading one from stdin.")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, generate: bool) -> None:
    """Add a user. The password is read from stdin, or generated and printed once."""
    from archive_store.users import create_user

    password = None
    if not generate:
        if sys.stdin.isatty():
            password = click.prompt("password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n") or None
    system = system_for(ctx)
    with system.db.write() as session:
        user, generated = create_user(session, actor="system:cli", username=name, role=role, password=password)
    click.echo(f"user {user.username} added with role {user.role}")
    if generated:
        click.echo(f"password: {generated}  (shown once)")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.pass_context
def export(ctx: click.Context, fmt: str) -> None:
    """Print every document as one JSON line (doc_no, archive_no, fields, customer, ...)."""
    from archive_store.export import export_documents

    system = system_for(ctx)
    with system.db.read() as session:
        for record in export_documents(session):
            click.echo(json.dumps(record, ensure_ascii=False))


@main.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Re-hash every stored file and list missing or altered ones (exit status 1 if any)."""
    from archive_store.verify import verify_store

    system = system_for(ctx)
    with system.db.read() as session:
        report = verify_store(session, system.store)
    for problem in report.problems:
        click.echo(f"{problem.problem}: {report.owners.get(problem.sha256, '?')} {problem.path}")
    click.echo(f"checked {report.checked} stored files: {len(report.problems)} problem(s)")
    ctx.exit(EXIT_PROBLEMS if report.problems else 0)


@main.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Check the audit trail's hash chain; list edited, inserted or deleted events (exit 1 if any)."""
    from archive_store import audit as audit_trail

    system = system_for(ctx)
    with system.db.read() as session:
        problems = audit_trail.verify_chain(session)
        total = audit_trail.count(session)
    for problem in problems:
        click.echo(f"event {problem.seq}: {problem.problem}")
    click.echo(f"checked {total} audit events: {len(problems)} problem(s)")
    ctx.exit(EXIT_PROBLEMS if problems else 0)


if __name__ == "__main__":
    main()
