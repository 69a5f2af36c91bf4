"""The server as an operator expects when clients and disks misbehave."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ambidex import builds
from api.app import create_app
from api.settings import Settings
from bench.common import serving
from tests.conftest import MakeKb, ambidex

V1 = "/api/v1"


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture
def client(make_kb: MakeKb) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(root=make_kb()))) as c:
        yield c


@pytest.mark.parametrize("header", ["gzip;q=0, identity", "gzip; q=0", "*;q=1, gzip;q=0", "GZIP;Q=0.000"])
def test_gzip_refused_with_q_0_is_not_sent(client: TestClient, header: str) -> None:
    for path in (f"{V1}/concepts/role-ambiguity", f"{V1}/concepts", f"{V1}/openapi.json"):
        answer = client.get(path, headers={"Accept-Encoding": header})
        assert answer.status_code == 200
        assert "content-encoding" not in answer.headers, (path, header)


def test_gzip_accepted_with_a_positive_q_or_a_star_is_sent(client: TestClient) -> None:
    for header in ("gzip;q=0.5, identity", "*"):
        answer = client.get(f"{V1}/concepts/role-ambiguity", headers={"Accept-Encoding": header})
        assert answer.headers.get("content-encoding") == "gzip", header


def test_a_deleted_live_build_gives_503_problem_json(make_kb: MakeKb) -> None:
    root: Path = make_kb(
        {
            "mkdocs.yml": "site_name: T\ntheme:\n  name: material\nplugins:\n  - search\n  - ambidex\n",
            "docs/index.md": "# Home\n",
        }
    )
    assert ambidex("build", root=root).returncode == 0
    with TestClient(create_app(Settings(root=root))) as c:
        assert c.get("/").status_code == 200
        directory = builds.current(root)
        assert directory is not None
        shutil.rmtree(directory)
        for path in ("/", "/concepts/role-ambiguity/", "/search/search_index.json"):
            answer = c.get(path)
            assert answer.status_code == 503, (path, answer.status_code)
            assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_build_that_fails_after_its_site_leaves_the_current_build_current(make_kb: MakeKb) -> None:
    root: Path = make_kb(
        {
            "mkdocs.yml": "site_name: T\ntheme:\n  name: material\nplugins:\n  - search\n  - ambidex\n",
            "docs/index.md": "# Home\n",
        }
    )
    assert ambidex("build", root=root).returncode == 0
    first = builds.current(root)
    assert first is not None
    (root / "site").unlink()
    (root / "site").write_text("not a link\n", encoding="utf-8")
    result = ambidex("build", root=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert builds.current(root) == first, "the pointer still names the build that exists"
    assert (first / builds.COMPLETE).exists()
    assert [d.name for d in (root / ".ambidex" / "builds").iterdir()] == [first.name]


def test_truncating_a_live_builds_index_files_in_place_does_not_kill_the_server(make_kb: MakeKb) -> None:
    """An in-place `cp -r` deploy truncates files a server has open; a mapped file would then
    kill it with SIGBUS on the next query."""
    root: Path = make_kb()
    assert ambidex("build", "--no-site", root=root).returncode == 0
    with serving(root, timeout=120) as (base, _):
        assert _get(f"{base}{V1}/search?q=ambidexterity")[0] == 200
        directory = builds.current(root)
        assert directory is not None
        damaged = [p for p in (directory / "index").rglob("*postings-*") if p.suffix in (".i4", ".f4")]
        assert len(damaged) == 4
        for path in damaged:
            with path.open("r+b") as handle:
                handle.truncate(0)
        for q in ("ambidexterity", "role", "service+sales"):
            assert _get(f"{base}{V1}/search?q={q}")[0] == 200
        assert _get(f"{base}{V1}/health")[0] == 200


def test_an_odd_build_pointer_is_skipped_and_later_builds_are_still_picked_up(make_kb: MakeKb) -> None:
    """Invalid UTF-8, a link to /dev/zero and a FIFO in .ambidex/CURRENT once killed the build
    watcher or hung every request; each is now logged and skipped."""
    root: Path = make_kb()
    assert ambidex("build", "--no-site", root=root).returncode == 0
    pointer = root / ".ambidex" / "CURRENT"
    with serving(root, timeout=120) as (base, _):
        first = json.loads(_get(f"{base}{V1}/health")[1])["build_id"]
        for make_odd in (
            lambda: pointer.write_bytes(b"\xff\xfe\xfa not utf-8\n"),
            lambda: pointer.symlink_to("/dev/zero"),
            lambda: os.mkfifo(pointer),
        ):
            pointer.unlink()
            make_odd()
            for _ in range(3):  # across several looks of the watcher (one a second)
                status, body = _get(f"{base}{V1}/health")
                assert status == 200 and json.loads(body)["build_id"] == first
                time.sleep(1)
        pointer.unlink()
        edited = root / "kb" / "risks" / "role-ambiguity.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
        assert ambidex("build", "--no-site", root=root).returncode == 0
        for _ in range(60):
            if json.loads(_get(f"{base}{V1}/health")[1])["build_id"] != first:
                break
            time.sleep(1)
        assert json.loads(_get(f"{base}{V1}/health")[1])["build_id"] != first, "the new build is served"
