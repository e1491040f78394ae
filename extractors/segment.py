"""Split the eligibility text of a SourceDocument into numbered Criterion items.

Line based and linear: every line is classified once (blank, heading, marked item, plain
text), then a small state machine places items in sections and nests them.

- Headings ("Inclusion Criteria:", "Key Exclusion Criteria", "Patients will not be eligible
  ... if they:") set the section; neutral headings ("Eligibility Criteria:", the legacy
  "DISEASE CHARACTERISTICS:") do not. Text on the heading line after ":" is content.
- Nesting follows marker type, indentation and numbering sequences: a `1.` right after an item
  ending with ":" starts a sub-list; a number that continues an outer list returns to it.
- Lines without a marker continue the item above (hard wraps, extra paragraphs), except
  labels ("Performance status:"), intro sentences before the first item, and dedented
  paragraphs, which stand alone.
- Ids are I/E/U + number path. Letters and roman numerals count as numbers (b. -> 2);
  bullets are numbered in order; a number already used under the same parent takes the next
  free one so ids stay unique.

Every Criterion has text == doc.text[start:end] with (start, end) = span.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Criterion, SourceDocument

INCLUSION, EXCLUSION, UNSPECIFIED = "inclusion", "exclusion", "unspecified"
NEUTRAL = "neutral"  # a heading that does not change the section
NEUTRAL_LEGACY = "neutral-legacy"  # DISEASE CHARACTERISTICS and friends: labels follow
_PREFIX = {INCLUSION: "I", EXCLUSION: "E", UNSPECIFIED: "U"}

# --- markers ---------------------------------------------------------------------------

_ROMAN_VALUES = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
    "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15,
}
_MARKER = re.compile(
    r"""
    (?:
        (?P<num>\d{1,3})(?P<nump>[.)])(?:[ \t\u00a0]+|(?=[A-Z])|$)
      | \((?P<pnum>\d{1,3})\)(?:[ \t\u00a0]+|$)
      | (?P<rom>[ivx]{1,4}|[IVX]{1,4})(?P<romp>[.)])(?:[ \t\u00a0]+|$)
      | \((?P<prom>[ivx]{1,4}|[IVX]{1,4})\)(?:[ \t\u00a0]+|$)
      | (?P<alpha>[a-zA-Z])(?P<alphap>[.)])(?:[ \t\u00a0]+|$)
      | \((?P<palpha>[a-zA-Z])\)(?:[ \t\u00a0]+|$)
      | (?P<bullet>--|[-\u2013\u2014\u2022\u00b7\u25aa\u25cf\u25e6\u25a0\u25ba\u27a2\u2023\u2043\u2219*+o\uf0b7\uf0a7])(?:[ \t\u00a0]+|$)
      | (?P<dash>-)(?=[A-Za-z])
    )
    """,
    re.VERBOSE,
)
_MARKER_START = frozenset(
    "0123456789(-\u2013\u2014\u2022\u00b7\u25aa\u25cf\u25e6\u25a0\u25ba\u27a2\u2023\u2043\u2219*+\uf0b7\uf0a7"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
_DASHES = frozenset("-\u2013\u2014")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_AFTER_LETTER = frozenset(".) \t\u00a0")
_ROMAN_START = frozenset("ivxIVX")
_STRONG_START = frozenset(
    "-\u2013\u2014\u2022\u00b7\u25aa\u25cf\u25e6\u25a0\u25ba\u27a2\u2023\u2043\u2219*+\uf0b7\uf0a7"
)  # bullets: never taken for wrapped text
_ALPHA_SEQ_CHARS = frozenset("ivxIVX")

# --- headings --------------------------------------------------------------------------

_QUALIFIER = r"(?:(?:key|main|major|minor|primary|principal|general|specific|additional|other|selected|important|study|patient|subject)\s+)*"
_SECTION_HEAD = re.compile(
    r"^" + _QUALIFIER + r"(?P<kw>non[- ]?inclusion|inclusion|exclusion|inclusionary|exclusionary)s?"
    r"(?P<crit>\s+criteri(?:a|on|as|ons))?(?P<tail>.*)$",
    re.IGNORECASE,
)
_BOTH_HEAD = re.compile(
    r"^" + _QUALIFIER + r"(?:inclusion\s*(?:/|and|&|or)\s*exclusion|exclusion\s*(?:/|and|&|or)\s*inclusion)"
    r"(?:\s+criteri(?:a|on))?(?P<tail>.*)$",
    re.IGNORECASE,
)
_NEUTRAL_HEAD = re.compile(
    r"^(?:(?P<legacy>disease\s+characteristics|patient\s+characteristics|"
    r"prior\s*(?:/|and|-)?\s*concurrent\s+therap(?:y|ies)|protocol\s+entry\s+criteria)"
    r"|(?:general\s+|study\s+)?eligibility(?:\s+criteria)?|criteria|selection\s+criteria)"
    r"(?P<tail>.{0,30})$",
    re.IGNORECASE,
)
_ELIGIBLE_IF = re.compile(
    r"\b(?:eligible|ineligible|included|excluded|enrolled|participate)\b.{0,60}\bif\b", re.IGNORECASE
)
_CONTENT_TAIL = re.compile(
    r"\s+(?:(?!(?:for|of|in|to|and|or|applicable|apply|are|were|is|include[sd]?|at|during|from|per|on|"
    r"related|regarding|specific|common|general|part|cohort|group|arm|step|stage|phase|as|that|this|"
    r"will|must|may|should|can|have|has|met|listed|below|above|were|be)\b)[A-Za-z]|\d{1,2}[.)]\s|[-\u2022*]\s)",
    re.IGNORECASE,
)
_SECTION_START = re.compile(
    r"^" + _QUALIFIER + r"(?P<kw>non[- ]?inclusion|inclusion|exclusion)\s+criteri(?:a|on)\b", re.IGNORECASE
)
_MIDLINE_HEAD = re.compile(
    r"(?<=[\w.;:)%\]] )(?:(?:Key|Main|Major|KEY|MAIN|MAJOR) )?(?:Inclusion|Exclusion|INCLUSION|EXCLUSION) "
    r"(?:Criteria|CRITERIA|criteria)\b(?=\s*(?::|$)|\s+(?:\d{1,2}[.)]|[-\u2022*])\s)"
)
_NOT_BEFORE_HEADING = frozenset(
    "the all any following meet meets met of these other above below and or to by study trial protocol "
    "specific general additional satisfy satisfies fulfil fulfill fulfills with per see under in no key main "
    "major primary principal selected important".split()
)
_TAIL_AFTER_KEYWORD = re.compile(r"^\s*(?:\(|-|\u2013|for\b|of\b|in\b)")
_NEGATIVE = re.compile(r"\b(?:not|ineligible|excluded|cannot|won't)\b", re.IGNORECASE)
_HEAD_STRIP = " \t\u00a0*#_=-\u2013\u2014~"

# --- labels and intros -----------------------------------------------------------------

LEGACY_LABELS = (
    "Age", "Sex", "Menopausal status", "Hormone receptor status", "Performance status",
    "Life expectancy", "Hematopoietic", "Hematologic", "Hepatic", "Renal", "Cardiovascular",
    "Pulmonary", "Neurologic", "Neurological", "Gastrointestinal", "Immunologic", "Metabolic",
    "Endocrine", "Nutrition", "Weight", "Other", "Biologic therapy", "Chemotherapy",
    "Endocrine therapy", "Radiotherapy", "Radiation therapy", "Surgery", "Other therapy",
)
_LABEL_ALT = "|".join(re.escape(l).replace(r"\ ", r"\s+") for l in sorted(LEGACY_LABELS, key=len, reverse=True))
_CANONICAL_LABEL = {label.lower(): label for label in LEGACY_LABELS}
_KNOWN_LABEL_LINE = re.compile(r"^(?:" + _LABEL_ALT + r")\s*:?$", re.IGNORECASE)
_KNOWN_LABEL_PREFIX = re.compile(r"^(?P<label>" + _LABEL_ALT + r")\s*:", re.IGNORECASE)
_GROUP_LABEL = re.compile(
    r"^(?:part|cohort|group|arm|step|stage|phase|stratum|module)\s+[\w-]{1,6}\s*:?$", re.IGNORECASE
)
_INTRO_WORDS = re.compile(
    r"following|criteri|eligib|must meet|all of|any of|included|excluded|\bas follows\b", re.IGNORECASE
)
_INTRO_MAX = 250  # longer unmarked paragraphs before the first item are criteria, not intros
_LABEL_MAX_WORDS = 6
_LABEL_MAX_CHARS = 60
_WRAP_MIN, _WRAP_MAX = 50, 100
MAX_DEPTH = 12  # nesting levels kept; real criteria rarely go past 4
_MAX_SPLITS = 8  # mid-line headings split off one physical line
_LOOKAHEAD_ITEMS = 200  # bound on the tie-break scan in _place (keeps segmentation linear)  # a line this long that ends mid-sentence was hard-wrapped

# line kinds
_BLANK, _TEXT, _ITEM, _HEADING = 0, 1, 2, 3


@dataclass(slots=True)
class _Level:
    kind: str
    indent: int
    last: int | None  # last value seen (ordered kinds)
    last_id: str
    parent_id: str | None


@dataclass(slots=True)
class _Pending:
    start: int | None
    end: int
    marked: bool
    indent: int
    id: str | None = None
    parent: str | None = None
    label: str | None = None
    intro_ok: bool = False  # an unmarked paragraph before the first item of a marked block


def classify_heading(content: str) -> tuple[str, int] | None:
    """(section or 'neutral', offset of inline content or -1) when `content` is a heading.

    `content` is a stripped line (marker removed). Offsets index `content`.
    """
    low = content[:120].lower()
    if not ("clusion" in low or "criteri" in low or "eligib" in low or "characteristic" in low
            or "concurrent" in low):
        return None
    return _classify_heading(content)


def _classify_heading(content: str) -> tuple[str, int] | None:
    """classify_heading after its cheap test (one of the heading words in the first 120 characters)."""
    lead = len(content) - len(content.lstrip(_HEAD_STRIP))
    body = content[lead:]
    colon = body.find(":")
    if colon >= 0:
        head = body[:colon].rstrip(_HEAD_STRIP)
        rest_at = colon + 1
        while rest_at < len(body) and body[rest_at] in " \t\u00a0*":
            rest_at += 1
        inline = lead + rest_at if rest_at < len(body) else -1
    else:
        head = body.rstrip(_HEAD_STRIP + ".")
        inline = -1
    start = _SECTION_START.match(body)
    if start is not None:
        after = body[start.end():]
        if _CONTENT_TAIL.match(after) and not after.lstrip().startswith((":", "-", "\u2013", "(")):
            # "Inclusion criteria Healthy volunteers", "INCLUSION CRITERIA 1. Consent ...": content follows
            kw = start.group("kw").lower()
            return (INCLUSION if kw == "inclusion" else EXCLUSION), lead + start.end() + len(after) - len(after.lstrip())
    if len(head) > 110:
        return None
    m = _BOTH_HEAD.match(head)
    if m and len(m.group("tail")) <= 40:
        return NEUTRAL, inline
    m = _SECTION_HEAD.match(head)
    if m:
        tail = m.group("tail")
        if m.group("crit"):
            ok = len(tail) <= 50
        else:
            ok = not tail.strip() or bool(_TAIL_AFTER_KEYWORD.match(tail)) and len(tail) <= 40
        if ok:
            kw = m.group("kw").lower()
            section = INCLUSION if kw in ("inclusion", "inclusionary") else EXCLUSION
            return section, inline
    m = _NEUTRAL_HEAD.match(head)
    if m and (not m.group("tail").strip() or m.group("tail").lstrip()[:1] in "(-\u2013"):
        return (NEUTRAL_LEGACY if m.group("legacy") else NEUTRAL), inline
    if colon >= 0 and inline < 0 and len(head) <= 100 and _ELIGIBLE_IF.search(head):
        return (EXCLUSION if _NEGATIVE.search(head) else INCLUSION), -1
    return None


def _label_cuts(text: str, start: int, end: int) -> list[int]:
    """Offsets of capitalised known labels followed by ':' in text[start:end] ("Age:", "Renal:")."""
    cuts = []
    i = text.find(":", start, end)
    while i >= 0:
        floor = max(start, i - 40)  # labels are short: bounded look-back keeps this linear
        pos = i
        while pos > floor and text[pos - 1] in " \t":
            pos -= 1
        words: list[str] = []
        found = -1
        for _ in range(3):  # labels have at most three words
            e = pos
            while pos > floor and not text[pos - 1].isspace():
                pos -= 1
            if pos == e or (pos == floor and floor > start and not text[pos - 1].isspace()):
                break
            words.insert(0, text[pos:e])
            phrase = " ".join(words)
            if phrase[0].isupper() and phrase.lower() in _CANONICAL_LABEL:
                found = pos
            while pos > floor and text[pos - 1].isspace():
                pos -= 1
        if found >= 0:
            cuts.append(found)
        i = text.find(":", i + 1, end)
    return cuts


def _midline_heading(content: str) -> int:
    """Offset of an Inclusion/Exclusion Criteria heading in the middle of a flattened line, or -1."""
    for m in _MIDLINE_HEAD.finditer(content, 1):
        end = m.start()
        while end > 0 and content[end - 1] == " ":
            end -= 1
        begin = max(0, end - 40)  # bounded look-back keeps long lines linear
        word = content[begin:end].rsplit(" ", 1)[-1].lower()
        if end > 4 and word not in _NOT_BEFORE_HEADING:
            return m.start()
    return -1


def match_marker(content: str) -> re.Match[str] | None:
    if content and content[0] in _MARKER_START:
        return _MARKER.match(content)
    return None


def canonical_label(label: str) -> str:
    """'Performance Status' -> 'Performance status' for the known legacy labels."""
    label = " ".join(label.split())
    return _CANONICAL_LABEL.get(label.lower(), label)


def _label_only(s: str) -> str | None:
    """The label when a whole (unmarked) paragraph is just a label: 'Performance status:'."""
    if _KNOWN_LABEL_LINE.match(s) or _GROUP_LABEL.match(s):
        return canonical_label(s.rstrip(": \t"))
    if s.endswith(":") and len(s) <= _LABEL_MAX_CHARS and "\n" not in s:
        head = s[:-1].strip()
        if head and len(head.split()) <= _LABEL_MAX_WORDS and not head.endswith((".", ",", ";")):
            return head
    return None


class _Segmenter:
    def __init__(self, doc: SourceDocument):
        self.text = doc.text
        self.section = UNSPECIFIED
        self.label: str | None = None
        self.legacy = False
        self.stack: list[_Level] = []
        self.used: dict[str, list] = {}  # parent key -> [set of numbers, max]
        self.pending: _Pending | None = None
        self.out: list[Criterion] = []
        self.block_marked = False
        self.seen_item_in_block = False
        self.rows: list[tuple] = []
        self.row_index = 0

    # --- numbering -----------------------------------------------------------------------

    def _new_id(self, parent_id: str | None, value: int | None) -> str:
        """The document's number when free under this parent, else the next free one."""
        key = parent_id if parent_id is not None else _PREFIX[self.section]
        slot = self.used.get(key)
        if slot is None:
            slot = self.used[key] = [set(), 0]
        used = slot[0]
        n = value if value is not None and value not in used else slot[1] + 1
        used.add(n)
        if n > slot[1]:
            slot[1] = n
        return f"{key}.{n}" if parent_id is not None else f"{key}{n}"

    # --- nesting -------------------------------------------------------------------------

    def _place(self, kind: str, value: int | None, indent: int, ends_colon: bool) -> tuple[str, str | None]:
        """Put a marked item on the stack; returns (id, parent id)."""
        st = self.stack
        if len(st) == 1:  # fast path: the next item of a flat list
            lv = st[0]
            if lv.kind == kind and -1 <= lv.indent - indent <= 1 and (value is None or lv.last == value - 1):
                item_id = self._new_id(None, value)
                if value is not None:
                    lv.last = value
                lv.last_id = item_id
                return item_id, None
        while st and st[-1].indent > indent + 1:
            st.pop()
        target: int | None = None  # index of the level the item joins as a sibling
        push = False
        if not st:
            push = True
        else:
            if value is not None:
                want = value - 1
                fits = None
                for i, lv in enumerate(st):
                    if lv.last == want and lv.kind == kind and -1 <= lv.indent - indent <= 1:
                        if fits is None:
                            fits = [i]
                        else:
                            fits.append(i)
                if fits is None:
                    pass
                elif len(fits) == 1:
                    target = fits[0]
                else:
                    # Both an outer list and a sub-list continue with this number: "3." after
                    # "2. ...: / 1. / 2." Stay inside when the same number comes again later
                    # (the outer list still needs it), else return to the outer list.
                    target = fits[-1] if self._value_recurs(kind, value, indent) else fits[0]
            else:
                for i in range(len(st) - 1, -1, -1):
                    lv = st[i]
                    if lv.kind == kind and abs(lv.indent - indent) <= 1:
                        target = i
                        break
            if target is None:
                top = st[-1]
                if indent > top.indent + 1:
                    push = True
                elif top.kind == kind:
                    if value == 1 and top.last is not None and top.last >= 1 and ends_colon:
                        push = True
                    else:
                        target = len(st) - 1
                else:
                    lower = None
                    if value is not None and value != 1:
                        for i in range(len(st) - 2, -1, -1):
                            if st[i].kind == kind and abs(st[i].indent - indent) <= 1:
                                lower = i
                                break
                    if lower is not None:
                        target = lower
                    elif kind.startswith("b") and top.kind.startswith("b") and not ends_colon:
                        target = len(st) - 1
                    else:
                        push = True
        if push and len(st) >= MAX_DEPTH:
            push, target = False, len(st) - 1  # deeper lists than this are flattened
        if push:
            parent_id = st[-1].last_id if st else None
            item_id = self._new_id(parent_id, value)
            st.append(_Level(kind, indent, value, item_id, parent_id))
            return item_id, parent_id
        assert target is not None
        del st[target + 1:]
        lv = st[target]
        item_id = self._new_id(lv.parent_id, value)
        lv.last = value if value is not None else lv.last
        lv.last_id = item_id
        return item_id, lv.parent_id

    def _value_recurs(self, kind: str, value: int, indent: int) -> bool:
        """Does `value` occur again among the next items of this kind, before a restart at 1?"""
        rows = self.rows
        seen = 0
        for j in range(self.row_index + 1, min(len(rows), self.row_index + 1 + 10 * _LOOKAHEAD_ITEMS)):
            row = rows[j]
            if row[0] == _HEADING:
                return False
            if row[0] != _ITEM or abs(row[3] - indent) > 1:
                continue
            _m, k, v = row[5]
            if k != kind:
                continue
            if v == value:
                return True
            seen += 1
            if v == 1 or seen >= _LOOKAHEAD_ITEMS:
                return False
        return False

    def _continues_sequence(self, kind: str, value: int) -> bool:
        return any(lv.kind == kind and lv.last is not None and lv.last + 1 == value for lv in self.stack)

    # --- emitting ------------------------------------------------------------------------

    def _emit(self, cid: str, parent: str | None, start: int, end: int, label: str | None) -> None:
        text = self.text[start:end]
        if ":" in text[:40]:
            m = _KNOWN_LABEL_PREFIX.match(text)
            if m:
                label = canonical_label(m.group("label"))
        self.out.append(Criterion(cid, self.section, parent, text, (start, end), label))

    def _finish(self) -> None:
        p = self.pending
        self.pending = None
        if p is None or p.start is None:
            return
        if p.marked:
            self._emit(p.id, p.parent, p.start, p.end, p.label)
            return
        text = self.text[p.start:p.end]
        label = _label_only(text)
        if label is not None:
            self.label = label
            self.stack.clear()
            return
        if text.endswith(":") and len(text) <= 200:
            # "Patients must have one of the following:", "Excluded within 7 days of study entry:"
            # introduces what follows, and labels it (a window stated there applies to the items)
            self.label = " ".join(text[:-1].split())
            return
        if p.intro_ok and len(text) <= _INTRO_MAX and _INTRO_WORDS.search(text):
            return  # intro sentence before the first item
        self.stack.clear()
        if self.legacy:
            self._emit_legacy_paragraph(p.start, p.end)
        else:
            self._emit(self._new_id(None, None), None, p.start, p.end, self.label)

    def _emit_legacy_paragraph(self, start: int, end: int) -> None:
        """'Age: 17 and over Performance status: ECOG 0-2 ...' -> one criterion per label."""
        text = self.text
        bounds = [start] + [c for c in _label_cuts(text, start, end) if c > start] + [end]
        for a, b in zip(bounds, bounds[1:]):
            while b > a and text[b - 1].isspace():
                b -= 1
            while a < b and text[a].isspace():
                a += 1
            if a >= b:
                continue
            piece = text[a:b]
            m = _KNOWN_LABEL_PREFIX.match(piece)
            if m and not piece[m.end():].strip():
                self.label = canonical_label(m.group("label"))  # "Renal:" with nothing after
                continue
            self._emit(self._new_id(None, None), None, a, b, self.label)

    # --- line handling -------------------------------------------------------------------

    def heading(self, section: str) -> None:
        self._finish()
        if section == NEUTRAL_LEGACY:
            self.legacy = True
        elif section != NEUTRAL:
            self.section = section
        self.label = None
        self.stack.clear()
        self.seen_item_in_block = False

    def item(self, marker: tuple, cs: int, ce: int, indent: int, blank_before: bool) -> bool:
        """A marked line. Returns False when the marker is taken for wrapped text instead."""
        m, kind, value = marker
        if kind[0] in "rR" and len(m.group("rom") or m.group("prom")) == 1:
            kind, value = _marker_kind(m, self.stack)  # "i." after "h." is a letter
        p = self.pending
        if (value is not None and value != 1 and not blank_before and p is not None
                and (kind[0] != "n" or indent > p.indent)
                and not self._continues_sequence(kind, value)):
            return False  # "C) for 2 weeks" in the middle of a wrapped item
        if p is not None and p.marked and p.start is not None:  # the common case, inlined
            ends_colon = self.text[p.end - 1] == ":"
            self.pending = None
            self._emit(p.id, p.parent, p.start, p.end, p.label)
        else:
            ends_colon = False
            self._finish()
        item_id, parent = self._place(kind, value, indent, ends_colon)
        start = cs + m.end()
        if start >= ce:
            self.pending = _Pending(None, ce, True, indent, item_id, parent, self.label)
        else:
            self.pending = _Pending(start, ce, True, indent, item_id, parent, self.label)
        self.seen_item_in_block = True
        return True

    def plain(self, cs: int, ce: int, indent: int, line_len: int, blank_before: bool, prev_len: int) -> None:
        p = self.pending
        if p is not None:
            if p.start is None:  # marker alone on its line: the text starts here
                p.start, p.end = cs, ce
                return
            if not blank_before:
                if self.block_marked or p.marked or self._joins_wrapped(p, prev_len, indent):
                    p.end = ce
                    return
            elif p.marked:
                s = self.text[cs:ce]
                root = self.stack[0].indent if self.stack else p.indent
                if not (indent < root - 1 or _label_only(s) is not None
                        or (self.legacy and _KNOWN_LABEL_PREFIX.match(s))):
                    p.end = ce  # another paragraph of the item above
                    return
        self._finish()
        self.pending = _Pending(cs, ce, False, indent, intro_ok=self.block_marked and not self.seen_item_in_block)

    def _joins_wrapped(self, p: _Pending, prev_len: int, indent: int) -> bool:
        """Unmarked text without markers: does this line continue the previous one?"""
        if self.legacy:
            return True
        if indent > p.indent:
            return True
        last = self.text[p.end - 1]
        return _WRAP_MIN <= prev_len <= _WRAP_MAX and last not in ".:;"

    def result(self) -> list[Criterion]:
        self._finish()
        parents = {c.parent for c in self.out}
        parents.discard(None)
        ids = {c.id for c in self.out} if parents else None
        if parents and not parents <= ids:  # a parent that is not a criterion
            # an empty item ("3." with nothing after) has no criterion: hand its children up
            for c in self.out:
                parent = c.parent
                while parent is not None and parent not in ids:
                    cut = parent.rfind(".")
                    parent = parent[:cut] if cut > 0 else None
                c.parent = parent
        return self.out


def _marker_kind(m: re.Match[str], stack: list[_Level] | tuple) -> tuple[str, int | None]:
    g = m.group
    last = m.lastgroup
    if last == "bullet" or last == "dash":
        bullet = g(last)
        return ("b-" if bullet in _DASHES or bullet == "--" else "b" + bullet), None
    if last == "nump":
        return "n" + g("nump"), int(g("num"))
    if g("num") is not None:
        return "n" + g("nump"), int(g("num"))
    if g("pnum") is not None:
        return "n()", int(g("pnum"))
    rom = g("rom") or g("prom")
    if rom is not None:
        punct = g("romp") or "()"
        if len(rom) == 1:  # "i." / "v." / "x." may be letters of an a. b. c. list
            letter_kind = ("a" if rom.islower() else "A") + punct
            want = ord(rom.lower()) - 96
            if any(lv.kind == letter_kind and lv.last is not None and lv.last + 1 == want for lv in stack):
                return letter_kind, want
        value = _ROMAN_VALUES.get(rom.lower())
        if value is not None:
            return ("r" if rom.islower() else "R") + punct, value
        letter_kind = ("a" if rom.islower() else "A") + punct
        return letter_kind, ord(rom[0].lower()) - 96 if len(rom) == 1 else None
    alpha = g("alpha") or g("palpha")
    if alpha is not None:
        punct = g("alphap") or "()"
        return ("a" if alpha.islower() else "A") + punct, ord(alpha.lower()) - 96
    bullet = g("bullet") or g("dash")
    if bullet in _DASHES or bullet == "--":
        return "b-", None
    return "b" + bullet, None


def _lines(text: str, start: int, end: int):
    """(line start, content start, content end, indent) for each line of text[start:end]."""
    pos = start
    for line in text[start:end].split("\n"):
        n = len(line)
        stripped = line.lstrip()
        if stripped:
            lead = n - len(stripped)
            cs = pos + lead
            ce = pos + len(line.rstrip())
            indent = lead + 3 * line.count("\t", 0, lead)
            yield pos, cs, ce, indent
        else:
            yield pos, -1, -1, 0
        pos += n + 1


def segment_criteria(doc: SourceDocument) -> list[Criterion]:
    """The criteria of `doc.text[doc.criteria_region]`, in document order."""
    if doc.criteria_region is None:
        return []
    start, end = doc.criteria_region
    text = doc.text
    start = max(0, start)
    end = min(len(text), end)
    if start >= end:
        return []

    # pass 1: classify lines. A heading may carry inline content (a second "virtual" row), and
    # a flattened line may hold a heading mid-way ("... 18 years old Exclusion Criteria: - X").
    rows: list[tuple] = []  # (kind, cs, ce, indent, line_len, payload, blank_before)
    append = rows.append
    last_value: dict[str, int | None] = {}  # marker kind -> last value, within a block
    marked_blocks: list[bool] = []  # per block (between headings): has marked items
    has_items = False
    prev = _BLANK
    prev_indent = 0
    pos = start
    for line in text[start:end].split("\n"):
        n = len(line)
        ls = pos
        pos += n + 1
        stripped = line.lstrip()
        if not stripped:
            prev = _BLANK
            continue
        content = stripped.rstrip()
        lead = n - len(stripped)
        cs = ls + lead
        line_ce = ce = cs + len(content)
        indent = lead + 3 * line.count("\t", 0, lead) if lead else 0
        splits = 0
        while True:
            split_at = -1
            if splits < _MAX_SPLITS and ("riteria" in content or "RITERIA" in content):
                splits += 1
                split_at = _midline_heading(content)
                if split_at > 0:
                    content = content[:split_at].rstrip()
                    ce = cs + len(content)
            blank = prev == _BLANK or prev == _HEADING
            c0 = content[0]
            if c0 in _MARKER_START and (c0 not in _LETTERS or content[1:2] in _AFTER_LETTER or c0 in _ROMAN_START):
                m = _MARKER.match(content)
            else:
                m = None
            if m:
                me = m.end()
                low = content[me:me + 120].lower()
            else:
                me = 0
                low = content[:120].lower()
            if ("clusion" in low or "criteri" in low or "eligib" in low or "characteristic" in low
                    or "concurrent" in low):
                head = _classify_heading(content[me:] if me else content)
            else:
                head = None
            if head is not None:
                section, inline = head
                last_value.clear()
                marked_blocks.append(has_items)
                has_items = False
                append((_HEADING, cs, ce, indent, ce - ls, section, True))
                prev = _HEADING
                if inline >= 0:
                    ics = cs + me + inline
                    im = match_marker(text[ics:ce])
                    if im:
                        kind, value = _marker_kind(im, ())
                        last_value[kind] = value
                        append((_ITEM, ics, ce, indent, ce - ls, (im, kind, value), True))
                        has_items = True
                        prev = _ITEM
                    else:
                        append((_TEXT, ics, ce, indent, ce - ls, None, True))
                        prev = _TEXT
            else:
                if m is not None:
                    last = m.lastgroup
                    if last == "nump":  # _marker_kind's common cases, inlined
                        kind, value = "n" + m.group("nump"), int(m.group("num"))
                    elif last == "bullet":
                        bullet = m.group("bullet")
                        kind, value = ("b-" if bullet in _DASHES or bullet == "--" else "b" + bullet), None
                    else:
                        kind, value = _marker_kind(m, ())
                    if kind[0] in "rR" and len(m.group("rom") or m.group("prom")) == 1:
                        letter_kind = ("a" if kind[0] == "r" else "A") + kind[1:]
                        if last_value.get(letter_kind) == ord(content[content[0] == "("].lower()) - 97:
                            kind, value = letter_kind, last_value[letter_kind] + 1  # "i." after "h."
                    if content[0] not in _STRONG_START:
                        # a letter / roman / number marker glued to the line above that breaks the
                        # sequence is wrapped text ("... (≥ 38.5°\nC) for 2 weeks")
                        if value is not None and value != 1 and (prev == _TEXT or prev == _ITEM) and last_value.get(kind) != value - 1 and (
                                kind[0] != "n" or indent > prev_indent):
                            m = None
                        else:
                            last_value[kind] = value
                if m is not None:
                    append((_ITEM, cs, ce, indent, ce - ls, (m, kind, value), blank))
                    has_items = True
                    prev = _ITEM
                elif not blank and prev == _ITEM and rows[-1][5][0].end() < rows[-1][2] - rows[-1][1]:
                    # a wrapped line right under an item always continues it: extend that row
                    kind_, cs_, _ce, indent_, len_, payload_, blank_ = rows[-1]
                    rows[-1] = (kind_, cs_, ce, indent_, len_, payload_, blank_)
                else:
                    append((_TEXT, cs, ce, indent, ce - ls, None, blank))
                    prev = _TEXT
                prev_indent = indent
            if split_at <= 0:
                break
            cs += split_at
            ce = line_ce
            content = text[cs:ce]
    marked_blocks.append(has_items)

    seg = _Segmenter(doc)
    seg.rows = rows
    block = 0
    seg.block_marked = marked_blocks[0]
    prev_len = 0
    for index, (kind, cs, ce, indent, line_len, payload, blank_before) in enumerate(rows):
        if kind == _HEADING:
            seg.heading(payload)
            block += 1
            seg.block_marked = marked_blocks[block]
            prev_len = 0
            continue
        if kind == _ITEM:
            seg.row_index = index
            if seg.item(payload, cs, ce, indent, blank_before):
                prev_len = line_len
                continue
        seg.plain(cs, ce, indent, line_len, blank_before, prev_len)
        prev_len = line_len
    return seg.result()


def find_first_heading(text: str, start: int = 0, end: int | None = None) -> tuple[int, str] | None:
    """(offset of the line, section) of the first inclusion/exclusion heading in text[start:end]."""
    end = len(text) if end is None else end
    for ls, cs, ce, _indent in _lines(text, start, end):
        if cs < 0:
            continue
        content = text[cs:ce]
        m = match_marker(content)
        head = classify_heading(content[m.end():] if m else content)
        if head is not None and head[0] in (INCLUSION, EXCLUSION):
            return cs, head[0]
    return None


def looks_like_criteria_list(text: str, start: int = 0, end: int | None = None) -> bool:
    """Conservative test for headingless criteria: mostly a bulleted/numbered list of items."""
    end = len(text) if end is None else end
    items = other = 0
    item_chars = other_chars = 0
    for _ls, cs, ce, _indent in _lines(text, start, end):
        if cs < 0:
            continue
        if match_marker(text[cs:ce]):
            items += 1
            item_chars += ce - cs
        else:
            other += 1
            other_chars += ce - cs
    if items < 2:
        return False
    return items >= other and item_chars >= other_chars and bool(_CRITERIA_WORDS.search(text, start, end))


_CRITERIA_WORDS = re.compile(
    r"\b(?:age[ds]?|years?|patients?|subjects?|participants?|diagnos\w*|history|must|eligible|prior|"
    r"pregnan\w*|consent|ECOG|treatment)\b|[\u2265\u2264<>]",
    re.IGNORECASE,
)
