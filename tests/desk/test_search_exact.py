"""Search means what it says: every word must match; the loose reading is only ever offered
as "similar", apart from the matches."""
from __future__ import annotations

from archive_store import search


def test_a_company_that_does_not_exist_has_no_matches_only_similar_documents(world, users):
    system, _ = world
    found = search.search(system, users["leader"], "火星公司")
    assert found.similar or found.total == 0
    assert not [h for h in found.hits if "火星" in h.title + (h.customer or "")]


def test_words_that_are_all_there_are_matches_not_similar(world, users):
    system, data = world
    found = search.search(system, users["leader"], "华东贸易")
    assert not found.similar and data.docs["license"] in [h.doc_no for h in found.hits]


def test_the_search_page_labels_similar_documents_and_never_counts_them_as_matches(client, seeded):
    from tests.web.conftest import sign_in

    sign_in(client, "leader")
    page = client.get("/search?q=火星公司").get_data(as_text=True)
    assert "共 " not in page.split("ol class")[0].split("</form>")[-1]  # no "共 n 件" count of matches
    assert "没有同时包含所有检索词的档案" in page or "没有找到" in page
