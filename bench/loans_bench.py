"""Benchmark of the borrow log (借阅登记表) with many loans: the page, the CSV and the PDF.

    .venv/bin/python bench/loans_bench.py              # 10,000 loans
    .venv/bin/python bench/loans_bench.py --quick      # 1,000 loans, what `make bench` runs

Builds a throwaway data folder with N requests written straight into the database (2,000
archives, 200 borrowers, every status: about half returned, some on loan, overdue,
refused, withdrawn and pending, each with its approval rows). Then, in this process with
Flask's test client signed in as the archive manager, times the borrow log page (first
page, a deep page, filtered by person, by archive and by overdue), the CSV and the PDF
of the whole log. Baselines from the same run: the login page (a template through the
same app, session and middleware, touching no record) for the pages, and the blank
collection form (forms.print_blank_form: fpdf2 with the same CJK font, one page) for
the PDF. Medians of --repeat runs, and ratios to the baselines.
"""
from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "bench-password-123"
CHUNK = 5000


def load(system, n: int, seed: int = 7) -> dict:
    from sqlalchemy import insert

    from archive_store import loans
    from archive_store.models import Archive, BorrowApproval, BorrowRequest, Loan, User, utcnow
    from archive_store.users import create_account
    from werkzeug.security import generate_password_hash

    r = random.Random(seed)
    with system.db.write() as s:
        for name, role in [("desk", "archive_manager"), ("head", "dept_head"), ("boss", "leader")]:
            create_account(s, actor="bench", username=name, role=role, password=PASSWORD)
        # One hash for every borrower: hashing 200 passwords would take longer than the bench.
        digest = generate_password_hash(PASSWORD)
        s.execute(insert(User), [{"id": 1000 + i, "username": f"staff{i}", "display_name": f"staff{i}",
                                  "role": r.choice(["sales", "service"]), "password_hash": digest, "active": True}
                                 for i in range(200)])
        borrowers = [1000 + i for i in range(200)]
        s.execute(insert(Archive), [{"id": a + 1, "archive_no": f"2024P02{a + 1:05d}", "customer_type": "enterprise",
                                     "business_line": "P", "name": f"测试客户{a + 1}号有限公司", "status": "active",
                                     "stage": "deal", "paper_location": f"A柜-{a % 40 + 1:02d}盒",
                                     "created_at": utcnow()} for a in range(2000)])
    today = loans.today()
    start = utcnow() - timedelta(days=720)
    weights = [("returned", 50), ("on_loan", 10), ("overdue", 5), ("refused", 10), ("withdrawn", 5),
               ("pending_dept", 10), ("pending_leader", 5), ("approved", 5)]
    statuses = [st for st, w in weights for _ in range(w)]
    with system.db.write() as s:
        for first in range(0, n, CHUNK):
            reqs, lns, apps = [], [], []
            for i in range(first, min(first + CHUNK, n)):
                st = r.choice(statuses)
                at = start + timedelta(minutes=i * 100)
                kind = "paper" if r.random() < 0.7 else "electronic"
                reqs.append({"id": i + 1, "kind": kind, "archive_id": r.randrange(1, 2001),
                             "requester_id": r.choice(borrowers), "department": "销售部",
                             "reason": r.choice(["合同续签核对", "客户回访准备", "审计抽查", "纠纷取证，需核对原件签章"]),
                             "content": "", "days": 5, "planned_return": (at + timedelta(days=7)).date(),
                             "allow_download": False, "requested_at": at,
                             "status": "on_loan" if st == "overdue" else st, "decided_at": at})
                if st in ("pending_leader", "approved", "returned", "on_loan", "overdue", "refused"):
                    apps.append({"request_id": i + 1, "step": "dept_head", "actor": "head", "comment": "同意",
                                 "decision": "refused" if st == "refused" else "approved", "at": at})
                if st in ("approved", "returned", "on_loan", "overdue"):
                    apps.append({"request_id": i + 1, "step": "leader", "actor": "boss", "comment": "",
                                 "decision": "approved", "at": at})
                if st in ("returned", "on_loan", "overdue"):
                    out = today - timedelta(days=r.randrange(1, 30)) if st != "returned" else at.date()
                    due = today + timedelta(days=r.randrange(0, 10)) if st == "on_loan" else out + timedelta(days=7)
                    kind_ = "paper" if st == "overdue" else kind
                    reqs[-1]["kind"] = kind_
                    lns.append({"request_id": i + 1, "borrower_id": reqs[-1]["requester_id"],
                                "archive_id": reqs[-1]["archive_id"], "kind": kind_, "paper_location": "A柜-01盒",
                                "handed_out_at": at, "handed_out_by": "desk", "out_on": out,
                                "due_on": min(due, today - timedelta(days=1)) if st == "overdue" else due,
                                "returned_at": at if st == "returned" else None,
                                "returned_on": due if st == "returned" else None,
                                "condition": r.choice(["complete"] * 8 + ["damaged", "pages_missing"])
                                if st == "returned" else None})
            s.execute(insert(BorrowRequest), reqs)
            if lns:
                s.execute(insert(Loan), lns)
            if apps:
                s.execute(insert(BorrowApproval), apps)
    return {"person": "staff7", "archive": "2024P0200042"}


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.n, args.repeat = 1000, 3

    from archive_store.system import init_data_dir
    from forms import print_blank_form
    from web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        system, _ = init_data_dir(Path(tmp) / "data")
        t = time.perf_counter()
        picks = load(system, args.n)
        print(f"loaded {args.n} requests in {time.perf_counter() - t:.1f}s")
        app = create_app(system)
        app.config["WTF_CSRF_ENABLED"] = True
        anon = app.test_client()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"username": "desk", "password": PASSWORD, "csrf_token": token}).status_code == 302

        def get(c, path):
            def go():
                resp = c.get(path)
                assert resp.status_code == 200, (path, resp.status_code)
                return resp.data
            return go

        rows = []
        base, _ = timed(get(anon, "/login"), args.repeat * 4)
        rows.append(("baseline: login page", base, None))
        for label, path in [("log page 1 (all)", "/loans/log"),
                            ("log deep page", f"/loans/log?page={max(1, args.n // 100)}"),
                            ("log by person", f"/loans/log?person={picks['person']}"),
                            ("log by archive", f"/loans/log?archive_no={picks['archive']}"),
                            ("log overdue", "/loans/log?status=overdue"),
                            ("borrow desk", "/loans/desk")]:
            sec, body = timed(get(client, path), args.repeat)
            rows.append((label, sec, len(body)))
        sec, csv_body = timed(get(client, "/loans/log.csv"), args.repeat)
        rows.append(("CSV of the whole log", sec, len(csv_body)))
        pbase, blank = timed(lambda: print_blank_form("zh-Hans"), args.repeat)
        rows.append(("baseline: blank form PDF", pbase, len(blank)))
        psec, pdf = timed(get(client, "/loans/log.pdf"), max(1, args.repeat // 2))
        rows.append(("PDF of the whole log", psec, len(pdf)))
        from pypdf import PdfReader
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        system.close()

    print(f"\nborrow log of {args.n} requests (median of {args.repeat}):")
    for label, sec, size in rows:
        ref = pbase if "PDF" in label else base
        extra = f"  {size / 1024:8.1f} KiB" if size else ""
        print(f"  {label:28s} {sec * 1000:9.1f} ms  ×{sec / ref:7.1f}{extra}")
    print(f"  PDF pages: {pages}, {len(pdf) / max(pages, 1) / 1024:.1f} KiB/page, "
          f"{psec / max(args.n, 1) * 1000:.2f} ms/row")


if __name__ == "__main__":
    main()
