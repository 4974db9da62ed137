"""The scan simulator other rooms' generators rely on keeps its promises."""
from __future__ import annotations

import random

import numpy as np
from PIL import Image

from tests.docgen.pages import random_page, render_table_page, to_script
from tests.docgen.scan import simulate_scan


def test_simulate_scan_is_repeatable_and_shapes_the_page():
    img = Image.new("RGB", (300, 200), "white")
    a = simulate_scan(img, rng=random.Random(1), rotate=90, noise=0.03, seal=True, yellow=True, jpeg_quality=70)
    b = simulate_scan(img, rng=random.Random(1), rotate=90, noise=0.03, seal=True, yellow=True, jpeg_quality=70)
    assert a.size == (200, 300)
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert simulate_scan(img, rng=random.Random(1), scale=2 / 3).size == (200, 133)


def test_seal_is_red_and_yellow_paper_is_yellow():
    img = Image.new("RGB", (400, 400), "white")
    sealed = np.asarray(simulate_scan(img, rng=random.Random(2), seal=True)).astype(int)
    assert ((sealed[..., 0] - sealed[..., 1]) > 80).mean() > 0.01
    paper = np.asarray(simulate_scan(img, rng=random.Random(2), yellow=True)).astype(int)
    assert paper[..., 0].mean() > paper[..., 2].mean() + 20


def test_pages_come_in_both_scripts_with_their_ground_truth():
    rng = random.Random(3)
    p = random_page(rng, "zh-Hant", kind="double", dpi=100)
    assert p.lines and p.script == "zh-Hant"
    assert to_script(p.text, "zh-Hant") == p.text
    t = render_table_page([["客户名称", "华信"], ["电话", "138"]], script="zh-Hans", dpi=100)
    assert t.lines == ("客户名称", "华信", "电话", "138")
