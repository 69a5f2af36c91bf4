"""Run every benchmark: `make bench` (tables on stdout, JSON under bench/out/)."""

from __future__ import annotations

import importlib
import importlib.util

BENCHMARKS = ("bench.check", "bench.site", "bench.search", "bench.guide", "bench.http")


def main() -> None:
    for name in BENCHMARKS:
        if importlib.util.find_spec(name) is None:
            continue
        print(f"\n## {name}\n")
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
