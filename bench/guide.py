"""In-process guide latency at 100 / 1,000 / 10,000 concepts: the advisor made once per build,
then the advice for new situations (cold: every situation is new).

    python -m bench.guide

A situation is 8 to 24 words of the generated vocabulary; every other one also carries the
words of a generated tension's signal, so that half of them match a tension through its
signals and the rest reach tensions (or not) through everyday words.
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from pathlib import Path

from ambidex.advice import Advisor
from ambidex.checks import validate
from ambidex.render import Renderer
from ambidex.search import SearchIndex, build_index
from bench.common import SIZES, knowledge_base, report
from bench.generate import zipf_words
from bench.search import percentile

SITUATIONS = 400


def situations(signals: list[str], n: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = zipf_words(rng, rng.randint(8, 24))
        if i % 2 and signals:
            words += rng.choice(signals).rstrip(".").split()
        rng.shuffle(words)
        out.append(" ".join(words))
    return out


def main() -> None:
    rows = []
    for n in SIZES:
        kb, _ = validate(knowledge_base(n))
        with tempfile.TemporaryDirectory() as tmp:
            build_index(kb, Renderer(kb), Path(tmp))
            index = SearchIndex.open(Path(tmp))
            start = time.perf_counter()
            advisor = Advisor(kb, index)
            made_s = time.perf_counter() - start
            signals = [s for c in kb.concepts.values() for p in c.poles for s in p.signals]
            advisor.advise("warm up the stemmer and the caches")
            # As a server does once a build is loaded (`api.serving.settle`).
            gc.collect()
            gc.freeze()
            timings: list[float] = []
            answered = 0
            for situation in situations(signals, SITUATIONS):
                start = time.perf_counter()
                advice = advisor.advise(situation)
                timings.append((time.perf_counter() - start) * 1000)
                answered += bool(advice.diagnosis)
            gc.unfreeze()
        rows.append(
            [
                n,
                len(advisor.tensions),
                f"{made_s:.2f}",
                f"{statistics.median(timings):.2f}",
                f"{percentile(timings, 0.99):.2f}",
                f"{answered / SITUATIONS:.2f}",
            ]
        )
    report(
        "guide",
        ["concepts", "tensions", "advisor made s", "cold p50 ms", "cold p99 ms", "answered share"],
        rows,
    )


if __name__ == "__main__":
    main()
