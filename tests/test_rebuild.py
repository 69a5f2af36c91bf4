"""Rebuilds as real processes next to a real server: atomic, picked up live, never half-served."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.common import serving
from tests.site_helpers import copy_project

pytestmark = pytest.mark.slow
PAGES = [
    "/api/v1/health",
    "/api/v1/concepts/role-ambiguity",
    "/api/v1/search?q=role",
    "/api/v1/references?per_page=5",
    "/",
    "/concepts/role-ambiguity/",
    "/references/",
    "/search/index.json",
]
MAX_REQUESTS = 20_000  # the load stops by itself, whatever happens


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ambidex", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read(), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, e.read(), {k.lower(): v for k, v in e.headers.items()}


def edit_summary(root: Path, words: str) -> None:
    path = root / "kb" / "risks" / "role-ambiguity.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: >-\n  ", f"summary: >-\n  {words} ", 1), encoding="utf-8")


class Load:
    """Client threads that fetch site pages and API answers until stopped, recording failures and
    any answer whose build (the ETag) differs from the build it reports (the body)."""

    def __init__(self, base: str, threads: int = 4) -> None:
        self.base = base
        self.stop = threading.Event()
        self.count = 0
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(threads)]

    def run(self, offset: int) -> None:
        i = offset
        while not self.stop.is_set() and self.count < MAX_REQUESTS:
            path = PAGES[i % len(PAGES)]
            i += 1
            try:
                status, body, headers = get(self.base + path)
                problem = "" if status == 200 else f"{status} {path}"
                if not problem and path == "/api/v1/health":
                    build_id = json.loads(body)["build_id"]
                    if build_id not in headers.get("etag", ""):
                        problem = f"mixed builds: {headers.get('etag')} with {build_id}"
            except OSError as exc:
                problem = f"{path}: {exc}"
            with self.lock:
                self.count += 1
                if problem:
                    self.failures.append(problem)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def wait_for(predicate: object, guard: float = 120) -> None:
    """Poll until `predicate()` holds; the guard only stops a hang, it is no measurement."""
    deadline = time.monotonic() + guard
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.2)


def health(base: str) -> dict[str, object]:
    return json.loads(get(base + "/api/v1/health")[1])


def current_build_id(root: Path) -> str:
    """The build id that `ambidex build` made current (the build directory is named after it)."""
    return (root / ".ambidex" / "CURRENT").read_text(encoding="utf-8").strip().rsplit("-", 1)[0]


def page(base: str, path: str = "/concepts/role-ambiguity/") -> str:
    return get(base + path)[1].decode("utf-8", "replace")


def test_rebuilds_under_load_fail_no_request(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    first = build(root)
    assert first.returncode == 0, first.stderr
    with serving(root, timeout=120) as (base, _), Load(base) as load:
        old_id = health(base)["build_id"]
        assert old_id == current_build_id(root)
        wait_for(lambda: load.count > 50)
        for words in ("Rebuilt once.", "Rebuilt twice."):
            edit_summary(root, words)
            rebuilt = build(root)
            assert rebuilt.returncode == 0, rebuilt.stderr
        new_id = current_build_id(root)
        wait_for(lambda: health(base)["build_id"] == new_id)
        assert "Rebuilt twice." in page(base), "the site is the new build's"
        assert "Rebuilt twice." in page(base, "/api/v1/concepts/role-ambiguity")
        load.stop.set()
    assert load.failures == [], load.failures[:20]
    assert load.count > 100, "the load ran throughout"
    assert new_id != old_id


def test_a_build_killed_during_the_site_step_leaves_the_previous_one(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    assert build(root).returncode == 0
    before = (root / ".ambidex" / "CURRENT").read_text(encoding="utf-8")
    edit_summary(root, "Never published.")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ambidex", "build", "--root", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    partial = root / ".ambidex" / "builds"
    try:
        wait_for(
            lambda: any((d / "site" / "assets").exists() for d in partial.iterdir() if d.name not in before)
        )
    finally:
        proc.kill()  # SIGKILL, in the middle of writing the site
        proc.wait(timeout=60)
    assert (root / ".ambidex" / "CURRENT").read_text(encoding="utf-8") == before
    assert (root / "site" / "index.html").exists(), "site/ still shows the previous build"
    assert (
        "Never published." not in (root / "site" / "concepts" / "role-ambiguity" / "index.html").read_text()
    )
    assert not _processes_mentioning(str(root)), "nothing the build started outlives it"
    names = {d.name for d in partial.iterdir()}
    assert build(root).returncode == 0
    after = {d.name for d in partial.iterdir()}
    assert names - {before.strip()}, "the killed build left a partial directory"
    assert not (names - {before.strip()}) & after, "the partial build is cleaned by the next build"
    assert "Never published." in (root / "site" / "concepts" / "role-ambiguity" / "index.html").read_text()


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline and proc.name != str(os.getpid()):
            found.append(cmdline)
    return found
