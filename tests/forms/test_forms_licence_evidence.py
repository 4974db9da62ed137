"""营业执照: the authority under and inside the seal, what the USCC's division code says,
and the dates and periods in every printed form."""
from dataclasses import replace

import pytest

from forms import analyze
from forms.divisions import agrees, authority_in_form, code_division, proposed_authority
from forms.normalize import find_dates
from ocr.extraction import Box, Extraction, Line, Seal
from tests.forms.builders import extraction, line, rows

WUHAN = "91420111MADANHD04J"  # 420111: 湖北省武汉市洪山区
R = 800


def licence(*, uscc=WUHAN, authority="", issued="2024年01月12日", term="2024年01月12日至长期",
            address="湖北省武汉市洪山区南李路28号", established="2024年01月12日", seals=(), tail=None):
    lines = rows(
        [(700, "营业执照")],
        ["统一社会信用代码"],
        [uscc],
        ["名        称", "湖北省迅航科技有限公司", (R, "注册资本"), "壹佰万元整"],
        ["类        型", "有限责任公司（自然人独资）", (R, "成立日期"), established],
        ["法定代表人", "余卓航", (R, "营业期限"), term],
        ["经营范围", "技术服务、技术开发。", (R, "住所"), address],
        [(R, "登记机关"), authority],
        *([[(R + 40, issued)]] if issued else []),
    )
    ex = extraction(lines + list(tail or []))
    page = replace(ex.pages[0], seals=tuple(seals))
    return analyze(Extraction(ex.media_type, ex.script, (page,)))


def seal(text, conf=0.99):
    return Seal(Box(900, 500, 1200, 800), text, conf)


# ------------------------------------------------------------------ under and inside the seal
def test_authority_printed_under_the_seal_wins_and_the_ring_confirms_it():
    a = licence(authority="武汉市洪山区行政审批局", seals=[seal("武汉市洪山区行政审批局")])
    fv = a.fields["registration_authority"]
    assert fv.value == "武汉市洪山区行政审批局" and not fv.problems


def test_authority_printed_and_ring_disagree_is_flagged_with_the_print_kept():
    a = licence(authority="武汉市洪山区行政审批局", seals=[seal("武汉市江岸区行政审批局")])
    fv = a.fields["registration_authority"]
    assert fv.value == "武汉市洪山区行政审批局"
    assert any("ring reads '武汉市江岸区行政审批局'" in p for p in fv.problems)


def test_authority_read_only_from_the_ring_stands_when_the_code_confirms_every_character():
    a = licence(seals=[seal("武汉市洪山区市场监督管理局")])
    fv = a.fields["registration_authority"]
    assert fv.value == "武汉市洪山区市场监督管理局" and not fv.problems
    assert fv.box == Box(900, 500, 1200, 800)  # the evidence is the seal


@pytest.mark.parametrize("ring", ["武汉市洪山区市场监籍管理局", "武汉市洪山市场监督管理局局"])
def test_a_ring_reading_the_code_cannot_confirm_is_flagged(ring):
    fv = licence(seals=[seal(ring)]).fields["registration_authority"]
    assert fv.value == ring and fv.problems and fv.confidence < 0.85


def test_a_ring_a_character_off_the_codes_authority_is_flagged_with_that_name_proposed():
    fv = licence(seals=[seal("武汉市洪山区市场监籍管理局")]).fields["registration_authority"]
    assert fv.value == "武汉市洪山区市场监籍管理局"  # what was read stays the value
    assert fv.suggestion == "武汉市洪山区市场监督管理局" and fv.confidence <= 0.4


def test_ring_of_another_place_is_flagged_against_the_division_code():
    fv = licence(seals=[seal("广州市花都区市场监督管理局")]).fields["registration_authority"]
    assert any("420111" in p for p in fv.problems)


def test_seal_purpose_and_number_after_the_name_are_not_the_authority():
    fv = licence(seals=[seal("武汉市洪山区市场监督管理局登记专用章")]).fields["registration_authority"]
    assert fv.value == "武汉市洪山区市场监督管理局"


def test_a_company_seal_is_not_an_authority():
    a = licence(seals=[seal("湖北省迅航科技有限公司合同专用章")])
    assert a.fields["registration_authority"].suggestion is not None  # proposed, not taken from it


# ------------------------------------------------------------------ the division code
def test_division_table_reads_codes_of_every_level():
    d = code_division(WUHAN)
    assert (d.province, d.city, d.county) == ("湖北省", "武汉市", "洪山区")
    beijing = code_division("91110108551385082Q")
    assert (beijing.province, beijing.city, beijing.county) == ("北京市", "北京市", "海淀区")
    assert code_division("420111000123456").code == "420111"  # an old 15-digit 注册号
    assert code_division("91999999MA0000000X") is None  # unknown: never "wrong"


def test_authority_and_address_agree_or_disagree_with_the_division():
    d = code_division(WUHAN)
    assert agrees("武汉市洪山区行政审批局", d) is True
    assert agrees("湖北省武汉市东湖新技术开发区高新大道1号", d) is True
    assert agrees("广东省广州市花都区新华路1号", d) is False
    assert agrees("市场监督管理局", d) is None
    assert authority_in_form("洪山区市场监督管理局", d) and not authority_in_form("洪山区市场监督局", d)
    assert proposed_authority(d) == "武汉市洪山区市场监督管理局"


def test_no_authority_read_is_proposed_from_the_code_and_flagged_with_the_codes_box():
    a = licence()
    fv = a.fields["registration_authority"]
    assert fv.value == fv.suggestion == "武汉市洪山区市场监督管理局"
    assert fv.problems and "proposed" in fv.problems[0] and fv.box == a.fields["uscc"].box


def test_printed_authority_of_another_city_is_flagged():
    fv = licence(authority="广州市花都区市场监督管理局").fields["registration_authority"]
    assert fv.value == "广州市花都区市场监督管理局" and fv.problems


def test_address_in_another_province_than_the_code_is_flagged():
    a = licence(address="广东省广州市花都区新华路1号")
    assert a.fields["address"].problems
    assert not licence().fields["address"].problems


def test_an_invalid_code_proposes_nothing():
    a = licence(uscc="91420111MADANHD04K")
    assert "registration_authority" not in a.fields


# ------------------------------------------------------------------ dates and periods
@pytest.mark.parametrize("term, end", [
    ("2015年10月23日至2035年10月23日", "2035-10-23"),
    ("2015年10月23日至 长期", "long_term"),
    ("2015年10月23日至永久", "long_term"),
    ("自2015年10月23日起长期", "long_term"),
    ("自2015年10月23日起至2035年10月22日止", "2035-10-22"),
    ("2015-10-23至2035-10-22", "2035-10-22"),
    ("2015年10月23日至二〇三五年十月二十二日", "2035-10-22"),
])
def test_term_in_every_printed_form(term, end):
    a = licence(term=term, established="2015年10月23日")
    assert a.fields["term_end"].value == end and not a.fields["term_end"].problems


def test_term_split_over_two_lines_is_read_whole():
    lines = rows(["营业期限", "2015年10月23日至"], [(60 + 24 * 6 + 60, "2035年10月22日")],
                 ["名称", "湖北省迅航科技有限公司"], ["经营范围", "技术服务"], ["登记机关", "武汉市洪山区市场监督管理局"],
                 ["成立日期", "2015年10月23日"], ["注册资本", "壹佰万元"])
    a = analyze(extraction(rows("营业执照") + [replace(ln, box=Box(ln.box.x0, ln.box.y0 + 60, ln.box.x1, ln.box.y1 + 60))
                                              for ln in lines]))
    assert a.fields["term_end"].value == "2035-10-22"


def test_term_with_its_end_under_the_seal_is_flagged_not_dropped():
    fv = licence(term="2015年10月23日至", established="2015年10月23日").fields["term_end"]
    assert fv.problems and "only its start" in fv.problems[0]


def test_term_start_that_is_not_the_establishment_date_flags_one_misreading():
    a = licence(term="2015年10月28日至长期", established="2015年10月23日")
    assert a.fields["established_on"].problems


@pytest.mark.parametrize("printed, iso", [("二〇二四年十二月二十三日", "2024-12-23"), ("2024年12月23日", "2024-12-23"),
                                          ("二0二四年十二月二十三日", "2024-12-23"), ("二O二四年十二月二十三日", "2024-12-23"),
                                          ("2024 年 12 月 23 日", "2024-12-23")])
def test_issue_date_in_chinese_numerals_or_figures(printed, iso):
    a = licence(issued=printed, established="2024年01月12日")
    assert a.fields["issued_on"].value == iso and not a.fields["issued_on"].problems


def test_issue_date_whose_first_digit_the_seal_took_is_flagged():
    fv = licence(issued="〇二四年十二月二十三日").fields["issued_on"]
    assert fv.problems and "lost its first digit" in fv.problems[0]


def test_issue_date_filled_in_under_a_printed_year_month_day_is_stitched_back():
    # 年 月 日 printed on the form, the figures filled in a little lower: four boxes
    y = 60 + 48 * 7 + 60
    tail = [line("年     月     日", R + 60, y), Line("2019", Box(R, y + 14, R + 50, y + 40), 0.99),
            Line("01", Box(R + 112, y + 16, R + 140, y + 42), 0.99),
            Line("01", Box(R + 214, y + 18, R + 242, y + 44), 0.99)]
    a = licence(issued="", tail=tail, established="2019年01月01日", term="2019年01月01日至长期")
    assert a.fields["issued_on"].value == "2019-01-01"
    assert find_dates("2019年01月01日")[0][2] == "2019-01-01"


def test_proposal_names_the_authority_as_it_was_called_when_the_licence_was_issued():
    assert licence(issued="2016年05月06日", established="2016年05月06日",
                   term="2016年05月06日至长期").fields["registration_authority"].value == "武汉市洪山区工商行政管理局"
    assert licence().fields["registration_authority"].value == "武汉市洪山区市场监督管理局"


def test_a_date_under_the_seal_with_no_label_read_is_still_found_beside_the_ring():
    lines = rows(["营业执照"], ["统一社会信用代码"], [WUHAN], ["名        称", "湖北省迅航科技有限公司"],
                 ["成立日期", "2024年01月12日"], ["经营范围", "技术服务。"], [(R, "二〇二四年十二月二十三日")])
    ex = extraction(lines)
    page = replace(ex.pages[0], seals=(Seal(Box(R - 60, 60 + 48 * 5, R + 300, 60 + 48 * 8), "武汉市洪山区市场监督管理局", 0.99),))
    a = analyze(Extraction(ex.media_type, ex.script, (page,)))
    assert a.fields["issued_on"].value == "2024-12-23"
    assert a.fields["registration_authority"].value == "武汉市洪山区市场监督管理局"


def test_a_traditional_licence_gets_its_proposal_in_its_own_script():
    lines = rows(["營業執照"], ["統一社會信用代碼"], [WUHAN], ["名        稱", "湖北省迅航科技有限公司"],
                 ["成立日期", "2024年01月12日"], ["經營範圍", "技術服務。"], ["登記機關"])
    a = analyze(extraction(lines, script="zh-Hant"))
    fv = a.fields["registration_authority"]
    assert fv.value == fv.suggestion == "武漢市洪山區市場監督管理局" and fv.problems


def test_an_issue_date_not_read_under_the_authority_is_reported_for_the_reviewer():
    a = licence(issued="")
    assert "issued_on" not in a.fields
    assert any("登记日期 not read" in p for p in a.problems)
    assert not any("登记日期 not read" in p for p in licence().problems)
