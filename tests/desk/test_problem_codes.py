"""What the reading finds wrong is stored as codes with parameters and read in either
language; nothing of the forms room's English reaches a Chinese page."""
from __future__ import annotations

from archive_store.messages import render
from forms import Problem, problem_json
from forms.codes import check_uscc
from forms.entry import EntryError, normalise_entry


def test_a_code_problem_keeps_its_english_and_carries_a_code():
    result = check_uscc("91310000MA1FL8TK4Y")
    assert isinstance(result.problem, Problem) and result.problem.code == "uscc_check"
    assert "check digit" in result.problem  # the sentence the reading always gave
    stored = problem_json(result.problem)
    assert render(stored) == "统一社会信用代码校验位不符（GB 32100）。"
    assert render({**stored, "params": {"field": "uscc"}}, field_label=lambda k: "统一社会信用代码") \
        .startswith("统一社会信用代码：")


def test_a_sentence_stored_before_codes_is_shown_as_it_is():
    assert render("合同金额的数字与大写不一致") == "合同金额的数字与大写不一致"
    assert render(problem_json("an old sentence")) == "an old sentence"


def test_problems_survive_pickling_for_worker_processes():
    import pickle

    p = Problem("brackets", "brackets do not pair: check the reading")
    q = pickle.loads(pickle.dumps(p))
    assert q == p and q.code == "brackets"


def test_entry_errors_are_codes_too():
    try:
        normalise_entry("amount", "两百万左右")
    except EntryError as exc:
        assert exc.code == "not_amount"
