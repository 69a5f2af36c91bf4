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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ambidex.bibliography import check_entry
from ambidex.bibvalues import from_biblatex
from ambidex.evidence import check_reference_kinds
from ambidex.identity import Duplicates, make_key, normal_doi
from ambidex.model import KnowledgeBase, Reference
from ambidex.problems import Problem

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


def _evidence_problems(ref: Reference) -> list[Problem]:
    """What `check` says of an entry's source type and design (see `ambidex.evidence`)."""
    return [p for p in check_reference_kinds(KnowledgeBase.build([], [ref])) if p.is_error]


def merge(
    library: Iterable[Reference],
    library_text: str,
    incoming: Iterable[Reference],
    defaults: Mapping[str, str] | None = None,
) -> MergeResult:
    """The library text with the new, non-duplicate incoming entries appended. `defaults` fills
    fields an incoming entry lacks (e.g. `design` for a batch of surveys)."""
    existing = list(library)
    keys = {r.key.lower() for r in existing}
    seen = Duplicates()
    for r in existing:
        seen.add(r.key, r.doi, r.get("title"), r.year)
    result = MergeResult(text=library_text)
    blocks: list[str] = []
    for ref in incoming:
        entry_type, fields = _normalised(ref)
        fields = {**{k: v for k, v in (defaults or {}).items() if v}, **fields}
        ref = ref.model_copy(update={"entry_type": entry_type, "fields": fields})
        duplicate = seen.of(fields.get("doi", ""), fields.get("title", ""), ref.year)
        if duplicate is not None:
            result.skipped.append(Skipped(ref.key, duplicate[0], f"same {duplicate[1]}"))
            continue
        problems = (*(p for p in check_entry(ref) if p.is_error), *_evidence_problems(ref))
        if problems:
            result.invalid.append(Invalid(ref.key, problems))
            continue
        base = make_key(ref)
        key, suffix = base, 0
        while key.lower() in keys:
            key = base + "abcdefghijklmnopqrstuvwxyz"[suffix % 26] * (1 + suffix // 26)
            suffix += 1
        keys.add(key.lower())
        seen.add(key, fields.get("doi", ""), fields.get("title", ""), ref.year)
        blocks.append(to_bibtex(entry_type, key, fields))
        result.added.append(ref.model_copy(update={"key": key}))
    if blocks:
        head = library_text.rstrip("\n")
        result.text = (head + "\n\n" if head else "") + "\n".join(blocks)
    return result
