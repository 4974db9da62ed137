"""The `dossier retention|hold|disposal` commands, driven as a user would (the issue's contract)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from pypdf import PdfReader

from archive_store import search_docs
from archive_store.system import init_data_dir
from tests.conftest import run_dossier
from tests.lifecycle.helpers import add_staff, archive_no, file_doc

pytestmark = pytest.mark.e2e


def test_a_batch_from_rule_to_certificate_on_the_command_line(tmp_path):
    data = tmp_path / "data"
    system, _ = init_data_dir(data)
    add_staff(system)
    old = [file_doc(system, customer="上海甲贸易有限公司", issue=date(2010, 1, 1), text="甲 紫檀"),
           file_doc(system, customer="杭州乙科技有限公司", issue=date(2011, 1, 1), text="乙 紫檀")]
    young = file_doc(system, customer="杭州乙科技有限公司", issue=date(2030, 1, 1), text="乙 新 紫檀")
    search_docs.reindex(system, [*old, young])
    held_archive = archive_no(system, old[1])
    system.close()

    def ok(*args):
        done = run_dossier(*args, data=data)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def refused(*args):
        done = run_dossier(*args, data=data)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, (done.returncode, done.stderr)
        return done.stderr

    assert "只有档案管理员" in refused("retention", "rule", "set", "--kind", "contract", "--years", "5",
                                       "--from", "document_date", "--as", "head1")
    ok("retention", "rule", "set", "--kind", "contract", "--years", "5", "--from", "document_date", "--as", "am1")
    listing = json.loads(ok("retention", "due", "--json"))
    assert [i["doc_no"] for i in listing["items"]] == old and listing["items"][0]["due"] == "2015-01-01"
    ahead = json.loads(ok("retention", "due", "--as-of", "2036-01-01", "--json", "--as", "lead1"))
    assert ahead["total"] == 3

    hold = json.loads(ok("hold", "place", held_archive, "--reason", "合同纠纷", "--as", "lead1"))
    assert "诉讼保留" in refused("disposal", "propose", *old, "--method", "erase", "--as", "am1")
    assert "理由" in refused("hold", "release", str(hold["id"]), "--reason", " ", "--as", "lead1")
    ok("hold", "release", str(hold["id"]), "--reason", "和解结案", "--as", "lead1")
    assert "尚未到期" in refused("disposal", "propose", young, "--method", "erase", "--as", "am1")

    batch = json.loads(ok("disposal", "propose", *old, "--method", "erase", "--as", "am1"))["id"]
    assert "尚未经" in refused("disposal", "execute", str(batch), "--witness", "clerk1", "--witness", "sales1",
                              "--as", "am1")
    assert "只有部门负责人和分管领导" in refused("disposal", "approve", str(batch), "--as", "am1")
    ok("disposal", "approve", str(batch), "--as", "head1")
    assert "重复审批" in refused("disposal", "approve", str(batch), "--as", "head1")
    assert json.loads(ok("disposal", "approve", str(batch), "--as", "lead1", "--json"))["status"] == "approved"
    assert "两名监销人" in refused("disposal", "execute", str(batch), "--witness", "clerk1", "--as", "am1")
    done = json.loads(ok("disposal", "execute", str(batch), "--witness", "clerk1", "--witness", "sales1",
                         "--place", "机房", "--as", "am1", "--json"))
    assert done["destroyed"] == old and done["withheld"] == []
    assert "不能重复执行" in refused("disposal", "execute", str(batch), "--witness", "clerk1", "--witness", "sales1",
                                  "--as", "am1")

    out = tmp_path / "cert.pdf"
    assert done["certificate_sha256"] in ok("disposal", "certificate", str(batch), "-o", str(out))
    text = "".join(p.extract_text() for p in PdfReader(out).pages).replace("\x00", "").replace(" ", "")
    assert all(n in text for n in old) and "监销人：clerk1、sales1" in text

    found = json.loads(ok("search", "紫檀", "--json"))
    assert [h["doc_no"] for h in found["hits"]] == [young]
    assert "0 problem(s)" in ok("verify")
    assert "0 problem(s)" in ok("audit", "verify")
