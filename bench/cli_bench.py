"""Benchmark of the `dossier` command's start: `--help`, and a search on a small archive.

    .venv/bin/python bench/cli_bench.py            # 60 documents, 7 runs of each command
    .venv/bin/python bench/cli_bench.py --quick    # 3 runs

A fresh data folder gets 60 documents filed straight through archive_store (no OCR:
this measures the command, not reading scans) and indexed. Each command then runs as
a new process, as a user or a script runs it, several times; the figures are medians
of wall time and of CPU time (the process's own and its children's). The baseline is
`python -c pass` in the same run, so the ratios say how much the command costs beyond
starting Python, whatever else the machine is doing (CPU time is the steadier figure on a
shared machine). The commands keep jieba's word cache in a folder of the run's own: the
first search builds it and is reported apart, the others read it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PARAGRAPH = (
    "为了规范公司客户档案的建立、管理和使用，提高客户服务质量，加强客户关系管理，特制定本制度。"
    "本制度适用于公司所有涉及客户信息管理的部门和员工，包括销售部门、客服部门、市场部门等。"
    "客户档案应当真实准确完整，由档案管理员统一登记、编号和保管。档案借阅须经部门负责人审批，"
    "借阅期限不超过三十日。经营范围：技术开发、技术咨询、技术服务；货物进出口；企业管理咨询。"
    "合同双方应当按照约定全面履行各自的义务，任何一方不得擅自变更或者解除合同。"
)
CITIES = ["上海", "北京", "广州", "深圳", "杭州", "南京", "苏州", "成都"]
INDUSTRY = ["科技", "贸易", "实业", "信息技术", "物流", "电子"]
TITLES = {"business_license": "营业执照", "contract": "服务合同", "collection_form": "客户信息收集表"}


def make_archive(root: Path, n: int) -> None:
    """A data folder with `n` documents filed and indexed, as `dossier ingest` leaves it."""
    from archive_store.filing import FilingInput, file_document
    from archive_store.matching import CustomerRef
    from archive_store.search_docs import rebuild
    from archive_store.system import init_data_dir

    system, _ = init_data_dir(root)
    r = random.Random(7)
    kinds = list(TITLES)
    with system.db.write() as s:
        for i in range(n):
            kind = kinds[i % 3]
            name = f"{r.choice(CITIES)}{'华强欧阳张李'[i % 6]}{r.choice(INDUSTRY)}有限公司"
            body = "".join(PARAGRAPH[k:] + PARAGRAPH[:k] for k in (r.randrange(len(PARAGRAPH)) for _ in range(6)))
            day = date(2020, 1, 1) + timedelta(days=17 * i)
            file_document(s, system.settings, actor="bench", item=FilingInput(
                source_name=f"doc{i:03d}.pdf", sha256=f"{i:064x}", size=1, media_type="application/pdf",
                customer=CustomerRef("enterprise", name=name), business_line="P", doc_type=kind,
                title=TITLES[kind], pages=1, script="zh-Hans", text=f"{TITLES[kind]}\n名称：{name}\n{body}",
                fields={"name": name}, issue_date=day))
    rebuild(system)
    system.close()


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `cmd`, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    got = [run(cmd, env) for _ in range(runs)]
    return statistics.median(w for w, _ in got), statistics.median(c for _, c in got)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="3 runs of each command")
    args = ap.parse_args()
    runs = 3 if args.quick else args.runs

    dossier = str(Path(sys.executable).with_name("dossier"))
    tmp = Path(tempfile.mkdtemp(prefix="cli-bench-"))
    try:
        data = tmp / "data"
        make_archive(data, args.docs)
        # jieba's word cache in a folder of this run's own, so the first search builds it
        env = {**os.environ, "DOSSIER_DATA": str(data), "XDG_CACHE_HOME": str(tmp / "cache")}
        search = [dossier, "search", "营业执照", "--json"]
        first = run(search, env)
        found = json.loads(subprocess.run(search, env=env, check=True, capture_output=True).stdout)["total"]
        rows = [
            ("python -c pass (baseline)", [sys.executable, "-c", "pass"]),
            ("dossier --help", [dossier, "--help"]),
            ("dossier search 营业执照 --json", search),
        ]
        results = [(label, *measure(cmd, env, runs)) for label, cmd in rows]
        base_wall, base_cpu = results[0][1], results[0][2]
        print(f"{args.docs} documents ({found} found by the search), median of {runs} runs")
        print(f"{'command':36} {'wall s':>8} {'cpu s':>8} {'wall/base':>10} {'cpu/base':>9}")
        for label, wall, cpu in results:
            print(f"{label:36} {wall:8.3f} {cpu:8.3f} {wall / base_wall:10.1f} {cpu / base_cpu:9.1f}")
        print(f"{'first search (builds jieba cache)':36} {first[0]:8.3f} {first[1]:8.3f} "
              f"{first[0] / base_wall:10.1f} {first[1] / base_cpu:9.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
