"""Merging a reference manager's BibTeX export into the library.

`merge(library, library_text, incoming)` normalises incoming entries (biblatex fields and types
in BibTeX terms, bare DOIs, `--` page ranges), gives them keys by one convention (first author's
family name + year + first significant title word, `nd` when there is no year), skips duplicates
(same DOI, or same normalised title and year) against the library and within the import, sets
aside entries that `check` would reject (with its problems), and returns the new library text:
the existing text unchanged, new entries appended. Nothing is written here; the CLI writes
atomically.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ambidex.bibliography import check_entry, persons, plain
from ambidex.bibvalues import from_biblatex
from ambidex.model import Reference
from ambidex.problems import Problem

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
FIELD_ORDER = (
    "author",
    "editor",
    "title",
    "journal",
    "booktitle",
    "year",
    "date",
    "month",
    "volume",
    "number",
    "pages",
    "publisher",
    "address",
    "organization",
    "institution",
    "school",
    "doi",
    "url",
)


@dataclass(frozen=True)
class Skipped:
    key: str
    duplicate_of: str
    reason: str


@dataclass(frozen=True)
class Invalid:
    key: str
    problems: tuple[Problem, ...]


@dataclass
class MergeResult:
    text: str
    added: list[Reference] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    invalid: list[Invalid] = field(default_factory=list)


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


def _normalised(ref: Reference) -> tuple[str, dict[str, str]]:
    """The entry type and fields as they will be written."""
    fields = {k: re.sub(r"\s+", " ", v).strip() for k, v in ref.fields.items() if v.strip()}
    entry_type, fields = from_biblatex(ref.entry_type, fields)
    if "doi" in fields:
        fields["doi"] = normal_doi(fields["doi"])
    if "pages" in fields:
        fields["pages"] = re.sub(r"\s*[-–—]+\s*", "--", fields["pages"])
    return entry_type, fields


def to_bibtex(entry_type: str, key: str, fields: dict[str, str]) -> str:
    ordered = sorted(
        fields, key=lambda f: (FIELD_ORDER.index(f) if f in FIELD_ORDER else len(FIELD_ORDER), f)
    )
    width = max((len(f) for f in ordered), default=0)
    body = ",\n".join(f"  {name.ljust(width)} = {{{fields[name]}}}" for name in ordered)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def merge(library: Iterable[Reference], library_text: str, incoming: Iterable[Reference]) -> MergeResult:
    """The library text with the new, non-duplicate incoming entries appended."""
    existing = list(library)
    keys = {r.key.lower() for r in existing}
    by_doi = {normal_doi(r.doi).lower(): r.key for r in existing if r.doi}
    by_title = {(normal_title(r.get("title")), r.year): r.key for r in existing if r.get("title")}
    result = MergeResult(text=library_text)
    blocks: list[str] = []
    for ref in incoming:
        entry_type, fields = _normalised(ref)
        ref = ref.model_copy(update={"entry_type": entry_type, "fields": fields})
        doi = fields.get("doi", "").lower()
        title_year = (normal_title(fields.get("title", "")), ref.year)
        duplicate = (by_doi.get(doi) if doi else None, "same DOI")
        if duplicate[0] is None and title_year[0]:
            duplicate = (by_title.get(title_year), "same title and year")
        if duplicate[0] is not None:
            result.skipped.append(Skipped(ref.key, duplicate[0], duplicate[1]))
            continue
        problems = tuple(p for p in check_entry(ref) if p.is_error)
        if problems:
            result.invalid.append(Invalid(ref.key, problems))
            continue
        base = make_key(ref)
        key, suffix = base, 0
        while key.lower() in keys:
            key = base + "abcdefghijklmnopqrstuvwxyz"[suffix % 26] * (1 + suffix // 26)
            suffix += 1
        keys.add(key.lower())
        if doi:
            by_doi[doi] = key
        if title_year[0]:
            by_title[title_year] = key
        blocks.append(to_bibtex(entry_type, key, fields))
        result.added.append(ref.model_copy(update={"key": key}))
    if blocks:
        head = library_text.rstrip("\n")
        result.text = (head + "\n\n" if head else "") + "\n".join(blocks)
    return result
