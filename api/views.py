"""What the routes answer with: the build's documents, and caches of the dynamic answers as bytes."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fastapi import Request, Response

from ambidex.advice import Advice, Advisor
from ambidex.build import Build
from ambidex.documents import PREFIX, Documents, concept_url, dump, pack, reference_url
from ambidex.guide import Item as GuideEntry
from ambidex.guide import Step, answer
from ambidex.model import Citation, Concept
from ambidex.search import SearchResult, normalise_query
from ambidex.words import clean
from api import schemas

__all__ = ["PREFIX", "Body", "BodyLRU", "Views", "concept_url", "json_bytes", "reference_url"]

# Smaller bodies are sent as they are: compressing them saves less than it costs.
COMPRESS_FROM = 1024
# Larger answers made on request are kept compressed only (see `Body`).
PACKED_ONLY_FROM = 4 * 1024
VARY = {"Vary": "Accept-Encoding"}
# The most a default guide answer holds, the situation it repeats included: the least relevant
# evidence is left out of an answer that would hold more.
ADVICE_BYTES = 8 * 1024
_NO_ECHO = b'{"situation":null,"concept":null'
# How many concepts' guide JSON a server keeps (about a kilobyte each).
GUIDE_CONCEPTS_KEPT = 2048


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def accepts_gzip(request: Request) -> bool:
    """The rule of the GZip middleware, so that both compress for the same clients."""
    return "gzip" in request.headers.get("accept-encoding", "")


@dataclass(frozen=True, slots=True)
class Body:
    """A JSON answer kept plain and, when it is worth it, gzip-compressed: each client gets the
    one it can read, and nothing is compressed twice. An answer of more than a few kilobytes is
    kept compressed only (a third of the memory or less, so a cache holds three times as many),
    and inflated for the rare client that does not accept gzip."""

    plain: bytes | None
    packed: bytes | None

    @classmethod
    def of(cls, plain: bytes, level: int = 1) -> Body:
        """By default with the fastest compression (a tenth larger than the best), for answers
        made while a client waits."""
        if len(plain) < COMPRESS_FROM:
            return cls(plain, None)
        packed = pack(plain, level)
        return cls(plain if len(plain) < PACKED_ONLY_FROM else None, packed)

    @property
    def size(self) -> int:
        return len(self.plain or b"") + len(self.packed or b"")

    def response(self, request: Request) -> Response:
        if self.packed is None:
            return Response(self.plain, media_type="application/json")
        if self.plain is None:
            return packed_json(request, self.packed)
        if accepts_gzip(request):
            headers = {"Content-Encoding": "gzip", **VARY}
            return Response(self.packed, media_type="application/json", headers=headers)
        return Response(self.plain, media_type="application/json", headers=VARY)


def packed_json(request: Request, packed: bytes) -> Response:
    """A body kept only compressed (a concept, a reference): sent as it is to clients that accept
    gzip, inflated for the rest. (The GZip middleware leaves an encoded body alone.)"""
    if accepts_gzip(request):
        headers = {"Content-Encoding": "gzip", **VARY}
        return Response(packed, media_type="application/json", headers=headers)
    return Response(gzip.decompress(packed), media_type="application/json", headers=VARY)


class BodyLRU:
    """A least-recently-used cache of answers bounded by their total size (dict order is the
    recency)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: dict[Hashable, Body] = {}

    def get(self, key: Hashable) -> Body | None:
        value = self._data.pop(key, None)
        if value is not None:
            self._data[key] = value
        return value

    def put(self, key: Hashable, value: Body) -> None:
        old = self._data.pop(key, None)
        if old is not None:
            self.bytes -= _size(key, old)
        self.bytes += _size(key, value)
        self._data[key] = value
        while self.bytes > self.max_bytes and len(self._data) > 1:
            first = next(iter(self._data))
            self.bytes -= _size(first, self._data.pop(first))


def _size(key: Hashable, value: Body) -> int:
    """What an entry costs: its bodies, and its key when that is a URL's query (as long as a
    client cares to make it)."""
    return value.size + (len(key) if isinstance(key, bytes | str) else 0)


class Views:
    """Everything the routes answer with, computed from one build."""

    def __init__(self, build: Build) -> None:
        self.build = build
        self.kb = build.kb
        self.documents = Documents(build)
        # The guide of this build, made once.
        self.advisor = Advisor(build.kb, build.index)
        # Search and guide answers by their URL's query string (see `api.app.Answers`).
        self.answers = {f"{PREFIX}/search": BodyLRU(max_bytes=2 << 20), f"{PREFIX}/guide": BodyLRU(4 << 20)}
        self.pages = BodyLRU(max_bytes=2 << 20)
        self.fixed: dict[str, Body] = {}
        # The guide of a situation depends only on its normalised words (search lowers them):
        # what follows the situation in its answer is kept by them, for other spellings of it.
        self.guides = BodyLRU(max_bytes=1 << 20)
        # The JSON of the concepts guides list, by id: the most asked-for of them, so that a
        # server's memory stays bounded however many of a large knowledge base's it has listed.
        self._guide_item = lru_cache(maxsize=GUIDE_CONCEPTS_KEPT)(self._make_guide_item)
        self._guide_evidence = lru_cache(maxsize=GUIDE_CONCEPTS_KEPT)(self._make_guide_evidence)
        self._step = lru_cache(maxsize=GUIDE_CONCEPTS_KEPT)(self._make_step)

    def warm(self) -> None:
        """Render every document before the first request (see `Documents.warm`), the answers
        that take no parameters, and what the guide needs of the knowledge base. The fixed
        answers come first: what making them leaves behind (the graph's model is large) is
        freed before the objects that live as long as the build are made, so these fill its
        place instead of being scattered after it."""
        docs = self.documents
        fixed: dict[str, Callable[[], Any]] = {
            "health": docs.health,
            "types": docs.types,
            "tags": docs.tags,
            "graph": docs.graph,
        }
        for name, make in fixed.items():
            self.fixed[name] = Body.of(dump(make()), level=6)
        self.documents.warm(self.build.cache)

    def cached(self, cache: BodyLRU, key: Hashable, render: Callable[[], bytes]) -> Body:
        """The answer kept under `key` in `cache`, rendered (and compressed) once."""
        body = cache.get(key)
        if body is None:
            body = Body.of(render())
            cache.put(key, body)
        return body

    def answer(self, request: Request, render: Callable[[], bytes]) -> Response:
        """A search or guide answer, kept under its URL so that `api.app.Answers` can send it
        again before the request is even parsed."""
        cache = self.answers[request.scope["path"]]
        body = self.cached(cache, request.scope["query_string"], render)
        return body.response(request)

    def guide_json(self, situation: str | None, concept: str | None) -> bytes:
        """The guide's answer (a `GuideOut`) for a situation and/or a concept id (which must
        exist): the situation as asked, then the guide for its normalised words."""
        normal = normalise_query(situation).lower() if situation else None
        rest = self.guides.get((normal, concept))
        if rest is None:
            rest = Body(self._guide_json(normal, concept), None)
            self.guides.put((normal, concept), rest)
        assert rest.plain is not None
        return b'{"situation":%s,"concept":%s' % (json_bytes(situation), json_bytes(concept)) + rest.plain

    def advice_json(self, situation: str | None, concept: str | None) -> bytes:
        """The guide's default answer (an `AdviceOut`) for a situation and/or a concept id (which
        must exist), kept by the situation's cleaned text."""
        head = b'{"situation":%s,"concept":%s' % (json_bytes(situation), json_bytes(concept))
        key = ("advice", clean(situation).lower() if situation else None, concept)
        body = self.guides.get(key)
        if body is None or len(head) + len(body.plain or b"") > ADVICE_BYTES:
            body = Body(
                self._advice_json(self.advisor.advise(situation, concept), ADVICE_BYTES - len(head)), None
            )
            self.guides.put(key, body)
        assert body.plain is not None
        return head + body.plain

    def _cite(self, c: Citation | None) -> schemas.CiteOut | None:
        if c is None:
            return None
        full = self.documents.citation(c)
        return schemas.CiteOut(key=c.key, in_text=full.in_text, label=full.evidence_label, url=full.url)

    def _advice_json(self, advice: Advice, budget: int) -> bytes:
        """What follows the situation and concept in an `AdviceOut`."""
        docs = self.documents
        titles = {c.id: c.title for c in (d.concept for d in advice.diagnosis)}

        def why(tension: str, pole: str) -> str:
            title = titles.get(tension) or self.kb.concepts[tension].title
            return f"{title}: leaning towards {pole.lower()}" if pole else title

        def ref(c: Concept) -> schemas.ConceptRef:
            return docs.concept_ref(c)

        out = schemas.AdviceOut(
            situation=None,
            concept=None,
            diagnosis=[
                schemas.DiagnosisOut(
                    id=d.concept.id,
                    title=d.concept.title,
                    url=concept_url(d.concept.id),
                    stake=d.stake,
                    lean=schemas.LeanOut(
                        pole=d.lean.pole,
                        concept=d.lean.concept or None,
                        signalled_by=list(d.lean.signalled_by),
                    )
                    if d.lean
                    else None,
                    confidence=d.confidence,
                    matched=list(d.words),
                )
                for d in advice.diagnosis
            ],
            moves=[
                schemas.MoveOut(
                    text=m.text,
                    why=why(m.tension, m.pole),
                    citation=self._cite(m.citation),
                    practice=ref(m.practice) if m.practice else None,
                )
                for m in advice.moves
            ],
            questions=[
                schemas.QuestionOut(text=q.text, why=why(q.tension, q.pole)) for q in advice.questions
            ],
            watch=[
                schemas.WatchOut(
                    id=w.concept.id,
                    title=w.concept.title,
                    url=concept_url(w.concept.id),
                    why=f"A risk of {why(w.tension, '').lower()}"
                    + (
                        f"; the situation shows its signs ({', '.join(w.signalled_by)})"
                        if w.signalled_by
                        else ""
                    ),
                    signalled_by=list(w.signalled_by),
                    evidence=w.evidence,
                    citation=self._cite(w.citation),
                )
                for w in advice.watch
            ],
            evidence=[
                schemas.FindingOut(text=f.text, concept=ref(f.concept), citation=self._cite(f.citation))
                for f in advice.evidence
            ],
            message=advice.message,
            did_you_mean=[ref(c) for c in advice.did_you_mean],
        )
        body = out.model_dump_json().encode()
        # The least relevant evidence goes first when the answer would be too large.
        while len(body) - len(_NO_ECHO) > budget and out.evidence:
            out.evidence.pop()
            body = out.model_dump_json().encode()
        # Without its leading '{"situation":null,"concept":null': see `advice_json`.
        return body[len(_NO_ECHO) :]

    def _guide_json(self, situation: str | None, concept: str | None) -> bytes:
        """The guide's answer after its `situation` and `concept`, put together from the JSON of
        its items, each made once per build."""
        g = answer(self.kb, self.build.index, situation, concept, graph=self.advisor.graph)

        def items(entries: Iterable[GuideEntry]) -> bytes:
            return b"[" + b",".join(map(self._entry, entries)) + b"]"

        tensions = b",".join(
            b'{"tension":%s,"poles":%s,"related":%s,"lean":%s}'
            % (self._entry(t.item), items(t.poles), items(t.related), json_bytes(t.lean))
            for t in g.tensions
        )
        evidence = b",".join(self._guide_evidence(c.id)[c.evidence.index(e)] for c, e in g.evidence)
        return b"".join(
            [
                b',"matched":%s,"tensions":[%s]' % (items(g.matched), tensions),
                b',"risks":%s,"traits":%s' % (items(g.risks), items(g.traits)),
                b',"drivers":%s,"practices":%s' % (items(g.drivers), items(g.practices)),
                b',"outcomes":%s,"evidence":[%s]}' % (items(g.outcomes), evidence),
            ]
        )

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

    def _entry(self, entry: GuideEntry) -> bytes:
        """An item of the guide's answer: the concept's JSON, made once per build, with why it is
        in this answer (the words it matched, the path of relations that led to it): a
        `WhyOut`, written field by field in its order."""
        why = b'{"matched":%s,"via":%s,"path":[%s],"weight":%s}' % (
            json_bytes(list(entry.words)),
            json_bytes(entry.seed or None),
            b",".join(map(self._step, entry.path)),
            json_bytes(round(entry.weight, 4)),
        )
        return self._guide_item(entry.concept.id)[:-1] + b',"why":' + why + b"}"

    def _make_step(self, step: Step) -> bytes:
        """A relation walked, as JSON (a `StepOut`)."""
        docs = self.documents
        return dump(
            schemas.StepOut(
                source=step.source,
                relation=step.relation.value,
                target=step.target,
                citations=[docs.citation(x) for x in step.citations],
            )
        )

    def _make_guide_item(self, concept_id: str) -> bytes:
        """A concept as the guide lists it (a `GuideItem`), as JSON."""
        docs = self.documents
        c = self.kb.concepts[concept_id]
        return json_bytes(
            {
                **docs.concept_ref(c).model_dump(mode="json"),
                "summary": docs.renderer.plain(c.summary),
                "citations": [docs.citation(x).model_dump(mode="json") for x in c.summary_citations],
            }
        )

    def _make_guide_evidence(self, concept_id: str) -> list[bytes]:
        """A concept's evidence as the guide lists it (`GuideEvidence`), as JSON."""
        docs = self.documents
        c = self.kb.concepts[concept_id]
        return [
            dump(
                schemas.GuideEvidence(
                    concept=docs.concept_ref(c),
                    text=docs.renderer.plain(e.text),
                    citations=[docs.citation(x) for x in e.citations],
                )
            )
            for e in c.evidence
        ]
