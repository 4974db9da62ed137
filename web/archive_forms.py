"""The forms of the customer-archive pages (web/archives.py). Kept apart from web/forms.py
so the areas' forms grow without touching each other; same conventions: CSRF on POST,
every value checked for shape here and for meaning by the verb."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from web.forms import FlaskForm, GetForm, choices

NO = Regexp(r"^[A-Za-z0-9_-]{1,80}$")
STAGE_CHOICES = choices([("potential", _l("潜在")), ("intention", _l("意向")), ("deal", _l("成交")),
                         ("lost", _l("流失"))])
GRADE_CHOICES = choices([("", "—"), ("A", "A"), ("B", "B"), ("C", "C")])
TYPE_CHOICES = choices([("enterprise", _l("企业")), ("individual", _l("个人"))])


class NewArchiveForm(FlaskForm):
    name = StringField(_l("客户名称"), validators=[DataRequired(), Length(max=256)])
    customer_type = SelectField(_l("客户类型"), choices=TYPE_CHOICES, validators=[DataRequired()])
    business_line = SelectField(_l("业务条线"), choices=[], validators=[DataRequired()])
    uscc = StringField(_l("统一社会信用代码"), validators=[Optional(), Length(max=32)])
    id_number = StringField(_l("身份证号"), validators=[Optional(), Length(max=32)])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=32)])


class EditArchiveForm(FlaskForm):
    name = StringField(_l("客户名称"), validators=[DataRequired(), Length(max=256)])
    phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=32)])
    grade = SelectField(_l("等级"), choices=GRADE_CHOICES, validators=[Optional()])
    stage = SelectField(_l("合作阶段"), choices=STAGE_CHOICES, validators=[DataRequired()])
    owner = SelectField(_l("负责人"), choices=[], validators=[Optional()])
    business_line = SelectField(_l("业务条线"), choices=[], validators=[DataRequired()])
    paper_location = StringField(_l("纸质档案位置"), validators=[Optional(), Length(max=128)])
    relationship_start = DateField(_l("关系开始"), validators=[Optional()])
    relationship_end = DateField(_l("关系结束"), validators=[Optional()])
    first_contact_on = DateField(_l("首次联系"), validators=[Optional()])
    uscc = StringField(_l("统一社会信用代码"), validators=[Optional(), Length(max=32)])
    id_number = StringField(_l("身份证号"), validators=[Optional(), Length(max=32)])
    reason = StringField(_l("修改说明"), validators=[Optional(), Length(max=1000)])


class ReassignForm(FlaskForm):
    owner = SelectField(_l("改派给"), choices=[], validators=[DataRequired()])


class MergeForm(FlaskForm):
    from_no = StringField(_l("并入的档案（撤销）"), validators=[DataRequired(), NO])
    into_no = StringField(_l("保留的档案"), validators=[DataRequired(), NO])
    reason = StringField(_l("理由"), validators=[Optional(), Length(max=1000)])


class RejectForm(FlaskForm):
    reason = StringField(_l("驳回理由"), validators=[DataRequired(), Length(max=1000)])


class ListFilterForm(GetForm):
    stage = SelectField(_l("合作阶段"), choices=choices([("", _l("全部"))]) + STAGE_CHOICES, validators=[Optional()])
    grade = SelectField(_l("等级"), choices=choices([("", _l("全部")), ("A", "A"), ("B", "B"), ("C", "C"), ("—", "—")]),
                        validators=[Optional()])
    business_line = SelectField(_l("业务条线"), choices=[], validators=[Optional()])
    owner = StringField(_l("负责人"), validators=[Optional(), Length(max=64)])
