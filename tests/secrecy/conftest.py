"""A data folder with secrets printed where extraction does not look for them.

On top of tests/web/seed.py's documents (and its one account per role):
* `person`: an individual's collection form with the ID as a field, printed a second
  time with spaces, the spouse's ID, a bank account, a landline and an e-mail;
* `contract`: a contract (no ID field) whose individual party's ID is only in the text;
* `flagged`: a pending form whose review reason proposes an ID correction in full;
* `corrected`: a form whose research fields (hidden from sales) are a date printed the
  Chinese way, a name with "<>&'" in it, and a collector's name a person corrects later;
* `unreviewed`: the only document of its customer, still pending review.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from archive_store.matching import CustomerRef
from archive_store.models import User

ID_OWN = "330106198702153017"
ID_SPOUSE = "44030519900101123X"
ID_PARTY = "310115197511206049"
ID_PROPOSED = "110108198207045539"
BANK = "6222021988304479525"
MOBILE = "13566667777"
LANDLINE = "057188886666"
EMAIL = "liming@example.cn"
CORE = {"ID_OWN": ID_OWN, "ID_SPOUSE": ID_SPOUSE, "ID_PARTY": ID_PARTY, "BANK": BANK}
COMMUNICATION = {"MOBILE": MOBILE, "LANDLINE": LANDLINE}


def spaced(value: str) -> str:
    return f"{value[:6]} {value[6:14]} {value[14:]}"


def leaked_runs(text: str, secret: str, run: int = 6) -> list[str]:
    """Runs of `run` consecutive digits of `secret` that can be read in `text` (full-width
    narrowed, spaces and dashes between digits ignored)."""
    narrow = text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    digits_only = re.sub(r"(?<=[\dXx])[\s\-‐－]+(?=[\dXx])", "", narrow)
    return sorted({secret[i:i + run] for i in range(len(secret) - run + 1) if secret[i:i + run] in digits_only})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from secret_world(tmp_path_factory.mktemp("secrets") / "data")


def secret_world(folder, backend: str = "embedded"):
    """The world above in the data folder `folder`, its search index on `backend`."""
    from archive_store.system import init_data_dir
    from archive_store.search_docs import reindex
    from tests.conftest import use_index_backend
    from tests.web.seed import _file, seed

    use_index_backend(folder, backend)
    system, _ = init_data_dir(folder)
    data = seed(system)
    person = CustomerRef("individual", name="李明", id_number=ID_OWN, phone=MOBILE)
    data.docs["person"] = _file(
        system, name="liming.jpg", doc_type="collection_form", customer=person, title="客户信息收集表",
        lines=[("姓名", "李明", "customer_name"), ("身份证号", ID_OWN, "id_number"),
               ("证件号码（复印件）", spaced(ID_OWN), None), ("配偶身份证号", ID_SPOUSE, None),
               ("开户行账号", "6222 0219 8830 4479 525", None), ("联系电话", "0571-8888 6666", None),
               ("手机", "135-6666-7777", "phone"), ("电子邮箱", EMAIL, "email"), ("需求描述", "家庭财产保险咨询", "needs")],
        fields={"customer_name": "李明", "customer_type": "individual", "id_number": ID_OWN, "phone": MOBILE,
                "email": EMAIL, "needs": "家庭财产保险咨询"},
        issue=date(2025, 7, 1), line="S")
    data.docs["contract"] = _file(
        system, name="party.jpg", doc_type="contract", customer=CustomerRef("individual", name="赵强"),
        title="房屋租赁合同",
        lines=[("合同编号", "ZL-2025-0042", "contract_no"), ("甲方", "上海华东贸易有限公司", "party_a"),
               ("乙方", "赵强", "party_b"), ("乙方身份证号码", ID_PARTY, None), ("租金", "¥6,000.00", "amount")],
        fields={"contract_no": "ZL-2025-0042", "party_a": "上海华东贸易有限公司", "party_b": "赵强",
                "amount": "6000.00"},
        issue=date(2025, 7, 2))
    data.docs["flagged"] = _file(
        system, name="flagged.jpg", doc_type="collection_form", customer=CustomerRef("individual", name="孙丽"),
        title="客户信息收集表", lines=[("姓名", "孙丽", "customer_name"), ("需求描述", "车险续保", "needs")],
        fields={"customer_name": "孙丽", "needs": "车险续保"}, issue=date(2025, 7, 3),
        reasons=(f"身份证号校验位不符，疑为 {ID_PROPOSED}",), effective=False)
    data.docs["corrected"] = _file(
        system, name="research.jpg", doc_type="collection_form", customer=CustomerRef("enterprise", name="研究样本有限公司"),
        title="客户信息收集表",
        lines=[("客户名称", "研究样本有限公司", "customer_name"), ("采集日期", "2025年5月6日", "collected_on"),
               ("信息来源", "O'Neil <Z&Co>", "source_channel"), ("采集人", "欧阳修远", "collected_by")],
        fields={"customer_name": "研究样本有限公司", "collected_on": "2025-05-06", "source_channel": "O'Neil <Z&Co>",
                "collected_by": "欧阳修远"},
        issue=date(2025, 7, 4), effective=False)
    data.docs["unreviewed"] = _file(
        system, name="unreviewed.jpg", doc_type="business_license",
        customer=CustomerRef("enterprise", name="未审核客户有限公司", uscc="91330100MA2CFTQX4U"),
        title="营业执照", lines=[("名称", "未审核客户有限公司", "name")], fields={"name": "未审核客户有限公司"},
        issue=date(2025, 7, 5), effective=False)
    with system.db.read() as s:
        from archive_store.models import Document
        for label in ("person", "contract", "flagged", "corrected", "unreviewed"):
            data.archives[label] = s.scalar(select(Document).where(Document.doc_no == data.docs[label])).archive.archive_no
    reindex(system, list(data.docs.values()))
    yield system, data
    system.close()


def users_of(system) -> dict[str, User]:
    from tests.web.seed import USERS

    with system.db.read() as s:
        return {role: s.scalar(select(User).where(User.username == name)) for role, name in USERS.items()}
