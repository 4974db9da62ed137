"""Disposal: destruction batches (proposed → department head → leader → executed) and the
destruction certificate (销毁清册 / 销毁证明).

POLICY.md: expired archives are cleared on a plan approved by the leadership, destruction
is thorough and recorded. Execution keeps a ghost of each document (number, catalogue
line, metadata, status "destroyed"); only the content goes: the original, the archival
PDF and the page images leave the store (a file another live document shares stays), and
the document leaves the index.

Side effects come in a fixed order. (1) One transaction marks the documents destroyed and
writes the audit events. (2) After the commit, the files are removed and the index entries
dropped. (3) The certificate is drawn from the database, written to certificates/ and its
SHA-256 recorded in the audit chain. Steps 2 and 3 are `_finish`, which is safe to run
again: if the process dies after (1), asking for the certificate finishes the job.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from archive_store import access, audit, loans, retention, search_docs
from archive_store.errors import DossierError, InvalidState, NotAllowed, NotFound
from archive_store.models import (Archive, BatchStatus, DestructionCertificate, DisposalApproval, DisposalBatch,
                                  DisposalItem, DocStatus, Document, RetentionRule, Role, User, utcnow)
from archive_store.numbering import next_value
from archive_store.system import System
from archive_store.users import find_user
from archive_store.verify import expected_files

METHODS = {"shred": "粉碎（纸质）", "erase": "电子删除"}
DEFAULT_PLACE = {"shred": "档案室", "erase": "Dossier 电子档案存储"}
MAX_ITEMS = 10_000

PROPOSE_ROLES = frozenset({Role.archive_manager})
EXECUTE_ROLES = frozenset({Role.archive_manager})
# The department head approves first, then a leader (POLICY.md: a plan approved by the leadership).
STEPS = ((BatchStatus.proposed, Role.dept_head, BatchStatus.dept_approved),
         (BatchStatus.dept_approved, Role.leader, BatchStatus.approved))
APPROVE_ROLES = frozenset(role for _, role, _ in STEPS)
READ_ROLES = retention.READ_ROLES
_BEIJING = timezone(timedelta(hours=8))


def _load(session: Session, batch_id: int) -> DisposalBatch:
    batch = session.scalar(select(DisposalBatch).where(DisposalBatch.id == batch_id)
                           .options(selectinload(DisposalBatch.items).joinedload(DisposalItem.document)
                                    .joinedload(Document.archive),
                                    selectinload(DisposalBatch.approvals)))
    if batch is None:
        raise NotFound(f"没有编号为 {batch_id} 的销毁批次。")
    return batch


# --- propose and approve -------------------------------------------------------------------

def propose(system: System, actor: User, doc_nos: list[str], method: str, *, today: date | None = None) -> int:
    """A batch of due, unheld documents, none already in another open batch; returns its id."""
    access.require(actor, PROPOSE_ROLES, "只有档案管理员可以提出销毁计划。")
    if method not in METHODS:
        raise DossierError("销毁方式应为 shred（粉碎纸质件）或 erase（删除电子件）。")
    doc_nos = list(dict.fromkeys(n.strip() for n in doc_nos if n and n.strip()))
    if not doc_nos:
        raise DossierError("销毁计划至少需要一件文件。")
    if len(doc_nos) > MAX_ITEMS:
        raise DossierError(f"一个销毁批次最多 {MAX_ITEMS} 件。")
    today = today or date.today()
    with system.db.write() as s:
        docs = {}
        for chunk in retention.chunks(doc_nos):
            docs.update({d.doc_no: d for d in s.scalars(select(Document).options(joinedload(Document.archive))
                                                        .where(Document.doc_no.in_(chunk)))})
        missing = [n for n in doc_nos if n not in docs]
        if missing:
            raise NotFound(f"没有这些件号：{_few(missing)}。")
        ordered = [docs[n] for n in doc_nos]
        destroyed = [d.doc_no for d in ordered if d.status == DocStatus.destroyed]
        if destroyed:
            raise InvalidState(f"这些文件已销毁：{_few(destroyed)}。")
        not_due = [d.doc_no for d in ordered if d.retention_due is None or d.retention_due > today]
        if not_due:
            raise InvalidState(f"这些文件尚未到期，不能销毁：{_few(not_due)}。")
        holds = retention.open_holds_by_document(s, ordered)
        if holds:
            held = [f"{d.doc_no}（保留 #{holds[d.id][0].id}）" for d in ordered if d.id in holds]
            raise InvalidState(f"这些文件处于诉讼保留中，不能销毁：{_few(held)}。")
        lent = [d.doc_no for d in ordered if loans.archive_on_loan(s, d.archive_id)]
        if lent:
            raise InvalidState(f"这些文件所在档案正在外借，归还后才能销毁：{_few(lent)}。")
        in_batch = retention.open_batches_by_document(s, [d.id for d in ordered])
        if in_batch:
            taken = [f"{d.doc_no}（{in_batch[d.id]}）" for d in ordered if d.id in in_batch]
            raise InvalidState(f"这些文件已在其他未执行的销毁批次中：{_few(taken)}。")
        now = utcnow()
        batch = DisposalBatch(batch_no=f"XH{today.year}-{next_value(s, f'disposal:{today.year}'):03d}",
                              method=method, status=BatchStatus.proposed, proposed_by=actor.username,
                              proposed_at=now, witnesses=[])
        s.add(batch)
        s.flush()
        s.add_all(DisposalItem(batch_id=batch.id, document_id=d.id, serial=i,
                               retention_class=d.retention_class, retention_due=d.retention_due)
                  for i, d in enumerate(ordered, 1))
        audit.record(s, actor=actor.username, action="disposal.proposed", object_type="disposal_batch",
                     object_id=batch.batch_no, after={"method": method, "items": doc_nos})
        return batch.id


def _few(items: list[str], shown: int = 10) -> str:
    more = f" 等 {len(items)} 件" if len(items) > shown else ""
    return "、".join(items[:shown]) + more


def approve(system: System, actor: User, batch_id: int) -> str:
    """The department head's approval, then a leader's; returns the batch's new status."""
    access.require(actor, APPROVE_ROLES, "只有部门负责人和分管领导可以审批销毁计划。")
    with system.db.write() as s:
        batch = _load(s, batch_id)
        if batch.status == BatchStatus.executed:
            raise InvalidState(f"销毁批次 {batch.batch_no} 已执行。")
        if batch.status == BatchStatus.approved:
            raise InvalidState(f"销毁批次 {batch.batch_no} 已审批完毕。")
        if actor.username == batch.proposed_by:
            raise NotAllowed("提出销毁计划的人不能审批自己的计划。")
        if any(a.username == actor.username for a in batch.approvals):
            raise NotAllowed(f"您已审批过销毁批次 {batch.batch_no}，不能重复审批。")
        step = next(st for st in STEPS if st[0] == batch.status)
        if actor.role != step[1]:
            raise NotAllowed("销毁计划须先由部门负责人审批，再由分管领导审批。" if step[1] == Role.dept_head
                             else f"销毁批次 {batch.batch_no} 已由部门负责人审批，现须由分管领导审批。")
        # Holds placed since the proposal do not stop the approval: the item stays in the
        # plan, is reported here and drops out at execution (never destroyed while held).
        holds = retention.open_holds_by_document(s, [i.document for i in batch.items])
        s.add(DisposalApproval(batch_id=batch.id, step=step[1], username=actor.username,
                               display_name=actor.display_name or actor.username, at=utcnow()))
        before = batch.status
        batch.status = step[2]
        audit.record(s, actor=actor.username, action="disposal.approved", object_type="disposal_batch",
                     object_id=batch.batch_no, before={"status": before},
                     after={"status": batch.status, "step": step[1],
                            "held": sorted(i.document.doc_no for i in batch.items if i.document_id in holds)})
        return batch.status


# --- execution -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Execution:
    batch_no: str
    destroyed: tuple[str, ...]
    withheld: tuple[tuple[str, str], ...]  # (doc_no, why)
    certificate_sha256: str


def execute(system: System, actor: User, batch_id: int, witnesses: list[str], *, place: str | None = None,
            today: date | None = None) -> Execution:
    """Destroy an approved batch before two witnesses (监销人)."""
    access.require(actor, EXECUTE_ROLES, "只有档案管理员可以执行销毁。")
    names = list(dict.fromkeys(w.strip() for w in witnesses if w and w.strip()))
    today = today or date.today()
    with system.db.write() as s:
        batch = _load(s, batch_id)
        if batch.status == BatchStatus.executed:
            raise InvalidState(f"销毁批次 {batch.batch_no} 已于 {_local(batch.executed_at):%Y-%m-%d} 执行，不能重复执行。")
        if batch.status != BatchStatus.approved:
            raise InvalidState(f"销毁批次 {batch.batch_no} 尚未经部门负责人和分管领导审批，不能执行。")
        _check_witnesses(s, batch, actor, names)
        holds = retention.open_holds_by_document(s, [i.document for i in batch.items])
        destroyed, withheld, archives = [], [], {}
        for item in batch.items:
            doc = item.document
            why = _withhold_reason(doc, holds.get(doc.id), today, loans.archive_on_loan(s, doc.archive_id))
            if why:
                item.outcome, item.withheld_reason = "withheld", why
                withheld.append((doc.doc_no, why))
                continue
            item.outcome, before = "destroyed", doc.status
            # The class and due date that made it due today are the ones the certificate states.
            item.retention_class, item.retention_due = doc.retention_class, doc.retention_due
            doc.status = DocStatus.destroyed
            destroyed.append(doc.doc_no)
            archives[doc.archive_id] = doc.archive
            audit.record(s, actor=actor.username, action="document.destroyed", object_type="document",
                         object_id=doc.doc_no, before={"status": before},
                         after={"status": DocStatus.destroyed, "batch": batch.batch_no, "sha256": doc.sha256,
                                "archival_sha256": doc.archival_sha256, "page_images": list(doc.page_image_sha256 or [])})
        s.flush()
        for archive in archives.values():
            _close_archive_if_empty(s, archive, actor)
        batch.status, batch.executed_by, batch.executed_at = BatchStatus.executed, actor.username, utcnow()
        batch.witnesses, batch.place = names, (place or "").strip()[:256] or DEFAULT_PLACE[batch.method]
        audit.record(s, actor=actor.username, action="disposal.executed", object_type="disposal_batch",
                     object_id=batch.batch_no, before={"status": BatchStatus.approved},
                     after={"status": BatchStatus.executed, "witnesses": names, "place": batch.place,
                            "destroyed": destroyed, "withheld": [{"doc_no": n, "reason": r} for n, r in withheld]})
    cert = _finish(system, batch_id)
    return Execution(batch.batch_no, tuple(destroyed), tuple(withheld), cert.sha256)


def _check_witnesses(session: Session, batch: DisposalBatch, actor: User, names: list[str]) -> None:
    if len(names) < 2:
        raise DossierError("销毁须有两名监销人在场：请填写两名不同的监销人。")
    approvers = {a.username for a in batch.approvals}
    for name in names:
        user = find_user(session, name)
        if not user.active:
            raise DossierError(f"监销人 {name} 的账户已停用。")
        if name == batch.proposed_by:
            raise NotAllowed(f"监销人 {name} 是本批次的提出人，不能担任监销人。")
        if name in approvers:
            raise NotAllowed(f"监销人 {name} 审批了本批次，不能担任监销人。")
        if name == actor.username:
            raise NotAllowed(f"执行人 {name} 不能同时担任监销人。")


def _withhold_reason(doc: Document, holds, today: date, on_loan: bool) -> str | None:
    if holds:
        return f"诉讼保留 #{holds[0].id}：{holds[0].reason}"
    if on_loan:
        return "档案外借中，尚未归还"
    if doc.status == DocStatus.destroyed:
        return "已销毁"
    if doc.retention_due is None or doc.retention_due > today:
        # The rule changed after the proposal (longer, or permanent).
        return "保管期限规则变更后尚未到期" + (f"（到期日 {doc.retention_due}）" if doc.retention_due else "（永久）")
    return None


def _close_archive_if_empty(session: Session, archive: Archive, actor: User) -> None:
    """An archive all of whose documents are destroyed is itself marked destroyed; its number stays."""
    live = session.scalar(select(Document.id).where(Document.archive_id == archive.id,
                                                   Document.status != DocStatus.destroyed).limit(1))
    if live is None and archive.status != "destroyed":
        audit.record(session, actor=actor.username, action="archive.destroyed", object_type="archive",
                     object_id=archive.archive_no, before={"status": archive.status}, after={"status": "destroyed"})
        archive.status = "destroyed"


def _finish(system: System, batch_id: int) -> DestructionCertificate:
    """After the commit: remove the files, drop the index entries, issue the certificate. Re-runnable."""
    with system.db.read() as s:
        cert = s.scalar(select(DestructionCertificate).where(DestructionCertificate.batch_id == batch_id))
        if cert is not None:
            return cert
        batch = _load(s, batch_id)
        docs = [i.document for i in batch.items if i.outcome == "destroyed"]
        keep = expected_files(s)  # every file a live document still owns
    removed, shared = _remove_files(system, docs, keep)
    search_docs.reindex(system, [d.doc_no for d in docs])
    return _issue_certificate(system, batch_id, removed=removed, shared=shared)


def _files_of(doc: Document) -> list[str]:
    return [sha for sha in (doc.sha256, doc.archival_sha256, *(doc.page_image_sha256 or [])) if sha]


def _remove_files(system: System, docs: list[Document], keep: dict[str, str]) -> tuple[int, int]:
    """Returns (files of these documents no longer in the store, files kept because a live document shares them)."""
    mine = {sha for doc in docs for sha in _files_of(doc)}
    shared = {sha for sha in mine if sha in keep}
    remove_all(system.store, sorted(mine - shared))
    return len(mine - shared), len(shared)


REMOVE_THREADS = 8


def remove_all(store, shas: list[str]) -> None:
    """Remove these files from the store, several at a time.

    Each removal fsyncs its folder. One after another, every fsync waits for its own
    journal commit; side by side the filesystem commits them together (bench/disposal_bench.py:
    about 25 times faster for 400 files). The first failure is raised.
    """
    with ThreadPoolExecutor(max_workers=REMOVE_THREADS) as pool:
        for _ in pool.map(store.remove, shas):
            pass


# --- the certificate -------------------------------------------------------------------------

def _backups_holding(system: System, docs: list[Document]) -> list[tuple[str, date]]:
    """The backups (POLICY.md: kept elsewhere) that still hold a destroyed original, each with
    the day it expires: the certificate names them, since destruction is complete only then."""
    from archive_store.backup import backups_holding

    return backups_holding(system.settings, [d.sha256 for d in docs])


def _issue_certificate(system: System, batch_id: int, *, removed: int, shared: int) -> DestructionCertificate:
    with system.db.write() as s:
        existing = s.scalar(select(DestructionCertificate).where(DestructionCertificate.batch_id == batch_id))
        if existing is not None:
            return existing
        batch = _load(s, batch_id)
        docs = [i.document for i in batch.items if i.outcome == "destroyed"]
        rule_ids = {d.retention_rule_id for d in docs if d.retention_rule_id is not None}
        rules = list(s.scalars(select(RetentionRule).where(RetentionRule.id.in_(rule_ids)).order_by(RetentionRule.id)))
        held = _backups_holding(system, docs)
        pdf = render_certificate(batch, removed=removed, shared=shared, rules_used=rules, backups=held)
        sha = hashlib.sha256(pdf).hexdigest()
        name = f"{batch.batch_no}.pdf"
        _write_once(system.settings.certificates / name, pdf)
        cert = DestructionCertificate(batch_id=batch.id, file_name=name, sha256=sha, size=len(pdf), issued_at=utcnow())
        s.add(cert)
        s.flush()
        audit.record(s, actor=batch.executed_by or "system", action="disposal.certificate_issued",
                     object_type="disposal_batch", object_id=batch.batch_no,
                     after={"file": f"certificates/{name}", "sha256": sha, "size": len(pdf),
                            "files_removed": removed, "files_shared_kept": shared})
        return cert


def _write_once(path: Path, data: bytes) -> None:
    """Like the store: a temporary file, fsynced, renamed into place, read-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def certificate(system: System, actor: User, batch_id: int) -> tuple[str, bytes]:
    """The stored certificate (file name, bytes), checked against the SHA-256 in the audit chain."""
    access.require(actor, READ_ROLES, "您的角色无权下载销毁证明。")
    with system.db.read() as s:
        batch = _load(s, batch_id)
        if batch.status != BatchStatus.executed:
            raise InvalidState(f"销毁批次 {batch.batch_no} 尚未执行，还没有销毁证明。")
        cert = s.scalar(select(DestructionCertificate).where(DestructionCertificate.batch_id == batch_id))
    if cert is None:  # the process stopped between the execution and the certificate
        cert = _finish(system, batch_id)
    path = system.settings.certificates / cert.file_name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DossierError(f"销毁证明文件 certificates/{cert.file_name} 不见了：请从备份恢复。") from None
    if hashlib.sha256(data).hexdigest() != cert.sha256:
        raise DossierError(f"销毁证明文件 certificates/{cert.file_name} 与审计记录中的指纹不符，已被改动。")
    with system.db.write() as s:
        audit.record(s, actor=actor.username, action="disposal.certificate_downloaded", object_type="disposal_batch",
                     object_id=batch.batch_no, after={"sha256": cert.sha256})
    return cert.file_name, data


def _local(at: datetime | None) -> datetime:
    """Stored as naive UTC; the certificate is written in Beijing time."""
    return (at or utcnow()).replace(tzinfo=timezone.utc).astimezone(_BEIJING)


def _date_range(doc: Document) -> str:
    fields = doc.fields or {}
    start = fields.get("start_on") or (doc.issue_date.isoformat() if doc.issue_date else "")
    end = fields.get("end_on") or (doc.issue_date.isoformat() if doc.issue_date else "")
    if not start and not end:
        return "—"
    return start if start == end or not end else f"{start}至{end}" if start else end


KIND_LABELS = {"business_license": "营业执照", "contract": "合同", "collection_form": "客户信息收集表", "other": "其他"}


def _font() -> tuple[str, int]:
    from forms.blank_form import FONT_CANDIDATES

    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return path, index["zh-Hans"]
    raise DossierError("找不到中文字体，无法生成销毁证明：请安装 fonts-noto-cjk。")


class _CertificatePDF(FPDF):
    batch_no = ""

    def footer(self) -> None:
        # Every page names its batch and its place, so a loose page is never anonymous.
        self.set_y(-10)
        self.set_font("cjk", size=8)
        self.cell(0, 5, f"{self.batch_no}    第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")


def render_certificate(batch: DisposalBatch, *, removed: int, shared: int,
                       rules_used: list[RetentionRule] = (), backups: list[tuple[str, date]] = ()) -> bytes:
    """The certificate as an A4 PDF: the batch, who approved and witnessed, every item, the totals."""
    path, index = _font()
    pdf = _CertificatePDF(format="A4", unit="mm")
    pdf.batch_no = batch.batch_no
    pdf.set_creation_date(_local(batch.executed_at))
    pdf.set_title(f"销毁清册 {batch.batch_no}")
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(12, 12, 12)
    width = pdf.w - 24

    def line(text: str, size: float = 10, h: float = 6) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(width, h, text, new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(width, 12, "档案销毁清册及销毁证明", align="C", new_x="LMARGIN", new_y="NEXT")
    executed = _local(batch.executed_at)
    approvals = {a.step: a for a in batch.approvals}
    line(f"批次号：{batch.batch_no}    销毁日期：{executed:%Y-%m-%d %H:%M}（北京时间）")
    line(f"销毁方式：{METHODS[batch.method]}    销毁地点：{batch.place or DEFAULT_PLACE[batch.method]}")
    line(f"提出人（档案管理员）：{batch.proposed_by}    提出日期：{_local(batch.proposed_at):%Y-%m-%d}")
    for step, title in ((Role.dept_head, "部门负责人审批"), (Role.leader, "分管领导审批")):
        a = approvals.get(step)
        line(f"{title}：{a.display_name}（{a.username}）    审批日期：{_local(a.at):%Y-%m-%d}" if a else f"{title}：—")
    line(f"执行人：{batch.executed_by}    监销人：{'、'.join(batch.witnesses or [])}")
    pdf.ln(2)

    cols = (("序号", 10), ("件号", 30), ("档号", 24), ("客户名称", 40), ("类别", 24), ("起止日期", 24),
            ("页数", 10), ("保管期限", 14), ("到期日", 20))

    def header() -> None:
        pdf.set_font("cjk", size=8)
        for title, w in cols:
            pdf.cell(w, 6, title, border=1, align="C")
        pdf.ln()

    destroyed = [i for i in batch.items if i.outcome == "destroyed"]
    withheld = [i for i in batch.items if i.outcome == "withheld"]
    header()
    for item in destroyed:
        doc = item.document
        if pdf.will_page_break(11):
            pdf.add_page()
            header()
        pdf.set_font("cjk", size=8)
        values = (str(item.serial), doc.doc_no, doc.archive.archive_no, _fit(pdf, doc.archive.name or "—", 40),
                  KIND_LABELS.get(doc.doc_type, doc.doc_type), _date_range(doc), str(doc.pages),
                  retention.class_label(item.retention_class),
                  item.retention_due.isoformat() if item.retention_due else "—")
        for (_, w), value in zip(cols, values):
            pdf.cell(w, 5, value, border="LTR")
        pdf.ln()
        pdf.set_font("cjk", size=6.5)
        pdf.cell(sum(w for _, w in cols), 5, f"原件 SHA-256：{doc.sha256}", border="LBR")
        pdf.ln()

    pdf.ln(3)
    rules = {r.id: r for r in rules_used}
    if rules:
        line("依据的保管期限规则：", 10)
        for r in rules.values():
            line(f"  {KIND_LABELS.get(r.doc_type, r.doc_type)}（{'客户等级 ' + r.grade if r.grade else '所有等级'}）："
                 f"{retention.class_label(retention.class_code(r.years))}，自{retention.TRIGGER_LABELS[r.trigger]}起算", 9, 5)
    pages = sum(i.document.pages or 0 for i in destroyed)
    size = sum(i.document.size or 0 for i in destroyed)
    line(f"合计：销毁 {len(destroyed)} 件，共 {pages} 页，电子原件 {size} 字节；未销毁（保留）{len(withheld)} 件。", 10)
    if withheld:
        line("未销毁（保留）的文件：", 10)
        for item in withheld:
            line(f"  {item.serial}. {item.document.doc_no}  {item.withheld_reason}", 9, 5)
    pdf.ln(2)
    line("声明：上列文件的电子原件、归档 PDF 和页面图像已从 Dossier 存储中删除"
         f"（删除 {removed} 个文件；与未销毁文件共用的 {shared} 个文件保留），检索索引中的条目已删除；"
         "各件的件号、卷内目录条目和元数据保留，状态为“已销毁”。", 9, 5)
    if backups:
        last = max(expires for _, expires in backups)
        line(f"备份：以下 {len(backups)} 份备份仍含上列文件的电子原件，将随备份到期一并清除，"
             f"最晚于 {last.isoformat()} 到期：{'、'.join(sorted(b for b, _ in backups))}。", 9, 5)
    else:
        line("备份：没有仍含上列文件的备份。", 9, 5)
    pdf.ln(6)
    line("执行人签字：____________    监销人签字：____________  ____________    日期：____________", 10)

    return bytes(pdf.output())


def _fit(pdf, text: str, width: float) -> str:
    """Shorten a long customer name to its cell rather than let it run into the next column."""
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "…") > width - 1:
        text = text[:-1]
    return text + "…"


# --- reading -------------------------------------------------------------------------------

def list_batches(system: System, actor: User) -> list[DisposalBatch]:
    access.require(actor, READ_ROLES, "您的角色无权查看销毁批次。")
    with system.db.read() as s:
        return list(s.scalars(select(DisposalBatch).options(selectinload(DisposalBatch.approvals))
                              .order_by(DisposalBatch.id.desc())))


@dataclass
class BatchView:
    batch: DisposalBatch
    held: dict[int, int]          # document id -> an open hold over it (reported; drops out at execution)
    certificate: DestructionCertificate | None
    candidates: list[str]         # who may be named as a witness


def batch_view(system: System, actor: User, batch_id: int) -> BatchView:
    access.require(actor, READ_ROLES, "您的角色无权查看销毁批次。")
    with system.db.read() as s:
        batch = _load(s, batch_id)
        holds = retention.open_holds_by_document(s, [i.document for i in batch.items])
        cert = s.scalar(select(DestructionCertificate).where(DestructionCertificate.batch_id == batch_id))
        excluded = {batch.proposed_by, *(a.username for a in batch.approvals), actor.username}
        candidates = sorted(u for u in s.scalars(select(User.username).where(User.active.is_(True)))
                            if u not in excluded)
        return BatchView(batch, {k: v[0].id for k, v in holds.items()}, cert, candidates)
