"""`ambidex refs add`: merging a reference manager's export into references.bib."""

from __future__ import annotations

from typer.testing import CliRunner

from ambidex.cli import app
from ambidex.loader import load_references
from tests.conftest import BIB, MakeKb

runner = CliRunner()

EXPORT = """@article{Gabler_2017,
  title = {Is there a dark side of ambidexterity?},
  author = {Gabler, Colin B.}, year = {2017}, journal = {JSR},
  doi = {https://doi.org/10.1177/1094670517712019}
}
@article{Jasmand2012x,
  title = {Generating Sales While Providing Service},
  author = {Jasmand, Claudia and Blazevic, Vera},
  year = {2012}, journal = {Journal of Marketing}, pages = {20 - 37}
}
@book{smith, title = {The New Book}, author = {Smith, John}, year = {2020}, publisher = {P}}
@book{smith_again, title = {The new book}, author = {Smith, J.}, year = {2020}, publisher = {P}}
@book{other, title = {New Worlds}, author = {Smith, Ann}, year = {2020}, publisher = {Q}}
"""


def test_merge_adds_normalised_entries_and_skips_duplicates(make_kb: MakeKb) -> None:
    root = make_kb({"export.bib": EXPORT})
    result = runner.invoke(app, ["refs", "add", str(root / "export.bib"), "--root", str(root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "skipped Gabler_2017: same DOI as gabler2017dark" in lines
    assert "skipped smith_again: same title and year as smith2020new" in lines
    assert lines[-1] == "added 3, skipped 2, failed 0"
    text = (root / "references.bib").read_text()
    assert text.startswith(BIB.rstrip("\n")), "existing entries stay as they were, in order"
    refs, _, problems = load_references(root)
    assert problems == []
    by_key = {r.key: r for r in refs}
    assert list(by_key)[:2] == ["gabler2017dark", "mullins2020ambidextrous"]
    assert by_key["jasmand2012generating"].get("pages") == "20--37"
    assert {"smith2020new", "smith2020newa"} <= set(by_key), "a colliding key gets a letter"


def test_dry_run_writes_nothing(make_kb: MakeKb) -> None:
    root = make_kb({"export.bib": EXPORT})
    before = (root / "references.bib").read_bytes()
    result = runner.invoke(app, ["refs", "add", str(root / "export.bib"), "--root", str(root), "--dry-run"])
    assert result.exit_code == 0
    assert "would add 3" in result.output
    assert (root / "references.bib").read_bytes() == before


def test_invalid_import_writes_nothing_unless_asked(make_kb: MakeKb) -> None:
    root = make_kb({"export.bib": EXPORT + "\n@article{broken,\n  title = {open\n"})
    before = (root / "references.bib").read_bytes()
    result = runner.invoke(app, ["refs", "add", str(root / "export.bib"), "--root", str(root)])
    assert result.exit_code == 1
    assert "export.bib:15:1: error[bibtex-syntax]" in result.output
    assert (root / "references.bib").read_bytes() == before
    forced = runner.invoke(
        app, ["refs", "add", str(root / "export.bib"), "--root", str(root), "--skip-invalid"]
    )
    assert forced.exit_code == 0
    assert "added 3, skipped 2, failed 1" in forced.output


def test_from_stdin_and_bad_sources(make_kb: MakeKb) -> None:
    root = make_kb()
    result = runner.invoke(app, ["refs", "add", "-", "--root", str(root)], input=EXPORT)
    assert result.exit_code == 0 and "added 3" in result.output
    missing = runner.invoke(app, ["refs", "add", str(root / "nope.bib"), "--root", str(root)])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    (root / "bin.bib").write_bytes(b"\xff\xfe\x00")
    binary = runner.invoke(app, ["refs", "add", str(root / "bin.bib"), "--root", str(root)])
    assert binary.exit_code == 2 and "not UTF-8" in binary.output


def test_broken_library_is_not_touched(make_kb: MakeKb) -> None:
    root = make_kb({"references.bib": BIB + "\n@article{bad,\n  title = {open\n", "export.bib": EXPORT})
    before = (root / "references.bib").read_bytes()
    result = runner.invoke(app, ["refs", "add", str(root / "export.bib"), "--root", str(root)])
    assert result.exit_code == 1 and "fix references.bib first" in result.output
    assert (root / "references.bib").read_bytes() == before
