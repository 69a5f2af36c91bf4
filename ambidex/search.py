"""Full-text search over concepts and references: the only module that imports Whoosh.

`build_index(kb, renderer, directory)` writes a fresh Whoosh index beside the current one and
swaps a pointer file atomically; beside Whoosh's own files it writes the posting lists as arrays
with precomputed BM25 scores. `SearchIndex.open(directory)` reads the pointer, reads those arrays
into memory (checking their sizes) and reads the stored fields and name lists. Whoosh analyses
(stemming, tokenising) and stores; a query is a few vectorised sums over the arrays, within
milliseconds at 10,000 concepts.
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
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from whoosh import index
from whoosh.analysis import STOP_WORDS, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

from ambidex.bibliography import plain
from ambidex.model import KnowledgeBase
from ambidex.render import Renderer
from ambidex.roles import ROLE_WORDS

POINTER = "CURRENT"
FORMAT = "6"  # of what an index directory holds; an index in another format is rebuilt
# Raw little-endian arrays, not .npy: reading a .npy header parses Python literals, which
# CPython 3.11 does not do safely from several threads at once.
DOCS_FILE, DOCS_TYPE = "postings-docs.i4", np.dtype("<i4")
SCORES_FILE, SCORES_TYPE = "postings-scores.f4", np.dtype("<f4")
TERMS_FILE = "postings-terms.json"
# The same for the `heading` field (titles and aliases alone): a word in a title is telling even
# when the bodies use it everywhere, which one merged field cannot show.
HEADING_PREFIX = "heading-"
HEADING_WEIGHT = 1.0
VOCABULARY_FILE = "vocabulary.json"
MAX_QUERY_CHARS = 256
MAX_TERMS = 12
MAX_WORD = 40
# Signals (of a tension's poles, also on the pole concepts) and signs (of a risk) are the
# words managers use: weighted like the body, below the names and summaries.
WEIGHTS = {"title": 4, "aliases": 3, "summary": 2, "body": 1, "signals": 1}
K1, B = 1.2, 0.75
# A document's rank: its BM25 over the text and (again) over titles and aliases, times COVERAGE
# and the share of the question's meaningful words it matches (rarer words weigh more); plus
# NAME_BONUS for each query word that a title or alias it bears covers ("what is X" puts X
# first), and EXACT_BONUS when a title or alias is the whole question.
COVERAGE = 100.0
NAME_BONUS = 1500.0
EXACT_BONUS = 5000.0
SYNONYM_WEIGHT = 0.9
ROLE_WEIGHT = 0.3
FUZZY_WEIGHT = 0.8
PREFIX_WEIGHT = 0.5
MAX_PHRASE = 4
# The best n of many matches are looked for among those above the n-th best of a sample of
# SAMPLED * n of them.
SAMPLED = 16
# Words that carry no meaning in a question: never required, never matched.
QUERY_STOP_WORDS = frozenset(
    STOP_WORDS
    | {
        "about",
        "all",
        "am",
        "any",
        "between",
        "both",
        "but",
        "could",
        "define",
        "definition",
        "did",
        "difference",
        "do",
        "does",
        "doing",
        "explain",
        "get",
        "got",
        "has",
        "had",
        "how",
        "i",
        "into",
        "its",
        "me",
        "mean",
        "meaning",
        "means",
        "more",
        "most",
        "my",
        "our",
        "ours",
        "should",
        "so",
        "some",
        "such",
        "than",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "those",
        "too",
        "very",
        "versus",
        "vs",
        "was",
        "were",
        "what",
        "whats",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "would",
        # everyday verbs and fillers that say nothing about the topic of a question
        "also",
        "ask",
        "asked",
        "asking",
        "asks",
        "been",
        "being",
        "bring",
        "brings",
        "even",
        "ever",
        "every",
        "go",
        "goes",
        "going",
        "just",
        "keep",
        "keeps",
        "kept",
        "like",
        "lot",
        "lots",
        "made",
        "make",
        "makes",
        "now",
        "really",
        "said",
        "say",
        "says",
        "still",
        "take",
        "takes",
        "thing",
        "things",
        "want",
        "wanted",
        "wants",
        "way",
        "well",
    }
)
# Control characters (line breaks and tabs included): a query or situation reads them as spaces.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
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
        heading=TEXT(analyzer=_STEM),
        names=TEXT(analyzer=_NAMES, spelling=True),
        exact=KEYWORD(commas=True, lowercase=True),
    )


def _weighted(parts: dict[str, str]) -> str:
    return "\n".join("\n".join([parts[name]] * weight) for name, weight in WEIGHTS.items() if parts.get(name))


def documents(kb: KnowledgeBase, renderer: Renderer) -> Iterable[dict[str, str]]:
    """One search document per concept and per reference, citations rendered in APA form."""
    signals = managers_words(kb)
    for concept in kb.concepts.values():
        aliases = [a.name for a in concept.aliases]
        summary = renderer.plain(concept.summary)
        if concept.in_short:
            summary += "\n" + renderer.plain(concept.in_short)
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
                    "signals": "\n".join(signals.get(concept.id, ())),
                }
            ),
            "heading": "\n".join([concept.title, *aliases]),
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
            "heading": title,
            "names": f"{title} {plain(ref.get('author'))}",
            "exact": name_key(ref.key),
        }


def managers_words(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Per concept, what managers would say of it: a tension's poles (names, signals,
    questions), the same for a concept that is a pole, a risk's signs."""
    out: dict[str, list[str]] = {}
    for concept in kb.concepts.values():
        if concept.signs:
            out.setdefault(concept.id, []).extend(concept.signs)
        for pole in concept.poles:
            words = [pole.name, *pole.signals, *pole.questions]
            out.setdefault(concept.id, []).extend(words)
            if pole.concept:
                out.setdefault(pole.concept, []).extend(words)
    return out


def build_index(kb: KnowledgeBase, renderer: Renderer, directory: Path) -> Path:
    """Build a fresh index for `kb` under `directory` and make it current atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=f"index-{kb.build_id or 'nobuild'}-", dir=directory))
    ix = index.create_in(str(target), _schema())
    writer = ix.writer(limitmb=256)
    for doc in documents(kb, renderer):
        writer.add_document(**doc)
    writer.commit()
    _compile_postings(target, "text")
    _compile_postings(target, "heading", HEADING_PREFIX)
    groups = [[name_key(term) for term in group] for group in kb.vocabulary]
    (target / VOCABULARY_FILE).write_text(json.dumps(groups), encoding="utf-8")
    (target / "FORMAT").write_text(FORMAT, encoding="utf-8")
    (target / "BUILD_ID").write_text(kb.build_id, encoding="utf-8")
    tmp = directory / f".{POINTER}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(target.name, encoding="utf-8")
    os.replace(tmp, directory / POINTER)
    _remove_stale(directory, keep={target.name})
    return target


def _compile_postings(target: Path, field: str, prefix: str = "") -> None:
    """Write the postings of one field of the index in `target` as flat arrays with BM25 (k1 1.2,
    b 0.75) term scores: document numbers and scores, and each term's slice of them."""
    ix = index.open_dir(str(target))
    try:
        with ix.reader() as reader:
            size = reader.doc_count_all()
            lengths = np.array([reader.doc_field_length(d, field, 0) for d in range(size)], dtype=np.float64)
            mean = float(lengths.mean()) if size else 0.0
            norm = K1 * (1 - B + B * lengths / (mean or 1.0))
            docs, weights, terms, offsets = array("i"), array("f"), [], [0]
            for term in reader.field_terms(field):
                for docnum, weight in reader.postings(field, term).items_as("weight"):
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
    doc_array.astype(DOCS_TYPE).tofile(target / f"{prefix}{DOCS_FILE}")
    scores.astype(SCORES_TYPE).tofile(target / f"{prefix}{SCORES_FILE}")
    (target / f"{prefix}{TERMS_FILE}").write_text(
        json.dumps({"terms": terms, "offsets": offsets}), encoding="utf-8"
    )


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
    text = CONTROL.sub(" ", text)
    text = re.sub(r"[*?~^:\[\]{}()<>\\/+!\"]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_QUERY_CHARS].strip()


def stems(text: str) -> list[str]:
    return list(dict.fromkeys(t.text for t in _STEM(text)))


def meaningful(words: list[str]) -> list[str]:
    """The words of a question that carry meaning (all of them if none does)."""
    return [w for w in words if w not in QUERY_STOP_WORDS] or words


def name_key(text: str) -> str:
    """How a title or alias is compared with the words of a query: the set of its meaningful
    stems, so "hunters" is "hunter" and "farmers and hunters" is "hunters vs. farmers"."""
    words = [w.lower()[:MAX_WORD] for w in _WORD.findall(normalise_query(text))]
    return " ".join(sorted({stem_of(w) or w for w in meaningful(words)}))


@lru_cache(maxsize=65536)
def stem_of(word: str) -> str:
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
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=lambda: MappingProxyType({}))
    suggestion: str | None = None
    fuzzy: bool = False
    # The query with each mistyped word replaced by the title or alias word it was read as.
    corrected: str | None = None


def highlight(text: str, wanted: set[str], width: int = 220) -> str:
    """HTML-escaped text around the first match, words whose stem is wanted in <mark>."""
    # A stem keeps the first letters of its word: only words that start like a wanted stem are
    # found and stemmed at all.
    starts = tuple({t[:3] for t in wanted if t})
    hits = [m for m in _words_starting(text, starts) if stem_of(m.group(0)) in wanted]
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


@dataclass(frozen=True, slots=True)
class _Slot:
    """A meaningful word (or vocabulary phrase) of a query and the stems that satisfy it:
    options of (stems that must all occur, weight)."""

    text: str
    options: tuple[tuple[tuple[str, ...], float], ...]
    words: int
    correction: str = ""  # the nearest known word, for a mistyped word


@dataclass(frozen=True)
class _Ranked:
    """A query's matches: the documents (ascending) with their rank scores, and per slot the
    documents it matched (ascending)."""

    query: str
    slots: tuple[_Slot, ...]
    per_slot: tuple[np.ndarray, ...]
    docs: np.ndarray
    scores: np.ndarray
    fuzzy: bool
    suggestion: str | None


@dataclass(frozen=True, slots=True)
class Match:
    """A document that a text matched: its id, rank score and the words of the text it matched."""

    id: str
    score: float
    words: tuple[str, ...]


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
    """An open index: stored fields, names and posting arrays in memory.

    Scoring is BM25 over the posting lists that `build_index` compiled into flat arrays (term →
    slice of document numbers and precomputed term scores), so a query that matches thousands of
    documents costs a few vectorised sums instead of a walk through Whoosh's matchers.
    Everything here is read-only after `__init__`, so threads share it without locks.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.build_id = (path / "BUILD_ID").read_text(encoding="utf-8").strip()
        ix = FileStorage(str(path), supports_mmap=False, readonly=True).open_index()
        try:
            with ix.reader() as reader:
                self._load(reader)
        finally:
            ix.close()

    @classmethod
    def open(cls, directory: Path) -> SearchIndex:
        """The current index under `directory`. Whoosh is read only while it opens, and every
        array is read into memory, so there is nothing to close."""
        name = (directory / POINTER).read_text(encoding="utf-8").strip()
        return cls(directory / name)

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
        self._type_totals = np.bincount(self._types, minlength=len(types))
        self._tag_totals = np.bincount(self._pair_tag, minlength=len(self._tag_names))

        # Read into memory and checked: nothing a later change on disk can pull from under us.
        self._bounds, self._docs, self._scores = _postings(self.path, "")
        self._heading_bounds, heading_docs, self._heading_scores = _postings(self.path, HEADING_PREFIX)
        self._heading_at = self._positions(heading_docs)

        self._exact: dict[str, tuple[int, ...]] = {
            name: tuple(reader.postings("exact", name).all_ids()) for name in reader.field_terms("exact")
        }
        self._names = _Names({w: reader.doc_frequency("names", w) for w in reader.field_terms("names")})
        groups: list[list[str]] = json.loads((self.path / VOCABULARY_FILE).read_text(encoding="utf-8"))
        self._groups = [tuple(g) for g in groups]
        self._synonyms = {key: i for i, group in enumerate(self._groups) for key in group}

    # ------------------------------------------------------------------ static export

    def static_index(self, kind: str = "concept") -> dict[str, Any]:
        """What a browser needs to rank the documents of one kind exactly as `search` does: their
        stored fields, every term's document frequency, their postings with the compiled scores
        (as float32 values, so a client that rounds each to float32 adds up the same doubles),
        the names for typo and prefix expansion with their stems, the vocabulary's groups, the
        exact title and alias keys, the stop words and the ranking constants."""
        chosen = [d for d in range(self._size) if self._stored[d].get("kind") == kind]
        local = {d: i for i, d in enumerate(chosen)}
        heading = np.zeros(len(self._docs), dtype=np.float32)
        for start, end in self._heading_bounds.values():
            heading[self._heading_at[start:end]] = self._heading_scores[start:end]
        terms: dict[str, list[Any]] = {}
        for term, (start, end) in self._bounds.items():
            entry: list[Any] = [end - start]
            at = [i for i in range(start, end) if int(self._docs[i]) in local]
            if at:
                entry.append([local[int(self._docs[i])] for i in at])
                entry.append([_float32(self._scores[i]) for i in at])
                if any(heading[i] for i in at):
                    entry.append([_float32(heading[i]) for i in at])
            terms[term] = entry
        return {
            "size": self._size,
            "docs": [[self._stored[d][f] for f in ("id", "type", "title", "summary")] for d in chosen],
            "terms": terms,
            "exact": {
                key: [local[d] for d in docs if d in local]
                for key, docs in self._exact.items()
                if any(d in local for d in docs)
            },
            "names": {w: [f, stem_of(w)] for w, f in self._names.frequency.items()},
            "groups": [list(g) for g in self._groups],
            "stop": sorted(QUERY_STOP_WORDS),
            "analyzer_stop": sorted(STOP_WORDS),
            "roles": sorted(ROLE_WORDS),
            "constants": {
                "max_query_chars": MAX_QUERY_CHARS,
                "max_terms": MAX_TERMS,
                "max_word": MAX_WORD,
                "max_phrase": MAX_PHRASE,
                "heading_weight": HEADING_WEIGHT,
                "coverage": COVERAGE,
                "name_bonus": NAME_BONUS,
                "exact_bonus": EXACT_BONUS,
                "synonym_weight": SYNONYM_WEIGHT,
                "fuzzy_weight": FUZZY_WEIGHT,
                "prefix_weight": PREFIX_WEIGHT,
                "role_weight": ROLE_WEIGHT,
            },
        }

    # ------------------------------------------------------------------ querying

    def _slots(self, words: list[str], prefix: bool) -> tuple[list[_Slot], bool]:
        """The meaningful words of a query as slots, each with the stems that satisfy it: the
        word itself, a phrase of the vocabulary with its synonyms, or (for a word no document
        holds) the title and alias words within a typo of it, or starting with it when it is
        the last word typed. A word that nothing matches has no slot."""
        kept = meaningful(words)
        stemmed = [stem_of(w) or w for w in kept]
        slots: list[_Slot] = []
        fuzzy = False
        i = 0
        while i < len(kept):
            for n in range(min(MAX_PHRASE, len(kept) - i), 0, -1):
                key = " ".join(sorted(set(stemmed[i : i + n])))
                group = self._synonyms.get(key)
                if group is not None:
                    phrase: list[tuple[tuple[str, ...], float]] = [(tuple(key.split()), 1.0)]
                    phrase += [(tuple(k.split()), SYNONYM_WEIGHT) for k in self._groups[group] if k != key]
                    slots.append(_Slot(" ".join(kept[i : i + n]), tuple(phrase), n))
                    i += n
                    break
            else:
                word, stem = kept[i], stemmed[i]
                if stem in self._bounds:
                    slots.append(_Slot(word, (((stem,), 1.0),), 1))
                else:
                    expansions: dict[str, float] = {}
                    near = []
                    if len(word) >= 4:
                        near = self._names.within(word, 1 if len(word) < 8 else 2)
                        for w in near:
                            expansions.setdefault(stem_of(w), FUZZY_WEIGHT)
                    if prefix and i == len(kept) - 1 and len(word) >= 2:
                        for w in self._names.starting(word):
                            expansions.setdefault(stem_of(w), PREFIX_WEIGHT)
                    options = tuple(((t,), w) for t, w in expansions.items() if t in self._bounds)
                    if options:
                        fuzzy = True
                        correction = next((w for w in near if stem_of(w) in self._bounds), "")
                        slots.append(_Slot(word, options, 1, correction))
                i += 1
        return slots, fuzzy

    def _term(self, stem: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding a stem (ascending) and its score in each: the BM25 of the stem
        in the text plus HEADING_WEIGHT times its BM25 in titles and aliases. (Titles and aliases
        are part of the text, so every heading posting has a text posting.)"""
        start, end = self._bounds[stem]
        # As native integers: numpy indexes with them twice as fast as with the stored int32.
        docs = self._docs[start:end].astype(np.intp)
        scores = self._scores[start:end].astype(np.float64)
        heading = self._heading_bounds.get(stem)
        if heading is not None:
            at = self._heading_at[heading[0] : heading[1]] - start
            scores[at] += HEADING_WEIGHT * self._heading_scores[heading[0] : heading[1]]
        return docs, scores

    def _positions(self, heading_docs: np.ndarray) -> np.ndarray:
        """Where each heading posting is among the text postings (a title's words are in the
        text too): found once, by ordering both as (term, document) keys."""
        order = {term: i for i, term in enumerate(self._bounds)}
        text_counts = [end - start for start, end in self._bounds.values()]
        text_keys = np.repeat(np.arange(len(text_counts), dtype=np.int64), text_counts) * self._size
        text_keys += self._docs
        terms = np.array([order.get(t, -1) for t in self._heading_bounds], dtype=np.int64)
        heading_counts = [end - start for start, end in self._heading_bounds.values()]
        heading_keys = np.repeat(terms, heading_counts) * self._size + heading_docs
        at: np.ndarray = np.searchsorted(text_keys, heading_keys)
        if len(at) and not np.array_equal(text_keys[np.minimum(at, len(text_keys) - 1)], heading_keys):
            raise ValueError(f"{self.path}: a heading posting has no text posting")
        return at.astype(np.int32)

    def _option(self, stems_: tuple[str, ...], weight: float) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding every stem of an option, and the sum of their scores times the
        option's weight."""
        if any(t not in self._bounds for t in stems_):
            return _NONE, _NO_SCORES
        docs, scores = self._term(stems_[0])
        for stem in stems_[1:]:
            more_docs, more_scores = self._term(stem)
            docs, here, there = np.intersect1d(docs, more_docs, assume_unique=True, return_indices=True)
            scores = scores[here] + more_scores[there]
        return docs, scores * weight if weight != 1.0 else scores

    def _slot_scores(self, slot: _Slot) -> tuple[np.ndarray, np.ndarray]:
        """The documents that match a slot (ascending) and the best score of any of the slot's
        options in each."""
        if len(slot.options) == 1:
            return self._option(*slot.options[0])
        best = np.zeros(self._size)
        for stems_, weight in slot.options:
            docs, scores = self._option(stems_, weight)
            best[docs] = np.maximum(best[docs], scores)
        docs = np.flatnonzero(best > 0)
        return docs, best[docs]

    def _rarity(self, slot: _Slot) -> float:
        """How telling a match of the slot is, from 0 (every document) to 1 (one document): the
        inverse document frequency of its rarest option's commonest stem, over that of a word
        only one document holds. A question's common words count for less than its rare ones."""
        best = 0.0
        for stems_, _ in slot.options:
            sizes = [end - start for start, end in (self._bounds.get(t, (0, 0)) for t in stems_)]
            if sizes and min(sizes) > 0:
                best = max(best, _idf(self._size, max(sizes)))
        return best / (_idf(self._size, 1) or 1.0)

    def _name_bonus(self, slots: list[_Slot]) -> dict[int, float]:
        """Documents whose title or alias is made of consecutive query words: NAME_BONUS for each
        word it covers, EXACT_BONUS when it covers the whole question."""
        stems_ = [opt[0] for slot in slots for opt in slot.options[:1]]
        bonus: dict[int, float] = {}
        for i in range(len(stems_)):
            for j in range(i + 1, len(stems_) + 1):
                key = " ".join(sorted({t for part in stems_[i:j] for t in part}))
                for doc in self._exact.get(key, ()):
                    covered = sum(slot.words for slot in slots[i:j])
                    value = NAME_BONUS * covered + (EXACT_BONUS if (i, j) == (0, len(stems_)) else 0.0)
                    bonus[doc] = max(bonus.get(doc, 0.0), value)
        return bonus

    def _rank(
        self, text: str, kind: str | None, types: tuple[str, ...], tag: str | None, prefix: bool
    ) -> _Ranked:
        normal = normalise_query(text)
        words = [w.lower()[:MAX_WORD] for w in _WORD.findall(normal)][:MAX_TERMS]
        slots, fuzzy = self._slots(words, prefix)
        per_slot = [self._slot_scores(slot) for slot in slots]
        rarity = [self._rarity(slot) for slot in slots]
        # A word that only says who (see `ambidex.roles`) counts for little beside the others.
        if len(slots) > 1:
            for k, slot in enumerate(slots):
                if slot.text in ROLE_WORDS:
                    per_slot[k] = (per_slot[k][0], per_slot[k][1] * ROLE_WEIGHT)
                    rarity[k] *= ROLE_WEIGHT
        # Coordination: a document's score is scaled by the share of the question it matches,
        # each word weighted by how rare it is, so matching more of the meaningful words counts
        # for more than matching one of them often. The sums run over the matches only.
        if len(per_slot) == 1:
            docs, scores = per_slot[0]
            scores = scores * (COVERAGE if rarity[0] > 0 else 0.0)
        elif per_slot:
            every = np.concatenate([d for d, _ in per_slot])
            total = np.bincount(every, weights=np.concatenate([s for _, s in per_slot]), minlength=self._size)
            weights = np.repeat(np.array(rarity), [len(d) for d, _ in per_slot])
            covered = np.bincount(every, weights=weights, minlength=self._size)
            docs = np.flatnonzero(total > 0)
            scores = total[docs] * (COVERAGE * covered[docs] / (sum(rarity) or 1.0))
        else:
            docs, scores = _NONE, _NO_SCORES
        docs, scores = self._add_bonus(docs, scores, self._name_bonus(slots))
        keep = scores > 0
        selected = self._filter(docs, kind, types, tag)
        if selected is not None:
            keep &= selected
        if not keep.all():
            docs, scores = docs[keep], scores[keep]
        suggestion = None
        if not len(docs) and words:
            corrected = [self._names.correct(w) for w in words]
            suggestion = " ".join(corrected) if corrected != words else None
        matched = tuple(d for d, _ in per_slot)
        return _Ranked(normal, tuple(slots), matched, docs, scores, fuzzy, suggestion)

    @staticmethod
    def _add_bonus(
        docs: np.ndarray, scores: np.ndarray, bonus: dict[int, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The name bonus added to the documents' scores (a document named by the query that its
        words do not match joins them)."""
        if not bonus:
            return docs, scores
        named = np.fromiter(bonus, dtype=np.int64, count=len(bonus))
        values = np.fromiter(bonus.values(), dtype=np.float64, count=len(bonus))
        at = np.searchsorted(docs, named)
        found = at < len(docs)
        found[found] = docs[at[found]] == named[found]
        scores = scores.copy()
        scores[at[found]] += values[found]
        if found.all():
            return docs, scores
        docs = np.concatenate((docs, named[~found]))
        scores = np.concatenate((scores, values[~found]))
        order = np.argsort(docs, kind="stable")
        return docs[order], scores[order]

    def matches(self, text: str, kind: str | None = "concept", limit: int = 30) -> list[Match]:
        """The best documents for a text with their scores and the query words each matched."""
        ranked = self._rank(text, kind, (), None, prefix=False)
        out = []
        for at in _top(ranked.docs, ranked.scores, limit):
            doc = int(ranked.docs[at])
            words = tuple(
                s.text for s, d in zip(ranked.slots, ranked.per_slot, strict=True) if _holds(d, doc)
            )
            out.append(Match(self._stored[doc]["id"], float(ranked.scores[at]), words))
        return out

    def _filter(
        self, docs: np.ndarray, kind: str | None, types: tuple[str, ...], tag: str | None
    ) -> np.ndarray | None:
        """Which of `docs` are of the kind, one of the types and bear the tag asked for (None:
        all of them, nothing was asked)."""
        keep: np.ndarray | None = None

        def narrow(condition: np.ndarray) -> None:
            nonlocal keep
            keep = condition if keep is None else keep & condition

        if kind:
            narrow(self._kinds[docs] == self._kind_code.get(kind, -1))
        if types:
            narrow(np.isin(self._types[docs], [self._type_code.get(t, -1) for t in types]))
        if tag:
            tagged = np.zeros(self._size, dtype=bool)
            code = self._tag_code.get(tag)
            if code is not None:
                tagged[self._pair_doc[self._pair_tag == code]] = True
            narrow(tagged[docs])
        return keep

    def search(
        self,
        text: str,
        *,
        kind: str | None = None,
        types: tuple[str, ...] = (),
        tag: str | None = None,
        page: int = 1,
        per_page: int = 10,
        prefix: bool = True,
        facets: bool = True,
        snippets: bool = True,
    ) -> SearchResult:
        ranked = self._rank(text, kind, types, tag, prefix)
        docs = ranked.docs
        if not len(docs):
            return SearchResult(query=ranked.query, total=0, hits=(), suggestion=ranked.suggestion)
        wanted = {t for slot in ranked.slots for stems_, _ in slot.options for t in stems_}
        hits = [
            self._hit(int(docs[at]), float(ranked.scores[at]), wanted if snippets else None)
            for at in _top(docs, ranked.scores, page * per_page)[(page - 1) * per_page :]
        ]
        counts = self._facets(docs) if facets else MappingProxyType({})
        return SearchResult(
            query=ranked.query,
            total=len(docs),
            hits=tuple(hits),
            facets=counts,
            fuzzy=ranked.fuzzy,
            corrected=_corrected(ranked),
        )

    def _facets(self, docs: np.ndarray) -> Mapping[str, Mapping[str, int]]:
        """Matches by type and by tag: array sums over the matched documents and their tags,
        or, when most documents match, over the others, taken from the totals."""
        if 2 * len(docs) > self._size:
            left = np.ones(self._size, dtype=bool)
            left[docs] = False
            rest = np.flatnonzero(left)
            type_counts, tag_counts = self._counts(rest)
            type_counts = self._type_totals - type_counts
            tag_counts = self._tag_totals - tag_counts
        else:
            type_counts, tag_counts = self._counts(docs)
        return MappingProxyType(
            {
                "type": MappingProxyType(
                    {self._type_names[i]: int(type_counts[i]) for i in np.flatnonzero(type_counts)}
                ),
                "tags": MappingProxyType(
                    {self._tag_names[i]: int(tag_counts[i]) for i in np.flatnonzero(tag_counts)}
                ),
            }
        )

    def _counts(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How many of `docs` have each type, and bear each tag."""
        type_counts = np.bincount(self._types[docs], minlength=len(self._type_names))
        # The (document, tag) pairs are in document order: each document's tags are one run.
        starts = self._tag_start[docs]
        lengths = self._tag_start[docs + 1] - starts
        runs = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        return type_counts, np.bincount(self._pair_tag[runs], minlength=len(self._tag_names))

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


def _float32(value: Any) -> float:
    """The shortest decimal that reads back as the same float32."""
    return float(np.format_float_positional(np.float32(value), unique=True, trim="-"))


def _corrected(ranked: _Ranked) -> str | None:
    """The query as read when some of its words were typos, or None."""
    fixes = {slot.text: slot.correction for slot in ranked.slots if slot.correction}
    if not fixes:
        return None
    words = [w.lower()[:MAX_WORD] for w in _WORD.findall(ranked.query)][:MAX_TERMS]
    return " ".join(fixes.get(w, w) for w in words)


def _idf(size: int, df: int) -> float:
    return float(np.log1p((size - df + 0.5) / (df + 0.5)))


def _postings(directory: Path, prefix: str) -> tuple[dict[str, tuple[int, int]], np.ndarray, np.ndarray]:
    """One field's compiled postings: each term's slice, document numbers and BM25 scores."""
    terms = json.loads((directory / f"{prefix}{TERMS_FILE}").read_text(encoding="utf-8"))
    offsets = terms["offsets"]
    bounds = {term: (offsets[i], offsets[i + 1]) for i, term in enumerate(terms["terms"])}
    docs = _read_array(directory / f"{prefix}{DOCS_FILE}", DOCS_TYPE)
    scores = _read_array(directory / f"{prefix}{SCORES_FILE}", SCORES_TYPE)
    expected = offsets[-1] if offsets else 0
    if len(docs) != expected or len(scores) != expected:
        raise ValueError(f"the index's postings in {directory} are damaged: {len(docs)} for {expected}")
    return bounds, docs, scores


def _read_array(path: Path, dtype: np.dtype[Any]) -> np.ndarray:
    """A raw array file read into memory, its size checked. Never memory-mapped: a file that is
    truncated or rewritten in place (an in-place copy over a live build) would then kill the
    process with SIGBUS on the next query."""
    data = path.read_bytes()
    if len(data) % dtype.itemsize:
        raise ValueError(f"{path} is damaged: {len(data)} bytes is no whole number of entries")
    return np.frombuffer(data, dtype=dtype)


def _top(docs: np.ndarray, scores: np.ndarray, n: int) -> list[int]:
    """Where the n best of `docs` are, by their `scores`, ties broken by document number (so
    pages are stable)."""
    at = np.arange(len(docs))
    if len(docs) > SAMPLED * n:
        # The n-th best of an evenly spaced sample is a floor that at least n scores reach, so
        # the n best are among the scores that reach it: a few times n of them, not all.
        sample = scores[:: len(scores) // (SAMPLED * n)]
        at = np.flatnonzero(scores >= np.partition(sample, len(sample) - n)[len(sample) - n])
    if len(at) > n:
        values = scores[at]
        at = at[values >= np.partition(values, len(values) - n)[len(values) - n]]
    order = np.lexsort((docs[at], -scores[at]))
    return [int(i) for i in at[order][:n]]


def _holds(docs: np.ndarray, doc: int) -> bool:
    """Whether an ascending array of documents holds `doc`."""
    at = int(np.searchsorted(docs, doc))
    return at < len(docs) and int(docs[at]) == doc


_NONE = np.zeros(0, dtype=np.intp)
_NO_SCORES = np.zeros(0, dtype=np.float64)
