"""The app factory: `create_app(settings)` loads one build in its lifespan and mounts the routes."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ambidex import __version__
from ambidex.build import Build
from api import errors
from api.errors import PROBLEM_JSON
from api.routes import concepts, graph, guide, meta, references, search
from api.schemas import ProblemOut
from api.settings import Settings
from api.views import PREFIX, Views


class BuildCaching:
    """ETag from the build id on every API answer; `If-None-Match` gets a 304 without work."""

    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.cache_control = f"public, max-age={max_age}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        views: Views | None = getattr(scope["app"].state, "views", None) if "app" in scope else None
        if views is None:
            await self.app(scope, receive, send)
            return
        etag = f'"{views.kb.build_id}"'.encode()
        for name, value in scope["headers"]:
            if name == b"if-none-match" and (etag in value or value.strip() == b"*"):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": [(b"etag", etag), (b"cache-control", self.cache_control)],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_etag(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"etag", etag),
                    (b"cache-control", self.cache_control),
                ]
            await send(message)

        await self.app(scope, receive, send_with_etag)


# A file whose name carries a digest of its content (`ambidex.1ee9b6e8fa.css`, the theme's
# `bundle.a5f9d56c.min.js`) never changes under that name.
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}(?:\.min)?\.(?:css|js|woff2?|svg|png|jpe?g|webp)$")
IMMUTABLE = "public, max-age=31536000, immutable"


class SiteFiles(StaticFiles):
    """The built site: fingerprinted assets cached for a year, everything else revalidated."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        fixed = FINGERPRINTED.search(os.fspath(full_path)) is not None
        response.headers["cache-control"] = IMMUTABLE if fixed else "no-cache"
        return response


class Answers:
    """A search or guide URL asked before is answered from the cache of its answers (see
    `Views.answer`) without routing or parsing: a popular query costs what the floor costs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and "app" in scope:
            views: Views | None = getattr(scope["app"].state, "views", None)
            cache = views.answers.get(scope["path"]) if views is not None else None
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


def _release_free_memory() -> None:
    """Hand the memory that loading used and freed back to the system: glibc keeps freed heap
    memory for reuse otherwise, and validation frees tens of megabytes at 10,000 concepts."""
    with contextlib.suppress(OSError, AttributeError):  # another C library, or none to load
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        build = Build.open(settings.root)
        views = Views(build)
        views.warm()
        app.state.views = views
        # The build is loaded and never changes: move its objects (hundreds of thousands) out of
        # the collector's reach, so that a full collection walks only what requests allocate
        # instead of pausing every request for tens of milliseconds.
        gc.collect()
        gc.freeze()
        _release_free_memory()
        try:
            yield
        finally:
            gc.unfreeze()

    app = FastAPI(
        title="Ambidex API",
        version=__version__,
        description="A citation-linked knowledge base on sales ambidexterity: concepts, references, "
        "search and a guide that assembles cited advice.",
        lifespan=lifespan,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    errors.install(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    for module in (concepts, references, search, graph, meta, guide):
        app.include_router(module.router, prefix=PREFIX)
    app.add_middleware(Answers)
    # The API's answers arrive compressed already (see api.views.Body); this is for the rest.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(BuildCaching, max_age=settings.cache_seconds)
    site = settings.site_dir
    if site is not None and Path(site, "index.html").exists():
        app.mount("/", SiteFiles(directory=str(site), html=True), name="site")
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory api.app:app_from_env` (one per worker)."""
    return create_app(Settings.from_env())
