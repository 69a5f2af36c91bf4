"""Full-text search over concepts and references: the only module that imports Whoosh.

`build_index(kb, renderer, directory)` writes a fresh index beside the current one and swaps a
pointer file atomically; `SearchIndex.open(directory)` reads the pointer and gives thread-local
searchers. `SearchIndex.search(...)` guards hostile input, weights fields (title and aliases
above summary above body), stems, falls back to fuzzy matching for typos, matches the last term
as a prefix (search-as-you-type), highlights, counts facets by type and tag, and suggests a
correction when nothing matches. Results are cached by (build id, normalised query, options).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import highlight, index, qparser, query, sorting
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ambidex.model import KnowledgeBase
from ambidex.render import Renderer

POINTER = "CURRENT"
MAX_QUERY_CHARS = 256
MAX_TERMS = 12
FIELD_BOOSTS = {"title": 4.0, "aliases": 3.0, "names": 2.0, "summary": 1.5, "body": 1.0}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORD = re.compile(r"\w+", re.UNICODE)


def _schema() -> Schema:
    stem = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        type=ID(stored=True, sortable=True),
        tags=KEYWORD(stored=True, commas=True, scorable=False, sortable=True),
        title=TEXT(stored=True, analyzer=stem, field_boost=FIELD_BOOSTS["title"]),
        aliases=TEXT(stored=True, analyzer=stem, field_boost=FIELD_BOOSTS["aliases"]),
        names=TEXT(
            analyzer=StandardAnalyzer(stoplist=None), field_boost=FIELD_BOOSTS["names"], spelling=True
        ),
        exact=KEYWORD(commas=True, lowercase=True, scorable=True),
        summary=TEXT(stored=True, analyzer=stem, field_boost=FIELD_BOOSTS["summary"]),
        body=TEXT(stored=True, analyzer=stem, field_boost=FIELD_BOOSTS["body"]),
        url=STORED,
    )


def documents(kb: KnowledgeBase, renderer: Renderer) -> Iterable[dict[str, str]]:
    """One search document per concept and per reference, text with citations in APA form."""
    for concept in kb.concepts.values():
        aliases = [a.name for a in concept.aliases]
        evidence = "\n".join(renderer.plain(e.text) for e in concept.evidence)
        yield {
            "id": concept.id,
            "kind": "concept",
            "type": concept.type.value,
            "tags": ",".join(concept.tags),
            "title": concept.title,
            "aliases": "; ".join(aliases),
            "names": " ".join([concept.title, *aliases, concept.id.replace("-", " ")]),
            "exact": ",".join(normalise_query(n).casefold() for n in [concept.title, *aliases]),
            "summary": renderer.plain(concept.summary),
            "body": renderer.plain(concept.body) + "\n" + evidence,
        }
    from ambidex.bibliography import plain

    for ref in kb.references.values():
        title = plain(ref.get("title"))
        yield {
            "id": ref.key,
            "kind": "reference",
            "type": "reference",
            "tags": "",
            "title": title,
            "aliases": ref.key,
            "names": f"{title} {plain(ref.get('author'))}",
            "exact": ref.key.casefold(),
            "summary": renderer.apa.entry_text(ref.key),
            "body": " ".join(plain(ref.get(f)) for f in ("abstract", "keywords", "journal", "booktitle")),
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
    tmp = directory / f".{POINTER}.{os.getpid()}.tmp"
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
    """Bounded, printable, NFC text with the query syntax characters we do not support removed."""
    text = unicodedata.normalize("NFKC", text)[: MAX_QUERY_CHARS * 4]
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"[*?~^:\[\]{}()<>\\/+!]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_QUERY_CHARS].strip()


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


class SearchIndex:
    """An open index: thread-local searchers, guarded queries, cached results."""

    def __init__(self, path: Path, kb: KnowledgeBase | None = None) -> None:
        self.path = path
        self.build_id = (path / "BUILD_ID").read_text(encoding="utf-8").strip()
        self.kb = kb
        self._ix = index.open_dir(str(path))
        self._local = threading.local()
        self._parser = self._make_parser()
        self.search = lru_cache(maxsize=4096)(self._search)

    @classmethod
    def open(cls, directory: Path, kb: KnowledgeBase | None = None) -> SearchIndex:
        name = (directory / POINTER).read_text(encoding="utf-8").strip()
        return cls(directory / name, kb)

    def _make_parser(self) -> qparser.QueryParser:
        parser = qparser.MultifieldParser(
            ["title", "aliases", "names", "summary", "body"], self._ix.schema, group=qparser.AndGroup
        )
        for plugin in (
            qparser.WildcardPlugin,
            qparser.RangePlugin,
            qparser.FieldsPlugin,
            qparser.BoostPlugin,
            qparser.GtLtPlugin,
            qparser.EveryPlugin,
        ):
            parser.remove_plugin_class(plugin)
        return parser

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

    def _parse(self, text: str, group: type[qparser.syntax.GroupNode]) -> query.Query | None:
        self._parser.group = group
        try:
            q = self._parser.parse(text)
        except (RecursionError, ValueError, TypeError, IndexError):
            return None
        return None if q is query.NullQuery else q

    def _fuzzy(self, words: list[str], prefix: bool) -> query.Query:
        """Typo-tolerant query over the unstemmed names: each word within distance 1–2."""
        parts: list[query.Query] = []
        for position, word in enumerate(words):
            last = prefix and position == len(words) - 1
            options: list[query.Query] = [query.Term("names", word, boost=2.0)]
            if len(word) >= 4:
                options.append(
                    query.FuzzyTerm("names", word, maxdist=1 if len(word) < 7 else 2, prefixlength=1)
                )
            if last and len(word) >= 2:
                options.append(query.Prefix("names", word))
            parts.append(query.Or(options))
        return query.And(parts)

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
        words = [w.lower() for w in _WORD.findall(normal)][:MAX_TERMS]
        if not words:
            return SearchResult(query=normal, total=0, hits=())
        filters: list[query.Query] = []
        if kind:
            filters.append(query.Term("kind", kind))
        if types:
            filters.append(query.Or([query.Term("type", t) for t in types]))
        if tag:
            filters.append(query.Term("tags", tag))
        filter_q = query.And(filters) if filters else None
        cleaned = " ".join(words)
        exact_name = query.Term("exact", normal.casefold(), boost=20.0)
        strict = self._parse(cleaned, qparser.AndGroup)
        loose = self._parse(cleaned, qparser.OrGroup)
        relaxed = self._fuzzy(words, prefix)
        stages: list[tuple[query.Query, bool]] = []
        if strict is not None:
            stages.append((query.Or([strict, exact_name]), False))
        stages.append((query.Or([q for q in (loose, relaxed, exact_name) if q is not None]), True))
        searcher = self._searcher()
        facets = {"type": sorting.FieldFacet("type"), "tags": sorting.FieldFacet("tags", allow_overlap=True)}
        results, fuzzy = None, False
        for q, is_fuzzy in stages:
            fuzzy = is_fuzzy
            results = searcher.search_page(q, page, pagelen=per_page, filter=filter_q, groupedby=facets)
            if results.total:
                break
        if results is None or not results.total:
            return SearchResult(query=normal, total=0, hits=(), suggestion=self._suggest(searcher, words))
        results.results.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=40)
        results.results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        hits = []
        for hit in results:
            snippet = hit.highlights("summary") or hit.highlights("body") or hit.get("summary", "")[:200]
            hits.append(
                Hit(
                    kind=hit["kind"],
                    id=hit["id"],
                    type=hit["type"],
                    title=hit["title"],
                    score=round(float(hit.score or 0.0), 4),
                    snippet=snippet,
                    tags=tuple(t for t in hit.get("tags", "").split(",") if t),
                )
            )
        grouped = results.results
        facets_out = {
            name: dict(sorted((str(k), len(v)) for k, v in grouped.groups(name).items() if k))
            for name in ("type", "tags")
        }
        return SearchResult(
            query=normal, total=results.total, hits=tuple(hits), facets=facets_out, fuzzy=fuzzy
        )

    def _suggest(self, searcher: Any, words: list[str]) -> str | None:
        corrected, changed = [], False
        for word in words:
            options = searcher.suggest("names", word, limit=1, maxdist=2, prefix=1)
            if options and options[0] != word:
                corrected.append(options[0])
                changed = True
            else:
                corrected.append(word)
        return " ".join(corrected) if changed else None
