"""Benchmark of the portal served as `dossier run` serves it: 20 signed-in users at 100,000 documents.

    .venv/bin/python bench/portal_bench.py --keep          # build 100,000 documents, measure, keep the folder
    .venv/bin/python bench/portal_bench.py --reuse DIR     # measure again on a kept folder
    .venv/bin/python bench/portal_bench.py --reuse DIR --before OLD   # and the code of checkout OLD first
                  (its dependencies must be in this venv: 0197646 needs waitress, `pip install waitress`)
    .venv/bin/python bench/portal_bench.py --n 5000 --seconds 15   # a quick run
    .venv/bin/python bench/portal_bench.py --quick         # what `make bench` runs

Builds a throwaway data folder: N documents written straight into the database (archives
of three documents each, one page image shared by all, text of about 600 characters from
/work/shared/seeds), indexed through `SearchIndex` (archive_store.search_docs.rebuild).
Then starts the real `dossier run --no-watch --web-workers W` on 127.0.0.1 (gunicorn: W
pre-forked processes): W=1 is the single-process baseline, W=0 one process per core, as
`dossier run` serves by default (and, with --before, another checkout's `dossier run`). All
run at once and are measured in turns, `--rounds` times over, so that a shared machine's
drifting load falls on each alike. Against each it measures

* one user alone, page after page with no pause (the pages' own cost, no queueing), and
* `--users` users at once, each signed in as its own account (a mix of sales, service and
  department heads), each asking for the search page (random names, codes and words,
  sometimes a filter or page 2) or a document page (a random document the user may open),
  then thinking for `--think` seconds, for `--seconds`.

In the same run, in this process, one user's index searches alone (`SearchIndex.search` with
the same user's reader tokens and status pin, the same query mix, no portal): what the search
page costs beyond it is the page's own. p50/p95 for each, and ratios. Only loopback is used.
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
import signal
import socket
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


class Client:
    """One signed-in user on one keep-alive connection."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed a keep-alive connection that sat idle: ask again, as a browser does
            self.conn.close()
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


def search_args(r: random.Random, data: dict) -> dict:
    q = r.choice([r.choice(data["names"]), r.choice(data["codes"]), r.choice(data["words"]),
                  r.choice(data["words"]) + " " + r.choice(data["words"])])
    args = {"q": q}
    if r.random() < 0.3:
        args["doc_type"] = r.choice(KINDS)
    if r.random() < 0.2:
        args["page"] = 2
    return args


def run_load(port: int, users, data: dict, seconds: float, think: float) -> dict[str, list[float]]:
    """Each user: a search page or a document page, then `think` seconds, until time is up."""
    times: dict[str, list[float]] = {"search": [], "document": []}
    errors: list[str] = []
    lock = threading.Lock()
    clients = []
    for username, _ in users:  # signed in before the clock starts: a sign-in hashes a password
        client = Client(port)
        client.sign_in(username)
        clients.append(client)
    start_at = time.monotonic() + 0.5
    end_at = start_at + seconds

    def worker(k: int, client: Client) -> None:
        r = random.Random(k)
        docs = [d for d, kind in data["docs"]]
        # spread the users' first requests over one think time, as people arrive
        time.sleep(max(0.0, start_at - time.monotonic()) + r.random() * think)
        while time.monotonic() < end_at:
            if r.random() < 0.5:
                kind, path = "search", "/search?" + urlencode(search_args(r, data))
            else:
                kind, path = "document", f"/documents/{r.choice(docs)}"
            t0 = time.perf_counter()
            status, _ = client.request("GET", path)
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200:
                    times[kind].append(elapsed)
                else:
                    errors.append(f"{status} {path}")
            time.sleep(think)

    threads = [threading.Thread(target=worker, args=(k, c), daemon=True) for k, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times["errors"] = errors  # type: ignore[assignment]
    return times


class IndexAlone:
    """One user's index searches, the search page's query mix and arguments, in this process."""

    def __init__(self, work: Path, username: str, data: dict):
        from archive_store import access
        from archive_store.search import open_index
        from archive_store.system import open_system
        from archive_store.users import acting_user

        self.system = open_system(work / "data", migrate_db=False)
        user = acting_user(self.system, username)
        self.readers, self.pinned = access.reader_tokens(user), access.search_status_filter(user)
        self.index = open_index(self.system)
        self.data, self.r = data, random.Random(0)
        for _ in range(20):  # warm: the searcher, the reader sets
            self.one()

    def one(self) -> float:
        args = search_args(self.r, self.data)
        filters = {"doc_type": args.get("doc_type", ""), "status": self.pinned or ""}
        t0 = time.perf_counter()
        self.index.search(args["q"], readers=self.readers, page=int(args.get("page", 1)), page_size=20,
                          filters=filters, snippets=False)  # as the search page asks
        return time.perf_counter() - t0

    def run(self, seconds: float) -> list[float]:
        end_at, times = time.monotonic() + seconds, []
        while time.monotonic() < end_at:
            times.append(self.one())
        return times

    def close(self) -> None:
        self.index.close()
        self.system.close()


class Server:
    """`dossier run --no-watch --web-workers W` on a free loopback port; with `repo`, the
    `dossier run` of another checkout of Dossier (the code before a change), as it serves."""

    def __init__(self, work: Path, workers: int | None, repo: str | None = None):
        self.port = free_port()
        start = f"import sys; sys.path.insert(0, {repo!r}); from web.cli import main; main()" if repo else \
            "from web.cli import main; main()"
        args = ["--data", str(work / "data"), "run", "--no-watch", "--port", str(self.port)]
        if workers is not None:
            args += ["--web-workers", str(workers)]
        self.proc = subprocess.Popen([sys.executable, "-c", start, *args], stdout=subprocess.DEVNULL,
                                     cwd=repo or Path(__file__).resolve().parents[1])
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the portal did not start")

    def warm(self, users, data: dict, processes: int) -> None:
        """Every process opens its index and templates before the clock starts: connections
        at once, so that each process takes some."""
        def one(k: int) -> None:
            client = Client(self.port)
            client.sign_in(users[k % len(users)][0])
            for q in data["words"]:
                client.request("GET", "/search?" + urlencode({"q": q}))
            client.request("GET", f"/documents/{data['docs'][k][0]}")
        threads = [threading.Thread(target=one, args=(k,)) for k in range(4 * processes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


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
    ap.add_argument("--before", metavar="DIR", help="also measure the `dossier run` of this checkout "
                    "(e.g. `git archive COMMIT | tar -x -C DIR`) first, as the code before")
    ap.add_argument("--rounds", type=int, default=3, help="turns each server's time is split into")
    ap.add_argument("--think", type=float, default=1.0, help="seconds each user pauses after a page")
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
        print(f"documents: {args.n:,} (reused)   data: {work}")
    else:
        work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        print(f"documents: {args.n:,}   data: {work}")
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

    processes = os.cpu_count() or 1
    report = {"documents": args.n, "users": len(users), "seconds": args.seconds, "think_s": args.think,
              "cpus": processes, "load_before": round(os.getloadavg()[0], 1)}
    servers = [("1 process", 1, None), (f"{processes} processes", 0, None)]
    if args.before:
        servers.insert(0, ("before", None, args.before))
    # All servers up at once (an idle one costs nothing) and measured in turns, `--rounds`
    # times over: on a shared machine the load drifts, and each server gets its share of it.
    alone, errors, started = IndexAlone(work, users[0][0], data), [], []
    times = {label: {"solo": {"search": [], "document": []}, "users": {"search": [], "document": []}}
             for label, _, _ in servers}
    alone_times: list[float] = []
    solo_s, users_s = min(15.0, args.seconds) / args.rounds, args.seconds / args.rounds
    try:
        for label, workers, repo in servers:
            started.append(Server(work, workers, repo))
            started[-1].warm(users, data, max(1, workers or processes))
        for _ in range(args.rounds):
            alone_times += alone.run(solo_s)
            for (label, _, _), server in zip(servers, started):
                for run, who, think, seconds in (("solo", users[:1], 0.0, solo_s),
                                                 ("users", users, args.think, users_s)):
                    got = run_load(server.port, who, data, seconds, think=think)
                    errors += got.pop("errors")
                    for kind, xs in got.items():
                        times[label][run][kind] += xs
    finally:
        for server in started:
            server.stop()
        alone.close()
    report["index_alone"] = summary(alone_times)
    for label, _, _ in servers:
        report[label] = {run: {k: summary(v) for k, v in kinds.items()} for run, kinds in times[label].items()}
    report["load_after"] = round(os.getloadavg()[0], 1)
    print(f"documents: {args.n:,}   users: {len(users)} (think {args.think:g} s)   seconds: {args.seconds:g}   "
          f"cpus: {processes}   load average before: {report['load_before']}")
    a50, a95 = report["index_alone"]["p50_ms"], report["index_alone"]["p95_ms"]
    print(f"index search alone, one user, in process: p50 {a50} ms  p95 {a95} ms  "
          f"({report['index_alone']['requests']} searches)")
    print(f"{'server':<13}{'run':<9}{'page':<10}{'requests':>9}{'req/s':>7}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p50 ×index':>12}{'p95 ×index':>12}")
    for label, _, _ in servers:
        for run in ("solo", "users"):
            for kind in ("search", "document"):
                f = report[label][run][kind]
                ratio = (f"{f['p50_ms'] / a50:>12.1f}{f['p95_ms'] / a95:>12.1f}" if kind == "search" else "")
                rate = f["requests"] / (min(15.0, args.seconds) if run == "solo" else args.seconds)
                print(f"{label:<13}{'1 user' if run == 'solo' else f'{len(users)} users':<9}{kind:<10}"
                      f"{f['requests']:>9}{rate:>7.1f}{f['p50_ms']:>9.1f}{f['p95_ms']:>9.1f}{ratio}")
    print(f"load average after: {report['load_after']} (1-minute, on {processes} cpus)")
    report["errors"] = len(errors)
    if errors:
        print(f"errors: {len(errors)} (first: {errors[:3]})")
    print(json.dumps(report, ensure_ascii=False))
    if not args.keep:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if errors else 0)


def summary(xs: list[float]) -> dict:
    return {"requests": len(xs), "p50_ms": round(pct(xs, 50) * 1000, 1), "p95_ms": round(pct(xs, 95) * 1000, 1)}


if __name__ == "__main__":
    main()
