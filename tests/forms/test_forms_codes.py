"""USCC (GB 32100) and ID number (GB 11643) checks, and OCR-confusion proposals."""
import pytest
from stdnum.cn import ric, uscc

from forms.codes import check_id_number, check_uscc, compact_code

GOOD_USCC = "91420111MADANHD04J"  # a real one (corpus), check digit valid
GOOD_ID = "370782198709170246"


def make_uscc(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


def make_id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_valid_codes_pass():
    assert check_uscc(GOOD_USCC).valid
    assert check_uscc("9142 0111 MADA NHD0 4J").valid
    assert check_uscc("９１４２０１１１ＭＡＤＡＮＨＤ０４Ｊ").valid
    assert check_id_number(GOOD_ID).valid
    assert check_id_number(make_id("11010519491231002")).valid


def test_id_number_with_x_check_digit():
    body = next(b for b in (f"11010519900101{i:03d}" for i in range(1000))
                if ric.calc_check_digit(b + "0") == "X")
    assert check_id_number(body + "X").valid
    assert check_id_number(body + "x").valid


@pytest.mark.parametrize("misread, position", [
    ("9142O111MADANHD04J", "O for 0 in the region code"),
    ("91420111MADANHDO4J", "O for 0 in the organisation code"),
    ("9I420111MADANHD04J", "I for 1"),
    ("914Z0111MADANHD04J", "Z for 2"),
])
def test_uscc_misread_gets_the_one_correction_that_validates(misread, position):
    result = check_uscc(misread)
    assert not result.valid
    assert result.suggestion == GOOD_USCC, position
    assert result.problem


@pytest.mark.parametrize("misread", [
    "37O782198709170246",  # O for 0
    "3707821987O9170246",
    "37078219870917O246",
    "370782l98709170246",  # l for 1
    "370782I98709170246",  # I for 1
    "37078219870917024B".replace("B", "6"),
])
def test_id_misread_gets_the_correction_that_validates(misread):
    result = check_id_number(misread)
    if misread == GOOD_ID:
        assert result.valid
        return
    assert not result.valid
    assert result.suggestion == GOOD_ID


def test_id_confusions_s_and_b_and_z():
    good = make_id("44030519850523581")
    assert check_id_number(good.replace("5", "S", 1)).suggestion == good
    assert check_id_number(good.replace("8", "B", 1)).suggestion == good
    assert check_id_number(good.replace("2", "Z", 1)).suggestion == good


def test_wrong_check_digit_with_no_lookalike_fix_is_flagged_without_proposal():
    result = check_id_number("430512198908131367")  # corpus specimen: printed 7, expected 9
    assert not result.valid and "check digit" in result.problem
    assert result.suggestion is None


def test_wrong_length_is_flagged():
    result = check_uscc("10440119MA06M8503")  # corpus mock licence: 17 characters
    assert not result.valid and "17 characters" in result.problem


def test_birth_date_that_does_not_exist_is_flagged():
    code = make_id("11010519900230001")
    assert "birth date" in check_id_number(code).problem


def test_compact_code_strips_separators_and_width():
    assert compact_code(" 9142-0111 ｍａｄａ ") == "91420111MADA"


# ---------------------------------------------------------------- a code printed twice
def _licence_with(*extra_rows, code_read):
    from tests.forms.builders import extraction, rows
    return extraction(rows("营业执照", ["统一社会信用代码", code_read], ["名称", "湖北省迅航科技有限公司"],
                           *extra_rows))


def test_o_for_zero_is_flagged_as_a_forced_correction():
    from forms import analyze
    read = GOOD_USCC.replace("0", "O")  # 91420111MADANHDO4J: O is never in a USCC
    f = analyze(_licence_with(code_read=read)).fields["uscc"]
    assert f.value == read and f.suggestion == GOOD_USCC
    assert any("only characters such a code never holds" in p for p in f.problems)


def test_failed_code_confirmed_by_a_second_print_on_the_page():
    from forms import analyze, needs_review_reasons
    read = GOOD_USCC.replace("0", "O")
    # the same code printed again (a copy line, a seal caption) and read right there
    a = analyze(_licence_with(["副本编号：" + GOOD_USCC + "-1"], code_read=read))
    f = a.fields["uscc"]
    assert f.value == GOOD_USCC and not f.problems and f.confidence >= 0.93
    assert not [r for r in needs_review_reasons(a) if "(uscc)" in r]
    # another code on the page is no confirmation: the field stays flagged
    other = make_uscc("91110108551385082")
    f = analyze(_licence_with(["股东：" + other], code_read=read)).fields["uscc"]
    assert f.value == read and f.problems


def test_id_number_confirmed_by_a_second_print_on_a_form():
    import opencc

    from forms import analyze
    from tests.forms.builders import extraction, rows
    s2t = opencc.OpenCC("s2t").convert
    read = GOOD_ID[:4] + "B" + GOOD_ID[5:]  # 8 read as B
    for c in (lambda s: s, s2t):
        e = extraction(rows(c("客户信息收集表"), [c("姓名"), c("王小明")], [c("身份证号"), read],
                            [c("备注"), c("身份证复印件：") + GOOD_ID]))
        f = analyze(e).fields["id_number"]
        assert f.value == GOOD_ID and not f.problems
        e = extraction(rows(c("客户信息收集表"), [c("姓名"), c("王小明")], [c("身份证号"), read]))
        f = analyze(e).fields["id_number"]
        assert f.value == read and f.suggestion == GOOD_ID and f.problems


# ---------------------------------------------------------------- a second look at the line
def test_failed_code_read_again_as_its_correction_becomes_the_value_still_flagged():
    from forms import analyze, needs_review_reasons
    read = GOOD_USCC.replace("0", "O")
    asked = []

    def look(page, box, alphabet):
        asked.append((page, alphabet))
        return "统一社会信用代码" + GOOD_USCC  # what the page says read with the code's alphabet

    a = analyze(_licence_with(code_read=read), second_look=look)
    f = a.fields["uscc"]
    assert asked == [(1, "0123456789ABCDEFGHJKLMNPQRTUWXY")]
    assert f.value == GOOD_USCC and f.suggestion is None
    # the reviewer still sees it, with the first reading
    assert f.problems and read in f.problems[0]
    assert [r for r in needs_review_reasons(a) if "(uscc)" in r]


def test_second_look_that_disagrees_or_is_not_needed_changes_nothing():
    from forms import analyze
    read = GOOD_USCC.replace("0", "O")
    f = analyze(_licence_with(code_read=read), second_look=lambda *_: "9142O111MADANHDO4J").fields["uscc"]
    assert f.value == read and f.suggestion == GOOD_USCC and f.problems
    f = analyze(_licence_with(code_read=read), second_look=lambda *_: "").fields["uscc"]
    assert f.value == read and f.problems

    def never(*_):
        raise AssertionError("a code that passes is not read again")

    f = analyze(_licence_with(code_read=GOOD_USCC), second_look=never).fields["uscc"]
    assert f.value == GOOD_USCC and not f.problems


def test_id_number_read_again_with_digits_and_x():
    from forms import analyze
    from tests.forms.builders import extraction, rows
    read = GOOD_ID[:4] + "B" + GOOD_ID[5:]
    alphabets = []

    def look(page, box, alphabet):
        alphabets.append(alphabet)
        return GOOD_ID

    e = extraction(rows("客户信息收集表", ["姓名", "王小明"], ["身份证号", read]))
    f = analyze(e, second_look=look).fields["id_number"]
    assert alphabets == ["0123456789X"] and f.value == GOOD_ID and f.problems
