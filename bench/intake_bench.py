"""Intake benchmark: a mixed drop into a running watcher, and the crash test.

    .venv/bin/python bench/intake_bench.py            # 500 files, 20 kills
    .venv/bin/python bench/intake_bench.py --quick    # 60 files, 5 kills

Prints wall time, pages per minute, born-digital files per second, and the pipeline's
overhead outside OCR, against a baseline measured in the same run: the bare reading step
(`ocr.read_path`) over the same scans with the same parallelism.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ocr  # noqa: E402
from archive_store.system import init_data_dir, open_system  # noqa: E402
from archive_store.verify import expected_files  # noqa: E402
from intake.runner import Intake, read_options_for  # noqa: E402
from tests.docgen import documents  # noqa: E402
from tests.docgen.scan import simulate_scan  # noqa: E402
from tests.intake import samples  # noqa: E402

DOSSIER = str(Path(sys.executable).parent / "dossier")


def make_corpus(folder: Path, *, scans: int, born_digital: int, docx: int, bad: int, dups: int) -> dict[str, list[Path]]:
    rng = random.Random(7)
    made: dict[str, list[Path]] = {"scan": [], "born_digital": [], "docx": [], "bad": [], "dup": []}
    for i, doc in enumerate(documents.corpus(scans, seed=41)):
        img = simulate_scan(documents.render_image(doc, dpi=200), rng=rng, skew_deg=rng.uniform(-2, 2),
                            noise=rng.uniform(0, 0.04), yellow=rng.random() < 0.3, seal=rng.random() < 0.3,
                            jpeg_quality=rng.choice([None, 75, 90]))
        path = folder / f"scan{i:03d}.jpg"
        img.convert("RGB").save(path, format="JPEG", quality=90)
        made["scan"].append(path)
    for i, doc in enumerate(documents.corpus(born_digital, seed=43)):
        path = folder / f"digital{i:03d}.pdf"
        path.write_bytes(documents.render_pdf(doc))
        made["born_digital"].append(path)
    for i in range(docx):
        path = folder / f"word{i:03d}.docx"
        samples.docx_form(path, i, seed=47)
        made["docx"].append(path)
    makers = [samples.empty, samples.corrupt_pdf, samples.unsupported, samples.misnamed]
    for i in range(bad):
        path = folder / f"bad{i:03d}.pdf"
        makers[i % len(makers)](path)
        made["bad"].append(path)
    for i in range(dups):
        src = made["born_digital"][i % len(made["born_digital"])]
        path = folder / f"again{i:03d}.pdf"
        shutil.copyfile(src, path)
        made["dup"].append(path)
    return made


def bare_reading(paths: list[Path], options: ocr.ReadOptions, threads: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda p: ocr.read_path(p, options), paths))
    return time.perf_counter() - started


def watch_drop(system, files: list[Path], workers: int) -> tuple[float, list]:
    """Drop `files` into the inbox of a running (in-process) watcher; time until all are done."""
    intake = Intake(system, workers=workers)
    outcomes, done = [], threading.Event()
    lock = threading.Lock()

    def on_done(o):
        with lock:
            outcomes.append(o)
            if len(outcomes) == len(files):
                done.set()

    stop = threading.Event()
    t = threading.Thread(target=intake.watch, args=(stop,), kwargs={"settle_seconds": 0.5, "on_done": on_done})
    t.start()
    time.sleep(1.0)
    started = time.perf_counter()
    for f in files:
        shutil.copyfile(f, system.settings.inbox / f.name)
    done.wait(timeout=7200)
    wall = time.perf_counter() - started
    stop.set()
    t.join()
    intake.close()
    return wall, outcomes


def crash_test(root: Path, *, files: int, kills: int) -> dict:
    data = root / "crash-data"
    system, _ = init_data_dir(data)
    system.close()
    src = root / "crash-src"
    src.mkdir()
    made = []
    rng = random.Random(99)
    for i in range(files):
        name = f"c{i:03d}." + ("png" if i % 3 == 0 else "pdf" if i % 3 == 1 else "docx")
        (samples.scan_form if i % 3 == 0 else samples.pdf_form if i % 3 == 1 else samples.docx_form)(src / name, i, seed=5)
        made.append(src / name)
        shutil.copyfile(src / name, data / "inbox" / name)
    env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")}
    log = open(root / "crash.log", "a")

    def start():
        return subprocess.Popen([DOSSIER, "--data", str(data), "watch", "--settle", "0.5"], stdout=log,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    killed = 0
    for _ in range(kills):
        p = start()
        time.sleep(rng.uniform(1.0, 5.0))
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            killed += 1
        p.wait()
    p = start()
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        if not any((data / "inbox").rglob("*.*")) and not any((data / "work").iterdir()):
            break
        time.sleep(1)
    os.killpg(p.pid, signal.SIGTERM)
    p.wait()
    system = open_system(data)
    with system.db.read() as s:
        from sqlalchemy import select
        from archive_store.models import Document
        shas = [d.sha256 for d in s.scalars(select(Document))]
        stored = {q.name for q in (data / "store").rglob("*") if q.is_file()}
        referenced = set(expected_files(s))
    system.close()
    expected = sorted(hashlib.sha256(m.read_bytes()).hexdigest() for m in made)
    return {"files": files, "kills": killed, "documents": len(shas),
            "lost": len(set(expected) - set(shas)), "duplicated": len(shas) - len(set(shas)),
            "orphans_in_store": len(stored - referenced), "missing_from_store": len(referenced - stored)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    sizes = dict(scans=12, born_digital=30, docx=10, bad=4, dups=4) if args.quick else \
        dict(scans=120, born_digital=300, docx=60, bad=10, dups=10)
    kills = 5 if args.quick else 20

    root = Path(tempfile.mkdtemp(prefix="dossier-intake-bench-"))
    print(f"machine: {os.cpu_count()} cores; workers {args.workers}; folder {root}")
    (root / "src").mkdir()
    made = make_corpus(root / "src", **sizes)
    files = [p for group in made.values() for p in group]
    random.Random(1).shuffle(files)
    print(f"corpus: {len(files)} files — " + ", ".join(f"{k} {len(v)}" for k, v in made.items()))

    system, _ = init_data_dir(root / "data")
    options = read_options_for(system, workers=args.workers)
    ocr.read_path(made["scan"][0], options)  # load the models once, as a running watcher has
    baseline = bare_reading(made["scan"], options, args.workers)
    print(f"baseline: bare reading step over {len(made['scan'])} scans: {baseline:.1f} s "
          f"({len(made['scan']) * 60 / baseline:.1f} pages/min)")

    wall, outcomes = watch_drop(system, files, args.workers)
    by_status = {s: sum(o.status == s for o in outcomes) for s in ("filed", "duplicate", "rejected")}
    pages = sum(o.pages for o in outcomes)
    ocrd = [o for o in outcomes if o.source.startswith("scan") and o.status == "filed"]
    read = sum(o.read_seconds for o in ocrd)
    overhead = sum(o.total_seconds - o.read_seconds for o in ocrd)
    print(f"watcher: {len(outcomes)} files in {wall:.1f} s — {by_status}; {pages} pages, "
          f"{pages * 60 / wall:.0f} pages/min overall")
    print(f"scans: pipeline overhead outside OCR {overhead:.1f} s against {read:.1f} s of reading "
          f"= {100 * overhead / max(read, 1e-9):.1f}% (target ≤ 10%)")
    system.close()

    system2, _ = init_data_dir(root / "data-digital")
    digital = made["born_digital"] + made["docx"]
    wall_d, outs_d = watch_drop(system2, digital, args.workers)
    system2.close()
    print(f"born-digital only: {len(outs_d)} files in {wall_d:.1f} s = {len(outs_d) / wall_d:.1f} files/s "
          f"(target ≥ 10); median per file {statistics.median(o.total_seconds for o in outs_d) * 1000:.0f} ms")
    print(f"ratio: mixed drop wall time / bare reading of its scans = {wall / baseline:.2f}×")

    crash = crash_test(root, files=12 if args.quick else 40, kills=kills)
    print("crash test: " + json.dumps(crash))
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
