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
@click.option("--web-workers", type=click.IntRange(min=0), default=None,
              help="Portal processes (default: [web] workers in dossier.toml; 0: one per core).")
@click.pass_context
def run(ctx: click.Context, host: str, port: int, no_watch: bool, web_workers: int | None) -> None:
    """Run the main job: the inbox watcher and the portal (initialising the data folder if needed)."""
    from archive_store.system import init_data_dir
    from web.serve import serve

    system, password = init_data_dir(ctx.obj["data_dir"])
    ctx.call_on_close(system.close)
    if password:
        click.echo(f"已创建管理员账户。user: admin  password: {password}（只显示这一次；首次登录时须改为新密码）")
    serve(system, host=host, port=port, watch=not no_watch,
          workers=system.settings.web_workers if web_workers is None else web_workers)


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
    from archive_store.export import export_all

    for record in export_all(system_for(ctx)):
        click.echo(json.dumps(record, ensure_ascii=False))


@main.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Re-hash every stored file and list missing or altered ones (exit status 1 if any)."""
    from archive_store.verify import verify

    report = verify(system_for(ctx))
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

    problems, total = audit_trail.check(system_for(ctx))
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
@click.option("--workers", type=click.IntRange(1, 64),
              help="Worker processes, each reading one document at a time (default: [ocr] workers, or one per core).")
@click.option("--poll", is_flag=True, help="Poll the inbox instead of waiting for file events (network shares).")
@click.option("--settle", default=2.0, show_default=True, type=float,
              help="Seconds a file must stop growing before it is taken.")
@click.pass_context
def watch(ctx: click.Context, workers: int | None, poll: bool, settle: float) -> None:
    """Watch the inbox and file whatever arrives, until interrupted. Further `dossier watch`
    processes on other machines may share the database and the data folder (the inbox on a
    network share, with --poll)."""
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
        click.echo(f"{name} was moved back to the inbox; a running watcher took it")
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
    if not results.index_ready:
        click.echo("dossier: 检索索引正在重建或需要重建，结果可能不全（dossier reindex 可立即重建）。", err=True)
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


# --- viewing and borrowing (借阅) --------------------------------------------------------

def _emit(as_json: bool, obj: dict, line: str) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str) if as_json else line)


def _loan_json(r) -> dict:
    return {"id": r.id, "kind": r.kind, "status": r.status, "archive_no": r.archive_no, "borrower": r.requester,
            "department": r.department, "reason": r.reason, "approvers": r.approvers,
            "out_on": r.out_on, "due_on": r.due_on, "returned_on": r.returned_on, "condition": r.condition,
            "paper_location": r.paper_location}


@main.group()
def borrow() -> None:
    """View and borrow requests, the borrow desk and the borrow log (借阅登记表)."""


@borrow.command("request")
@click.argument("archive_no")
@as_user()
@click.option("--kind", type=click.Choice(["view", "paper", "electronic"]), required=True)
@click.option("--reason", required=True, help="Why (事由).")
@click.option("--days", type=int, required=True, help="Working days: the loan's period, or how long a view may be opened.")
@click.option("--content", default="", help="For a view: what is wanted.")
@click.option("--document", "document_no", help="For a view: one document of the archive.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_request(ctx, archive_no, as_user, kind, reason, days, content, document_no, as_json):
    """Ask to view or borrow an archive."""
    from archive_store import loans

    system = system_for(ctx)
    req = loans.request(system, actor_for(system, as_user), archive_no, kind=kind, reason=reason, days=days,
                        content=content, document_no=document_no)
    _emit(as_json, {"id": req.id, "status": req.status}, f"request {req.id}: {req.status}")


@borrow.command("approve")
@click.argument("request_id", type=int)
@as_user()
@click.option("--comment", default="")
@click.option("--allow-download", is_flag=True, help="For a view: the originals may be downloaded.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_approve(ctx, request_id, as_user, comment, allow_download, as_json):
    """Approve the step a request (or its extension) waits for."""
    from archive_store import loans

    system = system_for(ctx)
    req = loans.approve(system, actor_for(system, as_user), request_id, comment=comment, allow_download=allow_download)
    _emit(as_json, {"id": req.id, "status": req.status}, f"request {req.id}: {req.status}")


@borrow.command("refuse")
@click.argument("request_id", type=int)
@as_user()
@click.option("--comment", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_refuse(ctx, request_id, as_user, comment, as_json):
    """Refuse a request (or its extension), saying why."""
    from archive_store import loans

    system = system_for(ctx)
    req = loans.refuse(system, actor_for(system, as_user), request_id, comment=comment)
    _emit(as_json, {"id": req.id, "status": req.status}, f"request {req.id}: {req.status}")


@borrow.command("withdraw")
@click.argument("request_id", type=int)
@as_user()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_withdraw(ctx, request_id, as_user, as_json):
    """The requester takes back a request not yet handed out (its history stays)."""
    from archive_store import loans

    system = system_for(ctx)
    req = loans.withdraw(system, actor_for(system, as_user), request_id)
    _emit(as_json, {"id": req.id, "status": req.status}, f"request {req.id}: {req.status}")


@borrow.command("hand-out")
@click.argument("request_id", type=int)
@as_user()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_hand_out(ctx, request_id, as_user, as_json):
    """Hand out an approved loan (prints where the paper folder is)."""
    from archive_store import loans

    system = system_for(ctx)
    loan = loans.hand_out(system, actor_for(system, as_user), request_id)
    _emit(as_json, {"id": request_id, "status": loans.ON_LOAN, "due_on": loan.due_on.isoformat(),
                    "paper_location": loan.paper_location},
          f"request {request_id}: on loan until {loan.due_on.isoformat()}"
          + (f"; paper folder at {loan.paper_location}" if loan.paper_location else ""))


@borrow.command("confirm")
@click.argument("request_id", type=int)
@as_user()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_confirm(ctx, request_id, as_user, as_json):
    """The borrower signs for a loan, or the viewer confirms a view."""
    from archive_store import loans

    system = system_for(ctx)
    actor = actor_for(system, as_user)
    row = loans.get_request(system, actor, request_id)
    if row.kind == "view":
        loans.confirm_view(system, actor, request_id)
    else:
        loans.confirm_receipt(system, actor, request_id)
    _emit(as_json, {"id": request_id, "confirmed": True}, f"request {request_id}: confirmed")


@borrow.command("return")
@click.argument("request_id", type=int)
@as_user()
@click.option("--condition", type=click.Choice(["complete", "damaged", "pages_missing"]), required=True)
@click.option("--note", default="")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_return(ctx, request_id, as_user, condition, note, as_json):
    """Take a loan back, with the inspection."""
    from archive_store import loans

    system = system_for(ctx)
    loan = loans.return_loan(system, actor_for(system, as_user), request_id, condition=condition, note=note)
    _emit(as_json, {"id": request_id, "status": loans.RETURNED, "condition": loan.condition,
                    "late": loan.returned_on > loan.due_on}, f"request {request_id}: returned ({condition})")


@borrow.command("extend")
@click.argument("request_id", type=int)
@as_user()
@click.option("--days", type=int, required=True, help="More working days.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_extend(ctx, request_id, as_user, days, as_json):
    """The borrower asks for more days; a department head approves with `borrow approve`."""
    from archive_store import loans

    system = system_for(ctx)
    ext = loans.request_extension(system, actor_for(system, as_user), request_id, days)
    _emit(as_json, {"id": request_id, "extension": ext.id, "status": ext.status},
          f"request {request_id}: extension of {days} working days asked")


@borrow.command("list")
@click.option("--overdue", is_flag=True, help="Only paper loans past their due date.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="The day to look at (default today).")
@as_user(required=False)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def borrow_list(ctx, overdue, as_of, as_user, as_json):
    """Loans out (on a day), or only the overdue ones."""
    from archive_store import loans

    system = system_for(ctx)
    rows = loans.list_loans(system, actor_for(system, as_user), overdue=overdue,
                            as_of=as_of.date() if as_of else None)
    if as_json:
        click.echo(json.dumps([_loan_json(r) for r in rows], ensure_ascii=False, default=str))
        return
    for r in rows:
        click.echo(f"{r.id}\t{r.archive_no}\t{r.requester}\t{r.kind}\tdue {r.due_on}\t{r.status}")
    click.echo(f"{len(rows)} loan(s)")


@borrow.command("log")
@click.option("--archive", "archive_no", help="One archive's log (default: all).")
@click.option("--format", "fmt", type=click.Choice(["csv", "pdf"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
@click.option("--person", help="Only this borrower.")
@click.option("--status", help="Only this status (on_loan, overdue, returned, ...).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]))
@as_user(required=False)
@click.pass_context
def borrow_log_cmd(ctx, archive_no, fmt, output, person, status, date_from, date_to, as_user):
    """The borrow log (借阅登记表) as CSV or a printable A4 PDF."""
    from archive_store import borrow_log, loans

    system = system_for(ctx)
    f = loans.LogFilter(date_from=date_from.date() if date_from else None, date_to=date_to.date() if date_to else None,
                        person=person, archive_no=archive_no, status=status)
    rows = loans.borrow_log_export(system, actor_for(system, as_user), f)
    if fmt == "csv":
        data = borrow_log.to_csv(rows).encode("utf-8")
    else:
        data = borrow_log.to_pdf(rows, scope=f"档案 {archive_no}" if archive_no else "全部档案", printed=loans.today())
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(rows)} rows)", err=True)
    elif fmt == "pdf" and sys.stdout.isatty():
        raise DossierError("a PDF is not for a terminal: give -o FILE")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@users.command("handover")
@click.argument("username")
@as_user(required=False)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def users_handover(ctx, username, as_user, as_json):
    """What a leaving user still holds (loans) or owns (archives) and must hand back first."""
    from archive_store import loans

    system = system_for(ctx)
    h = loans.handover(system, actor_for(system, as_user), username)
    if as_json:
        click.echo(json.dumps({"user": h.username, "active": h.active, "clear": h.clear,
                               "loans": [_loan_json(r) for r in h.loans],
                               "requests": [{"id": r.id, "kind": r.kind, "status": r.status, "archive_no": r.archive_no}
                                            for r in h.requests],
                               "archives": [{"archive_no": no, "name": name} for no, name in h.archives]},
                              ensure_ascii=False, default=str))
    else:
        click.echo(f"{h.username}: {len(h.loans)} open loan(s), {len(h.requests)} open request(s), "
                   f"{len(h.archives)} archive(s) owned")
        for r in h.loans:
            click.echo(f"loan\t{r.id}\t{r.archive_no}\t{r.kind}\tdue {r.due_on}\t{r.status}")
        for r in h.requests:
            click.echo(f"request\t{r.id}\t{r.archive_no}\t{r.kind}\t{r.status}")
        for no, name in h.archives:
            click.echo(f"archive\t{no}\t{name}")


@users.command("deactivate")
@click.argument("username")
@as_user(required=False)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def users_deactivate(ctx, username, as_user, as_json):
    """Switch an account off (refused while the user still holds a loan)."""
    from archive_store.users import deactivate

    system = system_for(ctx)
    deactivate(system, actor_for(system, as_user), username)
    _emit(as_json, {"user": username, "active": False}, f"user {username} deactivated")

# --- customer archives day to day (archive_store/archives.py, changes.py, catalogue.py) -------

def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str))


@main.group()
def archives() -> None:
    """Customer archives: by hand, edits, lists, duplicates and merging, the catalogue."""


@archives.command("add")
@click.option("--name", required=True)
@click.option("--type", "customer_type", required=True, type=click.Choice(["enterprise", "individual"]))
@click.option("--line", "business_line", required=True, help="Business-line code (see dossier.toml).")
@click.option("--uscc", help="统一社会信用代码 (enterprise).")
@click.option("--id-number", help="身份证号 (individual).")
@click.option("--phone")
@as_user()
@click.pass_context
def archives_add(ctx: click.Context, name: str, customer_type: str, business_line: str, uscc: str | None,
                 id_number: str | None, phone: str | None, as_user: str) -> None:
    """Open an archive without a scan (a customer met by phone); prints {"archive_no": ...}."""
    from archive_store import archives as verbs

    if uscc and id_number:
        raise click.UsageError("give --uscc or --id-number, not both")
    system = system_for(ctx)
    no = verbs.create(system, actor_for(system, as_user), name=name, customer_type=customer_type,
                      business_line=business_line, uscc=uscc, id_number=id_number, phone=phone)
    _echo_json({"archive_no": no})


@archives.command("edit")
@click.argument("archive_no")
@click.option("--grade", help="A, B or C.")
@click.option("--stage", help="potential, intention, deal or lost.")
@click.option("--owner", help="The username who looks after the customer.")
@click.option("--line", "business_line", help="Business-line code.")
@click.option("--name")
@click.option("--phone")
@click.option("--relationship-start", help="YYYY-MM-DD")
@click.option("--relationship-end", help="YYYY-MM-DD")
@click.option("--first-contact", "first_contact_on", help="YYYY-MM-DD: the owner's first contact.")
@click.option("--paper-location", help="Cabinet and box of the paper folder.")
@click.option("--uscc", help="Waits for a second person (dossier changes confirm).")
@click.option("--id-number", help="Waits for a second person (dossier changes confirm).")
@click.option("--reason", default="")
@click.option("--json", "as_json", is_flag=True)
@as_user()
@click.pass_context
def archives_edit(ctx: click.Context, archive_no: str, reason: str, as_json: bool, as_user: str, **values) -> None:
    """Change an archive's card; its number never changes. An important field waits for confirmation."""
    from archive_store import archives as verbs

    values = {k: v for k, v in values.items() if v is not None}
    if not values:
        raise click.UsageError("nothing to change: give at least one option")
    system = system_for(ctx)
    result = verbs.edit(system, actor_for(system, as_user), archive_no, values, reason=reason)
    if as_json:
        _echo_json({"archive_no": archive_no, "changed": result.changed, "waiting": result.waiting})
        return
    for key, value in result.changed.items():
        click.echo(f"{key}: {value if value is not None else '—'}")
    for key, change_id in result.waiting.items():
        click.echo(f"{key}: waits for a second person (dossier changes confirm {change_id})")
    if not result.changed and not result.waiting:
        click.echo("nothing changed")


@archives.command("show")
@click.argument("archive_no")
@click.option("--json", "as_json", is_flag=True)
@as_user(required=False)
@click.pass_context
def archives_show(ctx: click.Context, archive_no: str, as_json: bool, as_user: str | None) -> None:
    """An archive's card, its documents (catalogue order) and its history."""
    from archive_store import archives as archives_verbs, viewing

    system = system_for(ctx)
    actor = actor_for(system, as_user)
    v = viewing.open_archive(system, actor, archive_no)
    a = v.archive
    card = {"archive_no": a.archive_no, "name": a.name, "customer_type": a.customer_type,
            "business_line": a.business_line, "uscc": a.uscc, "grade": a.grade, "stage": a.stage,
            "owner": v.owner, "paper_location": a.paper_location, "relationship_start": a.relationship_start,
            "relationship_end": a.relationship_end, "first_contact_on": a.first_contact_on, "status": a.status}
    docs = [{"doc_no": d.doc_no, "doc_type": d.doc_type, "title": d.title or d.source_name,
             "issue_date": d.issue_date, "pages": d.pages, "status": d.status} for d in v.catalogue]
    history = [{"at": e.at, "actor": e.actor, "action": e.action, "object_id": e.object_id,
                "changes": [{"key": k, "before": b, "after": a} for k, b, a in archives_verbs.diff_rows(actor, e)]}
               for e in v.history]
    if as_json:
        _echo_json({**card, "asked_for": archive_no, "documents": docs, "history": history})
        return
    if a.archive_no != archive_no:
        click.echo(f"{archive_no} was merged into {a.archive_no}")
    for key, value in card.items():
        click.echo(f"{key}: {value if value is not None else '—'}")
    click.echo(f"documents ({len(docs)}):")
    for d in docs:
        click.echo(f"  {d['doc_no']}\t{d['issue_date'] or '—'}\t{d['doc_type']}\t{d['status']}\t{d['title']}")
    click.echo("history:")
    for h in history:
        change = "".join(f"; {c['key']}: {c['before'] if c['before'] is not None else '—'} -> {c['after']}"
                         for c in h["changes"])
        click.echo(f"  {h['at']:%Y-%m-%d %H:%M} {h['actor']} {h['action']} {h['object_id']}{change}")


@archives.command("list")
@click.option("--stage")
@click.option("--grade")
@click.option("--line", "business_line")
@click.option("--owner")
@click.option("--json", "as_json", is_flag=True)
@as_user(required=False)
@click.pass_context
def archives_list(ctx, stage, grade, business_line, owner, as_json, as_user) -> None:
    """Archives in use by stage, grade, business line and owner, with counts."""
    from archive_store import archives as verbs

    system = system_for(ctx)
    listing = verbs.list_archives(system, actor_for(system, as_user), stage=stage, grade=grade,
                                  business_line=business_line, owner=owner)
    if as_json:
        _echo_json({"counts": listing.counts, "archives": [r.__dict__ for r in listing.rows]})
        return
    for key, counts in listing.counts.items():
        click.echo(f"{key}: " + ", ".join(f"{k} {n}" for k, n in counts.items()))
    for r in listing.rows:
        click.echo(f"{r.archive_no}\t{r.stage}\t{r.grade or '—'}\t{r.business_line}\t{r.owner or '—'}\t{r.name}")


@archives.command("duplicates")
@click.option("--json", "as_json", is_flag=True)
@as_user(required=False)
@click.pass_context
def archives_duplicates(ctx: click.Context, as_json: bool, as_user: str | None) -> None:
    """Archives that look like one customer: the same code, or the same name in either script."""
    from archive_store import archives as verbs

    system = system_for(ctx)
    found = verbs.duplicates(system, actor_for(system, as_user))
    if as_json:
        _echo_json([{"reason": d.reason, "value": d.value, "archive_nos": list(d.archive_nos)} for d in found])
        return
    for d in found:
        click.echo(f"{d.reason}\t{d.value}\t{' '.join(d.archive_nos)}")


@archives.command("merge")
@click.argument("from_no")
@click.argument("into_no")
@click.option("--reason", default="")
@click.option("--json", "as_json", is_flag=True)
@as_user()
@click.pass_context
def archives_merge(ctx: click.Context, from_no: str, into_no: str, reason: str, as_json: bool, as_user: str) -> None:
    """Move FROM_NO's documents into INTO_NO; FROM_NO stays reserved and leads to INTO_NO."""
    from archive_store import archives as verbs

    system = system_for(ctx)
    result = verbs.merge(system, actor_for(system, as_user), from_no, into_no, reason=reason)
    if as_json:
        _echo_json({"archive_no": result.archive_no, "merged": from_no, "documents": result.moved})
        return
    click.echo(f"{from_no} merged into {result.archive_no}")
    for old, new in result.moved.items():
        click.echo(f"  {old} -> {new}")


@archives.command("late")
@click.option("--json", "as_json", is_flag=True)
@as_user(required=False)
@click.pass_context
def archives_late(ctx: click.Context, as_json: bool, as_user: str | None) -> None:
    """Collection forms filed more than the allowed working days after their collection date."""
    from archive_store import archives as verbs

    system = system_for(ctx)
    rows = verbs.late_entries(system, actor_for(system, as_user))
    if as_json:
        _echo_json([r.__dict__ for r in rows])
        return
    for r in rows:
        click.echo(f"{r.doc_no}\tcollected {r.collected_on}\tfiled {r.filed_on}\t{r.working_days} working days"
                   f"\t{r.owner or '—'}\t{r.name}")


@archives.command("uncontacted")
@click.option("--json", "as_json", is_flag=True)
@as_user(required=False)
@click.pass_context
def archives_uncontacted(ctx: click.Context, as_json: bool, as_user: str | None) -> None:
    """New customers not contacted within the allowed days of filing (reassign with edit --owner)."""
    from archive_store import archives as verbs

    system = system_for(ctx)
    rows = verbs.uncontacted(system, actor_for(system, as_user))
    if as_json:
        _echo_json([r.__dict__ for r in rows])
        return
    for r in rows:
        click.echo(f"{r.archive_no}\tfiled {r.created_on}\t{r.owner or '—'}\t{r.name}")


@archives.command("catalogue")
@click.argument("archive_no")
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv"]), default="pdf", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (default: CSV to stdout, PDF to ARCHIVE_NO-catalogue.pdf).")
@as_user(required=False)
@click.pass_context
def archives_catalogue(ctx: click.Context, archive_no: str, fmt: str, output: Path | None, as_user: str | None) -> None:
    """The archive catalogue (卷内目录) as an A4 PDF or as CSV."""
    from archive_store import catalogue

    system = system_for(ctx)
    cat = catalogue.build(system, actor_for(system, as_user), archive_no)
    if fmt == "csv":
        text = catalogue.to_csv(cat)
        if output is None:
            click.echo(text.lstrip("\ufeff"), nl=False)
            return
        output.write_text(text, encoding="utf-8")
    else:
        output = output or Path(f"{cat.archive_no}-catalogue.pdf")
        output.write_bytes(catalogue.to_pdf(cat))
    click.echo(f"wrote {output}")


@main.group()
def changes() -> None:
    """Important changes waiting for a second person (重要信息双人核对)."""


@changes.command("list")
@click.option("--json", "as_json", is_flag=True)
@as_user(required=False)
@click.pass_context
def changes_list(ctx: click.Context, as_json: bool, as_user: str | None) -> None:
    """Changes waiting for confirmation."""
    from archive_store import changes as verbs

    system = system_for(ctx)
    rows = verbs.list_changes(system, actor_for(system, as_user))
    if as_json:
        _echo_json([r.__dict__ for r in rows])
        return
    for r in rows:
        click.echo(f"{r.id}\t{r.object_no}\t{r.key}\t{r.old_value or '—'} -> {r.new_value}\tby {r.proposed_by}")


@changes.command("confirm")
@click.argument("change_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@as_user()
@click.pass_context
def changes_confirm(ctx: click.Context, change_id: int, as_json: bool, as_user: str) -> None:
    """Confirm another person's change: it takes effect now."""
    from archive_store import changes as verbs

    system = system_for(ctx)
    number = verbs.confirm(system, actor_for(system, as_user), change_id)
    if as_json:
        _echo_json({"id": change_id, "state": "confirmed", "object_no": number})
    else:
        click.echo(f"change {change_id} confirmed on {number}")


@changes.command("reject")
@click.argument("change_id", type=int)
@click.option("--reason", required=True)
@as_user()
@click.pass_context
def changes_reject(ctx: click.Context, change_id: int, reason: str, as_user: str) -> None:
    """Refuse a change (or withdraw one's own): the old value stays."""
    from archive_store import changes as verbs

    system = system_for(ctx)
    verbs.reject(system, actor_for(system, as_user), change_id, reason)
    click.echo(f"change {change_id} rejected")
# --- retention, holds and disposal (issue 21) -------------------------------------------------

@main.group()
def retention() -> None:
    """Retention rules and what is due for destruction."""


@retention.group("rule")
def retention_rule() -> None:
    """Retention rules by document kind and customer grade."""


@retention_rule.command("set")
@click.option("--kind", required=True, help="business_license, contract, collection_form or other")
@click.option("--grade", help="Customer grade A, B or C (default: every grade without a rule of its own).")
@click.option("--years", required=True, metavar="N|permanent", help="Years kept (0: due at once) or permanent.")
@click.option("--from", "trigger", required=True, type=click.Choice(["relationship_end", "document_date", "filing"]),
              help="When the years start counting.")
@click.option("--json", "as_json", is_flag=True)
@as_user()
@click.pass_context
def retention_rule_set(ctx: click.Context, kind: str, grade: str | None, years: str, trigger: str, as_json: bool,
                       as_user: str) -> None:
    """Set the rule for a kind (and grade); every document it governs gets its new due date."""
    from archive_store import retention as retention_

    system = system_for(ctx)
    rule_id = retention_.set_rule(system, actor_for(system, as_user), doc_type=kind, grade=grade,
                                  years=retention_.parse_years(years), trigger=trigger)
    if as_json:
        click.echo(json.dumps({"id": rule_id}))
    else:
        label = retention_.class_label(retention_.class_code(retention_.parse_years(years)))
        click.echo(f"rule {rule_id}: {kind}/{(grade or '*').upper()} {label} from {trigger}")


@retention.command("due")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Plan ahead: due on or before this date.")
@click.option("--json", "as_json", is_flag=True)
@as_user(required=False)
@click.pass_context
def retention_due(ctx: click.Context, as_of, as_json: bool, as_user: str | None) -> None:
    """List the documents due for destruction (held ones are listed with their holds)."""
    from datetime import date

    from archive_store import retention as retention_

    system = system_for(ctx)
    day = as_of.date() if as_of else date.today()
    rows = retention_.due(system, actor_for(system, as_user), as_of=day)
    if as_json:
        click.echo(json.dumps({"as_of": day.isoformat(), "total": len(rows), "items": [r.to_json() for r in rows]},
                              ensure_ascii=False))
        return
    click.echo(f"{len(rows)} document(s) due on or before {day.isoformat()}")
    for r in rows:
        notes = "".join([f"\theld #{','.join(map(str, r.holds))}" if r.holds else "",
                         f"\tin {r.batch_no}" if r.batch_no else ""])
        click.echo(f"{r.doc_no}\t{r.due.isoformat()}\t{retention_.class_label(r.retention_class)}\t{r.customer or ''}{notes}")


@main.group()
def hold() -> None:
    """Legal holds (诉讼保留): nothing under an open hold is destroyed, edited, merged or removed."""


@hold.command("place")
@click.argument("target", metavar="ARCHIVE_NO|DOC_NO")
@click.option("--reason", required=True)
@as_user()
@click.pass_context
def hold_place(ctx: click.Context, target: str, reason: str, as_user: str) -> None:
    """Hold an archive or one document; prints {"id": …}."""
    from archive_store.retention import place_hold

    system = system_for(ctx)
    click.echo(json.dumps({"id": place_hold(system, actor_for(system, as_user), target, reason)}))


@hold.command("release")
@click.argument("hold_id", metavar="ID", type=int)
@click.option("--reason", required=True)
@as_user()
@click.pass_context
def hold_release(ctx: click.Context, hold_id: int, reason: str, as_user: str) -> None:
    """Release a hold; the reason is kept in the audit trail."""
    from archive_store.retention import release_hold

    system = system_for(ctx)
    release_hold(system, actor_for(system, as_user), hold_id, reason)
    click.echo(f"hold {hold_id} released")


@main.group()
def disposal() -> None:
    """Destruction batches: propose, approve (department head, then leader), execute, certificate."""


@disposal.command("propose")
@click.argument("doc_nos", nargs=-1, required=True, metavar="DOC_NO...")
@click.option("--method", required=True, type=click.Choice(["shred", "erase"]),
              help="shred for paper, erase for electronic.")
@as_user()
@click.pass_context
def disposal_propose(ctx: click.Context, doc_nos: tuple[str, ...], method: str, as_user: str) -> None:
    """Propose a batch of due documents; prints {"id": …}."""
    from archive_store.disposal import propose

    system = system_for(ctx)
    click.echo(json.dumps({"id": propose(system, actor_for(system, as_user), list(doc_nos), method)}))


@disposal.command("approve")
@click.argument("batch_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True)
@as_user()
@click.pass_context
def disposal_approve(ctx: click.Context, batch_id: int, as_json: bool, as_user: str) -> None:
    """Approve a batch: the department head first, then a leader."""
    from archive_store.disposal import approve

    system = system_for(ctx)
    status = approve(system, actor_for(system, as_user), batch_id)
    click.echo(json.dumps({"id": batch_id, "status": status}) if as_json else f"batch {batch_id}: {status}")


@disposal.command("execute")
@click.argument("batch_id", metavar="ID", type=int)
@click.option("--witness", "witnesses", multiple=True, help="A witness (监销人); name two.")
@click.option("--place", help="Where the destruction takes place (printed on the certificate).")
@click.option("--json", "as_json", is_flag=True)
@as_user()
@click.pass_context
def disposal_execute(ctx: click.Context, batch_id: int, witnesses: tuple[str, ...], place: str | None,
                     as_json: bool, as_user: str) -> None:
    """Execute an approved batch before two witnesses and issue its certificate."""
    from archive_store.disposal import execute

    system = system_for(ctx)
    result = execute(system, actor_for(system, as_user), batch_id, list(witnesses), place=place)
    if as_json:
        click.echo(json.dumps({"id": batch_id, "batch_no": result.batch_no, "destroyed": list(result.destroyed),
                               "withheld": [{"doc_no": n, "reason": r} for n, r in result.withheld],
                               "certificate_sha256": result.certificate_sha256}, ensure_ascii=False))
        return
    click.echo(f"{result.batch_no}: {len(result.destroyed)} destroyed, {len(result.withheld)} withheld")
    for doc_no, why in result.withheld:
        click.echo(f"withheld: {doc_no}\t{why}")
    click.echo(f"certificate sha256 {result.certificate_sha256}")


@disposal.command("certificate")
@click.argument("batch_id", metavar="ID", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@as_user(required=False)
@click.pass_context
def disposal_certificate(ctx: click.Context, batch_id: int, output: Path, as_user: str | None) -> None:
    """Write the batch's destruction certificate (checked against its fingerprint) to a file."""
    import hashlib

    from archive_store.disposal import certificate

    system = system_for(ctx)
    _name, data = certificate(system, actor_for(system, as_user), batch_id)
    output.write_bytes(data)
    click.echo(f"wrote {output} (sha256 {hashlib.sha256(data).hexdigest()})")


# --- safekeeping: backup, restore, the drill (archive_store/backup.py) ----------------


def _progress_bar(stack):
    """A progress callback that draws on a terminal, or None when the output is piped."""
    if not sys.stdout.isatty():
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = stack.enter_context(Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()))
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)
    return update


@main.command()
@click.argument("args", nargs=-1, metavar="[prune] [DEST]")
@click.pass_context
def backup(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Back up the data folder into DEST (default: [backup] dest in dossier.toml).

    `dossier backup prune [DEST]` removes the backups older than [backup] keep_days."""
    from contextlib import ExitStack

    from archive_store import backup as safekeeping

    if args and args[0] == "prune":
        if len(args) > 2:
            raise click.UsageError("usage: dossier backup prune [DEST]")
        system = system_for(ctx)
        result = safekeeping.prune(system, actor_for(system, None), args[1] if len(args) > 1 else None)
        click.echo(f"removed {len(result.removed)} expired backup(s) {' '.join(result.removed)}; "
                   f"kept {len(result.kept)}; removed {result.objects_removed} unlisted store file(s)")
        return
    if len(args) > 1:
        raise click.UsageError("usage: dossier backup [DEST]")
    system = system_for(ctx)
    with ExitStack() as stack:
        result = safekeeping.backup(system, actor_for(system, None), args[0] if args else None,
                                    progress=_progress_bar(stack))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"backup {result.backup_id}: {result.files} files, {result.new_objects} new store file(s), "
               f"{result.bytes_copied:,} bytes copied, {result.counts.get('documents', 0)} documents -> {result.path}")
    ctx.exit(EXIT_PROBLEMS if result.warnings else 0)


@main.command()
@click.argument("src", type=click.Path(file_okay=False))
@click.option("--backup", "backup_id", help="Which backup in SRC (default: the latest).")
@click.option("--database", metavar="URL",
              help="A PostgreSQL backup: the empty database to restore into (default: DATABASE_URL).")
@click.pass_context
def restore(ctx: click.Context, src: str, backup_id: str | None, database: str | None) -> None:
    """Restore a backup from SRC into the (empty) data folder given by --data; a PostgreSQL
    backup's database into the empty database given by --database."""
    from contextlib import ExitStack

    from archive_store.backup import restore as run_restore

    with ExitStack() as stack:
        result = run_restore(src, ctx.obj["data_dir"], backup_id=backup_id, database=database,
                             progress=_progress_bar(stack))
    click.echo(f"restored backup {result.backup_id} into {result.data_dir}: {result.files} files, "
               f"{result.counts.get('documents', 0)} documents, {result.indexed} indexed")


@main.command()
@click.argument("dest", required=False)
@click.option("--scratch", type=click.Path(file_okay=False, exists=True),
              help="Where to restore for the drill (default: the system's temporary folder); it needs room for a full copy.")
@click.pass_context
def drill(ctx: click.Context, dest: str | None, scratch: str | None) -> None:
    """The restore drill (恢复演练): restore the latest backup in DEST into a scratch folder,
    check it, compare it with the live system and record how it went (exit 1 if it failed).
    On PostgreSQL its database goes into a scratch database created and dropped for the
    drill (the database role needs CREATEDB)."""
    from contextlib import ExitStack

    from archive_store import backup as safekeeping

    system = system_for(ctx)
    with ExitStack() as stack:
        report = safekeeping.drill(system, actor_for(system, None), dest, scratch=scratch, progress=_progress_bar(stack))
    click.echo(f"restore drill of backup {report.backup_id or '-'}: {'PASSED' if report.passed else 'FAILED'} "
               f"in {report.seconds:.1f} s")
    click.echo(f"  verify: {report.stored_files_checked} stored files; audit verify: {report.audit_events_checked} events")
    for table in ("archives", "documents", "audit_events"):
        if table in report.backup_counts:
            click.echo(f"  {table}: {report.backup_counts[table]} in the backup, "
                       f"{report.restored_counts.get(table, '-')} restored, {report.live_counts.get(table, '-')} live")
    click.echo(f"  searches: {len(report.searches)} compared with the live system")
    for problem in report.problems:
        click.echo(f"  problem: {problem}")
    ctx.exit(0 if report.passed else EXIT_PROBLEMS)


if __name__ == "__main__":
    main()
