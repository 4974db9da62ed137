"""合同: parties (without their role), amount with 大写, period, signatories, our side."""
import opencc

from forms import analyze, needs_review_reasons
from tests.forms.builders import extraction, rows

S2T = opencc.OpenCC("s2t")
OURS = ("客户档案管理有限公司", "档案科技(北京)有限公司")


def service_contract(amount_line="合同金额：人民币¥1,234,567.50元（大写：壹佰贰拾叁万肆仟伍佰陆拾柒元伍角）",
                     period="合同期限：自2024年3月5日起至2025年3月4日止", signed="签订日期：二〇二四年三月五日",
                     a="客户档案管理有限公司", b="上海明远贸易有限公司", convert=lambda s: s):
    c = convert
    return extraction(rows(
        [(600, c("技术服务合同"))],
        c("合同编号：HT-2024-0312"),
        c(f"甲方（委托方）：{a}"),
        c("地址：北京市朝阳区建国路88号"),
        c("法定代表人：王建国"),
        c(f"乙方（受托方）：{b}"),
        c("地址：上海市浦东新区世纪大道100号"),
        c("法定代表人：陈明远"),
        c("甲方委托乙方提供档案数字化技术服务，双方经协商一致，签订本合同。"),
        c("第一条 服务内容"),
        c("甲方应于合同签订后五个工作日内向乙方提供资料。"),
        c(amount_line),
        c(period),
        c("第三条 违约责任"),
        [c("甲方（盖章）："), (1100, c("乙方（盖章）："))],
        [c("授权代表（签字）：王建国"), (1100, c("授权代表（签字）：陈明远"))],
        c(signed),
    ), script="zh-Hant" if c("签订") != "签订" else "zh-Hans")


def test_contract_fields():
    a = analyze(service_contract(), our_companies=OURS)
    assert a.doc_type == "contract"
    v = {k: f.value for k, f in a.fields.items()}
    assert v == {
        "title": "技术服务合同", "contract_no": "HT-2024-0312", "party_a": "客户档案管理有限公司",
        "party_b": "上海明远贸易有限公司", "amount": "1234567.50", "signed_on": "2024-03-05",
        "start_on": "2024-03-05", "end_on": "2025-03-04", "signatory_a": "王建国",
        "signatory_b": "陈明远",
    }
    assert a.title == "技术服务合同"
    assert a.issue_date == "2024-03-05"
    assert needs_review_reasons(a) == []


def test_customer_is_the_party_that_is_not_ours_folded_across_scripts_and_width():
    a = analyze(service_contract(a="上海明远贸易有限公司", b="客戶檔案管理有限公司"), our_companies=OURS)
    assert a.customer.name == "上海明远贸易有限公司"
    assert a.customer.customer_type == "enterprise"
    a = analyze(service_contract(b="档案科技（北京）有限公司", a="张三"), our_companies=OURS)
    assert a.customer.name == "张三" and a.customer.customer_type == "individual"


def test_unknown_customer_when_neither_party_is_ours():
    a = analyze(service_contract(a="甲公司有限公司", b="乙公司有限公司"), our_companies=OURS)
    assert a.customer.name is None
    assert any("our companies" in r for r in needs_review_reasons(a))


def test_daxie_disagreeing_with_figure_is_a_document_problem():
    a = analyze(service_contract(
        amount_line="合同金额：人民币¥1,234,567.50元（大写：壹佰贰拾叁万肆仟伍佰陆拾捌元伍角）"),
        our_companies=OURS)
    assert a.fields["amount"].value == "1234567.50"
    assert a.fields["amount"].problems
    assert any("大写" in p for p in a.problems)
    assert any("大写" in r for r in needs_review_reasons(a))


def test_amount_in_wan_and_daxie_on_its_own_line():
    e = service_contract(amount_line="合同总价：人民币123.4567万元")
    lines = list(e.pages[0].lines)
    # 大写 printed on the line after the figure
    from tests.forms.builders import line
    lines.append(line("大写：壹佰贰拾叁万肆仟伍佰陆拾柒元整", 60, 60 + 11.5 * 48))
    e2 = extraction(lines)
    a = analyze(e2, our_companies=OURS)
    assert a.fields["amount"].value == "1234567.00"
    assert not a.fields["amount"].problems


def test_amount_only_in_daxie():
    a = analyze(service_contract(amount_line="合同金额：人民币伍拾万元整"), our_companies=OURS)
    assert a.fields["amount"].value == "500000.00"


def test_every_date_form_and_period_form():
    for signed, want in (("签订日期：2024.03.05", "2024-03-05"), ("签约日期：2024-3-5", "2024-03-05"),
                         ("签订日期：2024年3月5日", "2024-03-05")):
        assert analyze(service_contract(signed=signed)).fields["signed_on"].value == want
    a = analyze(service_contract(period="有效期：2024年1月1日至2026年12月31日"))
    assert (a.fields["start_on"].value, a.fields["end_on"].value) == ("2024-01-01", "2026-12-31")


def test_period_that_ends_before_it_starts_is_a_problem():
    a = analyze(service_contract(period="合同期限：自2025年3月5日起至2024年3月4日止"))
    assert a.fields["end_on"].problems
    assert any("合同期限" in p for p in a.problems)


def test_traditional_contract():
    a = analyze(service_contract(convert=S2T.convert), our_companies=OURS)
    assert a.doc_type == "contract"
    assert a.fields["title"].value == "技術服務合同"
    assert a.fields["party_b"].value == "上海明遠貿易有限公司"
    assert a.fields["amount"].value == "1234567.50"
    assert a.fields["signed_on"].value == "2024-03-05"
    assert a.customer.name == "上海明遠貿易有限公司"


def test_buyer_seller_contract_with_signatures_one_after_the_other():
    e = extraction(rows(
        "购销合同",
        "合同号：GX20240088",
        "买方：杭州青禾食品有限公司",
        "卖方：宁波海丰包装材料厂",
        "总金额：¥86,400.00（大写：捌万陆仟肆佰元整）",
        "买卖双方经友好协商签订本合同，违约方承担违约责任。",
        "买方（盖章）：杭州青禾食品有限公司",
        "法定代表人：李青禾",
        "卖方（盖章）：宁波海丰包装材料厂",
        "法定代表人：周海丰",
        "签约日期：2023年11月20日",
    ))
    a = analyze(e, our_companies=("宁波海丰包装材料厂",))
    v = {k: f.value for k, f in a.fields.items()}
    assert v["party_a"] == "杭州青禾食品有限公司" and v["party_b"] == "宁波海丰包装材料厂"
    assert v["contract_no"] == "GX20240088" and v["amount"] == "86400.00"
    assert v["signatory_a"] == "李青禾" and v["signatory_b"] == "周海丰"
    assert v["signed_on"] == "2023-11-20"
    assert a.customer.name == "杭州青禾食品有限公司"


def test_docx_table_cells_beside_each_other():
    # DOCX tables arrive as one Line per cell, side by side
    e = extraction(rows(
        "软件开发协议",
        ["协议编号", "RJ-2022-17"],
        ["甲方", "深圳前海云帆科技有限公司", "乙方", "刘晓梅"],
        ["合同金额", "¥30,000.00", "大写", "叁万元整"],
        ["有效期", "2022年7月1日至2023年6月30日"],
        "双方同意按本协议约定履行，任何一方违约应承担违约责任。",
        ["甲方（盖章）", "乙方（签字）"],
        ["授权代表：赵云帆", "乙方代表：刘晓梅"],
        ["签订日期", "2022年6月28日"],
    ), source="docx")
    a = analyze(e, our_companies=("深圳前海云帆科技有限公司",))
    v = {k: f.value for k, f in a.fields.items()}
    assert v["title"] == "软件开发协议"
    assert v["party_a"] == "深圳前海云帆科技有限公司" and v["party_b"] == "刘晓梅"
    assert v["amount"] == "30000.00" and not a.fields["amount"].problems
    assert (v["start_on"], v["end_on"]) == ("2022-07-01", "2023-06-30")
    assert v["signatory_a"] == "赵云帆"
    assert a.customer.customer_type == "individual" and a.customer.name == "刘晓梅"


def test_clause_lines_starting_with_party_are_not_parties():
    e = extraction(rows("委托合同", "甲方应于本合同生效后支付费用。", "甲方：北京某某有限公司",
                        "乙方：上海某某有限公司"))
    a = analyze(e)
    assert a.fields["party_a"].value == "北京某某有限公司"


def test_label_after_a_clause_number_with_the_space_lost():
    a = analyze(service_contract(amount_line="第二条合同金额:¥3,324,682.00(大写：叁佰叁拾贰万肆仟陆佰捌拾贰元整)",
                                 period="第三条有效期:2024年01月31日至2024年07月29日"))
    assert a.fields["amount"].value == "3324682.00" and not a.fields["amount"].problems
    assert (a.fields["start_on"].value, a.fields["end_on"].value) == ("2024-01-31", "2024-07-29")


def test_two_signatories_on_one_line_go_to_their_own_party():
    # a text layer may join the two columns of a signature block into one line
    e = extraction(rows("服务合同", "甲方：北京甲有限公司", "乙方：上海乙有限公司",
                        "甲方（盖章）：北京甲有限公司        乙方（盖章）：上海乙有限公司",
                        "授权代表（签字）：王一        授权代表（签字）：李二"))
    a = analyze(e)
    assert a.fields["signatory_a"].value == "王一" and a.fields["signatory_b"].value == "李二"


def test_role_in_brackets_before_the_name():
    # corpus: Beijing technology-development template, 委托人： then （甲方） 山东省商业部
    e = extraction(rows("技术开发合同", "委托人：", "（甲方） 山东省商业部", "研究开发人",
                        "（乙方） 北京摸鱼科技有限公司", "签订日期： 2020 年 2 月 29 日",
                        "有效期限： 2020 年 3 月 1 日至年 10 月 1 日"))
    a = analyze(e)
    v = {k: f.value for k, f in a.fields.items()}
    assert v["party_a"] == "山东省商业部" and v["party_b"] == "北京摸鱼科技有限公司"
    assert v["signed_on"] == "2020-02-29" and v["start_on"] == "2020-03-01"
    assert "end_on" not in v  # the end's year was left blank on the form


def test_contract_label_variants():
    e = extraction(rows("设备买卖合同", "编号：SB-2021-009", "卖方：宁波海丰包装材料厂", "买方：杭州青禾食品有限公司",
                        "合同价款：人民币贰万元整", "签署日期：2021/05/06", "服务期限：2021.05.06-2022.05.05"))
    v = {k: f.value for k, f in analyze(e).fields.items()}
    assert v["contract_no"] == "SB-2021-009"
    assert v["party_a"] == "杭州青禾食品有限公司" and v["party_b"] == "宁波海丰包装材料厂"
    assert v["amount"] == "20000.00" and v["signed_on"] == "2021-05-06"
    assert (v["start_on"], v["end_on"]) == ("2021-05-06", "2022-05-05")


def _signature_page(sig_rows, convert=lambda s: s):
    """A contract whose parties are named on page 1 with 法定代表人 under each, and whose
    signature block stands on page 2 as OCR read it (`sig_rows`)."""
    c = convert
    page1 = rows(
        [(600, c("技术服务合同"))],
        c("合同编号：HT-2020-684"),
        c("甲方（委托方）：广州嘉禾教育科技有限公司"),
        c("法定代表人：谢芳"),
        c("乙方（受托方）：档案科技（北京）有限公司"),
        c("法定代表人：许玉刚"),
        c("合同金额：¥30,000.00（大写：叁万元整）"),
    )
    page2 = rows(c("第六条 本合同一式两份，甲乙双方各执一份。"), *sig_rows(c))
    return extraction(page1, page2, script="zh-Hant" if c("签订") != "签订" else "zh-Hans")


def test_two_column_signature_block_read_as_one_line():
    # OCR joined the two party labels of the signature block into one line
    for conv in (lambda s: s, S2T.convert):
        e = _signature_page(lambda c: [
            c("甲方（盖章）：广州嘉禾教育科技有限公司乙方（盖章）：档案科技（北京）有限公司"),
            [c("授权代表（签字）：谢芳"), (1100, c("授权代表（签字）：许玉刚"))],
        ], conv)
        v = {k: f.value for k, f in analyze(e).fields.items()}
        assert v["signatory_a"] == conv("谢芳") and v["signatory_b"] == conv("许玉刚")


def test_signatory_under_an_unread_party_label_does_not_displace_a_sure_one():
    # the 乙方（盖章） line was not read at all: the right-hand signatory has no party label
    # in its column, so it must not be given to 甲方 over the one found under 甲方
    for conv in (lambda s: s, S2T.convert):
        e = _signature_page(lambda c: [
            c("甲方（盖章）：广州嘉禾教育科技有限公司"),
            [c("授权代表（签字）：谢芳"), (1100, c("授权代表（签字许玉刚"))],
        ], conv)
        v = {k: f.value for k, f in analyze(e).fields.items()}
        assert v["signatory_a"] == conv("谢芳") and v["signatory_b"] == conv("许玉刚")


def test_label_with_its_colon_joined_to_the_text_before_it():
    from forms.contract import LABELS
    from forms.layout import page_lines
    e = extraction(rows("甲方（盖章）：某某有限公司乙方（盖章）：另一有限公司", "本合同由甲方乙方共同遵守"))
    tls = page_lines(e.pages[0])
    assert [h.key for h in LABELS.hits(tls[0])] == ["party_a", "party_b"]
    assert [h.key for h in LABELS.hits(tls[1])] == []  # no colon: words of a clause


def _vertical_role_signature_page(convert=lambda s: s):
    """The Beijing technology-contract template: the role (委托人（甲方）) printed down the
    margin one character a line, so no 甲方/乙方 label is read on the signature page."""
    c = convert
    page1 = rows(
        [(600, c("技术开发合同"))],
        [c("（甲方）"), c("山东省商业部")],
        [c("（乙方）"), c("北京摸鱼科技有限公司")],
        c("签订日期：2020年2月29日"),
    )
    page2 = rows(
        c("七、验收标准和方式"),
        [c("收，由"), c("甲方"), c("出具技术项目验收证明。")],  # 甲方 between gaps in a clause
    )
    page3 = rows(
        [(60, c("委")), c("名称（或姓名）"), c("闫波"), c("（签章）")],
        [(60, c("托")), c("法定代表人"), c("闫波"), c("（签章）")],
        [(60, c("人")), c("委托代理人"), c("闫波"), c("（签章）")],
        [(60, c("研")), c("名称（或姓名）"), c("袁展译"), c("（签章）")],
        [(60, c("究")), c("法定代表人"), c("袁展译"), c("（签章）")],
        [(60, c("开")), c("委托代理人"), c("袁展译"), c("（签章）")],
    )
    return extraction(page1, page2, page3, script="zh-Hant" if c("签订") != "签订" else "zh-Hans")


def test_signature_blocks_without_party_labels_go_by_order_and_are_flagged():
    for conv in (lambda s: s, S2T.convert):
        a = analyze(_vertical_role_signature_page(conv))
        sa, sb = a.fields["signatory_a"], a.fields["signatory_b"]
        assert (sa.value, sb.value) == (conv("闫波"), conv("袁展译"))
        assert sa.problems and sb.problems and sa.confidence < 0.85
        assert any("(signatory_a)" in r for r in needs_review_reasons(a))


def test_clause_words_between_gaps_are_no_party_anchor():
    from forms.contract import _party_anchors
    from forms.layout import page_lines
    e = extraction(rows("收，由 甲方 出具技术项目验收证明。", "甲方（盖章）：", "乙方：北京摸鱼科技有限公司"))
    tls = page_lines(e.pages[0])
    assert [[h.key for h in _party_anchors(t)] for t in tls] == [[], ["party_a"], ["party_b"]]


def test_amount_from_a_lone_daxie_line_is_flagged():
    for conv in (lambda s: s, S2T.convert):
        c = conv
        e = extraction(rows(
            [(600, c("技术开发合同"))],
            [c("（甲方）"), c("山东省商业部")],
            [c("（乙方）"), c("北京摸鱼科技有限公司")],
            c("本项目研究开发经费和报酬（大写）   贰佰伍拾     万元，其中"),
        ), script="zh-Hant" if c("签订") != "签订" else "zh-Hans")
        f = analyze(e).fields["amount"]
        assert f.value == "2500000.00" and f.problems and f.confidence < 0.85
