"""A file holding a licence and another certificate: each page's kind, and the licence's
fields taken only from its own page."""
from __future__ import annotations

import random

import pytest

from forms import analyze
from forms.analysis import split_documents
from tests.docgen.documents import Document, PageLayout, render_pdf
from tests.docgen.licences import licence
from tests.forms.builders import extraction, rows

MEDICAL = rows("医疗机构执业许可证", ["机构名称", "武汉洪山康宁诊所"], ["登记号", "PDY00001242011117A1001"],
               ["法定代表人", "赵敏"], ["地址", "广东省广州市花都区新华路1号"], ["登记机关", "武汉市洪山区卫生健康局"],
               ["有效期限", "自2020年03月01日至2025年02月28日"], "二〇二〇年三月一日")
ID_CARD = rows("中华人民共和国", "居民身份证", ["签发机关", "武汉市公安局洪山分局"], ["有效期限", "2016.05.03-2036.05.03"])
LICENCE = rows("营业执照", "统一社会信用代码", "91420111MADANHD04J", ["名称", "湖北省迅航科技有限公司"],
               ["类型", "有限责任公司（自然人独资）"], ["法定代表人", "余卓航"], ["注册资本", "壹佰万元整"],
               ["成立日期", "2024年01月12日"], ["营业期限", "2024年01月12日至长期"], ["住所", "湖北省武汉市洪山区南李路28号"],
               ["经营范围", "技术服务。"], ["登记机关", "武汉市洪山区市场监督管理局"], "2024年01月12日")


@pytest.mark.parametrize("pages, licence_page", [((LICENCE, MEDICAL), 1), ((MEDICAL, LICENCE), 2),
                                                 ((LICENCE, ID_CARD), 1), ((ID_CARD, LICENCE), 2)])
def test_licence_fields_come_only_from_the_licence_page(pages, licence_page):
    a = analyze(extraction(*pages))
    assert a.doc_type == "business_license"
    assert {fv.page for fv in a.fields.values()} == {licence_page}
    assert a.fields["registration_authority"].value == "武汉市洪山区市场监督管理局"
    assert a.fields["legal_representative"].value == "余卓航"
    assert [kind for kind, _ in a.documents] == (["business_license", "other"] if licence_page == 1
                                                 else ["other", "business_license"])
    assert any("more than one document" in p for p in a.problems)


def test_a_one_document_file_lists_no_documents():
    a = analyze(extraction(LICENCE))
    assert a.documents == () and not any("more than one" in p for p in a.problems)


def test_split_keeps_a_contracts_pages_together():
    p1 = rows("技术服务合同", ["合同编号", "HT-2024-001"], ["甲方", "湖北省迅航科技有限公司"], ["乙方", "武汉博创咨询有限公司"])
    p2 = rows("第五条 违约责任", "任何一方违约，应承担违约责任。")
    assert split_documents(extraction(p1, p2)) == [("contract", (1, 2))]


def test_two_document_pdf_is_split_and_the_licence_read_from_its_page():
    doc, _ = licence(3, "zh-Hans", "national_2015")
    other = PageLayout()
    for i, text in enumerate(["医疗机构执业许可证", "机构名称：洪山康宁诊所", "登记号：PDY00001242011117A1001",
                              "法定代表人：赵敏", "登记机关：武汉市洪山区卫生健康局", "有效期限：自2020年03月01日至2025年02月28日"]):
        other.text(30, 30 + 14 * i, text, 14 if i == 0 else 11)
    pdf = render_pdf(Document(doc.kind, doc.layout, doc.script, doc.font, doc.pages + [other], doc.truth))
    from ocr import ReadOptions, Reader

    with Reader(ReadOptions(workers=1, make_archival_pdf=False, page_images=False)) as r:
        ex = r.read(pdf).extraction
    a = analyze(ex)
    assert a.doc_type == "business_license"
    assert a.documents == (("business_license", (1,)), ("other", (2,)))
    assert a.fields["legal_representative"].value == doc.truth["legal_representative"] != "赵敏"
    assert all(fv.page == 1 for fv in a.fields.values())
