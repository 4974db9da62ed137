"""Benchmark of the portal: search and document pages under 20 signed-in users.

    .venv/bin/python bench/portal_bench.py                 # 100,000 documents, 60 s
    .venv/bin/python bench/portal_bench.py --n 5000 --seconds 15   # a quick run
    .venv/bin/python bench/portal_bench.py --quick         # what `make bench` runs

Builds a throwaway data folder: N documents written straight into the database (archives
of three documents each, one page image shared by all, text of about 600 characters from
/work/shared/seeds), indexed through `SearchIndex` (archive_store.search_docs.rebuild).
Then serves the real portal with waitress in a child process on 127.0.0.1 and runs
`--users` threads, each signed in as its own account (a mix of sales, service and
department heads), requesting in a loop for `--seconds`: the search page (random names,
codes and words, sometimes a filter or page 2), the document page (random documents the
user may see: staff only effective ones), and the baseline — the login page, which
renders a template through the same server, session and middleware but touches no
record. p50/p95 are reported for each, and as ratios to the baseline measured in the
same run. Only loopback addresses are used.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import http.client
import io
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEEDS = "/work/shared/seeds/*.txt"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕春菊凤洁梅琳云莲雪荣爱香月瑞佳嘉琼珍莉晶妍秋珊婷颖露瑶怡丹蓉君琴薇岚馨悦冰宁欣晓欢枫芸菲浩宇轩博文志鹏泽睿辰逸"
CITIES = ["上海", "北京", "广州", "深圳", "杭州", "南京", "苏州", "成都", "重庆", "武汉", "西安", "天津"]
INDUSTRY = ["科技", "贸易", "实业", "信息技术", "医疗器械", "物流", "食品", "电子", "新材料", "机械制造"]
KINDS = ["business_license", "contract", "collection_form"]
PASSWORD = "bench-password-123"
CHUNK = 5000


def company(r: random.Random) -> str:
    return f"{r.choice(CITIES)}{''.join(r.choice(GIVEN) for _ in range(2))}{r.choice(INDUSTRY)}有限公司"


def person(r: random.Random) -> str:
    return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(2))


def uscc(r: random.Random) -> str:
    return "91" + "".join(r.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(16))


def page_image() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (900, 1200), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 28)
    for i in range(12):
        draw.text((80, 120 + 70 * i), f"第{i + 1}行：客户档案测试页面", font=font, fill="black")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def load(system, n: int, seed: int = 11) -> dict:
    """N documents written straight into the database; returns what the load needs to know."""
    from sqlalchemy import insert

    from archive_store.models import Archive, Document, utcnow

    pool = " ".join(Path(p).read_text(encoding="utf-8") for p in sorted(glob.glob(SEEDS)))
    pool = re.sub(r"\s+", "", pool) or "客户档案管理制度" * 200
    page_sha = system.store.put_bytes(page_image())
    r = random.Random(seed)
    names, codes, effective = [], [], []
    now = utcnow()
    n_archives = (n + 2) // 3
    with system.db.write() as s:
        for start in range(0, n_archives, CHUNK):
            rows = []
            for a in range(start, min(start + CHUNK, n_archives)):
                name = company(r)
                rows.append({"id": a + 1, "archive_no": f"2025{'PS'[a % 2]}02{a + 1:06d}", "customer_type": "enterprise",
                             "business_line": "PS"[a % 2], "name": name, "name_key": name, "uscc": uscc(r),
                             "stage": r.choice(["potential", "intention", "deal", "lost"]),
                             "grade": r.choice("ABC"), "status": "active", "created_at": now,
                             "paper_location": f"柜{a % 40 + 1}-盒{a % 300 + 1}"})
                if a % 50 == 0:
                    names.append(name)
                    codes.append(rows[-1]["uscc"])
            s.execute(insert(Archive), rows)
        for start in range(0, n, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, n)):
                a = i // 3
                kind = KINDS[i % 3]
                archive_no = f"2025{'PS'[a % 2]}02{a + 1:06d}"
                issued = date(2016, 1, 1) + timedelta(days=r.randrange(0, 3500))
                amount = f"{r.randrange(1000, 50_000_000) / 100:.2f}"
                contact = person(r)
                fields = {"contract": {"contract_no": f"HT{i:08d}", "party_a": names[a // 50] if a % 50 == 0 else company(r),
                                       "amount": amount, "signed_on": issued.isoformat()},
                          "business_license": {"name": company(r), "legal_representative": contact,
                                               "established_on": issued.isoformat()},
                          "collection_form": {"customer_name": company(r), "contact_person": contact,
                                              "phone": f"13{r.randrange(10**8, 10**9)}", "needs": "设备采购与维保"}}[kind]
                at = r.randrange(0, len(pool) - 600)
                text = "\n".join(f"{k}：{v}" for k, v in fields.items()) + "\n" + pool[at:at + 500]
                status = "effective" if r.random() < 0.9 else "pending_review"
                if status == "effective" and i % 25 == 0:
                    effective.append((f"{archive_no}-{i % 3 + 1:03d}", kind))
                rows.append({"doc_no": f"{archive_no}-{i % 3 + 1:03d}", "archive_id": a + 1, "item_no": i % 3 + 1,
                             "doc_type": kind, "title": {"contract": "服务合同", "business_license": "营业执照",
                                                         "collection_form": "客户信息收集表"}[kind],
                             "source_name": f"scan-{i}.pdf", "sha256": hashlib.sha256(str(i).encode()).hexdigest(),
                             "size": 100_000, "media_type": "application/pdf", "pages": 1, "script": "zh-Hans",
                             "text": text, "fields": fields, "field_confidence": {k: 0.9 for k in fields},
                             "field_problems": {}, "field_set_by": {k: "extraction" for k in fields},
                             "field_boxes": {}, "review_reasons": [], "issue_date": issued, "status": status,
                             "page_image_sha256": [page_sha], "filed_at": now, "filed_by": "bench"})
            s.execute(insert(Document), rows)
    words = ["合同", "营业执照", "维保", "设备", "客户", "档案", "服务", "管理", "科技", "上海"]
    return {"names": names, "codes": codes, "docs": effective, "words": words}


def make_users(system, count: int) -> list[tuple[str, str]]:
    from archive_store.users import create_account

    roles = ["sales"] * (count // 2) + ["service"] * (count // 4)
    roles += ["dept_head"] * (count - len(roles))
    users = []
    with system.db.write() as s:
        for i, role in enumerate(roles):
            create_account(s, actor="bench", username=f"bench{i}", role=role, password=PASSWORD)
            users.append((f"bench{i}", role))
    return users


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVER = """
import logging, sys
sys.path.insert(0, {repo!r})
logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a full queue is what we measure
from archive_store.system import open_system
from web.app import create_app
from waitress import serve
system = open_system({data!r})
serve(create_app(system), host="127.0.0.1", port={port}, threads={threads}, _quiet=True)
"""


class Client:
    """One signed-in user on one keep-alive connection."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                self.cookie = v.split(";", 1)[0]
        return resp.status, data

    def sign_in(self, username: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/login", urlencode({"csrf_token": token, "username": username,
                                                               "password": PASSWORD}))
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status})")


def run_load(port: int, users, data: dict, seconds: float) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"baseline": [], "search": [], "document": []}
    errors: list[str] = []
    lock = threading.Lock()
    start_at = time.monotonic() + 2.0
    end_at = start_at + seconds

    def worker(k: int, username: str, role: str) -> None:
        r = random.Random(k)
        client = Client(port)
        client.sign_in(username)
        docs = [d for d, kind in data["docs"]] if role != "marketing" else []
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while time.monotonic() < end_at:
            pick = r.random()
            if pick < 0.2:
                kind, path = "baseline", "/login"
            elif pick < 0.6:
                q = r.choice([r.choice(data["names"]), r.choice(data["codes"]), r.choice(data["words"]),
                              r.choice(data["words"]) + " " + r.choice(data["words"])])
                args = {"q": q}
                if r.random() < 0.3:
                    args["doc_type"] = r.choice(KINDS)
                if r.random() < 0.2:
                    args["page"] = 2
                kind, path = "search", "/search?" + urlencode(args)
            else:
                kind, path = "document", f"/documents/{r.choice(docs)}"
            t0 = time.perf_counter()
            status, _ = client.request("GET", path)
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200 or (kind == "baseline" and status == 302):
                    times[kind].append(elapsed)
                else:
                    errors.append(f"{status} {path}")

    threads = [threading.Thread(target=worker, args=(k, u, role), daemon=True) for k, (u, role) in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times["errors"] = errors  # type: ignore[assignment]
    return times


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="documents to load")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--threads", type=int, default=8, help="waitress threads")
    ap.add_argument("--quick", action="store_true", help="2,000 documents, 10 seconds")
    ap.add_argument("--keep", action="store_true", help="keep the data folder (to --reuse it)")
    ap.add_argument("--reuse", metavar="DIR", help="measure again on a folder a --keep run left; no loading")
    args = ap.parse_args()
    if args.quick:
        args.n, args.seconds = 2000, 10

    from archive_store.search_docs import rebuild
    from archive_store.system import init_data_dir

    if args.reuse:
        work = Path(args.reuse)
        saved = json.loads((work / "bench.json").read_text(encoding="utf-8"))
        data, users, args.n = saved["data"], [tuple(u) for u in saved["users"]], saved["n"]
        args.keep = True
        print(f"documents: {args.n:,} (reused)   users: {len(users)}   seconds: {args.seconds:g}   "
              f"waitress threads: {args.threads}   cpus: {os.cpu_count()}   data: {work}")
    else:
        work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        print(f"documents: {args.n:,}   users: {args.users}   seconds: {args.seconds:g}   "
              f"waitress threads: {args.threads}   cpus: {os.cpu_count()}   data: {work}")
        system, _ = init_data_dir(work / "data")
        t0 = time.perf_counter()
        data = load(system, args.n)
        t1 = time.perf_counter()
        indexed = rebuild(system)
        t2 = time.perf_counter()
        users = make_users(system, args.users)
        system.close()
        (work / "bench.json").write_text(json.dumps({"n": args.n, "data": data, "users": users}, ensure_ascii=False),
                                         encoding="utf-8")
        print(f"load: {t1 - t0:.1f} s database ({args.n / (t1 - t0):,.0f} docs/s), "
              f"{t2 - t1:.1f} s index ({indexed:,} docs, {indexed / max(t2 - t1, 1e-9):,.0f} docs/s)")

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(
        repo=str(Path(__file__).resolve().parents[1]), data=str(work / "data"), port=port, threads=args.threads)])
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        # warm up: the index's searcher and reader sets, the templates
        warm = Client(port)
        warm.sign_in(users[0][0])
        for q in data["words"]:
            warm.request("GET", "/search?" + urlencode({"q": q}))
        # One user alone first: the service time of each page without queueing.
        solo = run_load(port, users[:1], data, min(15.0, args.seconds))
        solo.pop("errors")
        times = run_load(port, users, data, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    errors = times.pop("errors")
    base50, base95 = pct(times["baseline"], 50), pct(times["baseline"], 95)
    report = {"documents": args.n, "users": len(users), "seconds": args.seconds, "errors": len(errors)}
    print(f"{'page':<10}{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p50 ×base':>11}{'p95 ×base':>11}")
    for kind in ("baseline", "search", "document"):
        xs = times[kind]
        p50, p95 = pct(xs, 50), pct(xs, 95)
        report[kind] = {"requests": len(xs), "p50_ms": round(p50 * 1000, 1), "p95_ms": round(p95 * 1000, 1)}
        print(f"{kind:<10}{len(xs):>10}{len(xs) / args.seconds:>8.1f}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}"
              f"{p50 / base50:>11.1f}{p95 / base95:>11.1f}")
    print("one user alone (service time, no queueing):")
    for kind in ("baseline", "search", "document"):
        xs = solo[kind]
        report[f"solo_{kind}"] = {"requests": len(xs), "p50_ms": round(pct(xs, 50) * 1000, 1),
                                  "p95_ms": round(pct(xs, 95) * 1000, 1)}
        print(f"{kind:<10}{len(xs):>10}{'':>8}{pct(xs, 50) * 1000:>9.1f}{pct(xs, 95) * 1000:>9.1f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")
    if errors:
        print(f"errors: {len(errors)} (first: {errors[:3]})")
    print(json.dumps(report, ensure_ascii=False))
    if not args.keep:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
