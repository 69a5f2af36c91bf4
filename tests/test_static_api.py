"""The static copy of the API that `ambidex build` writes: every file is the live answer to its URL."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench.common import serving
from tests.conftest import MakeKb, ambidex, concept

MORE = {
    f"kb/practices/practice-{i:02d}.md": concept(
        f"practice-{i:02d}",
        type="practice",
        extra="relations:\n  mitigates: [role-ambiguity]\n",
        body=f"Practice {i} eases [[role-ambiguity]] [@gabler2017dark].\n",
    )
    for i in range(25)
}


def _url(relative: str) -> str:
    """The API URL a file under site/api/v1 answers (see ambidex.static_api)."""
    name = relative.removesuffix(".json")
    listing, is_page, page = name.partition(".page-")
    if is_page:
        return f"/api/v1/{listing}?page={page}&per_page=20"
    return "/api/v1/" + quote(name)


def _get(url: str, encoding: str) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.read(), r.headers.get("Content-Encoding")


def test_every_static_file_is_the_live_answer(make_kb: MakeKb) -> None:
    root = make_kb(MORE)
    built = ambidex("build", root=root, timeout=120)
    assert built.returncode == 0, built.stderr
    api = root / "site" / "api" / "v1"
    files = sorted(p for p in api.rglob("*.json"))
    names = {p.relative_to(api).as_posix() for p in files}
    assert {"health.json", "types.json", "tags.json", "graph.json", "concepts.json"} <= names
    assert {"concepts.page-1.json", "concepts.page-2.json", "references.json"} <= names
    assert "concepts.page-3.json" not in names  # 27 concepts: two pages of 20
    assert {f"concepts/{p.stem}.json" for p in (root / "kb").rglob("*.md")} <= names
    assert {"references/gabler2017dark.json", "references/mullins2020ambidextrous.json"} <= names
    assert all(Path(f"{p}.gz").exists() for p in files)

    with serving(root, timeout=60) as (base, _):
        for path in files:
            url = base + _url(path.relative_to(api).as_posix())
            static = path.read_bytes()
            assert gzip.decompress(Path(f"{path}.gz").read_bytes()) == static, path
            plain, plain_encoding = _get(url, "identity")
            assert plain_encoding is None and plain == static, url
            packed, encoding = _get(url, "gzip")
            assert (gzip.decompress(packed) if encoding == "gzip" else packed) == static, url


def test_a_new_build_replaces_the_static_copy(make_kb: MakeKb) -> None:
    root = make_kb()
    assert ambidex("build", root=root, timeout=120).returncode == 0
    api = root / "site" / "api" / "v1"
    assert (api / "concepts" / "role-ambiguity.json").exists()
    (root / "kb" / "risks" / "role-ambiguity.md").unlink()
    (root / "kb" / "ambidexterity" / "service-sales-ambidexterity.md").write_text(
        concept("service-sales-ambidexterity", type="ambidexterity", summary="Both [@gabler2017dark]."),
        encoding="utf-8",
    )
    assert ambidex("build", root=root, timeout=120).returncode == 0
    assert not (api / "concepts" / "role-ambiguity.json").exists()
    assert (api / "concepts" / "service-sales-ambidexterity.json").exists()
    assert [p.name for p in api.parent.iterdir()] == ["v1"]  # nothing left behind
    assert ambidex("build", "--no-static-api", root=root, timeout=120).returncode == 0
    current = root / ".ambidex" / "builds" / (root / ".ambidex" / "CURRENT").read_text().strip()
    assert not (current / "site" / "api").exists(), "a build without the static API writes none"
