"""The app factory: `create_app(settings)` loads one build in its lifespan and mounts the routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ambidex import __version__
from api import errors, serving
from api.errors import PROBLEM_JSON
from api.routes import concepts, graph, guide, meta, references, search
from api.schemas import ProblemOut
from api.serving import SERVED, Served
from api.settings import Settings
from api.views import PREFIX


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
        served: Served | None = scope.get(SERVED)
        views = served.views if served is not None else None
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
        stop = asyncio.Event()
        watcher = asyncio.create_task(serving.watch(app.state, settings, stop))
        try:
            yield
        finally:
            stop.set()
            await watcher
            app.state.served.release()

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
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(BuildCaching, max_age=settings.cache_seconds)
    app.add_middleware(HeadAsGet)
    app.add_middleware(serving.PinBuild)
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


def app_from_env() -> FastAPI:
    """For `uvicorn --factory api.app:app_from_env` (one per worker)."""
    return create_app(Settings.from_env())
