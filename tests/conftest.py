"""Shared fixtures: tiny knowledge bases written into tmp_path from a dict of path -> text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import settings
from playwright.sync_api import Browser, sync_playwright

# Property and fuzz tests draw the same examples on every `make test`, so a run fails only when
# the code changed; `make fuzz` draws new ones with a fresh seed to look for what is not yet known.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("AMBIDEX_HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parent.parent
# What a copy of the repository's knowledge base needs: tests that load it work on a copy, so
# that nothing they build (.ambidex/, site/) lands in the checkout.
CONTENT = ("kb", "references.bib", "mkdocs.yml", "docs", "theme")


def copy_content(dest: Path) -> Path:
    """The repository's knowledge base, site config and pages, copied under `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in CONTENT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, dest / name)
    return dest


@pytest.fixture(scope="session")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the repository's knowledge base for the whole test session."""
    return copy_content(tmp_path_factory.mktemp("repository"))


BIB = """@article{gabler2017dark,
  author  = {Gabler, Colin B. and Ogilvie, Jessica and Rapp, Adam and Bachrach, Daniel G.},
  title   = {Is There a Dark Side of Ambidexterity?},
  journal = {Journal of Service Research},
  year    = {2017},
  volume  = {20},
  number  = {4},
  pages   = {379--392},
  doi     = {10.1177/1094670517712019},
  design  = {survey}
}

@article{mullins2020ambidextrous,
  author  = {Mullins, Ryan R. and Agnihotri, Raj and Hall, Zachary R.},
  title   = {The Ambidextrous Sales Force},
  journal = {Journal of Service Research},
  year    = {2020},
  doi     = {10.1177/1094670519883344},
  design  = {survey}
}
"""

# A body long enough for any type of concept (dilemmas and forms of ambidexterity need the most),
# in words that the search tests do not look for.
PROSE = (
    "This entry explains the idea in plain words. It says what the idea is, where it comes from and "
    "why a reader in a commercial team might care about it. It then reports how the studies define "
    "it, which questions they asked, whom they asked and in which industries, and what they found "
    "when they compared teams, people and periods. Where the studies disagree, the entry says so and "
    "names the setting of each study, because a result from a call centre may not carry over to a "
    "team that visits large accounts.\n\n"
    "A good entry also weighs the idea against its opposite. It says what each side offers and what "
    "each side costs, when a team should lean one way and when the other, and how firms have "
    "combined both, for example by separating units, by switching over time, or by asking each "
    "person to decide in the moment. It points to related entries for the traits, drivers and "
    "practices that make the balance easier, and to the risks of leaning too far either way.\n\n"
    "Finally, the entry tells the reader how strong the evidence is. A single survey of one firm is "
    "weaker than several studies that agree, and an experiment can show a cause where a survey can "
    "only show that two things move together. The reader should leave with a clear picture, a sense "
    "of the limits of what is known, and the sources to read next, each of them cited where it is "
    "used so that every claim can be traced back to its origin and checked by anyone who wishes to "
    "do so later on.\n"
)


def concept(
    id: str,
    type: str = "risk",
    title: str | None = None,
    summary: str = "A summary [@gabler2017dark].",
    extra: str = "",
    body: str = PROSE,
    evidence: str = "A finding [@gabler2017dark].",
) -> str:
    """The text of a concept file with the given fields; `evidence` is added after `extra`
    unless `extra` has its own (or `evidence` is empty)."""
    if evidence and "evidence:" not in extra:
        extra += f"evidence:\n  - {evidence}\n"
    return (
        f"---\nid: {id}\ntitle: {title or id.replace('-', ' ').capitalize()}\ntype: {type}\n"
        f"summary: {summary}\n{extra}---\n{body}"
    )


IN_SHORT = "in_short: Plain words for a manager.\n"
# A tension's two poles with all the advice a manager needs, in words no test situation uses.
TWO_POLES = "poles:\n" + "".join(
    f"  - name: {name} side\n    signals: [{name} habits show]\n"
    f"    moves: ['Try the {name} remedy [@mullins2020ambidextrous].']\n"
    f"    questions: ['Is {name} common?']\n"
    for name in ("Alpha", "Beta")
)
SIGNS = "signs: [Gamma symptoms appear]\n"


def base_files() -> dict[str, str]:
    """A small valid knowledge base: two linked concepts citing both references."""
    return {
        "references.bib": BIB,
        "kb/risks/role-ambiguity.md": concept(
            "role-ambiguity",
            extra="aliases: [role conflict]\nrelations:\n  risk-of: [service-sales-ambidexterity]\n"
            + IN_SHORT
            + SIGNS,
            body="Linked to [[service-sales-ambidexterity]] [@gabler2017dark, p. 383].\n\n" + PROSE,
        ),
        "kb/ambidexterity/service-sales-ambidexterity.md": concept(
            "service-sales-ambidexterity",
            type="ambidexterity",
            summary="Serving and selling at once [@mullins2020ambidextrous].",
            extra="evidence:\n  - Customers paid more [@mullins2020ambidextrous].\n" + IN_SHORT + TWO_POLES,
        ),
    }


MakeKb = Callable[..., Path]


def ambidex(*args: str, root: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`ambidex ARGS --root ROOT` run as a process, as an editor runs it; output captured. A
    process that hangs fails the test at `timeout`, never passes it."""
    return subprocess.run(
        [sys.executable, "-m", "ambidex", *args, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", "COLUMNS": "200"},
    )


# Debian's chromium, started headless as this machine allows (no sandbox as root, no background
# network traffic); one browser per test module that asks for the `browser` fixture.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def write_files(root: Path, files: Mapping[str, str | bytes | None]) -> None:
    """Write path -> text or bytes under root (None: leave the file out), with an empty kb/."""
    for rel, content in files.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (root / "kb").mkdir(parents=True, exist_ok=True)


@pytest.fixture
def make_kb(tmp_path: Path) -> MakeKb:
    """Write files (path -> text or bytes) under a fresh root; None removes a base file."""

    def make(files: dict[str, str | bytes | None] | None = None, base: bool = True) -> Path:
        root = tmp_path / "project"
        if root.exists():
            shutil.rmtree(root)
        write_files(root, {**(base_files() if base else {}), **(files or {})})
        return root

    return make
