"""What a server answers from: one build at a time, loaded whole beside the old one and swapped in.

`Served` holds everything a request may touch — the model, index and rendered responses
(`Views`), the static site, its Content-Security-Policy — for one build. `PinBuild` hands each
request the `Served` that is current when it arrives, so a request never mixes two builds, and
`watch` looks at the build pointer every `poll_seconds`: a new build is loaded in a thread while
the old one keeps answering, then replaces it in one assignment. A server holds a shared lock on
the build it serves and on the one before (for requests still in flight), so `ambidex build`
never removes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import gc
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ambidex import builds
from ambidex.build import Build, BuildError, make_build
from api.errors import problem_response
from api.settings import Settings
from api.views import Views

log = logging.getLogger(__name__)
SERVED = "ambidex.served"


# A file whose name carries a digest of its content (`ambidex.1ee9b6e8fa.css`, the theme's
# `bundle.a5f9d56c.min.js`) never changes under that name.
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}(?:\.min)?\.(?:css|js|woff2?|svg|png|jpe?g|webp)$")
IMMUTABLE = "public, max-age=31536000, immutable"


class SiteFiles(StaticFiles):
    """A built site: fingerprinted assets cached for a year, everything else revalidated. When
    the build's directory is gone (deleted under a running server), every page is a 503."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if self.directory is None or not os.path.isdir(self.directory):
            log.error("the site of the current build is gone: %s", self.directory)
            detail = "The site's current build is missing on the server; try again after the next build."
            return problem_response(Request(scope), 503, detail, {"Retry-After": "60"})
        return await super().get_response(path, scope)

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


@dataclass
class Served:
    views: Views
    site: SiteFiles | None
    name: str
    script_hashes: tuple[str, ...]
    lock: builds.Lock | None

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()


def _site(settings: Settings, build: Build) -> SiteFiles | None:
    site = settings.site_dir or build.site or Path(settings.root, builds.SITE)  # built without a site
    if site is None or not Path(site, "index.html").exists():
        return None
    return SiteFiles(directory=str(site), html=True)


def settle() -> None:
    """Once a build is loaded (and never changes): move its objects (hundreds of thousands) out of
    the collector's reach, so that a full collection walks only what requests allocate instead
    of pausing every request for tens of milliseconds; and hand the memory that loading used and
    freed back to the system (glibc keeps freed heap memory for reuse otherwise)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    with contextlib.suppress(OSError, AttributeError):  # another C library, or none to load
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def load(settings: Settings, make: bool = True) -> Served:
    """The current build of `settings.root` made ready to answer. With `make`, a build is made
    first when there is none, or when the current one cannot be opened (a build of content that
    this version of the code refuses)."""
    root = Path(settings.root)
    directory = builds.current(root)
    lock = builds.Lock(directory) if directory is not None else None
    try:
        build: Build | None = None
        try:
            build = Build.load(directory, root) if directory is not None else None
        except (OSError, BuildError, ValueError):
            if not make:
                raise
            log.warning("the current build %s cannot be opened; building again", directory)
        if build is None:
            if not make:
                raise FileNotFoundError(f"{root} has no current build")
            if lock is not None:
                lock.release()
                lock = None
            build = make_build(root)
            lock = builds.Lock(build.directory) if build.directory is not None else None
        views = Views(build)
        views.warm()
        hashes = builds.csp_hashes(build.directory)
        return Served(views, _site(settings, build), build.name, hashes, lock)
    except BaseException:
        if lock is not None:
            lock.release()
        raise


async def watch(holder: object, settings: Settings, stop: asyncio.Event) -> None:
    """Swap in each new build of `settings.root` that appears, until `stop` is set."""
    root = Path(settings.root)
    refused = ""
    retired: Served | None = None
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), settings.poll_seconds)
            break
        except TimeoutError:
            pass
        current: Served = holder.served  # type: ignore[attr-defined]
        try:
            name = builds.pointer(root)
        except Exception:  # never let the watcher die: new builds would go unnoticed
            log.exception("could not read the build pointer of %s", root)
            continue
        if not name or name in (current.name, refused):
            continue
        try:
            fresh = await asyncio.to_thread(load, settings, False)
        except Exception:
            log.exception("could not load the build %s; still serving %s", name, current.name)
            refused = name
            continue
        holder.served = fresh  # type: ignore[attr-defined]
        if retired is not None:
            retired.release()
        retired = current
        settle()
        log.info("now serving build %s", fresh.name)
    if retired is not None:
        retired.release()


class PinBuild:
    """Gives each request the build that is current when it arrives (`scope[SERVED]`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "app" in scope:
            scope[SERVED] = getattr(scope["app"].state, "served", None)
        await self.app(scope, receive, send)


async def current_site(scope: Scope, receive: Receive, send: Send) -> None:
    """The static site of the request's build (404 when the build has none)."""
    served: Served | None = scope.get(SERVED)
    if served is None or served.site is None:
        await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
        return
    await served.site(scope, receive, send)
