"""Site pages as a pure function of the model: `generate(kb, renderer) -> {path: markdown}`.

No MkDocs here: the plugin is a thin shell over this module, and the same pages can be written
as files for any generator that reads `mkdocs.yml`. Concept pages live at `concepts/<id>.md`,
type indexes at `types/<type>.md`, the bibliography at `references.md`, the concept map at
`map.md`.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import quote

import nh3

from ambidex import safety
from ambidex.model import Concept, ConceptType, KnowledgeBase, RelationType
from ambidex.render import Links, Renderer, escape_markdown

SITE_NAME = "Ambidex"
MAP_COLOURS = {
    "ambidexterity": "#c5cae9",
    "orientation": "#bbdefb",
    "trait": "#c8e6c9",
    "risk": "#ffcdd2",
    "dilemma": "#ffe0b2",
    "driver": "#d1c4e9",
    "outcome": "#b2dfdb",
    "practice": "#dcedc8",
    "case": "#f0f4c3",
}
MAP_LIMIT = 400  # above this many concepts, the full map shows only dilemmas, forms and their poles


# What the generated pages hold once MkDocs and its Markdown extensions have made HTML of them:
# the editors' allowlist plus the structure the extensions add (code highlighting, the BibTeX
# drop-downs, Mermaid blocks, footnotes, heading anchors, the emoji icon).
PAGE_TAGS = safety.ALLOWED_TAGS | {"details", "summary", "svg", "path", "sup", "small", "abbr"}
PAGE_ATTRIBUTES = {
    "*": {"class", "id"},
    "a": {"href", "title", "name"},
    "abbr": {"title"},
    "details": {"open"},
    "svg": {"xmlns", "viewBox", "viewbox", "width", "height"},
    "path": {"d"},
    "td": {"style"},
    "th": {"style"},
}
TITLE_TAGS = frozenset({"code", "em", "strong", "b", "i", "mark", "sub", "sup"})


def sanitise_page(content: str) -> str:
    """The HTML of a generated page with nothing the allowlist does not name: whatever an editor's
    text held, no script, event handler, style or javascript: link reaches the reader."""
    return nh3.clean(
        content,
        tags=set(PAGE_TAGS),
        attributes={tag: set(names) for tag, names in PAGE_ATTRIBUTES.items()},
        url_schemes=set(safety.URL_SCHEMES),
        filter_style_properties={"text-align"},
        link_rel=None,
    )


def sanitise_title(title: str) -> str:
    """A heading's title as the theme shows it in the table of contents (written unescaped)."""
    return nh3.clean(title, tags=set(TITLE_TAGS), attributes={})


def concept_path(concept_id: str) -> str:
    return f"concepts/{concept_id}.md"


def type_path(concept_type: ConceptType) -> str:
    return f"types/{concept_type.value}.md"


def _in_concepts(concept_id: str) -> str:
    return f"{concept_id}.md"


CONCEPT_LINKS = Links(concept=_in_concepts, reference=lambda key: f"#ref-{key}")


def _linkify(apa_html: str) -> str:
    """Make the DOI or URL at the end of an APA reference (HTML) a link."""

    def link(m: re.Match[str]) -> str:
        href = html.escape(html.unescape(m[1]))
        return f'<a href="{href}">{m[1]}</a>'

    return re.sub(r"(?<![\"=>])(https?://[^\s<\"]+?)(?=[.,;]?(?:\s|$|<))", link, apa_html)


def _text(text: str) -> str:
    """Plain text from the knowledge base as Markdown that shows it as typed (no markup, no HTML)."""
    return escape_markdown(text)


def _safe_html(markdown_text: str) -> str:
    """Markdown from the knowledge base with any HTML in it made text (Markdown still applies)."""
    return html.escape(markdown_text, quote=False)


def _meta(text: str) -> str:
    """A value for the page's front matter, which the theme writes into the HTML unescaped (and
    into <title> through `striptags`, which undoes the escaping: so no '</' survives it)."""
    return json.dumps(html.escape(text).replace("&lt;/", "&lt;\u200b/"))


def _bibtex_block(raw: str) -> list[str]:
    """A BibTeX entry as a fenced code block whose fence no line of the entry can close."""
    longest = max((len(run) for run in re.findall(r"`+", raw)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"    {fence}bibtex", *(f"    {line}" for line in raw.splitlines()), f"    {fence}"]


def _badge(concept_type: ConceptType) -> str:
    return (
        f'<span class="ambidex-badge ambidex-{concept_type.value}">{html.escape(concept_type.value)}</span>'
    )


def _link_list(kb: KnowledgeBase, ids: Iterable[str], url: str = "{}.md") -> str:
    return ", ".join(f"[{_text(kb.concepts[i].title)}]({url.format(i)})" for i in ids)


def _mermaid_id(concept_id: str) -> str:
    return "c_" + concept_id.replace("-", "_")


def _mermaid_text(text: str) -> str:
    """A node label that Mermaid shows as typed: anything but letters, digits and plain punctuation
    becomes one of Mermaid's entity codes (`#35;`), so no label can end the node or the diagram."""
    return re.sub(r"[^\w ,.;:!?'()\-–—/]", lambda m: f"#{ord(m.group())};", " ".join(text.split()))


def _mermaid(kb: KnowledgeBase, ids: Iterable[str], edges: Iterable[tuple[str, str, str]]) -> str:
    lines = ["```mermaid", "graph LR"]
    for cid in ids:
        label = _mermaid_text(kb.concepts[cid].title)
        lines.append(f'  {_mermaid_id(cid)}["{label}"]:::{kb.concepts[cid].type.value}')
    for source, label, target in edges:
        lines.append(f"  {_mermaid_id(source)} -->|{label}| {_mermaid_id(target)}")
    lines += [f"  classDef {t} fill:{colour},stroke:#555,color:#111" for t, colour in MAP_COLOURS.items()]
    lines.append("```")
    return "\n".join(lines)


def tension_map(kb: KnowledgeBase, tension_id: str) -> str:
    """A small map around one dilemma or form: its poles, their risks and what mitigates them."""
    nodes = [tension_id]
    edges: list[tuple[str, str, str]] = []
    frontier = [tension_id]
    wanted = {
        RelationType.POLE_OF,
        RelationType.RISK_OF,
        RelationType.MITIGATES,
        RelationType.ADDRESSES,
        RelationType.OPPOSES,
    }
    for _ in range(2):
        following = []
        for target in frontier:
            for edge in kb.backlinks(target):
                if edge.type in wanted and edge.source not in nodes:
                    nodes.append(edge.source)
                    following.append(edge.source)
                if edge.type in wanted:
                    edges.append((edge.source, edge.type.value, target))
        frontier = following
    return _mermaid(kb, nodes, list(dict.fromkeys(edges)))


class SitePages:
    """Every generated page of one knowledge base."""

    def __init__(self, kb: KnowledgeBase, renderer: Renderer, site_url: str = "") -> None:
        self.kb = kb
        self.r = renderer
        self.site_url = site_url.rstrip("/")

    def md(self, text: str) -> str:
        return self.r.markdown(text, CONCEPT_LINKS)

    def concept(self, c: Concept) -> str:
        kb = self.kb
        out = [
            "---",
            f"title: {_meta(c.title)}",
            f"description: {_meta(self.r.plain(c.summary))}",
            f"tags: {json.dumps(list(c.tags))}",
            "---",
            "",
            f"# {_text(c.title)}",
            "",
            f"{_badge(c.type)} [{c.type.label}](../{type_path(c.type)})",
            "",
            f'<div class="ambidex-summary" markdown>\n{self.md(c.summary)}\n</div>',
            "",
        ]
        if c.aliases:
            out += [f"*Also known as:* {', '.join(_text(a.name) for a in c.aliases)}", ""]
        if c.body.strip():
            out += [self.md(c.body).strip(), ""]
        if c.evidence:
            out += ["## Evidence", ""] + [f"- {self.md(e.text)}" for e in c.evidence] + [""]
        grouped: dict[RelationType, list[str]] = defaultdict(list)
        for rel in c.relations:
            if rel.target in kb.concepts:
                grouped[rel.type].append(rel.target)
        if grouped:
            out += ["## Relations", ""]
            out += [f"- **{t.label}:** {_link_list(kb, ids)}" for t, ids in grouped.items()] + [""]
        back: dict[RelationType, list[str]] = defaultdict(list)
        for edge in kb.backlinks(c.id):
            back[edge.type].append(edge.source)
        if back:
            out += ["## Linked from", ""]
            out += [f"- **{t.inverse_label}:** {_link_list(kb, ids)}" for t, ids in back.items()] + [""]
        if c.type in (ConceptType.DILEMMA, ConceptType.AMBIDEXTERITY) and back:
            out += ["## Map", "", tension_map(kb, c.id), ""]
        out += self._references(c)
        url = f"{self.site_url}/concepts/{c.id}/" if self.site_url else f"concepts/{c.id}/"
        out += [
            "## How to cite this page",
            "",
            f"{SITE_NAME}. (n.d.). *{_text(c.title)}*. "
            f"In *{SITE_NAME}: A knowledge base on sales ambidexterity*. {url}",
            "",
            f"<small>Source file: <code>{html.escape(c.path)}</code></small>",
            "",
        ]
        return "\n".join(out)

    def _references(self, c: Concept) -> list[str]:
        keys = self.r.cited_keys(c)
        if not keys:
            return []
        items = [
            f'- <span id="ref-{key}"></span>{_linkify(self.r.apa.entry(key))} '
            f"[:material-book-open-variant: all details](../references.md#{key})"
            for key in keys
        ]
        return ["## References", "", *items, ""]

    def type_index(self, concept_type: ConceptType) -> str:
        ids = sorted(self.kb.by_type(concept_type), key=lambda i: self.kb.concepts[i].title.casefold())
        out = [f"# {concept_type.label}", ""]
        if not ids:
            out.append("No entries yet.")
        for cid in ids:
            c = self.kb.concepts[cid]
            out += [
                f"- **[{_text(c.title)}](../{concept_path(cid)})** — {_safe_html(self.r.plain(c.summary))}"
            ]
        return "\n".join(out) + "\n"

    def references(self) -> str:
        out = ["# References", "", "Every work the knowledge base cites, in APA 7th edition style.", ""]
        for key in self.r.apa.sorted_keys():
            ref = self.kb.references[key]
            cited = self.kb.cited_by(key)
            out += [
                f'<div class="ambidex-reference" id="{html.escape(key)}" markdown>',
                "",
                _linkify(self.r.apa.entry(key)),
                "",
            ]
            if ref.doi:
                out += [f"DOI: [{_text(ref.doi)}](https://doi.org/{quote(ref.doi, safe='/:;._-')})", ""]
            if cited:
                out += [f"Cited in: {_link_list(self.kb, cited, url='concepts/{}.md')}", ""]
            out += ['??? abstract "BibTeX"', "", *_bibtex_block(ref.raw)]
            out += ["", "</div>", ""]
        return "\n".join(out)

    def concept_map(self) -> str:
        kb = self.kb
        ids = list(kb.concepts)
        if len(ids) > MAP_LIMIT:
            keep = {ConceptType.DILEMMA, ConceptType.AMBIDEXTERITY, ConceptType.ORIENTATION}
            ids = [i for i in ids if kb.concepts[i].type in keep][:MAP_LIMIT]
        kept = set(ids)
        edges = [
            (e.source, e.type.value, e.target) for e in kb.edges() if e.source in kept and e.target in kept
        ]
        legend = ", ".join(f"**{t.value}**" for t in ConceptType)
        return "\n".join(
            [
                "# Concept map",
                "",
                f"Every concept and its typed relations ({len(ids)} concepts, {len(edges)} relations). "
                f"Kinds of concept: {legend}. Each dilemma's page has a small map of its own.",
                "",
                _mermaid(kb, ids, edges),
                "",
            ]
        )

    def all(self) -> dict[str, str]:
        pages = {concept_path(c.id): self.concept(c) for c in self.kb.concepts.values()}
        pages.update({type_path(t): self.type_index(t) for t in ConceptType})
        pages["references.md"] = self.references()
        pages["map.md"] = self.concept_map()
        return pages
