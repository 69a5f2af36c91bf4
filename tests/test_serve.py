"""`ambidex build` and `ambidex serve` as real processes: the site and the API on one port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import REPO


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_build_then_serve(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".venv", ".git", "site", ".ambidex", "bench"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(
        [sys.executable, "-m", "ambidex", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    assert (root / "site" / "index.html").exists()
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ambidex",
            "serve",
            "--root",
            str(root),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = _get(f"{base}/api/v1/health")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, body = _get(f"{base}/api/v1/search?q=polycronicity")
        assert status == 200
        assert json.loads(body)["items"][0]["id"] == "polychronicity"
        status, body = _get(f"{base}/")
        assert status == 200 and b"<html" in body.lower()
        status, body = _get(f"{base}/api/docs")
        assert status == 200 and b"swagger" in body.lower()
    finally:
        server.terminate()
        server.wait(timeout=30)
