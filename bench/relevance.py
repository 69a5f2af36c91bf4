"""Relevance on reader questions and managers' situations, with two peers measured in the same run.

    python -m bench.relevance [--root .] [--eval ../shared/eval]    (or: make eval)

Queries: each line of `queries-*.tsv` is a question and a regular expression that a relevant
concept id matches in full; the rank of the first relevant concept gives MRR@10, top-1 and top-3.
The same concepts are searched by plain Whoosh BM25F (every word optional, fields weighted as
ours) and by SQLite FTS5 bm25 (Porter stemming, words joined by OR), so the table shows the
ratio to each peer, for each file of questions apart.

Situations: each line of `situations-*.tsv` is a situation; a regular expression that one of the
guide's first three tensions matches; one that a risk to watch matches (`-` for none); and,
optionally, one that the pole the situation leans to matches (`-`: a neutral situation, no lean).
Each situation is asked of the real API (`/api/v1/guide`, the default answer) and scored on: the
tension in the first three, the risk, the lean where the file gives one, moves and questions
present, and the size of the answer in bytes; it passes when all of these hold and the answer
is at most 8 kB. Beside the evaluation sets' files, the held-out ones kept in `bench/eval/`
(written from the source articles, never from the evaluation sets' lines) are scored too.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from ambidex.checks import validate
from ambidex.model import KnowledgeBase
from ambidex.render import Renderer
from ambidex.search import SearchIndex, build_index, managers_words
from api.app import create_app
from api.settings import Settings
from bench.common import report

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HELD_OUT = HERE / "eval"
FIELDS = {"title": 4.0, "aliases": 3.0, "summary": 2.0, "body": 1.0}
Ranker = Callable[[str], list[str]]


def read_tsv(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def concept_fields(kb: KnowledgeBase, renderer: Renderer) -> Iterable[dict[str, str]]:
    """What the peers index of each concept: the same text as ours (managers' words, signals
    and signs, in the body)."""
    signals = managers_words(kb)
    for concept in kb.concepts.values():
        yield {
            "id": concept.id,
            "title": concept.title,
            "aliases": "; ".join(a.name for a in concept.aliases),
            "summary": renderer.plain(concept.summary),
            "body": renderer.plain(concept.body)
            + "\n"
            + "\n".join(renderer.plain(e.text) for e in concept.evidence)
            + "\n"
            + "\n".join(signals.get(concept.id, ())),
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


MAX_ANSWER = 8 * 1024


@dataclass(frozen=True)
class Scored:
    """How the guide's answer to one situation fares."""

    tension: bool
    risk: bool
    lean: bool | None  # None: the file gives no lean for this situation
    moves: bool
    questions: bool
    size: int

    @property
    def passed(self) -> bool:
        return (
            self.tension
            and self.risk
            and self.lean is not False
            and self.moves
            and self.questions
            and 0 < self.size <= MAX_ANSWER
        )


def score_situation(client: TestClient, row: list[str]) -> Scored:
    """The default answer of the API to a situation, scored against its row."""
    situation, tension_pattern, risk_pattern = row[0], row[1], row[2]
    lean_pattern = row[3] if len(row) > 3 else None
    r = client.get("/api/v1/guide", params={"situation": situation}, headers={"Accept-Encoding": "identity"})
    if r.status_code != 200:
        return Scored(False, False, False if lean_pattern else None, False, False, 0)
    body = r.json()
    if "diagnosis" in body:
        tensions = [(d["id"], (d["lean"] or {}).get("concept") or None) for d in body["diagnosis"]]
        risks = [w["id"] for w in body["watch"]]
        moves, questions = bool(body["moves"]), bool(body["questions"])
    else:  # the answer before it was shaped as advice: the graph walk
        tensions = [(t["tension"]["id"], t["lean"]) for t in body["tensions"]]
        risks = [x["id"] for x in body["risks"]]
        moves = questions = False
    found = [(t, lean) for t, lean in tensions[:3] if re.fullmatch(tension_pattern, t)]
    risk = risk_pattern == "-" or any(re.fullmatch(risk_pattern, x) for x in risks)
    lean_ok: bool | None = None
    if lean_pattern is not None and found:
        lean = found[0][1]
        lean_ok = lean is None if lean_pattern == "-" else bool(lean and re.fullmatch(lean_pattern, lean))
    elif lean_pattern is not None:
        lean_ok = False
    return Scored(bool(found), risk, lean_ok, moves, questions, len(r.content))


def situation_row(name: str, scored: Sequence[Scored]) -> list[object]:
    n = len(scored)
    leans = [s.lean for s in scored if s.lean is not None]
    sizes = sorted(s.size for s in scored)
    return [
        name,
        f"{sum(s.tension for s in scored)}/{n}",
        f"{sum(s.risk for s in scored)}/{n}",
        f"{sum(leans)}/{len(leans)}" if leans else "-",
        f"{sum(s.moves for s in scored)}/{n}",
        f"{sum(s.questions for s in scored)}/{n}",
        sizes[n // 2] if sizes else 0,
        sizes[-1] if sizes else 0,
        f"{sum(s.passed for s in scored)}/{n}",
    ]


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

    # The evaluation sets' files, then the repository's own held-out ones, each scored apart.
    def files(pattern: str) -> dict[str, list[list[str]]]:
        found = [*sorted(args.eval.glob(pattern)), *sorted(HELD_OUT.glob(pattern))]
        return {f.name: read_tsv(f) for f in found}

    queries_of = files("queries-*.tsv")
    situations_of = files("situations-*.tsv")
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
        for file_name, queries in queries_of.items():
            for name, ranker in rankers.items():
                mrr, top1, top3, ranks = rank_scores(ranker, queries)
                rows.append([file_name, len(queries), name, f"{mrr:.3f}", f"{top1:.2f}", f"{top3:.2f}"])
                if args.verbose and name == "ambidex":
                    for (query, _), rank in zip(queries, ranks, strict=True):
                        print(f"{rank or '-':>2} {query}")
        project = Path(tmp) / "project"
        for name in ("kb", "references.bib"):
            source = args.root / name
            if source.is_dir():
                shutil.copytree(source, project / name)
            else:
                shutil.copy2(source, project / name)
        scored_of: dict[str, list[Scored]] = {}
        with TestClient(create_app(Settings(root=project))) as client:
            for file_name, situations in situations_of.items():
                scored_of[file_name] = [score_situation(client, row) for row in situations]
                if args.verbose:
                    for row, scored in zip(situations, scored_of[file_name], strict=True):
                        print(f"{'pass' if scored.passed else 'FAIL'} {scored}: {row[0][:90]}")
    report("relevance", ["questions", "n", "ranker", "MRR@10", "top-1", "top-3"], rows)
    print()
    columns = ["situations", "tension in top 3", "risk", "lean", "moves", "questions"]
    columns += ["median bytes", "max bytes", "all (≤ 8 kB)"]
    report("guide-relevance", columns, [situation_row(n, s) for n, s in scored_of.items()])


if __name__ == "__main__":
    main()
