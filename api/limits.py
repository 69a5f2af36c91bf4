"""The limits a server keeps against clients that send too much, too slowly, or nothing at all.

uvicorn's httptools protocol accepts request headers of any size and keeps a connection that
never sends a request open forever. `bounded_protocol(limits)` is that protocol with three
limits, each one configurable through `ambidex serve`:

- the request line and headers may hold at most `max_header_bytes` bytes (else 431, closed);
- they must arrive within `header_timeout` seconds of the connection opening, or of the end of
  the previous answer on a kept-alive connection (else the connection is closed);
- at most `max_connections` connections are open at once per worker process: one more is
  closed as soon as it is accepted, so silent connections cannot use up the file limit.

An idle kept-alive connection is closed after `idle_timeout` seconds (uvicorn's keep-alive).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@dataclass(frozen=True)
class Limits:
    max_header_bytes: int = 32 * 1024
    header_timeout: float = 10.0
    idle_timeout: float = 5.0
    max_connections: int = 1000


def _too_large(limit: int) -> bytes:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Request Header Fields Too Large",
            "status": 431,
            "detail": f"the request line and headers exceed {limit:,} bytes",
        }
    ).encode()
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/problem+json\r\n"
        f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def bounded_protocol(limits: Limits) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with `limits` kept (see the module's docstring)."""
    too_large = _too_large(limits.max_header_bytes)

    class Bounded(HttpToolsProtocol):
        _header_bytes = 0
        _in_headers = True
        _timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > limits.max_connections:
                transport.abort()
                return
            self._wait_for_headers()

        def _wait_for_headers(self) -> None:
            self._in_headers, self._header_bytes = True, 0
            self._cancel_timer()
            self._timer = self.loop.call_later(limits.header_timeout, self._too_slow)

        def _cancel_timer(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _too_slow(self) -> None:
            self._timer = None
            if self._in_headers and not self.transport.is_closing():
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if self._in_headers:
                if self._timer is None:  # the first bytes after an answer: a new request
                    self._timer = self.loop.call_later(limits.header_timeout, self._too_slow)
                self._header_bytes += len(data)
                if self._header_bytes > limits.max_header_bytes:
                    self._cancel_timer()
                    self.transport.write(too_large)
                    self.transport.close()
                    return
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._in_headers = False
            self._cancel_timer()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._in_headers, self._header_bytes = True, 0  # the keep-alive timer runs until data

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_timer()
            super().connection_lost(exc)

    return Bounded


def uvicorn_options(limits: Limits) -> dict[str, Any]:
    """The options of `uvicorn.Config` that carry `limits`."""
    return {"http": bounded_protocol(limits), "timeout_keep_alive": limits.idle_timeout}
