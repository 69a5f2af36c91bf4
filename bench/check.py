"""How long `check` (load + every rule) takes at 100 / 1,000 / 10,000 concepts.

python -m bench.check
"""

from __future__ import annotations

import subprocess
import sys
import time

from ambidex.checks import validate
from bench.common import SIZES, knowledge_base, report


def main() -> None:
    rows = []
    base = None
    for n in SIZES:
        root = knowledge_base(n)
        start = time.perf_counter()
        kb, problems = validate(root)
        in_process = time.perf_counter() - start
        assert not problems, problems[:3]
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ambidex", "check", "--strict", "--root", str(root)],
            check=True,
            capture_output=True,
        )
        command = time.perf_counter() - start
        per_1000 = in_process / n * 1000
        base = base or per_1000
        rows.append(
            [
                n,
                len(kb.references),
                f"{in_process:.2f}",
                f"{command:.2f}",
                f"{per_1000:.3f}",
                f"{per_1000 / base:.2f}",
            ]
        )
    report("check", ["concepts", "references", "validate s", "ambidex check s", "s per 1k", "vs 100"], rows)


if __name__ == "__main__":
    main()
