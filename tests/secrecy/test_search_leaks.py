"""Search never matches on what the role may not see, in any query form (issue 19, finding 1),
and every search is an audit event with the query masked as the searcher sees it."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from archive_store import access
from archive_store.models import AuditEvent
from archive_store.search import SearchRefused, search
from tests.conftest import INDEX_BACKENDS
from tests.secrecy.conftest import (BANK, EMAIL, ID_OWN, ID_PARTY, ID_SPOUSE, MOBILE, leaked_runs, secret_world,
                                    spaced, users_of)
from tests.store.test_search_permissions import BY_GROUP



@pytest.fixture(scope="module", params=INDEX_BACKENDS)
def world(request, tmp_path_factory):
    """The secrets' world, once with each search index backend."""
    yield from secret_world(tmp_path_factory.mktemp("secrets") / "data", request.param)


SEARCHERS = ["clerk", "sales", "service", "marketing", "dept_head", "leader", "archive_manager"]
WIDE = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def wide(s: str) -> str:
    return s.translate(WIDE)


def id_forms(v: str) -> list[str]:
    return [f"id:{v}", f"ID:{v}", f"ｉｄ:{v}", f"ｉｄ：{v}", f"{wide('id')}:{wide(v)}", f"身份证:{v}", f"身份證:{v}",
            f"身份证号:{v}", f"身份證號:{v}", f"id_number:{v}", f"-id:{v}", f"NOT id:{v}", f"合同 OR id:{v}",
            f"id:({v})", f"(id:{v})", f"id:({v} OR 1)", f'id:"{v}"', f"id:{v[:4]}*", f"id:{v[:6]}", f"id:{v[:10]}",
            f"身份證:{wide(v[:8])}", f"id:{v.lower()}",
            v, wide(v), spaced(v), f'"{v}"', f"{v[:6]}*", v[:14], v[4:], f"客户 {v}"]


def phone_forms(v: str) -> list[str]:
    dashed = f"{v[:3]}-{v[3:7]}-{v[7:]}"
    return [f"phone:{v}", f"PHONE:{v}", f"ｐｈｏｎｅ:{v}", f"{wide('phone')}:{wide(v)}", f"-phone:{v}",
            f"NOT phone:{v}", f"phone:{v[:7]}", f"phone:{v[:7]}*", f"phone:({v})", f"电话:{v}", f"電話:{v}",
            f"手机:{v}", v, wide(v), dashed, f"{v[:3]} {v[3:7]} {v[7:]}", f"+86{v}", f'"{dashed}"']


def email_forms(v: str) -> list[str]:
    return [f"email:{v}", f"ｅｍａｉｌ:{v}", f"-email:{v}", f"email:{v.split('@')[0]}*", f"邮箱:{v}", f"郵箱:{v}",
            v, wide(v), v.split("@")[0], f'"{v}"']


def bank_forms(v: str) -> list[str]:
    return [f"bank_account:{v}", f"账号:{v}", f"帳號:{v}", f"-bank_account:{v}", f"bank_account:{v[:8]}*",
            v, wide(v), "6222 0219 8830 4479 525", v[:12]]


SECRETS = {
    "core": [(ID_OWN, "person", id_forms), (ID_SPOUSE, "person", id_forms), (ID_PARTY, "contract", id_forms),
             (BANK, "person", bank_forms)],
    "communication": [(MOBILE, "person", phone_forms), (EMAIL, "person", email_forms)],
}


def decoy(value: str) -> str:
    """A value of the same shape that no document holds."""
    if "@" in value:
        return "zhangsan@example.org"
    return "".join(str((int(c) + 5) % 10) if c.isdigit() else c for c in value)


def _outcome(system, user, q):
    try:
        page = search(system, user, q)
    except SearchRefused:
        return "refused", []
    return {h.doc_no for h in page.hits}, page.hits


@pytest.mark.parametrize("group", sorted(SECRETS))
@pytest.mark.parametrize("role", SEARCHERS)
def test_no_query_form_finds_a_document_by_a_secret_the_role_may_not_see(world, role, group):
    """What comes back for the real value is exactly what comes back for a value nobody
    has: the answer tells nothing about the secret (a field query is refused outright)."""
    system, data = world
    user = users_of(system)[role]
    if group in access.role_access(role).groups:
        pytest.skip("the role sees this group")
    for value, label, forms in SECRETS[group]:
        for q, control in zip(forms(value), forms(decoy(value))):
            found, hits = _outcome(system, user, q)
            assert found == _outcome(system, user, control)[0], f"{role}: {q!r} answers unlike {control!r}"
            for h in hits:
                assert not leaked_runs(h.snippet, value.replace("@", "")) and value not in h.snippet, (q, h.snippet)


@pytest.mark.parametrize("group", sorted(BY_GROUP))
@pytest.mark.parametrize("role", SEARCHERS)
def test_every_spelling_of_a_field_name_is_refused_when_its_group_is_hidden(world, role, group):
    """Full-width, upper-case, negated, grouped and OR-ed forms resolve as the parser reads them."""
    system, _ = world
    user = users_of(system)[role]
    key, value, _ = BY_GROUP[group]
    forms = [f"{key}:{value}", f"{wide(key)}:{value}", f"{key.upper()}:{value}", f"-{key}:{value}",
             f"NOT {key}:{value}", f"({key}:{value})", f"{key}:({value})", f"合同 OR {key}:{value}",
             f"{key}：{value}"]
    hidden = group not in access.role_access(role).groups
    for q in forms:
        if hidden:
            with pytest.raises(SearchRefused):
                search(system, user, q)
        else:
            search(system, user, q)  # not refused


def test_roles_that_see_a_secret_find_it_by_naming_its_field(world):
    system, data = world
    who = users_of(system)
    hits = lambda role, q: {h.doc_no for h in search(system, who[role], q).hits}  # noqa: E731
    assert data.docs["person"] in hits("leader", f"id:{ID_SPOUSE}")       # only in the text
    assert data.docs["person"] in hits("leader", f"身份證:{spaced(ID_OWN)[:6]}")
    assert data.docs["contract"] in hits("leader", f"id:{ID_PARTY}")      # a contract has no ID field
    assert data.docs["person"] in hits("leader", f"bank_account:{BANK}")
    assert data.docs["person"] in hits("service", f"phone:{MOBILE}")
    assert data.docs["person"] in hits("service", f"ｐｈｏｎｅ:{MOBILE}")
    # A plain word never reaches a secret, for anyone: name the field.
    assert data.docs["person"] not in hits("leader", ID_OWN)


def _last_search_event(system, actor: str) -> AuditEvent:
    with system.db.read() as s:
        return s.scalar(select(AuditEvent).where(AuditEvent.actor == actor, AuditEvent.action.startswith("search."))
                        .order_by(AuditEvent.seq.desc()).limit(1))


def test_every_search_is_audited_with_the_query_masked_as_the_searcher_sees_it(world):
    system, _ = world
    who = users_of(system)
    search(system, who["sales"], f"客户 {MOBILE} {ID_OWN}")
    event = _last_search_event(system, "sales1")
    assert event.action == "search.run"
    query = json.loads(event.after)["query"]
    assert query.startswith("客户") and not leaked_runs(query, MOBILE) and not leaked_runs(query, ID_OWN)
    with pytest.raises(SearchRefused):
        search(system, who["sales"], "id:3301")
    event = _last_search_event(system, "sales1")
    assert event.action == "search.refused" and "3301" not in event.after and "id_number" in event.after
    search(system, who["leader"], f"id:{ID_OWN}")
    assert ID_OWN in json.loads(_last_search_event(system, "leader1").after)["query"]
