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
}


def register(app: Flask) -> None:
    app.jinja_env.globals["field_label"] = lambda k: FIELD_LABELS.get(k, k)
    app.jinja_env.globals["role_label"] = lambda r: ROLE_LABELS.get(r, r)
    app.jinja_env.globals["action_label"] = lambda a: ACTION_LABELS.get(a, a)
