"""Why a person should look at an analysed document before it takes effect."""
from __future__ import annotations

from forms.model import Analysis

REVIEW_BELOW = 0.85  # field confidence under which a reviewer is asked to check it
# Codes, amounts and phones are what a wrong value costs most on, and a lone figure has no
# 大写 or check digit to catch a misread digit: ask for a look at a lower doubt.
CRITICAL_REVIEW_BELOW = 0.93
CRITICAL = frozenset({"uscc", "id_number", "amount", "registered_capital", "phone"})
TYPE_REVIEW_BELOW = 0.6


def review_threshold(key: str) -> float:
    return CRITICAL_REVIEW_BELOW if key in CRITICAL else REVIEW_BELOW

REQUIRED = {
    "business_license": ("uscc", "name"),
    "contract": ("party_a", "party_b"),
    "collection_form": ("customer_name",),
}

FIELD_NAMES = {
    "uscc": "统一社会信用代码", "name": "名称", "entity_type": "类型", "legal_representative": "法定代表人",
    "registered_capital": "注册资本", "established_on": "成立日期", "term_end": "营业期限",
    "address": "地址", "business_scope": "经营范围", "registration_authority": "登记机关",
    "issued_on": "登记日期", "contract_no": "合同编号", "title": "合同名称", "party_a": "甲方",
    "party_b": "乙方", "amount": "合同金额", "signed_on": "签订日期", "start_on": "合同开始日期",
    "end_on": "合同结束日期", "signatory_a": "甲方代表", "signatory_b": "乙方代表",
    "customer_name": "客户名称", "customer_type": "客户类型", "id_number": "身份证号",
    "contact_person": "联系人", "phone": "联系电话", "email": "电子邮箱", "industry": "所属行业",
    "source_channel": "信息来源", "needs": "需求描述", "collected_by": "收集人", "collected_on": "收集日期",
}


def needs_review_reasons(analysis: Analysis) -> list[str]:
    reasons: list[str] = []
    if analysis.doc_type == "other":
        reasons.append("document kind not recognised: type its fields by hand")
    elif analysis.type_confidence < TYPE_REVIEW_BELOW:
        reasons.append(f"document kind {analysis.doc_type} is uncertain "
                       f"(confidence {analysis.type_confidence:.2f})")
    for key in REQUIRED.get(analysis.doc_type, ()):
        if key not in analysis.fields:
            reasons.append(f"{FIELD_NAMES.get(key, key)} ({key}) was not found")
    reasons.extend(analysis.problems)
    for key, fv in analysis.fields.items():
        name = f"{FIELD_NAMES.get(key, key)} ({key})"
        for p in fv.problems:
            if p not in analysis.problems:
                reasons.append(f"{name}: {p}")
        if fv.suggestion is not None and not any("proposed" in p for p in fv.problems):
            reasons.append(f"{name}: read {fv.value!r}, proposed correction {fv.suggestion!r}")
        if not fv.problems and fv.confidence < review_threshold(key):
            reasons.append(f"{name}: low confidence ({fv.confidence:.2f}) in {fv.value!r}")
    return reasons
