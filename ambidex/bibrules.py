"""Rules a librarian holds a reference list to: nothing printed from the data is lost or
misleading, and every field an APA reference needs is there or its absence is explained.

A field that cannot be verified is left out, and the entry's `missing` field says why
(`missing = {volume: not in the publisher's record}`); each rule here accepts that reason
instead of the field. One small function per rule, like `ambidex.checks`.
"""

from __future__ import annotations

from collections.abc import Iterable

from ambidex.bibliography import lost_commands, persons
from ambidex.model import MISSING_FIELD, KnowledgeBase, Reference, SourceType, Status
from ambidex.problems import Problem, did_you_mean, error, warning

# Fields whose text is printed (in the APA reference, on the site or in the API).
DISPLAYED_FIELDS = (
    "author",
    "editor",
    "title",
    "booktitle",
    "journal",
    "publisher",
    "organization",
    "institution",
    "school",
    "address",
    "series",
    "eventtitle",
    "venue",
    "type",
    "note",
)
CHAPTER_TYPES = frozenset({"incollection", "inbook"})
_STATUSES = ", ".join(s.value for s in Status)


def _line(ref: Reference, field: str) -> int:
    return ref.field_lines.get(field, ref.line)


def _because(field: str) -> str:
    return f"or say why it is left out: {MISSING_FIELD} = {{{field}: <reason>}}"


def check_tex_commands(kb: KnowledgeBase) -> Iterable[Problem]:
    """No printed field holds a TeX command the display would drop (`\\foo` prints nothing)."""
    for ref in kb.references.values():
        for field in DISPLAYED_FIELDS:
            lost = lost_commands(ref.get(field))
            if lost:
                names = ", ".join(f"\\{name}" for name in lost)
                yield warning(
                    ref.path,
                    _line(ref, field),
                    1,
                    "tex-command-lost",
                    f"'{ref.key}' has {names} in its {field}, which the reference list would drop",
                    "write the characters it stands for (e.g. é for \\'e), or the word itself",
                )


def check_issue_volume(kb: KnowledgeBase) -> Iterable[Problem]:
    """An issue number comes with its volume (APA prints no issue without one)."""
    for ref in kb.references.values():
        if ref.get("number").strip() and not ref.get("volume").strip() and not ref.explains("volume"):
            yield warning(
                ref.path,
                _line(ref, "number"),
                1,
                "issue-without-volume",
                f"'{ref.key}' gives the issue {ref.get('number').strip()} but no volume, "
                "so the reference list leaves the issue out",
                f"add volume = {{...}} from the publisher's record, {_because('volume')}",
            )


def check_chapters(kb: KnowledgeBase) -> Iterable[Problem]:
    """A chapter names its editors with their given names (APA prints their initials) and
    gives its page range."""
    for ref in kb.references.values():
        if ref.entry_type not in CHAPTER_TYPES:
            continue
        editors = persons(ref.get("editor"))
        nameless = [p.get("family") or p.get("literal", "") for p in editors if not p.get("given")]
        if (not editors or nameless) and not ref.explains("editor"):
            which = f"its editors {', '.join(nameless)} without given names" if editors else "no editors"
            yield warning(
                ref.path,
                _line(ref, "editor"),
                1,
                "incomplete-chapter",
                f"chapter '{ref.key}' names {which}, so APA cannot print the editors' initials",
                f"write editor = {{Family, Given and ...}}, {_because('editor')}",
            )
        if not ref.get("pages").strip() and not ref.explains("pages"):
            yield warning(
                ref.path,
                ref.line,
                1,
                "incomplete-chapter",
                f"chapter '{ref.key}' gives no page range",
                f"add pages = {{first--last}}, {_because('pages')}",
            )


def check_article_locators(kb: KnowledgeBase) -> Iterable[Problem]:
    """An article can be found: a DOI, or a volume and pages, or a reason for lacking them."""
    for ref in kb.references.values():
        if ref.entry_type != "article" or ref.doi:
            continue
        if ref.get("volume").strip() and ref.get("pages").strip():
            continue
        if ref.explains("doi", "volume", "pages"):
            continue
        yield warning(
            ref.path,
            ref.line,
            1,
            "incomplete-article",
            f"article '{ref.key}' has neither a DOI nor a volume and pages",
            f"add them from the publisher's record, {_because('doi, volume, pages')}",
        )


def check_practitioner_urls(kb: KnowledgeBase) -> Iterable[Problem]:
    """A practitioner source gives the address a reader finds it at."""
    for ref in kb.references.values():
        if ref.source_type is not SourceType.PRACTITIONER or ref.get("url").strip():
            continue
        if not ref.explains("url"):
            yield warning(
                ref.path,
                ref.line,
                1,
                "practitioner-without-url",
                f"practitioner source '{ref.key}' has no URL, so no reader can find it",
                f"add url = {{https://...}} where a stored page shows it, {_because('url')}",
            )


def check_status_and_missing(kb: KnowledgeBase) -> Iterable[Problem]:
    """A `status` names a known status; a `missing` field names fields and gives reasons."""
    for ref in kb.references.values():
        written = ref.get("status").replace("{", "").replace("}", "").strip()
        if "status" in ref.fields and ref.status is None:
            yield error(
                ref.path,
                _line(ref, "status"),
                1,
                "unknown-status",
                f"'{ref.key}' has the status '{written}', which is not one of: {_STATUSES}",
                did_you_mean(written.lower(), [s.value for s in Status]) or f"use one of: {_STATUSES}",
            )
        if MISSING_FIELD in ref.fields and not ref.missing():
            yield error(
                ref.path,
                _line(ref, MISSING_FIELD),
                1,
                "malformed-missing",
                f"'{ref.key}' has a {MISSING_FIELD} field that names no field with a reason",
                f"write {MISSING_FIELD} = {{volume: not in the publisher's record; url: ...}}",
            )


CHECKS = (
    check_tex_commands,
    check_issue_volume,
    check_chapters,
    check_article_locators,
    check_practitioner_urls,
    check_status_and_missing,
)
