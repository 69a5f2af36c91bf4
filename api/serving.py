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
import logging
from dataclasses import dataclass
from pathlib import Path

from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ambidex import builds
from ambidex.build import Build
from api.settings import Settings
from api.views import Views

log = logging.getLogger(__name__)
SERVED = "ambidex.served"


@dataclass
class Served:
    views: Views
    site: StaticFiles | None
    name: str
    script_hashes: tuple[str, ...]
    lock: builds.Lock | None

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()


def _site(settings: Settings, build: Build) -> StaticFiles | None:
    site = settings.site_dir or build.site or Path(settings.root, builds.SITE)  # built without a site
    if site is None or not Path(site, "index.html").exists():
        return None
    return StaticFiles(directory=str(site), html=True)


def load(settings: Settings) -> Served:
    """The current build of `settings.root` made ready to answer (made first if there is none)."""
    root = Path(settings.root)
    directory = builds.current(root)
    lock = builds.Lock(directory) if directory is not None else None
    try:
        build = Build.load(directory, root) if directory is not None else Build.open(root)
        if lock is None and build.directory is not None:
            lock = builds.Lock(build.directory)
        views = Views(build)
        views.warm(build.cache)
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
        name = builds.pointer(root)
        if not name or name in (current.name, refused):
            continue
        try:
            fresh = await asyncio.to_thread(load, settings)
        except Exception:
            log.exception("could not load the build %s; still serving %s", name, current.name)
            refused = name
            continue
        holder.served = fresh  # type: ignore[attr-defined]
        if retired is not None:
            retired.release()
        retired = current
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
