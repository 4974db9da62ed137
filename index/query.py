"""The query language: a small parser that turns what a user typed into a whoosh query.

A hand-written parser rather than whoosh's `QueryParser`: the Chinese words need
bigram queries built from our analyzer, ranges take the `a..b` / `>x` forms, field
names have Chinese aliases, and every mistake must come back as one readable
sentence (`QueryError`), which is simpler to guarantee with forty lines of our own
than with plugins around whoosh's parser.

    query   := or
    or      := and ("OR" and)*
    and     := not (["AND"] not)*
    not     := ("NOT" | "-") not | atom
    atom    := "(" or ")" | FIELD ":" value | FIELD ":" "(" or ")" | "phrase" | word
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable

from whoosh import query as wq

from .analysis import fold, jieba_words, units
from .phrase import ExactPhrase, phrase_items
from .model import QueryError
from .schema import DATE_KEYS, FIELD_KEYS, MONEY_KEYS, keyword, to_datetime

TEXT, KEYWORD, CODE, DATE, MONEY = "text", "keyword", "code", "date", "money"

MAX_QUERY_CHARS = 1000
MAX_DEPTH = 32


@dataclass(frozen=True)
class FieldSpec:
    name: str  # whoosh field
    kind: str


_ALIASES: dict[str, FieldSpec] = {}


def _alias(spec: FieldSpec, *names: str) -> None:
    for n in names:
        _ALIASES[n] = spec


# FIELDS.md keys first, so that the short names below win where they overlap.
for _k in FIELD_KEYS:
    if _k in DATE_KEYS:
        _alias(FieldSpec("d_" + _k, DATE), _k)
    elif _k in MONEY_KEYS:
        _alias(FieldSpec("n_" + _k, MONEY), _k)
    else:
        _alias(FieldSpec("f_" + _k, TEXT), _k)
_alias(FieldSpec("customer_name", TEXT), "name", "customer_name", "名称", "客户", "客户名称")
_alias(FieldSpec("title", TEXT), "title", "标题")
_alias(FieldSpec("content", TEXT), "text", "content", "全文")
_alias(FieldSpec("doc_type", KEYWORD), "type", "doc_type", "类型")
_alias(FieldSpec("status", KEYWORD), "status", "状态")
_alias(FieldSpec("business_line", KEYWORD), "biz", "business_line", "业务线")
_alias(FieldSpec("archive_no", CODE), "archive", "archive_no", "档案号")
_alias(FieldSpec("doc_no", CODE), "doc", "doc_no", "件号")
_alias(FieldSpec("uscc", CODE), "uscc", "信用代码", "统一社会信用代码")
_alias(FieldSpec("id_number", CODE), "id", "id_number", "身份证", "身份证号")
_alias(FieldSpec("amount", MONEY), "amount", "金额")
_alias(FieldSpec("d_signed_on", DATE), "signed", "签订日期")
_alias(FieldSpec("filed_on", DATE), "filed")
_alias(FieldSpec("issued_on", DATE), "issued")
_alias(FieldSpec("sort_date", DATE), "date", "日期")

# Document kinds may be typed in Chinese (either script, folded before lookup).
_TYPE_VALUES = {
    "合同": "contract", "协议": "contract",
    "营业执照": "business_license", "执照": "business_license", "license": "business_license",
    "客户信息收集表": "collection_form", "收集表": "collection_form", "form": "collection_form",
}
# Codes shorter than their full length are searched as a prefix (`uscc:9131…`).
_FULL_CODE_LENGTH = {"uscc": 18, "id_number": 18}

_FIELD_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUOTES = str.maketrans({c: '"' for c in "“”„‟「」『』＂"})
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_OPERATORS = {"AND", "OR", "NOT"}


def field_names() -> list[str]:
    """The ASCII field names a user may type, for help texts and error messages."""
    return sorted(n for n in _ALIASES if n.isascii())


# --- lexer -------------------------------------------------------------------

@dataclass(frozen=True)
class Tok:
    kind: str  # "(", ")", "word", "phrase", "field", "op", "-"
    text: str
    at: int
    quoted: bool = False


def _lex(q: str) -> list[Tok]:
    out: list[Tok] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(Tok(c, c, i))
            i += 1
        elif c == '"':
            j = q.find('"', i + 1)
            if j < 0:
                raise QueryError(
                    f"The quotation mark before “{q[i + 1:i + 21]}” is never closed; "
                    "close it or remove it."
                )
            out.append(Tok("phrase", q[i + 1:j], i, quoted=True))
            i = j + 1
        elif c == "-" and i + 1 < n and not q[i + 1].isspace() and (i == 0 or q[i - 1].isspace() or q[i - 1] == "("):
            out.append(Tok("-", c, i))
            i += 1
        else:
            j = i
            while j < n and not q[j].isspace() and q[j] not in '()"':
                j += 1
            word = q[i:j]
            name, colon, value = word.partition(":")
            folded_name = fold(name)
            if colon and name and (folded_name in _ALIASES or _FIELD_NAME_RE.match(name)):
                out.append(Tok("field", name, i))
                if value:
                    out.append(Tok("word", value, i + len(name) + 1))
            elif word in _OPERATORS:
                out.append(Tok("op", word, i))
            else:
                out.append(Tok("word", word, i))
            i = j
    return out


# --- parser (tokens -> small tree) --------------------------------------------

@dataclass
class Node:
    kind: str  # "and", "or", "not", "term", "all"
    children: list["Node"] = field(default_factory=list)
    spec: FieldSpec | None = None  # for "term"
    text: str = ""
    quoted: bool = False
    label: str = ""  # the field name as the user typed it, for messages


class _Parser:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.i = 0
        self.depth = 0
        self.label = ""  # field name of an enclosing field:( … ) group

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> Node:
        if not self.toks:
            return Node("all")
        node = self.parse_or(None)
        t = self.peek()
        if t is not None:
            # Only a stray ")" can stop the top-level loop early.
            raise QueryError("There is a “)” without a matching “(”.")
        return node

    def parse_or(self, spec: FieldSpec | None) -> Node:
        parts = [self.parse_and(spec)]
        while (t := self.peek()) is not None and t.kind == "op" and t.text == "OR":
            self.take()
            if self._at_end_of_group():
                raise QueryError("“OR” needs a search term on both sides.")
            parts.append(self.parse_and(spec))
        return parts[0] if len(parts) == 1 else Node("or", parts)

    def _at_end_of_group(self) -> bool:
        t = self.peek()
        return t is None or t.kind == ")" or (t.kind == "op" and t.text in ("OR", "AND"))

    def parse_and(self, spec: FieldSpec | None) -> Node:
        t = self.peek()
        if t is not None and t.kind == "op" and t.text in ("OR", "AND"):
            raise QueryError(f"“{t.text}” needs a search term on both sides.")
        parts = [self.parse_not(spec)]
        while (t := self.peek()) is not None and t.kind != ")" and not (t.kind == "op" and t.text == "OR"):
            if t.kind == "op" and t.text == "AND":
                self.take()
                if self._at_end_of_group():
                    raise QueryError("“AND” needs a search term on both sides.")
            parts.append(self.parse_not(spec))
        return parts[0] if len(parts) == 1 else Node("and", parts)

    def parse_not(self, spec: FieldSpec | None) -> Node:
        t = self.peek()
        if t is not None and (t.kind == "-" or (t.kind == "op" and t.text == "NOT")):
            self.take()
            nt = self.peek()
            if nt is None or nt.kind == ")" or (nt.kind == "op" and nt.text in ("AND", "OR")):
                raise QueryError(f"“{t.text}” must be followed by the search term to exclude.")
            return Node("not", [self.parse_not(spec)])
        return self.parse_atom(spec)

    def parse_atom(self, spec: FieldSpec | None) -> Node:
        t = self.take()
        if t.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError("The query nests brackets too deeply.")
            if (nt := self.peek()) is not None and nt.kind == ")":
                raise QueryError("The brackets “()” contain nothing to search for.")
            if nt is None:
                raise QueryError("A “(” is never closed.")
            node = self.parse_or(spec)
            if (nt := self.peek()) is None or nt.kind != ")":
                raise QueryError("A “(” is never closed.")
            self.take()
            self.depth -= 1
            return node
        if t.kind == ")":
            raise QueryError("There is a “)” without a matching “(”.")
        if t.kind == "field":
            fs = _lookup_field(t.text)
            nt = self.peek()
            if nt is not None and nt.at == t.at + len(t.text) + 1 and nt.kind in ("word", "phrase"):
                self.take()
                return Node("term", spec=fs, text=nt.text, quoted=nt.quoted, label=t.text)
            if nt is not None and nt.kind == "(" and nt.at == t.at + len(t.text) + 1:
                self.take()
                self.depth += 1
                self.label = t.text
                node = self.parse_or(fs)
                self.label = ""
                if (nt := self.peek()) is None or nt.kind != ")":
                    raise QueryError("A “(” is never closed.")
                self.take()
                self.depth -= 1
                return node
            raise QueryError(f"“{t.text}:” needs a value after the colon, e.g. {t.text}:something.")
        if t.kind == "op":  # defensive: callers check operators before coming here
            raise QueryError(f"“{t.text}” needs a search term on both sides.")
        return Node("term", spec=spec, text=t.text, quoted=t.quoted, label=self.label)


def _lookup_field(name: str) -> FieldSpec:
    spec = _ALIASES.get(fold(name))
    if spec is None:
        some = ", ".join(["uscc", "type", "amount", "signed", "name", "archive", "doc", "status", "biz"])
        raise QueryError(
            f"There is no field “{name}”. Fields you can search include {some}, "
            "and any extracted field such as party_a or contract_no."
        )
    return spec


# --- values --------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$")
_MONEY_RE = re.compile(r"^[¥￥]?(\d[\d,]*(?:\.\d+)?)(万|亿|万元|亿元|元)?$")
_CMP_RE = re.compile(r"^(>=|<=|>|<|=)(.+)$")


def _period(text: str, what: str) -> tuple[date, date]:
    m = _DATE_RE.match(text.strip())
    if not m:
        raise QueryError(f"{what}: “{text}” is not a date; write 2024, 2024-03 or 2024-03-15.")
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if mo is None:
            return date(y, 1, 1), date(y, 12, 31)
        if d is None:
            last = calendar.monthrange(y, int(mo))[1]
            return date(y, int(mo), 1), date(y, int(mo), last)
        day = date(y, int(mo), int(d))
        return day, day
    except (ValueError, calendar.IllegalMonthError):
        raise QueryError(f"{what}: “{text}” is not a real date.") from None


def _money(text: str, what: str) -> int:
    m = _MONEY_RE.match(text.strip())
    if not m:
        raise QueryError(
            f"{what}: “{text}” is not an amount; write e.g. {what}:>100000 or {what}:5000..20000."
        )
    try:
        value = Decimal(m.group(1).replace(",", ""))
    except InvalidOperation:
        raise QueryError(f"{what}: “{text}” is not an amount.") from None
    unit = (m.group(2) or "").rstrip("元")
    value *= {"万": 10_000, "亿": 100_000_000}.get(unit, 1)
    return int((value * 100).to_integral_value())


def _range_query(spec: FieldSpec, text: str, label: str) -> wq.Query:
    """`a..b`, `a..`, `..b`, `>a`, `>=a`, `<a`, `<=a`, `=a` or `a`, for dates and money."""
    text = text.strip()
    if spec.kind == DATE:
        def lo(t: str) -> datetime:
            return to_datetime(_period(t, label)[0])

        def hi(t: str) -> datetime:
            return to_datetime(_period(t, label)[1])

        make = lambda a, b, ax=False, bx=False: wq.DateRange(spec.name, a, b, startexcl=ax, endexcl=bx)  # noqa: E731
    else:
        lo = hi = lambda t: _money(t, label)  # noqa: E731
        make = lambda a, b, ax=False, bx=False: wq.NumericRange(spec.name, a, b, startexcl=ax, endexcl=bx)  # noqa: E731
    if ".." in text:
        a, _, b = text.partition("..")
        if not a.strip() and not b.strip():
            raise QueryError(f"{label}: a range needs at least one end, e.g. {label}:2024-01..2024-06.")
        start = lo(a) if a.strip() else None
        end = hi(b) if b.strip() else None
        if start is not None and end is not None and start > end:
            raise QueryError(f"{label}: the range “{text}” starts after it ends.")
        return make(start, end)
    if m := _CMP_RE.match(text):
        op, v = m.group(1), m.group(2)
        if op == ">":
            return make(hi(v), None, True)
        if op == ">=":
            return make(lo(v), None)
        if op == "<":
            return make(None, lo(v), False, True)
        if op == "<=":
            return make(None, hi(v))
        return make(lo(v), hi(v))
    return make(lo(text), hi(text))


# --- compiling the tree into whoosh queries --------------------------------------

@dataclass
class Compiled:
    query: wq.Query
    highlights: frozenset[str]  # folded strings to mark in snippets
    # True when a second, looser reading exists (bigrams OR-ed instead of AND-ed);
    # used when the strict reading finds nothing, e.g. for a misspelt or OCR-damaged name.
    relaxable: bool
    # In the loose reading: the folded CJK runs of the words sought, which the
    # results are re-ranked by allowing one wrong character (see fuzzy.py).
    runs: tuple[str, ...] = ()


_CONTENT = FieldSpec("content", TEXT)
_CHARS = "chars"


# How many bigrams of one CJK run a strict query requires, and how many a loose
# one ORs together, chosen by rarity (see _Compiler.pick).
STRICT_BIGRAMS = 4
LOOSE_BIGRAMS = 12
# In the loose reading, bigrams found in more than this share of documents are
# dropped (有限, 公司 …): they cost the most to read and say the least.
LOOSE_MAX_SHARE = 0.1

DocFreq = Callable[[str, str], int]  # (fieldname, term) -> documents containing it
Expand = Callable[[str, str], Iterable[str]]  # (fieldname, prefix) -> the index's terms with it

# In the loose reading, a short run (a name) whose inner character was misread keeps
# none of the bigrams around it: "王X芳" is looked for as 王?芳, every character the
# index holds between 王 and 芳 (see _Compiler.repairs).
REPAIR_MAX_RUN = 4
REPAIR_MAX_FILLS = 400


class _Compiler:
    def __init__(self, relaxed: bool, df: DocFreq | None, doc_count: int, expand: Expand | None = None) -> None:
        self.relaxed = relaxed
        self.df = df
        self.expand = expand
        self.doc_count = doc_count
        self.highlights: set[str] = set()
        self.runs: list[str] = []
        self.relaxable = False

    def compile(self, node: Node, negated: bool = False) -> wq.Query | None:
        if node.kind == "all":
            return wq.Every()
        if node.kind == "not":
            inner = self.compile(node.children[0], not negated)
            return wq.Not(inner) if inner is not None else None
        if node.kind == "or":
            subs = [q for c in node.children if (q := self.compile(c, negated)) is not None]
            return wq.Or(subs) if len(subs) > 1 else (subs[0] if subs else None)
        if node.kind == "and":
            return self._and(node, negated)
        return self._term(node, negated)

    def _and(self, node: Node, negated: bool) -> wq.Query | None:
        required: list[wq.Query] = []
        loose: list[wq.Query] = []
        common: list[wq.Query] = []
        for c in node.children:
            if self.relaxed and self._is_plain_text(c):
                rare, often = self._text_leaves(c.spec or _CONTENT, c.text, negated)
                loose.extend(rare)
                common.extend(often)
            elif (q := self.compile(c, negated)) is not None:
                required.append(q)
        if loose:
            required.append(_maybe(_any(loose), common))
        if not required:
            return None
        if all(isinstance(q, wq.Not) for q in required):
            required.insert(0, wq.Every())
        return wq.And(required) if len(required) > 1 else required[0]

    @staticmethod
    def _is_plain_text(node: Node) -> bool:
        return node.kind == "term" and not node.quoted and (node.spec or _CONTENT).kind == TEXT

    def _text_leaves(self, spec: FieldSpec, text: str, negated: bool) -> tuple[list[wq.Query], list[wq.Query]]:
        """The loose reading of a word: (its rarer bigrams and Latin terms, any of
        which may match; its very common bigrams, which only add to the score).

        A lone CJK character is left out when anything else is there: found in
        most documents, it would let nearly all of them in.
        """
        grams: list[str] = []
        latin: list[wq.Query] = []
        repaired: list[wq.Query] = []
        hints: list[wq.Query] = []
        lone: list[wq.Query] = []
        for u in units(fold(text)):
            self._mark(negated, *(_bigrams(u.text) if u.cjk and len(u.text) > 1 else [u.text]))
            if not u.cjk:
                latin.append(wq.Term(spec.name, u.text))
            elif len(u.text) == 1:
                lone.append(self._unit_query(spec.name, u.text, True))
            else:
                grams.extend(_bigrams(u.text))
                if not negated:
                    self.runs.append(u.text)
                    repaired += self.repairs(spec.name, u.text)
                    hints += self.char_hints(spec.name, u.text)
        grams = list(dict.fromkeys(grams))
        rare = self.pick(spec.name, grams, loose=True) if self.df is not None else grams
        often = [wq.Term(spec.name, g) for g in grams if g not in rare] + hints
        leaves = latin + repaired + [wq.Term(spec.name, g) for g in rare]
        return (leaves or lone), often

    def pick(self, fieldname: str, grams: list[str], *, loose: bool) -> list[str]:
        """The loose reading's bigrams: the rarest, without the very common ones.

        A bigram in a tenth of the collection (有限, 公司) costs the most to merge and
        changes the ranking least as a way in; the loose reading still scores
        documents by them (see `_maybe`).
        """
        if self.df is None:
            return grams
        df = self.df
        # A bigram no document has (an OCR-damaged character) cannot help find one.
        ranked = sorted((g for g in grams if df(fieldname, g)), key=lambda g: df(fieldname, g))
        if not ranked:
            return grams[:1]
        limit = max(1, int(self.doc_count * LOOSE_MAX_SHARE))
        kept = [g for g in ranked if df(fieldname, g) <= limit]
        return (kept or ranked[:1])[:LOOSE_BIGRAMS]

    def repairs(self, fieldname: str, run: str) -> list[wq.Query]:
        """For each inner character of a short `run` whose bigram on either side no
        document has (so it is likely misread), the documents with its two neighbours
        and any one character between: an OR over every fill Y the index knows, each
        "aY" AND "Yc". Only these two bigrams are required, not their adjacency;
        the re-ranking by text (fuzzy.py) then checks the whole run."""
        if self.df is None or self.expand is None or not 3 <= len(run) <= REPAIR_MAX_RUN:
            return []
        df = self.df
        out: list[wq.Query] = []
        for k in range(1, len(run) - 1):
            a, c = run[k - 1], run[k + 1]
            if df(fieldname, a + run[k]) and df(fieldname, run[k] + c):
                continue
            fills = [t[1] for t in self.expand(fieldname, a)
                     if len(t) == 2 and t[1] != run[k] and df(fieldname, t[1] + c)]
            fills.sort(key=lambda y: df(fieldname, a + y) + df(fieldname, y + c))
            out += [wq.And([wq.Term(fieldname, a + y), wq.Term(fieldname, y + c)])
                    for y in fills[:REPAIR_MAX_FILLS]]
        return out

    def char_hints(self, fieldname: str, run: str) -> list[wq.Query]:
        """A short run none of whose bigrams any document has (a two-character name
        with one character misread) still says which characters it holds: in the
        loose reading they add to the score of the documents that have them, most
        to those that have them often, as a customer's own file has its name."""
        if self.df is None or fieldname != _CONTENT.name or len(run) > REPAIR_MAX_RUN:
            return []
        if any(self.df(fieldname, g) for g in _bigrams(run)):
            return []
        return [wq.Term(_CHARS, c) for c in dict.fromkeys(run)]

    def strict_terms(self, fieldname: str, run: str) -> list[str]:
        """Terms that together require `run`, chosen to be cheap.

        Every bigram of the run is a candidate, and so is every jieba word of three
        or more characters in it: the index holds each dictionary word wherever it
        occurs as a substring, so the word's term is an exact test for it. Rarest
        first, a term is taken while it covers characters not yet covered, up to
        four: a name's rarest few terms pin it down as well as all of them, and
        whoosh's cost grows with each common term it must intersect.
        """
        cands = [(run[i:i + 2], i, i + 2) for i in range(len(run) - 1)]
        cands += [(w, k, k + len(w)) for k, w in jieba_words(run)]
        if self.df is None:
            return list(dict.fromkeys(t for t, _, _ in cands))
        df = self.df
        # Longer terms first among equals: one word beats the bigrams inside it.
        cands.sort(key=lambda c: (df(fieldname, c[0]), -len(c[0])))
        covered = [False] * len(run)
        chosen: list[str] = []
        for term, a, b in cands:
            if df(fieldname, term) == 0:
                return [term]  # nothing can match: fail fast, the loose reading follows
            if not all(covered[a:b]) and term not in chosen:
                chosen.append(term)
                covered[a:b] = [True] * (b - a)
                if all(covered) or len(chosen) == STRICT_BIGRAMS:
                    break
        return chosen

    def _mark(self, negated: bool, *texts: str) -> None:
        if not negated:
            self.highlights.update(texts)

    @staticmethod
    def _unit_query(fieldname: str, text: str, cjk: bool) -> wq.Query:
        if not cjk:
            return wq.Term(fieldname, text)
        if fieldname == _CONTENT.name:  # every character of the content is in `chars`
            return wq.Term(_CHARS, text)
        # Elsewhere a CJK character is indexed alone only at the end of a run, so it
        # is looked up as the prefix of bigrams too (张 finds 张三).
        return wq.Prefix(fieldname, text)

    def _term(self, node: Node, negated: bool) -> wq.Query | None:
        spec = node.spec or _CONTENT
        text = node.text
        label = node.label or self._label(spec)
        if spec.kind in (DATE, MONEY):
            if node.quoted:
                text = text.strip()
            return _range_query(spec, text, label)
        if spec.kind in (KEYWORD, CODE):
            value = keyword(text)
            if not value:
                raise QueryError(f"“{label}:” needs a value after the colon.")
            if spec.name == "doc_type":
                value = _TYPE_VALUES.get(value, value)
            if value.endswith("*") and len(value) > 1:
                return wq.Prefix(spec.name, value.rstrip("*"))
            full = _FULL_CODE_LENGTH.get(spec.name)
            if full and len(value) < full:
                return wq.Prefix(spec.name, value)
            return wq.Term(spec.name, value)
        # Free text.
        if node.quoted:
            return self._phrase(spec, text, negated)
        leaves_per_unit: list[wq.Query] = []
        us = list(units(fold(text)))
        if not us:
            return None  # punctuation only: nothing to look for
        has_more = any(not u.cjk or len(u.text) > 1 for u in us)
        for u in us:
            if not u.cjk or len(u.text) == 1:
                self._mark(negated, u.text)
                if self.relaxed and u.cjk and has_more:
                    continue  # see _text_leaves
                leaves_per_unit.append(self._unit_query(spec.name, u.text, u.cjk))
                continue
            grams = _bigrams(u.text)
            self._mark(negated, *grams)
            if len(grams) > 1:
                self.relaxable = True
            chosen = self.pick(spec.name, grams, loose=True) if self.relaxed else self.strict_terms(spec.name, u.text)
            terms: list[wq.Query] = [wq.Term(spec.name, g) for g in chosen]
            if self.relaxed:
                often = [wq.Term(spec.name, g) for g in grams if g not in chosen]
                if not negated:
                    self.runs.append(u.text)
                    terms += self.repairs(spec.name, u.text)
                    often += self.char_hints(spec.name, u.text)
                leaves_per_unit.append(_maybe(_any(terms), often))
            else:
                leaves_per_unit.append(wq.And(terms) if len(terms) > 1 else terms[0])
        if len(us) > 1:
            self.relaxable = True
        if len(leaves_per_unit) == 1:
            return leaves_per_unit[0]
        return wq.Or(leaves_per_unit) if self.relaxed else wq.And(leaves_per_unit)

    def _phrase(self, spec: FieldSpec, text: str, negated: bool) -> wq.Query | None:
        us = list(units(fold(text)))
        if not us:
            raise QueryError("The quotes contain nothing to search for.")
        for u in us:
            self._mark(negated, *(_bigrams(u.text) if u.cjk and len(u.text) > 1 else [u.text]))
        if len(us) == 1 and (not us[0].cjk or len(us[0].text) == 1):
            return self._unit_query(spec.name, us[0].text, us[0].cjk)
        df = self.df
        items = phrase_items(text, (lambda t: df(spec.name, t)) if df is not None else None)
        if not items:  # only lone characters, e.g. "张，王": each must occur
            return wq.And([self._unit_query(spec.name, u.text, u.cjk) for u in us])
        if len(items) == 1:
            return wq.Term(spec.name, items[0][0])
        return ExactPhrase(spec.name, items)

    @staticmethod
    def _label(spec: FieldSpec) -> str:
        for alias, s in _ALIASES.items():
            if s == spec and alias.isascii():
                return alias
        return spec.name


def _any(qs: list[wq.Query]) -> wq.Query:
    return wq.Or(qs) if len(qs) > 1 else qs[0]


def _maybe(query: wq.Query, optional: list[wq.Query]) -> wq.Query:
    """`query`, with `optional` adding to the score of documents that have them:
    in the loose reading, the document that has the whole name and phrase, common
    bigrams included, ranks above ones sharing only a rare bigram or two."""
    return wq.AndMaybe(query, _any(optional)) if optional else query


def _bigrams(run: str) -> list[str]:
    seen: dict[str, None] = {}
    for i in range(len(run) - 1):
        seen.setdefault(run[i:i + 2], None)
    return list(seen)


def parse(q: str) -> Node:
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is too long; keep it under {MAX_QUERY_CHARS} characters.")
    q = q.translate(_WIDTH).translate(_QUOTES)
    return _Parser(_lex(q)).parse()


def compile_query(tree: Node, *, relaxed: bool = False, df: DocFreq | None = None,
                  doc_count: int = 0, expand: Expand | None = None) -> Compiled:
    """The whoosh query for `tree`; with `df`, bigrams are chosen by rarity (see pick);
    with `expand` too, the loose reading looks past a misread inner character of a
    short word (see repairs)."""
    c = _Compiler(relaxed, df, doc_count, expand)
    query = c.compile(tree)
    if query is None:
        raise QueryError("The query has no letters, digits or characters to search for.")
    return Compiled(query, frozenset(c.highlights), c.relaxable, tuple(dict.fromkeys(c.runs)))
