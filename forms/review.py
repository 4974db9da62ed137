"""Why a person should look at an analysed document before it takes effect."""
from __future__ import annotations

from dataclasses import dataclass

from forms.model import Analysis, Problem

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


@dataclass(frozen=True)
class Reason:
    """Why a person should look: a code and its parameters (stored so, and rendered in the
    reader's language by the portal), with `english` kept for logs, benches and tests."""

    code: str
    params: tuple[tuple[str, str], ...]
    english: str

    def as_json(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}

    def __str__(self) -> str:
        return self.english


def _r(code: str, english: str, **params: object) -> Reason:
    return Reason(code, tuple((k, str(v)) for k, v in params.items()), english)


def _problem(p: str, english: str, **params: object) -> Reason:
    """A problem the reading found, as a reason: its own code when it has one."""
    if isinstance(p, Problem):
        return _r(p.code, english, **p.params, **params)
    return _r("note", english, detail=p, **params)


def review_reasons(analysis: Analysis) -> list[Reason]:
    reasons: list[Reason] = []
    if analysis.doc_type == "other":
        reasons.append(_r("kind_unknown", "document kind not recognised: type its fields by hand"))
    elif analysis.type_confidence < TYPE_REVIEW_BELOW:
        reasons.append(_r("kind_uncertain", f"document kind {analysis.doc_type} is uncertain "
                          f"(confidence {analysis.type_confidence:.2f})",
                          kind=analysis.doc_type, confidence=f"{analysis.type_confidence:.2f}"))
    for key in REQUIRED.get(analysis.doc_type, ()):
        if key not in analysis.fields:
            reasons.append(_r("required_missing", f"{FIELD_NAMES.get(key, key)} ({key}) was not found", field=key))
    # A problem of the whole document, or of a field, is a sentence of the reading rules
    # (in English, beside Chinese labels); it travels as the parameter `detail`.
    reasons.extend(_problem(p, str(p)) for p in analysis.problems)
    for key, fv in analysis.fields.items():
        name = f"{FIELD_NAMES.get(key, key)} ({key})"
        for p in fv.problems:
            if p not in analysis.problems:
                reasons.append(_problem(p, f"{name}: {p}", field=key))
        if fv.suggestion is not None and not any("proposed" in p for p in fv.problems):
            reasons.append(_r("proposed_correction", f"{name}: read {fv.value!r}, proposed correction {fv.suggestion!r}",
                              field=key, value=fv.value, suggestion=fv.suggestion))
        if not fv.problems and fv.confidence < review_threshold(key):
            reasons.append(_r("low_confidence", f"{name}: low confidence ({fv.confidence:.2f}) in {fv.value!r}",
                              field=key, value=fv.value, confidence=f"{fv.confidence:.2f}"))
    return reasons


def needs_review_reasons(analysis: Analysis) -> list[str]:
    return [str(r) for r in review_reasons(analysis)]

