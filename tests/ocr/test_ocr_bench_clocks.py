"""The OCR benchmark's clocks and page set (bench/ocr_bench.py): CPU time is what makes
its ratios usable on a shared machine, so the way it is read is tested here."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ocr_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("ocr_bench", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


# A child that spins until its own CPU clock says it has used this much, reports that
# clock, and (for the live case) waits. How long the spinning takes on the wall clock
# depends on the machine's load; the CPU time it has used when it reports does not.
_SPIN = """
import sys, time
while time.process_time() < {cpu}: pass
print(time.process_time(), flush=True)
{then}
"""


def test_proc_cpu_counts_a_live_processes_cpu_time(bench):
    child = subprocess.Popen([sys.executable, "-c", _SPIN.format(cpu=0.3, then="sys.stdin.read()")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        own = float(child.stdout.readline())  # the child's count, now that it waits
        used = bench.proc_cpu(child.pid)
        # /proc counts in clock ticks (1/100 s); printing costs the child a little more
        assert own - 0.02 <= used <= own + 0.1
    finally:
        child.kill()
        child.wait()
    assert bench.proc_cpu(2**22 + 12345) == 0.0  # no such process: nothing, not an error


def test_own_cpu_includes_finished_children(bench):
    before = bench.own_cpu()
    out = subprocess.run([sys.executable, "-c", _SPIN.format(cpu=0.3, then="")],
                         check=True, capture_output=True, text=True).stdout
    assert bench.own_cpu() - before >= float(out) - 0.02


def test_cer_folds_width_and_whitespace(bench):
    assert bench.cer("客户，档案 (A)", "客户,档案(A)") == 0.0
    assert bench.cer("客户档案", "客户档") == 0.25


def test_the_page_set_starts_the_same_whatever_its_length(bench):
    # timing sections render only the pages they read: those must be the full run's pages
    short, longer = bench.page_set(2), bench.page_set(3)
    assert [p.text for _, _, p, _ in short] == [p.text for _, _, p, _ in longer[:2]]
    assert [d for *_, d in short] == [d for *_, d in longer[:2]]
