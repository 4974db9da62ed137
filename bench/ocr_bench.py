"""How well and how fast Dossier reads documents, both engines side by side, in one run.

    .venv/bin/python bench/ocr_bench.py            # the full run (about 15-20 min on 2 cores)
    .venv/bin/python bench/ocr_bench.py --quick    # a smoke run of every figure (a few min)
    .venv/bin/python bench/ocr_bench.py --sweep    # also the parameter measurements
    .venv/bin/python bench/ocr_bench.py --engines rapidocr --sections accuracy,corpus

Figures (issue 12, "Measure"):
  accuracy  CER on pages rendered from ../shared/seeds (Simplified + Traditional, clean and
            degraded), share of hand-transcribed corpus values found verbatim, script right
  models    tesseract: the page's own model (chi_sim / chi_tra) against the combined
            chi_sim+chi_tra model, CER and time on the same prepared pages
  time      bare engine vs Dossier's whole reading step on the same images (ratio), and
            pages per minute on one worker vs two workers
  formats   text-layer PDF and DOCX pages per second
  memory    peak RSS of one worker reading an A3 600-dpi scan
CER and "found" compare after folding whitespace and NFKC (full-width ，（ and ASCII ,( are
the same character to a reader). Results also go to bench/results/ocr_bench.json.

Times are given as wall time and as CPU time (the process's own, its children's, and the
OCR workers', read from /proc), with the 1-minute load average before and after: on a
shared machine wall-clock ratios move with other people's work, CPU-time ratios much less.
`--sections time,throughput` runs the timing alone (it renders only the pages it needs).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import statistics
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ocr import ReadOptions, Reader  # noqa: E402
from ocr.engines import load_engine  # noqa: E402
from ocr.images import decode_frame  # noqa: E402
from ocr.script import detect_script  # noqa: E402
from tests.docgen.pages import RenderedPage, random_page, sample_text, render_text_page, font_for  # noqa: E402
from tests.docgen.scan import degrade, simulate_scan  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
ENGINES = ("rapidocr", "tesseract")


# ---------------------------------------------------------------- measures
def norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (pages are ~1000 characters)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1)
    prev = idx.copy()
    aa = np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32)
    for i in range(1, len(aa) + 1):
        sub = prev[:-1] + (bb != aa[i - 1])
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, sub)
        # insertions: cur[j] = min over k<=j of cur[k] + (j - k)
        cur = np.minimum.accumulate(cur - idx) + idx
        prev = cur
    return int(prev[-1])


def cer(truth: str, got: str) -> float:
    t, g = norm(truth), norm(got)
    return edit_distance(t, g) / max(1, len(t))


def jpeg(img) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=92)
    return buf.getvalue()


# ---------------------------------------------------------------- clocks
def load1() -> float:
    return round(os.getloadavg()[0], 2)


def own_cpu() -> float:
    """CPU seconds of this process and of its finished children (tesseract runs as a child
    process of whoever calls it)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu(pid: int) -> float:
    """CPU seconds of a live process and its reaped children, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # after the command name: state is field 3, utime..cstime are fields 14..17
    return sum(int(x) for x in fields[11:15]) / _TICK


def pool_pids(reader) -> list[int]:
    ex = getattr(reader._pool, "_executor", None)
    return [p.pid for p in getattr(ex, "_processes", {}).values()] if ex is not None else []


# ---------------------------------------------------------------- page set
def page_set(n: int, seed: int = 12) -> list[tuple[str, str, RenderedPage, bytes]]:
    """n pages: half Simplified, half Traditional; a third clean, the rest degraded
    (flatbed scans with seals, skew, yellowing, 200 dpi, and some phone photos)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        script = "zh-Hans" if i % 2 == 0 else "zh-Hant"
        cond = ["clean", "scan", "scan", "clean", "photo", "scan"][i % 6]
        p = random_page(rng, script)  # type: ignore[arg-type]
        img = degrade(p.image, rng, cond)
        if cond == "scan" and i % 12 == 5:  # some pages stored upside down or sideways
            img = simulate_scan(img, rng=rng, rotate=rng.choice([90, 180, 270]))
        out.append((script, "clean" if cond == "clean" else "degraded", p, jpeg(img)))
    return out


# ---------------------------------------------------------------- figures
def accuracy(pages, engine: str, workers: int) -> dict:
    o = ReadOptions(engine=engine, workers=workers, threads_per_worker=1, timeout_s=600)  # type: ignore[arg-type]
    rows = []
    with Reader(o) as r:
        r.read(pages[0][3])  # start the workers and load their models outside the timing
        pids = pool_pids(r)
        c0 = sum(proc_cpu(p) for p in pids)
        l0 = load1()
        t0 = time.perf_counter()
        for i, (script, cond, p, data) in enumerate(pages):
            res = r.read(data)
            rows.append({"page": i, "script": script, "cond": cond, "font": p.font.name,
                         "cer": round(cer(p.text, res.extraction.text), 4),
                         "script_ok": res.extraction.script == script})
        wall = time.perf_counter() - t0
        cpu = sum(proc_cpu(p) for p in pids) - c0
    out: dict = {"pages": len(rows), "wall_s": round(wall, 1), "worker_cpu_s_per_page": round(cpu / len(rows), 2),
                 "load_average_before": l0}
    for cond in ("clean", "degraded"):
        for script in ("zh-Hans", "zh-Hant", None):
            sel = [x["cer"] for x in rows if x["cond"] == cond and (script is None or x["script"] == script)]
            if sel:
                out[f"cer_{cond}" + (f"_{script}" if script else "")] = round(statistics.mean(sel), 4)
    out["script_right"] = round(sum(x["script_ok"] for x in rows) / len(rows), 4)
    worst = sorted(rows, key=lambda x: -x["cer"])[:8]
    out["worst pages"] = [f"{x['page']} {x['cond']} {x['script']} {x['font']}: {x['cer']}" for x in worst]
    out["per_page"] = rows
    return out


def corpus_values(engine: str, quick: bool) -> dict:
    labels = json.loads((CORPUS / "labels" / "transcriptions.json").read_text(encoding="utf-8"))
    docs = [(k, v) for k, v in labels.items() if not k.startswith("_") and v.get("fields")]
    if quick:
        docs = docs[-3:]
    o = ReadOptions(engine=engine, workers=2, threads_per_worker=1, timeout_s=600)  # type: ignore[arg-type]
    found = strict = total = script_ok = 0
    missing = []
    with Reader(o) as r:
        for name, entry in docs:
            res = r.read((CORPUS / name).read_bytes())
            text = res.extraction.text
            script_ok += res.extraction.script == "zh-Hans"
            folded = "".join(text.split())
            for key, value in entry["fields"].items():
                value = value.replace("(checked)", "").strip()
                if not value:
                    continue
                total += 1
                strict += "".join(value.split()) in folded
                ok = norm(value) in norm(text)
                found += ok
                if not ok:
                    missing.append(f"{Path(name).name}:{key}={value}")
    return {"docs": len(docs), "values": total, "found_nfkc": round(found / total, 4),
            "found_strict": round(strict / total, 4), "script_right": round(script_ok / len(docs), 4),
            "missing": missing}


def bare_vs_whole(pages, engine: str, n: int) -> dict:
    """The bare engine on the decoded image against Dossier's whole step on the file
    (decode, orientation, deskew, seal lifting, OCR, reading order, preview, archival PDF),
    same process, same threads, same images."""
    o = ReadOptions(engine=engine, workers=0, threads_per_worker=1)  # type: ignore[arg-type]
    # in this process, the thread limits a worker sets itself (ocr.pagework.worker_init):
    # without them tesseract's OpenMP takes every core and costs 3x the CPU a page
    import cv2

    os.environ["OMP_THREAD_LIMIT"] = os.environ["OMP_NUM_THREADS"] = str(o.threads_per_worker)
    cv2.setNumThreads(1)
    eng = load_engine(o)
    sel = pages[:n]
    imgs = [decode_frame(data, 0) for _, _, _, data in sel]
    # RapidOCR loads its models on the first call: warm up so bare times reading only
    if engine == "rapidocr":
        eng._ocr(np.ascontiguousarray(imgs[0][:, :, ::-1]))
    else:
        eng.recognize(imgs[0], script=sel[0][0])
    l0 = load1()
    bare, bare_cpu = [], []
    for (script, _, _, _), img in zip(sel, imgs):
        t, c = time.perf_counter(), own_cpu()
        if engine == "rapidocr":
            eng._ocr(np.ascontiguousarray(img[:, :, ::-1]))  # the library's own one call
        else:
            eng.recognize(img, script=script)  # the fitting model, told not guessed
        bare.append(time.perf_counter() - t)
        bare_cpu.append(own_cpu() - c)
    whole, whole_cpu = [], []
    with Reader(o) as r:
        r.read(sel[0][3])  # load the models outside the timing, as bare did above
        for _, _, _, data in sel:
            t, c = time.perf_counter(), own_cpu()
            r.read(data)
            whole.append(time.perf_counter() - t)
            whole_cpu.append(own_cpu() - c)
    b, w = statistics.mean(bare), statistics.mean(whole)
    bc, wc = statistics.mean(bare_cpu), statistics.mean(whole_cpu)
    return {"pages": len(sel), "bare_s_per_page": round(b, 2), "whole_s_per_page": round(w, 2), "ratio": round(w / b, 3),
            "bare_cpu_s_per_page": round(bc, 2), "whole_cpu_s_per_page": round(wc, 2), "cpu_ratio": round(wc / bc, 3),
            "load_average_before": l0}


def throughput(pages, engine: str, n: int) -> dict:
    """Pages per minute on one worker against two, by wall clock and by CPU time.

    By CPU time: each split's worker CPU seconds per page. If both cores were free, two
    workers would read 2 × (CPU s/page of one worker) / (CPU s/page of each of two) as many
    pages a minute as one (times the share of the batch the slower worker leaves idle);
    that estimate hardly moves with other people's load, the wall-clock ratio does."""
    from ocr.pagework import PageJob

    data = [d for _, _, _, d in pages[:n]]
    out: dict = {}
    cpu_per_page = {}
    for workers, threads in ((1, 1), (1, 2), (2, 1)):
        o = ReadOptions(engine=engine, workers=workers, threads_per_worker=threads,  # type: ignore[arg-type]
                        timeout_s=600, make_archival_pdf=False)
        with Reader(o) as r:
            r.read(data[0])  # start the workers and load their models first
            pids = pool_pids(r)
            c0 = sum(proc_cpu(p) for p in pids)
            l0 = load1()
            t = time.perf_counter()
            # pages of one multi-page TIFF-like batch: the reader spreads them over workers
            r._pool.run([PageJob(i + 1, "image", d, 0, o) for i, d in enumerate(data)])
            dt = time.perf_counter() - t
            cpu = sum(proc_cpu(p) for p in pids) - c0
        key = f"{workers}w x {threads}t"
        cpu_per_page[key] = cpu / len(data)
        out[key] = {"pages/min": round(len(data) / dt * 60, 2), "worker_cpu_s_per_page": round(cpu / len(data), 2),
                    # CPU the workers got / wall time × cores they could use: < 1 when they waited
                    "cpu_share": round(cpu / (dt * workers * threads), 2), "load_before": l0, "load_after": load1()}
    out["2 workers / 1 worker (wall)"] = round(out["2w x 1t"]["pages/min"] / out["1w x 1t"]["pages/min"], 3)
    balance = len(data) / (2 * -(-len(data) // 2))  # an odd page count leaves one worker idle at the end
    out["2 workers / 1 worker (CPU time, idle-machine estimate)"] = round(
        2 * balance * cpu_per_page["1w x 1t"] / cpu_per_page["2w x 1t"], 3)
    return out


def formats(quick: bool) -> dict:
    import docx
    from fpdf import FPDF

    n = 20 if quick else 100
    rng = random.Random(5)
    pdf = FPDF()
    pdf.add_font("wqy", fname="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    pdf.set_font("wqy", size=11)
    for _ in range(n):
        pdf.add_page()
        pdf.multi_cell(0, 7, "\n".join(sample_text(rng, 900, "zh-Hans")))
    pdf_bytes = bytes(pdf.output())
    d = docx.Document()
    for i in range(n):
        for para in sample_text(rng, 900, "zh-Hans"):
            d.add_paragraph(para)
        t = d.add_table(rows=3, cols=2)
        for row in t.rows:
            row.cells[0].text, row.cells[1].text = "客户名称", "华信科技有限公司"
        if i < n - 1:
            d.add_page_break()
    buf = io.BytesIO()
    d.save(buf)
    docx_bytes = buf.getvalue()
    out = {}
    for label, data in (("text_layer_pdf", pdf_bytes), ("docx", docx_bytes)):
        for images in (False, True):
            o = ReadOptions(workers=1, page_images=images)
            with Reader(o) as r:
                # The first read of a process loads PDFium, OpenCC and the worker pool
                # (~2 s, once per watcher run); time a second read, as a running intake sees.
                r.read(data)
                t = time.perf_counter()
                res = r.read(data)
                dt = time.perf_counter() - t
            key = f"{label}{'' if images else ' (text only)'} pages/s"
            out[key] = round(len(res.extraction.pages) / dt, 1)
    return out


def a3_memory() -> dict:
    """Peak RSS of one worker reading an A3 600-dpi scan (two A4 pages side by side)."""
    rng = random.Random(9)
    a = render_text_page(sample_text(rng, 2500, "zh-Hans"), script="zh-Hans", dpi=600, font=font_for("zh-Hans"))
    b = render_text_page(sample_text(rng, 2500, "zh-Hans"), script="zh-Hans", dpi=600, font=font_for("zh-Hans"))
    from PIL import Image

    a3 = Image.new("RGB", (a.image.width * 2, a.image.height), "white")
    a3.paste(a.image, (0, 0))
    a3.paste(b.image, (a.image.width, 0))
    data = jpeg(a3)
    del a3
    w, h = a.image.width * 2, a.image.height
    script = f"""
import resource, sys, time
sys.path.insert(0, {str(REPO)!r})
from ocr.options import ReadOptions
from ocr.pagework import PageJob, read_page, worker_init
o = ReadOptions(workers=1, threads_per_worker=2, memory_limit_mb=None)
worker_init(o)
# resident now, with the models loaded (their start-up peak is higher and not the page's)
idle = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS:'))
data = open(sys.argv[1], 'rb').read()
t = time.perf_counter()
out = read_page(PageJob(1, 'image', data, 0, o))
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(idle // 1024, peak // 1024, round(dt, 1), len(out.page.lines), len(out.page.text))
"""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".jpg") as f:
        f.write(data)
        f.flush()
        res = subprocess.run([sys.executable, "-c", script, f.name], capture_output=True, text=True, timeout=900)
    if res.returncode != 0:
        return {"error": res.stderr[-500:]}
    idle, peak, dt, nlines, nchars = res.stdout.split()
    return {"image": f"{w}x{h} ({w * h / 1e6:.1f} MP), JPEG {len(data) // 1024} KB", "worker_idle_rss_mb": int(idle),
            "worker_peak_rss_mb": int(peak), "seconds": float(dt), "lines": int(nlines), "chars": int(nchars)}


def tess_models(pages, n: int) -> dict:
    """Tesseract with the page's own model against the combined chi_sim+chi_tra model, on
    the same pages prepared the way Dossier prepares them (upright, deskewed, seal lifted,
    rules painted out). Pages stored turned are left out: this measures the model alone."""
    import cv2
    from PIL import Image

    from ocr.engines.tess import MAX_SIDE, TesseractEngine
    from ocr.pagework import MIN_SKEW_DEG, _fit
    from ocr.prep import analyse_layout, lift_red, remove_rules, rotate90, rotate_bound

    from ocr.errors import OcrTimeout

    limit = 300.0
    eng = TesseractEngine(ReadOptions(engine="tesseract", timeout_s=limit))
    os.environ["OMP_THREAD_LIMIT"] = "1"
    sel = [x for x in pages if len(norm(x[2].text)) > 50][:n]
    rows = []
    for script, cond, p, data in sel:
        img = _fit(decode_frame(data, 0), MAX_SIDE)
        sideways, angle = analyse_layout(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
        if sideways:
            img = rotate90(img, 90)
        if abs(angle) >= MIN_SKEW_DEG:
            img = rotate_bound(img, angle)
        gray = remove_rules(cv2.cvtColor(lift_red(img), cv2.COLOR_RGB2GRAY))
        pil = Image.fromarray(gray)
        row = {"script": script, "cond": cond}
        for label, lang in (("own", "chi_sim" if script == "zh-Hans" else "chi_tra"), ("combined", "chi_sim+chi_tra")):
            t, c = time.perf_counter(), own_cpu()
            try:
                text = "\n".join(l.text for l in eng._run(pil, lang))
                row[f"{label}_timeout"] = False
            except OcrTimeout:  # counted as read nothing, at the limit's cost
                text, row[f"{label}_timeout"] = "", True
            row[f"{label}_s"] = time.perf_counter() - t
            row[f"{label}_cpu_s"] = own_cpu() - c
            row[f"{label}_cer"] = cer(p.text, text)
        rows.append(row)
    out: dict = {"pages": len(rows)}
    for label in ("own", "combined"):
        for script in ("zh-Hans", "zh-Hant", None):
            sub = [r for r in rows if script is None or r["script"] == script]
            if sub:
                out[f"{label} model CER" + (f" {script}" if script else "")] = round(statistics.mean(r[f"{label}_cer"] for r in sub), 4)
        out[f"{label} model s/page"] = round(statistics.mean(r[f"{label}_s"] for r in rows), 2)
        out[f"{label} model CPU s/page"] = round(statistics.mean(r[f"{label}_cpu_s"] for r in rows), 2)
        out[f"{label} model pages over {limit:g} s"] = sum(r[f"{label}_timeout"] for r in rows)
    out["combined / own CER"] = round(out["combined model CER"] / max(1e-9, out["own model CER"]), 2)
    out["combined / own CPU time"] = round(out["combined model CPU s/page"] / max(1e-9, out["own model CPU s/page"]), 2)
    return out


def sweep(pages) -> dict:
    """The measurements behind ReadOptions' engine defaults."""
    out: dict = {}
    sel = [p for p in pages if p[1] == "clean"][:4] + [p for p in pages if p[1] == "degraded"][:4]
    for msl, det in ((2000, 2000), (3600, 3600), (3600, 1600), (3600, 1280), (3600, 960)):
        o = ReadOptions(workers=2, threads_per_worker=1, max_side_len=msl, det_side_len=det, timeout_s=600)
        with Reader(o) as r:
            r.read(sel[0][3])
            t = time.perf_counter()
            c = [cer(p.text, r.read(d).extraction.text) for _, _, p, d in sel]
            dt = time.perf_counter() - t
        out[f"rapidocr max_side_len={msl} det_side_len={det}"] = {"cer": round(statistics.mean(c), 4),
                                                                   "s_per_page": round(dt / len(sel), 2)}
    # tesseract: the fitting single-script model against the combined one, on Traditional pages
    from ocr.engines.tess import TesseractEngine

    eng = TesseractEngine(ReadOptions(engine="tesseract"))
    trad = [p for p in pages if p[0] == "zh-Hant"][:6]
    for lang in ("chi_tra", "chi_sim+chi_tra", "chi_sim"):
        c = []
        for _, _, p, d in trad:
            from PIL import Image

            lines = eng._run(Image.open(io.BytesIO(d)).convert("L"), lang)
            c.append(cer(p.text, "\n".join(l.text for l in lines)))
        out[f"tesseract {lang} on Traditional pages"] = {"cer": round(statistics.mean(c), 4)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--pages", type=int, default=None)
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, default both")
    ap.add_argument("--sections", default="accuracy,corpus,models,time,throughput,formats,memory",
                    help="comma-separated subset of the default: accuracy,corpus,models,time,throughput,formats,memory")
    ap.add_argument("--out", default="ocr_bench.json", help="file name under bench/results/")
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    sections = set(args.sections.split(","))
    n = args.pages or (8 if args.quick else 60)
    # Throughput needs enough pages that the last one a worker reads does not leave the
    # other core idle for long (6 pages on 2 workers measured cpu_share 0.75 on a quiet machine).
    n_time, n_through, n_models = (2, 4, 4) if args.quick else (4, 16, 12)
    # the page set is drawn page by page from one seed, so its first k pages are the same
    # whatever n is: a run of timing sections alone renders only what it reads
    need = n if ("accuracy" in sections or args.sweep) else max(
        [0] + [k for sec, k in (("time", n_time), ("throughput", n_through), ("models", n_models)) if sec in sections])
    t_all = time.perf_counter()
    print(f"rendering {need} pages ...", flush=True)
    pages = page_set(need)
    report: dict = {"cpu": os.cpu_count(), "pages": n, "load_average_at_start": load1()}

    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)

    def show(title: str, d: dict) -> None:
        # written after every section, so a long run that is stopped still leaves its figures
        (out / args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        # other work on the machine skews the times; say how busy it was
        d["load_average_1min"] = round(os.getloadavg()[0], 2)
        print(f"\n== {title}")
        for k, v in d.items():
            if k == "per_page":
                continue
            print(f"  {k}: {v}")
        sys.stdout.flush()

    if "accuracy" in sections:
        for engine in engines:
            report[f"accuracy {engine}"] = a = accuracy(pages, engine, workers=2)
            show(f"accuracy on rendered pages · {engine}", a)
    if "corpus" in sections and CORPUS.is_dir():
        for engine in engines:
            report[f"corpus {engine}"] = c = corpus_values(engine, args.quick)
            show(f"corpus values found verbatim · {engine}", c)
    if "models" in sections and "tesseract" in engines:
        report["tesseract models"] = m = tess_models(pages, n_models)
        show("tesseract: the page's own model against chi_sim+chi_tra", m)
    if "time" in sections:
        for engine in engines:
            report[f"time {engine}"] = t = bare_vs_whole(pages, engine, n_time)
            show(f"bare engine vs whole reading step · {engine}", t)
    if "throughput" in sections:
        for engine in engines:
            report[f"throughput {engine}"] = t = throughput(pages, engine, n_through)
            show(f"pages per minute by worker split · {engine}", t)
    if "formats" in sections:
        report["formats"] = f = formats(args.quick)
        show("text-layer PDF and DOCX", f)
    if "memory" in sections:
        report["memory"] = m = a3_memory()
        show("peak memory of one worker, A3 600 dpi", m)
    if args.sweep:
        report["sweep"] = s = sweep(pages)
        show("parameter sweep", s)
    report["total_s"] = round(time.perf_counter() - t_all, 1)
    print(f"\ntotal {report['total_s']} s")
    (out / args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
