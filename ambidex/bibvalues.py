"""BibTeX field values as a reader means them: macros and `#` concatenation resolved, and the
fields of a biblatex export named as the BibTeX entry types and fields this library uses.

bibtexparser resolves a field that is one `@string` macro but leaves a concatenation such as
`"Journal of " # jsr` as it was written; `resolve` finishes the job (one pass over the value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

# A field longer than this once its macros are expanded is an attack or a mistake: `@string`
# definitions that each concatenate the one before double in size, so 1 kB could ask for gigabytes.
MAX_EXPANDED = 100_000


class TooLarge(ValueError):
    """A value whose macros expand beyond `MAX_EXPANDED` characters."""


_TOKEN = re.compile(
    r'\s*(?:"(?P<quoted>[^"]*)"|(?P<braced>\{)|(?P<number>\d+)|(?P<name>[A-Za-z_][\w.:+/-]*))\s*'
)


def _braced(value: str, start: int) -> int | None:
    """The offset just past the brace group opening at `start`, or None when it never closes."""
    depth = 0
    for index in range(start, len(value)):
        if value[index] == "{":
            depth += 1
        elif value[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def wholly_braced(value: str) -> bool:
    """Whether one brace group holds the whole value: `{Human Edge}`, not `{\\'A}lvarez, Jos{\\'e}`."""
    return value.startswith("{") and _braced(value, 0) == len(value)


def resolve(value: str, macros: Mapping[str, str]) -> str:
    """`value` with its concatenation resolved, when it is one (`"a" # name # {b}`) and every
    name in it is a macro; otherwise `value` unchanged (it is plain text that happens to hold '#').
    Raises `TooLarge` before the result grows beyond `MAX_EXPANDED` characters."""
    if "#" not in value:
        return value
    parts: list[str] = []
    size = 0
    position = 0
    while True:
        if parts:
            size += len(parts[-1])
            if size > MAX_EXPANDED:
                raise TooLarge(f"it expands to more than {MAX_EXPANDED:,} characters")
        if position == len(value) and parts:
            return "".join(parts) if len(parts) > 1 else value
        m = _TOKEN.match(value, position)
        if m is None:
            return value
        if m["braced"] is not None:
            end = _braced(value, m.start("braced"))
            if end is None:
                return value
            parts.append(value[m.start("braced") + 1 : end - 1])
            position = end + len(value[end:]) - len(value[end:].lstrip())
        elif m["name"] is not None:
            if m["name"].lower() not in macros:
                return value
            parts.append(macros[m["name"].lower()])
            position = m.end()
        else:
            parts.append(m["quoted"] if m["quoted"] is not None else m["number"])
            position = m.end()
        if position == len(value):
            continue
        if value[position] != "#":
            return value
        position += 1


def macros_of(strings: Mapping[str, str], too_large: list[str] | None = None) -> dict[str, str]:
    """@string definitions (name -> raw value) resolved in order, names lower-cased. A definition
    that would expand beyond `MAX_EXPANDED` is left out (and its name added to `too_large`)."""
    resolved: dict[str, str] = {}
    for name, raw in strings.items():
        try:
            resolved[name.lower()] = resolve(raw, resolved)
        except TooLarge:
            if too_large is not None:
                too_large.append(name)
    return resolved


# biblatex -> BibTeX: entry types and fields of the same meaning.
ENTRY_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "www": "online",
        "electronic": "online",
        "collection": "book",
        "mvbook": "book",
        "proceedings": "book",
        "mvcollection": "book",
        "bookinbook": "inbook",
        "suppbook": "inbook",
        "software": "misc",
        "dataset": "misc",
        "artwork": "misc",
        "audio": "misc",
        "video": "misc",
        "patent": "misc",
        "periodical": "misc",
        "standard": "techreport",
    }
)
FIELDS: Mapping[str, str] = MappingProxyType(
    {"journaltitle": "journal", "location": "address", "urldate": "urldate", "annotation": "annote"}
)
_THESIS_TYPES = {"phd": "phdthesis", "phdthesis": "phdthesis", "mathesis": "mastersthesis"}


def from_biblatex(entry_type: str, fields: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """A biblatex entry as BibTeX: `journaltitle` -> `journal`, `location` -> `address`, the year
    (and month) of `date`, a thesis by its `type`, `institution` -> `school` for theses."""
    out = {FIELDS.get(name, name): value for name, value in fields.items()}
    for name, value in fields.items():  # a BibTeX field beats its biblatex twin
        if name in FIELDS.values():
            out[name] = value
    kind = ENTRY_TYPES.get(entry_type, entry_type)
    if kind == "thesis":
        kind = _THESIS_TYPES.get(re.sub(r"[^a-z]", "", out.pop("type", "").lower()), "phdthesis")
    if kind in ("phdthesis", "mastersthesis") and "school" not in out and "institution" in out:
        out["school"] = out.pop("institution")
    date = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?", out.get("date", ""))
    if date and not out.get("year", "").strip():
        out["year"] = date.group(1)
        if date.group(2) and not out.get("month"):
            out["month"] = str(int(date.group(2)))
    if out.get("eprinttype", "").lower() == "doi" and "doi" not in out and "eprint" in out:
        out["doi"] = out.pop("eprint")
        out.pop("eprinttype")
    return kind, out
