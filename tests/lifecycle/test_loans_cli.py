"""The `dossier borrow …` and `dossier users handover|deactivate` commands, run for real."""
from __future__ import annotations

import csv
import io
import json

from pypdf import PdfReader

from archive_store.system import open_system
from tests.conftest import run_dossier
from tests.lifecycle.helpers import make_archive, make_people

NO = "2025P02001"


def test_a_loan_from_request_to_return_on_the_command_line(tmp_path):
    data = tmp_path / "data"
    assert run_dossier("init", data=data).returncode == 0
    system = open_system(data)
    make_people(system)
    make_archive(system, NO, location="B柜-12盒")
    system.close()

    def ok(*args):
        r = run_dossier(*args, data=data)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def refused(*args):
        r = run_dossier(*args, data=data)
        assert r.returncode == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
        return r.stderr

    made = json.loads(ok("borrow", "request", NO, "--as", "sales1", "--kind", "paper", "--reason", "合同核对",
                         "--days", "5", "--json"))
    rid = str(made["id"])
    assert made["status"] == "pending_dept"
    assert "须先由部门负责人审核" in refused("borrow", "approve", rid, "--as", "leader1")
    assert "未经两级审批" in refused("borrow", "hand-out", rid, "--as", "manager1")
    assert json.loads(ok("borrow", "approve", rid, "--as", "dept_head1", "--comment", "同意", "--json")) \
        == {"id": int(rid), "status": "pending_leader"}
    ok("borrow", "approve", rid, "--as", "leader1")
    out = json.loads(ok("borrow", "hand-out", rid, "--as", "manager1", "--json"))
    assert out["paper_location"] == "B柜-12盒" and out["status"] == "on_loan"
    assert "未归还" in refused("users", "deactivate", "sales1")
    h = json.loads(ok("users", "handover", "sales1", "--json"))
    assert not h["clear"] and [l["id"] for l in h["loans"]] == [int(rid)]
    assert json.loads(ok("borrow", "extend", rid, "--as", "sales1", "--days", "2", "--json"))["status"] == "pending"
    ok("borrow", "approve", rid, "--as", "dept_head1")
    listed = json.loads(ok("borrow", "list", "--json"))
    assert [l["id"] for l in listed] == [int(rid)]
    assert json.loads(ok("borrow", "list", "--overdue", "--json")) == []
    assert "期限须为1至" in refused("borrow", "request", NO, "--as", "sales1", "--kind", "view", "--reason", "x",
                                    "--days", "99")
    assert "没有档案" in refused("borrow", "request", "2099X00000", "--as", "sales1", "--kind", "view",
                                 "--reason", "x", "--days", "1")
    ok("borrow", "return", rid, "--as", "manager1", "--condition", "damaged", "--note", "封面破损")
    assert "没有借出中的档案" in refused("borrow", "return", rid, "--as", "manager1", "--condition", "complete")
    ok("users", "deactivate", "sales1")

    rows = list(csv.reader(io.StringIO(ok("borrow", "log", "--archive", NO, "--format", "csv").lstrip("\ufeff"))))
    assert rows[0][0] == "编号" and rows[1][2] == "sales1" and rows[1][12] == "损坏" and rows[1][14] == "已归还"
    ok("borrow", "log", "--format", "pdf", "-o", str(tmp_path / "log.pdf"))
    text = PdfReader(tmp_path / "log.pdf").pages[0].extract_text().replace("\x00", "")
    assert "借阅登记表" in text and NO in text
