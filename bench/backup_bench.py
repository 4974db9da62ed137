"""Benchmark of safekeeping: backup, incremental backup, restore and drill of N documents.

    .venv/bin/python bench/backup_bench.py              # 10,000 documents
    .venv/bin/python bench/backup_bench.py --quick      # 500 documents
    .venv/bin/python bench/backup_bench.py --n 2000 --database both   # SQLite, then PostgreSQL

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
import re
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


def new_data_folder(root: Path, url: str | None):
    """A data folder on SQLite (url None) or on the PostgreSQL database `url`, set up the
    way `dossier init` does it (its admin account and audit trail in that database)."""
    from archive_store.settings import write_default_settings

    root.mkdir(parents=True)
    toml = write_default_settings(root)
    if url:
        toml.write_text(re.sub(r'(?m)^database_url = .*$', f'database_url = "{url}"', toml.read_text()))
    return init_data_dir(root)[0]


def database_alone(system, work: Path, url: str | None, restore_url: str | None) -> tuple[float, float, int]:
    """The one part where the two databases differ, timed alone: (seconds to take the
    database's copy, seconds to put it back, its bytes). SQLite: the online backup, then
    copying the file back; PostgreSQL: pg_dump, then pg_restore into an empty database."""
    from sqlalchemy.engine import make_url

    out = work / "database-alone"
    if url is None:
        db = Path(system.db.engine.url.database)
        _, t_take = timed(lambda: safekeeping._sqlite_copy(db, out))
        _, t_put = timed(lambda: (shutil.copyfile(out, work / "database-back"), safekeeping._sync(work)))
    else:
        _, t_take = timed(lambda: subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={out}",
                                                  safekeeping._pg_tool_url(make_url(url))], check=True))
        _, t_put = timed(lambda: subprocess.run(["pg_restore", "--no-owner", "--single-transaction",
                                                 f"--dbname={safekeeping._pg_tool_url(make_url(restore_url))}",
                                                 str(out)], check=True))
    return t_take, t_put, out.stat().st_size


def measure(work: Path, n: int, url: str | None, restore_urls: tuple[str | None, str | None]) -> dict:
    """Fill, then time the baselines, two backups, a restore and a drill, on one database."""
    system = new_data_folder(work / "data", url)
    _, t_fill = timed(lambda: populate(system, n))
    from archive_store.search_docs import rebuild
    _, t_reindex = timed(lambda: rebuild(system))  # the part of a restore that is not copying
    data_bytes = folder_bytes(system.settings.data_dir) - folder_bytes(system.settings.index_dir)

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
    restored, t_restore = timed(lambda: safekeeping.restore(dest, work / "restored", record=False,
                                                            database=restore_urls[0]))
    restored_bytes = folder_bytes(work / "restored")
    shutil.rmtree(work / "restored")
    report, t_drill = timed(lambda: safekeeping.drill(system, op, dest, scratch=work))
    assert report.passed, report.problems
    assert restored.counts["documents"] == n + 10
    t_take, t_put, db_bytes = database_alone(system, work, url, restore_urls[1])
    system.close()
    return {"fill": t_fill, "data_bytes": data_bytes, "rows": [
        ("plain cp -r (baseline)", t_cp, f"{data_bytes / 1e6:.0f}", ""),
        ("dossier reindex (baseline 2)", t_reindex, "", ""),
        ("backup, first", t_backup, f"{backup_bytes / 1e6:.0f}", f"{first.new_objects:,} store files copied"),
        ("backup, second (+10 documents)", t_incr, f"{incr_bytes / 1e6:.1f}", f"{second.new_objects} store files copied"),
        ("restore (check + copy + reindex)", t_restore, f"{restored_bytes / 1e6:.0f}", f"{restored.indexed:,} indexed"),
        ("drill (restore + verify + compare)", t_drill, "",
         f"{report.stored_files_checked:,} files, {report.audit_events_checked:,} events, {len(report.searches)} searches"),
        ("the database alone: take a copy", t_take, f"{db_bytes / 1e6:.1f}", "online backup / pg_dump"),
        ("the database alone: put it back", t_put, "", "copy the file / pg_restore"),
    ], "stages": report.stages}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="500 documents")
    ap.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite",
                    help="postgresql: a temporary cluster on a loopback port (tests/pg.py); both: each, "
                         "SQLite first, and PostgreSQL's times against SQLite's")
    args = ap.parse_args()
    n = 500 if args.quick else args.n
    work = Path(tempfile.mkdtemp(prefix="backup-bench-"))
    cluster = None
    try:
        results = {}
        for label in (["sqlite", "postgresql"] if args.database == "both" else [args.database]):
            url, restore_urls = None, (None, None)
            if label == "postgresql":
                if cluster is None:
                    from tests.pg import Cluster

                    cluster = Cluster()
                    cluster.start()
                url = cluster.new_database(empty=True)
                restore_urls = (cluster.new_database(empty=True), cluster.new_database(empty=True))
            results[label] = r = measure(work / label, n, url, restore_urls)
            print(f"\n{label}: {n:,} documents, {r['data_bytes'] / 1e6:.0f} MB in the data folder without the index "
                  f"(filled in {r['fill']:.1f} s)")
            t_cp = r["rows"][0][1]
            print(f"{'':36}{'seconds':>9}{'x cp -r':>9}{'MB':>9}")
            for name, t, mb, note in r["rows"]:
                print(f"{name:36}{t:9.2f}{t / t_cp:9.2f}{mb:>9}   {note}")
            print("  the drill's time: " + ", ".join(f"{k} {v:.1f} s" for k, v in r["stages"].items()))
        if len(results) == 2:
            print("\nPostgreSQL against SQLite, same documents, same run:")
            for (name, t_sq, *_), (_, t_pg, *_) in zip(results["sqlite"]["rows"], results["postgresql"]["rows"]):
                print(f"  {name:36}{t_sq:7.2f} s{t_pg:7.2f} s   x{t_pg / t_sq:.2f}")
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
