"""Rendering text of the model: APA in-text citations, concept links, Markdown and safe HTML.

Pure functions of the model shared by the site and the API: `Renderer.markdown(text, links)`
turns the pandoc-style citations and `[[links]]` of a concept's text into Markdown whose
citations read as APA 7 author–date and link to references, and whose concept links carry the
target's title. `to_html` turns Markdown into sanitised HTML.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import markdown as markdown_lib

from ambidex import markup, safety
from ambidex.bibliography import Apa
from ambidex.files import DiskCache
from ambidex.model import Citation, Concept, KnowledgeBase

UrlFor = Callable[[str], str]


@dataclass(frozen=True)
class Links:
    """Where concept ids and reference keys point in the output."""

    concept: UrlFor
    reference: UrlFor


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]"})


def escape_markdown(text: str) -> str:
    """Plain text (a title, an APA label) as Markdown that shows it as it is: no markup, no HTML."""
    return html.escape(text.translate(_MD_SPECIAL), quote=False)


class Renderer:
    """Renders the text of one knowledge base; APA strings are formatted once, on creation."""

    def __init__(self, kb: KnowledgeBase, apa: Apa | None = None, cache: DiskCache | None = None) -> None:
        self.kb = kb
        self.apa = apa if apa is not None else Apa(kb.references.values(), cache)

    # ------------------------------------------------------------ citations as text

    def _item(self, citation: Citation, link: UrlFor | None) -> str:
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
        return text

    def _narrative(self, citation: Citation, link: UrlFor | None) -> str:
        if citation.key not in self.kb.references:
            return f"{citation.key}?"
        author = self.apa.author(citation.key).replace(" & ", " and ")
        year = self.apa.year(citation.key)
        if citation.locator:
            year += f", {citation.locator}"
        if link is not None:
            author = f"[{escape_markdown(author)}]({link(citation.key)})"
        return f"{author} ({year})"

    def in_text(
        self, citations: Iterable[Citation], narrative: bool = False, link: UrlFor | None = None
    ) -> str:
        """APA 7 in-text form: `(see Gabler et al., 2017, p. 383; Mullins et al., 2020)`."""
        items = list(citations)
        if narrative and len(items) == 1:
            return self._narrative(items[0], link)
        return "(" + "; ".join(self._item(c, link) for c in items) + ")"

    # ------------------------------------------------------------ whole texts

    def markdown(self, text: str, links: Links | None) -> str:
        """Text with citations in APA form and concept links as Markdown links."""
        out: list[str] = []
        last = 0
        for span in markup.scan(text):
            out.append(text[last : span.start])
            last = span.end
            if isinstance(span, markup.LinkSpan):
                target = self.kb.concepts.get(span.link.target)
                label = span.link.label or (target.title if target else span.link.target)
                if links is None:
                    out.append(label)
                elif target is not None:
                    out.append(f"[{escape_markdown(label)}]({links.concept(target.id)})")
                else:
                    out.append(escape_markdown(label))
            else:
                out.append(
                    self.in_text(
                        span.citations, narrative=not span.bracketed, link=links.reference if links else None
                    )
                )
        out.append(text[last:])
        return "".join(out)

    def plain(self, text: str) -> str:
        """Text with citations in APA form and concept links as their labels, no markup."""
        return self.markdown(text, None)

    def cited_keys(self, concept: Concept) -> list[str]:
        """The keys a concept cites, in APA reference-list order."""
        cited = set(concept.cited_keys)
        return [key for key in self.apa.sorted_keys() if key in cited]


_converters = threading.local()


def _converter() -> markdown_lib.Markdown:
    """One Markdown converter per thread: building one costs more than converting a page."""
    converter: markdown_lib.Markdown | None = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown_lib.Markdown(extensions=["extra", "sane_lists"])
        _converters.markdown = converter
    return converter


def to_html(markdown_text: str) -> str:
    """Markdown -> sanitised HTML (no scripts, styles, event handlers or javascript: links).
    Text nested too deeply for the Markdown library is shown as it is, escaped."""
    converter = _converter()
    try:
        raw = converter.convert(markdown_text)
    except RecursionError:
        raw = f"<pre>{html.escape(markdown_text)}</pre>"
    finally:
        converter.reset()
    return safety.sanitise(raw)
