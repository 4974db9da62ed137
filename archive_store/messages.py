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
    "note": N_("%(detail)s"),
    # what the reading found wrong with a value (forms: Problem codes); shown beside the
    # field, or after its name in a list of reasons
    "unreadable": N_("%(label)s：无法识别。"),
    "date_unreadable": N_("%(label)s：无法识别日期“%(value)s”。"),
    "date_nonexistent": N_("%(label)s：“%(value)s”不是真实存在的日期。"),
    "date_implausible": N_("%(label)s：“%(value)s”的年份不合理。"),
    "date_year_lost": N_("%(label)s：“%(value)s”的年份缺了第一位数字。"),
    "money_unreadable": N_("%(label)s：无法识别金额“%(value)s”。"),
    "money_disagree": N_("%(label)s：数字金额 %(figure)s 与大写金额 %(daxie)s 不一致。"),
    "phone_invalid": N_("%(label)s：“%(value)s”不是有效的手机或固定电话号码。"),
    "email_invalid": N_("%(label)s：“%(value)s”不是有效的电子邮箱。"),
    "uscc_length": N_("统一社会信用代码有 %(n)s 位，应为 18 位。"),
    "uscc_chars": N_("统一社会信用代码含有此类代码不会使用的字符。"),
    "uscc_prefix": N_("统一社会信用代码的前 8 位应为数字。"),
    "uscc_check": N_("统一社会信用代码校验位不符（GB 32100）。"),
    "id_length": N_("身份证号有 %(n)s 位，应为 18 位。"),
    "id_chars": N_("身份证号含有身份证号不会使用的字符。"),
    "id_check": N_("身份证号校验位不符（GB 11643）。"),
    "id_birth": N_("身份证号中的出生日期不存在或不合理。"),
    "code_invalid": N_("代码无效。"),
    "code_proposal_forced": N_("建议更正为 %(suggestion)s：可通过校验位，且只改动了此类代码不会出现的字符。"),
    "code_proposal": N_("建议更正为 %(suggestion)s：可通过校验位。"),
    "code_candidates": N_("有 %(n)s 种更正都能通过校验位，因此不作建议。"),
    "phone_proposal": N_("建议更正为 %(suggestion)s。"),
    "brackets": N_("括号不成对：请核对识别结果。"),
    # licences read under and around the seal (forms/license.py)
    "several_documents": N_("此文件含有不止一份文件：%(kind)s在第 %(pages)s 页，另有 %(others)s；请拆分后分别归档。"),
    "issued_on_covered": N_("登记机关下未读到登记日期：可能被印章盖住，请对照原件录入。"),
    "term_start_disagrees": N_("营业期限自 %(start)s 起，但成立日期读作 %(established)s：其中一个识别有误。"),
    "term_end_missing": N_("营业期限：只读到起始日期，未读到截止日期或“长期”。"),
    "authority_outside_division": N_("登记机关“%(value)s”不在%(places)s，而%(code_name)s的行政区划代码 %(division)s 表明在此登记。"),
    "authority_from_ring": N_("登记机关只从印章外圈文字读出，下方没有印刷文字可以核对。"),
    "authority_near_ring": N_("按代码的行政区划和登记机关类别应为“%(suggestion)s”，与印章外圈的识别相差几个字。"),
    "authority_proposed": N_("未读到登记机关：按%(code_name)s的行政区划代码 %(division)s（%(places)s）建议。"),
    "address_outside_division": N_("住所不在%(places)s，而%(code_name)s的行政区划代码 %(division)s 表明在此登记。"),
    "lost_characters": N_("“%(line)s”这一行比它的字数宽：约有 %(n)s 个字（如顿号）可能未识别出来。"),
    "name_cut_off": N_("名称在组织形式中间中断（缺“公司”？）：请核对识别结果。"),
    "address_cut_off": N_("地址停在门牌数字处、没有“号”：结尾可能在未识别的一行上。"),
    "label_inside": N_("值中含有标签“%(label)s”：可能连到了下一个字段。"),
    "person_name_short": N_("人名只有一个字：有一部分未识别出来。"),
    "person_name_long": N_("人名有 %(n)s 个字：值可能连到了其他文字。"),
    "type_cut_short": N_("类型“%(value)s”不完整：请核对识别结果。"),
    "type_cut_short_one": N_("类型“%(value)s”不完整；以它开头的已知类型只有“%(known)s”。"),
    "type_near": N_("类型“%(value)s”不是已知的企业类型；最接近的是“%(known)s”。"),
    "type_unknown": N_("类型“%(value)s”不是已知的企业类型：请核对识别结果。"),
    "email_domain_near": N_("电子邮箱：域名“%(domain)s”与“%(near)s”只差一个字母。"),
    "email_tld_unusual": N_("电子邮箱：域名后缀“%(tld)s”不常见：请核对识别结果。"),
    "email_gap": N_("电子邮箱：地址中有未识别出内容的空隙（可能漏了 _ . 或 -）：请核对识别结果。"),
    "email_lookalike": N_("电子邮箱：字母间的 1 或 0 可能是误识的 l 或 o。"),
    "email_lookalike_digit": N_("电子邮箱：数字前的 l 可能是误识的 1。"),
    "second_look": N_("先识别为 %(read)s，校验未通过；只按此类代码可能出现的字符重读后为 %(value)s，与建议一致。"),
    "parties_not_ours": N_("甲乙双方都不是（或都是）本公司：无法确定客户。"),
    "customer_type_conflict": N_("客户类型勾选的是“%(ticked)s”，但表上的身份信息属于“%(inferred)s”。"),
    "period_reversed": N_("合同期限的结束日期早于开始日期。"),
    "parties_same": N_("甲方与乙方是同一名称。"),
    "signatory_by_order": N_("签字栏旁未识别出甲方/乙方标签：按印刷顺序视为%(party)s的签字。"),
    "established_after_issued": N_("成立日期晚于发照日期。"),
    "term_before_established": N_("营业期限的结束早于成立日期。"),
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
           field_label: Callable[[str], str] = lambda k: k,
           value_label: Callable[[str], str] = lambda v: v) -> str:
    """A code (with params) or a stored reason dict as a sentence; `translate` is the
    reader's catalogue (gettext in the portal), `field_label` names a field key and
    `value_label` a stored value (individual → 个人). A problem of one field, listed among
    a document's reasons, is led by the field's name."""
    if isinstance(item, Mapping):
        code, params = item.get("code", ""), item.get("params") or {}
    elif isinstance(item, str) and params is None:
        return item if item not in MESSAGES else translate(MESSAGES[item])
    else:
        code = item
    template = MESSAGES.get(code)
    if template is None:
        return str(code)
    values = {k: str(value_label(str(v))) for k, v in (params or {}).items()}
    if "field" in values:
        values["field"] = str(field_label(str((params or {})["field"])))
    try:
        text = translate(template) % values
    except (KeyError, ValueError, TypeError):
        text = translate(template)
    if "field" in values and "%(field)s" not in template:
        text = f"{values['field']}：{text}"
    return text


def code_of(item: Any) -> str | None:
    return item.get("code") if isinstance(item, Mapping) else None
