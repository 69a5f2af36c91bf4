"""What makes two references the same, and the key a new reference gets.

`refs add` keys and deduplicates incoming entries with these, and `check` finds duplicates in the
library with the same rules, so both agree on what a duplicate is.
"""

from __future__ import annotations

import re
import unicodedata

from ambidex.bibliography import persons, plain
from ambidex.model import Reference

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "at",
        "to",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "with",
        "from",
        "by",
        "as",
        "how",
        "what",
        "why",
        "when",
        "there",
        "their",
        "its",
        "into",
    ]
)


def _ascii_word(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", plain(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def normal_doi(doi: str) -> str:
    """`https://doi.org/10.1/X` or `doi:10.1/X` -> `10.1/X`."""
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi.strip(), flags=re.I)


def normal_title(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", plain(title).lower())


def make_key(ref: Reference) -> str:
    """Key by the house convention: `gabler2017dark`."""
    people = (
        persons(ref.get("author") or ref.get("editor")) if (ref.get("author") or ref.get("editor")) else []
    )
    first = people[0] if people else {}
    name = first.get("family") or first.get("literal") or ref.get("organization") or "anon"
    year = ref.year if ref.year.isdigit() else "nd"
    words = [_ascii_word(w) for w in re.split(r"[\s\-–:/]+", ref.get("title"))]
    word = next((w for w in words if w and w not in STOP_WORDS), "")
    return f"{_ascii_word(name)[:30] or 'anon'}{year}{word[:20]}"


class Duplicates:
    """References seen so far, by normalised DOI and by normalised title and year."""

    def __init__(self) -> None:
        self._by_doi: dict[str, str] = {}
        self._by_title: dict[tuple[str, str], str] = {}

    def of(self, doi: str, title: str, year: str) -> tuple[str, str] | None:
        """The key of an earlier reference this one duplicates and what they share, or None."""
        doi = normal_doi(doi).lower()
        if doi and doi in self._by_doi:
            return self._by_doi[doi], "DOI"
        name = normal_title(title)
        if name and (name, year) in self._by_title:
            return self._by_title[(name, year)], "title and year"
        return None

    def add(self, key: str, doi: str, title: str, year: str) -> None:
        doi = normal_doi(doi).lower()
        if doi:
            self._by_doi.setdefault(doi, key)
        name = normal_title(title)
        if name:
            self._by_title.setdefault((name, year), key)
