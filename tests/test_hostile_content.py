"""Hostile content through the real command line, the site build and the API: content is data.

Each test reproduces an attack an editor's file or a reference manager's export could carry, run
as a process (`python -m ambidex ...`), through `mkdocs build`, or through the API's HTTP client.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import BIB, IN_SHORT, SIGNS, MakeKb, ambidex, concept
from tests.site_helpers import copy_project, mkdocs_build

RISK = "kb/risks/role-ambiguity.md"
LINKED = "relations:\n  risk-of: [service-sales-ambidexterity]\n"


def line_of(text: str, needle: str) -> int:
    """The line of a file's text where `needle` first stands."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def problems(root: Path) -> set[tuple[str, int, str]]:
    result = ambidex("check", "--format", "json", root=root)
    assert result.returncode in (0, 1), result.stderr
    return {(p["path"], p["line"], p["code"]) for p in json.loads(result.stdout)}


# ------------------------------------------------------------------ 1. files copied into the site


def test_check_refuses_a_file_include(make_kb: MakeKb) -> None:
    text = concept("role-ambiguity", extra=LINKED, body='Text.\n\n--8<-- ".git/config"\n')
    root = make_kb({RISK: text})
    assert (RISK, line_of(text, "--8<--"), "file-include") in problems(root)


def test_no_markdown_extension_reads_files(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    (root / "secret.txt").write_text("TOP-SECRET-CONTENT\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text('# Home\n\n--8<-- "secret.txt"\n', encoding="utf-8")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    for page in (root / "site").rglob("*"):
        if page.is_file() and page.suffix in (".html", ".json"):
            assert "TOP-SECRET-CONTENT" not in page.read_text(encoding="utf-8", errors="replace"), page


# ------------------------------------------------------------------ 2. script in content

SCRIPT = "<script>alert(1)</script>"
ONERROR = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {RISK: concept("role-ambiguity", extra=LINKED, summary=f"S {ONERROR} [@gabler2017dark].")},
            "onerror",
        ),
        ({RISK: concept("role-ambiguity", extra=LINKED, body=f"Body.\n{SCRIPT}\n")}, "<script"),
        (
            {
                RISK: concept(
                    "role-ambiguity",
                    extra=LINKED + f"evidence:\n  - Found {SCRIPT} [@gabler2017dark].\n",
                )
            },
            "<script",
        ),
        ({RISK: concept("role-ambiguity", title=f"Role {SCRIPT}", extra=LINKED)}, "<script"),
        (
            {RISK: concept("role-ambiguity", extra=LINKED, body="<a href='#' onclick='alert(1)'>x</a>\n")},
            "onclick",
        ),
    ],
    ids=["summary-onerror", "body-script", "evidence-script", "title-script", "body-onclick"],
)
def test_check_names_disallowed_html(make_kb: MakeKb, files: dict[str, str], expected: str) -> None:
    assert (RISK, line_of(files[RISK], expected), "disallowed-html") in problems(make_kb(files))


def test_check_names_javascript_links(make_kb: MakeKb) -> None:
    body = "[a](javascript:alert(1)) and [b](&#106;avascript:alert(2))\n"
    text = concept("role-ambiguity", extra=LINKED + IN_SHORT + SIGNS, body=body)
    found = problems(make_kb({RISK: text}))
    assert (RISK, line_of(text, "javascript"), "malformed-url") in found


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ('doi = {10.1234/"><script>alert(1)</script>}', "malformed-doi"),
        ("doi = {10.1234/a b}", "malformed-doi"),
        ('url = {https://example.org/"onmouseover="alert(1)}', "malformed-url"),
        ("url = {javascript:alert(1)}", "malformed-url"),
    ],
    ids=["doi-breakout", "doi-space", "url-quote", "url-javascript"],
)
def test_check_names_malformed_dois_and_urls(make_kb: MakeKb, field: str, code: str) -> None:
    bib = BIB + f"\n@misc{{x2000,\n  title = {{X}},\n  {field}\n}}\n"
    assert ("references.bib", line_of(bib, field), code) in problems(make_kb({"references.bib": bib}))


HOSTILE_BIB = BIB.replace(
    "author  = {Gabler, Colin B.",
    "author  = {<script>window.pwned=1</script>, Evil and Gabler, Colin B.",
).replace(
    "journal = {Journal of Service Research},\n  year    = {2017}",
    "journal = {Journal <img src=x onerror=window.pwned=2>},\n  year    = {2017}",
)
HOSTILE_TITLE = 'Role <img src=x onerror="window.pwned=3"> "ambiguity"'


def hostile_kb(make_kb: MakeKb) -> Path:
    """Hostile text in the fields where it is allowed as text: titles and BibTeX fields."""
    title = HOSTILE_TITLE.replace('"', '\\"')
    return make_kb(
        {
            "references.bib": HOSTILE_BIB,
            RISK: concept(
                "role-ambiguity", title=f'"{title}"', extra=LINKED, body="Body [@gabler2017dark].\n"
            ),
        }
    )


class _Scripts(HTMLParser):
    """What in a page could run: script elements, event handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script" and not dict(attrs).get("src") and "pwned" in self.get_starttag_text():
            self.found.append("<script>")

    def handle_data(self, data: str) -> None:
        if "pwned" in data and self.lasttag == "script":
            self.found.append(f"script: {data[:60]}")


def runnable(html_text: str) -> list[str]:
    parser = _Scripts()
    parser.feed(html_text)
    return parser.found


def test_hostile_text_is_inert_on_the_site(make_kb: MakeKb) -> None:
    root = hostile_kb(make_kb)
    check = ambidex("check", root=root)
    # The title's HTML is reported, but only as a mistake; the build refuses errors, so make the
    # title plain text that merely looks like HTML to a careless renderer.
    assert "disallowed-html" in check.stdout
    title = HOSTILE_TITLE.replace("<img", "&lt;img").replace('"', '\\"')
    path = root / RISK
    path.write_text(
        concept("role-ambiguity", title=f'"{title}"', extra=LINKED, body="Body [@gabler2017dark].\n"),
        encoding="utf-8",
    )
    (root / "mkdocs.yml").write_text(
        "site_name: T\ntheme:\n  name: material\nplugins:\n  - ambidex\n"
        "markdown_extensions:\n  - attr_list\n  - md_in_html\n  - pymdownx.details\n"
        "  - pymdownx.superfences\n",
        encoding="utf-8",
    )
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    pages = ["concepts/role-ambiguity/index.html", "references/index.html", "types/risk/index.html"]
    pages += ["concepts/service-sales-ambidexterity/index.html", "map/index.html"]
    for page in pages:
        text = (site / page).read_text(encoding="utf-8")
        assert runnable(text) == [], page
    # The static search index holds text (the search script inserts it as text, never as HTML).
    index = json.loads((site / "search" / "index.json").read_text(encoding="utf-8"))
    assert all(isinstance(field, str) for doc in index["docs"] for field in doc)


def test_hostile_bibliography_is_escaped_in_the_api(make_kb: MakeKb) -> None:
    root = make_kb({"references.bib": HOSTILE_BIB})
    with TestClient(create_app(Settings(root=root))) as client:
        ref = client.get("/api/v1/references/gabler2017dark").json()
        concept_body = client.get("/api/v1/concepts/role-ambiguity").json()
    assert runnable(ref["apa_html"]) == [] and "<script" not in ref["apa_html"]
    assert "&lt;script&gt;" in ref["apa_html"], "the name is shown as text"
    assert ref["apa"].startswith("<script>window.pwned=1</script>"), "plain text stays as typed"
    assert runnable(concept_body["body_html"]) == []


# ------------------------------------------------------------------ 3. crashes and stalls


@pytest.mark.parametrize(
    "front",
    ["x: " + "[" * 50_000 + "]" * 50_000, "x:\n  " + "- " * 50_000 + "y"],
    ids=["flow", "block"],
)
def test_deeply_nested_front_matter_is_a_problem_not_a_crash(make_kb: MakeKb, front: str) -> None:
    root = make_kb({"kb/risks/deep.md": f"---\n{front}\n---\n"})
    result = ambidex("check", root=root)
    assert result.returncode == 1, (result.returncode, result.stderr[-400:])
    assert re.search(r"kb/risks/deep\.md:\d+:\d+: error\[too-deep\]", result.stdout)
    built = ambidex("build", "--no-site", root=root)
    assert built.returncode == 1 and "too-deep" in built.stderr


def test_citation_scanner_is_linear(make_kb: MakeKb) -> None:
    """An unclosed '[' before 900,000 '@' took the old scanner hours; now one pass."""
    body = "[" + "@" * 900_000 + "\n"
    text = concept("role-ambiguity", extra=LINKED + IN_SHORT + SIGNS, body=body)
    root = make_kb({RISK: text})
    found = {p for p in problems(root) if p[2] != "short-body"}  # one "word", so a short body too
    assert found == {(RISK, line_of(text, "[@@@"), "too-complex")}, "one long paragraph, and nothing else"


@pytest.mark.parametrize(
    "body",
    ["[" * 30_000, "<a " * 30_000, "".join(f"{'  ' * i}- x\n" for i in range(200)), "> " * 100 + "x"],
    ids=["open-brackets", "open-tags", "nested-lists", "nested-quotes"],
)
def test_markdown_that_would_stall_rendering_is_refused(make_kb: MakeKb, body: str) -> None:
    """Python-Markdown follows each '[' and '<' to the end of its paragraph and recurses per level:
    such bodies took minutes to render, or crashed the site build with a RecursionError."""
    root = make_kb({RISK: concept("role-ambiguity", extra=LINKED, body=body + "\n")})
    codes = {code for _, _, code in problems(root)}
    assert codes & {"too-complex", "too-deep"}, codes


def test_devices_pipes_and_links_out_are_refused(make_kb: MakeKb, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(concept("outside"), encoding="utf-8")
    root = make_kb()
    (root / "kb" / "risks" / "zero.md").symlink_to("/dev/zero")
    (root / "kb" / "risks" / "elsewhere.md").symlink_to(outside)
    os.mkfifo(root / "kb" / "risks" / "pipe.md")
    found = problems(root)
    assert ("kb/risks/zero.md", 1, "outside-repository") in found
    assert ("kb/risks/elsewhere.md", 1, "outside-repository") in found
    assert ("kb/risks/pipe.md", 1, "not-a-file") in found
    (root / "references.bib").unlink()
    (root / "references.bib").symlink_to("/dev/zero")
    assert ("references.bib", 1, "outside-repository") in problems(root)


def test_a_huge_file_is_refused_before_it_is_read(make_kb: MakeKb) -> None:
    root = make_kb()
    with open(root / "kb" / "risks" / "huge.md", "wb") as handle:
        handle.truncate(5 * 2**30)  # sparse: 5 GB that would have been read into memory
    assert ("kb/risks/huge.md", 1, "file-too-large") in problems(root)
