"""`ambidex build` and `ambidex serve` as real processes: the site and the API on one port."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from bench.common import serving
from tests.conftest import MakeKb, ambidex
from tests.site_helpers import copy_project


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_build_then_serve(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    built = ambidex("build", root=root)
    assert built.returncode == 0, built.stderr
    assert (root / "site" / "index.html").exists()
    with serving(root, "--workers", "2", timeout=60) as (base, _):
        status, body = _get(f"{base}/api/v1/search?q=polycronicity")
        assert status == 200
        assert json.loads(body)["items"][0]["id"] == "polychronicity"
        status, body = _get(f"{base}/")
        assert status == 200 and b"<html" in body.lower()
        status, body = _get(f"{base}/api/docs")
        assert status == 200 and b"swagger" in body.lower()
        head = urllib.request.Request(f"{base}/api/v1/concepts/role-ambiguity", method="HEAD")
        with urllib.request.urlopen(head, timeout=10) as r:
            assert r.status == 200 and r.read() == b"" and r.headers["ETag"]
            assert r.headers["X-Content-Type-Options"] == "nosniff"
        try:
            urllib.request.urlopen(f"{base}/api/v1/no-such-thing", timeout=10)
        except urllib.error.HTTPError as e:
            assert e.code == 404 and e.headers["Content-Type"] == "application/problem+json"
        else:
            raise AssertionError("an unknown API path must be a 404")
        assert (root / "site").is_symlink(), "site/ points at the current build's site"


def test_fingerprinted_site_assets_are_cached_for_a_year(make_kb: MakeKb, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<html>home</html>")
    (site / "assets" / "ambidex.1ee9b6e8fa.css").write_text("a{}")
    (site / "assets" / "bundle.a5f9d56c.min.js").write_text("1")
    (site / "assets" / "ambidex.css").write_text("a{}")
    with TestClient(create_app(Settings(root=make_kb(), site_dir=site))) as client:
        for path in ("/assets/ambidex.1ee9b6e8fa.css", "/assets/bundle.a5f9d56c.min.js"):
            response = client.get(path)
            assert response.status_code == 200
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        for path in ("/", "/assets/ambidex.css"):
            response = client.get(path)
            assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
