"""Running the app under uvicorn: one listening socket, shared by every worker process.

The socket is made here rather than by uvicorn so that it is a TCP socket in name as well as in
fact (protocol `IPPROTO_TCP`) and carries `TCP_NODELAY`: uvicorn's own socket for several
workers has protocol 0, so the event loop never turns Nagle's algorithm off on the connections
it accepts, and every response waits for the client's delayed ACK (tens of milliseconds).
On Linux an accepted connection inherits `TCP_NODELAY` from the listening socket; the event loop
also sets it on each connection, since the protocol now says TCP.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "api.app:app_from_env"


def listen(host: str, port: int) -> socket.socket:
    """A bound TCP socket with `TCP_NODELAY`, inheritable by worker processes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def run(host: str, port: int, workers: int = 1) -> None:
    """Serve `app_from_env` (settings from AMBIDEX_* variables) with `workers` processes."""
    config = uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    sock = listen(host, port)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
