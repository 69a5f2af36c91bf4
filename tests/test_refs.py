"""`ambidex refs add`: merging a reference manager's export into references.bib."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
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
  year = {2012}, journal = {Journal of Marketing}, pages = {20 - 37},
  design = {survey}
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
    assert "export.bib:16:1: error[bibtex-syntax]" in result.output
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


# A biblatex export as reference managers write it: macros, concatenation, journaltitle and date,
# a thesis, and an entry that check would reject (a conference paper without author or year).
MANAGER_EXPORT = r"""@string{jsr = "Journal of " # "Service Research"}
@string{sage = {SAGE}}

@article{Aman2022,
  author       = {Aman, Arif and Kovács, Béla},
  title        = {Ambidextrous Selling} # { in B2B},
  journaltitle = jsr,
  date         = {2022-03-15},
  volume       = {25},
  pages        = {101--120},
  location     = {Thousand Oaks},
  publisher    = sage,
  doi          = {https://doi.org/10.1177/10946705221234567}
}

@inproceedings{NoAuthor,
  title     = {A Paper Without Author Or Year},
  booktitle = {Proceedings}
}

@thesis{Lee2019,
  author      = {Lee, Kim},
  title       = {Hunting and Farming},
  type        = {phdthesis},
  institution = {University of Somewhere},
  date        = {2019}
}
"""


def _ambidex(*args: str, root: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ambidex", *args, "--root", str(root)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_a_reference_managers_export_leaves_a_library_that_passes_check(make_kb: MakeKb) -> None:
    root = make_kb({"export.bib": MANAGER_EXPORT})
    before = (root / "references.bib").read_bytes()
    refused = _ambidex("refs", "add", str(root / "export.bib"), root=root)
    assert refused.returncode == 1
    assert "export.bib:16:1: error[missing-bib-field]: @inproceedings 'NoAuthor' lacks the field author" in (
        refused.stderr
    )
    assert "lacks the field year" in refused.stderr
    assert "'Aman2022' is a peer-reviewed article without a design" in refused.stderr
    assert (root / "references.bib").read_bytes() == before, "nothing is written"
    added = _ambidex(
        "refs", "add", str(root / "export.bib"), "--skip-invalid", "--design", "survey", root=root
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[-1] == "added 2, skipped 0, failed 2"
    check = _ambidex("check", root=root)
    assert check.returncode == 0, check.stdout
    refs = {r.key: r for r in load_references(root)[0]}
    aman = refs["aman2022ambidextrous"]
    assert aman.entry_type == "article"
    assert aman.get("journal") == "Journal of Service Research" and "journaltitle" not in aman.fields
    assert aman.get("title") == "Ambidextrous Selling in B2B"
    assert (aman.get("year"), aman.get("address"), aman.get("publisher")) == ("2022", "Thousand Oaks", "SAGE")
    assert aman.get("doi") == "10.1177/10946705221234567"
    assert aman.get("design") == "survey", "--design fills the design an export never has"
    lee = refs["lee2019hunting"]
    assert (lee.entry_type, lee.get("school"), lee.get("year")) == (
        "phdthesis",
        "University of Somewhere",
        "2019",
    )


def test_a_library_of_20000_entries_stays_readable(make_kb: MakeKb) -> None:
    entries = [
        f"@article{{e{i},\n  author = {{Author{i}, Ann}},\n  title = {{Study number {i} of selling}},\n"
        f"  journal = {{Journal of Tests}},\n  year = {{{2000 + i % 20}}},\n"
        f"  doi = {{10.5555/test.{i}}},\n  design = {{survey}}\n}}\n"
        for i in range(20_000)
    ]
    root = make_kb({"export.bib": "\n".join(entries)})
    assert (root / "export.bib").stat().st_size > 2_000_000, "over the old cap of 1 MB"
    added = _ambidex("refs", "add", str(root / "export.bib"), root=root)
    assert added.returncode == 0, added.stderr[-800:]
    assert added.stdout.splitlines()[-1] == "added 20000, skipped 0, failed 0"
    check = _ambidex("check", root=root)
    assert check.returncode == 0, check.stdout[-800:]
    assert "20002 references" in check.stdout.splitlines()[-1]


def test_an_import_over_the_cap_writes_nothing(make_kb: MakeKb, monkeypatch: pytest.MonkeyPatch) -> None:
    from ambidex import files

    monkeypatch.setattr(files, "MAX_BIB_BYTES", len(BIB) + 200)
    root = make_kb({"export.bib": EXPORT})
    before = (root / "references.bib").read_bytes()
    result = runner.invoke(app, ["refs", "add", str(root / "export.bib"), "--root", str(root)])
    assert result.exit_code == 1 and "over the limit" in result.output
    assert (root / "references.bib").read_bytes() == before


def test_atomic_write_keeps_the_library_mode(make_kb: MakeKb) -> None:
    root = make_kb({"export.bib": EXPORT})
    (root / "references.bib").chmod(0o644)
    result = runner.invoke(app, ["refs", "add", str(root / "export.bib"), "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((root / "references.bib").stat().st_mode) == 0o644
