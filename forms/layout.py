"""Finding a label on the page and the value that belongs to it.

A value is looked for where people put it: after the label on the same line, in the cell
(or box) to the right on the same row, or on the line below. Nothing here knows a pixel
position; distances are in units of the label's own line height, so a form printed by any
company at any size reads the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ocr.extraction import Box, Extraction, Line, Page

from forms.keys import KEYS
from forms.text import fold

# What a value must look like to be taken from a neighbouring box (see Labels.shapes).
CODE_SHAPE = r"[0-9A-Za-z]{4}[0-9A-Za-z \-]{10,}"
DATE_SHAPE = r"\d|[〇○零一二三四五六七八九十]{2,}"
MONEY_SHAPE = r"\d|[壹贰叁肆伍陆柒捌玖拾佰仟萬万貳參陸]"

# What may sit between a label and its value (brackets too, when checking a label's edge).
_SEPARATORS = " :;,.、|_()[]（）：；，"
_EDGE = " :;,.、|_：；，\u3000\t"
# 第二条合同金额 (OCR dropped the space), 三、合同金额, 2.合同金额: clause numbers before a label
_NUMBERING = re.compile(r"(第[〇零一二三四五六七八九十百\d]+[条章款]|^[一二三四五六七八九十]+、|^\d+[.、])$")
_QUALIFIER = re.compile(r"\([^()]{1,12}\)")
# 乙方（盖章）： / 联系电话： — a label with its colon is a label even where OCR joined it
# to the text before it (two columns read as one line: …有限公司乙方（盖章）：…)
_COLON_AFTER = re.compile(r"(\([^()]{1,12}\))?:")


@dataclass(frozen=True)
class TextLine:
    """A line with its folded text and the map from folded to original characters."""

    page: int
    index: int
    line: Line
    folded: str
    fmap: tuple[int, ...]
    source: str = "ocr"  # the page's: "ocr", "text_layer" or "docx"

    @property
    def text(self) -> str:
        return self.line.text

    @property
    def box(self) -> Box:
        return self.line.box

    @property
    def height(self) -> float:
        return max(self.line.box.height, 1.0)

    def char_x(self, folded_pos: int) -> float:
        """Where the folded character at `folded_pos` starts, by proportion along the line."""
        text = self.line.text
        orig = self.fmap[folded_pos] if folded_pos < len(self.fmap) else len(text)
        # a text layer gives word boxes: a label and its value far apart are two words
        pos = 0
        for w in self.line.words:
            start = text.find(w.text, pos) if w.text else -1
            if start < 0:
                break
            if start <= orig < start + len(w.text):
                return _proportional(w.text, orig - start, w.box.x0, w.box.width)
            pos = start + len(w.text)
        return _proportional(text, orig, self.box.x0, self.box.width)

    def original(self, start: int, end: int | None = None) -> str:
        """The original text between two folded positions."""
        s = self.fmap[start] if start < len(self.fmap) else len(self.line.text)
        e = len(self.line.text) if end is None or end >= len(self.fmap) else self.fmap[end]
        return self.line.text[s:e]


def _proportional(text: str, index: int, x0: float, width: float) -> float:
    # CJK and full-width characters take a full em, ASCII about half of one
    units = [1.0 if ord(c) > 0x2E7F else 0.5 for c in text]
    total = sum(units) or 1.0
    return x0 + width * sum(units[:index]) / total


def fold_with_map(text: str) -> tuple[str, tuple[int, ...]]:
    """fold(text) and, for each of its characters, where it stands in `text`."""
    kept = fold(text, keep_length=True)
    fmap = tuple(i for i, ch in enumerate(kept) if not ch.isspace())
    return "".join(kept[i] for i in fmap), fmap


def page_lines(page: Page) -> list[TextLine]:
    """The page's lines in reading order: rows top to bottom, left to right within a row."""
    lines = [ln for ln in page.lines if ln.text.strip()]
    lines.sort(key=lambda ln: (ln.box.y0 + ln.box.y1) / 2)
    rows: list[list[Line]] = []
    for ln in lines:
        mid = (ln.box.y0 + ln.box.y1) / 2
        if rows:
            last = rows[-1][0]
            if abs(mid - (last.box.y0 + last.box.y1) / 2) < 0.4 * max(min(ln.box.height, last.box.height), 1):
                rows[-1].append(ln)
                continue
        rows.append([ln])
    ordered = [ln for row in rows for ln in _join_spaced_label(sorted(row, key=lambda l: l.box.x0))]
    out = []
    for i, ln in enumerate(ordered):
        folded, fmap = fold_with_map(ln.text)
        out.append(TextLine(page.number, i, ln, folded, fmap, page.source))
    return out


def _join_spaced_label(row: list[Line]) -> list[Line]:
    """名　　称 printed with wide spacing comes back from OCR as one box per character:
    join runs of one- or two-character boxes on a row back into one line (with a space, so
    the gap still reads as a gap)."""
    out: list[Line] = []
    for ln in row:
        prev = out[-1] if out else None
        if (prev is not None and _fragment(prev.text, 3) and _fragment(ln.text, 2)
                and 0 <= ln.box.x0 - prev.box.x1 < 4 * max(prev.box.height, ln.box.height)):
            box = Box(prev.box.x0, min(prev.box.y0, ln.box.y0), ln.box.x1, max(prev.box.y1, ln.box.y1))
            out[-1] = Line(prev.text + " " + ln.text, box, min(prev.confidence, ln.confidence),
                           prev.words + ln.words)
        else:
            out.append(ln)
    return out


def _fragment(text: str, n: int) -> bool:
    t = "".join(text.split())
    return 0 < len(t) <= n and all("\u3400" <= c <= "\u9fff" for c in t)


@dataclass(frozen=True)
class LabelHit:
    key: str
    label: str
    tl: TextLine
    start: int  # folded positions in tl
    end: int


@dataclass(frozen=True)
class Found:
    """A value found for a label: its raw text and where it was read."""

    key: str
    label: str
    raw: str
    lines: tuple[TextLine, ...]
    label_line: TextLine
    how: str  # "same_line" | "right" | "below"
    label_x: float = 0.0  # where the label starts on its line (two labels may share a line)

    @property
    def confidence(self) -> float:
        return min([self.label_line.line.confidence] + [t.line.confidence for t in self.lines])

    @property
    def page(self) -> int:
        return self.label_line.page

    @property
    def box(self) -> Box:
        boxes = [t.box for t in self.lines] or [self.label_line.box]
        return Box(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
                   max(b.x1 for b in boxes), max(b.y1 for b in boxes))


class Labels:
    """The label table of one document kind: key → the labels that introduce it."""

    def __init__(self, kind: str, table: dict[str, Sequence[str]], *, multiline: Iterable[str] = (),
                 run_on: bool = False, shapes: dict[str, str] | None = None):
        """`run_on`: on this kind of page a label that opens a line is a label even when
        its value follows with no colon or gap (a licence's 名称海淀…); on forms and
        contracts a short word opening a line is as likely to be text (甲方应…)."""
        # a key not in FIELDS.md (forms/keys.py) is a typo; keys starting with _ are labels
        # whose values must not be taken for a field's
        if unknown := {k for k in table if not k.startswith("_")} - set(KEYS[kind]):
            raise ValueError(f"{kind} label table: keys not in FIELDS.md: {sorted(unknown)}")
        self.run_on = run_on
        # what a key's value must look like to be taken from a neighbouring box (a code
        # has 15+ letters and digits, a date has digits): the title beside 统一社会信用代码
        # is not its value
        self.shapes = {k: re.compile(v) for k, v in (shapes or {}).items()}
        self.table = table
        self.multiline = set(multiline)
        self._by_length = sorted(((fold(lab), key) for key, labs in table.items()
                                  for lab in labs), key=lambda x: -len(x[0]))

    def hits(self, tl: TextLine) -> list[LabelHit]:
        """Labels on a line, left to right, longest first where they overlap.

        A label counts at the start of the line or after a separator or a gap; inside a run
        of text (经营范围 mentioning 地址) it is just a word."""
        taken: list[LabelHit] = []
        f = tl.folded
        for label, key in self._by_length:
            for m in re.finditer(re.escape(label), f):
                s, e = m.start(), m.end()
                if any(s < h.end and h.start < e for h in taken):
                    continue
                if s > 0:
                    gap = tl.fmap[s] - tl.fmap[s - 1] > 1
                    # OCR joins a value and the next column's label into one box
                    # (日用百货经营场所): on a licence a long label still counts there
                    if (not gap and f[s - 1] not in _SEPARATORS and not _is_box_mark(f[s - 1])
                            and not _NUMBERING.search(f[:s])
                            and not (self.run_on and len(label) >= 4)
                            and not _COLON_AFTER.match(f, e)):
                        continue
                if not _label_ends(tl, e, len(label), at_start=s == 0, run_on=self.run_on):
                    continue
                taken.append(LabelHit(key, label, tl, s, e))
        if not taken and self.run_on and len(f) == 1:
            # 名　　称 with its second character lost by OCR: a lone 名 (or 称) on a line
            # is what is left of the spaced-out two-character label
            # (only a field's own label: 编号 is never printed spaced out, and a 号 wrapped
            # onto a line of its own ends an address)
            for label, key in self._by_length:
                if len(label) == 2 and f in label and not key.startswith("_"):
                    taken.append(LabelHit(key, label, tl, 0, 1))
                    break
        taken.sort(key=lambda h: h.start)
        # 甲方（委托方）/ 授权代表（签字）: a bracket right after a label qualifies it, and
        # belongs to the label, whatever other label words stand inside it.
        out: list[LabelHit] = []
        for h in taken:
            if h.start == 1 and f[0] == "(" and f[h.end:h.end + 1] == ")":
                h = LabelHit(h.key, h.label, h.tl, 0, h.end + 1)  # （甲方） 山东省商业部
            if out and h.start < out[-1].end:
                continue
            m = _QUALIFIER.match(f, h.end)
            if m:
                h = LabelHit(h.key, h.label, h.tl, h.start, m.end())
            out.append(h)
        return out

    def starts_with_label(self, tl: TextLine) -> bool:
        return any(h.start == 0 for h in self.hits(tl))


def _is_box_mark(ch: str) -> bool:
    return ch in "□☐■☑☒✓✔√●○◯◉*"


def _label_ends(tl: TextLine, e: int, length: int, *, at_start: bool, run_on: bool = False) -> bool:
    """A label is followed by a separator, a gap, the end of the line, or a value that
    is plainly not more words (digits, a code).

    Short labels are common words (电话 in 电话营销, 行业 in 行业协会, 甲方 in 甲方应于…):
    run straight into more Chinese they are part of the text, not a label. A longer label
    at the start of a line may run into its value, because OCR drops colons and gaps."""
    f = tl.folded
    if e >= len(f):
        return True
    if tl.fmap[e] - tl.fmap[e - 1] > 1 or f[e] in _SEPARATORS or f[e] in "：":
        return True
    if not _is_cjk(f[e]):
        return True
    return at_start and (length >= 3 or run_on)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def find_values(lines: Sequence[TextLine], labels: Labels) -> dict[str, list[Found]]:
    """Every value each key's labels introduce, in reading order."""
    found: dict[str, list[Found]] = {}
    hits_by_line = {id(tl): labels.hits(tl) for tl in lines}
    if labels.run_on:
        _half_labels(lines, labels, hits_by_line)
    for tl in lines:
        hits = hits_by_line[id(tl)]
        for k, hit in enumerate(hits):
            nxt = hits[k + 1].start if k + 1 < len(hits) else None
            raw = tl.original(hit.end, nxt)
            # keep trailing punctuation: a wrapped value goes on after it (clean_text trims the end)
            value = raw.lstrip(_EDGE).rstrip()
            if not value.strip(_EDGE):
                value = ""
            how = "same_line"
            value_lines: list[TextLine] = [tl]
            shape = labels.shapes.get(hit.key)
            if not value and nxt is None:
                got = (_right_of(tl, hit, lines, hits_by_line, shape)
                       or _below(tl, hit, lines, hits_by_line, shape))
                if got is not None:
                    value_line, value, how = got
                    value_lines = [value_line]
                    if len(tl.folded) == 1 and len(hit.label) == 2:
                        # 名 | 称长沙…: OCR gave the label's second half to the value's box
                        rest = hit.label.replace(tl.folded, "", 1)
                        if value.lstrip()[:1] and fold(value.lstrip()[:1]) == rest:
                            value = value.lstrip()[1:]
            if not value:
                continue
            if hit.key in labels.multiline:
                value_x0 = tl.char_x(_skip_edge(tl.folded, hit.end)) if how == "same_line" \
                    else value_lines[0].box.x0
                more = _continuation(value_lines[-1], tl, value_x0, lines, hits_by_line)
                for extra in more:
                    value += "\n" + _until_label(extra, hits_by_line, keep_end=True, keep_start=True)
                value_lines += more
            found.setdefault(hit.key, []).append(
                Found(hit.key, hit.label, value, tuple(value_lines), tl, how, tl.char_x(hit.start)))
    return found


def _half_labels(lines: Sequence[TextLine], labels: Labels, hits_by_line) -> None:
    """名　　称 / 类　　型 printed spaced out in a column: OCR may stack the first characters
    into one box (名类) and give each second character to its value's box (称湖北…).
    A line opening with the second character of a two-character label, with a short box
    holding the first character to its left on the row, opens with that label."""
    pairs = {lab[1]: (lab, key) for lab, key in labels._by_length if len(lab) == 2}
    for tl in lines:
        hits = hits_by_line[id(tl)]
        if (hits and hits[0].start == 0) or not tl.folded or tl.folded[0] not in pairs:
            continue
        label, key = pairs[tl.folded[0]]
        for o in lines:
            if (o is not tl and o.page == tl.page and len(o.folded) <= 3 and label[0] in o.folded
                    and o.box.x1 <= tl.box.x0 + 0.5 * tl.height
                    and tl.box.x0 - o.box.x1 < 6 * tl.height
                    and _overlap(o.box.y0, o.box.y1, tl.box.y0, tl.box.y1) > 0.5 * tl.height):
                hits.insert(0, LabelHit(key, label, tl, 0, 1))
                break


def _skip_edge(folded: str, pos: int) -> int:
    while pos < len(folded) and folded[pos] in _EDGE:
        pos += 1
    return pos


def _until_label(tl: TextLine, hits_by_line, keep_end: bool = False,
                 keep_start: bool = False) -> str:
    hits = hits_by_line.get(id(tl)) or []
    end = hits[0].start if hits else None
    text = tl.original(0, end)
    text = text.lstrip() if keep_start else text.lstrip(_EDGE)
    return text.rstrip() if keep_end else text.rstrip(_EDGE)


def _value_of(tl: TextLine, hits_by_line) -> str | None:
    hits = hits_by_line.get(id(tl)) or []
    if hits and hits[0].start == 0:
        return None
    text = _until_label(tl, hits_by_line, keep_end=True)
    return text if text.strip(_EDGE) else None


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _right_of(tl: TextLine, hit: LabelHit, lines, hits_by_line, shape=None):
    h = tl.height
    label_x1 = tl.char_x(hit.end) if hit.end < len(tl.folded) else tl.box.x1
    best = None
    for other in lines:
        if other is tl or other.page != tl.page:
            continue
        ob = other.box
        if _overlap(ob.y0, ob.y1, tl.box.y0, tl.box.y1) < 0.5 * min(h, other.height):
            continue
        if ob.x0 < label_x1 - 1.0 * h:  # OCR boxes overhang their glyphs a little
            continue
        if best is None or ob.x0 < best.box.x0:
            best = other
    if best is None or best.box.x0 - label_x1 > 25 * h:
        return None
    value = _value_of(best, hits_by_line)
    if value and shape is not None and not shape.search(value):
        return None
    return (best, value, "right") if value else None


def _below(tl: TextLine, hit: LabelHit, lines, hits_by_line, shape=None):
    h = tl.height
    label_x0 = tl.char_x(hit.start)
    label_x1 = tl.char_x(hit.end) if hit.end < len(tl.folded) else tl.box.x1
    best = None
    for other in lines:
        if other is tl or other.page != tl.page:
            continue
        ob = other.box
        gap = ob.y0 - tl.box.y1
        # a Latin label (E-mail) is shorter than the Chinese around it: measure by the taller
        hh = max(h, other.height)
        if gap < -0.3 * hh or gap > 1.6 * hh:
            continue
        # under the label: starting near it, or spanning it
        if not (abs(ob.x0 - label_x0) < 2.5 * h or _overlap(ob.x0, ob.x1, label_x0, label_x1) > 0):
            continue
        if best is None or (ob.y0, abs(ob.x0 - label_x0)) < (best.box.y0, abs(best.box.x0 - label_x0)):
            best = other
    if best is None:
        return None
    value = _value_of(best, hits_by_line)
    if value and shape is not None and not shape.search(value):
        return None
    return (best, value, "below") if value else None


def _continuation(last: TextLine, label_line: TextLine, value_x0: float, lines,
                  hits_by_line) -> list[TextLine]:
    """Lines that carry on a wrapped value: just below, starting in the value's column,
    and only while the line above ran to the right edge of its column (it wrapped)."""
    out: list[TextLine] = []
    h = label_line.height
    col_x0 = min(last.box.x0, label_line.box.x0)
    prev = last
    for _ in range(30):
        if not _wrapped(prev, lines, h):
            break
        nxt = None
        for other in lines:
            if other.page != prev.page or other is prev or other in out or other is label_line:
                continue
            ob = other.box
            gap = ob.y0 - prev.box.y1
            if gap < -0.3 * h or gap > 1.0 * h:
                continue
            if not (col_x0 - 1.5 * h <= ob.x0 <= max(value_x0, last.box.x0) + 2 * h):
                continue
            if _labelled_row(other, prev, lines, hits_by_line, h):
                continue
            if nxt is None or ob.y0 < nxt.box.y0:
                nxt = other
        if nxt is None or _value_of(nxt, hits_by_line) is None:
            break
        out.append(nxt)
        prev = nxt
    return out


def _labelled_row(tl: TextLine, prev: TextLine, lines, hits_by_line, h: float) -> bool:
    """Whether a label stands just left of this line on its row: then the line is that
    label's value, not the continuation of the value above. A label set between two
    lines (a wrapped value beside a label centred on it) belongs to the upper one."""
    mid = (tl.box.y0 + tl.box.y1) / 2
    prev_mid = (prev.box.y0 + prev.box.y1) / 2
    left = [o for o in lines if o is not tl and o.page == tl.page and o.box.x1 <= tl.box.x0 + 0.5 * h
            and _overlap(o.box.y0, o.box.y1, tl.box.y0, tl.box.y1) >= 0.5 * min(o.height, tl.height)]
    # only the nearest line to the left: a label in the other column, with its own value
    # between, labels that value (a two-column licence's 类型 beside 营业期限's wrapped 7日)
    nearest = max(left, key=lambda o: o.box.x1, default=None)
    for o in ([nearest] if nearest is not None else []):
        o_mid = (o.box.y0 + o.box.y1) / 2
        if abs(o_mid - prev_mid) <= abs(o_mid - mid):
            continue
        hits = hits_by_line.get(id(o)) or []
        if hits and hits[-1].end >= len(o.folded) - 1:
            return True
    return False


def _wrapped(tl: TextLine, lines, h: float) -> bool:
    """Whether a line ran to the edge of its column: the nearest text to its right within
    a few rows (the other column of a two-column page) or the widest line of its own
    column, whichever is nearer."""
    hh = max(h, tl.height)
    row_right = [o.box.x0 for o in lines if o.page == tl.page and o is not tl
                 and o.box.x0 >= tl.box.x1 - 0.5 * hh
                 and o.box.y1 > tl.box.y0 - 3 * hh and o.box.y0 < tl.box.y1 + 3 * hh]
    # the widest line that starts where this one does
    widest = max(o.box.x1 for o in lines if o.page == tl.page and abs(o.box.x0 - tl.box.x0) < 1.5 * hh)
    edge = min(row_right + [widest])
    return tl.box.x1 >= edge - 3.2 * hh
