"""Running the app under uvicorn: one process per worker, each with its own listening socket.

Every socket is made here rather than by uvicorn, as a TCP socket in name as well as in fact
(protocol `IPPROTO_TCP`) and with `TCP_NODELAY`: uvicorn's own socket for several workers has
protocol 0, so the event loop never turns Nagle's algorithm off on the connections it accepts,
and every response then waits for the client's delayed ACK (tens of milliseconds).

With several workers each binds the same port with `SO_REUSEPORT`, so the kernel spreads new
connections evenly over the workers that are listening; one socket shared by every worker lets
whichever process wakes first take a whole burst of connections, and keep them. The supervisor
binds the port first (without listening) so that a port in use fails at once, starts the
workers, restarts one that dies, and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.supervisors import Multiprocess

from api.limits import Limits, uvicorn_options

APP = "api.app:app_from_env"
STARTUP_FAILURE = 3  # uvicorn's exit code when the app cannot start


def listen(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    """A bound TCP socket with `TCP_NODELAY` (the event loop starts listening on it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def _config(host: str, port: int, limits: Limits) -> uvicorn.Config:
    return uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        **uvicorn_options(limits),
    )


def _worker(host: str, port: int, limits: Limits) -> None:
    """One worker process: its own socket on the shared port, and one uvicorn server."""
    server = uvicorn.Server(_config(host, port, limits))
    server.run(sockets=[listen(host, port, reuse_port=True)])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def run(host: str, port: int, workers: int = 1, limits: Limits | None = None) -> None:
    """Serve `app_from_env` (settings from AMBIDEX_* variables) with `workers` processes, each
    keeping `limits` (see `api.limits`)."""
    limits = limits or Limits()
    if workers == 1:
        server = uvicorn.Server(_config(host, port, limits))
        server.run(sockets=[listen(host, port)])
        if not server.started:
            sys.exit(STARTUP_FAILURE)
    elif not hasattr(socket, "SO_REUSEPORT"):  # uvicorn's supervisor, one socket for all
        config = _config(host, port, limits)
        config.workers = workers
        Multiprocess(config, sockets=[listen(host, port)]).run()
    else:
        _supervise(host, port, workers, limits)


def _supervise(host: str, port: int, workers: int, limits: Limits) -> None:
    guard = listen(host, port, reuse_port=True)  # bound, never listening: fails early if taken
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(host, port, limits))
        process.start()
        return process

    def stop(_signum: int = 0, _frame: FrameType | None = None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.is_alive():
                process.terminate()

    processes = [start() for _ in range(workers)]
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            wait([p.sentinel for p in processes])
            if any(p.exitcode == STARTUP_FAILURE for p in processes):
                stop()  # the build cannot be served: starting again would fail again
            elif not stopping:
                processes = [p if p.is_alive() else start() for p in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
        guard.close()
    if any(p.exitcode == STARTUP_FAILURE for p in processes):
        sys.exit(STARTUP_FAILURE)
