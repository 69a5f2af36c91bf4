"""`ambidex serve` keeps the limits an operator expects: a bounded request header, a timeout for
clients that send nothing (or send their headers too slowly), and a cap on open connections."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from bench.common import serving
from tests.conftest import MakeKb, ambidex


@pytest.fixture
def served(make_kb: MakeKb) -> Iterator[tuple[str, int]]:
    root: Path = make_kb()
    assert ambidex("build", "--no-site", root=root).returncode == 0
    options = ("--max-header-bytes", "8192", "--header-timeout", "1", "--max-connections", "4")
    with serving(root, *options, timeout=120) as (base, _):
        yield base, int(base.rsplit(":", 1)[1])


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def health(base: str) -> int:
    with urllib.request.urlopen(f"{base}/api/v1/health", timeout=30) as r:
        return int(r.status)


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closes the connection (within the socket's timeout)."""
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_an_oversized_request_header_gets_431_and_the_server_stays_up(served: tuple[str, int]) -> None:
    base, port = served
    with connect(port) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        try:
            for _ in range(100):  # up to 6.4 MB, far past the limit: the server stops reading
                sock.sendall(b"a" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:80]
    assert health(base) == 200


def test_a_connection_that_sends_nothing_is_closed(served: tuple[str, int]) -> None:
    _, port = served
    with connect(port) as silent:
        assert closed_by_server(silent)


def test_headers_sent_too_slowly_are_cut_off(served: tuple[str, int]) -> None:
    _, port = served
    with connect(port) as slow:
        slow.sendall(b"GET /api/v1/health HTTP/1.1\r\n")  # and never the end of the headers
        assert closed_by_server(slow)


def test_connections_beyond_the_limit_are_closed_and_health_answers_after(served: tuple[str, int]) -> None:
    base, port = served
    with ExitStack() as stack:
        held = [stack.enter_context(connect(port)) for _ in range(4)]
        extra = stack.enter_context(connect(port))
        try:
            extra.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = extra.recv(4096)
        except (BrokenPipeError, ConnectionResetError):
            answer = b""
        assert not answer.startswith(b"HTTP/1.1 200"), "a fifth connection was served"
        assert all(closed_by_server(sock) for sock in held)  # the header timeout frees them
    assert health(base) == 200
