"""Normalisers, table by table (FIELDS.md value forms)."""
import pytest

from forms.normalize import (LONG_TERM, NormaliseError, normalise_email, normalise_phone,
                             parse_date, parse_daxie, parse_figure, parse_money, parse_period,
                             parse_term_end)
from forms.text import clean_text, fold


@pytest.mark.parametrize("text, expected", [
    ("2024年3月5日", "2024-03-05"),
    ("2024年03月05日", "2024-03-05"),
    ("2024 年 3 月 5 日", "2024-03-05"),
    ("2024.03.05", "2024-03-05"),
    ("2024.3.5", "2024-03-05"),
    ("2024-3-5", "2024-03-05"),
    ("2024/03/05", "2024-03-05"),
    ("二〇二四年三月五日", "2024-03-05"),
    ("二〇二四年十二月三十一日", "2024-12-31"),
    ("二○一九年十月二十日", "2019-10-20"),
    ("２０２４年３月５日", "2024-03-05"),
    ("２０２４．０３．０５", "2024-03-05"),
    ("签订日期：2024年3月5日", "2024-03-05"),
    ("20240305", "2024-03-05"),
    ("2 0 25-0 5-0 5", "2025-05-05"),  # OCR spaced the digits out
    ("无日期", None),
])
def test_parse_date_reads_every_written_form(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024年2月30日", "2023-13-01", "二〇二三年二月二十九日"])
def test_parse_date_rejects_days_that_do_not_exist(text):
    with pytest.raises(NormaliseError):
        parse_date(text)


@pytest.mark.parametrize("text", ["〇二四年十二月二十三日", "○二四年三月五日", "024年3月5日"])
def test_a_year_that_lost_its_first_digit_is_reported_not_guessed(text):
    with pytest.raises(NormaliseError, match="lost its first digit"):
        parse_date(text)
    assert parse_date("二" + text if text[0] in "〇○" else "2" + text) is not None


@pytest.mark.parametrize("text, expected", [
    ("2019年01月01日至长期", LONG_TERM),
    ("2019年01月01日 至 长期", LONG_TERM),
    ("长期", LONG_TERM),
    ("永久", LONG_TERM),
    ("2015年6月1日至不约定期限", LONG_TERM),
    ("2019年01月01日至2039年12月31日", "2039-12-31"),
    ("自2019.1.1至2029.1.1", "2029-01-01"),
    ("2019年01月01日至二〇三九年一月一日", "2039-01-01"),
])
def test_term_end_is_the_end_of_the_term_or_long_term(text, expected):
    assert parse_term_end(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("自2024年3月5日起至2025年3月4日止", ("2024-03-05", "2025-03-04")),
    ("2024-03-05 至 2025-03-04", ("2024-03-05", "2025-03-04")),
    ("二〇二四年一月一日至二〇二四年十二月三十一日", ("2024-01-01", "2024-12-31")),
    ("自2024.1.1起", ("2024-01-01", None)),
])
def test_period_gives_start_and_end(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("壹佰贰拾叁万肆仟伍佰陆拾柒元伍角", "1234567.50"),
    ("壹佰贰拾叁万肆仟伍佰陆拾柒元伍角陆分", "1234567.56"),
    ("人民币壹佰万元整", "1000000.00"),
    ("贰佰万元", "2000000.00"),
    ("壹拾万元零伍分", "100000.05"),
    ("拾万元整", "100000.00"),
    ("壹亿贰仟万元整", "120000000.00"),
    ("伍仟元正", "5000.00"),
    ("壹佰萬元整", "1000000.00"),
    ("貳拾萬圓整", "200000.00"),
    ("叁万元", "30000.00"),
    # 參 / 参: 叁 as Traditional 大写 (and older Simplified print) writes it
    ("參佰萬元整", "3000000.00"),
    ("参拾参万元整", "330000.00"),
])
def test_daxie_amounts(text, expected):
    assert parse_daxie(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("¥1,234,567.50", "1234567.50"),
    ("￥1,234,567.5元", "1234567.50"),
    ("RMB 5000", "5000.00"),
    ("123.4567万元", "1234567.00"),
    ("100万元人民币", "1000000.00"),
    ("１２３，４５６．７８元", "123456.78"),
    ("3亿元", "300000000.00"),
    ("无", None),
])
def test_figures(text, expected):
    assert parse_figure(text) == expected


def test_money_reads_figure_and_daxie_together():
    assert parse_money("人民币 ¥1,234,567.50 元（大写：壹佰贰拾叁万肆仟伍佰陆拾柒元伍角整）") == (
        "1234567.50", "1234567.50")
    assert parse_money("人民幣50萬元（大寫：伍拾萬元整）") == ("500000.00", "500000.00")
    assert parse_money("¥10,000.00（壹万贰仟元整）") == ("10000.00", "12000.00")
    assert parse_money("註冊資本：參佰萬元整") == (None, "3000000.00")
    assert parse_money("参加会议") == (None, None)
    # a template's blank filled in, the unit after a gap
    assert parse_money("研究开发经费和报酬（大写） 贰佰伍拾   万元，其中") == (None, "2500000.00")
    assert parse_money("研究開發經費和報酬（大寫） 貳佰伍拾   萬元") == (None, "2500000.00")


@pytest.mark.parametrize("text, expected", [
    ("13812345678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("+86 13812345678", "13812345678"),
    ("0086-13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("010-12345678", "01012345678"),
    ("(0755)8888-9999", "075588889999"),
])
def test_phone_is_digits_only(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["1381234567", "23812345678", "138123456789", "138l2345678"])
def test_phone_that_is_no_phone_is_rejected(text):
    with pytest.raises(NormaliseError):
        normalise_phone(text)


@pytest.mark.parametrize("text, expected", [
    ("Zhang.San@Example.COM", "zhang.san@example.com"),
    ("ｌｉ＠ｑｑ．ｃｏｍ", "li@qq.com"),
    ("wang_wu @ 163.com", "wang_wu@163.com"),
    # OCR's forms of @ and the dot
    ("zhao©163.com", "zhao@163.com"),
    ("li﹫qq。com", "li@qq.com"),
    ("chen.jing@nanfang，cn", "chen.jing@nanfang.cn"),
    ("E-mail：Li@QQ.com", "li@qq.com"),
])
def test_email_is_lower_case(text, expected):
    assert normalise_email(text) == expected


@pytest.mark.parametrize("text", ["zhang.example.com", "a@b", "@qq.com"])
def test_bad_email_is_rejected(text):
    with pytest.raises(NormaliseError):
        normalise_email(text)


def test_email_gap_between_letters_is_reported():
    from forms.normalize import fold_email
    assert fold_email("ZHANG MA9@QQ.COM") == ("zhangma9@qq.com", True)
    assert fold_email("wang_wu @ 163 .com") == ("wang_wu@163.com", False)


def test_email_domain_one_letter_off_a_provider():
    from forms.normalize import email_domain_problem
    assert email_domain_problem("li@qq.corn")[1] == "qq.com"
    assert email_domain_problem("li@l63.com")[1] == "163.com"
    assert email_domain_problem("li@126.c0m")[1] == "126.com"
    assert email_domain_problem("li@foo.cm")[0] and email_domain_problem("li@foo.cm")[1] is None
    for ok in ("li@qq.com", "li@sina.cn", "li@nanfang.cn", "li@example.com", "li@xinghe.com.cn"):
        assert email_domain_problem(ok) == (None, None), ok


def test_fold_makes_scripts_widths_and_spaces_compare_equal():
    assert fold("統一社會信用代碼") == fold("统一社会信用代码")
    assert fold("名　　称") == "名称"
    assert fold("ＡＢＣ１２３") == "abc123"


def test_clean_text_removes_spaces_between_chinese_only():
    assert clean_text("湖北省 武汉市　洪山区") == "湖北省武汉市洪山区"
    assert clean_text("Room 101 南李路２８号") == "Room 101南李路28号"
    assert clean_text("有限责任公司（自然人独资）") == "有限责任公司(自然人独资)"
