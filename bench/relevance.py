"""Relevance on reader questions and managers' situations, with two peers measured in the same run.

    python -m bench.relevance [--root .] [--eval ../shared/eval]    (or: make eval)

Queries: each line of `queries-*.tsv` is a question and a regular expression that a relevant
concept id matches in full; the rank of the first relevant concept gives MRR@10, top-1 and top-3.
The same concepts are searched by plain Whoosh BM25F (every word optional, fields weighted as
ours) and by SQLite FTS5 bm25 (Porter stemming, words joined by OR), so the table shows the
ratio to each peer. Situations: each line of `situations-*.tsv` is a situation, a regular
expression that one of the guide's first three tensions matches, and one that a risk in the
answer matches (`-` for none); a situation passes when both hold. Beside the evaluation sets'
situations, the held-out ones kept in this directory (`situations-*.tsv`, written without
looking at how the guide scores them) are scored too, each file on its own line.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from ambidex.checks import validate
from ambidex.guide import answer
from ambidex.model import KnowledgeBase
from ambidex.render import Renderer
from ambidex.search import SearchIndex, build_index
from bench.common import report

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIELDS = {"title": 4.0, "aliases": 3.0, "summary": 2.0, "body": 1.0}
Ranker = Callable[[str], list[str]]


def read_tsv(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def concept_fields(kb: KnowledgeBase, renderer: Renderer) -> Iterable[dict[str, str]]:
    for concept in kb.concepts.values():
        yield {
            "id": concept.id,
            "title": concept.title,
            "aliases": "; ".join(a.name for a in concept.aliases),
            "summary": renderer.plain(concept.summary),
            "body": renderer.plain(concept.body)
            + "\n"
            + "\n".join(renderer.plain(e.text) for e in concept.evidence),
        }


def whoosh_ranker(docs: Sequence[dict[str, str]], directory: Path) -> Ranker:
    """Plain Whoosh BM25F: one stemmed field per part, weighted, words OR-ed."""
    schema = Schema(id=ID(stored=True), **{f: TEXT(analyzer=StemmingAnalyzer()) for f in FIELDS})
    ix = whoosh_index.create_in(str(directory), schema)
    with ix.writer() as writer:
        for doc in docs:
            writer.add_document(**doc)
    parser = MultifieldParser(list(FIELDS), schema, fieldboosts=FIELDS, group=OrGroup)

    def rank(text: str) -> list[str]:
        words = re.findall(r"\w+", text)
        with ix.searcher() as searcher:
            return [hit["id"] for hit in searcher.search(parser.parse(" ".join(words)), limit=10)]

    return rank


def fts5_ranker(docs: Sequence[dict[str, str]]) -> Ranker:
    """SQLite FTS5 with the Porter stemmer, bm25 weighted as ours, words OR-ed."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE c USING fts5(id UNINDEXED, {', '.join(FIELDS)}, tokenize='porter')")
    db.executemany(
        f"INSERT INTO c VALUES (?, {', '.join('?' for _ in FIELDS)})",
        [(d["id"], *(d[f] for f in FIELDS)) for d in docs],
    )
    weights = ", ".join(str(w) for w in FIELDS.values())

    def rank(text: str) -> list[str]:
        words = re.findall(r"\w+", text.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute(
            f"SELECT id FROM c WHERE c MATCH ? ORDER BY bm25(c, 0, {weights}) LIMIT 10", (match,)
        )
        return [r[0] for r in rows]

    return rank


def rank_scores(ranker: Ranker, queries: Sequence[list[str]]) -> tuple[float, float, float, list[int]]:
    """MRR@10, top-1 and top-3 shares, and the rank of the first relevant hit per query (0: none)."""
    ranks = []
    for query, relevant in queries:
        pattern = re.compile(relevant)
        ids = ranker(query)[:10]
        ranks.append(next((i for i, cid in enumerate(ids, 1) if pattern.fullmatch(cid)), 0))
    n = len(ranks) or 1
    mrr = sum(1 / r for r in ranks if r) / n
    return mrr, sum(r == 1 for r in ranks) / n, sum(0 < r <= 3 for r in ranks) / n, ranks


def situation_passes(kb: KnowledgeBase, index: SearchIndex, row: list[str]) -> bool:
    situation, tension_pattern, risk_pattern = row[0], row[1], row[2]
    result = answer(kb, index, situation)
    tensions = [t.concept.id for t in result.tensions[:3]]
    if not any(re.fullmatch(tension_pattern, t) for t in tensions):
        return False
    return risk_pattern == "-" or any(re.fullmatch(risk_pattern, r.concept.id) for r in result.risks)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the knowledge base (default: this one)")
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval", help="the eval sets")
    parser.add_argument("--verbose", action="store_true", help="print each query's rank")
    args = parser.parse_args(argv)
    if not any(args.eval.glob("queries-*.tsv")):
        parser.error(f"no queries-*.tsv in {args.eval}; name the folder of the eval sets with --eval")
    kb, _ = validate(args.root)
    renderer = Renderer(kb)
    docs = list(concept_fields(kb, renderer))
    queries = [r for f in sorted(args.eval.glob("queries-*.tsv")) for r in read_tsv(f)]
    # The evaluation sets' situations, then the repository's own held-out ones, scored apart.
    situation_files = [*sorted(args.eval.glob("situations-*.tsv")), *sorted(HERE.glob("situations-*.tsv"))]
    situations_of = {f.name: read_tsv(f) for f in situation_files}
    situations = [r for rows in situations_of.values() for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        build_index(kb, renderer, Path(tmp) / "ours")
        ours = SearchIndex.open(Path(tmp) / "ours")
        (Path(tmp) / "whoosh").mkdir()
        rankers: dict[str, Ranker] = {
            "ambidex": lambda q: [h.id for h in ours.search(q, kind="concept").hits],
            "Whoosh BM25F (OR)": whoosh_ranker(docs, Path(tmp) / "whoosh"),
            "SQLite FTS5 bm25 (OR)": fts5_ranker(docs),
        }
        rows = []
        ranks_of: dict[str, list[int]] = {}
        for name, ranker in rankers.items():
            mrr, top1, top3, ranks = rank_scores(ranker, queries)
            ranks_of[name] = ranks
            rows.append([name, f"{mrr:.3f}", f"{top1:.2f}", f"{top3:.2f}"])
        passed = [situation_passes(kb, ours, row) for row in situations]
    if args.verbose:
        for (query, _), *ranks in zip(queries, *ranks_of.values(), strict=True):
            print(f"{query!r}: " + ", ".join(f"{n}={r}" for n, r in zip(ranks_of, ranks, strict=True)))
        for row, ok in zip(situations, passed, strict=True):
            print(f"{'pass' if ok else 'FAIL'}: {row[0]}")
    report("relevance", ["ranker", f"MRR@10 ({len(queries)} queries)", "top-1", "top-3"], rows)
    print()
    start = 0
    for name, rows in situations_of.items():
        ok = sum(passed[start : start + len(rows)])
        start += len(rows)
        print(f"guide ({name}): {ok} of {len(rows)} situations surface the expected tension and risk")


if __name__ == "__main__":
    main()
