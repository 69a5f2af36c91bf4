"""Full-text search over concepts and references: the only module that imports Whoosh.

`build_index(kb, renderer, directory)` writes a fresh index beside the current one and swaps a
pointer file atomically; `SearchIndex.open(directory)` reads the pointer and gives thread-local
searchers. Queries are never handed to a query parser: the text is normalised, analysed with the
index's own stemming analyzer, and turned into term queries, so no input can reach wildcard,
range or field syntax. Field weights (title > aliases > summary > body) are folded into one
`text` field by repetition, which keeps each term one posting list. When the exact query finds
nothing, typo-tolerant matching (fuzzy terms with a one-letter prefix on the unstemmed titles and
aliases, plus a prefix match on the last word) takes over; with nothing at all, a spelling
suggestion comes from those same names. Facet counts by type and tag come from arrays made when
the index opens. Results are cached by (normalised query, options).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import index, query
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ambidex.bibliography import plain
from ambidex.model import KnowledgeBase
from ambidex.render import Renderer

POINTER = "CURRENT"
MAX_QUERY_CHARS = 256
MAX_TERMS = 12
MAX_WORD = 40
WEIGHTS = {"title": 4, "aliases": 3, "summary": 2, "body": 1}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORD = re.compile(r"\w+", re.UNICODE)
_STEM = StemmingAnalyzer()
_NAMES = StandardAnalyzer(stoplist=None)


def _schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        type=ID(stored=True),
        tags=KEYWORD(stored=True, commas=True, scorable=False),
        title=STORED,
        summary=STORED,
        text=TEXT(analyzer=_STEM),
        names=TEXT(analyzer=_NAMES, spelling=True),
        exact=KEYWORD(commas=True, lowercase=True),
    )


def _weighted(parts: dict[str, str]) -> str:
    return "\n".join("\n".join([parts[name]] * weight) for name, weight in WEIGHTS.items() if parts.get(name))


def documents(kb: KnowledgeBase, renderer: Renderer) -> Iterable[dict[str, str]]:
    """One search document per concept and per reference, citations rendered in APA form."""
    for concept in kb.concepts.values():
        aliases = [a.name for a in concept.aliases]
        summary = renderer.plain(concept.summary)
        evidence = "\n".join(renderer.plain(e.text) for e in concept.evidence)
        yield {
            "id": concept.id,
            "kind": "concept",
            "type": concept.type.value,
            "tags": ",".join(concept.tags),
            "title": concept.title,
            "summary": summary,
            "text": _weighted(
                {
                    "title": concept.title,
                    "aliases": "; ".join(aliases),
                    "summary": summary,
                    "body": renderer.plain(concept.body) + "\n" + evidence,
                }
            ),
            "names": " ".join([concept.title, *aliases, concept.id.replace("-", " ")]),
            "exact": ",".join(normalise_query(n).casefold() for n in [concept.title, *aliases]),
        }
    for ref in kb.references.values():
        title = plain(ref.get("title"))
        apa = renderer.apa.entry_text(ref.key)
        yield {
            "id": ref.key,
            "kind": "reference",
            "type": "reference",
            "tags": "",
            "title": title,
            "summary": apa,
            "text": _weighted(
                {
                    "title": title,
                    "aliases": ref.key,
                    "summary": apa,
                    "body": " ".join(plain(ref.get(f)) for f in ("abstract", "keywords")),
                }
            ),
            "names": f"{title} {plain(ref.get('author'))}",
            "exact": ref.key.casefold(),
        }


def build_index(kb: KnowledgeBase, renderer: Renderer, directory: Path) -> Path:
    """Build a fresh index for `kb` under `directory` and make it current atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=f"index-{kb.build_id or 'nobuild'}-", dir=directory))
    ix = index.create_in(str(target), _schema())
    writer = ix.writer(limitmb=256)
    for doc in documents(kb, renderer):
        writer.add_document(**doc)
    writer.commit()
    (target / "BUILD_ID").write_text(kb.build_id, encoding="utf-8")
    tmp = directory / f".{POINTER}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(target.name, encoding="utf-8")
    os.replace(tmp, directory / POINTER)
    _remove_stale(directory, keep={target.name})
    return target


def _remove_stale(directory: Path, keep: set[str], spare: int = 3, min_age: float = 3600.0) -> None:
    """Delete old index directories, sparing the newest few and any younger than `min_age` seconds,
    which a running server may still be reading."""
    now = time.time()
    old = sorted(
        (p for p in directory.glob("index-*") if p.name not in keep), key=lambda p: p.stat().st_mtime
    )
    for path in old[: max(0, len(old) - spare)]:
        if now - path.stat().st_mtime > min_age:
            shutil.rmtree(path, ignore_errors=True)


def current_build_id(directory: Path) -> str | None:
    try:
        name = (directory / POINTER).read_text(encoding="utf-8").strip()
        return (directory / name / "BUILD_ID").read_text(encoding="utf-8").strip()
    except OSError:
        return None


def normalise_query(text: str) -> str:
    """Bounded, printable NFKC text without query syntax characters."""
    text = unicodedata.normalize("NFKC", text[: MAX_QUERY_CHARS * 4])
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"[*?~^:\[\]{}()<>\\/+!\"]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_QUERY_CHARS].strip()


def stems(text: str) -> list[str]:
    return list(dict.fromkeys(t.text for t in _STEM(text)))


@lru_cache(maxsize=65536)
def _stem_of(word: str) -> str:
    found = stems(word)
    return found[0] if found else ""


@dataclass(frozen=True)
class Hit:
    kind: str
    id: str
    type: str
    title: str
    score: float
    snippet: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    fuzzy: bool = False


def highlight(text: str, wanted: set[str], width: int = 220) -> str:
    """HTML-escaped text around the first match, words whose stem is wanted in <mark>."""
    words = list(re.finditer(r"\w+", text))
    hits = [m for m in words if _stem_of(m.group(0)) in wanted]
    start = max(0, hits[0].start() - width // 3) if hits else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    out, last = [], start
    for m in hits:
        if start <= m.start() and m.end() <= end:
            out.append(html.escape(text[last : m.start()]) + f"<mark>{html.escape(m.group(0))}</mark>")
            last = m.end()
    out.append(html.escape(text[last:end]))
    return ("… " if start else "") + "".join(out) + (" …" if end < len(text) else "")


class SearchIndex:
    """An open index: thread-local searchers, guarded queries, facet arrays, cached results."""

    def __init__(self, path: Path, kb: KnowledgeBase | None = None) -> None:
        self.path = path
        self.build_id = (path / "BUILD_ID").read_text(encoding="utf-8").strip()
        self._ix = index.open_dir(str(path))
        self._local = threading.local()
        with self._ix.searcher() as searcher:
            stored = dict(searcher.iter_docs())
        # Stored fields held in memory by document number: no unpickling per hit, facet counts
        # by plain array look-ups.
        size = max(stored, default=-1) + 1
        self._stored: list[dict[str, Any]] = [{}] * size
        self._type = [""] * size
        self._tags: list[tuple[str, ...]] = [()] * size
        for docnum, fields in stored.items():
            self._stored[docnum] = fields
            self._type[docnum] = fields["type"]
            self._tags[docnum] = tuple(t for t in fields.get("tags", "").split(",") if t)
        self.search = lru_cache(maxsize=4096)(self._search)

    @classmethod
    def open(cls, directory: Path, kb: KnowledgeBase | None = None) -> SearchIndex:
        name = (directory / POINTER).read_text(encoding="utf-8").strip()
        return cls(directory / name, kb)

    def _searcher(self) -> Any:
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._ix.searcher()
            self._local.searcher = searcher
        return searcher

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._ix.close()

    def _relaxed(self, words: list[str], terms: list[str], prefix: bool) -> query.Query:
        """Any stemmed term, or each word within one or two typos of a title or alias word."""
        options: list[query.Query] = [query.Term("text", t) for t in terms]
        for position, word in enumerate(words):
            if len(word) >= 4:
                options.append(
                    query.FuzzyTerm("names", word, maxdist=1 if len(word) < 8 else 2, prefixlength=1)
                )
            if prefix and position == len(words) - 1 and len(word) >= 2:
                options.append(query.Prefix("names", word))
        return query.Or(options)

    def _filter(self, kind: str | None, types: tuple[str, ...], tag: str | None) -> query.Query | None:
        filters: list[query.Query] = []
        if kind:
            filters.append(query.Term("kind", kind))
        if types:
            filters.append(query.Or([query.Term("type", t) for t in types]))
        if tag:
            filters.append(query.Term("tags", tag))
        return query.And(filters) if filters else None

    def _search(
        self,
        text: str,
        kind: str | None = None,
        types: tuple[str, ...] = (),
        tag: str | None = None,
        page: int = 1,
        per_page: int = 10,
        prefix: bool = True,
    ) -> SearchResult:
        normal = normalise_query(text)
        words = [w.lower()[:MAX_WORD] for w in _WORD.findall(normal)][:MAX_TERMS]
        terms = stems(" ".join(words))
        if not words:
            return SearchResult(query=normal, total=0, hits=())
        exact_name = query.Term("exact", normal.casefold(), boost=50.0)
        searcher = self._searcher()
        stages: list[tuple[query.Query, bool]] = []
        if terms:
            stages.append((query.Or([query.And([query.Term("text", t) for t in terms]), exact_name]), False))
        corrected = self._correct(searcher, words)
        if corrected != words:
            fixed = " ".join(corrected)
            fixed_terms = [query.Term("text", t) for t in stems(fixed)]
            stages.append((query.Or([query.And(fixed_terms), query.Term("exact", fixed, boost=50.0)]), True))
        stages.append((query.Or([self._relaxed(words, terms, prefix), exact_name]), True))
        filter_q = self._filter(kind, types, tag)
        results, fuzzy = None, False
        for q, fuzzy in stages:  # noqa: B007 - the stage that answered is reported
            results = searcher.search(q, limit=page * per_page, filter=filter_q)
            if results.scored_length():
                break
        if results is None or not results.scored_length():
            return SearchResult(query=normal, total=0, hits=(), suggestion=self._suggest(searcher, words))
        docs = results.docs()
        wanted = set(terms)
        hits = []
        for score, docnum in results.top_n[(page - 1) * per_page : page * per_page]:
            doc = self._stored[docnum]
            hits.append(
                Hit(
                    kind=doc["kind"],
                    id=doc["id"],
                    type=doc["type"],
                    title=doc["title"],
                    score=round(float(score or 0.0), 4),
                    snippet=highlight(doc["summary"], wanted),
                    tags=self._tags[docnum],
                )
            )
        facets = {
            "type": dict(sorted(Counter(self._type[d] for d in docs).items())),
            "tags": dict(sorted(Counter(t for d in docs for t in self._tags[d]).items())),
        }
        return SearchResult(query=normal, total=len(docs), hits=tuple(hits), facets=facets, fuzzy=fuzzy)

    def _correct(self, searcher: Any, words: list[str]) -> list[str]:
        """Each word replaced by the closest title or alias word, when it is not one itself."""
        corrected = []
        for word in words:
            options = searcher.suggest("names", word, limit=1, maxdist=2, prefix=1) if len(word) >= 4 else []
            corrected.append(options[0] if options else word)
        return corrected

    def _suggest(self, searcher: Any, words: list[str]) -> str | None:
        corrected = self._correct(searcher, words)
        return " ".join(corrected) if corrected != words else None
