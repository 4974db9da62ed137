"""`dossier watch --workers N` (N worker processes on one inbox) with N = 1, 2 and 4, on
PostgreSQL and on SQLite (the baseline) in the same run: born-digital files per second.

    .venv/bin/python bench/workers_bench.py            # 120 PDFs
    .venv/bin/python bench/workers_bench.py --quick    # 32 PDFs

Each run: a fresh data folder, `dossier watch --workers N --settle 0.5` started and waited
for until every worker says it is watching (the readers' start-up is not counted); then the
files are moved into the inbox at once and the clock runs until every job has ended (polled
in the database every 0.2 s, so a figure is good to about that much of its wall time).
PostgreSQL is a temporary cluster on a loopback port (tests/pg.py), stopped at the end.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from archive_store.models import Document, IntakeJob  # noqa: E402
from archive_store.system import init_data_dir, open_system  # noqa: E402
from tests.pg import Cluster  # noqa: E402

from pg_intake_bench import write_corpus  # noqa: E402  (bench/ is on sys.path as the script's folder)

DOSSIER = str(Path(sys.executable).parent / "dossier")
TIMEOUT = 1800  # seconds: a bound on each run, whatever happens


def counts(system) -> tuple[int, int, int]:
    with system.db.read() as s:
        done = s.scalar(select(func.count()).select_from(IntakeJob).where(IntakeJob.state != "claimed"))
        n = s.scalar(select(func.count()).select_from(Document))
        distinct = s.scalar(select(func.count(func.distinct(Document.doc_no))))
        return done, n, distinct


def run(root: Path, files: list[Path], workers: int, url: str | None) -> tuple[float, int, int, int]:
    data = root / f"data-{workers}-{'pg' if url else 'sqlite'}"
    system, _ = init_data_dir(data)
    system.close()
    if url:
        toml = data / "dossier.toml"
        toml.write_text(re.sub(r'(?m)^database_url = .*$', f'database_url = "{url}"', toml.read_text()))
        open_system(data).close()  # migrate the new database before the clock starts
    staging = data / "staging"  # same file system as the inbox: a rename makes each file appear whole
    staging.mkdir()
    for f in files:
        shutil.copyfile(f, staging / f.name)
    env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL", "DOSSIER_HOST")}
    log = root / f"watch-{workers}-{bool(url)}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([DOSSIER, "--data", str(data), "watch", "--workers", str(workers), "--settle", "0.5"],
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    system = open_system(data)  # one connection polling, not a process start each time
    try:
        deadline = time.monotonic() + TIMEOUT
        while log.read_text().count("is watching") < workers:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"the workers did not start; see {log}")
            time.sleep(0.2)
        started = time.perf_counter()
        for f in files:
            os.rename(staging / f.name, data / "inbox" / f.name)
        while (c := counts(system))[0] < len(files):
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out; see {log}")
            time.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        system.close()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=300)
    return wall, *c


def ingest(root: Path, files: list[Path]) -> float:
    """The reference: `dossier ingest --workers 1` over the same files, on SQLite."""
    data = root / "data-ingest"
    system, _ = init_data_dir(data)
    system.close()
    env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL", "DOSSIER_HOST")}
    started = time.perf_counter()
    subprocess.run([DOSSIER, "--data", str(data), "ingest", "--json", "--workers", "1", str(files[0].parent)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, timeout=TIMEOUT)
    return len(files) / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--files", type=int, help="how many PDFs (default 120, 32 with --quick)")
    args = ap.parse_args()
    count = args.files or (32 if args.quick else 120)
    root = Path(tempfile.mkdtemp(prefix="dossier-workers-bench-"))
    files = write_corpus(root / "src", count)
    print(f"machine: {os.cpu_count()} cores; {count} born-digital PDFs; folder {root}")
    cluster = Cluster()
    cluster.start()
    rates: dict[tuple[str, int], float] = {}
    try:
        rate = ingest(root, files)
        print(f"reference: dossier ingest --workers 1 (SQLite, process start and reader start-up included): "
              f"{rate:.1f} files/s", flush=True)
        for workers in (1, 2, 4):
            for label, url in (("sqlite", None), ("postgresql", cluster.new_database(empty=True))):
                wall, done, n, distinct = run(root, files, workers, url)
                rates[label, workers] = done / wall
                # the corpus has documents with no customer named: those go to the unsorted tray
                print(f"{label:10s} --workers {workers}: {done} files in {wall:.1f} s = {done / wall:.1f} files/s "
                      f"({done / wall / rates['sqlite', 1]:.2f}x SQLite with 1 worker); "
                      f"{n} filed with {distinct} distinct numbers, the rest unsorted", flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    print("\n| workers | SQLite files/s | PostgreSQL files/s | PostgreSQL / SQLite |\n|---|---|---|---|")
    for workers in (1, 2, 4):
        s, p = rates["sqlite", workers], rates["postgresql", workers]
        print(f"| {workers} | {s:.1f} | {p:.1f} | {p / s:.2f} |")


if __name__ == "__main__":
    main()
