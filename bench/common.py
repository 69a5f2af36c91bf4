"""Helpers shared by the benchmarks: generated bases cached by size, tables and JSON output."""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from pathlib import Path

from bench.generate import generate

OUT = Path(__file__).resolve().parent / "out"
SIZES = (100, 1_000, 10_000)


def knowledge_base(n: int, seed: int = 0) -> Path:
    """A generated knowledge base of n concepts, made once and reused."""
    root = OUT / "kb" / f"{n}-{seed}"
    if not (root / "references.bib").exists():
        generate(root, n, seed)
    return root


def report(name: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a table and write it as JSON to bench/out/<name>.json."""
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) for i, c in enumerate(columns)]
    print(" | ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
    OUT.mkdir(parents=True, exist_ok=True)
    data = {
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "columns": list(columns),
        "rows": [list(r) for r in rows],
    }
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
