"""The words of a text as a reader reads them: for measuring depth and comparing phrasing.

`visible_text(text)` blanks out citations (`[@key]`, narrative `@key`), the syntax of concept
links (keeping the label, or the id's words) and of Markdown links (keeping the text), URLs,
HTML tags and fenced code, keeping every other character where it was. Words are runs of
letters and digits, case-folded, with apostrophes inside a word removed. `word_count` counts
them; `Phrases.shared_runs` finds the runs of consecutive words a text shares with a set of
originals, in time linear in the length of both (the originals' n-grams are hashed once).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ambidex import markup

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_FENCED = re.compile(r"(?ms)^(```|~~~).*?^\1[^\n]*$")
_MD_LINK = re.compile(r"!?\[(?P<text>[^\[\]\n]*)\]\((?P<url>[^()\s]*)(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"<?https?://[^\s>)]+>?")
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blanked(text: str, ranges: list[tuple[int, int]]) -> str:
    """`text` with each range replaced by spaces (newlines kept, so offsets and lines hold)."""
    out: list[str] = []
    cursor = 0
    for start, end in sorted(ranges):
        start = max(start, cursor)
        if end <= start:
            continue
        out += [text[cursor:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def visible_text(text: str) -> str:
    """`text` with everything but its prose blanked out; offsets and lines are kept."""
    ranges: list[tuple[int, int]] = []
    for span in markup.scan(text):
        if isinstance(span, markup.LinkSpan):
            body = text[span.start + 2 : span.end - 2]
            label_at = body.find("|") + 1  # 0 when there is no label: the id stands for it
            ranges += [(span.start, span.start + 2 + label_at), (span.end - 2, span.end)]
        else:
            ranges.append((span.start, span.end))
    if "<" in text:
        ranges += [m.span() for m in _TAG.finditer(text)]
    if "```" in text or "~~~" in text:
        ranges += [m.span() for m in _FENCED.finditer(text)]
    if "](" in text:
        for m in _MD_LINK.finditer(text):
            ranges += [(m.start(), m.start("text")), (m.end("text"), m.end())]
    if "://" in text:
        ranges += [m.span() for m in _URL.finditer(text)]
    return _blanked(text, ranges) if ranges else text


def _normal(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().replace("'", "").replace("’", "")


def _tokens(visible: str) -> list[str]:
    """The normalised words of prose (or of a plain text, such as an original), in order."""
    if visible.isascii():  # the common case, in one pass of C code
        return [t.replace("'", "") if "'" in t else t for t in _WORD.findall(visible.lower())]
    return [_normal(t) for t in _WORD.findall(visible)]


def word_count(text: str) -> int:
    return len(_WORD.findall(visible_text(text)))


@dataclass(frozen=True)
class Run:
    """`length` consecutive words of a text, from `start` (an offset), found in `original`."""

    start: int
    length: int
    original: int
    excerpt: str


class Phrases:
    """Every run of `n` consecutive words of some original texts, hashed for look-up."""

    def __init__(self, texts: Sequence[str], n: int) -> None:
        self.n = n
        self._vocabulary: dict[str, int] = {}  # words as small ints: cheap to hash in n-grams
        self._grams: dict[tuple[int, ...], int] = {}
        for index, text in enumerate(texts):
            ids = [self._vocabulary.setdefault(t, len(self._vocabulary)) for t in _tokens(text)]
            for i in range(len(ids) - n + 1):
                self._grams.setdefault(tuple(ids[i : i + n]), index)

    def __bool__(self) -> bool:
        return bool(self._grams)

    def _match(self, ids: list[int], i: int) -> int | None:
        return self._grams.get(tuple(ids[i : i + self.n]))

    def shared_runs(self, text: str) -> Iterator[Run]:
        """Maximal runs of at least `n` consecutive words that `text` shares with an original."""
        visible = visible_text(text)
        tokens = _tokens(visible)
        ids = [self._vocabulary.get(t, -1) for t in tokens]  # -1: a word no original has
        n = self.n
        i, last = 0, len(tokens) - n
        while i <= last:
            window = ids[i : i + n]
            if -1 in window:  # no window holding this word can match: skip past it
                i += n - window[::-1].index(-1)
                continue
            original = self._match(ids, i)
            if original is None:
                i += 1
                continue
            end = i + 1  # the window starting at `end` continues the run
            while end <= last and self._match(ids, end) is not None:
                end += 1
            length = end - i + n - 1
            excerpt = " ".join(tokens[i : i + min(length, 12)])
            offset = next(m.start() for k, m in enumerate(_WORD.finditer(visible)) if k == i)
            yield Run(offset, length, original, excerpt + (" …" if length > 12 else ""))
            i = end
