"""Checks that flag what OCR lost or misread with high confidence (forms/checks.py)."""
import opencc

from forms import analyze, needs_review_reasons
from forms.checks import cut_off_name, person_name_problem
from ocr.extraction import Box, Line
from tests.forms.builders import LINE_H, extraction, line, rows

S2T = opencc.OpenCC("s2t")
USCC = "91420111MADANHD04J"
SCOPE = ["技术开发、计算机软硬件", "销售、技术服务、档案整", "理服务、技术咨询。"]


def _scope_licence(scope_lines, convert=lambda s: s, source="ocr", widths=None):
    """A 2019-style licence whose 经营范围 wraps over `scope_lines`; `widths` gives each
    line's box width in characters (what was printed), whatever OCR read."""
    c = convert
    out = rows([(700, c("营业执照"))], [c("统一社会信用代码")], [USCC],
               [c("名称"), c("湖北省迅航科技有限公司")])
    y = out[-1].box.y1 + 20
    out.append(line(c("经营范围"), 60, y))
    for i, text in enumerate(scope_lines):
        n = widths[i] if widths else len(text)
        w = n * LINE_H * 0.86
        out.append(Line(c(text), Box(216, y + i * 40, 216 + w, y + i * 40 + LINE_H), 0.99))
    script = "zh-Hant" if c("机关") != "机关" else "zh-Hans"
    return extraction(out, script=script, source=source)


def test_wrapped_scope_read_whole_is_not_flagged():
    for c in (lambda s: s, S2T.convert):
        f = analyze(_scope_licence(SCOPE, c)).fields["business_scope"]
        assert f.value == c("技术开发、计算机软硬件销售、技术服务、档案整理服务、技术咨询")
        assert not f.problems and f.confidence >= 0.85


def test_a_line_wider_than_its_characters_lost_some():
    # OCR read 销售技术服务档案整 where 销售、技术服务、档案整 is printed: the box still
    # spans 11 characters but holds 9
    read = ["技术开发、计算机软硬件", "销售技术服务档案整", "理服务、技术咨询。"]
    for c in (lambda s: s, S2T.convert):
        f = analyze(_scope_licence(read, c, widths=[11, 11, 9])).fields["business_scope"]
        assert f.value == c("技术开发、计算机软硬件销售技术服务档案整理服务、技术咨询")  # as read
        assert f.problems and "wider than its 9 characters" in f.problems[0]
        assert f.confidence < 0.85


def test_widths_are_not_judged_on_text_layers():
    read = ["技术开发、计算机软硬件", "销售技术服务档案整", "理服务、技术咨询。"]
    f = analyze(_scope_licence(read, source="text_layer", widths=[11, 11, 9])).fields["business_scope"]
    assert not f.problems


def test_company_name_cut_off_in_its_legal_form():
    assert cut_off_name("广州金鼎建筑工程股份有限")
    assert cut_off_name(S2T.convert("广州金鼎建筑工程股份有限"))
    assert cut_off_name("北京星河科技有限责任")
    for whole in ("广州金鼎建筑工程股份有限公司", "浦东天成便利店", "北京星河投资中心（有限合伙）", "王小明"):
        assert cut_off_name(whole) is None, whole
    e = extraction(rows("营业执照", ["统一社会信用代码", USCC], ["名称", S2T.convert("广州金鼎建筑工程股份有限")],
                        ["类型", S2T.convert("股份有限公司（非上市）")]), script="zh-Hant")
    f = analyze(e).fields["name"]
    assert f.value == S2T.convert("广州金鼎建筑工程股份有限") and f.problems
    assert any("(name)" in r for r in needs_review_reasons(analyze(e)))


def test_personal_names_of_one_character_or_many():
    assert person_name_problem("高")
    assert person_name_problem("张三李四王五赵六")
    for ok in ("高子秀", "欧阳娜娜", S2T.convert("欧阳娜娜"), "阿依古丽·买买提", "北京某某投资有限公司（委派代表：李四）"):
        assert person_name_problem(ok) is None, ok
    e = extraction(rows("营业执照", ["统一社会信用代码", USCC], ["名称", "浦东天成便利店"], "经营者 高"))
    f = analyze(e).fields["legal_representative"]
    assert f.value == "高" and f.problems and f.confidence < 0.85


def test_value_running_into_the_next_label_is_flagged():
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        e = extraction(rows(
            [(500, c("客户信息收集表"))],
            [c("客户名称"), c("北京星河文化传媒有限公司")],
            [c("联系人"), c("李娜")],
            [c("需求描述"), c("档案数字化外包服务收集日期")],  # OCR joined the next cell, no colon
        ), script=script)
        a = analyze(e)
        f = a.fields["needs"]
        assert f.value == c("档案数字化外包服务收集日期") and f.confidence < 0.85
        assert any("收集日期" in p for p in f.problems)
        assert not a.fields["contact_person"].problems and not a.fields["customer_name"].problems


def test_unpaired_title_marks_and_quotes_are_flagged():
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        e = extraction(rows([(500, c("客户信息收集表"))], [c("客户名称"), c("北京星河文化传媒有限公司")],
                            [c("需求描述"), c("《档案法》规定的整理服务")]), script=script)
        assert not analyze(e).fields["needs"].problems
        e = extraction(rows([(500, c("客户信息收集表"))], [c("客户名称"), c("北京星河文化传媒有限公司")],
                            [c("需求描述"), c("《档案法规定的整理服务")]), script=script)
        assert analyze(e).fields["needs"].problems
