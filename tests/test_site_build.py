"""`mkdocs build --strict` of the repository with the plugin, and what stops it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.site_helpers import broken_links, copy_project, mkdocs_build


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("site") / "project")
    result = mkdocs_build(root, env={"AMBIDEX_REPO_URL": "https://code.example/ambidex"})
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_every_concept_has_a_page_outside_the_nav(built: Path) -> None:
    concepts = sorted(p.parent.name for p in (built / "concepts").glob("*/index.html"))
    sources = sorted(p.stem for p in built.parent.glob("kb/*/*.md"))
    assert concepts == sources
    home = (built / "index.html").read_text()
    assert "concepts/role-ambiguity/" not in home.split('class="md-content"')[0], (
        "concepts stay out of the nav"
    )


def test_no_page_lives_under_the_api_prefix(built: Path) -> None:
    """`ambidex serve` answers everything under /api/ from the API: a page there would be a JSON 404."""
    assert list((built / "api").rglob("*.html")) == []
    assert 'href="api-reference/"' in (built / "index.html").read_text()


def test_no_broken_internal_links_or_anchors(built: Path) -> None:
    assert broken_links(built) == []


def test_hand_written_pages_badge_their_citations_too(built: Path) -> None:
    home = (built / "index.html").read_text()
    cited = re.findall(r'<a href="references/#[^"]+">[^<]+</a>( <span class="ambidex-evidence)?', home)
    assert cited and all(cited), "every citation on the home page has its badge"


def test_edit_link_points_at_the_source_file(built: Path) -> None:
    page = (built / "concepts" / "role-ambiguity" / "index.html").read_text()
    assert 'href="https://code.example/ambidex/edit/main/kb/risks/role-ambiguity.md"' in page


def test_editors_guide_is_generated_from_the_code(built: Path) -> None:
    from ambidex.evidence import MIN_BODY_WORDS, MIN_BODY_WORDS_TENSION
    from ambidex.model import Design, FrontMatter, RelationType, SourceType

    guide = (built / "editors" / "index.html").read_text()
    for field in FrontMatter.model_fields:
        assert f"<code>{field}</code>" in guide
    for value in [*RelationType, *SourceType, *Design]:
        assert f"<code>{value.value}</code>" in guide
    for label in [t.label for t in SourceType] + [d.label for d in Design]:
        assert f"<td>{label}</td>" in guide
    assert (
        f"fewer than {MIN_BODY_WORDS} words" in guide and f"fewer than {MIN_BODY_WORDS_TENSION} for" in guide
    )
    for command in (
        "ambidex check",
        "ambidex new concept",
        "ambidex refs add",
        "ambidex build",
        "ambidex serve",
    ):
        assert f"<code>{command}</code>" in guide


def test_unknown_citation_stops_the_build_with_file_and_line(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    path = root / "kb" / "risks" / "role-ambiguity.md"
    path.write_text(path.read_text().replace("[@agnihotri2017salesperson]", "[@agnihotri2071salesperson]", 1))
    result = mkdocs_build(root)
    assert result.returncode != 0
    assert "kb/risks/role-ambiguity.md:" in result.stderr
    assert "error[unknown-citation]: 'agnihotri2071salesperson' is not in references.bib" in result.stderr


def test_unknown_link_in_a_hand_written_page_fails_strict(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    (root / "docs" / "index.md").write_text("# Home\n\nSee [[no-such-concept]].\n")
    result = mkdocs_build(root)
    assert result.returncode != 0 and "docs/index.md:3: [[no-such-concept]] names no concept" in result.stderr


def test_a_file_include_line_in_an_entry_stops_the_build(tmp_path: Path) -> None:
    """No Markdown extension reads files, and `check` stops a build whose entry asks for one."""
    root = copy_project(tmp_path / "project")
    (root / "secret.txt").write_text("TOP-SECRET-REPOSITORY-CONTENT\n", encoding="utf-8")
    entry = sorted((root / "kb").glob("*/*.md"))[0]
    entry.write_text(entry.read_text(encoding="utf-8") + '\n--8<-- "secret.txt"\n', encoding="utf-8")
    result = mkdocs_build(root)
    assert result.returncode != 0 and "file-include" in result.stderr
    for path in (root / "site").rglob("*"):
        if path.is_file():
            assert "TOP-SECRET-REPOSITORY-CONTENT" not in path.read_text(encoding="utf-8", errors="replace")


def test_the_bibliography_page_as_a_librarian_reads_it(built: Path) -> None:
    page = (built / "references" / "index.html").read_text()
    blocks = re.findall(
        r'<div class="ambidex-reference" id="([^"]+)">\s*<p class="ambidex-apa">(.*?)</p>\s*<p>(.*?)</p>',
        page,
        re.S,
    )
    assert len(blocks) >= 5
    for key, entry, _ in blocks:
        text = re.sub(r"<[^>]+>", "", entry)
        assert not any(mark in text for mark in ("\\", "{", "}", "``", "''")), (key, text)
        assert not re.search(r"[?!]\.", text), (key, text)
    by_key = {key: (entry, badge) for key, entry, badge in blocks}
    entry, badge = by_key["aman2022ambidextrous"]
    assert entry.startswith("Aman, M. A., Azam, M. K., &amp; Akhtar, A. (2022).")
    assert 'class="ambidex-evidence ambidex-evidence--unverified"' in badge and ">Unverified</span>" in badge
    assert "Peer-reviewed" not in badge
    assert ">Peer-reviewed · Survey</span>" in by_key["gabler2017dark"][1]
