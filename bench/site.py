"""Site build time and size at 100 / 1,000 concepts (10,000 with `--all`).

    python -m bench.site [--all]

Each generated knowledge base gets the project's `mkdocs.yml`, `theme/` and hand-written
`docs/`, then `mkdocs build` runs as a process (`ambidex build` runs the same build in its own
process). Not strict: the hand-written pages link to the project's own concepts, which a
generated base does not have. Size should grow linearly with the number of concepts (every page
carrying the whole navigation would make it quadratic).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import knowledge_base, report

REPO = Path(__file__).resolve().parent.parent


def _size_mb(directory: Path) -> tuple[float, int]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6, len(files)


def run(n: int) -> list[object]:
    root = knowledge_base(n)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.rmtree(root / "docs", ignore_errors=True)
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.rmtree(root / "theme", ignore_errors=True)
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.rmtree(root / "site", ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", "site"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    size, files = _size_mb(root / "site")
    pages = len(list((root / "site").rglob("*.html")))
    largest = max((p.stat().st_size for p in (root / "site" / "concepts").rglob("*.html")), default=0)
    per_concept = size / n * 1000
    return [n, f"{seconds:.1f}", pages, files, f"{size:.1f}", f"{per_concept:.0f}", f"{largest / 1e3:.0f}"]


def main() -> None:
    sizes = (100, 1_000, 10_000) if "--all" in sys.argv else (100, 1_000)
    report(
        "site",
        ["concepts", "build s", "HTML pages", "files", "size MB", "kB per concept", "largest page kB"],
        [run(n) for n in sizes],
    )


if __name__ == "__main__":
    main()
