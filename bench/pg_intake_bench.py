"""Born-digital intake throughput with 1, 2 and 4 worker processes on PostgreSQL, against
SQLite (the baseline) in the same run.

    .venv/bin/python bench/pg_intake_bench.py            # 240 PDFs
    .venv/bin/python bench/pg_intake_bench.py --quick    # 48 PDFs

Each worker is one `dossier ingest --workers 1` process over its own share of the files, all
on one data folder and one database, started together; the figure is files filed per second
of wall time until the last process ends. (`dossier watch --workers N` does not yet start
processes: see issue 27. This measures what the shared database allows several processes.)
PostgreSQL is a temporary cluster on a loopback port (tests/pg.py), stopped at the end.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from archive_store.models import Document, IntakeJob  # noqa: E402
from archive_store.system import init_data_dir, open_system  # noqa: E402
from tests.docgen import documents  # noqa: E402
from tests.pg import Cluster  # noqa: E402

DOSSIER = str(Path(sys.executable).parent / "dossier")
TIMEOUT = 1800  # seconds: a bound on each run, whatever happens


def run(root: Path, files: list[Path], processes: int, url: str | None) -> tuple[float, int, int, int]:
    data = root / f"data-{processes}-{'pg' if url else 'sqlite'}"
    system, _ = init_data_dir(data)
    system.close()
    if url:
        toml = data / "dossier.toml"
        toml.write_text(re.sub(r'(?m)^database_url = .*$', f'database_url = "{url}"', toml.read_text()))
        open_system(data).close()  # migrate the new database before the clock starts
    shares = []
    for k in range(processes):
        share = root / f"share-{processes}-{bool(url)}-{k}"
        share.mkdir()
        for f in files[k::processes]:
            shutil.copyfile(f, share / f.name)
        shares.append(share)
    env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")}
    started = time.perf_counter()
    procs = [subprocess.Popen([DOSSIER, "--data", str(data), "ingest", "--json", "--workers", "1", str(s)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env) for s in shares]
    for p in procs:
        p.wait(timeout=TIMEOUT)
    wall = time.perf_counter() - started
    system = open_system(data)
    with system.db.read() as s:
        n = s.scalar(select(func.count()).select_from(Document))
        distinct = s.scalar(select(func.count(func.distinct(Document.doc_no))))
        done = s.scalar(select(func.count()).select_from(IntakeJob).where(IntakeJob.state != "claimed"))
    system.close()
    return wall, done, n, distinct


def write_corpus(src: Path, count: int) -> list[Path]:
    """`count` born-digital PDFs from the test generator (fixed seed: every run the same)."""
    src.mkdir()
    files = []
    for i, doc in enumerate(documents.corpus(count, seed=43)):
        path = src / f"digital{i:03d}.pdf"
        path.write_bytes(documents.render_pdf(doc))
        files.append(path)
    return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--files", type=int, help="how many PDFs (default 240, 48 with --quick)")
    args = ap.parse_args()
    count = args.files or (48 if args.quick else 240)
    root = Path(tempfile.mkdtemp(prefix="dossier-pg-intake-bench-"))
    files = write_corpus(root / "src", count)
    print(f"machine: {os.cpu_count()} cores; {count} born-digital PDFs; folder {root}")
    cluster = Cluster()
    cluster.start()
    try:
        for processes in (1, 2, 4):
            for label, url in (("sqlite", None), ("postgresql", cluster.new_database(empty=True))):
                wall, done, n, distinct = run(root, files, processes, url)
                # the corpus has documents with no customer named: those go to the unsorted tray
                print(f"{label:10s} {processes} process(es): {done} files done in {wall:.1f} s = "
                      f"{done / wall:.1f} files/s; {n} filed with {distinct} distinct numbers, the rest unsorted")
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
