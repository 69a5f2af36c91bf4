"""In-process search latency at 100 / 1,000 / 10,000 concepts: index build, cold p50/p99, typos.

    python -m bench.search

Cold means every query is new to the result cache; the queries mix single words, phrases,
prefixes and misspellings drawn from the generated vocabulary.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from ambidex.checks import validate
from ambidex.render import Renderer
from ambidex.search import SearchIndex, build_index
from bench.common import SIZES, knowledge_base, report
from bench.generate import zipf_words


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + rng.choice("aeiou") + word[i:]


def queries(n: int, seed: int = 1) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    kinds = ["word", "phrase", "prefix", "typo"]
    out = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        word, other = (w for w in zipf_words(rng, 2) if True)
        while len(word) < 4:
            word = zipf_words(rng, 1)[0]
        text = {
            "word": word,
            "phrase": f"{word} {other}",
            "prefix": word[: max(3, len(word) // 2)],
            "typo": _typo(word, rng),
        }[kind]
        out.append((kind, text))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    rows = []
    for n in SIZES:
        kb, _ = validate(knowledge_base(n))
        renderer = Renderer(kb)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            build_index(kb, renderer, Path(tmp))
            build_s = time.perf_counter() - start
            index = SearchIndex.open(Path(tmp))
            index.search("warm up")
            timings: dict[str, list[float]] = {}
            for kind, q in queries(400):
                start = time.perf_counter()
                index.search(q)
                timings.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        every = [t for ts in timings.values() for t in ts]
        rows.append(
            [
                n,
                f"{build_s:.1f}",
                f"{statistics.median(every):.2f}",
                f"{percentile(every, 0.99):.2f}",
                f"{statistics.median(timings['typo']):.2f}",
                f"{percentile(timings['typo'], 0.99):.2f}",
                f"{statistics.median(timings['prefix']):.2f}",
            ]
        )
    report(
        "search",
        [
            "concepts",
            "index build s",
            "cold p50 ms",
            "cold p99 ms",
            "typo p50 ms",
            "typo p99 ms",
            "prefix p50 ms",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
