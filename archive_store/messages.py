"""What the records say to a person, as codes with parameters, and the one table of their
Chinese wording.

Review reasons, field problems and the refusals of the desk's verbs are stored and raised
as `{"code": …, "params": {…}}`, never as sentences: the portal renders them in the
reader's language (the Chinese template is the message id of web/translations), the
command line in Chinese. A reason stored before codes existed is a plain string and is
shown as it is.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from archive_store.errors import DossierError


def N_(text: str) -> str:
    """Marks a message id for extraction (pybabel -k N_) without translating it here."""
    return text


MESSAGES: dict[str, str] = {
    # why a document waits for a reviewer (forms/review.py, the pipeline, review.py)
    "kind_unknown": N_("未能识别文件类型：请设置类型并补录字段。"),
    "kind_uncertain": N_("文件类型“%(kind)s”不确定（置信度 %(confidence)s）。"),
    "customer_unknown": N_("未能识别客户：请把文件归入正确的档案。"),
    "required_missing": N_("未找到%(field)s。"),
    "field_problem": N_("%(field)s：%(detail)s"),
    "proposed_correction": N_("%(field)s：识别为“%(value)s”，建议更正为“%(suggestion)s”。"),
    "low_confidence": N_("%(field)s：“%(value)s”的识别置信度低（%(confidence)s）。"),
    "document_problem": N_("%(detail)s"),
    "returned": N_("退回：%(reason)s"),
    # a value a person typed (forms/entry.py)
    "empty": N_("需要填写新值。"),
    "too_long": N_("字段值最多 %(limit)s 个字符。"),
    "not_amount": N_("“%(value)s”不是一个确定的金额：请填写如 1234567.50、¥1,234,567.50 或 壹佰贰拾叁万肆仟伍佰陆拾柒元伍角。"),
    "amount_disagrees": N_("数字金额 %(figure)s 与大写金额 %(daxie)s 不一致。"),
    "not_date": N_("“%(value)s”不是一个日期：请填写如 2025-03-05 或 2025年3月5日。"),
    "not_term_end": N_("“%(value)s”不是营业期限的结束日期：请填写日期或“长期”。"),
    "bad_uscc": N_("“%(value)s”不是有效的统一社会信用代码（18位，校验位须正确）。"),
    "bad_id_number": N_("“%(value)s”不是有效的身份证号（18位，校验位须正确）。"),
    "bad_phone": N_("“%(value)s”不是有效的手机或固定电话号码。"),
    "bad_email": N_("“%(value)s”不是有效的电子邮箱。"),
    "bad_customer_type": N_("客户类型只能是“个人”或“企业”。"),
    # refusals of the desk's verbs
    "unknown_field": N_("未知字段 %(key)s。"),
    "unknown_kind": N_("未知文件类型 %(kind)s。"),
    "field_not_for_kind": N_("%(kind)s 没有字段 %(field)s。"),
    "reason_required": N_("需要填写理由。"),
    "code_in_other_archive": N_("%(field)s %(value)s 已属于档案 %(archive_no)s：请把此件移入该档案。"),
    "archive_closed": N_("档案 %(archive_no)s 已销毁或被冻结，不能再放入文件。"),
    "same_archive": N_("此件已在档案 %(archive_no)s 中。"),
    "name_required": N_("新档案需要客户名称。"),
    "confirm_flagged_code": N_("%(fields)s 的校验未通过且尚未更正：请确认后再审核通过。"),
    # upload from the browser (intake/desk.py)
    "upload_too_large": N_("“%(name)s”超过 %(limit_mb)s MB，未收下：请拆分，或以较低分辨率扫描。"),
    "upload_unsupported": N_("“%(name)s”不是可归档的文件类型，未收下：请上传 PDF、JPEG、PNG、TIFF 或 DOCX。"),
    "upload_too_many": N_("一次最多上传 %(limit)s 个文件。"),
    # search
    "query_unreadable": N_("检索式有误：请检查引号是否成对、括号是否匹配，以及字段名和日期、金额范围的写法。"),
    "query_hidden_fields": N_("无权按字段检索：%(fields)s"),
    # why a file was put into quarantine (intake/errors.py reasons)
    "q_empty": N_("文件为空，或没有可读的页面。"),
    "q_corrupt": N_("文件已损坏，无法打开。"),
    "q_encrypted": N_("PDF 设有密码：请另存一份无密码的副本再放入收件箱。"),
    "q_unsupported": N_("不支持此类文件：请扫描为 PDF、JPEG、PNG 或 TIFF，或另存为 DOCX。"),
    "q_too_large": N_("文件超过大小上限：请拆分，或以较低分辨率扫描。"),
    "q_ocr_failed": N_("无法识别扫描件上的文字。"),
    "q_timeout": N_("读取文件用时过长，已停止。"),
    "q_internal": N_("归档此文件时系统出错：请管理员查看日志。"),
    "unknown_business_line": N_("未知业务条线 %(line)s。"),
}


class Refused(DossierError):
    """A refusal with a code and parameters; str() is the Chinese sentence."""

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(render(code, self.params))


def reason(code: str, **params: Any) -> dict[str, Any]:
    """A stored reason or problem: the form every new one takes."""
    return {"code": code, "params": {k: str(v) for k, v in params.items()}}


def render(item: Any, params: Mapping[str, Any] | None = None, *,
           translate: Callable[[str], str] = lambda s: s,
           field_label: Callable[[str], str] = lambda k: k) -> str:
    """A code (with params) or a stored reason dict as a sentence; `translate` is the
    reader's catalogue (gettext in the portal) and `field_label` names a field key."""
    if isinstance(item, Mapping):
        code, params = item.get("code", ""), item.get("params") or {}
    elif isinstance(item, str) and params is None:
        return item if item not in MESSAGES else translate(MESSAGES[item])
    else:
        code = item
    template = MESSAGES.get(code)
    if template is None:
        return str(code)
    values = {k: str(v) for k, v in (params or {}).items()}
    if "field" in values:
        values["field"] = str(field_label(values["field"]))
    try:
        return translate(template) % values
    except (KeyError, ValueError, TypeError):
        return translate(template)


def code_of(item: Any) -> str | None:
    return item.get("code") if isinstance(item, Mapping) else None
