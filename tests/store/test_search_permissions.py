"""Search as each role: every role x field group, through the one search verb."""
from __future__ import annotations

import pytest

from archive_store import access
from archive_store.errors import NotAllowed
from archive_store.search import SearchRefused, search
from archive_store.users import console_actor
from tests.conftest import INDEX_BACKENDS, use_index_backend
from tests.store.conftest import users_of


@pytest.fixture(scope="module", params=INDEX_BACKENDS)
def world(request, tmp_path_factory):
    """tests/store's seeded world, once with each search index backend."""
    from archive_store.system import init_data_dir
    from tests.web.seed import seed

    folder = tmp_path_factory.mktemp("verbs") / "data"
    use_index_backend(folder, request.param)
    system, _ = init_data_dir(folder)
    data = seed(system)
    yield system, data
    system.close()

# One value per field group, each printed on one seeded document (tests/web/seed.py).
BY_GROUP = {
    "basic": ("uscc", "91310000MA1FL8TK4X", "license"),
    "needs": ("needs", "年度设备维保服务", "form"),
    "transaction": ("contract_no", "HD-2024-0315", "contract"),
    "communication": ("phone", "13800138000", "form"),
    "research": ("source_channel", "展会", "form"),
    "core": ("id_number", "11010519491231002X", "person_form"),
}
SEARCHERS = ["clerk", "sales", "service", "marketing", "dept_head", "leader", "archive_manager"]


@pytest.mark.parametrize("group", sorted(BY_GROUP))
@pytest.mark.parametrize("role", SEARCHERS)
def test_a_field_query_finds_the_document_only_for_roles_that_see_the_field(world, role, group):
    system, data = world
    user = users_of(system)[role]
    key, value, label = BY_GROUP[group]
    acc = access.role_access(role)
    doc_kind = {"license": "business_license", "contract": "contract"}.get(label, "collection_form")
    if group not in acc.groups:
        with pytest.raises(SearchRefused):
            search(system, user, f"{key}:{value}")
        return
    found = {h.doc_no for h in search(system, user, f"{key}:{value}").hits}
    assert (data.docs[label] in found) == (doc_kind in acc.kinds)


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_roles_that_open_no_document_cannot_search(world, role):
    system, _ = world
    with pytest.raises(NotAllowed):
        search(system, users_of(system)[role], "合同")


def test_staff_find_only_effective_records_and_the_records_room_finds_pending_ones(world):
    system, data = world
    who = users_of(system)
    pending = data.docs["pending_flagged"]
    assert pending in {h.doc_no for h in search(system, who["dept_head"], "维保服务合同").hits}
    assert pending not in {h.doc_no for h in search(system, who["sales"], "维保服务合同").hits}


def test_the_console_searches_everything(world):
    system, data = world
    found = {h.doc_no for h in search(system, console_actor(), "id_number:11010519491231002X").hits}
    assert data.docs["person_form"] in found


def test_a_query_the_language_cannot_read_is_refused_with_a_sentence(world):
    system, _ = world
    with pytest.raises(SearchRefused) as err:
        search(system, users_of(system)["clerk"], 'amount:>abc "unclosed')
    assert str(err.value)


def test_the_world_is_indexed_by_the_backend_its_settings_name(world):
    from archive_store.search_docs import open_index
    from index import PgSearchIndex, SearchIndex

    system, data = world
    index = open_index(system)
    assert isinstance(index, PgSearchIndex if system.settings.index_backend == "postgresql" else SearchIndex)
    assert index.doc_count() >= len(data.docs)
