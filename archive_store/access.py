"""Who may see which documents and which of their fields: POLICY.md "Access" as one table.

The policy (客户档案管理制度 [000]) says staff see what their job needs:

* **sales** — "the basic information, needs and transactions": the customer's identity,
  its needs, and contracts (the transaction record).
* **service** — "the communication and service records": the identity plus the ways of
  reaching the customer (phone, e-mail) and the contracts whose terms they serve. The
  contact channels are the service desk's: sales do not see them on a record (the owner
  of a customer has them from the visit itself), so `phone` and `email` are the
  service-only fields.
* **marketing** — "the research information": identity, needs and where the information
  came from (source channel, who collected it and when). Contracts are not research, so
  marketing does not see contract documents at all.
* **core secrets need a senior leader's approval**: a person's ID number (身份证号, sensitive
  personal information) is core-secret. Nobody but a leader sees it unless a leader has
  granted them access to that customer's archive; a grant is a row here plus an audit
  event, and it expires.

Besides the staff, the people who run the records room see every kind and every
non-core field, because their job is the record itself: the clerk (enters and fixes
fields), the department head (reviews), the leader (approves, grants) and the archive
manager (borrow desk, retention). The auditor reads the audit trail and the admin manages
accounts: neither job needs a customer's documents, so neither sees any (separation of
duties).

Two more rules from the policy:
* A record takes effect only after review (审核通过后，档案正式生效), so staff see only
  *effective* documents; pending and returned ones belong to the clerk and the reviewers.
* A document the classifier could not recognise ("other") may hold anything; until it is
  classified it is kept from the staff.

The document's full text, its page images and its original carry every field printed on
the page, so they are only shown as far as the fields are: text is masked
(`mask_text`), page images are redacted over the hidden fields' boxes by the portal, and
the original is downloadable only by those who see every field on it.
"""
from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from archive_store import redaction
from archive_store.errors import NotAllowed
from archive_store.models import DocStatus, Document, Role, User, utcnow

# --- the table -------------------------------------------------------------------------

# Field groups, by FIELDS.md key. A key not listed here is treated as "basic".
FIELD_GROUPS: dict[str, frozenset[str]] = {
    "basic": frozenset({
        "uscc", "name", "entity_type", "legal_representative", "registered_capital",
        "established_on", "term_end", "address", "business_scope", "registration_authority",
        "issued_on", "customer_name", "customer_type", "contact_person", "industry",
    }),
    "needs": frozenset({"needs"}),
    "transaction": frozenset({
        "contract_no", "title", "party_a", "party_b", "amount", "signed_on", "start_on",
        "end_on", "signatory_a", "signatory_b",
    }),
    "communication": frozenset({"phone", "email"}),
    "research": frozenset({"source_channel", "collected_by", "collected_on"}),
    # Bank accounts: found in the text by `redaction` (no form has the field); core for the
    # reason given there.
    "core": frozenset({"id_number", "bank_account"}),
}
GROUP_OF: dict[str, str] = {key: group for group, keys in FIELD_GROUPS.items() for key in keys}

DOC_KINDS = ("business_license", "contract", "collection_form", "other")
_CLASSIFIED = frozenset({"business_license", "contract", "collection_form"})
_ALL_KINDS = frozenset(DOC_KINDS)
_NON_CORE = frozenset(FIELD_GROUPS) - {"core"}


@dataclass(frozen=True)
class RoleAccess:
    kinds: frozenset[str]          # document kinds this role may open
    groups: frozenset[str]         # field groups it sees
    effective_only: bool           # staff: only records that have taken effect
    download: bool                 # may download originals (of documents it fully sees)


ACCESS: dict[str, RoleAccess] = {
    Role.sales: RoleAccess(_CLASSIFIED, frozenset({"basic", "needs", "transaction"}), True, False),
    Role.service: RoleAccess(_CLASSIFIED, frozenset({"basic", "communication", "transaction"}), True, False),
    Role.marketing: RoleAccess(frozenset({"business_license", "collection_form"}),
                               frozenset({"basic", "needs", "research"}), True, False),
    Role.clerk: RoleAccess(_ALL_KINDS, _NON_CORE, False, True),
    Role.dept_head: RoleAccess(_ALL_KINDS, _NON_CORE, False, True),
    Role.archive_manager: RoleAccess(_ALL_KINDS, _NON_CORE, False, True),
    Role.leader: RoleAccess(_ALL_KINDS, frozenset(FIELD_GROUPS), False, True),
    Role.auditor: RoleAccess(frozenset(), frozenset(), True, False),
    Role.admin: RoleAccess(frozenset(), frozenset(), True, False),
}
_NOTHING = RoleAccess(frozenset(), frozenset(), True, False)
_EVERYTHING = RoleAccess(_ALL_KINDS, frozenset(FIELD_GROUPS), False, True)

# The person at the server's console (`dossier users add`, `quarantine retry` without
# --as): whoever can run the command already holds the data folder. No account has
# this role; `users.console_actor()` makes the one transient actor that does.
OPERATOR = "operator"

REVIEW_ROLES = frozenset({Role.dept_head})          # approve / return / correct
CORRECT_ROLES = frozenset({Role.dept_head, Role.clerk})  # the clerk fixes what extraction got wrong
GRANT_ROLES = frozenset({Role.leader})
INTAKE_ROLES = frozenset({Role.clerk, Role.archive_manager, OPERATOR})
TRAY_ROLES = INTAKE_ROLES  # who sorts what intake could not: the same people who run it
AUDIT_ROLES = frozenset({Role.auditor})
ADMIN_ROLES = frozenset({Role.admin, OPERATOR})
# Who opens some kind of document, and so may search and view (the auditor and admin open
# none); the console operator sees everything, as the command line always has.
READER_ROLES = frozenset({r for r, a in ACCESS.items() if a.kinds} | {OPERATOR})
# Backups, restores and drills are the archive manager's (POLICY.md "Safekeeping"); the
# auditor sees how the last drill went, as a control on them.
SAFEKEEPING_ROLES = frozenset({Role.archive_manager, OPERATOR})
DRILL_VIEW_ROLES = frozenset({Role.archive_manager, Role.auditor, OPERATOR})
GRANT_MAX_DAYS = 90


def require(actor: User, roles: Iterable[str], message: str) -> None:
    """The one role check every verb makes: the actor is active and holds one of `roles`."""
    if actor is None or not actor.active:
        raise NotAllowed("此账户已停用。")
    if actor.role not in roles:
        raise NotAllowed(message)


def role_access(role: str) -> RoleAccess:
    if role == OPERATOR:
        return _EVERYTHING
    return ACCESS.get(role, _NOTHING)


def group_of(key: str) -> str:
    return GROUP_OF.get(key, "basic")


# --- decisions -------------------------------------------------------------------------

def line_limit(user: User) -> frozenset[str] | None:
    """The business lines a staff account is limited to, None for all of them. An account
    with no lines set sees every line; the records room and the managers always do (their
    job is every record), so a limit only binds the roles pinned to effective records."""
    if not role_access(user.role).effective_only:
        return None
    return frozenset(getattr(user, "business_lines", None) or ()) or None


def index_readers(doc_type: str, business_line: str) -> tuple[str, ...]:
    """The reader tokens stored with a document in the search index: `role:R` for every
    role that may open its kind, and `role:R@LINE` for a staff account of R limited to
    lines (see `reader_tokens`). Status (staff see only effective records) is a filter
    the portal adds, because it changes without a re-index of readers.
    """
    kind = doc_type if doc_type in _ALL_KINDS else "other"
    roles = [role for role, acc in ACCESS.items() if kind in acc.kinds]
    lined = [f"role:{role}@{business_line}" for role in roles if ACCESS[role].effective_only]
    return tuple(sorted([f"role:{role}" for role in roles] + lined))


def reader_tokens(user: User) -> set[str] | None:
    """The tokens a search by `user` may match; None when the role sees every kind."""
    acc = role_access(user.role)
    if acc.kinds == _ALL_KINDS:
        return None
    if not acc.kinds:
        return set()
    lines = line_limit(user)
    if lines is not None:
        return {f"role:{user.role}@{line}" for line in lines}
    return {f"role:{user.role}"}


def search_status_filter(user: User) -> str | None:
    """A status the user's searches are pinned to, if any (staff: effective)."""
    acc = role_access(user.role)
    return DocStatus.effective.value if acc.effective_only else None


def can_view_document(user: User, doc: Document) -> bool:
    if not user.active:
        return False
    acc = role_access(user.role)
    kind = doc.doc_type if doc.doc_type in _ALL_KINDS else "other"
    if kind not in acc.kinds:
        return False
    if acc.effective_only and doc.status != DocStatus.effective:
        return False
    lines = line_limit(user)
    return lines is None or doc.archive.business_line in lines


def can_view_archive(user: User, archive: Any, openable: Iterable[Document]) -> bool:
    """The archive page shows the customer's card and the catalogue of what the user may
    open (`openable`). A staff account limited to business lines sees only those lines'
    archives. Staff open it when they own the customer (an archive made by hand holds no
    document yet) or when it holds a record they may open: a customer whose every document
    is still in review (or of kinds they do not see) has no effective record for them, and
    the card itself (the name, the owner, the history) is part of that record."""
    acc = role_access(user.role)
    if not acc.kinds:
        return False
    lines = line_limit(user)
    if lines is not None and archive.business_line not in lines:
        return False
    return (not acc.effective_only or (user.id is not None and archive.owner_id == user.id)
            or any(True for _ in openable))


def _groups(user: User, doc: Document, grants: Iterable[Any]) -> frozenset[str]:
    groups = role_access(user.role).groups
    if "core" not in groups and any(
        g.archive_id == doc.archive_id and g.user_id == user.id and g.revoked_at is None
        and g.expires_at > utcnow() for g in grants
    ):
        groups = groups | {"core"}
    return groups


@dataclass(frozen=True)
class Lent:
    """What an approved view (查阅) or an electronic loan adds to the role's rule for one
    document while it lasts: opening it, and downloading it if the approval said so. It
    never widens the field groups: core secrets still need a leader's grant."""
    open: bool = False
    download: bool = False


NOT_LENT = Lent()


def visible_fields(user: User, doc: Document, grants: Iterable[Any] = (), lent: Lent = NOT_LENT) -> dict[str, Any]:
    """The document's fields this user may see (key -> value); empty if not the document."""
    if not (can_view_document(user, doc) or lent.open):
        return {}
    groups = _groups(user, doc, list(grants))
    return {k: v for k, v in (doc.fields or {}).items() if group_of(k) in groups}


def hidden_keys(user: User, doc: Document, grants: Iterable[Any] = ()) -> list[str]:
    groups = _groups(user, doc, list(grants))
    return [k for k, v in (doc.fields or {}).items() if v and group_of(k) not in groups]


def can_download(user: User, doc: Document, grants: Iterable[Any] = (), lent: Lent = NOT_LENT) -> bool:
    """The original carries everything printed on it, unredacted: only for those who may
    download it (by role, or by an approval) and see all of it, the extracted fields and the
    secrets found in the text (a contract party's ID, a bank account) alike."""
    grants = list(grants)
    allowed = (can_view_document(user, doc) and role_access(user.role).download) or lent.download
    if not allowed or hidden_keys(user, doc, grants):
        return False
    hidden = hidden_groups(user, doc, grants)
    return not any(f.group in hidden for f in redaction.find(doc.text or ""))


def review_notes_visible(user: User, doc: Document) -> bool:
    """The reviewer's notes and the reading's doubts are internal to the records room: once
    a record is effective, staff see the record, not how it was argued over."""
    return not (role_access(user.role).effective_only and doc.status == DocStatus.effective)


def can_correct(user: User, doc: Document, key: str, grants: Iterable[Any] = ()) -> bool:
    return (user.role in CORRECT_ROLES and can_view_document(user, doc)
            and group_of(key) in _groups(user, doc, list(grants)))


def hidden_search_keys(user: User, keys: Iterable[str]) -> list[str]:
    """Of the field keys a query touches (as the query parser read them, `index.query_fields`),
    those the user may not see: searching by them would tell their values by what comes back."""
    groups = role_access(user.role).groups
    return sorted(k for k in set(keys) if k in GROUP_OF and group_of(k) not in groups)


# --- masking what the text and snippets print ------------------------------------------

_MASK = redaction.MASK
# Between two characters of a printed value: spaces, dashes, dots and the <mark> tags
# of a highlighted snippet.
_GAPS = re.compile(r"(?:\s|[-‐－.·]|</?mark>)+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _fold(text: str) -> str:
    """Case-folded, one character for one (a fold to two, as ß to ss, keeps the character)."""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    return "".join(f if len(f := c.casefold()) == 1 else c for c in text)


class _Squeezed:
    """A text without its gaps, case-folded, that knows where each character came from.

    A hidden value is found in it with plain `str.find`: "138 0013-8000", "１３８<mark>0013"
    and "13800138000" all read 13800138000 here. Per document, a regular expression of each
    value with a gap allowed between any two characters cost milliseconds to compile (most
    of a search page's time); this finds the same places and more (gaps inside the value
    itself are ignored too), and masking one place too many costs nothing.
    """

    def __init__(self, text: str):
        parts, self.starts, self.origins, at, pos = [], [], [], 0, 0
        for gap in [*_GAPS.finditer(text), None]:
            end = gap.start() if gap else len(text)
            if end > pos:
                parts.append(text[pos:end])
                self.starts.append(at)
                self.origins.append(pos)
                at += end - pos
            pos = gap.end() if gap else pos
        self.text = _fold("".join(parts))

    def _origin(self, i: int) -> int:
        k = bisect.bisect_right(self.starts, i) - 1
        return self.origins[k] + i - self.starts[k]

    def spans(self, value: str, prefixes: tuple[str, ...] = ()) -> list[tuple[int, int]]:
        """Where `value` is printed, in the text's own positions; a match preceded by one of
        `prefixes` (longest first) takes it in too."""
        v = _fold(_GAPS.sub("", value))
        out: list[tuple[int, int]] = []
        if not v:
            return out
        i = self.text.find(v)
        while i >= 0:
            start = next((i - len(p) for p in prefixes if i >= len(p) and self.text.startswith(p, i - len(p))), i)
            out.append((self._origin(start), self._origin(i + len(v) - 1) + 1))
            i = self.text.find(v, i + 1)
        return out


def _value_spans(squeezed: _Squeezed, text: str, key: str, value: str) -> list[tuple[int, int]]:
    """Where a stored value is printed in the text: as stored, HTML-escaped (a value with
    "<>&'), a phone with or without +86, a date as 2025年5月6日 or 2025/05/06."""
    value = str(value).strip()
    if len(value) < 2:
        return []
    out = squeezed.spans(value)
    if html.escape(value) != value:
        out += squeezed.spans(html.escape(value))
    if key == "phone" and (digits := re.sub(r"\D", "", value)):
        # Stored as digits only; printed as +86 138-0013-8000 or (010) 8888 6666.
        out += squeezed.spans(digits, prefixes=("+86", "86"))
    if m := _ISO_DATE.fullmatch(value):
        y, mo, d = (str(int(g)) for g in m.groups())
        date = re.compile(rf"{y}\s*[年\-/.]\s*0?{mo}\s*[月\-/.]\s*0?{d}(?:\s*日)?|{y}{int(mo):02d}{int(d):02d}")
        out += [m.span() for m in date.finditer(text)]
    return out


def hidden_groups(user: User, doc: Document | None = None, grants: Iterable[Any] = ()) -> frozenset[str]:
    """The field groups the user may not see (on `doc`, counting their grants for it)."""
    seen = _groups(user, doc, list(grants)) if doc is not None else role_access(user.role).groups
    return frozenset(FIELD_GROUPS) - seen


def mask_text(user: User, doc: Document, text: str, grants: Iterable[Any] = ()) -> str:
    """`text` with every value the user may not see replaced by ■■■: each secret found by
    what it is (`redaction`: ID numbers, phones, e-mail, bank accounts of a hidden group),
    and each hidden field's value as extracted, as corrected and as it was before a
    correction (the page still prints the old value), in the forms it may be printed in.

    Run it over the whole text before cutting a snippet, so no window starts mid-value.
    """
    if not text:
        return text
    hidden = hidden_groups(user, doc, grants)
    if not hidden:
        return text
    printed = [(k, v) for k, v in (doc.fields or {}).items() if v]
    printed += [(k, v) for k, vs in (doc.earlier_values or {}).items() for v in (vs or []) if v]
    return _masked(text, hidden, tuple((k, str(v)) for k, v in printed if group_of(k) in hidden))


@lru_cache(maxsize=2048)
def _masked(text: str, hidden: frozenset[str], printed: tuple[tuple[str, str], ...]) -> str:
    """mask_text's work, a function of these alone: a document on many result pages (a
    common word's first page) is masked once per process, not once per page."""
    spans = [(f.start, f.end) for f in redaction.find(text) if f.group in hidden]
    if printed:
        squeezed = _Squeezed(text)
        spans += [span for k, v in printed for span in _value_spans(squeezed, text, k, v)]
    return redaction.replace(text, spans) if spans else text


def masked_note(user: User, doc: Document, item: Any, grants: Iterable[Any] = ()) -> Any:
    """A stored reason or field problem as this user may read it: a sentence masked like the
    text, or a {code, params} whose parameter values are (a reason may quote a value:
    "身份证号应为 …", a proposed correction)."""
    if isinstance(item, dict):
        params = {k: mask_text(user, doc, str(v), grants) for k, v in (item.get("params") or {}).items()}
        return {**item, "params": params}
    return mask_text(user, doc, str(item), grants)


def review_notes(user: User, doc: Document, grants: Iterable[Any] = ()) -> tuple[list[Any], dict[str, list[Any]]]:
    """The review reasons and field problems as this user may read them, each masked."""
    grants = list(grants)
    reasons = [masked_note(user, doc, r, grants) for r in doc.review_reasons or []]
    problems = {k: [masked_note(user, doc, p, grants) for p in ps or []]
                for k, ps in (doc.field_problems or {}).items()}
    return reasons, problems
