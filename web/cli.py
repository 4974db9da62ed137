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

EXIT_PROBLEMS = 1
EXIT_SETUP = 2


class DossierGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SetupError as exc:
            click.echo(f"dossier: {exc}", err=True)
            ctx.exit(EXIT_SETUP)
        except DossierError as exc:  # a refusal, a bad query, a missing record
            click.echo(f"dossier: {exc}", err=True)
            ctx.exit(EXIT_PROBLEMS)


@click.group(cls=DossierGroup)
@click.option("--data", "data_dir", envvar="DOSSIER_DATA", type=click.Path(file_okay=False),
              default="dossier-data", show_default=True, help="The data folder (or set DOSSIER_DATA).")
@click.pass_context
def main(ctx: click.Context, data_dir: str) -> None:
    """Dossier: customer archives (客户档案) from scan to shelf."""
    ctx.obj = {"data_dir": data_dir}


def system_for(ctx: click.Context):
    # Imported here: `dossier --help` and `dossier read` need no database.
    from archive_store.system import open_system

    system = open_system(ctx.obj["data_dir"])
    ctx.call_on_close(system.close)
    return system


def as_user(required: bool = True):
    """`--as USER`: the account a command acts as, checked by the verb as in the portal."""
    return click.option("--as", "as_user", required=required, metavar="USER",
                        help="Act as this user (their role is checked as in the portal).")


def actor_for(system, username: str | None):
    """The named account, or the console operator when a command allows acting without --as."""
    from archive_store.users import acting_user, console_actor

    return acting_user(system, username) if username else console_actor()


@main.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the data folder and its database, and the first admin account."""
    from archive_store.system import init_data_dir

    system, password = init_data_dir(ctx.obj["data_dir"])
    ctx.call_on_close(system.close)
    click.echo(f"数据目录已就绪：{system.settings.data_dir}")
    if password:
        # "user:" and "password:" stay as they were: set-up scripts read the password after them.
        click.echo(f"已创建管理员账户。user: admin  password: {password}")
        click.echo("此密码只显示这一次：请记下；首次登录时须改为新密码。")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-watch", is_flag=True, help="Serve the portal only; do not watch the inbox.")
@click.pass_context
def run(ctx: click.Context, host: str, port: int, no_watch: bool) -> None:
    """Run the main job: the inbox watcher and the portal (initialising the data folder if needed)."""
    from archive_store.system import init_data_dir
    from web.serve import serve

    system, password = init_data_dir(ctx.obj["data_dir"])
    ctx.call_on_close(system.close)
    if password:
        click.echo(f"已创建管理员账户。user: admin  password: {password}（只显示这一次；首次登录时须改为新密码）")
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
    from archive_store.users import add_user

    password = None
    if not generate:
        if sys.stdin.isatty():
            password = click.prompt("password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n") or None
    system = system_for(ctx)
    user, generated = add_user(system, actor_for(system, None), username=name, role=role, password=password)
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


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON line per input file instead of a progress bar.")
@click.option("--business", "business_line", help="Business-line code for these files (default from the settings).")
@click.option("--workers", type=click.IntRange(1, 64), help="Documents read in parallel (default: one per core).")
@click.option("--engine", type=click.Choice(["rapidocr", "tesseract"]), help="OCR engine (default from the settings).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, business_line: str | None,
           workers: int | None, engine: str | None) -> None:
    """File these files (folders are read recursively) now; exit 1 if any was rejected."""
    from intake.runner import Intake, expand

    system = system_for(ctx)
    if business_line and business_line not in system.settings.business_lines:
        raise DossierError(f"unknown business line {business_line!r}; known: {', '.join(system.settings.business_lines)}")
    files = list(expand(paths, skip=system.settings.data_dir))
    intake = Intake(system, workers=workers, engine=engine)
    ctx.call_on_close(intake.close)
    if as_json or not sys.stdout.isatty():
        emit = lambda o: click.echo(json.dumps(o.to_json(), ensure_ascii=False))
        outcomes = intake.ingest(files, business_line=business_line, on_done=emit)
    else:
        outcomes = _ingest_with_progress(intake, files, business_line)
    ctx.exit(EXIT_PROBLEMS if any(o.status == "rejected" for o in outcomes) else 0)


def _ingest_with_progress(intake, files, business_line):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    import time

    started, pages = time.monotonic(), {"n": 0}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[pages]} pages · {task.fields[rate]}"), TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task("filing", total=len(files), pages=0, rate="")

        def done(outcome):
            pages["n"] += outcome.pages
            per_min = pages["n"] * 60 / max(time.monotonic() - started, 1e-6)
            progress.update(task, advance=1, pages=pages["n"], rate=f"{per_min:.0f} pages/min")
            if outcome.status not in ("filed", "unsorted"):
                progress.console.print(f"{outcome.status}: {outcome.source} {outcome.doc_no or ''} {outcome.detail or ''}")

        outcomes = intake.ingest(files, business_line=business_line, on_done=done)
    filed = sum(o.status == "filed" for o in outcomes)
    dups = sum(o.status == "duplicate" for o in outcomes)
    held = sum(o.status == "unsorted" for o in outcomes)
    click.echo(f"{filed} filed, {held} unsorted (waiting for a clerk), {dups} duplicate(s), "
               f"{len(outcomes) - filed - held - dups} rejected")
    return outcomes


@main.command()
@click.option("--workers", type=click.IntRange(1, 64), help="Documents read in parallel (default: one per core).")
@click.option("--poll", is_flag=True, help="Poll the inbox instead of waiting for file events (network shares).")
@click.option("--settle", default=2.0, show_default=True, type=float,
              help="Seconds a file must stop growing before it is taken.")
@click.pass_context
def watch(ctx: click.Context, workers: int | None, poll: bool, settle: float) -> None:
    """Watch the inbox and file whatever arrives, until interrupted."""
    from web.serve import run_watcher

    system = system_for(ctx)
    run_watcher(system, workers=workers, poll=poll, settle_seconds=settle)


@main.group()
def quarantine() -> None:
    """Files that could not be filed."""


@quarantine.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def quarantine_list(ctx: click.Context, as_json: bool) -> None:
    """List quarantined files with their reasons."""
    from intake.quarantine import list_quarantined

    system = system_for(ctx)
    for e in list_quarantined(system.settings):
        if as_json:
            click.echo(json.dumps({"name": e.name, "reason": e.reason, "detail": e.detail,
                                   "at": e.at.isoformat(), "job_id": e.job_id}, ensure_ascii=False))
        else:
            click.echo(f"{e.name}\t{e.reason}\t{e.detail}")


@quarantine.command("retry")
@click.argument("name")
@as_user(required=False)
@click.pass_context
def quarantine_retry(ctx: click.Context, name: str, as_user: str | None) -> None:
    """Move a quarantined file back into the inbox and file it now."""
    from intake.quarantine import retry
    from intake.runner import Intake

    system = system_for(ctx)
    back = retry(system, actor_for(system, as_user), name)
    intake = Intake(system, workers=1)
    ctx.call_on_close(intake.close)
    job = intake.pipeline.claim_from_inbox(back)
    if job is None:
        click.echo(f"{name} was moved back to the inbox; the running watcher took it")
        return
    outcome = intake.pipeline.process(job)
    click.echo(json.dumps(outcome.to_json(), ensure_ascii=False))
    ctx.exit(EXIT_PROBLEMS if outcome.status == "rejected" else 0)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the Extraction as JSON.")
@click.option("--engine", type=click.Choice(["rapidocr", "tesseract"]), default="rapidocr", show_default=True)
def read(file: Path, as_json: bool, engine: str) -> None:
    """Read a file (OCR, PDF text layer or Word) and print its text page by page."""
    import ocr

    try:
        result = ocr.read_path(file, ocr.ReadOptions(engine=engine, make_archival_pdf=False, page_images=False))
    except ocr.ReadError as err:
        click.echo(f"dossier: cannot read {file}: {err.detail} ({err.reason})", err=True)
        sys.exit(EXIT_PROBLEMS)
    if as_json:
        click.echo(json.dumps(result.extraction.to_json(), ensure_ascii=False))
    else:
        click.echo(ocr.cli_summary(result))


@main.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Rebuild the search index from the database."""
    from archive_store.search_docs import rebuild

    system = system_for(ctx)
    click.echo(f"indexed {rebuild(system)} documents")


@main.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True)
@click.option("--page", default=1, type=click.IntRange(1, 10_000))
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@as_user(required=False)
@click.pass_context
def search(ctx: click.Context, query: str, as_json: bool, page: int, sort: str, as_user: str | None) -> None:
    """Search the archive: as USER would in the portal, or without --as everything.

    A query the language cannot read, or one on a field USER may not see, exits 1."""
    from archive_store.search import search as run_search

    system = system_for(ctx)
    results = run_search(system, actor_for(system, as_user), query, sort=sort, page=page)
    hits = [{"doc_no": h.doc_no, "archive_no": h.archive_no, "doc_type": h.doc_type, "title": h.title,
             "score": round(h.score, 4), "snippet": h.snippet} for h in results.hits]
    # Similar documents (no document has every word) are never reported as matches.
    matches = {"total": 0, "hits": []} if results.similar else {"total": results.total, "hits": hits}
    if as_json:
        out = dict(matches)
        if results.similar:
            out["similar"] = {"total": results.total, "hits": hits}
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(f"{matches['total']} documents")
    if results.similar:
        click.echo(f"no document has every word; {results.total} similar:")
    for h in results.hits:
        click.echo(f"{h.doc_no}\t{h.doc_type}\t{h.title}\n    {h.snippet}")


@main.group()
def form() -> None:
    """The company's blank customer information collection form (客户信息收集表)."""


@form.command("print")
@click.option("--script", type=click.Choice(["zh-Hans", "zh-Hant"]), default="zh-Hans", show_default=True)
@click.option("--company", help="Company name printed at the top.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def form_print(script: str, company: str | None, output: Path) -> None:
    """Write the blank collection form as a PDF to print."""
    from forms import print_blank_form

    output.write_bytes(print_blank_form(script, company=company))
    click.echo(f"wrote {output}")


if __name__ == "__main__":
    main()
