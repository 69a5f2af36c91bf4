"""The `ambidex` command, run through typer's runner and as a real process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ambidex.cli import app, readable
from tests import sample
from tests.conftest import BIB, IN_SHORT, REPO, SIGNS, MakeKb, concept

runner = CliRunner()
RISK = "kb/risks/role-ambiguity.md"
LINKED = "relations:\n  risk-of: [service-sales-ambidexterity]\n"


def risk(**fields: str) -> str:
    """The role-ambiguity concept, still related to the other concept of the base."""
    return concept("role-ambiguity", extra=LINKED + IN_SHORT + SIGNS, **fields)


def test_check_clean_exits_zero(make_kb: MakeKb) -> None:
    result = runner.invoke(app, ["check", "--root", str(make_kb())])
    assert result.exit_code == 0, result.output
    assert "ok: 0 errors, 0 warnings in 2 concepts and 2 references" in result.output


def test_check_names_each_problem_at_file_and_line(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            RISK: risk(summary="S [@gabler2071dark].", body="See [[role-ambiguty]].\n"),
            "kb/risks/zz-copy.md": risk(),
            "kb/risks/broken.md": "---\nid: broken\ntitle: [unclosed\n---\n",
            "references.bib": BIB + "\n@article{bad,\n  title = {open\n",
        }
    )
    result = runner.invoke(app, ["check", "--root", str(root)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{RISK}:5:13: error[unknown-citation]: 'gabler2071dark' is not in references.bib" in lines
    assert "    hint: did you mean 'gabler2017dark'?" in lines
    assert any(line.startswith(f"{RISK}:13:5: error[unknown-link]") for line in lines)
    assert any(line.startswith("kb/risks/zz-copy.md:2:1: error[duplicate-id]") for line in lines)
    assert any(line.startswith("kb/risks/broken.md:4:") and "[yaml-syntax]" in line for line in lines)
    assert any(line.startswith("references.bib:22:1: error[bibtex-syntax]") for line in lines)
    assert lines[-1].startswith("failed: ")


def test_check_warns_of_librarians_problems_at_their_fields(make_kb: MakeKb) -> None:
    extra = (
        "\n@article{tex2000,\n  author = {Doe, Jane},\n  title = {{\\TeX} and the \\Foo{} of Selling},\n"
        "  journal = {J},\n  year = {2000},\n  number = {5},\n  design = {survey}\n}\n"
        "\n@online{blog2014,\n  author = {Marcos-Cuevas, Javier},\n  title = {Leading},\n"
        "  sourcetype = {practitioner}\n}\n"
    )
    first = BIB.count("\n") + 2
    root = make_kb(
        {
            "references.bib": BIB + extra,
            RISK: risk(
                summary="Dual roles pay [@blog2014; @tex2000].", evidence="Leaders must switch [@blog2014]."
            ),
        }
    )
    result = runner.invoke(app, ["check", "--root", str(root)])
    assert result.exit_code == 0, result.output  # warnings only
    lines = result.output.splitlines()
    assert (
        f"references.bib:{first + 2}:1: warning[tex-command-lost]: 'tex2000' has \\Foo in its title, "
        "which the reference list would drop"
    ) in lines
    assert any(
        line.startswith(f"references.bib:{first + 5}:1: warning[issue-without-volume]") for line in lines
    )
    assert any(line.startswith(f"references.bib:{first}:1: warning[incomplete-article]") for line in lines)
    assert any(
        line.startswith(f"references.bib:{first + 9}:1: warning[practitioner-without-url]") for line in lines
    )
    finding = [line for line in lines if "[practitioner-only-finding]" in line]
    assert [line.split(": ")[0] for line in finding] == [f"{RISK}:11:1"], "the summary cites a study too"
    assert runner.invoke(app, ["check", "--root", str(root), "--strict"]).exit_code == 1


def test_json_format_gives_the_same_problems(make_kb: MakeKb) -> None:
    root = make_kb({RISK: risk(summary="S [@gabler2071dark].")})
    text = runner.invoke(app, ["check", "--root", str(root)]).output
    result = runner.invoke(app, ["check", "--root", str(root), "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.output)
    errors = [(p["path"], p["line"], p["col"], p["code"]) for p in problems if p["severity"] == "error"]
    assert errors == [(RISK, 5, 13, "unknown-citation")]
    assert problems[0]["hint"] == "did you mean 'gabler2017dark'?"
    assert f"{RISK}:5:13: error[unknown-citation]" in text


def test_strict_fails_on_warnings(make_kb: MakeKb) -> None:
    root = make_kb({"references.bib": BIB + "\n@misc{unused2000, title={Unused}}\n"})
    assert runner.invoke(app, ["check", "--root", str(root)]).exit_code == 0
    assert runner.invoke(app, ["check", "--root", str(root), "--strict"]).exit_code == 1


def test_check_as_a_process_plain_in_a_pipe(make_kb: MakeKb) -> None:
    root = make_kb({RISK: risk(summary="S [@gabler2071dark].")})
    proc = subprocess.run(
        [sys.executable, "-m", "ambidex", "check", "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "\x1b[" not in proc.stdout
    assert proc.stdout.splitlines()[0] == (
        f"{RISK}:5:13: error[unknown-citation]: 'gabler2071dark' is not in references.bib"
    )


def test_sample_project_is_clean(tmp_path: Path) -> None:
    root = sample.write(tmp_path / "project", REPO / "docs")
    result = runner.invoke(app, ["check", "--root", str(root), "--strict"])
    assert result.exit_code == 0, result.output


def test_repository_problems_are_located() -> None:
    """Whatever state the content is in, `check` reports it as located problems."""
    result = runner.invoke(app, ["check", "--root", str(REPO), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    for problem in json.loads(result.output):
        assert (REPO / problem["path"]).is_file() and problem["line"] >= 1 and problem["code"]


def test_originals_report_copied_phrasing(make_kb: MakeKb) -> None:
    copied = "Frontline staff fix the problem first and only then mention the new model"
    root = make_kb({RISK: risk(body=f"Intro.\n\n{copied} [@gabler2017dark].\n"), "seeds/a.txt": copied + "."})
    plain = runner.invoke(app, ["check", "--root", str(root)])
    assert "copied-phrasing" not in plain.output
    result = runner.invoke(app, ["check", "--root", str(root), "--originals", str(root / "seeds")])
    assert result.exit_code == 1
    assert f"{RISK}:15:1: error[copied-phrasing]: the body shares 13 consecutive words with " in result.output
    missing = runner.invoke(app, ["check", "--root", str(root), "--originals", str(root / "nothing")])
    assert missing.exit_code == 2


def test_new_concept_scaffolds_a_valid_file_and_never_overwrites(make_kb: MakeKb) -> None:
    root = make_kb()
    result = runner.invoke(app, ["new", "concept", "Customer churn", "--type", "risk", "--root", str(root)])
    assert result.exit_code == 0, result.output
    path = root / "kb/risks/customer-churn.md"
    text = path.read_text()
    assert text.startswith('---\nid: customer-churn\ntitle: "Customer churn"\ntype: risk\n')
    path.write_text(text + "edited\n")
    again = runner.invoke(app, ["new", "concept", "Customer churn", "--type", "risk", "--root", str(root)])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert path.read_text().endswith("edited\n")
    existing = runner.invoke(
        app, ["new", "concept", "Role ambiguity", "--type", "trait", "--root", str(root)]
    )
    assert existing.exit_code == 1, "an id used in another folder is refused too"


def test_new_concept_rejects_bad_input(make_kb: MakeKb) -> None:
    root = make_kb()
    bad_type = runner.invoke(app, ["new", "concept", "X", "--type", "risks", "--root", str(root)])
    assert bad_type.exit_code == 2
    bad_id = runner.invoke(
        app, ["new", "concept", "X", "--type", "risk", "--id", "Not Valid", "--root", str(root)]
    )
    assert bad_id.exit_code == 2
    assert "not a valid id" in bad_id.output


def test_schema_is_generated_from_the_model(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "--output", str(out)])
    assert result.exit_code == 0
    schema = json.loads(out.read_text())
    assert schema["required"] == ["id", "title", "type", "summary"]
    assert "risk-of" in schema["properties"]["relations"]["propertyNames"]["enum"]
    assert schema["additionalProperties"] is False


def test_new_concept_with_a_latin1_title_from_the_shell(make_kb: MakeKb) -> None:
    """`ambidex new concept $'Caf\\xe9'`: the byte that is not UTF-8 is read as Latin-1."""
    root = make_kb()
    command = [b"new", b"concept", b"Caf\xe9", b"--type", b"risk", b"--root", str(root).encode()]
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"ambidex", *command],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    text = (root / "kb/risks/cafe.md").read_text(encoding="utf-8")
    assert text.startswith('---\nid: cafe\ntitle: "Café"\n')


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Ελληνικά", "ellenika"), ("销售双元性", "xiao-shou-shuang-yuan-xing"), ("Straße", "strasse")],
)
def test_titles_in_any_script_get_a_readable_id(make_kb: MakeKb, title: str, expected: str) -> None:
    root = make_kb()
    result = runner.invoke(app, ["new", "concept", title, "--type", "risk", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / f"kb/risks/{expected}.md").is_file()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=40))
def test_new_concept_takes_any_title(tmp_path_factory: pytest.TempPathFactory, title: str) -> None:
    root = tmp_path_factory.mktemp("new")
    (root / "kb").mkdir()
    result = runner.invoke(app, ["new", "concept", title, "--type", "risk", "--root", str(root)])
    assert result.exit_code in (0, 2), result.output
    written = list((root / "kb").rglob("*"))
    if result.exit_code == 2:
        assert written == [], "nothing is left behind"
        return
    (path,) = [p for p in written if p.is_file()]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.md", path.name)
    front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert front["title"] == readable(title).strip()
