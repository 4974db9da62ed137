"""Peak memory of `dossier watch` while hostile files and ordinary scans are filed (issue 20).

    .venv/bin/python bench/hostile_bench.py            # 20 ordinary scans
    .venv/bin/python bench/hostile_bench.py --quick    # 5
    .venv/bin/python bench/hostile_bench.py --memory-limit 1300   # a cap the 95 MP page passes

Two runs of the real watcher on fresh data folders, the same scans in both: the baseline
files only the scans; the hostile run drops, before them, the XML bomb (180 KB, 1.39 million
paragraphs), a 1,800-paragraph contract, a 95-megapixel page (under the pixel limit, so only
a reader's memory cap stops it), a damaged .docx, a 244-byte Chinese name and a GBK name.
Memory is read from /proc: the watcher's own high-water mark (VmHWM, exact), and the sum
over the watcher and its reading workers, sampled every 0.1 s (a peak shorter than that can
be missed; each worker is capped by the kernel anyway). Printed with the ratio to the
baseline; the wall times are printed for orientation only.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive_store.system import init_data_dir, open_system  # noqa: E402
from archive_store.models import IntakeJob  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from tests.docgen import documents  # noqa: E402
from tests.docgen.scan import simulate_scan  # noqa: E402
from tests.intake import samples  # noqa: E402

DOSSIER = str(Path(sys.executable).parent / "dossier")
PAGE = os.sysconf("SC_PAGE_SIZE")


def make_scans(folder: Path, n: int) -> list[Path]:
    rng = random.Random(7)
    out = []
    for i, doc in enumerate(documents.corpus(n, seed=41)):
        img = simulate_scan(documents.render_image(doc, dpi=200), rng=rng, skew_deg=rng.uniform(-2, 2),
                            noise=rng.uniform(0, 0.04), yellow=rng.random() < 0.3, seal=rng.random() < 0.3,
                            jpeg_quality=rng.choice([None, 75, 90]))
        path = folder / f"scan{i:03d}.jpg"
        img.convert("RGB").save(path, format="JPEG", quality=90)
        out.append(path)
    return out


def make_hostile(folder: Path) -> list[tuple[Path, str]]:
    """(file, the name it is dropped under)."""
    samples.docx_bomb(folder / "bomb.docx")
    samples.long_contract(folder / "contract.docx")
    samples.memory_hog_png(folder / "huge.png")
    samples.broken_docx(folder / "broken.docx")
    samples.pdf_form(folder / "long.pdf", 1, seed=9)
    samples.pdf_form(folder / "gbk.pdf", 2, seed=9)
    return [(folder / "bomb.docx", "bomb.docx"), (folder / "contract.docx", "contract.docx"),
            (folder / "huge.png", "huge.png"), (folder / "broken.docx", "broken.docx"),
            (folder / "long.pdf", "长" * 80 + ".pdf"), (folder / "gbk.pdf", "客户合同.pdf".encode("gb18030"))]


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def settled(data: Path) -> int:
    system = open_system(data)
    try:
        with system.db.read() as s:
            return s.scalar(select(func.count()).select_from(IntakeJob).where(IntakeJob.state.in_(("filed", "quarantined", "duplicate"))))
    finally:
        system.close()


def run(root: Path, name: str, drops: list[tuple[Path, str | bytes]], memory_limit_mb: int) -> dict:
    data = root / name
    system, _ = init_data_dir(data)
    system.close()
    toml = data / "dossier.toml"
    toml.write_text(toml.read_text().replace("memory_limit_mb = 2048", f"memory_limit_mb = {memory_limit_mb}"))
    env = {k: v for k, v in os.environ.items() if k not in ("DOSSIER_DATA", "DATABASE_URL")}
    log = open(root / f"{name}.log", "w")
    proc = subprocess.Popen([DOSSIER, "--data", str(data), "watch", "--workers", "2", "--settle", "0.5"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    peak = {"tree": 0, "worker": 0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            kids = [rss_bytes(k) for k in children(proc.pid)]
            peak["tree"] = max(peak["tree"], rss_bytes(proc.pid) + sum(kids))
            peak["worker"] = max([peak["worker"]] + kids)
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    inbox = os.fsencode(data / "inbox")
    for src, as_name in drops:
        target = os.path.join(inbox, as_name if isinstance(as_name, bytes) else as_name.encode())
        with open(src, "rb") as f, open(target, "wb") as out:
            out.write(f.read())
    while settled(data) < len(drops) and proc.poll() is None and time.monotonic() - started < 3600:
        time.sleep(1)
    wall = time.monotonic() - started
    alive = proc.poll() is None
    hwm = vm_hwm(proc.pid) if alive else 0
    stop.set()
    sampler.join()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=120)
    verify = subprocess.run([DOSSIER, "--data", str(data), "verify"], capture_output=True, text=True, env=env)
    reasons = sorted(json.loads(p.read_text())["reason"] for p in (data / "quarantine").glob("*.reason.json"))
    return {"watcher_hwm_mb": hwm / 2**20, "tree_peak_mb": peak["tree"] / 2**20, "worker_peak_mb": peak["worker"] / 2**20,
            "alive": alive, "settled": settled(data), "dropped": len(drops), "wall_s": wall,
            "verify_ok": verify.returncode == 0, "quarantined": reasons}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--memory-limit", type=int, default=2048, help="[ocr] memory_limit_mb for both runs")
    args = ap.parse_args()
    n = 5 if args.quick else 20
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        root = Path(tmp)
        (root / "src").mkdir()
        scans = [(p, p.name) for p in make_scans(root / "src", n)]
        hostile = make_hostile(root / "src")
        base = run(root, "baseline", scans, args.memory_limit)
        worst = run(root, "hostile", hostile + scans, args.memory_limit)
    limit = args.memory_limit
    print(f"{n} ordinary scans; reading workers capped at {limit} MB each (2 workers)")
    for label, r in (("baseline (scans only)", base), ("hostile + scans", worst)):
        print(f"  {label:22s} watcher peak RSS {r['watcher_hwm_mb']:7.0f} MB   watcher+workers peak {r['tree_peak_mb']:7.0f} MB"
              f"   largest worker {r['worker_peak_mb']:6.0f} MB   alive {r['alive']}   {r['settled']}/{r['dropped']} settled"
              f"   verify {'ok' if r['verify_ok'] else 'FAILED'}   wall {r['wall_s']:.0f} s")
    print(f"  quarantined in the hostile run: {', '.join(worst['quarantined'])}")
    print(f"  ratio hostile/baseline: watcher peak {worst['watcher_hwm_mb'] / base['watcher_hwm_mb']:.2f}, "
          f"watcher+workers peak {worst['tree_peak_mb'] / base['tree_peak_mb']:.2f}")


if __name__ == "__main__":
    main()
