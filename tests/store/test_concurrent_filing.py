"""Four processes file 200 documents each into one SQLite database at once."""
from __future__ import annotations

import hashlib
import multiprocessing as mp
import random
import re
from collections import defaultdict

from sqlalchemy import select

from archive_store import audit
from archive_store.filing import FilingInput, file_document
from archive_store.matching import CustomerRef
from archive_store.models import Archive, Document

PROCESSES, PER_PROCESS = 4, 200


def customers() -> list[CustomerRef]:
    """A shared pool, so processes race to open the same customer's archive too."""
    pool = []
    for i in range(40):
        pool.append(CustomerRef("enterprise", name=f"测试企业{i}有限公司", uscc=f"91310000MA{i:08d}"))
    for i in range(40):
        pool.append(CustomerRef("individual", name=f"客户{i}", id_number=f"1101011990{i:08d}"))
    return pool


def file_many(data_dir: str, worker: int) -> list[str]:
    from archive_store.system import open_system

    system = open_system(data_dir)
    rng = random.Random(worker)
    pool = customers()
    numbers = []
    for i in range(PER_PROCESS):
        payload = f"{worker}-{i}".encode()
        item = FilingInput(
            source_name=f"scan-{worker}-{i}.png", sha256=hashlib.sha256(payload).hexdigest(),
            size=len(payload), media_type="image/png", customer=rng.choice(pool),
            business_line=rng.choice(["P", "S"]), doc_type="collection_form",
        )
        with system.db.write() as session:
            numbers.append(file_document(session, system.settings, actor=f"worker{worker}", item=item).doc_no)
    system.close()
    return numbers


def test_four_processes_file_800_documents_with_distinct_gapless_numbers(system):
    data_dir = str(system.settings.data_dir)
    with mp.get_context("spawn").Pool(PROCESSES) as pool:
        results = pool.starmap(file_many, [(data_dir, w) for w in range(PROCESSES)])
    doc_nos = [n for batch in results for n in batch]
    assert len(doc_nos) == 800 and len(set(doc_nos)) == 800

    with system.db.read() as s:
        archives = s.scalars(select(Archive)).all()
        docs = s.scalars(select(Document)).all()
        assert len(docs) == 800
        # Archive numbers: within each scope (year+biz+ctype) the sequence is 1..n.
        by_scope = defaultdict(list)
        for a in archives:
            m = re.fullmatch(r"(\d{4}[PS]0[12])(\d{3,})", a.archive_no)
            assert m, a.archive_no
            by_scope[m.group(1)].append(int(m.group(2)))
        for scope, seqs in by_scope.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), scope
        # One archive per customer, even though four processes raced to open it.
        assert len(archives) == len({(a.uscc, a.id_number) for a in archives})
        # Item numbers: within each archive 1..k, and doc_no = archive_no-item.
        items = defaultdict(list)
        for d in docs:
            items[d.archive.archive_no].append(d.item_no)
            assert d.doc_no == f"{d.archive.archive_no}-{d.item_no:03d}"
        for archive_no, nos in items.items():
            assert sorted(nos) == list(range(1, len(nos) + 1)), archive_no
        assert audit.verify_chain(s) == []
