"""营业执照: both layouts, each label variant, both scripts, full width."""
import opencc

from forms import analyze, needs_review_reasons
from tests.forms.builders import extraction, rows

S2T = opencc.OpenCC("s2t")
USCC = "91420111MADANHD04J"
R = 800  # x of the right-hand column


def licence_2019(uscc=USCC, rep_label="法定代表人", addr_label="住所", term="2024年01月12日至长期",
                 capital="壹佰万元整", issued="2024年01月12日", convert=lambda s: s, conf=0.99):
    c = convert
    return extraction(rows(
        [(700, c("营业执照"))],
        [(700, c("（副本）"))],
        [c("统一社会信用代码"), (R, c("证照编号：42011100000202401120123"))],
        [uscc],
        [c("名        称"), c("湖北省迅航科技有限公司"), (R, c("注册资本")), c(capital)],
        [c("类        型"), c("有限责任公司（自然人独资）"), (R, c("成立日期")), c("2024年01月12日")],
        [c(rep_label), c("余卓航"), (R, c("营业期限")), c(term)],
        [c("经营范围"), c("一般项目：技术服务、技术开发、技术咨询、技术"), (R, c(addr_label)),
         c("湖北省武汉市洪山区南李路28号")],
        [(216, c("交流、技术转让、技术推广；软件开发；信息系统集"))],
        [(216, c("成服务。"))],
        [(R, c("登记机关"))],
        [(R + 40, issued)],
        [c("国家企业信用信息公示系统网址：http://www.gsxt.gov.cn")],
    ), script="zh-Hant" if convert is not None and convert("机关") != "机关" else "zh-Hans")


def licence_old(rep_label="法定代表人", addr_label="住所", term="2010年05月06日至2030年05月05日"):
    return extraction(rows(
        "企业法人营业执照",
        "（副  本）",
        ["注册号", "420100000123456"],
        ["统一社会信用代码：91110108551385082Q"],
        ["名      称：", "北京百度网讯科技有限公司"],
        [f"{addr_label}：", "北京市海淀区上地十街10号百度大厦2层"],
        [f"{rep_label}：", "梁志祥"],
        ["注册资本：", "人民币134500万元"],
        ["实收资本：", "人民币134500万元"],
        ["公司类型：", "有限责任公司（自然人投资或控股）"],
        ["经营范围：", "技术开发、技术推广、技术转让、技术咨询、技术服务；"],
        [(60 + 6 * 24, "计算机系统服务；基础软件服务；应用软件服务。")],
        ["成立日期：", "2010年05月06日"],
        ["营业期限：", term],
        [(900, "登记机关")],
        [(900, "二〇一九年十月二十日")],
    ))


def test_2019_two_column_licence_reads_every_field():
    a = analyze(licence_2019())
    assert a.doc_type == "business_license"
    v = {k: f.value for k, f in a.fields.items()}
    # nothing printed beside 登记机关 (the seal covers it) and no ring read: the USCC's
    # division proposes one, flagged, with the code's box as its evidence
    proposed = a.fields["registration_authority"]
    assert proposed.value == proposed.suggestion == v.pop("registration_authority") == "武汉市洪山区市场监督管理局"
    assert proposed.problems and proposed.confidence < 0.5 and proposed.box == a.fields["uscc"].box
    assert v == {
        "uscc": USCC, "name": "湖北省迅航科技有限公司", "entity_type": "有限责任公司(自然人独资)",
        "legal_representative": "余卓航", "registered_capital": "1000000.00",
        "established_on": "2024-01-12", "term_end": "long_term",
        "address": "湖北省武汉市洪山区南李路28号",
        "business_scope": "一般项目:技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广;软件开发;信息系统集成服务",
        "issued_on": "2024-01-12",
    }
    assert a.issue_date == "2024-01-12"
    assert a.customer.customer_type == "enterprise" and a.customer.uscc == USCC
    assert a.customer.name == "湖北省迅航科技有限公司"
    assert [r for r in needs_review_reasons(a) if "登记机关" not in r] == []


def test_older_one_column_licence_with_colons_and_chinese_numeral_date():
    a = analyze(licence_old())
    v = {k: f.value for k, f in a.fields.items()}
    assert a.doc_type == "business_license"
    assert v["uscc"] == "91110108551385082Q"
    assert v["name"] == "北京百度网讯科技有限公司"
    assert v["address"] == "北京市海淀区上地十街10号百度大厦2层"
    assert v["legal_representative"] == "梁志祥"
    assert v["registered_capital"] == "1345000000.00"
    assert v["entity_type"] == "有限责任公司(自然人投资或控股)"
    assert v["business_scope"] == "技术开发、技术推广、技术转让、技术咨询、技术服务;计算机系统服务;基础软件服务;应用软件服务"
    assert v["established_on"] == "2010-05-06"
    assert v["term_end"] == "2030-05-05"
    assert v["issued_on"] == "2019-10-20"


def test_branch_and_sole_trader_label_variants():
    for rep in ("负责人", "经营者", "执行事务合伙人"):
        for addr in ("经营场所", "主要经营场所"):
            a = analyze(licence_2019(rep_label=rep, addr_label=addr))
            assert a.fields["legal_representative"].value == "余卓航", rep
            assert a.fields["address"].value == "湖北省武汉市洪山区南李路28号", addr


def test_long_term_variants():
    for term in ("2024年01月12日至长期", "2024年01月12日 至 永久", "2024年01月12日至不约定期限", "长期"):
        assert analyze(licence_2019(term=term)).fields["term_end"].value == "long_term"


def test_traditional_licence_keeps_its_script():
    a = analyze(licence_2019(convert=S2T.convert))
    assert a.doc_type == "business_license"
    assert a.fields["name"].value == "湖北省迅航科技有限公司"  # same characters in both scripts
    assert a.fields["entity_type"].value == "有限責任公司(自然人獨資)"
    assert a.fields["legal_representative"].value == S2T.convert("余卓航")
    assert a.fields["registered_capital"].value == "1000000.00"
    assert a.fields["address"].value == "湖北省武漢市洪山區南李路28號"
    assert a.fields["term_end"].value == "long_term"


def test_full_width_code_and_date():
    a = analyze(licence_2019(uscc="９１４２０１１１ＭＡＤＡＮＨＤ０４Ｊ", issued="２０２４年０１月１２日"))
    assert a.fields["uscc"].value == USCC
    assert a.fields["issued_on"].value == "2024-01-12"


def test_misread_uscc_is_kept_flagged_and_a_correction_proposed():
    a = analyze(licence_2019(uscc="91420111MADANHDO4J"))
    f = a.fields["uscc"]
    assert f.value == "91420111MADANHDO4J"  # never silently replaced
    assert f.suggestion == USCC
    assert f.problems and f.confidence <= 0.4
    assert a.customer.uscc is None  # an unchecked code does not match archives
    reasons = needs_review_reasons(a)
    assert any("uscc" in r and USCC in r for r in reasons)


def test_issue_date_before_establishment_is_a_problem():
    a = analyze(licence_2019(issued="2023年01月12日"))
    assert a.fields["issued_on"].problems
    assert any("成立日期" in p for p in a.problems)


def test_issue_date_that_lost_its_first_digit_is_shown_to_the_reviewer_not_guessed():
    # the seal's edge took the 二 of 二〇二四, and 登记机关 itself was misread (登記關)
    def with_authority(label, issued):
        lines = licence_2019(issued=issued).pages[0].lines
        return extraction([l if l.text != "登记机关" else type(l)(label, l.box, l.confidence) for l in lines])

    for label in ("登记机关", "登记关"):
        a = analyze(with_authority(label, "〇二四年十二月二十三日"))
        f = a.fields["issued_on"]
        assert f.value == "〇二四年十二月二十三日" and a.issue_date is None
        assert any("lost its first digit" in p for p in f.problems)
        assert [r for r in needs_review_reasons(a) if "(issued_on)" in r]
        # read whole, the same date is found either way
        assert analyze(with_authority(label, "二〇二四年十二月二十三日")).fields["issued_on"].value == "2024-12-23"


def test_capital_given_as_figure_in_wan():
    a = analyze(licence_2019(capital="500万元人民币"))
    assert a.fields["registered_capital"].value == "5000000.00"


def test_value_on_the_line_below_its_label():
    a = analyze(extraction(rows(
        "营业执照", "统一社会信用代码", USCC, "名称", "武汉某某商贸有限公司", "登记机关",
        "武汉市市场监督管理局", "2022年6月1日", "成立日期", "2020年5月1日", "经营范围",
        "日用百货销售")))
    v = {k: f.value for k, f in a.fields.items()}
    assert v["name"] == "武汉某某商贸有限公司"
    assert v["registration_authority"] == "武汉市市场监督管理局"
    assert v["established_on"] == "2020-05-01"
    assert v["issued_on"] == "2022-06-01"


def test_spaced_label_read_as_separate_characters_and_half_lost():
    # OCR returns 名　　称 as two boxes, or loses the second character altogether
    for label_cells in (["名", "称"], ["名"]):
        a = analyze(extraction(rows(
            "营业执照", "统一社会信用代码", USCC,
            label_cells + ["武汉某某商贸有限公司", (R, "注册资本"), "壹佰万元整"],
            ["类", "型", "有限责任公司（自然人独资）"])))
        assert a.fields["name"].value == "武汉某某商贸有限公司", label_cells
        assert a.fields["entity_type"].value == "有限责任公司(自然人独资)"


def test_value_merged_with_the_next_columns_label():
    # OCR joined the end of a 经营范围 line and the right column's 经营场所 label into one box
    a = analyze(extraction(rows(
        "营业执照", ["统一社会信用代码", USCC],
        ["经营范围", "技术服务、技术开发经营场所", "湖北省武汉市洪山区南李路28号"])))
    assert a.fields["address"].value == "湖北省武汉市洪山区南李路28号"
    assert a.fields["business_scope"].value == "技术服务、技术开发"


def test_run_on_label_without_colon_or_gap():
    a = analyze(extraction(rows("营业执照", "统一社会信用代码 " + USCC, "名称海淀安和便利店",
                                "类型个体工商户", "经营者 王轩", "经营场所北京市海淀区科技园路368号")))
    v = {k: f.value for k, f in a.fields.items()}
    assert v["name"] == "海淀安和便利店" and v["entity_type"] == "个体工商户"
    assert v["legal_representative"] == "王轩" and v["address"] == "北京市海淀区科技园路368号"


def test_unpaired_bracket_is_flagged():
    a = analyze(licence_2019())
    e = extraction(rows("营业执照", ["统一社会信用代码", USCC], ["住所", "北京市海淀区（中关村东路1号"]))
    f = analyze(e).fields["address"]
    assert f.problems and f.confidence < 0.85
    assert not a.fields["entity_type"].problems


def test_entity_type_bracket_lost_at_line_end_is_put_back():
    # the closing bracket of 类型 is what OCR drops at a line end; the list of enterprise
    # types leaves no doubt which it was, in either script and bracket width
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        for read, want in (("有限责任公司（自然人独资", "有限责任公司(自然人独资)"),
                           ("有限责任公司(自然人投资或控股", "有限责任公司(自然人投资或控股)"),
                           ("股份有限公司 (非上市)", "股份有限公司(非上市)")):
            e = extraction(rows(c("营业执照"), [c("统一社会信用代码"), USCC], [c("类型"), c(read)]),
                           script=script)
            f = analyze(e).fields["entity_type"]
            assert f.value == c(want) and not f.problems and f.confidence >= 0.85, (read, f)


def test_entity_type_near_a_known_type_is_flagged_with_a_proposal():
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        e = extraction(rows(c("营业执照"), [c("统一社会信用代码"), USCC],
                            [c("类型"), c("有限贵任公司（自然人独资）")]), script=script)
        f = analyze(e).fields["entity_type"]
        assert f.value == c("有限贵任公司(自然人独资)")  # as read, never replaced
        assert f.problems and f.suggestion == c("有限责任公司(自然人独资)")
        reasons = " ".join(needs_review_reasons(analyze(e)))
        assert "entity_type" in reasons


def test_entity_type_outside_the_known_types_asks_for_a_look():
    e = extraction(rows("营业执照", ["统一社会信用代码", USCC], ["类型", "有限公司"]))
    f = analyze(e).fields["entity_type"]
    assert f.value == "有限公司" and f.confidence < 0.85
    for known in ("个体工商户", "个人独资企业", "普通合伙企业", "股份有限公司（上市）", "其他有限责任公司"):
        e = extraction(rows("营业执照", ["统一社会信用代码", USCC], ["类型", known]))
        f = analyze(e).fields["entity_type"]
        assert not f.problems and f.confidence >= 0.85, known


def test_second_half_of_a_spaced_label_read_into_the_value():
    a = analyze(extraction(rows("营业执照", "统一社会信用代码", USCC, ["名", "称长沙明远医疗器械股份有限公司"])))
    assert a.fields["name"].value == "长沙明远医疗器械股份有限公司"


def test_real_ocr_of_a_2019_licence_stacked_label_characters():
    # what RapidOCR returned for a real electronic licence (corpus: xunhang): 名/类 stacked
    # into one box, 称 and 型 read into their values' boxes, 住 and 所 apart
    from ocr.extraction import Box, Line

    from tests.forms.builders import line
    lines = [
        line("统一社会信用代码", 151, 349), line("91420111MADANHD04J", 154, 386),
        Line("名类", Box(148, 519, 194, 621), 0.999), line("称湖北省迅航科技有限公司", 276, 526, h=33),
        line("注册资本壹佰万元", 889, 524, h=36), line("型有限责任公司(自然人独资)", 276, 579, h=33),
        line("成立日期2024年01月12日", 889, 578, h=36), line("法定代表人余卓航", 152, 632, h=36),
        line("住", 885, 629, h=43), line("所", 1007, 632, h=38), line("湖北省武汉市洪山区南李路28号", 1052, 631, h=35),
        line("登记机关", 1042, 888, h=34), line("武汉市洪山区行政审批局", 1234, 895, h=27),
        line("2024年01月12日", 1174, 941, h=36),
    ]
    a = analyze(extraction(lines))
    v = {k: f.value for k, f in a.fields.items()}
    assert v["name"] == "湖北省迅航科技有限公司"
    assert v["entity_type"] == "有限责任公司(自然人独资)"
    assert v["legal_representative"] == "余卓航" and v["registered_capital"] == "1000000.00"
    assert v["established_on"] == "2024-01-12" and v["issued_on"] == "2024-01-12"
    assert v["registration_authority"] == "武汉市洪山区行政审批局"


def test_title_beside_the_code_label_is_not_the_code():
    # corpus cicba: 营业执照 sits on the row of 统一社会信用代码; the code is below the label
    from tests.forms.builders import line
    lines = [line("统一社会信用代码", 239, 258, h=27), line("营业执照", 621, 225, h=108),
             line(USCC, 240, 300, h=18)]
    a = analyze(extraction(lines))
    assert a.fields["uscc"].value == USCC


def test_scope_wrapped_beside_a_label_centred_between_its_lines():
    # corpus xunhang: 经营范围's box sits between the two lines of its value
    from ocr.extraction import Box, Line
    lines = [Line("营业执照", Box(600, 200, 900, 280), 1.0),
             Line("统一社会信用代码", Box(151, 349, 386, 379), 1.0), Line(USCC, Box(154, 386, 379, 409), 1.0),
             Line("经营范围", Box(151, 685, 314, 722), 1.0),
             Line("一般项目：智能无人飞行器制造，其他电子器件制造。（除许可", Box(315, 682, 836, 708), 0.98),
             Line("业务外，可自主依法经营法律法规非禁止或限制的项目）", Box(315, 702, 782, 729), 0.99)]
    a = analyze(extraction(lines))
    assert a.fields["business_scope"].value == (
        "一般项目:智能无人飞行器制造,其他电子器件制造。(除许可业务外,可自主依法经营法律法规非禁止或限制的项目)")
    assert not a.fields["business_scope"].problems


def test_registered_funds_and_registration_date_variants():
    a = analyze(extraction(rows(
        "营业执照", ["统一社会信用代码", USCC], ["名称", "某某商贸有限公司"], ["注册资金", "人民币50万元"],
        ["注册日期", "2016-3-8"], ["营业期限", "2016年3月8日至2036年3月7日"], ["登记机关", "某某市场监督管理局"],
        "2016年03月08日")))
    v = {k: f.value for k, f in a.fields.items()}
    assert v["registered_capital"] == "500000.00" and v["established_on"] == "2016-03-08"
    assert v["term_end"] == "2036-03-07" and v["issued_on"] == "2016-03-08"


def test_address_wrapped_to_a_lone_character_keeps_it():
    # 号 alone on the next line is the end of the address, not what is left of 编号
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        e = extraction(rows(
            [(700, c("营业执照"))],
            [c("统一社会信用代码")],
            [USCC],
            [c("名        称"), c("南京海丰贸易有限公司"), (R, c("注册资本")), c("人民币300万元")],
            [c("经营范围"), c("技术咨询、货物进出口"), (R, c("住所")), c("江苏省南京市鼓楼区学府路31")],
            [(216, c("道路货物运输。")), (R + 150, c("号"))],
        ), script=script)
        f = analyze(e).fields["address"]
        assert f.value == c("江苏省南京市鼓楼区学府路31号"), f


def test_type_line_under_the_name_when_its_label_was_not_read():
    # OCR missed 类　　型: its value sits under the name, looking like the name wrapping
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        e = extraction(rows(
            [(700, c("营业执照"))], [c("统一社会信用代码")], [USCC],
            [c("名        称"), c("汇通信息技术有限公司"), (R, c("注册资本")), c("壹拾万元整")],
            [(216, c("股份有限公司（非上市")), (R, c("成立日期")), "2021年05月30日"],
            [c("法定代表人"), c("马刚伟")],
        ), script=script)
        v = {k: f.value for k, f in analyze(e).fields.items()}
        assert v["name"] == c("汇通信息技术有限公司")
        assert v["entity_type"] == c("股份有限公司(非上市)")
        # a name that wraps before its legal form is one name
        e = extraction(rows(
            [(700, c("营业执照"))], [c("统一社会信用代码")], [USCC],
            [c("名        称"), c("北京星河文化传媒科技"), (R, c("注册资本")), c("壹拾万元整")],
            [(216, c("股份有限公司")), (R, c("成立日期")), "2021年05月30日"],
            [c("类        型"), c("股份有限公司（非上市）")],
        ), script=script)
        v = {k: f.value for k, f in analyze(e).fields.items()}
        assert v["name"] == c("北京星河文化传媒科技股份有限公司")
        assert v["entity_type"] == c("股份有限公司(非上市)")


def test_address_stopping_at_a_street_number_is_flagged():
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        e = extraction(rows(c("营业执照"), [c("统一社会信用代码"), USCC], [c("名称"), c("新元信息技术有限公司")],
                            [c("住所"), c("湖北省武汉市洪山区滨江大道9")]), script=script)
        f = analyze(e).fields["address"]
        assert f.value == c("湖北省武汉市洪山区滨江大道9") and f.problems
        e = extraction(rows(c("营业执照"), [c("统一社会信用代码"), USCC], [c("名称"), c("新元信息技术有限公司")],
                            [c("住所"), c("湖北省武汉市洪山区滨江大道921号A座1001")]), script=script)
        assert not analyze(e).fields["address"].problems


def test_entity_type_cut_short_proposes_the_one_type_it_begins():
    for c, script in ((lambda s: s, "zh-Hans"), (S2T.convert, "zh-Hant")):
        e = extraction(rows(c("营业执照"), [c("统一社会信用代码"), USCC],
                            [c("类型"), c("有限责任公司（非自然人投")]), script=script)
        f = analyze(e).fields["entity_type"]
        assert f.value == c("有限责任公司(非自然人投") and f.problems
        assert f.suggestion == c("有限责任公司(非自然人投资或控股的法人独资)")
        # a beginning several types share proposes none
        e = extraction(rows(c("营业执照"), [c("统一社会信用代码"), USCC],
                            [c("类型"), c("有限责任公司（自然人")]), script=script)
        assert analyze(e).fields["entity_type"].suggestion is None
