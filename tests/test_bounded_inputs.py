"""Every input bounded: a small file never asks for gigabytes or minutes, and the answer is a
located problem, never a traceback."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BIB, MakeKb, ambidex, concept


def problems(root: Path) -> set[tuple[str, int, str]]:
    result = ambidex("check", "--format", "json", root=root, timeout=60)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return {(p["path"], p["line"], p["code"]) for p in json.loads(result.stdout)}


def string_bomb(levels: int = 40) -> str:
    """About 1 kB of `@string` definitions, each two copies of the one before: 2**40 characters."""
    lines = ['@string{s0 = "xxxxxxxxxx"}']
    lines += [f"@string{{s{i} = s{i - 1} # s{i - 1}}}" for i in range(1, levels)]
    entry = "@misc{bomb2000,\n  title = {Bomb},\n  note = s3 # s" + str(levels - 1) + "\n}\n"
    return "\n".join(lines) + "\n\n" + entry


def test_exponential_string_macros_are_a_located_problem(make_kb: MakeKb) -> None:
    bib = BIB + "\n" + string_bomb()
    root = make_kb({"references.bib": bib})
    found = problems(root)
    first = next(i for i, line in enumerate(bib.splitlines(), 1) if line.startswith("@string{s14 "))
    assert ("references.bib", first, "bibtex-too-large") in found


def test_refs_add_refuses_an_export_with_exponential_macros(make_kb: MakeKb) -> None:
    root = make_kb()
    (root / "export.bib").write_text(string_bomb(), encoding="utf-8")
    before = (root / "references.bib").read_text(encoding="utf-8")
    result = ambidex("refs", "add", str(root / "export.bib"), root=root, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "bibtex-too-large" in result.stderr
    assert (root / "references.bib").read_text(encoding="utf-8") == before


def test_a_yaml_alias_bomb_in_the_vocabulary_is_a_located_problem(make_kb: MakeKb) -> None:
    """1,000 aliases of a group of 1,000 words: 11 kB that asked for a million problems."""
    words = ", ".join(f"w{i}" for i in range(1000))
    text = f"group: &g [{words}]\nsynonyms: [" + ", ".join(["*g"] * 1000) + "]\n"
    root = make_kb({"kb/vocabulary.yml": text})
    assert ("kb/vocabulary.yml", 1, "too-large") in problems(root)


@pytest.mark.parametrize("value", ["!!bool maybe", "!!timestamp nope", '!!int ""', "!!float x"])
def test_a_yaml_tag_with_a_bad_value_is_a_located_problem(make_kb: MakeKb, value: str) -> None:
    text = concept(
        "role-ambiguity", extra=f"relations:\n  risk-of: [service-sales-ambidexterity]\nnote: {value}\n"
    )
    root = make_kb({"kb/risks/role-ambiguity.md": text})
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("note:"))
    assert ("kb/risks/role-ambiguity.md", line, "yaml-syntax") in problems(root)
    built = ambidex("build", "--no-site", root=root)
    assert built.returncode == 1 and "Traceback" not in built.stderr and "yaml-syntax" in built.stderr


def test_bibtex_keys_that_differ_only_in_case_are_reported(make_kb: MakeKb) -> None:
    twin = "@misc{Gabler2017Dark,\n  title = {Another work},\n  year = {2019},\n  author = {Else, A.}\n}\n"
    bib = BIB + "\n" + twin
    root = make_kb({"references.bib": bib})
    line = next(i for i, row in enumerate(bib.splitlines(), 1) if row.startswith("@misc{Gabler2017Dark"))
    assert ("references.bib", line, "duplicate-key-case") in problems(root)


def test_terminal_escapes_in_bibtex_fields_are_shown_not_obeyed(make_kb: MakeKb) -> None:
    hostile = "@misc{esc2000,\n  title = {X},\n  url = {https://x.example/\x1b[2J\x1b[H\r}\n}\n"
    root = make_kb({"references.bib": BIB + "\n" + hostile})
    result = ambidex("check", root=root)
    assert "\x1b" not in result.stdout + result.stderr and "\r" not in result.stdout
    assert "\\x1b[2J" in result.stdout
    (root / "export.bib").write_text(hostile.replace("{X}", "{Y}"), encoding="utf-8")
    added = ambidex("refs", "add", str(root / "export.bib"), root=root)
    assert "\x1b" not in added.stdout + added.stderr and "\\x1b" in added.stdout + added.stderr


def test_temporary_files_of_a_killed_refs_add_are_removed_by_the_next_run(make_kb: MakeKb) -> None:
    root = make_kb()
    dead_pid = 2**22 + 1  # above the kernel's largest process id: no process runs under it
    left = root / f".references.bib.{dead_pid}.k9x2ab_1.tmp"
    left.write_bytes(b"x" * 10_000_000)  # what `kill -9` in the middle of a write leaves
    older = root / ".references.bib.q1w2e3r4.tmp"  # left by an older version, hours ago
    older.write_bytes(b"y")
    os.utime(older, (time.time() - 7200, time.time() - 7200))
    (root / "export.bib").write_text(
        "@misc{new2001,\n  title = {New},\n  author = {New, A.},\n  year = {2001},\n"
        "  design = {conceptual}\n}\n",
        encoding="utf-8",
    )
    result = ambidex("refs", "add", str(root / "export.bib"), root=root)
    assert result.returncode == 0, result.stderr
    assert not left.exists() and not older.exists()


def test_problems_of_one_kind_in_one_file_end_in_one_summary_line(make_kb: MakeKb) -> None:
    body = "\n\n".join(f"Claim {i} [@missing{i}2000]." for i in range(300)) + "\n"
    root = make_kb({"kb/risks/role-ambiguity.md": concept("role-ambiguity", body=body)})
    result = ambidex("check", "--format", "json", root=root, timeout=60)
    found = [p for p in json.loads(result.stdout) if p["path"] == "kb/risks/role-ambiguity.md"]
    codes = {p["code"] for p in found if "missing" in p["message"]}
    assert len(codes) == 1, codes
    of_kind = [p for p in found if p["code"] in codes]
    assert len(of_kind) == 51
    assert [p["message"] for p in of_kind if p["message"].startswith("and 250 more")]


def test_new_concept_that_cannot_be_written_is_an_error_not_a_traceback(make_kb: MakeKb) -> None:
    root = make_kb()
    shutil.rmtree(root / "kb")
    (root / "kb").write_text("a file where the folder should be\n", encoding="utf-8")
    result = ambidex("new", "concept", "Some risk", "--type", "risk", root=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "cannot write" in result.stderr and "nothing was written" in result.stderr


def test_refs_add_on_a_full_disk_is_an_error_that_writes_nothing(make_kb: MakeKb) -> None:
    """A file size limit stands in for a full disk (or read-only storage): the write fails."""
    root = make_kb()
    before = (root / "references.bib").read_text(encoding="utf-8")
    (root / "export.bib").write_text(
        "@misc{full2003,\n  title = {Full},\n  author = {Disk, A.},\n  year = {2003},\n"
        "  design = {conceptual}\n}\n",
        encoding="utf-8",
    )
    limit = len(before.encode()) + 64  # room to read everything, not to write the new library

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "ambidex", "refs", "add", str(root / "export.bib"), "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=small_files,  # the limit holds in the child alone
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "cannot write" in result.stderr and "nothing was written" in result.stderr
    assert (root / "references.bib").read_text(encoding="utf-8") == before
    assert not list(root.glob(".references.bib.*"))
