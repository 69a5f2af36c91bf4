"""Throughput and latency of the API over HTTP on loopback, against a trivial endpoint of the same server.

    python -m bench.http              # at 10,000 concepts
    python -m bench.http 100 1000     # at other sizes

For a generated knowledge base the benchmark runs `ambidex build --no-site`, starts `ambidex
serve` on 127.0.0.1 and drives it with a small keep-alive HTTP/1.1 client (16 connections, one
request in flight on each, `Accept-Encoding: gzip` as browsers and HTTP libraries send it) on the
same two cores. `/api/v1/health` is the framework's floor; every other figure is a ratio to the
floor measured in the same run. "cold" requests never repeat a URL; "mixed" requests draw from a
pool where popular URLs repeat (Zipf-like), measured in the steady state after a warm-up on the
same mix. Latency percentiles are over every request of a measurement. It reports the server's
start-up time (after `ambidex build`), its resident memory after the load, and the same
`/health` and `/concepts/{id}` figures with two workers. When nginx is installed, the same concept
URLs are also served by nginx (one worker process) from the static copy of the API that `ambidex
build` wrote: the limit for a Python server on this machine.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import free_port, knowledge_base, report, serving
from bench.generate import zipf_words

SECONDS = 4.0
WARM_UP = 2.0
CONNECTIONS = 16
SIZES = (10_000,)


@dataclass
class Load:
    """What one measurement saw: requests, their latencies (seconds), and non-200 answers."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


class _Client(asyncio.Protocol):
    """One keep-alive connection sending its requests one after another (no pipelining). Kept
    lean, since it shares the two cores with the server: requests are made beforehand, and an
    answer is read off its status line and Content-Length."""

    def __init__(
        self, requests: list[bytes], deadline: float, load: Load, done: asyncio.Future[None]
    ) -> None:
        self.requests, self.deadline, self.load, self.done = requests, deadline, load, done
        self.next = 0
        self.buffer = b""
        self.wanted = -1
        self.ok = True
        self.sent = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.sent = now = time.perf_counter()
        if self.next >= len(self.requests) or now >= self.deadline:
            self.transport.close()
            return
        self.transport.write(self.requests[self.next])
        self.next += 1

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        if self.wanted < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            self.ok = buffer.startswith(b"HTTP/1.1 200 ")
            head = buffer[: end + 2].lower()  # uvicorn writes header names in lower case, nginx not
            at = head.find(b"\r\ncontent-length: ")
            length = int(head[at + 18 : head.find(b"\r\n", at + 18)]) if at >= 0 else 0
            self.wanted = end + 4 + length
        if len(buffer) < self.wanted:
            self.buffer = buffer
            return
        self.load.latencies.append(time.perf_counter() - self.sent)
        if not self.ok:
            self.load.errors += 1
        self.buffer = buffer[self.wanted :]
        self.wanted = -1
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


def _request(url: str) -> bytes:
    return f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n".encode()


async def _drive(port: int, urls: list[str], seconds: float) -> Load:
    loop = asyncio.get_running_loop()
    load = Load()
    shares = [[_request(u) for u in urls[k::CONNECTIONS]] for k in range(CONNECTIONS)]
    done = [loop.create_future() for _ in shares]
    start = time.perf_counter()
    deadline = start + seconds
    for share, future in zip(shares, done, strict=True):
        await loop.create_connection(
            lambda s=share, f=future: _Client(s, deadline, load, f), "127.0.0.1", port
        )
    await asyncio.gather(*done)
    load.seconds = time.perf_counter() - start
    return load


def _runner() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError:  # the client is lighter with uvloop, but works without it
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def load(port: int, urls: list[str], seconds: float = SECONDS, warm_up: float = 0.0) -> Load:
    """Drive the server with `urls` (split across the connections) for `seconds`, after an
    optional warm-up on the same list read backwards."""
    with asyncio.Runner(loop_factory=_runner()) as runner:
        if warm_up:
            runner.run(_drive(port, urls[::-1], warm_up))
        return runner.run(_drive(port, urls, seconds))


def _rss_mb(pid: int) -> float:
    """Resident memory of a server and its worker processes."""
    pids = [pid, *_children(pid)]
    total = 0
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _zipf_pool(items: list[str], n: int, rng: random.Random) -> list[str]:
    weights = [1 / (rank + 1) for rank in range(len(items))]
    return rng.choices(items, weights=weights, k=n)


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _quoted(path: str, name: str, texts: list[str]) -> list[str]:
    return [f"{path}?{name}={urllib.parse.quote(t)}" for t in texts]


def _unique(make: Callable[[], str], n: int) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < n:
        found.setdefault(make())
    return list(found)


NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};
    uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
    server {{
        listen 127.0.0.1:{port};
        root {site};
        location /api/v1/ {{
            types {{ application/json json; }}
            gzip_static on;
            add_header Vary Accept-Encoding;
            try_files $uri.json =404;
        }}
    }}
}}
"""


def _nginx_load(site: Path, urls: list[str]) -> Load | None:
    """The same URLs served by nginx from the static copy of the API (None without nginx)."""
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if nginx is None or not (site / "api" / "v1").is_dir():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        conf = Path(tmp, "nginx.conf")
        # Run by root, nginx would hand its worker to an account that cannot read the build.
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(
            NGINX_CONF.format(user=user, tmp=tmp, port=port, site=site.resolve()), encoding="utf-8"
        )
        server = subprocess.Popen([nginx, "-c", str(conf), "-p", tmp], stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.05)
            return load(port, urls, warm_up=WARM_UP)
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(n: int) -> list[list[object]]:
    root = knowledge_base(n)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "ambidex", "build", "--no-site", "--root", str(root)],
        check=True,
        env=env,
        capture_output=True,
    )
    rng = random.Random(7)
    ids = sorted(p.stem for p in (root / "kb").rglob("*.md"))
    rng.shuffle(ids)
    big = 200_000
    concepts_cold = [f"/api/v1/concepts/{i}" for i in ids]
    concepts_mixed = [f"/api/v1/concepts/{i}" for i in _zipf_pool(ids, big, rng)]
    query = lambda: " ".join(zipf_words(rng, rng.randint(1, 3)))  # noqa: E731
    search_cold = _quoted("/api/v1/search", "q", _unique(query, 30_000))
    pool = [" ".join(zipf_words(rng, rng.randint(1, 2))) for _ in range(300)]
    search_mixed = _quoted("/api/v1/search", "q", _zipf_pool(pool, big, rng))
    situation = lambda: " ".join(zipf_words(rng, rng.randint(8, 24)))  # noqa: E731
    guide_cold = _quoted("/api/v1/guide", "situation", _unique(situation, 5_000))
    guide_pool = [situation() for _ in range(200)]
    guide_mixed = _quoted("/api/v1/guide", "situation", _zipf_pool(guide_pool, big, rng))
    health = ["/api/v1/health"] * big

    results: dict[str, Load] = {}
    start = time.perf_counter()
    with serving(root) as (base, pid):
        startup = time.perf_counter() - start
        port = _port(base)
        results["health"] = load(port, health, warm_up=WARM_UP)
        results["concept cold"] = load(port, concepts_cold)
        results["concept mixed"] = load(port, concepts_mixed, warm_up=WARM_UP)
        results["search cold"] = load(port, search_cold)
        results["search mixed"] = load(port, search_mixed, warm_up=WARM_UP)
        results["guide cold"] = load(port, guide_cold)
        results["guide mixed"] = load(port, guide_mixed, warm_up=WARM_UP)
        rss = _rss_mb(pid)
    with serving(root, "--workers", "2") as (base, _):
        time.sleep(startup)  # the first worker answers; give the second one time to load too
        port = _port(base)
        results["health, 2 workers"] = load(port, health, warm_up=WARM_UP)
        results["concept mixed, 2 workers"] = load(port, concepts_mixed, warm_up=WARM_UP)

    limit = _nginx_load(root / "site", concepts_mixed)
    if limit is not None:
        results["concept mixed, nginx (static copy)"] = limit

    floor = results["health"].rate
    one = results["concept mixed"].rate
    rows: list[list[object]] = []
    for name, measured in results.items():
        versus = ""
        if "concept" in name and ("2 workers" in name or "nginx" in name):
            versus = f"{measured.rate / one:.2f}× one worker"
        rows.append(
            [
                n,
                name,
                f"{measured.rate:.0f}",
                f"{measured.rate / floor:.2f}",
                f"{measured.percentile(0.5):.1f}",
                f"{measured.percentile(0.99):.1f}",
                measured.errors,
                versus,
            ]
        )
    rows.append([n, "server start-up s", f"{startup:.1f}", "", "", "", "", ""])
    rows.append([n, "server RSS MB after load", f"{rss:.0f}", "", "", "", "", ""])
    return rows


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    rows = [row for n in sizes for row in run(n)]
    report("http", ["concepts", "measure", "req/s", "× floor", "p50 ms", "p99 ms", "non-200", "note"], rows)


if __name__ == "__main__":
    main()
