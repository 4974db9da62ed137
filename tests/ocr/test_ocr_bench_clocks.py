"""The OCR benchmark's clocks and page set (bench/ocr_bench.py): CPU time is what makes
its ratios usable on a shared machine, so the way it is read is tested here."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ocr_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("ocr_bench", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def test_proc_cpu_counts_a_live_processes_cpu_time(bench):
    child = subprocess.Popen([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<0.6: pass\ntime.sleep(5)"])
    try:
        time.sleep(1.2)
        used = bench.proc_cpu(child.pid)
        assert 0.3 < used < 1.2
    finally:
        child.kill()
        child.wait()
    assert bench.proc_cpu(2**22 + 12345) == 0.0  # no such process: nothing, not an error


def test_own_cpu_includes_finished_children(bench):
    before = bench.own_cpu()
    subprocess.run([sys.executable, "-c", "import time\nt=time.time()\nwhile time.time()-t<0.4: pass"], check=True)
    assert bench.own_cpu() - before > 0.25


def test_cer_folds_width_and_whitespace(bench):
    assert bench.cer("客户，档案 (A)", "客户,档案(A)") == 0.0
    assert bench.cer("客户档案", "客户档") == 0.25


def test_the_page_set_starts_the_same_whatever_its_length(bench):
    # timing sections render only the pages they read: those must be the full run's pages
    short, longer = bench.page_set(2), bench.page_set(3)
    assert [p.text for _, _, p, _ in short] == [p.text for _, _, p, _ in longer[:2]]
    assert [d for *_, d in short] == [d for *_, d in longer[:2]]
