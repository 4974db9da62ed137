"""How well and how fast Dossier reads documents, both engines side by side, in one run.

    .venv/bin/python bench/ocr_bench.py            # the full run (about 15-20 min on 2 cores)
    .venv/bin/python bench/ocr_bench.py --quick    # a smoke run of every figure (a few min)
    .venv/bin/python bench/ocr_bench.py --sweep    # also the parameter measurements
    .venv/bin/python bench/ocr_bench.py --engines rapidocr --sections accuracy,corpus

Figures (issue 12, "Measure"):
  accuracy  CER on pages rendered from ../shared/seeds (Simplified + Traditional, clean and
            degraded), share of hand-transcribed corpus values found verbatim, script right
  time      bare engine vs Dossier's whole reading step on the same images (ratio), and
            pages per minute on one worker vs two workers
  formats   text-layer PDF and DOCX pages per second
  memory    peak RSS of one worker reading an A3 600-dpi scan
CER and "found" compare after folding whitespace and NFKC (full-width ，（ and ASCII ,( are
the same character to a reader). Results also go to bench/results/ocr_bench.json.
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
        t0 = time.perf_counter()
        for script, cond, p, data in pages:
            res = r.read(data)
            rows.append({"script": script, "cond": cond, "cer": cer(p.text, res.extraction.text),
                         "script_ok": res.extraction.script == script})
        wall = time.perf_counter() - t0
    out: dict = {"pages": len(rows), "wall_s": round(wall, 1)}
    for cond in ("clean", "degraded"):
        for script in ("zh-Hans", "zh-Hant", None):
            sel = [x["cer"] for x in rows if x["cond"] == cond and (script is None or x["script"] == script)]
            if sel:
                out[f"cer_{cond}" + (f"_{script}" if script else "")] = round(statistics.mean(sel), 4)
    out["script_right"] = round(sum(x["script_ok"] for x in rows) / len(rows), 4)
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
    eng = load_engine(o)
    sel = pages[:n]
    imgs = [decode_frame(data, 0) for _, _, _, data in sel]
    # RapidOCR loads its models on the first call: warm up so bare times reading only
    if engine == "rapidocr":
        eng._ocr(np.ascontiguousarray(imgs[0][:, :, ::-1]))
    else:
        eng.recognize(imgs[0], script=sel[0][0])
    bare = []
    for (script, _, _, _), img in zip(sel, imgs):
        t = time.perf_counter()
        if engine == "rapidocr":
            eng._ocr(np.ascontiguousarray(img[:, :, ::-1]))  # the library's own one call
        else:
            eng.recognize(img, script=script)  # the fitting model, told not guessed
        bare.append(time.perf_counter() - t)
    whole = []
    with Reader(o) as r:
        r.read(sel[0][3])  # load the models outside the timing, as bare did above
        for _, _, _, data in sel:
            t = time.perf_counter()
            r.read(data)
            whole.append(time.perf_counter() - t)
    b, w = statistics.mean(bare), statistics.mean(whole)
    return {"pages": len(sel), "bare_s_per_page": round(b, 2), "whole_s_per_page": round(w, 2), "ratio": round(w / b, 3)}


def throughput(pages, engine: str, n: int) -> dict:
    data = [d for _, _, _, d in pages[:n]]
    out = {}
    for workers, threads in ((1, 1), (1, 2), (2, 1)):
        o = ReadOptions(engine=engine, workers=workers, threads_per_worker=threads,  # type: ignore[arg-type]
                        timeout_s=600, make_archival_pdf=False)
        with Reader(o) as r:
            r.read(data[0])  # start the workers and load their models first
            t = time.perf_counter()
            # pages of one multi-page TIFF-like batch: the reader spreads them over workers
            from ocr.pagework import PageJob

            r._pool.run([PageJob(i + 1, "image", d, 0, o) for i, d in enumerate(data)])
            dt = time.perf_counter() - t
        out[f"{workers}w x {threads}t pages/min"] = round(len(data) / dt * 60, 2)
    out["2 workers / 1 worker"] = round(out["2w x 1t pages/min"] / out["1w x 1t pages/min"], 3)
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
    ap.add_argument("--sections", default="accuracy,corpus,time,throughput,formats,memory",
                    help="comma-separated subset of the default: accuracy,corpus,time,throughput,formats,memory")
    ap.add_argument("--out", default="ocr_bench.json", help="file name under bench/results/")
    args = ap.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    sections = set(args.sections.split(","))
    n = args.pages or (8 if args.quick else 60)
    t_all = time.perf_counter()
    print(f"rendering {n} pages ...", flush=True)
    pages = page_set(n)
    report: dict = {"cpu": os.cpu_count(), "pages": n}

    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)

    def show(title: str, d: dict) -> None:
        # written after every section, so a long run that is stopped still leaves its figures
        (out / args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        # other work on the machine skews the times; say how busy it was
        d["load_average_1min"] = round(os.getloadavg()[0], 2)
        print(f"\n== {title}")
        for k, v in d.items():
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
    if "time" in sections:
        for engine in engines:
            report[f"time {engine}"] = t = bare_vs_whole(pages, engine, 2 if args.quick else 4)
            show(f"bare engine vs whole reading step · {engine}", t)
    if "throughput" in sections:
        for engine in engines:
            report[f"throughput {engine}"] = t = throughput(pages, engine, 4 if args.quick else 6)
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
