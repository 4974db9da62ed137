"""`dossier archives …` and `dossier changes …` through the real command, as a script would."""
from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import run_dossier

pytestmark = pytest.mark.e2e
USCC_A = "91310115MA1H7GXX0A"
USCC_B = "91320100MA1MXXXX09"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from archive_store.system import init_data_dir
    from archive_store.users import create_account

    folder = tmp_path_factory.mktemp("cli") / "data"
    system, _ = init_data_dir(folder)
    with system.db.write() as s:
        for name, role in (("sally", "sales"), ("clara", "clerk"), ("hank", "dept_head"), ("mia", "archive_manager")):
            create_account(s, actor="system:test", username=name, role=role, password="cli-test-pass-1")
    system.close()
    return folder


def ok(*args, data) -> str:
    done = run_dossier(*args, data=data)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_archive_commands_end_to_end(data, tmp_path):
    added = json.loads(ok("archives", "add", "--name", "命令行客户有限公司", "--type", "enterprise", "--line", "P",
                          "--uscc", USCC_A, "--as", "sally", data=data))
    no = added["archive_no"]
    assert set(added) == {"archive_no"} and "P02" in no

    edited = json.loads(ok("archives", "edit", no, "--grade", "A", "--stage", "deal", "--owner", "sally",
                           "--relationship-end", "2030-06-30", "--paper-location", "A柜-3盒", "--uscc", USCC_B,
                           "--json", "--as", "hank", data=data))
    assert edited["changed"]["grade"] == "A" and set(edited["waiting"]) == {"uscc"}
    change_id = edited["waiting"]["uscc"]

    pending = json.loads(ok("changes", "list", "--json", data=data))
    assert [(c["id"], c["new_value"]) for c in pending] == [(change_id, USCC_B)]
    own = run_dossier("changes", "confirm", str(change_id), "--as", "hank", data=data)
    assert own.returncode == 1 and own.stderr.count("\n") == 1 and "自己" in own.stderr
    assert json.loads(ok("changes", "confirm", str(change_id), "--json", "--as", "clara", data=data))["state"] == "confirmed"

    shown = json.loads(ok("archives", "show", no, "--json", data=data))
    assert shown["archive_no"] == no and shown["uscc"] == USCC_B and shown["grade"] == "A"
    edits = [h for h in shown["history"] if h["action"] == "archive.edited"]
    assert any({"key": "grade", "before": None, "after": "A"} in h["changes"] for h in edits)

    # A duplicate by name in the other script, merged away.
    dup = json.loads(ok("archives", "add", "--name", "命令行客戶甲有限公司", "--type", "enterprise", "--line", "P",
                        "--as", "sally", data=data))["archive_no"]
    ok("archives", "edit", dup, "--name", "命令行客戶有限公司", "--as", "hank", data=data)
    proposals = json.loads(ok("archives", "duplicates", "--json", data=data))
    assert {"reason": "name", "value": "命令行客户有限公司", "archive_nos": sorted([no, dup])} in proposals
    merged = json.loads(ok("archives", "merge", dup, no, "--json", "--as", "mia", data=data))
    assert merged["archive_no"] == no
    assert json.loads(ok("archives", "show", dup, "--json", data=data))["archive_no"] == no

    # Refusals: one line on stderr, exit 1, nothing changed.
    for args in (["archives", "merge", no, no, "--as", "mia"],
                 ["archives", "edit", no, "--grade", "E", "--as", "hank"],
                 ["archives", "add", "--name", "X", "--type", "enterprise", "--line", "Q", "--as", "sally"],
                 ["archives", "merge", dup, no, "--as", "sally"]):
        refused = run_dossier(*args, data=data)
        assert refused.returncode == 1 and refused.stderr.startswith("dossier: ") and refused.stderr.count("\n") == 1

    out = tmp_path / "cat.csv"
    ok("archives", "catalogue", no, "--format", "csv", "-o", str(out), data=data)
    assert next(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))) == \
        ["序号", "档号", "题名", "类型", "形成日期", "页数", "状态", "备注"]
    pdf = tmp_path / "cat.pdf"
    ok("archives", "catalogue", no, "--format", "pdf", "-o", str(pdf), data=data)
    assert pdf.read_bytes().startswith(b"%PDF")

    assert json.loads(ok("archives", "late", "--json", data=data)) == []
    assert json.loads(ok("archives", "uncontacted", "--json", data=data)) == []
