"""Which kind a document is, in both scripts and through OCR errors."""
import opencc
import pytest

from forms import analyze, needs_review_reasons
from forms.classify import classify
from tests.forms.builders import text_extraction

S2T = opencc.OpenCC("s2t")

LICENCE = """营业执照
统一社会信用代码 91420111MADANHD04J
名称 湖北省迅航科技有限公司 注册资本 壹佰万元整
类型 有限责任公司 成立日期 2024年01月12日
法定代表人 余卓航 营业期限 2024年01月12日至长期
经营范围 技术服务 住所 湖北省武汉市洪山区
登记机关 2024年01月12日"""

CONTRACT = """技术服务合同
合同编号：HT-2024-0312
甲方：客户档案管理有限公司
乙方：上海明远贸易有限公司
第一条 甲方委托乙方提供服务，双方协商一致。
第二条 合同金额：人民币壹拾万元整
第三条 违约责任：违约方赔偿对方损失。
甲方（盖章） 乙方（盖章）"""

FORM = """客户信息收集表
客户名称 北京星河文化传媒有限公司
客户类型 □个人 ☑企业
联系人 李娜 联系电话 13812345678
需求描述 档案数字化
收集人 王小明 收集日期 2024年3月5日"""

OTHER = """关于召开年度工作会议的通知
各部门：
定于下周一上午九点在三楼会议室召开年度工作会议，请准时参加。
办公室"""


@pytest.mark.parametrize("text, kind", [(LICENCE, "business_license"), (CONTRACT, "contract"),
                                        (FORM, "collection_form"), (OTHER, "other")])
@pytest.mark.parametrize("script", ["zh-Hans", "zh-Hant"])
def test_each_kind_in_both_scripts(text, kind, script):
    if script == "zh-Hant":
        text = S2T.convert(text)
    got, conf = classify(text)
    assert got == kind
    assert 0 < conf <= 1


def test_ocr_errors_and_lost_title_do_not_change_the_kind():
    # title lost under a seal, a few characters misread
    noisy = LICENCE.replace("营业执照", "").replace("统一社会信用代码", "统一社会信用代吗").replace("登记机关", "登记机美")
    assert classify(noisy)[0] == "business_license"
    noisy_contract = CONTRACT.replace("技术服务合同", "技木服务合冋").replace("违约", "违釣")
    assert classify(noisy_contract)[0] == "contract"
    noisy_form = FORM.replace("客户信息收集表", "客户信息收集").replace("收集人", "收集入")
    assert classify(noisy_form)[0] == "collection_form"


def test_a_contract_that_mentions_a_licence_is_still_a_contract():
    text = CONTRACT + "\n乙方应提供营业执照复印件及统一社会信用代码。\n甲方 乙方 甲方 乙方"
    assert classify(text)[0] == "contract"


def test_other_documents_are_analysed_and_sent_to_a_person():
    a = analyze(text_extraction(OTHER))
    assert a.doc_type == "other" and a.fields == {}
    assert a.title == "关于召开年度工作会议的通知"
    assert any("not recognised" in r for r in needs_review_reasons(a))


def test_empty_extraction_is_other():
    a = analyze(text_extraction(""))
    assert a.doc_type == "other" and a.title is None


def test_application_form_that_asks_for_a_licence_is_not_a_licence():
    # what OCR read off a real fund-account application (corpus: XFUND zh train 0)
    text = """汇丰晋信
2020.6.15
开放式基金账户业务申请表一机构
受理时间：
特别提示：
基金账号：
1.请在填表前仔细阅读有关基金的《基金合同》、最新《招募说明书》及《开
★申请机构名称：
秦皇岛旭森企业管理有限公司
★证件类型：营业执照
★证件号码：
91130301MA0FFMWL8N
★邮寄地址：
河北省省秦皇岛市市经济技术开发区永定河道9号
★经办人姓名：
*职务：法定代表人
★法定代表人（非法人机构为负责人）姓名：李丛林
★控股股东或实际控制人名称：
★注册资本："""
    assert classify(text)[0] == "other"
