"""Full-text search over concepts and references: the only module that imports Whoosh.

`build_index(kb, renderer, directory)` writes a fresh Whoosh index beside the current one and
swaps a pointer file atomically; beside Whoosh's own files it writes the posting lists as arrays
with precomputed BM25 scores. `SearchIndex.open(directory)` reads the pointer, memory-maps those
arrays and reads the stored fields and name lists. Whoosh analyses (stemming, tokenising) and
stores; a query is a few vectorised sums over the arrays, within milliseconds at 10,000 concepts.
Queries are never handed to a query parser: the text is normalised, analysed with the index's own
stemming analyzer and turned into terms, so no input can reach wildcard, range or field syntax.
Field weights (title > aliases > summary > body) are folded into one `text` field by repetition.
When every term together finds nothing, the words are corrected to the nearest title or alias
words; failing that, typo-tolerant matching (any term, or a title or alias word within one or two
edits, or starting with the last word) takes over; with nothing at all, a spelling suggestion
comes from those same names. Facet counts by type and tag are array sums over the matches.
Results are cached by (query, options).
"""

from __future__ import annotations

import bisect
import heapq
import html
import json
import mmap
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ambidex.bibliography import plain
from ambidex.model import KnowledgeBase
from ambidex.render import Renderer

POINTER = "CURRENT"
FORMAT = "3"  # of what an index directory holds; an index in another format is rebuilt
# Raw little-endian arrays, not .npy: reading a .npy header parses Python literals, which
# CPython 3.11 does not do safely from several threads at once.
DOCS_FILE, DOCS_TYPE = "postings-docs.i4", np.dtype("<i4")
SCORES_FILE, SCORES_TYPE = "postings-scores.f4", np.dtype("<f4")
TERMS_FILE = "postings-terms.json"
MAX_QUERY_CHARS = 256
MAX_TERMS = 12
MAX_WORD = 40
WEIGHTS = {"title": 4, "aliases": 3, "summary": 2, "body": 1}
K1, B = 1.2, 0.75
EXACT_BONUS = 100.0
FUZZY_WEIGHT = 0.8
PREFIX_WEIGHT = 0.5
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
            "exact": ",".join(name_key(n) for n in [concept.title, *aliases]),
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
            "exact": name_key(ref.key),
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
    _compile_postings(target)
    (target / "FORMAT").write_text(FORMAT, encoding="utf-8")
    (target / "BUILD_ID").write_text(kb.build_id, encoding="utf-8")
    tmp = directory / f".{POINTER}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(target.name, encoding="utf-8")
    os.replace(tmp, directory / POINTER)
    _remove_stale(directory, keep={target.name})
    return target


def _compile_postings(target: Path) -> None:
    """Write the `text` postings of the index in `target` as flat arrays with BM25 (k1 1.2,
    b 0.75) term scores: document numbers and scores, and each term's slice of them."""
    ix = index.open_dir(str(target))
    try:
        with ix.reader() as reader:
            size = reader.doc_count_all()
            lengths = np.array([reader.doc_field_length(d, "text", 0) for d in range(size)], dtype=np.float64)
            mean = float(lengths.mean()) if size else 0.0
            norm = K1 * (1 - B + B * lengths / (mean or 1.0))
            docs, weights, terms, offsets = array("i"), array("f"), [], [0]
            for term in reader.field_terms("text"):
                for docnum, weight in reader.postings("text", term).items_as("weight"):
                    docs.append(docnum)
                    weights.append(weight)
                terms.append(term)
                offsets.append(len(docs))
    finally:
        ix.close()
    doc_array = np.array(docs, dtype=np.int32)
    tf = np.array(weights, dtype=np.float64)
    counts = np.diff(np.array(offsets, dtype=np.int64)).astype(np.int64)
    df = np.repeat(counts, counts).astype(np.float64)
    idf = np.log1p((size - df + 0.5) / (df + 0.5))
    scores = (idf * tf * (K1 + 1) / (tf + norm[doc_array])).astype(np.float32)
    doc_array.astype(DOCS_TYPE).tofile(target / DOCS_FILE)
    scores.astype(SCORES_TYPE).tofile(target / SCORES_FILE)
    (target / TERMS_FILE).write_text(json.dumps({"terms": terms, "offsets": offsets}), encoding="utf-8")


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
    """The build id of the current index, or None when there is none (or it has an older format,
    so that it gets rebuilt)."""
    try:
        name = (directory / POINTER).read_text(encoding="utf-8").strip()
        if (directory / name / "FORMAT").read_text(encoding="utf-8").strip() != FORMAT:
            return None
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


def name_key(text: str) -> str:
    """How a title or alias is compared with a whole query: its stems, so "hunters" is "hunter"."""
    normal = normalise_query(text)
    return " ".join(stems(normal)) or normal.casefold()


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
    # A stem keeps the first letters of its word: only words that start like a wanted stem are
    # found and stemmed at all.
    starts = tuple({t[:3] for t in wanted if t})
    hits = [m for m in _words_starting(text, starts) if _stem_of(m.group(0)) in wanted]
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


def _words_starting(text: str, starts: tuple[str, ...]) -> list[re.Match[str]]:
    """The words of `text` (in order) whose lower case starts with one of `starts`: found with
    `str.find` rather than by looking at every word."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer: positions differ
        return [m for m in _WORD.finditer(text) if m.group(0).lower().startswith(starts)]
    found: dict[int, re.Match[str]] = {}
    for start in starts:
        i = low.find(start)
        while i >= 0:
            word = _WORD.match(text, i)
            if word is not None and (i == 0 or _WORD.match(text, i - 1, i) is None):
                found[i] = word
                i = low.find(start, word.end())
            else:
                i = low.find(start, i + 1)
    return [found[i] for i in sorted(found)]


class _Names:
    """The unstemmed words of titles, aliases and authors: typo and prefix expansion, spelling.

    Candidates within an edit distance come from a deletion index (each word and its one-letter
    deletions): the query word, its deletions up to the distance and, for two edits, its one-letter
    insertions are looked up, and each candidate is checked with a real Levenshtein distance. That
    finds every word within one edit (transpositions included) and the two-edit typos made of
    missing, extra or swapped letters; two replaced letters in one word are left out.
    """

    def __init__(self, frequencies: dict[str, int]) -> None:
        self.words = sorted(frequencies)
        self.frequency = frequencies
        self._deletions: dict[str, list[str]] = {}
        self._alphabet = sorted({c for word in self.words for c in word})
        for word in self.words:
            for variant in {word, *_deletions(word)}:
                self._deletions.setdefault(variant, []).append(word)
        # Typos repeat (a situation's words, a popular misspelling): each is looked up once.
        self._near = lru_cache(maxsize=8192)(self._within)

    def within(self, word: str, distance: int, limit: int = 8) -> list[str]:
        """Known words within `distance` edits sharing the first letter, nearest and commonest first."""
        return list(self._near(word, distance, limit))

    def _within(self, word: str, distance: int, limit: int) -> tuple[str, ...]:
        variants = {word}
        frontier = {word}
        for _ in range(distance):
            frontier = {d for w in frontier for d in _deletions(w)}
            variants |= frontier
        if distance >= 2:
            variants |= {word[:i] + c + word[i:] for i in range(1, len(word) + 1) for c in self._alphabet}
        found: dict[str, int] = {}
        for variant in variants:
            for candidate in self._deletions.get(variant, ()):
                if candidate not in found and candidate[:1] == word[:1]:
                    d = _levenshtein(word, candidate, distance)
                    if d <= distance:
                        found[candidate] = d
        ranked = sorted(found, key=lambda w: (found[w], -self.frequency[w], w))
        return tuple(ranked[:limit])

    def starting(self, prefix: str, limit: int = 30) -> list[str]:
        """The commonest known words that start with `prefix`."""
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + "\U0010ffff", lo)
        if hi - lo <= limit:
            return self.words[lo:hi]
        return heapq.nlargest(limit, self.words[lo:hi], key=lambda w: (self.frequency[w], w))

    def correct(self, word: str) -> str:
        if len(word) < 4 or word in self.frequency:
            return word
        best = self.within(word, 2, limit=1)
        return best[0] if best else word


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _levenshtein(a: str, b: str, cap: int) -> int:
    """Edit distance of a and b, or cap + 1 as soon as it must exceed cap."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]


class SearchIndex:
    """An open index: stored fields and names in memory, posting arrays memory-mapped.

    Scoring is BM25 over the posting lists that `build_index` compiled into flat arrays (term →
    slice of document numbers and precomputed term scores), so a query that matches thousands of
    documents costs a few vectorised sums instead of a walk through Whoosh's matchers.
    Everything here is read-only after `__init__`, so threads share it without locks.
    """

    def __init__(self, path: Path, kb: KnowledgeBase | None = None) -> None:
        self.path = path
        self.build_id = (path / "BUILD_ID").read_text(encoding="utf-8").strip()
        ix = index.open_dir(str(path))
        try:
            with ix.reader() as reader:
                self._load(reader)
        finally:
            ix.close()
        self.search = lru_cache(maxsize=1024)(self._search)

    @classmethod
    def open(cls, directory: Path, kb: KnowledgeBase | None = None) -> SearchIndex:
        name = (directory / POINTER).read_text(encoding="utf-8").strip()
        return cls(directory / name, kb)

    def close(self) -> None:
        """Nothing to close: Whoosh is only read while the index opens, and the mapped arrays
        are released with the object."""

    # ------------------------------------------------------------------ loading

    def _load(self, reader: Any) -> None:
        size = reader.doc_count_all()
        self._size = size
        self._stored: list[dict[str, Any]] = [{}] * size
        for docnum, fields in reader.iter_docs():
            self._stored[docnum] = fields
        kinds = sorted({f.get("kind", "") for f in self._stored})
        types = sorted({f.get("type", "") for f in self._stored})
        self._kind_code = {k: i for i, k in enumerate(kinds)}
        self._type_names = types
        self._type_code = {t: i for i, t in enumerate(types)}
        self._kinds = np.array([self._kind_code[f.get("kind", "")] for f in self._stored], dtype=np.int16)
        self._types = np.array([self._type_code[f.get("type", "")] for f in self._stored], dtype=np.int16)
        self._tags = [tuple(t for t in f.get("tags", "").split(",") if t) for f in self._stored]
        self._tag_names = sorted({t for tags in self._tags for t in tags})
        tag_code = {t: i for i, t in enumerate(self._tag_names)}
        self._pair_doc = np.array([d for d, tags in enumerate(self._tags) for _ in tags], dtype=np.int32)
        self._pair_tag = np.array([tag_code[t] for tags in self._tags for t in tags], dtype=np.int32)
        self._tag_start = np.concatenate(([0], np.cumsum([len(tags) for tags in self._tags]))).astype(
            np.int64
        )
        self._tag_code = tag_code

        terms = json.loads((self.path / TERMS_FILE).read_text(encoding="utf-8"))
        offsets = terms["offsets"]
        self._bounds: dict[str, tuple[int, int]] = {
            term: (offsets[i], offsets[i + 1]) for i, term in enumerate(terms["terms"])
        }
        # Memory-mapped: pages are read on demand and shared by every worker on the machine.
        self._docs = _mapped(self.path / DOCS_FILE, DOCS_TYPE)
        self._scores = _mapped(self.path / SCORES_FILE, SCORES_TYPE)

        self._exact: dict[str, tuple[int, ...]] = {
            name: tuple(reader.postings("exact", name).all_ids()) for name in reader.field_terms("exact")
        }
        self._names = _Names({w: reader.doc_frequency("names", w) for w in reader.field_terms("names")})

    # ------------------------------------------------------------------ querying

    def _scored(self, terms: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Summed weighted scores and the number of query terms matched, per document."""
        parts = [(self._bounds[t], w) for t, w in terms.items() if t in self._bounds]
        if not parts:
            return np.zeros(self._size), np.zeros(self._size, dtype=np.int64)
        docs = np.concatenate([self._docs[s:e] for (s, e), _ in parts])
        scores = np.concatenate([self._scores[s:e] * w for (s, e), w in parts])
        return (
            np.bincount(docs, weights=scores, minlength=self._size),
            np.bincount(docs, minlength=self._size),
        )

    def _all_of(self, terms: list[str], name: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding every term, or named exactly `name`."""
        scores, counts = self._scored(dict.fromkeys(terms, 1.0))
        matched = counts == len(terms) if terms else np.zeros(self._size, dtype=bool)
        return self._with_exact(scores, matched, name)

    def _with_exact(
        self, scores: np.ndarray, matched: np.ndarray, name: str
    ) -> tuple[np.ndarray, np.ndarray]:
        exact = self._exact.get(name_key(name))
        if exact:
            scores[list(exact)] += EXACT_BONUS
            matched[list(exact)] = True
        return scores, matched

    def _relaxed(
        self, words: list[str], terms: list[str], prefix: bool, name: str
    ) -> tuple[np.ndarray, np.ndarray, set[str]]:
        """Any stemmed term, any title or alias word within a typo or two of a query word, and
        (for search-as-you-type) any such word that starts with the last query word."""
        weighted = dict.fromkeys(terms, 1.0)
        for position, word in enumerate(words):
            expansions: list[tuple[str, float]] = []
            if len(word) >= 4:
                expansions += [(w, FUZZY_WEIGHT) for w in self._names.within(word, 1 if len(word) < 8 else 2)]
            if prefix and position == len(words) - 1 and len(word) >= 2:
                expansions += [(w, PREFIX_WEIGHT) for w in self._names.starting(word)]
            for expansion, weight in expansions:
                stem = _stem_of(expansion)
                if stem and weighted.get(stem, 0.0) < weight:
                    weighted[stem] = weight
        scores, _ = self._scored(weighted)
        scores, matched = self._with_exact(scores, scores > 0, name)
        return scores, matched, set(weighted)

    def _filter(self, kind: str | None, types: tuple[str, ...], tag: str | None) -> np.ndarray | None:
        mask: np.ndarray | None = None

        def narrow(condition: np.ndarray) -> None:
            nonlocal mask
            mask = condition if mask is None else mask & condition

        if kind:
            narrow(self._kinds == self._kind_code.get(kind, -1))
        if types:
            narrow(np.isin(self._types, [self._type_code.get(t, -1) for t in types]))
        if tag:
            tagged = np.zeros(self._size, dtype=bool)
            code = self._tag_code.get(tag)
            if code is not None:
                tagged[self._pair_doc[self._pair_tag == code]] = True
            narrow(tagged)
        return mask

    def _search(
        self,
        text: str,
        kind: str | None = None,
        types: tuple[str, ...] = (),
        tag: str | None = None,
        page: int = 1,
        per_page: int = 10,
        prefix: bool = True,
        facets: bool = True,
        snippets: bool = True,
    ) -> SearchResult:
        """The page of hits for `text`; `facets` and `snippets` (highlights) can be left out
        when the caller needs neither, as the guide does."""
        normal = normalise_query(text)
        words = [w.lower()[:MAX_WORD] for w in _WORD.findall(normal)][:MAX_TERMS]
        if not words:
            return SearchResult(query=normal, total=0, hits=())
        terms = stems(" ".join(words))
        mask = self._filter(kind, types, tag)

        def answered(matched: np.ndarray) -> np.ndarray:
            return np.flatnonzero(matched if mask is None else matched & mask)

        scores, matched = self._all_of(terms, normal)
        docs, fuzzy, wanted, corrected = answered(matched), False, set(terms), words
        if not len(docs):
            fuzzy = True
            corrected = [self._names.correct(w) for w in words]
            if corrected != words:
                fixed = " ".join(corrected)
                wanted = set(stems(fixed))
                scores, matched = self._all_of(list(wanted), fixed)
                docs = answered(matched)
            if not len(docs):
                scores, matched, wanted = self._relaxed(words, terms, prefix, normal)
                docs = answered(matched)
        if not len(docs):
            suggestion = " ".join(corrected) if corrected != words else None
            return SearchResult(query=normal, total=0, hits=(), suggestion=suggestion)
        hits = [
            self._hit(int(d), float(scores[d]), wanted if snippets else None)
            for d in _top(docs, scores, page * per_page)[(page - 1) * per_page :]
        ]
        counts = self._facets(docs) if facets else {}
        return SearchResult(query=normal, total=len(docs), hits=tuple(hits), facets=counts, fuzzy=fuzzy)

    def _facets(self, docs: np.ndarray) -> dict[str, dict[str, int]]:
        """Matches by type and by tag: array sums over the matched documents and their tags."""
        type_counts = np.bincount(self._types[docs], minlength=len(self._type_names))
        # The (document, tag) pairs are in document order: each match's tags are one run of them.
        starts = self._tag_start[docs]
        lengths = self._tag_start[docs + 1] - starts
        runs = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        tag_counts = np.bincount(self._pair_tag[runs], minlength=len(self._tag_names))
        return {
            "type": {self._type_names[i]: int(type_counts[i]) for i in np.flatnonzero(type_counts)},
            "tags": {self._tag_names[i]: int(tag_counts[i]) for i in np.flatnonzero(tag_counts)},
        }

    def _hit(self, docnum: int, score: float, wanted: set[str] | None) -> Hit:
        doc = self._stored[docnum]
        return Hit(
            kind=doc["kind"],
            id=doc["id"],
            type=doc["type"],
            title=doc["title"],
            score=round(score, 4),
            snippet=highlight(doc["summary"], wanted) if wanted is not None else "",
            tags=self._tags[docnum],
        )


def _mapped(path: Path, dtype: np.dtype[Any]) -> np.ndarray:
    """A read-only memory map of a raw array file (an empty file cannot be mapped), as a plain
    array over the mapped buffer: slicing an `np.memmap` runs Python code for every slice."""
    if path.stat().st_size == 0:
        return np.zeros(0, dtype=dtype)
    with path.open("rb") as handle:
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return np.frombuffer(buffer, dtype=dtype)


def _top(docs: np.ndarray, scores: np.ndarray, n: int) -> list[int]:
    """The n best documents by score, ties broken by document number (so pages are stable)."""
    values = scores[docs]
    if len(docs) > n:
        threshold = np.partition(values, len(values) - n)[len(values) - n]
        keep = values >= threshold
        docs, values = docs[keep], values[keep]
    order = np.lexsort((docs, -values))
    return [int(d) for d in docs[order][:n]]
