"""The portal's forms. Every POST form carries Flask-WTF's CSRF token; GET filters do not
change anything, so they carry none, but their values are checked all the same."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, PasswordField, SelectField,
                     StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp

from archive_store.models import Role



def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3 deprecates (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


ROLE_CHOICES = choices((r.value, r.value) for r in Role)
KIND_CHOICES = choices([("", _l("全部")), ("business_license", _l("营业执照")), ("contract", _l("合同")),
                        ("collection_form", _l("客户信息收集表")), ("other", _l("其他"))])
STATUS_CHOICES = choices([("", _l("全部")), ("pending_review", _l("待审核")), ("effective", _l("已生效")),
                          ("returned", _l("已退回"))])


class GetForm(FlaskForm):
    class Meta:
        csrf = False


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=256)])


class PasswordForm(FlaskForm):
    old = PasswordField(_l("当前密码"), validators=[DataRequired(), Length(max=256)])
    new = PasswordField(_l("新密码"), validators=[DataRequired(), Length(min=10, max=256)])
    confirm = PasswordField(_l("再次输入新密码"),
                            validators=[DataRequired(), EqualTo("new", message=_l("两次输入不一致"))])


class SearchForm(GetForm):
    q = StringField(_l("检索"), validators=[Optional(), Length(max=200)])
    doc_type = SelectField(_l("类型"), choices=KIND_CHOICES, validators=[Optional()])
    business_line = SelectField(_l("业务条线"), choices=[], validators=[Optional()])
    status = SelectField(_l("状态"), choices=STATUS_CHOICES, validators=[Optional()])
    date_from = DateField(_l("起始日期"), validators=[Optional()])
    date_to = DateField(_l("截止日期"), validators=[Optional()])
    sort = SelectField(_l("排序"), choices=choices([("relevance", _l("相关度")), ("date", _l("日期"))]),
                       default="relevance", validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=500)], default=1)


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(), Length(max=1000)])


class GrantForm(FlaskForm):
    username = SelectField(_l("人员"), choices=[], validators=[DataRequired()])
    reason = StringField(_l("理由"), validators=[DataRequired(), Length(max=1000)])
    days = IntegerField(_l("天数"), default=30, validators=[DataRequired(), NumberRange(min=1, max=90)])


class UserCreateForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_.-]{2,64}$")])
    display_name = StringField(_l("姓名"), validators=[Optional(), Length(max=128)])
    role = SelectField(_l("角色"), choices=ROLE_CHOICES, validators=[DataRequired()])


class UserEditForm(FlaskForm):
    role = SelectField(_l("角色"), choices=ROLE_CHOICES, validators=[DataRequired()])
    active = BooleanField(_l("启用"))


class AuditFilterForm(GetForm):
    actor = StringField(_l("用户"), validators=[Optional(), Length(max=64)])
    object_id = StringField(_l("对象"), validators=[Optional(), Length(max=80)])
    action = StringField(_l("操作"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("起始日期"), validators=[Optional()])
    date_to = DateField(_l("截止日期"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)], default=1)


# --- retention and disposal (issue 21) -----------------------------------------------------

RULE_KIND_CHOICES = choices([("contract", _l("合同")), ("business_license", _l("营业执照")),
                             ("collection_form", _l("客户信息收集表")), ("other", _l("其他"))])
TRIGGER_CHOICES = choices([("relationship_end", _l("业务关系终止之日")), ("document_date", _l("文件形成日期")),
                           ("filing", _l("归档之日"))])


class RuleForm(FlaskForm):
    kind = SelectField(_l("文件类型"), choices=RULE_KIND_CHOICES, validators=[DataRequired()])
    grade = SelectField(_l("客户等级"), choices=choices([("", _l("所有等级")), ("A", "A"), ("B", "B"), ("C", "C")]),
                        validators=[Optional()])
    years = StringField(_l("保管年限"), validators=[DataRequired(), Regexp(r"^\s*(\d{1,3}|permanent|永久)\s*$",
                                                                       message=_l("填写年数，或 permanent（永久）"))])
    trigger = SelectField(_l("起算点"), choices=TRIGGER_CHOICES, validators=[DataRequired()])


class DueForm(GetForm):
    as_of = DateField(_l("截至日期"), validators=[Optional()])


class ProposeForm(FlaskForm):
    method = SelectField(_l("销毁方式"), choices=choices([("erase", _l("电子删除")), ("shred", _l("粉碎（纸质）"))]),
                         validators=[DataRequired()])


class HoldForm(FlaskForm):
    target = StringField(_l("档号或件号"), validators=[DataRequired(), Length(max=80)])
    reason = TextAreaField(_l("理由"), validators=[DataRequired(), Length(max=1000)])


class ExecuteForm(FlaskForm):
    witness1 = SelectField(_l("监销人一"), choices=[], validators=[DataRequired()])
    witness2 = SelectField(_l("监销人二"), choices=[], validators=[DataRequired()])
    place = StringField(_l("销毁地点"), validators=[Optional(), Length(max=256)])
