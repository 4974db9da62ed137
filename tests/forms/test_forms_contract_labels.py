"""Real contracts' party labels, date labels and number labels (issue 26)."""
import pytest

from forms import analyze
from tests.forms.builders import text_extraction

SELLER, BUYER = "武汉博创物资有限公司", "湖北省迅航科技有限公司"


def fields(text: str) -> dict[str, str]:
    a = analyze(text_extraction(text + "\n任何一方违约，应承担违约责任。"))
    assert a.doc_type == "contract"
    return {k: v.value for k, v in a.fields.items()}


@pytest.mark.parametrize("label_a, label_b", [
    ("甲方（供方）", "乙方（需方）"), ("甲方(供方)", "乙方(需方)"), ("买方", "卖方"), ("需方", "供方"),
    ("委托方", "设计方"), ("委托人（甲方）", "研究开发人（乙方）"), ("买受人", "出卖人"), ("发包人", "承包人"),
    ("供方（甲方）", "需方（乙方）"),
])
def test_each_party_label_names_its_party(label_a, label_b):
    v = fields(f"购销合同\n{label_a}：{SELLER}\n{label_b}：{BUYER}")
    assert (v["party_a"], v["party_b"]) == (SELLER, BUYER)


def test_a_role_in_brackets_decides_the_party_whatever_the_role_word():
    v = fields(f"采购合同\n需方（乙方）：{BUYER}\n供方（甲方）：{SELLER}")
    assert (v["party_a"], v["party_b"]) == (SELLER, BUYER)


def test_a_note_in_brackets_after_the_partys_name_is_not_the_name():
    v = fields(f"建设工程设计合同\n委托方：{BUYER}\n设计方：武汉博创设计院有限公司（证书编号：1158003057200161）（以下称乙方）")
    assert v["party_b"] == "武汉博创设计院有限公司"


@pytest.mark.parametrize("label", ["签订日期", "签约日期", "签署日期", "签订时间", "签约时间", "签署时间"])
@pytest.mark.parametrize("printed", ["2024年3月5日", "2024-03-05", "二〇二四年三月五日", "2024 年 3 月 5 日"])
def test_each_signing_date_label_and_form(label, printed):
    v = fields(f"技术服务合同\n甲方：{BUYER}\n乙方：{SELLER}\n{label}：{printed}")
    assert v["signed_on"] == "2024-03-05"


@pytest.mark.parametrize("line", ["证书编号：1158003057200161）（以下称乙方", "资质证书编号：A142012345",
                                  "登记编号：2024-0012"])
def test_a_number_is_the_contract_number_only_when_its_label_says_so(line):
    v = fields(f"技术服务合同\n甲方：{BUYER}\n乙方：{SELLER}\n{line}")
    assert "contract_no" not in v


@pytest.mark.parametrize("label", ["合同编号", "合同号", "协议编号", "编号"])
def test_contract_number_labels(label):
    v = fields(f"技术服务合同\n{label}：HT-2024-018\n甲方：{BUYER}\n乙方：{SELLER}")
    assert v["contract_no"] == "HT-2024-018"
