"""Each role's view of text, snippets, review reasons and page images masks the secrets it
may not see, wherever they are printed (issue 19, findings 2-4)."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageStat

from archive_store import access, corrections, review, viewing, worklists
from archive_store.messages import render
from archive_store.errors import NotAllowed
from archive_store.search import search
from tests.secrecy.conftest import (BANK, COMMUNICATION, CORE, ID_PARTY, ID_PROPOSED, EMAIL, leaked_runs,
                                    users_of)

READERS = ["clerk", "sales", "service", "marketing", "dept_head", "leader", "archive_manager"]


def _hidden_secrets(role: str) -> dict[str, str]:
    groups = access.role_access(role).groups
    out = {}
    if "core" not in groups:
        out |= CORE
    if "communication" not in groups:
        out |= COMMUNICATION
    return out


def _no_leak(text: str, role: str) -> None:
    for name, secret in _hidden_secrets(role).items():
        assert not leaked_runs(text, secret), f"{role} reads digits of {name}: {leaked_runs(text, secret)} in {text!r}"
    if "communication" not in access.role_access(role).groups:
        assert EMAIL not in text


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("label", ["person", "contract"])
def test_the_text_masks_every_printed_secret_not_only_the_extracted_fields(world, role, label):
    system, data = world
    user = users_of(system)[role]
    try:
        view = viewing.open_document(system, user, data.docs[label])
    except NotAllowed:
        return  # the role does not open this kind at all
    _no_leak(view.text, role)
    if role == "leader":
        assert CORE["ID_SPOUSE"] in view.text or label != "person"
        assert ID_PARTY in view.text or label != "contract"


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("query", ["配偶身份证号", "证件号码 复印件", "开户行账号", "乙方身份证号码", "联系电话", "手机"])
def test_no_snippet_shows_a_run_of_six_digits_of_a_hidden_secret(world, role, query):
    system, _ = world
    for hit in search(system, users_of(system)[role], query).hits:
        _no_leak(hit.snippet, role)


def test_a_snippet_starting_mid_number_shows_none_of_it(world):
    """The window is cut after masking, so it cannot start inside a value (finding 2)."""
    system, data = world
    hits = {h.doc_no: h for h in search(system, users_of(system)["sales"], "配偶身份证号").hits}
    snippet = hits[data.docs["person"]].snippet
    assert "■■■" in snippet and not leaked_runs(snippet, CORE["ID_OWN"])


def _darkness(jpeg: bytes, box) -> float:
    img = Image.open(io.BytesIO(jpeg)).convert("L")
    x0, y0, x1, y1 = (int(v) for v in box)
    return ImageStat.Stat(img.crop((x0 + 2, y0 + 2, x1 - 2, y1 - 2))).mean[0]


def test_page_images_black_out_every_detected_secret_for_roles_that_may_not_see_it(world):
    system, data = world
    from sqlalchemy import select
    from archive_store.models import Document

    with system.db.read() as s:
        doc = s.scalar(select(Document).where(Document.doc_no == data.docs["person"]))
        boxes = list(doc.secret_boxes)
    core_boxes = [b["box"] for b in boxes if b["group"] == "core"]
    phone_boxes = [b["box"] for b in boxes if b["group"] == "communication"]
    assert len(core_boxes) == 4  # the ID, its second printing, the spouse's ID, the bank account
    assert len(phone_boxes) == 3  # landline, mobile, e-mail
    who = users_of(system)
    sales = viewing.page_image(system, who["sales"], data.docs["person"], 1)
    service = viewing.page_image(system, who["service"], data.docs["person"], 1)
    leader = viewing.page_image(system, who["leader"], data.docs["person"], 1)
    assert all(_darkness(sales, b) < 40 for b in core_boxes + phone_boxes)
    assert all(_darkness(service, b) < 40 for b in core_boxes)
    assert all(_darkness(service, b) > 150 for b in phone_boxes)  # service sees the phones
    assert all(_darkness(leader, b) > 150 for b in core_boxes + phone_boxes)


def test_a_page_with_a_hidden_secret_never_located_is_withheld(world):
    """A document filed before secrets were boxed (secret_boxes is None) says nothing of
    where its ID is printed: the page is withheld rather than shown unredacted."""
    system, data = world
    from sqlalchemy import select
    from archive_store.models import Document

    with system.db.write() as s:
        doc = s.scalar(select(Document).where(Document.doc_no == data.docs["contract"]))
        saved, doc.secret_boxes = doc.secret_boxes, None
    try:
        who = users_of(system)
        with pytest.raises(NotAllowed):
            viewing.page_image(system, who["sales"], data.docs["contract"], 1)
        assert viewing.page_image(system, who["leader"], data.docs["contract"], 1)
    finally:
        with system.db.write() as s:
            s.scalar(select(Document).where(Document.doc_no == data.docs["contract"])).secret_boxes = saved


def test_review_reasons_are_masked_for_reviewers_and_clerks(world):
    system, data = world
    who = users_of(system)
    rows, _ = worklists.queue(system, who["dept_head"])
    reasons = [render(r) for row in rows if row.doc.doc_no == data.docs["flagged"] for r in row.reasons]
    assert reasons and all(not leaked_runs(r, ID_PROPOSED) for r in reasons)
    for role in ("dept_head", "clerk"):
        view = viewing.open_document(system, who[role], data.docs["flagged"])
        assert view.reasons and not leaked_runs(" ".join(map(render, view.reasons)), ID_PROPOSED)
    assert ID_PROPOSED in render(viewing.open_document(system, who["leader"], data.docs["flagged"]).reasons[0])


def test_hidden_values_stay_masked_in_their_printed_forms_and_after_a_correction(world):
    """collected_on/by and source_channel are research: hidden from sales. A date prints as
    2025年5月6日, a value may hold "<>&'", and after a clerk corrects the collector's name
    the page still prints the old one."""
    system, data = world
    who = users_of(system)
    doc_no = data.docs["corrected"]
    corrections.correct_field(system, who["clerk"], doc_no, "collected_by", "欧阳秀远", "采集人姓名识别错误")
    review.approve(system, who["dept_head"], doc_no)
    text = viewing.open_document(system, who["sales"], doc_no).text
    for printed in ("2025年5月6日", "O'Neil <Z&Co>", "欧阳修远"):
        assert printed not in text
    assert "2025年5月6日" in viewing.open_document(system, who["marketing"], doc_no).text


def test_staff_cannot_open_the_card_of_a_customer_with_no_effective_record(world):
    system, data = world
    who = users_of(system)
    for role in ("sales", "service", "marketing"):
        with pytest.raises(NotAllowed):
            viewing.open_archive(system, who[role], data.archives["unreviewed"])
    assert viewing.open_archive(system, who["dept_head"], data.archives["unreviewed"]).catalogue
    assert viewing.open_archive(system, who["sales"], data.archives["license"]).catalogue


def test_an_original_with_a_secret_only_in_its_text_is_not_downloadable_by_those_who_may_not_see_it(world):
    """The contract has no ID field, but its original prints the party's ID in full."""
    system, data = world
    who = users_of(system)
    for role in ("clerk", "dept_head", "archive_manager"):
        with pytest.raises(NotAllowed):
            viewing.download(system, who[role], data.docs["contract"], "original")
    assert viewing.download(system, who["leader"], data.docs["contract"], "original").path.is_file()
    assert viewing.download(system, who["archive_manager"], data.docs["license"], "original").path.is_file()
