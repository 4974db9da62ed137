"""Business licences as they really come (issue 26): field accuracy per key, and wrong
values nobody is told of, with a baseline in the same run.

    .venv/bin/python bench/licence_bench.py [--quick] [--n 10] [--seed 0] [--baseline REF]

Two sets of pages:
- the real licences in ../shared/corpus, against labels/transcriptions.json;
- generated licences made the way real ones are (tests/docgen/licences.py): every layout in
  both scripts, the authority's red seal stamped over 登记机关 and the date with the
  authority's name in its ring, scanned, photocopied or photographed, some turned 90°/180°.

Each page is OCR'd once (the ring readings included) and analysed twice: by this tree's
forms, and by the baseline's forms (`git archive REF forms ocr`, run in a subprocess
on the same lines, where Page has no seals): the figures before and after are from the
same OCR. A value is right when it equals the truth once whitespace is cleaned (text) or
exactly (codes, dates, money). "wrong, not flagged" counts values that are present, wrong,
and carry no problem: the target is none on codes, dates and names.
"""
from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORPUS = REPO.parent.parent / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
# the keys the target "none wrong unflagged" is about
GUARDED = {"uscc", "established_on", "term_end", "issued_on", "name", "legal_representative",
           "registration_authority"}
# transcription labels → FIELDS.md keys
REAL_KEYS = {"统一社会信用代码": "uscc", "名称": "name", "类型": "entity_type", "法定代表人": "legal_representative",
             "注册资本": "registered_capital", "成立日期": "established_on", "营业期限": "term_end",
             "住所": "address", "经营范围": "business_scope", "登记日期": "issued_on", "登记机关": "registration_authority"}


def real_truth(fields: dict[str, str]) -> dict[str, str]:
    from forms.normalize import parse_date, parse_money, parse_term_end

    out = {}
    for label, value in fields.items():
        key = REAL_KEYS.get(label)
        if key is None:
            continue
        if key in ("established_on", "issued_on"):
            value = parse_date(value)
        elif key == "term_end":
            value = parse_term_end(value)
        elif key == "registered_capital":
            fig, dx = parse_money(value)
            value = fig or dx
        out[key] = value
    return out


def same(key: str, got: str, want: str) -> bool:
    from forms.text import clean_text, fold

    if key in ("business_scope", "address", "name", "entity_type", "legal_representative",
               "registration_authority"):
        return fold(clean_text(got)).replace("(", "").replace(")", "") == \
            fold(clean_text(want)).replace("(", "").replace(")", "")
    return got == want


def to_json(extraction) -> dict:
    return {"media_type": extraction.media_type, "script": extraction.script, "pages": [
        {"number": p.number, "source": p.source, "engine": p.engine, "script": p.script, "width": p.width,
         "height": p.height, "confidence": p.confidence,
         "lines": [[ln.text, [ln.box.x0, ln.box.y0, ln.box.x1, ln.box.y1], ln.confidence] for ln in p.lines]}
        for p in extraction.pages]}


_BASELINE_SCRIPT = r"""
import json, sys
from ocr.extraction import Box, Extraction, Line, Page
from forms.analysis import analyze
out = []
for d in json.load(sys.stdin):
    pages = tuple(Page(p["number"], p["source"], p["engine"], p["script"], p["width"], p["height"],
                       tuple(Line(t, Box(*b), c) for t, b, c in p["lines"]), p["confidence"]) for p in d["pages"])
    a = analyze(Extraction(d["media_type"], d["script"], pages))
    out.append({k: [v.value, list(v.problems)] for k, v in a.fields.items()})
json.dump(out, sys.stdout)
"""


def baseline_fields(ref: str, extractions: list) -> list[dict] | None:
    """The baseline's forms on the same OCR lines (a tree exported from git, no seals)."""
    with tempfile.TemporaryDirectory() as tmp:
        arch = subprocess.run(["git", "-C", str(REPO), "archive", ref, "forms", "ocr"], capture_output=True)
        if arch.returncode != 0:
            print(f"baseline {ref!r}: {arch.stderr.decode().strip()}")
            return None
        subprocess.run(["tar", "-x", "-C", tmp], input=arch.stdout, check=True)
        run = subprocess.run([sys.executable, "-c", _BASELINE_SCRIPT], cwd=tmp, capture_output=True,
                             input=json.dumps([to_json(e) for e in extractions]).encode(),
                             env={"PYTHONPATH": tmp, "PATH": "/usr/bin:/bin"})
        if run.returncode != 0:
            print(run.stderr.decode()[-2000:])
            return None
        return [{k: (v[0], tuple(v[1])) for k, v in d.items()} for d in json.loads(run.stdout)]


def score(rows: list[tuple[dict[str, str], dict[str, tuple[str, tuple]]]]):
    per = defaultdict(Counter)
    for truth, got in rows:
        for key, want in truth.items():
            c = per[key]
            c["n"] += 1
            g = got.get(key)
            if g is None:
                c["missing"] += 1
            elif same(key, g[0], want):
                c["right"] += 1
            elif g[1]:
                c["wrong_flagged"] += 1
            else:
                c["wrong_unflagged"] += 1
    return per


def report(title: str, new, base) -> None:
    print(f"\n== {title}")
    print(f"{'key':24} {'n':>3} {'baseline':>9} {'now':>9}   now: missing / wrong flagged / wrong NOT flagged")
    tot = Counter()
    tot_b = Counter()
    for key in sorted(new):
        c, b = new[key], (base or {}).get(key, Counter())
        tot.update(c)
        tot_b.update(b)
        bpct = f"{100 * b['right'] / b['n']:.0f}%" if b.get("n") else "-"
        print(f"{key:24} {c['n']:>3} {bpct:>9} {100 * c['right'] / c['n']:>8.0f}%   "
              f"{c['missing']} / {c['wrong_flagged']} / {c['wrong_unflagged']}")
    bpct = f"{100 * tot_b['right'] / tot_b['n']:.1f}%" if tot_b.get("n") else "-"
    print(f"{'ALL':24} {tot['n']:>3} {bpct:>9} {100 * tot['right'] / tot['n']:>8.1f}%   "
          f"{tot['missing']} / {tot['wrong_flagged']} / {tot['wrong_unflagged']}")
    guarded = sum(new[k]["wrong_unflagged"] for k in new if k in GUARDED)
    guarded_b = sum((base or {}).get(k, Counter())["wrong_unflagged"] for k in new if k in GUARDED)
    print(f"wrong values NOT flagged on codes, dates and names: baseline {guarded_b if base else '-'}, now {guarded}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10, help="generated licences")
    ap.add_argument("--quick", action="store_true", help="5 generated licences")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--baseline", default=None,
                    help="git ref whose forms are the baseline (default: where this branch left main, "
                         "so other branches' merges into main do not move it)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    n = 5 if args.quick else args.n
    if args.baseline is None:
        base = subprocess.run(["git", "-C", str(REPO), "merge-base", "main", "HEAD"], capture_output=True, text=True)
        args.baseline = base.stdout.strip() or "main"

    from forms.analysis import analyze
    from ocr import ReadOptions, Reader
    from tests.docgen.licences import LAYOUTS, LEVELS, licence, scan_licence

    sets: dict[str, list] = {"real licences (../shared/corpus)": [], "generated licences": []}
    labels = json.loads((CORPUS / "labels" / "transcriptions.json").read_text())
    with Reader(ReadOptions(workers=1, threads_per_worker=2, make_archival_pdf=False,
                            page_images=False)) as reader:
        for rel, entry in labels.items():
            if rel.startswith("business_license/"):
                ex = reader.read((CORPUS / rel).read_bytes()).extraction
                sets["real licences (../shared/corpus)"].append((rel, real_truth(entry["fields"]), ex))
        for i in range(n):
            layout = LAYOUTS[i % len(LAYOUTS)]
            script = ("zh-Hans", "zh-Hant")[(i // len(LAYOUTS) + i) % 2]
            rng = random.Random(args.seed * 1000 + i)
            doc, seal = licence(args.seed * 1000 + i, script, layout)
            level = LEVELS[i % len(LEVELS)]
            rotate = (0, 0, 90, 0, 180)[i % 5]
            img = scan_licence(doc, seal, rng, level=level, rotate=rotate)
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=88)
            ex = reader.read(buf.getvalue()).extraction
            sets["generated licences"].append((f"{layout}/{script}/{level}/rot{rotate}", doc.truth, ex))

    for title, items in sets.items():
        now = []
        for name, truth, ex in items:
            a = analyze(ex)
            got = {k: (v.value, v.problems) for k, v in a.fields.items()}
            now.append((truth, got))
            if args.verbose:
                for key, want in truth.items():
                    g = got.get(key)
                    if g is None or not same(key, g[0], want):
                        print(f"  {name} {key}: want {want!r} got {g}")
        base = baseline_fields(args.baseline, [ex for _, _, ex in items])
        base_rows = [(truth, b) for (_, truth, _), b in zip(items, base)] if base is not None else None
        report(f"{title}: {len(items)} pages", score(now), score(base_rows) if base_rows else None)


if __name__ == "__main__":
    main()
