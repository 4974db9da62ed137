"""客户信息收集表 as different companies print it: grid, label-colon lines, label above value."""
import opencc
import pytest
from stdnum.cn import ric

from forms import analyze, needs_review_reasons
from forms.collection import parse_customer_type
from tests.forms.builders import extraction, rows

S2T = opencc.OpenCC("s2t")
USCC = "91110108551385082Q"
ID = "370782198709170246"

EXPECTED_ENTERPRISE = {
    "customer_name": "北京星河文化传媒有限公司", "customer_type": "enterprise", "uscc": USCC,
    "contact_person": "李娜", "phone": "13812345678", "email": "lina@xinghe.com",
    "address": "北京市朝阳区望京街道阜通东大街6号", "industry": "文化传媒",
    "source_channel": "展会", "needs": "档案数字化外包服务", "collected_by": "王小明",
    "collected_on": "2024-03-05",
}


def grid_form(convert=lambda s: s):
    c = convert
    return extraction(rows(
        [(500, c("客户信息收集表"))],
        [c("客户名称"), c("北京星河文化传媒有限公司")],
        [c("客户类型"), c("□个人  ☑企业")],
        [c("统一社会信用代码"), USCC],
        [c("联系人"), c("李娜"), (1000, c("联系电话")), "+86 138-1234-5678"],
        [c("电子邮箱"), "LiNa@XingHe.com", (1000, c("所属行业")), c("文化传媒")],
        [c("联系地址"), c("北京市朝阳区望京街道阜通东大街6号")],
        [c("信息来源"), c("展会")],
        [c("需求描述"), c("档案数字化外包服务")],
        [c("收集人"), c("王小明"), (1000, c("收集日期")), "2024年3月5日"],
    ), script="zh-Hant" if c("收集") != "收集" else "zh-Hans")


def test_table_grid_form():
    a = analyze(grid_form())
    assert a.doc_type == "collection_form"
    assert {k: f.value for k, f in a.fields.items()} == EXPECTED_ENTERPRISE
    assert a.issue_date == "2024-03-05"
    assert a.customer.customer_type == "enterprise" and a.customer.uscc == USCC
    assert a.customer.phone == "13812345678"
    assert needs_review_reasons(a) == []


def test_traditional_grid_form():
    a = analyze(grid_form(S2T.convert))
    v = {k: f.value for k, f in a.fields.items()}
    assert a.doc_type == "collection_form"
    assert v["customer_name"] == S2T.convert("北京星河文化传媒有限公司")
    assert v["customer_type"] == "enterprise" and v["uscc"] == USCC
    assert v["address"] == S2T.convert("北京市朝阳区望京街道阜通东大街6号")
    assert v["collected_on"] == "2024-03-05"


def test_label_colon_lines_for_an_individual():
    a = analyze(extraction(rows(
        "华东销售部  客户信息登记（收集表）",
        "姓名：张伟          客户类型：■个人 □企业",
        f"身份证号：{ID}",
        "手机：１３９ ０１２３ ４５６７",
        "邮箱：zhangwei@163.com",
        "地址：浙江省杭州市西湖区文三路90号",
        "行业：教育",
        "来源渠道：老客户介绍",
        "客户需求：家庭档案整理",
        "填表人：刘洋        填表日期：2024.11.02",
    )))
    v = {k: f.value for k, f in a.fields.items()}
    assert a.doc_type == "collection_form"
    assert v == {"customer_name": "张伟", "customer_type": "individual", "id_number": ID,
                 "phone": "13901234567", "email": "zhangwei@163.com",
                 "address": "浙江省杭州市西湖区文三路90号", "industry": "教育",
                 "source_channel": "老客户介绍", "needs": "家庭档案整理", "collected_by": "刘洋",
                 "collected_on": "2024-11-02"}
    assert a.customer.id_number == ID and a.customer.customer_type == "individual"


def test_label_above_value_layout():
    a = analyze(extraction(rows(
        "客户信息收集表",
        ["单位名称", (900, "统一社会信用代码")],
        ["广州南方物流有限公司", (900, USCC)],
        ["联系人", (900, "电话")],
        ["陈静", (900, "020-87654321")],
        ["E-mail", (900, "收集日期")],
        ["chenjing@nanfang.cn", (900, "二〇二四年六月一日")],
        "需求描述",
        "仓储单据电子化归档，预计五千卷。",
        "收集人",
        "赵磊",
    )))
    v = {k: f.value for k, f in a.fields.items()}
    assert v["customer_name"] == "广州南方物流有限公司"
    assert v["uscc"] == USCC and v["contact_person"] == "陈静"
    assert v["phone"] == "02087654321" and v["email"] == "chenjing@nanfang.cn"
    assert v["collected_on"] == "2024-06-01"
    assert v["needs"] == "仓储单据电子化归档,预计五千卷"
    assert v["collected_by"] == "赵磊"
    assert v["customer_type"] == "enterprise"  # no tick printed: inferred from the USCC
    assert a.fields["customer_type"].confidence < 0.85


def test_needs_wrapped_over_lines():
    a = analyze(extraction(rows(
        "客户信息收集表",
        ["需求描述：", "希望将历年合同、发票及客户往来函件扫描建档，并提供全文检索"],
        [(60 + 5 * 24 + 60 - 0, "与借阅审批功能。")],
        ["收集人：", "王五"],
    )))
    assert a.fields["needs"].value == "希望将历年合同、发票及客户往来函件扫描建档,并提供全文检索与借阅审批功能"


@pytest.mark.parametrize("text, expected", [
    ("☑个人 □企业", "individual"), ("□个人 ☑企业", "enterprise"), ("■企业 □个人", "enterprise"),
    ("√个人 □企业", "individual"), ("个人√ 企业", "individual"), ("口个人 V企业", "enterprise"),
    ("企业", "enterprise"), ("个人", "individual"), ("□个人 □企业", None), ("☑個人 □企業", "individual"),
])
def test_ticked_customer_type(text, expected):
    assert parse_customer_type(text) == expected


def test_bad_id_number_is_flagged_with_its_correction():
    e = extraction(rows("客户信息收集表", "姓名：张伟", "客户类型：☑个人", "身份证号：37078219870917O246"))
    a = analyze(e)
    f = a.fields["id_number"]
    assert f.value == "37078219870917O246" and f.suggestion == ID
    assert a.customer.id_number is None
    assert any("id_number" in r for r in needs_review_reasons(a))


def test_bad_phone_and_email_are_flagged():
    e = extraction(rows("客户信息收集表", "姓名：张伟", "联系电话：138123", "电子邮箱：zhangwei.163.com"))
    a = analyze(e)
    assert a.fields["phone"].problems and a.fields["email"].problems
    assert a.customer.phone is None
    reasons = needs_review_reasons(a)
    assert any("phone" in r for r in reasons) and any("email" in r for r in reasons)


def test_phone_with_letter_o_gets_a_proposal():
    a = analyze(extraction(rows("客户信息收集表", "姓名：张伟", "手机：1381234567O")))
    assert a.fields["phone"].suggestion == "13812345670"


def test_ticked_type_contradicting_the_identity_is_a_problem():
    a = analyze(extraction(rows("客户信息收集表", "客户名称：张伟", "客户类型：☑企业 □个人",
                                f"身份证号：{ID}")))
    assert a.fields["customer_type"].problems
    assert ric.is_valid(ID) or True


def test_low_confidence_ocr_line_is_flagged():
    e = extraction(rows("客户信息收集表"), rows(["客户名称", "某某有限公司"], conf=0.55, y0=200))
    a = analyze(e)
    assert a.fields["customer_name"].confidence < 0.6
    assert any("low confidence" in r for r in needs_review_reasons(a))


def test_empty_fields_are_absent_not_empty():
    a = analyze(extraction(rows(
        "客户信息收集表", ["客户名称", "某某有限公司"], ["联系电话", ""], ["电子邮箱", ""], ["收集人", "王五"])))
    assert "phone" not in a.fields and "email" not in a.fields
    assert a.fields["collected_by"].value == "王五"


@pytest.mark.parametrize("email", ["gao1in51@qq.com", "1iu.chen92@qq.com", "zh0u@163.com",
                                   "lin_1iang93@126.com"])
def test_email_with_digit_lookalikes_among_letters_is_flagged(email):
    a = analyze(extraction(rows("客户信息收集表", "姓名：张伟", f"电子邮箱：{email}")))
    assert a.fields["email"].value == email
    assert a.fields["email"].problems


def test_plain_email_with_digits_after_letters_is_not_flagged():
    a = analyze(extraction(rows("客户信息收集表", "姓名：张伟", "电子邮箱：liang93@126.com")))
    assert not a.fields["email"].problems


def test_uncertain_phone_is_flagged_at_a_stricter_threshold_than_text():
    e = extraction(rows("客户信息收集表"), rows(["联系电话", "13812345678"], ["联系人", "李娜"],
                                               conf=0.9, y0=200))
    reasons = needs_review_reasons(analyze(e))
    assert any("(phone)" in r for r in reasons)
    assert not any("(contact_person)" in r for r in reasons)


def test_latin_label_above_its_value():
    # E-mail is printed smaller than the Chinese labels; its value sits a Chinese line below
    from ocr.extraction import Box, Line
    lines = [Line("客户信息收集表", Box(494, 183, 919, 230), 1.0), Line("客户名称", Box(149, 314, 239, 336), 1.0),
             Line("广州中科电子商务有限公司", Box(162, 358, 499, 386), 1.0),
             Line("E-mail", Box(150, 796, 208, 812), 1.0), Line("Li.song81@sina.cn", Box(164, 841, 396, 866), 1.0),
             Line("联系地址", Box(148, 913, 239, 935), 1.0)]
    assert analyze(extraction(lines)).fields["email"].value == "li.song81@sina.cn"


def _email_form(email, convert=lambda s: s):
    c = convert
    return extraction(rows(
        [(500, c("客户信息收集表"))],
        [c("客户名称"), c("北京星河文化传媒有限公司")],
        [c("统一社会信用代码"), USCC],
        [c("电子邮箱"), email],
    ), script="zh-Hant" if c("收集") != "收集" else "zh-Hans")


def test_email_read_with_a_gap_is_flagged_not_guessed():
    # an underscore printed on the form's underline comes back as a gap
    for c in (lambda s: s, S2T.convert):
        f = analyze(_email_form("ZHANG MA9@QQ.COM", c)).fields["email"]
        assert f.value == "zhangma9@qq.com" and f.problems and f.suggestion is None
        assert f.confidence < 0.85


def test_email_lookalike_digit_is_flagged_with_the_letter_proposed():
    for c in (lambda s: s, S2T.convert):
        f = analyze(_email_form("lin_1iang93@126.com", c)).fields["email"]
        assert f.value == "lin_1iang93@126.com"  # as read: proposed, never replaced
        assert f.problems and f.suggestion == "lin_liang93@126.com"
        f = analyze(_email_form("1iu.chen92@qq.corn", c)).fields["email"]
        assert f.value == "1iu.chen92@qq.corn" and f.suggestion == "liu.chen92@qq.com"
        assert len(f.problems) == 2


def test_email_in_ocr_forms_reads_clean():
    for raw in ("Li.Na＠XingHe。com", "li.na©xinghe.com", "li.na @ xinghe.com"):
        f = analyze(_email_form(raw)).fields["email"]
        assert f.value == "li.na@xinghe.com" and not f.problems, raw


def test_email_lookalike_digit_in_the_domain():
    f = analyze(_email_form("zhang.1iang86@examp1e.com")).fields["email"]
    assert f.value == "zhang.1iang86@examp1e.com" and f.problems
    assert f.suggestion == "zhang.liang86@example.com"
    f = analyze(_email_form("wuzhou42@163.com")).fields["email"]
    assert not f.problems and f.suggestion is None


def test_label_read_in_a_variant_glyph_still_ends_the_value_before_it():
    # a Traditional font's 填 read by OCR as the variant 塡, the label joined to the value
    # before it on one line
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        e = extraction(rows(
            [(500, c("客户信息收集表"))],
            [c("客户名称"), c("北京星河文化传媒有限公司")],
            c("客户需求：客户资料集中管理与检索塡表人:杨怡国"),
        ), script=script)
        v = {k: f.value for k, f in analyze(e).fields.items()}
        assert v["needs"] == c("客户资料集中管理与检索") and v["collected_by"] == c("杨怡国")


# ---------------------------------------------------------------- a second look at the value
def test_email_read_again_as_its_proposal_becomes_the_value_still_flagged():
    asked = []

    def look(page, box, alphabet):
        asked.append(alphabet)
        return "lin_liang93@126.com"

    a = analyze(_email_form("lin_1iang93@126.com"), second_look=look)
    f = a.fields["email"]
    assert f.value == "lin_liang93@126.com" and "lin_1iang93@126.com" in f.problems[0]
    assert [r for r in needs_review_reasons(a) if "(email)" in r]
    assert "@" in asked[0] and "l" in asked[0] and "1" in asked[0] and "中" not in asked[0]
    # a second reading that keeps the 1 (it may be what the owner typed) changes nothing
    f = analyze(_email_form("lin_1iang93@126.com"), second_look=lambda *_: "E-mail: lin_1iang93@126.com").fields["email"]
    assert f.value == "lin_1iang93@126.com" and f.suggestion == "lin_liang93@126.com"


def test_phone_with_a_dollar_for_a_five_is_proposed_and_read_again():
    e = extraction(rows("客户信息收集表", "姓名：张伟", ["联系电话", "160 3139 431$"]))
    f = analyze(e).fields["phone"]
    assert f.value == "1603139431$" and f.suggestion == "16031394315" and f.problems
    f = analyze(e, second_look=lambda page, box, alphabet: "160 3139 4315").fields["phone"]
    assert f.value == "16031394315" and f.problems


def test_phone_read_with_a_space_between_every_digit_is_still_found():
    a = analyze(extraction(rows("客户信息收集表", ["联系人", (700, "手机")],
                                ["宋超", (700, "+ 86 1 6 1 8 2 8 4 2 0 3 9")])))
    assert a.fields["phone"].value == "16182842039"


def test_email_label_with_its_l_read_as_1():
    for label in ("E-mai1", "E-maiI", "EMAI1"):
        a = analyze(extraction(rows("客户信息收集表", ["單位名稱", "成都新元科技股份有限公司"],
                                    [label, "wuzhou42@example.com"], ["聯繫地址", "四川省成都市武侯區學府路965號"]),
                               script="zh-Hant"))
        assert a.fields["email"].value == "wuzhou42@example.com", label


def test_email_with_an_l_before_a_digit_is_flagged_with_the_digit_proposed():
    f = analyze(_email_form("chenchenl1@qq.com")).fields["email"]
    assert f.value == "chenchenl1@qq.com" and f.suggestion == "chenchen11@qq.com" and f.problems
    # read again as the proposal: taken, still flagged; read again as before: left as read
    e = _email_form("chenchenl1@qq.com")
    assert analyze(e, second_look=lambda *_: "chenchen11@qq.com").fields["email"].value == "chenchen11@qq.com"
    f = analyze(_email_form("michael1990@outlook.com"), second_look=lambda *_: "michael1990@outlook.com").fields["email"]
    assert f.value == "michael1990@outlook.com" and f.problems  # an English name may end in l: asked, not changed
