"""The app factory: `create_app(settings)` loads one build in its lifespan and mounts the routes."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import ambidex
from ambidex import __version__
from ambidex.files import tree_digest
from api import docs, errors, serving
from api.errors import PROBLEM_JSON
from api.middleware import AcceptEncoding, HeadAsGet, SecurityHeaders
from api.routes import concepts, graph, guide, meta, references, search
from api.schemas import ProblemOut
from api.serving import SERVED, Served
from api.settings import Settings
from api.views import PREFIX

# The code that shapes the answers: a new version of it means new ETags.
CODE_DIGEST = tree_digest(Path(ambidex.__file__).parent, Path(__file__).parent)


class BuildCaching:
    """An ETag on every successful API answer, and 304 for a matching `If-None-Match`.

    The ETag names the build, the code that shaped the answer and its encoding (a gzip body and
    a plain one are different representations). The answer is made first, so a request that
    deserves a 400 or a 404 gets it, whatever its `If-None-Match` says.
    """

    def __init__(self, app: ASGIApp, max_age: int, code: str) -> None:
        self.app = app
        self.cache_control = f"public, max-age={max_age}".encode()
        self.code = code

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served: Served | None = scope.get(SERVED)
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(PREFIX)
            or served is None
        ):
            await self.app(scope, receive, send)
            return
        tag = f"{served.views.kb.build_id}-{self.code}"
        wanted = [v for k, v in scope["headers"] if k == b"if-none-match"]
        not_modified = False

        async def send_with_etag(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = list(message.get("headers", []))
                gzipped = (b"content-encoding", b"gzip") in headers
                etag = f'"{tag}{"-gzip" if gzipped else ""}"'.encode()
                kept = [(k, v) for k, v in headers if k not in (b"vary", b"cache-control", b"etag")]
                common = [
                    (b"etag", etag),
                    (b"cache-control", self.cache_control),
                    (b"vary", b"Accept-Encoding"),
                ]
                if any(_matches(value, etag) for value in wanted):
                    not_modified = True
                    message = {"type": "http.response.start", "status": 304, "headers": common}
                else:
                    message = {**message, "headers": [*kept, *common]}
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_etag)


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    """Weak comparison of `If-None-Match` (a list of tags, or `*`) with an ETag."""
    tags = [t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")]
    return b"*" in tags or etag in tags


class Answers:
    """A search or guide URL asked before is answered from the cache of its answers (see
    `Views.answer`) without routing or parsing: a popular query costs what the floor costs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served: Served | None = scope.get(SERVED)
        if served is not None and scope["method"] == "GET":
            cache = served.views.answers.get(scope["path"])
            body = cache.get(scope["query_string"]) if cache is not None else None
            if body is not None:
                await body.response(Request(scope))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with the real error shape: problem+json for 400 and 404."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = ProblemOut.model_json_schema()
    problem = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for path, operations in doc.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["400"] = {"description": "Bad parameters", **problem}
            if "{" in path or path.endswith("/guide"):
                responses["404"] = {"description": "Not found; near matches in `suggestions`", **problem}
            responses["304"] = {"description": "Not modified (the ETag matches this build)"}
    for name in ("HTTPValidationError", "ValidationError"):
        doc["components"]["schemas"].pop(name, None)
    app.openapi_schema = doc
    return doc


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.served = serving.load(settings)
        serving.settle()
        stop = asyncio.Event()
        watcher = asyncio.create_task(serving.watch(app.state, settings, stop))
        try:
            yield
        finally:
            stop.set()
            await watcher
            app.state.served.release()
            gc.unfreeze()

    app = FastAPI(
        title="Ambidex API",
        version=__version__,
        description="A citation-linked knowledge base on sales ambidexterity: concepts, references, "
        "search and a guide that assembles cited advice.",
        lifespan=lifespan,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    docs.install(app, f"{PREFIX}/openapi.json")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    for module in (concepts, references, search, graph, meta, guide):
        app.include_router(module.router, prefix=PREFIX)
    app.add_middleware(Answers)
    # The API's answers arrive compressed already (see api.views.Body); this is for the rest.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(BuildCaching, max_age=settings.cache_seconds, code=CODE_DIGEST)
    app.add_middleware(HeadAsGet)
    app.add_middleware(serving.PinBuild)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AcceptEncoding)
    app.router.default = _not_routed
    return app


async def _not_routed(scope: Scope, receive: Receive, send: Send) -> None:
    """What no route answers: under /api, a problem+json 404; elsewhere, the site of the build."""
    if scope["type"] == "http" and (scope["path"] == "/api" or scope["path"].startswith("/api/")):
        request = Request(scope)
        detail = "There is nothing here; the API lives under /api/v1 (see /api/docs)."
        await errors.problem_response(request, 404, detail)(scope, receive, send)
        return
    await serving.current_site(scope, receive, send)


def app_from_env() -> FastAPI:
    """For `uvicorn --factory api.app:app_from_env` (one per worker)."""
    return create_app(Settings.from_env())
