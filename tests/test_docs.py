"""The README against the code: its front-matter example is valid, and its `check` example is
what `ambidex check` prints for that example with a mistyped citation key."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import REPO, ambidex, copy_content

README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return [body for lang, body in re.findall(r"```(\w*)\n(.*?)```", README, re.S) if lang == language]


def _example_entry() -> str:
    (entry,) = [b for b in _blocks("yaml") if b.startswith("---\nid: ")]
    return entry


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return ambidex("check", root=root, timeout=120)


def _place(root: Path, entry: str) -> Path:
    fields = dict(re.findall(r"^(id|type): (\S+)", entry, re.M))
    folder = {"risk": "risks", "trait": "traits", "dilemma": "dilemmas"}[fields["type"]]
    path = root / "kb" / folder / f"{fields['id']}.md"
    path.write_text(entry, encoding="utf-8")
    return path


def test_the_front_matter_example_is_a_valid_entry(tmp_path: Path) -> None:
    root = copy_content(tmp_path / "project")
    _place(root, _example_entry())
    result = _check(root)
    assert result.returncode == 0, result.stdout


def test_the_check_example_is_what_check_prints(tmp_path: Path) -> None:
    (shown,) = [b for b in _blocks("") if "error[" in b]
    wrong = re.search(r"'(\w+)' is not in references\.bib", shown)
    right = re.search(r"did you mean '(\w+)'", shown)
    assert wrong and right
    root = copy_content(tmp_path / "project")
    entry = _example_entry()
    assert f"@{right.group(1)}]" in entry.split("aliases:")[0]
    _place(root, entry.replace(f"@{right.group(1)}", f"@{wrong.group(1)}", 1))
    printed = _check(root).stdout.splitlines()
    for line in shown.strip().splitlines():
        assert line in printed, (line, printed)
