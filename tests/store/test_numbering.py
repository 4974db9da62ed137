from datetime import date

import pytest

from archive_store import numbering
from archive_store.settings import check_pattern


@pytest.mark.parametrize(
    "pattern, biz, ctype, seq, expected",
    [
        ("{year}{biz}{ctype}{seq:3}", "P", "enterprise", 1, "2025P02001"),
        ("{year}{biz}{ctype}{seq:3}", "S", "individual", 42, "2025S01042"),
        ("{year}{month}{day}{seq:3}", "P", "individual", 1, "20250701001"),
        ("{year}{biz}{ctype}{seq:3}", "P", "enterprise", 1000, "2025P021000"),  # grows, never wraps
        ("KH-{year}-{seq:5}", "P", "enterprise", 7, "KH-2025-00007"),
    ],
)
def test_render_follows_the_pattern(pattern, biz, ctype, seq, expected):
    assert numbering.render(pattern, on=date(2025, 7, 1), biz=biz, customer_type=ctype, seq=seq) == expected


def test_sequence_counts_within_the_scope_of_the_other_tokens(system):
    pattern = "{year}{biz}{ctype}{seq:3}"
    with system.db.write() as s:
        take = lambda biz, ctype, on=date(2025, 1, 5): numbering.next_archive_no(
            s, pattern, on=on, biz=biz, customer_type=ctype)
        assert take("P", "enterprise") == "2025P02001"
        assert take("P", "enterprise") == "2025P02002"
        assert take("P", "individual") == "2025P01001"
        assert take("S", "enterprise") == "2025S02001"
        assert take("P", "enterprise", date(2026, 1, 1)) == "2026P02001"


def test_a_rolled_back_filing_gives_its_number_back(system):
    pattern = "{year}{biz}{ctype}{seq:3}"
    with pytest.raises(RuntimeError):
        with system.db.write() as s:
            numbering.next_archive_no(s, pattern, on=date(2025, 1, 1), biz="P", customer_type="enterprise")
            raise RuntimeError("filing failed after the number was taken")
    with system.db.write() as s:
        assert numbering.next_archive_no(s, pattern, on=date(2025, 1, 1), biz="P",
                                         customer_type="enterprise") == "2025P02001"


@pytest.mark.parametrize("bad", ["{year}{biz}", "{year}{seq:3}{seq:2}", "{year}{bogus}{seq:3}",
                                 "{year}/{seq:3}", "{seq:0}"])
def test_bad_patterns_are_refused(bad):
    with pytest.raises(ValueError):
        check_pattern(bad, ValueError)


def test_document_numbers_carry_the_item_number():
    assert numbering.doc_no("2025P02001", 3) == "2025P02001-003"
    assert numbering.doc_no("2025P02001", 1234) == "2025P02001-1234"
