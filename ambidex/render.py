"""Rendering text of the model: APA in-text citations, concept links, Markdown and safe HTML.

Pure functions of the model shared by the site and the API: `Renderer.markdown(text, links)`
turns the pandoc-style citations and `[[links]]` of a concept's text into Markdown whose
citations read as APA 7 author–date and link to references, and whose concept links carry the
target's title. `to_html` turns Markdown into sanitised HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from ambidex import markup, safety
from ambidex.bibliography import Apa
from ambidex.files import DiskCache
from ambidex.model import Citation, Concept, KnowledgeBase

UrlFor = Callable[[str], str]
BadgeFor = Callable[[str], str]


@dataclass(frozen=True)
class Links:
    """Where concept ids and reference keys point in the output; `badge`, when given, is the
    inline HTML put after each citation of a known reference (its source type and design)."""

    concept: UrlFor
    reference: UrlFor
    badge: BadgeFor | None = None


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]"})


def escape_markdown(text: str) -> str:
    """Plain text (a title, an APA label) as Markdown that shows it as it is: no markup, no HTML."""
    return html.escape(text.translate(_MD_SPECIAL), quote=False)


# Where a sentence, a list item or a heading starts: a concept title keeps its capital there.
_SENTENCE_START = re.compile(
    r"(?:\A|[.!?][\"”')\]]*\s+|\n[ \t]*\n|(?:\A|\n)[ \t]*(?:[-*+]|\d+[.)]|#+)[ \t]+)[*_\"“(\[]*\Z"
)
# A parenthesis closed just before a parenthetical citation, not the end of a Markdown link.
_CLOSING_PAREN = re.compile(r"\)[ \t]*\Z")
_LINK_END = re.compile(r"\]\([^()\s]*\)[ \t]*\Z")


_ABBREVIATIONS = frozenset({"e.g", "i.e", "vs", "cf", "al", "p", "pp", "ch", "no", "ed", "eds", "approx"})


def _starts_sentence(before: str) -> bool:
    found = _SENTENCE_START.search(before)
    if found is None:
        return False
    stop = before[: found.start() + 1]
    if not stop.endswith("."):
        return True
    word = re.split(r"[\s(\[]", stop[:-1])[-1].casefold()
    return not (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()))


def title_in_text(title: str, before: str) -> str:
    """A concept title as it reads in running text: lower-cased mid-sentence ('the path to
    employee burnout'), unless it starts the sentence or reads like a proper name (a capital
    on a later word, or a first word that is not a plain capitalised word, such as 'SPOC')."""
    first, _, rest = title.partition(" ")
    letters = [c for c in first if c.isalpha()]
    plain_word = bool(letters) and letters[0].isupper() and all(c.islower() for c in letters[1:])
    later_capitals = any(w[:1].isupper() for w in rest.split() if w != "I")
    if not plain_word or later_capitals or _starts_sentence(before[-200:]):
        return title
    return title[0].lower() + title[1:]


def _closes_a_parenthesis(text: str) -> bool:
    """Whether `text` ends with ')' (and spaces) closing a '(' of the same paragraph, so that a
    parenthetical citation after it can join that parenthesis instead of opening another."""
    if not _CLOSING_PAREN.search(text) or _LINK_END.search(text):
        return False
    paragraph = text.rstrip()[:-1].rsplit("\n\n", 1)[-1]
    depth = 0
    for char in reversed(paragraph):
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return True
            depth -= 1
    return False


class Renderer:
    """Renders the text of one knowledge base; APA strings are formatted once, on creation."""

    def __init__(self, kb: KnowledgeBase, apa: Apa | None = None, cache: DiskCache | None = None) -> None:
        self.kb = kb
        self.apa = apa if apa is not None else Apa(kb.references.values(), cache)

    # ------------------------------------------------------------ citations as text

    def _item(self, citation: Citation, link: UrlFor | None, badge: BadgeFor | None) -> str:
        known = citation.key in self.kb.references
        label = self.apa.label(citation.key) if known else f"{citation.key}?"
        if link is not None and known:
            label = f"[{escape_markdown(label)}]({link(citation.key)})"
        parts = [citation.prefix, label]
        text = " ".join(p for p in parts if p)
        if citation.locator:
            text += f", {citation.locator}"
        if citation.suffix:
            text += f", {citation.suffix}"
        mark = badge(citation.key) if badge is not None and known else ""
        return f"{text} {mark}" if mark else text

    def _narrative(self, citation: Citation, link: UrlFor | None, badge: BadgeFor | None) -> str:
        if citation.key not in self.kb.references:
            return f"{citation.key}?"
        author = self.apa.author(citation.key).replace(" & ", " and ")
        year = self.apa.year(citation.key)
        if citation.locator:
            year += f", {citation.locator}"
        if link is not None:
            author = f"[{escape_markdown(author)}]({link(citation.key)})"
        mark = badge(citation.key) if badge is not None else ""
        return f"{author} ({year}) {mark}" if mark else f"{author} ({year})"

    def in_text(
        self,
        citations: Iterable[Citation],
        narrative: bool = False,
        link: UrlFor | None = None,
        badge: BadgeFor | None = None,
    ) -> str:
        """APA 7 in-text form: `(see Gabler et al., 2017, p. 383; Mullins et al., 2020)`."""
        items = list(citations)
        if narrative and len(items) == 1:
            return self._narrative(items[0], link, badge)
        return "(" + "; ".join(self._item(c, link, badge) for c in self.apa_order(items)) + ")"

    @cached_property
    def _rank(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.apa.sorted_keys())}

    def apa_order(self, citations: list[Citation]) -> list[Citation]:
        """Works cited together in the order of the reference list (alphabetical by first
        author, then year), as APA orders them; a prefix such as 'see' stays at the front."""
        ordered = sorted(citations, key=lambda c: self._rank.get(c.key, len(self._rank)))
        if ordered and citations[0].prefix and ordered[0] is not citations[0]:
            moved = citations[0].prefix
            ordered = [
                replace(c, prefix=moved if c is ordered[0] else ("" if c is citations[0] else c.prefix))
                for c in ordered
            ]
        return ordered

    def in_text_linked(self, citations: Iterable[Citation], links: Links | None) -> str:
        """The in-text form with each citation linked and badged as `links` says."""
        if links is None:
            return self.in_text(citations)
        return self.in_text(citations, link=links.reference, badge=links.badge)

    # ------------------------------------------------------------ whole texts

    def markdown(self, text: str, links: Links | None) -> str:
        """Text with citations in APA form and concept links as Markdown links."""
        out: list[str] = []
        last = 0
        for span in markup.scan(text):
            gap = text[last : span.start]
            last = span.end
            # What comes before a span is read within its paragraph (and a title's sentence
            # within 200 characters), so rendering stays linear however many spans a text holds.
            paragraph = text[max(0, text.rfind("\n\n", 0, span.start)) : span.start]
            if isinstance(span, markup.CiteSpan) and span.bracketed and _closes_a_parenthesis(paragraph):
                # "(the thing) [@key]" reads "(the thing; Author, 2000)": one parenthesis, not two.
                inner = self.in_text(
                    span.citations,
                    link=links.reference if links else None,
                    badge=links.badge if links else None,
                )
                out.append(gap.rstrip()[:-1] + "; " + inner[1:])
                continue
            out.append(gap)
            if isinstance(span, markup.LinkSpan):
                target = self.kb.concepts.get(span.link.target)
                label = span.link.label or (
                    title_in_text(target.title, text[max(0, span.start - 200) : span.start])
                    if target
                    else span.link.target
                )
                if links is None:
                    out.append(label)
                elif target is not None:
                    out.append(f"[{escape_markdown(label)}]({links.concept(target.id)})")
                else:
                    out.append(escape_markdown(label))
            else:
                out.append(
                    self.in_text(
                        span.citations,
                        narrative=not span.bracketed,
                        link=links.reference if links else None,
                        badge=links.badge if links else None,
                    )
                )
        out.append(text[last:])
        return "".join(out)

    def plain(self, text: str) -> str:
        """Text with citations in APA form and concept links as their labels, no markup."""
        return self.markdown(text, None)

    def cited_keys(self, concept: Concept, also: Iterable[Citation] = ()) -> list[str]:
        """The keys a concept cites (and those of `also`), in APA reference-list order."""
        cited = set(concept.cited_keys) | {c.key for c in also}
        return [key for key in self.apa.sorted_keys() if key in cited]


def to_html(markdown_text: str) -> str:
    """Markdown -> sanitised HTML (no scripts, styles, event handlers or javascript: links).
    Text nested too deeply for the Markdown library is shown as it is, escaped."""
    return safety.sanitise(safety.markdown_html(markdown_text))
