"""Benchmark of search with the index in PostgreSQL against the embedded (whoosh) index.

    .venv/bin/python bench/pg_search_bench.py                  # 100,000 documents
    .venv/bin/python bench/pg_search_bench.py --n 5000         # a quick run
    .venv/bin/python bench/pg_search_bench.py --quick          # what `make bench` runs

One data folder on a temporary PostgreSQL cluster (tests/pg.py, loopback, stopped at the
end) is loaded with N documents by bench/portal_bench.py's builder (archives of three
documents, ~600 characters of text each), then indexed twice from the database: the
embedded index (the baseline, measured in the same run) and `PgSearchIndex`. A mixed
query set (names, codes, words, two words, field queries, money and date ranges,
phrases, booleans and negation, misspellings; unrestricted, or as a staff role with the
status pin, sometimes a filter or sorted by date) is run against both, alternating which
goes first, in one process, first page of 20 with snippets. Reported: build times and
sizes, p50/p95 latency per backend and the ratio, per kind of query, and recall of
PostgreSQL against the embedded index: totals compared for every query, and the whole
result sets for each query with at most --set-limit hits.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.portal_bench import KINDS, load, pct  # noqa: E402
from tests.pg import Cluster  # noqa: E402

STAFF = [{"role:sales"}, {"role:service"}, {"role:marketing"}, {"role:sales@P", "role:sales@S"}]
COMMON = ["合同", "客户", "档案", "管理", "服务", "设备", "有限公司", "科技"]


def make_queries(data: dict, count: int, r: random.Random) -> list[tuple[str, str, dict]]:
    """(kind, query, search options)."""
    out = []
    names, codes = data["names"], data["codes"]
    for k in range(count):
        name = r.choice(names)
        kind = ["name", "name", "word", "two words", "code", "field", "range", "phrase", "boolean", "misspelt"][k % 10]
        if kind == "name":
            q = name if r.random() < 0.5 else name[2:6]
        elif kind == "word":
            q = r.choice(COMMON + data["words"])
        elif kind == "two words":
            q = f"{r.choice(COMMON)} {r.choice(data['words'])}"
        elif kind == "code":
            code = r.choice(codes)
            q = r.choice([code, f"uscc:{code}", f"uscc:{code[:8]}", f"contract_no:HT{r.randrange(len(names) * 150):08d}"])
        elif kind == "field":
            q = r.choice([f"type:contract {name[2:4]}", f"party_a:{name[2:6]}", "type:business_license 科技",
                          f"name:{name[:4]}", f"legal_representative:{r.choice('王李张刘陈')}"])
        elif kind == "range":
            y = r.randrange(2016, 2025)
            q = r.choice([f"amount:>{r.randrange(100_000, 400_000)} {r.choice(COMMON)}",
                          f"amount:{r.randrange(1000, 5000)}..{r.randrange(5000, 9000)}",
                          f"signed:{y}-01..{y}-06 {r.choice(COMMON)}", f"date:{y}-{r.randrange(1, 13):02d}"])
        elif kind == "phrase":
            q = r.choice(['"设备采购与维保"', '"客户信息收集表"', f'"{name[2:6]}"', '"营业执照"'])
        elif kind == "boolean":
            q = r.choice([f"{r.choice(COMMON)} NOT {r.choice(COMMON)}", f"({name[2:4]} OR {r.choice(names)[2:4]}) 合同",
                          f"type:contract -amount:>100000 {r.choice(COMMON)}", f"{name} OR {r.choice(names)}"])
        else:  # one character misread: no document has every bigram, the loose reading answers
            q = name[:3] + "枝" + name[4:]
        opts: dict = {"readers": None, "filters": {}}
        if r.random() < 0.6:  # a staff member: their role's tokens, effective records only
            opts = {"readers": r.choice(STAFF), "filters": {"status": "effective"}}
        if r.random() < 0.2:
            opts["filters"]["doc_type"] = r.choice(KINDS)
        if r.random() < 0.15:
            opts["sort"] = "date"
        out.append((kind, q, opts))
    return out


def timed(ix, q: str, opts: dict):
    t0 = time.perf_counter()
    res = ix.search(q, page_size=20, **opts)
    return time.perf_counter() - t0, res


def whole_set(ix, q: str, opts: dict) -> set[str]:
    out, page = set(), 1
    opts = {k: v for k, v in opts.items() if k != "sort"}
    while True:
        res = ix.search(q, page=page, page_size=200, sort="date", **opts)
        out |= {h.doc_no for h in res.hits}
        if page * 200 >= res.total:
            return out
        page += 1


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="documents to load")
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--set-limit", type=int, default=2000, help="compare whole result sets up to this many hits")
    ap.add_argument("--quick", action="store_true", help="3,000 documents, 100 queries")
    args = ap.parse_args()
    if args.quick:
        args.n, args.queries = 3000, 100

    from sqlalchemy import text

    from archive_store.search_docs import _documents, index_doc
    from archive_store.settings import write_default_settings
    from archive_store.system import init_data_dir
    from index import PgSearchIndex, SearchIndex

    cluster = Cluster()
    cluster.start()
    work = Path(tempfile.mkdtemp(prefix="pg-search-bench-"))
    try:
        data_dir = work / "data"
        data_dir.mkdir()
        toml = write_default_settings(data_dir)
        toml.write_text(re.sub(r'(?m)^database_url = .*$', f'database_url = "{cluster.new_database()}"',
                               toml.read_text(encoding="utf-8")), encoding="utf-8")
        system, _ = init_data_dir(data_dir)
        print(f"documents: {args.n:,}   queries: {args.queries}   cpus: {os.cpu_count()}   "
              f"PostgreSQL: temporary cluster, loopback, default memory settings")
        t0 = time.perf_counter()
        data = load(system, args.n)
        print(f"load: {time.perf_counter() - t0:.1f} s into PostgreSQL")

        def docs():
            with system.db.read() as s:
                for d in _documents(s):
                    yield index_doc(d)

        embedded = SearchIndex(system.settings.index_dir)
        pg = PgSearchIndex(system.db.engine)
        builds = {}
        for label, ix in (("embedded", embedded), ("postgresql", pg)):
            t0 = time.perf_counter()
            n = ix.rebuild(docs())
            builds[label] = time.perf_counter() - t0
            assert n == args.n, (label, n)
        with system.db.engine.connect() as conn:
            pg_bytes = conn.execute(text("SELECT pg_total_relation_size('search_index') + "
                                         "pg_total_relation_size('search_terms')")).scalar_one()
        ix_bytes = folder_bytes(system.settings.index_dir)
        print(f"build: embedded {builds['embedded']:.1f} s ({args.n / builds['embedded']:,.0f} docs/s, "
              f"{ix_bytes / 2**20:,.0f} MB)   postgresql {builds['postgresql']:.1f} s "
              f"({args.n / builds['postgresql']:,.0f} docs/s, {pg_bytes / 2**20:,.0f} MB)")

        r = random.Random(27)
        queries = make_queries(data, args.queries, r)
        for _, q, opts in queries[:20]:  # warm caches, both sides
            embedded.search(q, **opts)
            pg.search(q, **opts)
        lat: dict[str, list[float]] = {"embedded": [], "postgresql": []}
        by_kind: dict[str, dict[str, list[float]]] = {}
        totals_same = sets_compared = sets_same = 0
        recall_sum = 0.0
        worst: list[tuple[str, int, int]] = []
        for k, (kind, q, opts) in enumerate(queries):
            order = [("embedded", embedded), ("postgresql", pg)]
            if k % 2:
                order.reverse()
            got = {}
            for label, ix in order:
                dt, res = timed(ix, q, opts)
                lat[label].append(dt)
                by_kind.setdefault(kind, {"embedded": [], "postgresql": []})[label].append(dt)
                got[label] = res
            a, b = got["embedded"], got["postgresql"]
            if a.total == b.total and a.loose == b.loose:
                totals_same += 1
            else:
                worst.append((q, a.total, b.total))
            if a.total <= args.set_limit:
                want, have = whole_set(embedded, q, opts), whole_set(pg, q, opts)
                sets_compared += 1
                sets_same += want == have
                recall_sum += len(want & have) / len(want) if want else (1.0 if not have else 0.0)

        def line(label: str, xs: list[float]) -> str:
            return f"p50 {pct(xs, 50) * 1000:7.1f} ms   p95 {pct(xs, 95) * 1000:7.1f} ms   mean {statistics.mean(xs) * 1000:7.1f} ms"

        print(f"\nlatency, {len(queries)} mixed queries, first page of 20 with snippets:")
        for label in ("embedded", "postgresql"):
            print(f"  {label:10s}  {line(label, lat[label])}")
        e, p = lat["embedded"], lat["postgresql"]
        print(f"  ratio postgresql/embedded: p50 {pct(p, 50) / pct(e, 50):.2f}x   p95 {pct(p, 95) / pct(e, 95):.2f}x")
        print("\nby kind (p50 / p95 ms, embedded | postgresql):")
        for kind, xs in by_kind.items():
            e, p = xs["embedded"], xs["postgresql"]
            print(f"  {kind:10s} {len(e):4d}  {pct(e, 50) * 1000:7.1f} / {pct(e, 95) * 1000:7.1f}  |  "
                  f"{pct(p, 50) * 1000:7.1f} / {pct(p, 95) * 1000:7.1f}")
        print(f"\nrecall of postgresql against embedded: totals equal for {totals_same}/{len(queries)} queries; "
              f"whole result sets (<= {args.set_limit:,} hits) equal for {sets_same}/{sets_compared}, "
              f"mean recall {recall_sum / max(sets_compared, 1):.4f}")
        for q, ta, tb in worst[:10]:
            print(f"  differs: {q!r}: embedded {ta}, postgresql {tb}")
        system.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        cluster.stop()


if __name__ == "__main__":
    main()
