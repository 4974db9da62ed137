import pytest

from archive_store.filing import Duplicate, FilingInput, file_document
from archive_store.matching import CustomerRef, fold_name


def file(system, sha: str, customer: CustomerRef, biz: str = "P"):
    with system.db.write() as s:
        doc = file_document(s, system.settings, actor="clerk", item=FilingInput(
            source_name=sha, sha256=sha * 64 if len(sha) == 1 else sha, size=1, media_type="image/png",
            customer=customer, business_line=biz))
        return doc.doc_no, doc.archive.archive_no


def test_a_customers_documents_join_one_archive_by_uscc(system):
    _, first = file(system, "a", CustomerRef("enterprise", name="上海某某科技有限公司", uscc="91310115MA1K3YJ12X"))
    _, second = file(system, "b", CustomerRef("enterprise", name="上海某某科技（集团）", uscc="91310115ma1k3yj12x"))
    assert first == second


def test_individuals_match_by_id_number_then_by_name_and_phone(system):
    _, a = file(system, "a", CustomerRef("individual", name="張偉", id_number="11010519491231002X", phone="13800000000"))
    _, b = file(system, "b", CustomerRef("individual", id_number="11010519491231002x"))
    _, c = file(system, "c", CustomerRef("individual", name="张伟", phone="13800000000"))  # other script
    _, d = file(system, "d", CustomerRef("individual", name="张伟"))  # a name alone is not enough
    assert a == b == c
    assert d != a


def test_enterprises_match_by_exact_name_across_scripts_and_widths(system):
    _, a = file(system, "a", CustomerRef("enterprise", name="深圳市華強電子有限公司"))
    _, b = file(system, "b", CustomerRef("enterprise", name="深圳市华强电子 有限公司"))
    _, c = file(system, "c", CustomerRef("enterprise", name="深圳市华强电子有限公司", uscc="91440300MA5DC8QX4L"))
    _, d = file(system, "d", CustomerRef("enterprise", name="深圳市华强电子有限公司", uscc="91440300MA5FUW1A6G"))
    assert a == b == c
    assert d != a  # same name, different code: a different company


def test_a_later_document_completes_the_archive_identity(system):
    _, a = file(system, "a", CustomerRef("enterprise", name="杭州某某有限公司"))
    file(system, "b", CustomerRef("enterprise", name="杭州某某有限公司", uscc="91330100MA27XL5Q0B"))
    _, c = file(system, "c", CustomerRef("enterprise", name="完全不同的名字", uscc="91330100MA27XL5Q0B"))
    assert a == c


def test_item_numbers_count_within_the_archive_and_archives_within_their_scope(system):
    d1, a1 = file(system, "a", CustomerRef("enterprise", name="甲公司"))
    d2, a2 = file(system, "b", CustomerRef("enterprise", name="甲公司"))
    d3, a3 = file(system, "c", CustomerRef("individual", name="李四", phone="1"), biz="S")
    assert (d1, d2) == (a1 + "-001", a1 + "-002")
    assert a1.endswith("P02001") and a3.endswith("S01001")


def test_the_same_bytes_are_never_filed_twice(system):
    doc_no, _ = file(system, "a", CustomerRef("enterprise", name="甲公司"))
    with pytest.raises(Duplicate) as caught:
        file(system, "a", CustomerRef("enterprise", name="乙公司"))
    assert caught.value.doc_no == doc_no


@pytest.mark.parametrize("a, b", [("臺灣積體電路", "台湾积体电路"), ("ＡＢＣ公司", "abc公司"), ("甲 公 司", "甲公司")])
def test_fold_name(a, b):
    assert fold_name(a) == fold_name(b)
