"""Throughput of the API over HTTP on loopback, against a trivial endpoint of the same server.

    python -m bench.http

For each generated knowledge base the benchmark builds the index, starts `ambidex serve` (one
uvicorn worker) on 127.0.0.1, and drives it with a small keep-alive HTTP/1.1 client running on
the same two cores. `/api/v1/health` is the framework's floor. "cold" requests never repeat a
URL; "mixed" requests draw from a pool where popular URLs repeat (Zipf-like), measured in the
steady state after a warm-up on the same mix. It reports the server's start-up time (after
`ambidex build`, as `make serve` runs it), requests per second, their ratio to the floor, and the
server's resident memory at the end.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import SIZES, knowledge_base, report, serving
from bench.generate import zipf_words

SECONDS = 4.0
WARM_UP = 2.0
CONNECTIONS = 16


async def _worker(host: str, port: int, urls: list[str], deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = 0
    try:
        while time.perf_counter() < deadline and i < len(urls):
            writer.write(f"GET {urls[i]} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await writer.drain()
            length = 0
            status = (await reader.readline()).split(b" ")[1]
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            counts[0] += 1
            if status != b"200":
                counts[1] += 1
            i += 1
    finally:
        writer.close()


async def _load(port: int, urls: list[str], seconds: float = SECONDS) -> tuple[float, int]:
    """Requests per second over the URL list (split across connections), and error count."""
    deadline = time.perf_counter() + seconds
    counts = [0, 0]
    shares = [urls[k::CONNECTIONS] for k in range(CONNECTIONS)]
    start = time.perf_counter()
    await asyncio.gather(*(_worker("127.0.0.1", port, s, deadline, counts) for s in shares))
    return counts[0] / (time.perf_counter() - start), counts[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _zipf_pool(items: list[str], n: int, rng: random.Random) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(items))]
    return rng.choices(items, weights=weights, k=n)


def run(n: int) -> list[object]:
    root = knowledge_base(n)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "ambidex", "build", "--no-site", "--root", str(root)],
        check=True,
        env=env,
        capture_output=True,
    )
    start = time.perf_counter()
    with serving(root) as (base, pid):
        startup = time.perf_counter() - start
        port = int(base.rsplit(":", 1)[1])
        rng = random.Random(7)
        ids = sorted(p.stem for p in (root / "kb").rglob("*.md"))
        rng.shuffle(ids)
        big = 100_000
        floor, _ = asyncio.run(_load(port, ["/api/v1/health"] * big))
        concept_cold, e1 = asyncio.run(_load(port, [f"/api/v1/concepts/{i}" for i in ids]))
        concept_mix = [f"/api/v1/concepts/{i}" for i in _zipf_pool(ids, big, rng)]
        asyncio.run(_load(port, concept_mix, WARM_UP))
        concept_mixed, e2 = asyncio.run(_load(port, concept_mix[::-1]))
        unique: dict[str, None] = {}
        while len(unique) < 20_000:
            unique.setdefault(" ".join(zipf_words(rng, rng.randint(1, 3))))
        cold_queries = list(unique)
        search_cold, e3 = asyncio.run(
            _load(port, [f"/api/v1/search?q={urllib.parse.quote(q)}" for q in cold_queries])
        )
        pool = [" ".join(zipf_words(rng, rng.randint(1, 2))) for _ in range(300)]
        mixed = [f"/api/v1/search?q={urllib.parse.quote(q)}" for q in _zipf_pool(pool, big, rng)]
        asyncio.run(_load(port, mixed, WARM_UP))
        search_mixed, e4 = asyncio.run(_load(port, mixed[::-1]))
        rss = _rss_mb(pid)
    errors = e1 + e2 + e3 + e4

    def ratio(x: float) -> str:
        return f"{x:.0f} ({x / floor:.2f})"

    return [
        n,
        f"{startup:.1f}",
        f"{floor:.0f}",
        ratio(concept_cold),
        ratio(concept_mixed),
        ratio(search_cold),
        ratio(search_mixed),
        f"{rss:.0f}",
        errors,
    ]


def main() -> None:
    rows = [run(n) for n in SIZES]
    report(
        "http",
        [
            "concepts",
            "start-up s",
            "floor req/s",
            "concept cold",
            "concept mixed",
            "search cold",
            "search mixed",
            "RSS MB",
            "non-200",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
