"""The detector finds secrets by what they are, in any document's text (archive_store.redaction)."""
from __future__ import annotations

import pytest

from archive_store import redaction

FOUND = [
    ("身份证号：11010519491231002X", "id_number"),
    ("复印件 110105 19491231 002X 一份", "id_number"),
    ("证件号 1101-0519-4912-3100-2x", "id_number"),
    ("甲方身份证 １１０１０５１９４９１２３１００２Ｘ", "id_number"),  # full-width
    ("手机 13800138000", "phone"),
    ("电话：+86 138-0013-8000", "phone"),
    ("联系电话 (010) 8888 6666", "phone"),
    ("传真 0571-88886666转123", "phone"),
    ("電話：8888-6666", "phone"),  # no area code, after a label (Traditional)
    ("邮箱 lina@huadong.example", "email"),
    ("郵箱：ｌｉｎａ＠ｈｕａｄｏｎｇ．ｅｘａｍｐｌｅ", "email"),
    ("开户行 工商银行 账号：1001 2345 6789 0123 456", "bank_account"),  # labelled, not Luhn
    ("帳號 6222021234567890128", "bank_account"),
    ("另附银行卡 6222021234567890128", "bank_account"),  # Luhn-valid card number
]
NOT_FOUND = [
    "合同编号 HD-2024-0315",
    "金额 ¥1,234,567.50",
    "签订日期 2024-03-15，2024年3月15日",
    "统一社会信用代码 91310000MA1FL8TK4X",
    "订单号 20240315123456789012",          # 20 digits, no label, no check digit
    "11010519491231002Y",                    # wrong check digit
    "11010519491231003X",
    "第12345678号文件",                       # 8 digits, no phone label, no area code
    "邮编 200001",
]


@pytest.mark.parametrize("text,kind", FOUND)
def test_each_kind_of_secret_is_found_wherever_it_is_printed(text, kind):
    found = redaction.find(text)
    assert [f.kind for f in found] == [kind], found
    assert not any(ch.isdigit() for ch in redaction.mask(text, {redaction.KIND_GROUP[kind]}).split("■■■")[-1][:3])


@pytest.mark.parametrize("text", NOT_FOUND)
def test_ordinary_numbers_are_not_taken_for_secrets(text):
    assert redaction.find(text) == []


def test_masking_keeps_what_the_reader_may_see():
    text = "身份证 11010519491231002X 电话 13800138000"
    assert redaction.mask(text, {"core"}) == "身份证 ■■■ 电话 13800138000"
    assert redaction.mask(text, {"communication"}) == "身份证 11010519491231002X 电话 ■■■"
    assert redaction.mask(text, {"basic"}) == text


def test_boxes_come_from_the_words_that_print_the_secret():
    from ocr.extraction import Box, Line, Page, Word

    line = Line("身份证号：11010519491231002X", Box(0, 0, 500, 30), 0.9,
                (Word("身份证号：", Box(0, 0, 120, 30), 0.9), Word("11010519491231002X", Box(130, 0, 500, 30), 0.9)))
    bare = Line("配偶 13800138000", Box(0, 40, 300, 70), 0.9)  # no words: the whole line
    boxes = redaction.secret_boxes([Page(1, "ocr", "rapidocr", "zh-Hans", 600, 800, (line, bare), 0.9)])
    assert boxes == [{"page": 1, "group": "core", "box": [130, 0, 500, 30]},
                     {"page": 1, "group": "communication", "box": [0, 40, 300, 70]}]
