"""Problems are data: every finding of the loader and the checks is a located `Problem`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from rapidfuzz import fuzz, process

Severity = Literal["error", "warning"]

# C0 and C1 control characters other than newline and tab (and DEL), which a terminal would
# obey: ESC clears the screen, CR overwrites the line. Shown as escapes instead.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with its control characters shown as `\\x1b`-style escapes, never obeyed."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


@dataclass(frozen=True, order=True)
class Problem:
    """One located finding: `path:line:col: severity[code]: message` plus a hint."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def format(self) -> str:
        text = f"{printable(self.location())}: {self.severity}[{self.code}]: {printable(self.message)}"
        if self.hint:
            text += f"\n    hint: {printable(self.hint)}"
        return text

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def error(path: str, line: int, col: int, code: str, message: str, hint: str = "") -> Problem:
    return Problem(path, max(line, 1), max(col, 1), "error", code, message, hint)


def warning(path: str, line: int, col: int, code: str, message: str, hint: str = "") -> Problem:
    return Problem(path, max(line, 1), max(col, 1), "warning", code, message, hint)


# A word longer than this is no misspelt id or key: only its start is compared.
NEAR_WORD_LIMIT = 128


def near(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to a word (at most n), closest first; none when none is close.
    Similarity is difflib's ratio (matching characters over total length), computed by
    rapidfuzz in native code: a few milliseconds over ten thousand candidates."""
    found = process.extract(
        word[:NEAR_WORD_LIMIT], list(candidates), scorer=fuzz.ratio, limit=n, score_cutoff=60, processor=None
    )
    return [str(match[0]) for match in found]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A 'did you mean' hint naming the closest candidate, or '' when none is close."""
    matches = near(word, candidates, n=1)
    return f"did you mean '{matches[0]}'?" if matches else ""


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems))
