"""Benchmark of disposal: executing a batch of N documents and issuing its certificate.

    .venv/bin/python bench/disposal_bench.py            # a batch of 1,000 documents
    .venv/bin/python bench/disposal_bench.py --n 200    # a smaller batch
    .venv/bin/python bench/disposal_bench.py --quick    # what `make bench` runs (100)

Builds a throwaway data folder with 2N due contracts (plus `--extra` documents that are not
due, so the store and index hold more than the batch), each with an original, an archival
PDF and two page images in the store (four files, 4 KB each), all indexed. Half the due
documents go through the real verbs: propose, approve twice, then `disposal.execute` with
two witnesses — timed as a whole, and the certificate (`_issue_certificate`: draw the PDF,
write it to certificates/, record it) timed inside it. The other half is the baseline,
destroyed by hand the cheapest way that still does the same to the store and index: one
UPDATE of their status, the files removed as the verb removes them, one index removal — no checks, no audit, no
certificate. A second baseline for the certificate: the one-page blank collection form,
drawn with fpdf2 in the same CJK font. Times are wall-clock on this machine; the ratios to
the baselines are the figures that travel. For comparison, the same number of files is also
removed one at a time, the way the store's `remove` is written to be called.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, update  # noqa: E402

from archive_store import disposal, retention, search_docs  # noqa: E402
from archive_store.filing import FilingInput, file_document  # noqa: E402
from archive_store.matching import CustomerRef  # noqa: E402
from archive_store.models import AuditEvent, DocStatus, Document, User  # noqa: E402
from archive_store.system import init_data_dir  # noqa: E402
from index import SearchIndex  # noqa: E402

CITIES = ["上海", "北京", "广州", "深圳", "杭州", "南京", "苏州", "成都"]
WORDS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕春菊凤洁梅琳云莲雪荣"
CHUNK = 500


def build(system, n_due: int, n_extra: int) -> list[str]:
    with system.db.write() as s:
        for name, role in (("am1", "archive_manager"), ("head1", "dept_head"), ("lead1", "leader"),
                           ("w1", "clerk"), ("w2", "sales")):
            s.add(User(username=name, role=role, display_name=name, password_hash="!"))
    doc_nos: list[str] = []
    total = n_due + n_extra
    for start in range(0, total, CHUNK):
        with system.db.write() as s:
            for i in range(start, min(start + CHUNK, total)):
                files = [system.store.put_bytes(f"{kind}:{i}:".encode() + os.urandom(4096))
                         for kind in ("original", "archival", "page1", "page2")]
                name = f"{CITIES[i % len(CITIES)]}{WORDS[i % 40]}{WORDS[(i // 40) % 40]}{i}有限公司"
                doc = file_document(s, system.settings, actor="bench", item=FilingInput(
                    source_name=f"{i}.pdf", sha256=files[0], size=4096 + 12, media_type="application/pdf",
                    customer=CustomerRef("enterprise", name=name), business_line="P", doc_type="contract",
                    title=f"{name}合同", pages=2, script="zh-Hans", text=f"{name} 设备采购合同 第{i}号",
                    fields={"party_a": name}, issue_date=date(2010, 1, 1) if i < n_due else date(2090, 1, 1),
                    archival_sha256=files[1], page_image_sha256=tuple(files[2:])))
                doc.status = DocStatus.effective
                doc_nos.append(doc.doc_no)
    search_docs.rebuild(system)
    return doc_nos


def by_hand(system, doc_nos: list[str]) -> dict[str, float]:
    """The baseline: the same store and index effect with nothing else; returns each part's seconds."""
    t0 = time.perf_counter()
    with system.db.write() as s:
        docs = s.execute(select(Document.sha256, Document.archival_sha256, Document.page_image_sha256)
                         .where(Document.doc_no.in_(doc_nos))).all()
        s.execute(update(Document).where(Document.doc_no.in_(doc_nos)).values(status=DocStatus.destroyed))
    t1 = time.perf_counter()
    # The same removal as the verb's (several at a time), so the ratio is what the verb adds.
    disposal.remove_all(system.store, [sha for d in docs for sha in (d.sha256, d.archival_sha256, *d.page_image_sha256)])
    t2 = time.perf_counter()
    SearchIndex(system.settings.index_dir).remove(doc_nos)
    t3 = time.perf_counter()
    return {"database": t1 - t0, "store": t2 - t1, "index": t3 - t2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="documents in the batch")
    parser.add_argument("--extra", type=int, default=1000, help="documents that are not due")
    parser.add_argument("--quick", action="store_true", help="a batch of 100, 200 extra")
    args = parser.parse_args()
    if args.quick:
        args.n, args.extra = 100, 200

    with tempfile.TemporaryDirectory(prefix="disposal-bench-") as tmp:
        system, _ = init_data_dir(Path(tmp) / "data")
        t0 = time.perf_counter()
        doc_nos = build(system, 2 * args.n, args.extra)
        built = time.perf_counter() - t0
        batch_docs, hand_docs = doc_nos[:args.n], doc_nos[args.n:2 * args.n]
        with system.db.read() as s:
            users = {u.username: u for u in s.scalars(select(User))}
        retention.set_rule(system, users["am1"], doc_type="contract", grade=None, years=5, trigger="document_date")
        batch = disposal.propose(system, users["am1"], batch_docs, "erase")
        disposal.approve(system, users["head1"], batch)
        disposal.approve(system, users["lead1"], batch)

        spent: dict[str, float] = {}

        def timed(name, real):
            def run(*a, **k):
                t = time.perf_counter()
                try:
                    return real(*a, **k)
                finally:
                    spent[name] = time.perf_counter() - t
            return run

        # The verb's three steps: the transaction, then _finish (files and index), inside it the certificate.
        real_finish, real_issue = disposal._finish, disposal._issue_certificate
        disposal._finish, disposal._issue_certificate = timed("finish", real_finish), timed("certificate", real_issue)
        t0 = time.perf_counter()
        result = disposal.execute(system, users["am1"], batch, ["w1", "w2"])
        execute_s = time.perf_counter() - t0
        disposal._finish, disposal._issue_certificate = real_finish, real_issue
        with system.db.read() as s:
            events = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.in_(
                ("document.destroyed", "archive.destroyed", "disposal.executed"))))
        assert len(result.destroyed) == args.n

        parts = by_hand(system, hand_docs)
        hand_s = sum(parts.values())

        # What removing one file at a time would cost (the store's own remove, in a loop).
        spare = [system.store.put_bytes(os.urandom(4096)) for _ in range(4 * args.n)]
        t0 = time.perf_counter()
        for sha in spare:
            system.store.remove(sha)
        one_by_one = time.perf_counter() - t0

        from forms import print_blank_form
        print_blank_form()  # the font is parsed once per process; do not charge it to either side
        t0 = time.perf_counter()
        blank = print_blank_form()
        blank_s = time.perf_counter() - t0
        cert_path = next(system.settings.certificates.glob("*.pdf"))
        from pypdf import PdfReader
        pages = len(PdfReader(cert_path).pages)
        size = cert_path.stat().st_size
        system.close()

    destroy_s = execute_s - spent["certificate"]
    transaction_s = execute_s - spent["finish"]
    print(f"documents filed: {2 * args.n + args.extra} in {built:.1f} s (batch {args.n}, baseline {args.n}, "
          f"not due {args.extra}; 4 files each)")
    print(f"execute (whole verb):      {execute_s:8.2f} s   {args.n / execute_s:8.1f} docs/s")
    print(f"  destruction proper:      {destroy_s:8.2f} s   ({destroy_s / hand_s:.1f}x baseline)")
    print(f"    of which the transaction: {transaction_s:5.2f} s   ({events} audit events, "
          f"{transaction_s / events * 1000:.1f} ms each); files and index {spent['finish'] - spent['certificate']:.2f} s")
    print(f"  certificate:             {spent['certificate']:8.2f} s   {pages} pages, {size / 1024:.0f} KiB "
          f"({size / args.n:.0f} B per item; {spent['certificate'] / blank_s:.0f}x the one-page blank form)")
    print(f"baseline by hand:          {hand_s:8.2f} s   (UPDATE {parts['database']:.2f} s, unlink + fsync "
          f"{parts['store']:.2f} s, index remove {parts['index']:.2f} s)")
    print(f"  ({4 * args.n} files removed one at a time instead: {one_by_one:.2f} s)")
    print(f"baseline blank form PDF:   {blank_s:8.3f} s   {len(blank) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
