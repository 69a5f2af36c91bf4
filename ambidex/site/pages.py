"""Site pages as a pure function of the model: `SitePages(kb, renderer, ...).all() -> {path: markdown}`.

No MkDocs here: the plugin is a thin shell over this module, and the same pages can be written
as files for any generator that reads `mkdocs.yml`. Concept pages live at `concepts/<id>.md`,
type indexes at `types/<type>.md`, tag pages at `tags/<tag>.md` (with the index at `tags.md`),
the bibliography at `references.md`, the concept map at `map.md`.

Readers see plain words: one "Connections" section per concept, grouped by what each link means
to the concept ("Its two poles", "What helps"), breadcrumbs and previous/next links within a
type (concept pages stay out of the navigation tree, which would otherwise grow with every
page), maps drawn as SVG at build time, and a citation of the page in APA and BibTeX.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from ambidex import safety
from ambidex.model import (
    TENSION_TYPES,
    Citation,
    Concept,
    ConceptType,
    KnowledgeBase,
    Reference,
    RelationType,
)
from ambidex.render import Links, Renderer, escape_markdown
from ambidex.site import maps

SITE_NAME = "Ambidex"
SITE_TITLE = "Ambidex: A knowledge base on sales ambidexterity"
MAP_LIMIT = 400  # above this many concepts, the full map shows only dilemmas, forms and their poles

# What each kind of concept is: its name for one entry, and a definition for readers.
TYPE_NAMES: dict[ConceptType, tuple[str, str]] = {
    ConceptType.AMBIDEXTERITY: (
        "Form of ambidexterity",
        "The ability of a person, a team or an organisation to pursue two opposing goals at once, "
        "such as serving and selling, and the way it is organised.",
    ),
    ConceptType.DILEMMA: (
        "Dilemma",
        "A choice between two goals that pull against each other, where neither can simply win: "
        "each pole offers something and costs something, and organisations resolve the tension "
        "in different ways.",
    ),
    ConceptType.ORIENTATION: (
        "Orientation",
        "One of the two poles that a dilemma or a form of ambidexterity pulls between: "
        "what a salesperson or an organisation leans toward.",
    ),
    ConceptType.TRAIT: (
        "Trait or ability",
        "A personal disposition or skill that helps a salesperson hold two demands at once, "
        "or makes it harder.",
    ),
    ConceptType.RISK: (
        "Risk",
        "What can go wrong when someone leans too far toward one pole, or tries to do both without support.",
    ),
    ConceptType.DRIVER: (
        "Driver or moderator",
        "A condition in the market, the customer or the organisation that pushes toward one "
        "pole, or changes how strongly a tension is felt.",
    ),
    ConceptType.OUTCOME: (
        "Outcome",
        "A result that ambidexterity, or leaning one way, leads to, such as revenue or "
        "customer satisfaction.",
    ),
    ConceptType.PRACTICE: (
        "Practice",
        "Something managers and organisations can do to resolve a tension or soften its risks.",
    ),
    ConceptType.CASE: (
        "Case",
        "A worked scenario that shows a tension in a single situation, and what could be done.",
    ),
}

# The groups of the "Connections" section: (relation, direction) -> heading, in reading order.
# "out" reads from the page's concept (it is a risk of ...), "in" toward it (its risks).
CONNECTION_GROUPS: tuple[tuple[str, tuple[tuple[RelationType, str], ...]], ...] = (
    ("Its poles", ((RelationType.POLE_OF, "in"),)),
    ("A pole of", ((RelationType.POLE_OF, "out"),)),
    ("Pulls against", ((RelationType.OPPOSES, "out"), (RelationType.OPPOSES, "in"))),
    ("Risks of leaning too far", ((RelationType.RISK_OF, "in"),)),
    ("A risk of", ((RelationType.RISK_OF, "out"),)),
    ("What helps", ((RelationType.MITIGATES, "in"), (RelationType.ADDRESSES, "in"))),
    ("What it helps with", ((RelationType.MITIGATES, "out"), (RelationType.ADDRESSES, "out"))),
    ("What drives it", ((RelationType.DRIVES, "in"),)),
    ("What it drives", ((RelationType.DRIVES, "out"),)),
    ("What shapes it", ((RelationType.MODERATES, "in"),)),
    ("What it shapes", ((RelationType.MODERATES, "out"),)),
    ("What leads to it", ((RelationType.LEADS_TO, "in"),)),
    ("Leads to", ((RelationType.LEADS_TO, "out"),)),
    ("Cases and examples", ((RelationType.EXAMPLE_OF, "in"),)),
    ("An example of", ((RelationType.EXAMPLE_OF, "out"),)),
    ("Its parts", ((RelationType.PART_OF, "in"),)),
    ("Part of", ((RelationType.PART_OF, "out"),)),
)
# Relations not named above read as one group ("Goes together with" for an association).
OTHER_GROUPS = {"associated-with": "Goes together with", "related": "See also"}


# What the generated pages hold once MkDocs and its Markdown extensions have made HTML of them:
# the editors' allowlist plus the structure the project and the extensions add (breadcrumbs,
# badges, the BibTeX drop-downs, the map's controls, code highlighting, footnotes, heading
# anchors). Maps and the pages' own scripts are put in after this (see `SitePages.figures`).
# Every page's content passes through `sanitise` with this policy: the same sanitiser as the
# API's `body_html`, so content that slipped past `check` still cannot run on the site.
SITE_POLICY = safety.Policy(
    tags=safety.ALLOWED_TAGS
    | {
        "caption", "col", "colgroup", "datalist", "details", "fieldset", "figcaption", "figure",
        "input", "label", "legend", "nav", "option", "section", "summary", "tfoot", "time",
        "button",
    },
    attributes={
        "*": frozenset({"class", "id", "title", "role", "lang", "dir"}),
        "a": frozenset({"href", "name", "rel"}),
        "abbr": frozenset({"title"}),
        "button": frozenset({"type"}),
        "input": frozenset({"type", "list", "autocomplete", "placeholder", "name", "value", "checked"}),
        "label": frozenset({"for"}),
        "ol": frozenset({"start"}),
        "option": frozenset({"value"}),
        "td": frozenset({"style", "colspan", "rowspan"}),
        "th": frozenset({"style", "colspan", "rowspan"}),
        "time": frozenset({"datetime"}),
    },
    prefixes=frozenset({"aria-", "data-"}),
    comments=True,  # the figure markers; whatever else is left is a comment to every browser
    link_rel=None,
    styles=frozenset({"text-align"}),
)  # fmt: skip
TITLE_POLICY = safety.Policy(
    tags=frozenset({"code", "em", "strong", "b", "i", "mark", "sub", "sup"}), attributes={}
)


def sanitise_page(content: str) -> str:
    """A generated page's HTML as readers get it: only what `SITE_POLICY` allows."""
    return safety.sanitise(content, SITE_POLICY)


def sanitise_title(title: str) -> str:
    """A heading's title as the theme shows it in the table of contents (written unescaped)."""
    return safety.sanitise(title, TITLE_POLICY)


def concept_path(concept_id: str) -> str:
    return f"concepts/{concept_id}.md"


def type_path(concept_type: ConceptType) -> str:
    return f"types/{concept_type.value}.md"


def tag_path(tag: str) -> str:
    return f"tags/{tag}.md"


def tag_title(tag: str, pair: bool = False) -> str:
    """A tag as readers see it: 'leading-the-people' -> 'Leading the people'; a `pair` of poles
    keeps its hyphen: 'service-sales' -> 'Service-sales'."""
    words = tag if pair else tag.replace("-", " ")
    return words[:1].upper() + words[1:]


def pair_tags(kb: KnowledgeBase) -> frozenset[str]:
    """Tags that name the two poles of a tension ('service-sales' beside 'service-vs-sales' or
    'service-sales-ambidexterity'): their hyphen joins two words, it does not stand for a space."""
    pairs = set()
    for tag in kb.tags:
        first, _, second = tag.partition("-")
        named = f"{first}-vs-{second}" in kb.concepts or f"{tag}-ambidexterity" in kb.concepts
        if second and "-" not in second and named:
            pairs.add(tag)
    return frozenset(pairs)


def _in_concepts(concept_id: str) -> str:
    return f"{concept_id}.md"


CONCEPT_LINKS = Links(concept=_in_concepts, reference=lambda key: f"#ref-{key}")
# Paragraphs, list blocks and headings of a body: what one group of source badges follows.
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
# From an index page one folder down (types/, tags/): concepts and the bibliography, no badges.
INDEX_LINKS = Links(
    concept=lambda i: f"../{concept_path(i)}", reference=lambda key: f"../references.md#{key}"
)


def apa_date(day: str) -> str:
    """'2026-03-04' -> '2026, March 4' (APA's date of a web page); '' -> 'n.d.'."""
    if not day:
        return "n.d."
    d = date.fromisoformat(day)
    return f"{d.year}, {d:%B} {d.day}"


def apa_day(day: date) -> str:
    """A retrieval date as APA writes it: 'March 4, 2026'."""
    return f"{day:%B} {day.day}, {day.year}"


def evidence_badge(ref: Reference) -> str:
    """The source type and design of a reference as a small inline badge with a tooltip."""
    label = ref.evidence_label()
    if not label:
        return ""
    modifier = " ambidex-evidence--causal" if ref.causal else ""
    if ref.status is not None:
        modifier = f" ambidex-evidence--{ref.status.value}"
    return (
        f'<span class="ambidex-evidence{modifier}" title="{html.escape(ref.evidence_title())}">'
        f"{html.escape(label)}</span>"
    )


def _linkify(apa_html: str) -> str:
    """Make the DOI or URL at the end of an APA reference (HTML) a link."""

    def link(m: re.Match[str]) -> str:
        href = html.escape(html.unescape(m[1]))
        return f'<a href="{href}">{m[1]}</a>'

    return re.sub(r"(?<![\"=>])(https?://[^\s<\"]+?)(?=[.,;]?(?:\s|$|<))", link, apa_html)


def _text(text: str) -> str:
    """Plain text from the knowledge base as Markdown that shows it as typed (no markup, no HTML)."""
    return escape_markdown(text)


def _meta(text: str) -> str:
    """A value for the page's front matter, which the theme writes into the HTML unescaped (and
    into <title> through `striptags`, which undoes the escaping: so no '</' survives it)."""
    return json.dumps(html.escape(text).replace("&lt;/", "&lt;\u200b/"))


def _bibtex_block(raw: str) -> list[str]:
    """A BibTeX entry as a fenced code block whose fence no line of the entry can close."""
    longest = max((len(run) for run in re.findall(r"`+", raw)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"    {fence}bibtex", *(f"    {line}" for line in raw.splitlines()), f"    {fence}"]


def _link_list(kb: KnowledgeBase, ids: Iterable[str], url: str = "{}.md") -> str:
    return ", ".join(f"[{_escape(kb.concepts[i].title)}]({url.format(i)})" for i in ids)


def _escape(text: str) -> str:
    """Text set inside Markdown link brackets, shown as typed (no markup, no HTML)."""
    return escape_markdown(text)


class SitePages:
    """Every generated page of one knowledge base.

    `site_url` makes the citations of pages absolute; `today` is the retrieval date they print
    (the reader's browser puts in its own day when it runs the page's script).

    Maps are inline SVG in the Markdown. With `figures_apart`, each map is left as a marker (an
    HTML comment) and its SVG kept in `figures` by marker, for a generator that puts it into the
    finished page: Markdown and the search indexer then never parse the drawing.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        renderer: Renderer,
        site_url: str = "",
        today: date | None = None,
        figures_apart: bool = False,
    ) -> None:
        self.kb = kb
        self.figures_apart = figures_apart
        self.figures: dict[str, str] = {}
        self.r = renderer
        self.site_url = site_url.rstrip("/")
        self.today = today or date(2000, 1, 1)
        self.links = Links(CONCEPT_LINKS.concept, CONCEPT_LINKS.reference, badge=self.badge)
        self.plain_links = Links(CONCEPT_LINKS.concept, CONCEPT_LINKS.reference)
        self._by_type = {
            t: sorted(kb.by_type(t), key=lambda i: kb.concepts[i].title.casefold()) for t in ConceptType
        }
        mentions: dict[str, list[str]] = defaultdict(list)
        for concept in kb.concepts.values():
            for target in dict.fromkeys(link.target for link in concept.links):
                if target in kb.concepts and target != concept.id:
                    mentions[target].append(concept.id)
        self._mentions = mentions
        self._pairs = pair_tags(kb)

    def tag_title(self, tag: str) -> str:
        return tag_title(tag, tag in self._pairs)

    def badge(self, key: str) -> str:
        ref = self.kb.references.get(key)
        return evidence_badge(ref) if ref is not None else ""

    def md(self, text: str) -> str:
        return self.r.markdown(text, self.links)

    def _edge(self, concept_id: str, citations: tuple[Citation, ...]) -> str:
        """A related concept as a link, followed by the source of the relation if it has one."""
        link = f"[{_escape(self.kb.concepts[concept_id].title)}]({concept_id}.md)"
        return f"{link} {self.r.in_text_linked(citations, self.links)}" if citations else link

    # ------------------------------------------------------------ a concept's page

    def concept(self, c: Concept) -> str:
        out = [
            "---",
            f"title: {_meta(c.title)}",
            f"description: {_meta(self.r.plain(c.summary))}",
            "---",
            "",
            self._breadcrumbs(c),
            "",
            f"# {_text(c.title)}",
            "",
            self._kind(c),
            "",
        ]
        if c.in_short:
            out += [
                f'<div class="ambidex-in-short" markdown>\n**In short.** {self.md(c.in_short)}\n</div>',
                "",
            ]
        out += [
            f'<div class="ambidex-summary" markdown>\n{self.md(c.summary)}\n</div>',
            "",
        ]
        if c.aliases:
            out += [f"*Also known as:* {', '.join(_text(a.name) for a in c.aliases)}", ""]
        if c.body.strip():
            out += [self._body(c).strip(), ""]
        out += self._advice(c)
        if c.evidence:
            out += ["## Evidence", ""] + [f"- {self.md(e.text)}" for e in c.evidence] + [""]
        out += self._connections(c)
        out += self._tags(c)
        out += self._references(c)
        out += self._how_to_cite(c)
        out += self._pager(c)
        return "\n".join(out)

    def _body(self, c: Concept) -> str:
        """The body with its citations linked but not badged in the running text: the badges of
        the works a paragraph cites (the loader's citations on its lines) follow it as one group,
        so that no row of them interrupts it."""
        out = []
        start, line = 0, c.body_line
        for gap in [*_BLOCK_BREAK.finditer(c.body), None]:
            block = c.body[start : gap.start() if gap else len(c.body)]
            last = line + block.count("\n")
            out.append(self.r.markdown(block, self.plain_links))
            keys = dict.fromkeys(
                x.key for x in c.body_citations if line <= x.line <= last and x.key in self.kb.references
            )
            if keys:
                sources = "; ".join(
                    f'<a href="#ref-{html.escape(k)}">{html.escape(self.r.apa.label(k))}</a> {self.badge(k)}'
                    for k in keys
                )
                label = '<span class="ambidex-sources-label">Sources:</span>'
                out.append(f'<p class="ambidex-sources">{label} {sources}</p>')
            if gap:
                start, line = gap.end(), last + gap.group().count("\n")
        return "\n\n".join(out)

    def _advice(self, c: Concept) -> list[str]:
        """A tension's poles as a manager meets them (signals, moves, questions); a risk's signs."""
        out: list[str] = []
        if c.poles:
            out += ["## For managers: which way the team leans", ""]
            for pole in c.poles:
                name = _text(pole.name)
                if pole.concept in self.kb.concepts:
                    name = f"[{name}]({pole.concept}.md)"
                out += [f"### Leaning to {name}", ""]
                if pole.signals:
                    out += ["**Signals**", ""] + [f"- {_text(s)}" for s in pole.signals] + [""]
                if pole.moves:
                    out += ["**Moves when it goes too far**", ""]
                    out += [f"- {self.md(m.text)}" for m in pole.moves] + [""]
                if pole.questions:
                    out += ["**Questions to ask**", ""] + [f"- {_text(q)}" for q in pole.questions] + [""]
        if c.signs:
            out += ["## Signs to watch for", ""] + [f"- {_text(s)}" for s in c.signs] + [""]
        return out

    def _breadcrumbs(self, c: Concept) -> str:
        return (
            '<nav class="ambidex-breadcrumbs" aria-label="You are here" markdown>\n'
            f"[Home](../index.md) › [{c.type.label}](../{type_path(c.type)}) › "
            f'<span aria-current="page">{html.escape(c.title)}</span>\n</nav>'
        )

    def _kind(self, c: Concept) -> str:
        name, _ = TYPE_NAMES[c.type]
        return (
            f'<p class="ambidex-kind"><span class="ambidex-swatch t-{c.type.value}" aria-hidden="true">'
            f'</span> <a href="../../types/{c.type.value}/">{html.escape(name)}</a></p>'
        )

    def connection_groups(self, c: Concept) -> list[tuple[str, list[str]]]:
        """The concept's links in plain-worded groups: (heading, Markdown items)."""
        items: dict[tuple[str, str], list[str]] = defaultdict(list)
        for rel in c.relations:
            if rel.target in self.kb.concepts:
                items[(rel.type.value, "out")].append(self._edge(rel.target, rel.citations))
        for edge in self.kb.backlinks(c.id):
            items[(edge.type.value, "in")].append(self._edge(edge.source, edge.citations))
        groups: list[tuple[str, list[str]]] = []
        for heading, members in CONNECTION_GROUPS:
            found = [x for rel, way in members for x in items.pop((rel.value, way), [])]
            if found:
                if heading == "Its poles" and len(found) == 2:
                    heading = "Its two poles"
                if heading == "Risks of leaning too far" and c.type is not ConceptType.ORIENTATION:
                    heading = "Risks"
                groups.append((heading, list(dict.fromkeys(found))))
        others: dict[str, list[str]] = defaultdict(list)
        for (relation, _), found in items.items():
            others[OTHER_GROUPS.get(relation, "See also")].extend(found)
        groups += [(heading, list(dict.fromkeys(found))) for heading, found in others.items()]
        linked = {x for _, found in groups for x in found}
        mentioned = [self._edge(i, ()) for i in self._mentions.get(c.id, ())]
        mentioned = [m for m in mentioned if not any(x.startswith(m) for x in linked)]
        if mentioned:
            groups.append(("Mentioned in", mentioned))
        return groups

    def _connections(self, c: Concept) -> list[str]:
        groups = self.connection_groups(c)
        if not groups:
            return []
        out = ["## Connections", ""]
        out += [f"- **{heading}:** {', '.join(found)}" for heading, found in groups]
        figure = maps.neighbourhood_map(self.kb, c.id, lambda cid: f"../{cid}/")
        if figure:
            out += ["", self._figure(f"concept-{c.id}", figure)]
        return [*out, ""]

    def _tags(self, c: Concept) -> list[str]:
        if not c.tags:
            return []
        links = " ".join(
            f"[{html.escape(self.tag_title(t))}](../{tag_path(t)}){{.ambidex-tag}}" for t in c.tags
        )
        return [f'<p class="ambidex-tags" markdown>Tags: {links}</p>', ""]

    def _references(self, c: Concept) -> list[str]:
        """The works the page cites: the concept's own, and the sources of edges into it."""
        inbound = [x for edge in self.kb.backlinks(c.id) for x in edge.citations]
        keys = self.r.cited_keys(c, also=inbound)
        if not keys:
            return []
        items = [
            f'<p class="ambidex-apa" id="ref-{key}">{_linkify(self.r.apa.entry(key))} {self.badge(key)} '
            f'<a class="ambidex-details" href="../../references/#{key}">All details</a></p>'
            for key in keys
        ]
        return ["## References", "", '<div class="ambidex-references">', *items, "</div>", ""]

    def page_url(self, c: Concept) -> str:
        return f"{self.site_url}/concepts/{c.id}/" if self.site_url else f"concepts/{c.id}/"

    def citation(self, c: Concept) -> tuple[str, str]:
        """How to cite the page: APA 7 (an entry in a reference work) as HTML, and BibTeX."""
        url = self.page_url(c)
        day = self.today.isoformat()
        retrieved = f'<time class="ambidex-retrieved" datetime="{day}">{apa_day(self.today)}</time>'
        apa = (
            f"{SITE_NAME}. ({apa_date(c.updated)}). {html.escape(c.title)}. "
            f"In <i>{html.escape(SITE_TITLE)}</i>. Retrieved {retrieved}, from {html.escape(url)}"
        )
        fields = [
            ("author", f"{{{SITE_NAME}}}"),
            ("title", c.title),
            ("booktitle", SITE_TITLE),
            ("date", c.updated),
            ("url", url),
            ("urldate", self.today.isoformat()),
        ]
        body = ",\n".join(f"  {name:<9} = {{{value}}}" for name, value in fields if value)
        return apa, f"@online{{ambidex-{c.id},\n{body}\n}}"

    def _how_to_cite(self, c: Concept) -> list[str]:
        apa, bibtex = self.citation(c)
        return [
            "## How to cite this page",
            "",
            f'<p class="ambidex-apa ambidex-cite-apa">{apa}</p>',
            "",
            '??? quote "BibTeX"',
            "",
            "    ```bibtex",
            *(f"    {line}" for line in bibtex.splitlines()),
            "    ```",
            "",
            self._figure("cite-script", '<script src="../../assets/javascripts/cite.js" defer></script>'),
            "",
        ]

    def _pager(self, c: Concept) -> list[str]:
        """Previous and next concept of the same kind, in the order of the type's index."""
        ids = self._by_type[c.type]
        at = ids.index(c.id)
        links = []
        if at > 0:
            prev = self.kb.concepts[ids[at - 1]]
            links.append(f'[← Previous: {_escape(prev.title)}]({prev.id}.md){{rel="prev"}}')
        if at + 1 < len(ids):
            nxt = self.kb.concepts[ids[at + 1]]
            links.append(f'[Next: {_escape(nxt.title)} →]({nxt.id}.md){{rel="next"}}')
        if not links:
            return []
        label = html.escape(f"More {c.type.label.lower()}")
        return [f'<nav class="ambidex-pager" aria-label="{label}" markdown>', " ".join(links), "</nav>", ""]

    # ------------------------------------------------------------ index pages

    def type_index(self, concept_type: ConceptType) -> str:
        ids = self._by_type[concept_type]
        _, definition = TYPE_NAMES[concept_type]
        out = [
            f"# {concept_type.label}",
            "",
            f'<p class="ambidex-definition"><span class="ambidex-swatch t-{concept_type.value}" '
            f'aria-hidden="true"></span> {html.escape(definition)}</p>',
            "",
        ]
        if not ids:
            out.append("No entries yet.")
        for cid in ids:
            c = self.kb.concepts[cid]
            summary = self.r.markdown(c.summary, INDEX_LINKS)
            out += [f"- **[{_escape(c.title)}](../{concept_path(cid)})** — {summary}"]
        return "\n".join(out) + "\n"

    def tags_index(self) -> str:
        out = [
            "# Tags",
            "",
            "Tags group concepts that belong to one theme across kinds: a dilemma, its poles, "
            "its risks and what helps.",
            "",
        ]
        if not self.kb.tags:
            out.append("No tags yet.")
        for tag, ids in sorted(self.kb.tags.items()):
            out.append(f"- **[{html.escape(self.tag_title(tag))}]({tag_path(tag)})** — {self._tag_line(ids)}")
        return "\n".join(out) + "\n"

    def _tag_line(self, ids: Iterable[str]) -> str:
        counts: dict[ConceptType, int] = defaultdict(int)
        for cid in ids:
            counts[self.kb.concepts[cid].type] += 1
        parts = [
            f"{n} {(TYPE_NAMES[t][0] if n == 1 else t.label).lower()}"
            for t, n in sorted(counts.items(), key=lambda kv: list(ConceptType).index(kv[0]))
        ]
        total = sum(counts.values())
        return f"{total} {'entry' if total == 1 else 'entries'}: " + ", ".join(parts) + "."

    def tag_page(self, tag: str, ids: Iterable[str]) -> str:
        members = sorted(ids, key=lambda i: self.kb.concepts[i].title.casefold())
        out = [
            "---",
            f"title: {json.dumps(self.tag_title(tag))}",
            "---",
            "",
            '<nav class="ambidex-breadcrumbs" aria-label="You are here" markdown>',
            "[Home](../index.md) › [Tags](../tags.md) › "
            f'<span aria-current="page">{html.escape(self.tag_title(tag))}</span>',
            "</nav>",
            "",
            f"# {self.tag_title(tag)}",
            "",
            f"Concepts tagged *{html.escape(self.tag_title(tag).lower())}*: {self._tag_line(members)}",
            "",
        ]
        for cid in members:
            c = self.kb.concepts[cid]
            out.append(
                f"- **[{_escape(c.title)}](../{concept_path(cid)})** ({TYPE_NAMES[c.type][0].lower()}) — "
                f"{self.r.markdown(c.summary, INDEX_LINKS)}"
            )
        return "\n".join(out) + "\n"

    def references(self) -> str:
        out = ["# References", "", "Every work the knowledge base cites, in APA 7th edition style.", ""]
        for key in self.r.apa.sorted_keys():
            ref = self.kb.references[key]
            cited = self.kb.cited_by(key)
            out += [
                f'<div class="ambidex-reference" id="{html.escape(key)}" markdown>',
                "",
                f'<p class="ambidex-apa">{_linkify(self.r.apa.entry(key))}</p>',
                "",
            ]
            if self.badge(key):
                out += [self.badge(key), ""]
            if cited:
                out += [f"Cited in: {_link_list(self.kb, cited, url='concepts/{}.md')}", ""]
            out += ['??? abstract "BibTeX"', "", *_bibtex_block(ref.raw)]
            out += ["", "</div>", ""]
        return "\n".join(out)

    def concept_map(self) -> str:
        kb = self.kb
        ids = list(kb.concepts)
        note = ""
        if len(ids) > MAP_LIMIT:
            keep = {*TENSION_TYPES, ConceptType.ORIENTATION}
            ids = [i for i in ids if kb.concepts[i].type in keep][:MAP_LIMIT]
            note = (
                f" With {len(kb.concepts):,} concepts, it shows the dilemmas, forms of ambidexterity "
                "and their poles; every concept's page has a map of its own connections."
            )
        figure, count = maps.full_map(kb, ids, lambda cid: f"../concepts/{cid}/")
        types = [t for t in ConceptType if any(kb.concepts[i].type is t for i in ids)]
        relations = sorted(
            {e.type.value for e in kb.edges()}, key=lambda r: [x.value for x in RelationType].index(r)
        )
        return "\n".join(
            [
                "---",
                "hide:",
                "  - navigation",
                "  - toc",
                "---",
                "",
                "# Concept map",
                "",
                f"Every concept and how it relates to the others: {len(ids)} concepts, "
                f"{count} relations.{note} Drag to move around (two fingers on a touch screen), zoom "
                "with the buttons, + and −, or the wheel while holding Ctrl, and select a concept to "
                "open its page. Below the map, the same connections are listed in words.",
                "",
                self._figure(
                    "map-controls",
                    maps.map_controls(types, relations, [(i, kb.concepts[i].title) for i in ids]),
                ),
                "",
                self._figure("concept-map", figure),
                "",
                self._figure("map-script", '<script src="../assets/javascripts/map.js" defer></script>'),
                "",
            ]
        )

    def _figure(self, name: str, figure: str) -> str:
        if not self.figures_apart:
            return figure
        marker = f"<!-- ambidex-figure:{name} -->"
        self.figures[marker] = figure
        return marker

    def all(self) -> dict[str, str]:
        pages = {concept_path(c.id): self.concept(c) for c in self.kb.concepts.values()}
        pages.update({type_path(t): self.type_index(t) for t in ConceptType})
        pages.update({tag_path(tag): self.tag_page(tag, ids) for tag, ids in self.kb.tags.items()})
        pages["tags.md"] = self.tags_index()
        pages["references.md"] = self.references()
        pages["map.md"] = self.concept_map()
        return pages
