"""Citation and concept-link syntax inside Markdown text.

`scan(text)` finds pandoc-style citations (`[@key]`, `[see @a, p. 5; @b]`, narrative `@key`) and
concept links (`[[id]]`, `[[id|label]]`) with their offsets. The loader uses it to collect what a
text cites and links; renderers use the same spans to replace them. Code spans and fenced blocks
are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ambidex.model import Citation, Link

# Citation keys are ASCII letters, digits and "_:.-": what BibTeX tools accept everywhere, and
# characters that stand for themselves in a URL path, an HTML id and a Markdown link.
KEY_CHARACTERS = "_:.-"
KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_:.-]*[A-Za-z0-9_])?"
# A bracketed group holds no brackets: each "[" is followed only up to the next bracket, so
# finding every group takes one pass over the text, whatever it holds.
_BRACKETED = re.compile(r"\[(?P<inner>[^\[\]]*)\](?!\(|\])")
_ITEM = re.compile(rf"^(?P<prefix>.*?)(?<![\w@])-?@(?P<key>{KEY})(?P<rest>.*)$", re.S)
_NARRATIVE = re.compile(rf"(?<![\w@/.:\-\[])@(?P<key>{KEY})")
_LINK = re.compile(r"\[\[(?P<target>[^\[\]|\n]+?)(?:\|(?P<label>[^\[\]\n]+?))?\]\]")
_CODE = re.compile(r"(?ms)^(?P<fence>```|~~~).*?^(?P=fence)[^\n]*$|`[^`\n]+`")
_LOCATOR = re.compile(
    r"^(?P<label>pages|page|pp|pg|p|chapter|chap|ch|section|sec|paragraph|para|figure|fig|"
    r"volume|vol|note|no|n)\b\.?\s*"
    r"(?P<value>(?:\d+[a-z]?|[ivxlc]+)(?:\s*[-–]+\s*(?:\d+[a-z]?|[ivxlc]+))?)(?P<rest>.*)$",
    re.S | re.I,
)
_NUMBERS = re.compile(r"^(?P<value>\d+(?:\s*[-–]+\s*\d+)?)(?P<rest>.*)$", re.S)


@dataclass(frozen=True)
class CiteSpan:
    start: int
    end: int
    citations: tuple[Citation, ...]
    bracketed: bool


@dataclass(frozen=True)
class LinkSpan:
    start: int
    end: int
    link: Link


Span = CiteSpan | LinkSpan


class _Lines:
    """Offset -> (line, col), both 1-based."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def locate(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1


def _split_locator(rest: str) -> tuple[str, str]:
    """`, p. 383, emphasis added` -> ('p. 383', 'emphasis added')."""
    rest = rest.strip()
    if not rest.startswith(","):
        return "", rest
    rest = rest[1:].strip()
    m = _LOCATOR.match(rest)
    if m:
        label = m["label"].lower()
        value = re.sub(r"\s*[-–]+\s*", "–", m["value"])
        if label in {"p", "pp", "pg", "page", "pages"}:
            label = "pp." if "–" in value else "p."
        else:
            label = label if label.endswith(".") or len(label) > 4 else label + "."
        return f"{label} {value}", m["rest"].strip(" ,")
    m = _NUMBERS.match(rest)
    if m:
        value = re.sub(r"\s*[-–]+\s*", "–", m["value"])
        return f"{'pp.' if '–' in value else 'p.'} {value}", m["rest"].strip(" ,")
    return "", rest


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the ordered, disjoint `spans` replaced by spaces."""
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], " " * (end - start)]
        last = end
    out.append(text[last:])
    return "".join(out)


Position = Callable[[int, int], tuple[int, int]]


def offset_locator(text: str, position: Position | None = None) -> Callable[[int], tuple[int, int]]:
    """Offset in `text` -> 1-based (line, col) in the text, or in the file through `position`."""
    lines = _Lines(text)

    def locate(offset: int) -> tuple[int, int]:
        line, col = lines.locate(offset)
        return position(line, col) if position else (line, col)

    return locate


def scan(text: str, position: Position | None = None) -> list[Span]:
    """Every citation group and concept link in `text`, in order of appearance.

    Citations and links carry 1-based (line, col) within `text`, or in the file when
    `position` maps a place in the text to a place in the file.
    """
    if "@" not in text and "[[" not in text:
        return []
    locate = offset_locator(text, position)
    visible = _mask(text, _CODE) if "`" in text or "~~~" in text else text
    spans: list[Span] = []
    for m in _LINK.finditer(visible):
        line, col = locate(m.start())
        link = Link(target=m["target"].strip(), label=(m["label"] or "").strip(), line=line, col=col)
        spans.append(LinkSpan(m.start(), m.end(), link))
    if spans:
        visible = _mask(visible, _LINK)
    groups = []
    for m in _BRACKETED.finditer(visible):
        at = m["inner"].find("@")
        if at < 0 or "\n" in m["inner"][:at]:
            continue
        groups.append(m)
        citations: list[Citation] = []
        offset = m.start("inner")
        for item in m["inner"].split(";"):
            parsed = _ITEM.match(item)
            if parsed is None:
                citations = []
                break
            locator, suffix = _split_locator(parsed["rest"])
            line, col = locate(offset + parsed.start("key") - 1)
            citations.append(
                Citation(
                    key=parsed["key"],
                    locator=locator,
                    prefix=parsed["prefix"].strip(),
                    suffix=suffix,
                    line=line,
                    col=col,
                )
            )
            offset += len(item) + 1
        if citations:
            spans.append(CiteSpan(m.start(), m.end(), tuple(citations), bracketed=True))
    visible = _blank(visible, [(m.start(), m.end()) for m in groups])
    for m in _NARRATIVE.finditer(visible):
        line, col = locate(m.start())
        citation = Citation(key=m["key"], narrative=True, line=line, col=col)
        spans.append(CiteSpan(m.start(), m.end(), (citation,), bracketed=False))
    spans.sort(key=lambda s: s.start)
    return spans


def citations_in(spans: list[Span]) -> tuple[Citation, ...]:
    return tuple(c for s in spans if isinstance(s, CiteSpan) for c in s.citations)


def links_in(spans: list[Span]) -> tuple[Link, ...]:
    return tuple(s.link for s in spans if isinstance(s, LinkSpan))
