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

from ambidex.model import (
    TENSION_TYPES,
    Citation,
    Concept,
    ConceptType,
    KnowledgeBase,
    Reference,
    RelationType,
)
from ambidex.render import Links, Renderer

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


def concept_path(concept_id: str) -> str:
    return f"concepts/{concept_id}.md"


def type_path(concept_type: ConceptType) -> str:
    return f"types/{concept_type.value}.md"


def _in_concepts(concept_id: str) -> str:
    return f"{concept_id}.md"


CONCEPT_LINKS = Links(concept=_in_concepts, reference=lambda key: f"#ref-{key}")


def evidence_badge(ref: Reference) -> str:
    """The source type and design of a reference as a small inline badge with a tooltip."""
    label = ref.evidence_label()
    if not label:
        return ""
    causal = " ambidex-evidence--causal" if ref.causal else ""
    return (
        f'<span class="ambidex-evidence{causal}" title="{html.escape(ref.evidence_title())}">'
        f"{html.escape(label)}</span>"
    )


def _linkify(apa_html: str) -> str:
    """Make the DOI or URL at the end of an APA reference a link."""
    return re.sub(r"(?<![\"=>])(https?://[^\s<]+?)(?=[.,;]?(?:\s|$|<))", r'<a href="\1">\1</a>', apa_html)


def _badge(concept_type: ConceptType) -> str:
    return (
        f'<span class="ambidex-badge ambidex-{concept_type.value}">{html.escape(concept_type.value)}</span>'
    )


def _link_list(kb: KnowledgeBase, ids: Iterable[str], url: str = "{}.md") -> str:
    return ", ".join(f"[{kb.concepts[i].title}]({url.format(i)})" for i in ids)


def _mermaid_id(concept_id: str) -> str:
    return "c_" + concept_id.replace("-", "_")


def _mermaid(kb: KnowledgeBase, ids: Iterable[str], edges: Iterable[tuple[str, str, str]]) -> str:
    lines = ["```mermaid", "graph LR"]
    for cid in ids:
        label = kb.concepts[cid].title.replace('"', "'")
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
        self.links = Links(CONCEPT_LINKS.concept, CONCEPT_LINKS.reference, badge=self.badge)

    def badge(self, key: str) -> str:
        ref = self.kb.references.get(key)
        return evidence_badge(ref) if ref is not None else ""

    def md(self, text: str) -> str:
        return self.r.markdown(text, self.links)

    def _edge(self, concept_id: str, citations: tuple[Citation, ...]) -> str:
        """A related concept as a link, followed by the source of the relation if it has one."""
        link = f"[{self.kb.concepts[concept_id].title}]({concept_id}.md)"
        return f"{link} {self.r.in_text_linked(citations, self.links)}" if citations else link

    def concept(self, c: Concept) -> str:
        kb = self.kb
        out = [
            "---",
            f"title: {json.dumps(c.title)}",
            f"description: {json.dumps(self.r.plain(c.summary))}",
            f"tags: {json.dumps(list(c.tags))}",
            "---",
            "",
            f"# {c.title}",
            "",
            f"{_badge(c.type)} [{c.type.label}](../{type_path(c.type)})",
            "",
            f'<div class="ambidex-summary" markdown>\n{self.md(c.summary)}\n</div>',
            "",
        ]
        if c.aliases:
            out += [f"*Also known as:* {', '.join(a.name for a in c.aliases)}", ""]
        if c.body.strip():
            out += [self.md(c.body).strip(), ""]
        if c.evidence:
            out += ["## Evidence", ""] + [f"- {self.md(e.text)}" for e in c.evidence] + [""]
        grouped: dict[RelationType, list[str]] = defaultdict(list)
        for rel in c.relations:
            if rel.target in kb.concepts:
                grouped[rel.type].append(self._edge(rel.target, rel.citations))
        if grouped:
            out += ["## Relations", ""]
            out += [f"- **{t.label}:** {', '.join(items)}" for t, items in grouped.items()] + [""]
        back: dict[RelationType, list[str]] = defaultdict(list)
        for edge in kb.backlinks(c.id):
            back[edge.type].append(self._edge(edge.source, edge.citations))
        if back:
            out += ["## Linked from", ""]
            out += [f"- **{t.inverse_label}:** {', '.join(items)}" for t, items in back.items()] + [""]
        if c.type in TENSION_TYPES and back:
            out += ["## Map", "", tension_map(kb, c.id), ""]
        out += self._references(c)
        url = f"{self.site_url}/concepts/{c.id}/" if self.site_url else f"concepts/{c.id}/"
        out += [
            "## How to cite this page",
            "",
            f"{SITE_NAME}. (n.d.). *{c.title}*. In *{SITE_NAME}: A knowledge base on sales ambidexterity*. "
            f"{url}",
            "",
            f"<small>Source file: `{c.path}`</small>",
            "",
        ]
        return "\n".join(out)

    def _references(self, c: Concept) -> list[str]:
        """The works the page cites: the concept's own, and the sources of edges into it."""
        inbound = [x for edge in self.kb.backlinks(c.id) for x in edge.citations]
        keys = self.r.cited_keys(c, also=inbound)
        if not keys:
            return []
        items = [
            f'- <span id="ref-{key}"></span>{_linkify(self.r.apa.entry(key))} {self.badge(key)} '
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
            out += [f"- **[{c.title}](../{concept_path(cid)})** — {self.r.plain(c.summary)}"]
        return "\n".join(out) + "\n"

    def references(self) -> str:
        out = ["# References", "", "Every work the knowledge base cites, in APA 7th edition style.", ""]
        for key in self.r.apa.sorted_keys():
            ref = self.kb.references[key]
            cited = self.kb.cited_by(key)
            out += [
                f'<div class="ambidex-reference" id="{key}" markdown>',
                "",
                _linkify(self.r.apa.entry(key)),
                "",
            ]
            if self.badge(key):
                out += [self.badge(key), ""]
            if ref.doi:
                out += [f"DOI: [{ref.doi}](https://doi.org/{ref.doi})", ""]
            if cited:
                out += [f"Cited in: {_link_list(self.kb, cited, url='concepts/{}.md')}", ""]
            out += ['??? abstract "BibTeX"', "", "    ```bibtex"]
            out += [f"    {line}" for line in ref.raw.splitlines()]
            out += ["    ```", "", "</div>", ""]
        return "\n".join(out)

    def concept_map(self) -> str:
        kb = self.kb
        ids = list(kb.concepts)
        if len(ids) > MAP_LIMIT:
            keep = {*TENSION_TYPES, ConceptType.ORIENTATION}
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
