"""Names shown for field keys, roles and audit actions (Chinese message ids, FIELDS.md labels)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "uscc": _l("统一社会信用代码"), "name": _l("名称"), "entity_type": _l("类型"),
    "legal_representative": _l("法定代表人"), "registered_capital": _l("注册资本"),
    "established_on": _l("成立日期"), "term_end": _l("营业期限至"), "address": _l("住所/地址"),
    "business_scope": _l("经营范围"), "registration_authority": _l("登记机关"), "issued_on": _l("发照日期"),
    "contract_no": _l("合同编号"), "title": _l("合同名称"), "party_a": _l("甲方"), "party_b": _l("乙方"),
    "amount": _l("合同金额"), "signed_on": _l("签订日期"), "start_on": _l("起始日期"), "end_on": _l("终止日期"),
    "signatory_a": _l("甲方代表"), "signatory_b": _l("乙方代表"),
    "customer_name": _l("客户名称"), "customer_type": _l("客户类型"), "id_number": _l("身份证号"),
    "contact_person": _l("联系人"), "phone": _l("联系电话"), "email": _l("电子邮箱"), "industry": _l("所属行业"),
    "source_channel": _l("信息来源"), "needs": _l("需求描述"), "collected_by": _l("收集人"),
    "collected_on": _l("收集日期"),
}
ROLE_LABELS = {
    "clerk": _l("档案录入"), "sales": _l("销售"), "service": _l("客服"), "marketing": _l("市场"),
    "dept_head": _l("部门负责人"), "leader": _l("分管领导"), "archive_manager": _l("档案管理员"),
    "auditor": _l("审计员"), "admin": _l("系统管理员"),
}
VALUE_LABELS = {
    "long_term": _l("长期"), "individual": _l("个人"), "enterprise": _l("企业"),
    "pending_review": _l("待审核"), "effective": _l("已生效"), "returned": _l("已退回"), "destroyed": _l("已销毁"),
    "business_license": _l("营业执照"), "contract": _l("合同"), "collection_form": _l("客户信息收集表"),
    "other": _l("其他"), "person": _l("人工"), "extraction": _l("自动识别"),
}
# Labels of the other keys an audit event's before/after may hold.
CHANGE_LABELS = {
    "status": _l("状态"), "doc_type": _l("类型"), "archive_no": _l("档案号"), "doc_no": _l("件号"),
    "key": _l("字段"), "value": _l("值"), "reason": _l("理由"), "set_by": _l("来源"), "problems": _l("问题"),
    "review_reasons": _l("需复核的原因"), "fields": _l("字段"), "hidden": _l("未显示的字段"),
    "sha256": _l("指纹"), "source_name": _l("文件名"), "business_line": _l("业务条线"),
    "customer_type": _l("客户类型"), "page": _l("页"), "which": _l("文件"), "redacted": _l("遮盖的字段"),
    "from": _l("来自"), "role": _l("角色"), "active": _l("启用"), "days": _l("天数"), "username": _l("用户名"),
    "file": _l("文件"), "inbox": _l("收件箱"), "kept_as": _l("保存为"), "business_lines": _l("业务条线"),
    "size": _l("大小"), "sent_as": _l("上传文件名"), "at": _l("时间"), "display_name": _l("姓名"),
}
QUARANTINE_CODES = ("empty", "corrupt", "encrypted", "unsupported", "too_large", "ocr_failed", "timeout",
                    "internal")
ACTION_LABELS = {
    "document.filed": _l("归档"), "document.approved": _l("审核通过"), "document.returned": _l("退回"),
    "document.resubmitted": _l("重新提交"), "document.field_corrected": _l("更正字段"),
    "document.viewed": _l("查看"), "document.downloaded": _l("下载"), "archive.opened": _l("建档"),
    "archive.identity_completed": _l("补全身份信息"), "access.granted": _l("授权"), "access.revoked": _l("撤销授权"),
    "loan.requested": _l("申请查阅/借阅"), "loan.approved": _l("批准借阅"), "loan.refused": _l("不批准借阅"),
    "loan.withdrawn": _l("撤回申请"), "loan.handed_out": _l("借出"), "loan.received": _l("借阅签收"),
    "loan.extension_requested": _l("申请续借"), "loan.extension_approved": _l("批准续借"),
    "loan.extension_refused": _l("不批准续借"), "loan.returned": _l("归还"), "loan.log_exported": _l("导出借阅登记表"),
    "view.opened": _l("开始查阅"), "view.confirmed": _l("确认查阅"),
    "archive.edited": _l("修改档案"), "archive.merged": _l("并入其他档案"), "archive.merged_in": _l("并入档案"),
    "document.moved": _l("随档案合并移入"), "change.proposed": _l("提出重要信息更改"), "change.confirmed": _l("核对确认"),
    "change.rejected": _l("驳回更改"), "archive.catalogue_exported": _l("导出卷内目录"),
    "document.destroyed": _l("销毁"), "archive.destroyed": _l("档案销毁"), "hold.placed": _l("设置诉讼保留"),
    "hold.released": _l("解除诉讼保留"),
    "document.page_viewed": _l("查看页面"), "archive.viewed": _l("查看档案"), "document.kind_set": _l("更正类型"),
    "document.moved": _l("移至其他档案"), "archive.identity_corrected": _l("更正客户名称或代码"),
    "unsorted.received": _l("进入待分拣"), "unsorted.kind_set": _l("设置类型"), "unsorted.field_set": _l("录入字段"),
    "unsorted.filed": _l("分拣归档"), "intake.quarantined": _l("隔离"), "intake.retried": _l("重新处理"),
    "intake.dismissed": _l("忽略"), "document.view_denied": _l("拒绝查看"), "document.page_denied": _l("拒绝查看页面"),
    "document.download_denied": _l("拒绝下载"), "archive.view_denied": _l("拒绝查看档案"),
    "audit.exported": _l("导出审计记录"), "user.lines_set": _l("设置业务条线"), "intake.uploaded": _l("上传"), "user.created": _l("创建用户"), "user.changed": _l("修改用户"), "user.login": _l("登录"),
    "user.logout": _l("退出"), "user.password_changed": _l("修改密码"), "user.login_failed": _l("登录失败"),
}


def say(item, params=None) -> str:
    """A stored reason or problem, or a refusal's code, in the reader's language."""
    from flask_babel import gettext

    from archive_store.messages import render

    return render(item, params, translate=gettext, field_label=lambda k: str(FIELD_LABELS.get(k, k)),
                  value_label=lambda v: str(VALUE_LABELS[v]) if v in VALUE_LABELS else v)


def show_value(key: str, value) -> str:
    """A stored value as a reader writes it: 长期 for long_term, 企业 for enterprise, money
    with ¥ and separators, dates the reader's way."""
    from web.i18n import cn_date, money

    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    if key in ("amount", "registered_capital"):
        return money(value)
    if key.endswith("_on") or key == "term_end":
        return cn_date(value)
    if isinstance(value, list):
        return "、".join(say(v) if isinstance(v, dict) else show_value(key, v) for v in value)
    if isinstance(value, dict):
        return say(value) if "code" in value else "；".join(
            f"{label_of(k)}：{show_value(k, v)}" for k, v in value.items())
    return "" if value is None else str(value)


def label_of(key: str) -> str:
    return str(FIELD_LABELS.get(key) or CHANGE_LABELS.get(key) or key)


def changes(canonical_json: str | None) -> list[tuple[str, str]]:
    """An audit event's before or after (canonical JSON) as labelled fields."""
    import json

    if not canonical_json:
        return []
    try:
        data = json.loads(canonical_json)
    except ValueError:
        return [("", canonical_json)]
    if not isinstance(data, dict):
        return [("", show_value("", data))]
    if "key" in data and "value" in data:  # a field change: name the field itself
        data = {**data, "key": label_of(str(data["key"]))}
    return [(label_of(k), show_value(k, v)) for k, v in data.items()]


def quarantine_reason(code: str) -> str:
    return say("q_" + code) if code in QUARANTINE_CODES else say("q_internal")


REASON_LABELS = {
    "kind_unknown": _l("类型未识别"), "kind_uncertain": _l("类型不确定"), "customer_unknown": _l("客户未识别"),
    "required_missing": _l("缺少必填字段"), "field_problem": _l("字段校验问题"),
    "proposed_correction": _l("有建议更正"), "low_confidence": _l("识别置信度低"), "document_problem": _l("文件问题"),
}


def register(app: Flask) -> None:
    app.jinja_env.globals["reason_label"] = lambda c: REASON_LABELS.get(c, c)
    app.jinja_env.globals["say"] = say
    app.jinja_env.globals["show_value"] = show_value
    app.jinja_env.globals["changes"] = changes
    app.jinja_env.globals["quarantine_reason"] = quarantine_reason
    app.jinja_env.globals["field_label"] = lambda k: FIELD_LABELS.get(k, k)
    app.jinja_env.filters["field_label"] = lambda k: str(FIELD_LABELS.get(k, k))
    app.jinja_env.globals["role_label"] = lambda r: ROLE_LABELS.get(r, r)
    app.jinja_env.globals["action_label"] = lambda a: ACTION_LABELS.get(a, a)
