"""Building the repository's site in a scratch copy, serving it, and checking its links."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urljoin, urlparse

from playwright.sync_api import Page

from tests import sample
from tests.conftest import REPO

IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "site", ".ambidex", "bench", "tests", "__pycache__", "*.egg-info"
)
CONTENT = {"kb", "references.bib"}


def _ignore(directory: str, names: list[str]) -> set[str]:
    """The repository's own content is left behind: the copy gets the sample instead."""
    ignored = set(IGNORE(directory, names))
    return ignored | (CONTENT & set(names) if Path(directory) == REPO else set())


def copy_project(dest: Path) -> Path:
    """The repository's code, `mkdocs.yml` and `docs/`, with the sample knowledge base."""
    shutil.copytree(REPO, dest, ignore=_ignore)
    return sample.write(dest, dest / "docs")


def mkdocs_build(root: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extra_headers: ClassVar[dict[str, str]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()


@contextmanager
def serve(directory: Path, headers: dict[str, str] | None = None) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port) for the duration of the block, with
    `headers` added to every answer (a Content-Security-Policy, say)."""
    handler = functools.partial(
        type("_Headers", (_Quiet,), {"extra_headers": dict(headers or {})}), directory=str(directory)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        if tag in ("a", "link") and values.get("href"):
            self.hrefs.append(str(values["href"]))


def broken_links(site: Path) -> list[str]:
    """Internal links (and #anchors) of a built site that lead nowhere."""
    pages: dict[Path, _Links] = {}
    for path in site.rglob("*.html"):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path] = parser
    broken = []
    for path, parser in pages.items():
        base = "/" + path.relative_to(site).as_posix()
        for href in parser.hrefs:
            url = urlparse(urljoin(base, href))
            if url.scheme or url.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            if url.path.startswith("/api/"):
                continue  # served by the API next to the site
            target = site / unquote(url.path).lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{base}: {href}")
            elif url.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if unquote(url.fragment) not in ids:
                    broken.append(f"{base}: {href} (no such anchor)")
    return broken


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def axe_serious(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
