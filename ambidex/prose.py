"""The words of a text as a reader reads them: for measuring depth and comparing phrasing.

`words(text)` drops citations (`[@key]`, narrative `@key`), keeps the label of a concept link
(`[[id|label]]`, or the id's words) and the text of a Markdown link, and drops URLs, HTML tags,
fenced code and Markdown punctuation. Words are case-folded, with apostrophes inside a word
removed, each with its offset in the text. `shared_runs` finds the runs of consecutive words a
text shares with a set of originals, in time linear in the length of both (the originals'
n-grams are hashed once).
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


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    offset: int


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def visible_text(text: str) -> str:
    """`text` with everything but its prose blanked out; offsets and lines are kept."""
    chars = list(text)
    for span in markup.scan(text):
        if isinstance(span, markup.LinkSpan):
            body = text[span.start + 2 : span.end - 2]
            label_at = body.find("|") + 1  # 0 when there is no label: the id stands for it
            _blank(chars, span.start, span.start + 2 + label_at)
            _blank(chars, span.end - 2, span.end)
        else:
            _blank(chars, span.start, span.end)
    for pattern in (_FENCED, _TAG):
        for m in pattern.finditer(text):
            _blank(chars, m.start(), m.end())
    for m in _MD_LINK.finditer(text):
        _blank(chars, m.start(), m.start("text"))
        _blank(chars, m.end("text"), m.end())
    for m in _URL.finditer(text):
        _blank(chars, m.start(), m.end())
    return "".join(chars)


def _normal(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().replace("'", "").replace("’", "")


def words(text: str, *, markup_aware: bool = True) -> list[Word]:
    """The words of `text` in order, normalised, with their offsets.

    With `markup_aware=False` the text is taken as plain prose (an original article)."""
    visible = visible_text(text) if markup_aware else text
    return [Word(_normal(m.group()), m.start()) for m in _WORD.finditer(visible)]


def word_count(text: str) -> int:
    return len(words(text))


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
        self._grams: dict[tuple[str, ...], int] = {}
        for index, text in enumerate(texts):
            seq = [w.text for w in words(text, markup_aware=False)]
            for i in range(len(seq) - n + 1):
                self._grams.setdefault(tuple(seq[i : i + n]), index)

    def __bool__(self) -> bool:
        return bool(self._grams)

    def shared_runs(self, text: str) -> Iterator[Run]:
        """Maximal runs of at least `n` consecutive words that `text` shares with an original."""
        seq = words(text)
        n = self.n
        i, last = 0, len(seq) - n
        while i <= last:
            original = self._grams.get(tuple(w.text for w in seq[i : i + n]))
            if original is None:
                i += 1
                continue
            end = i + 1  # the window starting at `end` continues the run
            while end <= last and self._grams.get(tuple(w.text for w in seq[end : end + n])) is not None:
                end += 1
            length = end - i + n - 1
            excerpt = " ".join(w.text for w in seq[i : i + min(length, 12)])
            yield Run(seq[i].offset, length, original, excerpt + (" …" if length > 12 else ""))
            i = end
