"""Test data for the portal: one account per role and a few filed documents with page images.

Documents go in through `file_document` like the pipeline's; page previews are drawn with
PIL in a CJK font and put into the store, and each field's box is where it was drawn.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from PIL import Image, ImageDraw, ImageFont

from archive_store.filing import FilingInput, file_document
from archive_store.matching import CustomerRef
from archive_store.models import Document, Role, User
from archive_store.search_docs import reindex
from archive_store.system import System
from archive_store.users import create_account
from werkzeug.security import generate_password_hash
from sqlalchemy import select

PASSWORD = "portal-test-pass-1"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
USERS = {role.value: f"{role.value}1" for role in Role}


@dataclass
class Seeded:
    docs: dict[str, str] = field(default_factory=dict)      # label -> doc_no
    archives: dict[str, str] = field(default_factory=dict)  # label -> archive_no


def render_page(title: str, lines: list[tuple[str, str, str | None]]) -> tuple[bytes, dict]:
    """A white A4-ish page; returns the JPEG and {key: {"page": 1, "box": [...]}}."""
    img = Image.new("RGB", (900, 1200), "white")
    draw = ImageDraw.Draw(img)
    big, font = ImageFont.truetype(FONT, 40), ImageFont.truetype(FONT, 28)
    draw.text((300, 60), title, font=big, fill="black")
    boxes, y = {}, 170
    for label, value, key in lines:
        draw.text((80, y), f"{label}：", font=font, fill="black")
        x0 = 80 + int(draw.textlength(f"{label}：", font=font))
        draw.text((x0, y), value, font=font, fill="black")
        if key:
            boxes[key] = {"page": 1, "box": list(draw.textbbox((x0, y), value, font=font))}
        y += 64
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue(), boxes


def _file(system: System, *, name: str, doc_type: str, customer: CustomerRef, title: str,
          lines: list[tuple[str, str, str | None]], fields: dict[str, str], issue: date,
          line: str = "P", problems: dict | None = None, reasons: tuple[str, ...] = (),
          effective: bool = True) -> str:
    page, boxes = render_page(title, lines)
    page_sha = system.store.put_bytes(page)
    original = system.store.put_bytes(page + name.encode())  # a distinct "original" per document
    text = title + "\n" + "\n".join(f"{label}：{value}" for label, value, _ in lines)
    with system.db.write() as s:
        doc = file_document(s, system.settings, actor="system:test", item=FilingInput(
            source_name=name, sha256=original, size=len(page), media_type="image/jpeg",
            customer=customer, business_line=line, doc_type=doc_type, title=title, pages=1,
            script="zh-Hans", text=text, fields=fields,
            field_confidence={k: 0.95 for k in fields}, field_problems=problems or {},
            review_reasons=reasons, issue_date=issue, page_image_sha256=(page_sha,)))
        doc.field_boxes = boxes
        if effective:
            doc.status = "effective"
        return doc.doc_no


def seed(system: System) -> Seeded:
    with system.db.write() as s:
        admin = s.scalar(select(User).where(User.username == "admin"))
        admin.password_hash = generate_password_hash(PASSWORD)
        for role, username in USERS.items():
            create_account(s, actor="system:test", username=username, role=role, password=PASSWORD,
                        display_name=f"{role}测试")
    out = Seeded()
    acme = CustomerRef("enterprise", name="上海华东贸易有限公司", uscc="91310000MA1FL8TK4X")
    out.docs["license"] = _file(
        system, name="license.jpg", doc_type="business_license", customer=acme, title="营业执照",
        lines=[("名称", "上海华东贸易有限公司", "name"), ("统一社会信用代码", "91310000MA1FL8TK4X", "uscc"),
               ("法定代表人", "王建国", "legal_representative"), ("注册资本", "500万元", "registered_capital"),
               ("成立日期", "2019年4月8日", "established_on")],
        fields={"name": "上海华东贸易有限公司", "uscc": "91310000MA1FL8TK4X", "legal_representative": "王建国",
                "registered_capital": "5000000.00", "established_on": "2019-04-08"},
        issue=date(2019, 4, 8))
    out.docs["contract"] = _file(
        system, name="contract.jpg", doc_type="contract", customer=acme, title="设备采购合同",
        lines=[("合同编号", "HD-2024-0315", "contract_no"), ("甲方", "上海华东贸易有限公司", "party_a"),
               ("乙方", "杭州示例科技有限公司", "party_b"), ("合同金额", "¥1,234,567.50", "amount"),
               ("签订日期", "2024年3月15日", "signed_on")],
        fields={"contract_no": "HD-2024-0315", "party_a": "上海华东贸易有限公司", "party_b": "杭州示例科技有限公司",
                "amount": "1234567.50", "signed_on": "2024-03-15"},
        issue=date(2024, 3, 15))
    out.docs["form"] = _file(
        system, name="form.jpg", doc_type="collection_form", customer=acme, title="客户信息收集表",
        lines=[("客户名称", "上海华东贸易有限公司", "customer_name"), ("联系人", "李娜", "contact_person"),
               ("联系电话", "138 0013 8000", "phone"), ("电子邮箱", "lina@huadong.example", "email"),
               ("需求描述", "年度设备维保服务", "needs"), ("信息来源", "展会", "source_channel")],
        fields={"customer_name": "上海华东贸易有限公司", "contact_person": "李娜", "phone": "13800138000",
                "email": "lina@huadong.example", "needs": "年度设备维保服务", "source_channel": "展会"},
        issue=date(2025, 3, 5))
    person = CustomerRef("individual", name="张伟", id_number="11010519491231002X", phone="13912345678")
    out.docs["person_form"] = _file(
        system, name="person.jpg", doc_type="collection_form", customer=person, title="客户信息收集表",
        lines=[("姓名", "张伟", "customer_name"), ("身份证号", "11010519491231002X", "id_number"),
               ("联系电话", "139-1234-5678", "phone"), ("需求描述", "家庭理财咨询", "needs")],
        fields={"customer_name": "张伟", "customer_type": "individual", "id_number": "11010519491231002X",
                "phone": "13912345678", "needs": "家庭理财咨询"},
        issue=date(2025, 6, 1), line="S")
    out.docs["other"] = _file(
        system, name="memo.jpg", doc_type="other", customer=person, title="内部备忘",
        lines=[("内容", "客户投诉处理记录（未分类）", None)], fields={}, issue=date(2025, 6, 2), line="S")
    out.docs["pending_flagged"] = _file(
        system, name="pending1.jpg", doc_type="contract", customer=acme, title="维保服务合同",
        lines=[("合同编号", "HD-2025-0101", "contract_no"), ("甲方", "上海华东贸易有限公司", "party_a"),
               ("合同金额", "¥88,000.00", "amount"), ("签订日期", "2025年1月1日", "signed_on")],
        fields={"contract_no": "HD-2025-0101", "party_a": "上海华东贸易有限公司", "amount": "8800.00",
                "signed_on": "2025-01-01"},
        problems={"amount": ["金额与大写不一致"]}, reasons=("合同金额的数字与大写不一致",),
        issue=date(2025, 1, 1), effective=False)
    out.docs["pending_plain"] = _file(
        system, name="pending2.jpg", doc_type="business_license", customer=person, title="营业执照（个体）",
        lines=[("名称", "张伟便利店", "name"), ("经营者", "张伟", "legal_representative")],
        fields={"name": "张伟便利店", "legal_representative": "张伟"}, issue=date(2024, 12, 1),
        line="S", effective=False)
    with system.db.read() as s:
        for label, doc_no in out.docs.items():
            doc = s.scalar(select(Document).where(Document.doc_no == doc_no))
            out.archives[label] = doc.archive.archive_no
    reindex(system, list(out.docs.values()))
    return out
