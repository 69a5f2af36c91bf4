"""HTTP details that hold for every answer: HEAD, security headers and a bounded error body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.serving import SERVED, Served

# Material for MkDocs and Mermaid style elements inline, and draw icons and the map with data:
# images; every script is the site's own file, or an inline one whose hash the build recorded.
SITE_POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def policy_for(scope: Scope) -> str:
    path: str = scope["path"]
    if path.startswith("/api/docs"):
        return DOCS_POLICY
    if path.startswith("/api/"):
        return API_POLICY
    served: Served | None = scope.get(SERVED)
    hashes = served.script_hashes if served is not None else ()
    return SITE_POLICY.format(hashes="".join(f" {h}" for h in hashes))


class SecurityHeaders:
    """A Content-Security-Policy (the site's, the API docs' or none-at-all for JSON), nosniff,
    no framing and a referrer policy, on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k not in dict(COMMON)]
                csp = (b"content-security-policy", policy_for(scope).encode())
                message = {**message, "headers": [*headers, *COMMON, csp]}
            await send(message)

        await self.app(scope, receive, secured)


class HeadAsGet:
    """HEAD on the API answers as GET would, without the body (FastAPI routes only know GET)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or not scope["path"].startswith("/api"):
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def accepted_codings(header: str) -> str:
    """An Accept-Encoding value with what it refuses left out: `gzip;q=0, identity` becomes
    `identity` (a coding with q=0 is refused, RFC 9110 12.5.3), and `*` names gzip unless
    gzip itself is refused. Everything after reads the result by substring."""
    accepted: list[str] = []
    refused: set[str] = set()
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        coding = coding.strip().lower()
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if not coding:
            continue
        if q <= 0:
            refused.add(coding)
        else:
            accepted.append(coding)
    if "*" in accepted and "gzip" not in refused and "gzip" not in accepted:
        accepted.append("gzip")
    return ", ".join(c for c in accepted if c != "*" and c not in refused)


class AcceptEncoding:
    """Every later layer sees an Accept-Encoding that names only the codings the client accepts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope["headers"]
            if any(name == b"accept-encoding" for name, _ in headers):
                values = [v.decode("latin-1") for n, v in headers if n == b"accept-encoding"]
                codings = accepted_codings(", ".join(values)).encode("latin-1")
                headers = [(n, v) for n, v in headers if n != b"accept-encoding"]
                scope = {**scope, "headers": [*headers, (b"accept-encoding", codings)]}
        await self.app(scope, receive, send)
