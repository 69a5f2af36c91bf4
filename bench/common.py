"""Helpers shared by the benchmarks: generated bases cached by size, tables and JSON output."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.generate import generate

OUT = Path(__file__).resolve().parent / "out"
SIZES = (100, 1_000, 10_000)
# What the generator writes changes now and then: a base made by an older one is made again.
GENERATION = 2


def knowledge_base(n: int, seed: int = 0) -> Path:
    """A generated knowledge base of n concepts, made once and reused."""
    root = OUT / "kb" / f"{n}-{seed}-v{GENERATION}"
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(base: str, server: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether the server answers /api/v1/health before it exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2):
                return True
        except OSError:
            if server.poll() is not None:
                return False
            if time.monotonic() > deadline:
                server.terminate()
                raise RuntimeError(f"ambidex serve did not answer on {base}") from None
            time.sleep(0.1)


@contextmanager
def serving(root: Path, *options: str, timeout: float = 300) -> Iterator[tuple[str, int]]:
    """Run `ambidex serve` on a free loopback port until /api/v1/health answers; yield its base
    URL and process id, and stop it afterwards.

    The port is chosen free and then handed to the server, so another process may take it in
    between; the server binds its port before anything else and exits at once when it cannot,
    so a server that dies before answering is started again on another port. (Port 0 cannot be
    used: with several workers, each binds the same port with SO_REUSEPORT.)"""
    for _attempt in range(5):
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "ambidex", "serve", "--root", str(root), "--port", str(port), *options],
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        if _answers(base, server, timeout):
            break
        server.wait(timeout=30)
    else:
        raise RuntimeError("ambidex serve did not start on any of five free ports")
    try:
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)
