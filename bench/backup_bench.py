"""Benchmark of safekeeping: backup, incremental backup, restore and drill of N documents.

    .venv/bin/python bench/backup_bench.py              # 10,000 documents
    .venv/bin/python bench/backup_bench.py --quick      # 500 documents

Rows and store objects are inserted directly (no OCR): each document has an original
(40 KB of random bytes, so nothing compresses) and a page image (20 KB), its text (about
1,500 characters) and one audit event, as filing would leave them. The baseline is a plain
`cp -r` of the same data folder (without the index), flushed to disk, in the same run: the backup's ratio to
it survives a busy machine better than the seconds do.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select  # noqa: E402

from archive_store import audit, backup as safekeeping  # noqa: E402
from archive_store.models import Archive, Document  # noqa: E402
from archive_store.system import init_data_dir  # noqa: E402
from archive_store.users import console_actor  # noqa: E402

WORDS = "客户 合同 设备 采购 服务 维保 年度 金额 甲方 乙方 签订 履行 交付 验收 付款 违约 责任 争议 解决 上海 北京 深圳 科技 贸易 有限公司".split()


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def populate(system, n: int, start: int = 0, seed: int = 25) -> None:
    rng = random.Random(seed + start)
    archives, docs, shas = [], [], []
    for i in range(start, start + n):
        original = system.store.put_bytes(rng.randbytes(40_000))
        page = system.store.put_bytes(rng.randbytes(20_000))
        name = f"{rng.choice(WORDS)}{rng.choice(WORDS)}{i}号有限公司"
        archives.append({"id": i + 1, "archive_no": f"2025P02{i:05d}", "customer_type": "enterprise",
                         "business_line": "P", "name": name, "name_key": name})
        text = name + " " + " ".join(rng.choice(WORDS) for _ in range(500))
        docs.append({"doc_no": f"2025P02{i:05d}-001", "archive_id": i + 1, "item_no": 1, "doc_type": "contract",
                     "title": f"{name}合同", "source_name": f"c{i}.pdf", "sha256": original, "size": 40_000,
                     "media_type": "application/pdf", "pages": 1, "text": text, "status": "effective",
                     "page_image_sha256": [page], "filed_by": "bench", "fields": {"party_a": name}})
        shas.append(original)
    with system.db.write() as s:
        s.execute(insert(Archive), archives)
        s.execute(insert(Document), docs)
        for doc in docs:
            audit.record(s, actor="bench", action="document.filed", object_type="document",
                         object_id=doc["doc_no"], after={"sha256": doc["sha256"]})


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="500 documents")
    args = ap.parse_args()
    n = 500 if args.quick else args.n
    work = Path(tempfile.mkdtemp(prefix="backup-bench-"))
    try:
        system, _ = init_data_dir(work / "data")
        _, t_fill = timed(lambda: populate(system, n))
        from archive_store.search_docs import rebuild
        _, t_reindex = timed(lambda: rebuild(system))  # the part of a restore that is not copying
        data_bytes = folder_bytes(system.settings.data_dir) - folder_bytes(system.settings.index_dir)
        print(f"{n:,} documents, {data_bytes / 1e6:.0f} MB in the data folder without the index "
              f"(filled in {t_fill:.1f} s)")

        # Baseline: a plain recursive copy of the same bytes, the index left out.
        def plain_copy():
            (work / "plain").mkdir()
            for child in system.settings.data_dir.iterdir():
                if child.name != "index":
                    subprocess.run(["cp", "-r", str(child), str(work / "plain")], check=True)
            safekeeping._sync(work / "plain")  # flushed to disk, as the backup is before its manifest
        _, t_cp = timed(plain_copy)
        shutil.rmtree(work / "plain")

        op = console_actor("system:bench")
        dest = work / "offsite"
        first, t_backup = timed(lambda: safekeeping.backup(system, op, dest))
        backup_bytes = folder_bytes(dest)
        populate(system, 10, start=n)
        second, t_incr = timed(lambda: safekeeping.backup(system, op, dest))
        incr_bytes = folder_bytes(dest) - backup_bytes
        restored, t_restore = timed(lambda: safekeeping.restore(dest, work / "restored", record=False))
        restored_bytes = folder_bytes(work / "restored")
        shutil.rmtree(work / "restored")
        report, t_drill = timed(lambda: safekeeping.drill(system, op, dest, scratch=work))
        assert report.passed, report.problems
        assert restored.counts["documents"] == n + 10

        print(f"{'':34}{'seconds':>9}{'x cp -r':>9}{'MB':>9}")
        print(f"{'plain cp -r (baseline)':34}{t_cp:9.1f}{1:9.2f}{data_bytes / 1e6:9.0f}")
        print(f"{'dossier reindex (baseline 2)':34}{t_reindex:9.1f}{t_reindex / t_cp:9.2f}")
        print(f"{'backup, first':34}{t_backup:9.1f}{t_backup / t_cp:9.2f}{backup_bytes / 1e6:9.0f}"
              f"   {first.new_objects:,} store files copied")
        print(f"{'backup, second (+10 documents)':34}{t_incr:9.1f}{t_incr / t_cp:9.2f}{incr_bytes / 1e6:9.1f}"
              f"   {second.new_objects} store files copied")
        print(f"{'restore (check + copy + reindex)':34}{t_restore:9.1f}{t_restore / t_cp:9.2f}{restored_bytes / 1e6:9.0f}"
              f"   {restored.indexed:,} indexed")
        print(f"{'drill (restore + verify + compare)':34}{t_drill:9.1f}{t_drill / t_cp:9.2f}{'':>9}"
              f"   {report.stored_files_checked:,} files, {report.audit_events_checked:,} events, "
              f"{len(report.searches)} searches")
        print("  the drill's time: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.stages.items()))
        system.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
