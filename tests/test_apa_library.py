"""Every reference of the repository's references.bib, however many, formatted by citeproc-py
in APA 7 and held to what a librarian checks: no leftover TeX, no doubled punctuation, no issue
without its volume, editors with initials, DOIs as https://doi.org/ addresses."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from ambidex.bibliography import Apa, persons
from ambidex.loader import load
from ambidex.model import KnowledgeBase, Reference
from tests.conftest import REPO

KB, _ = load(REPO)
REFERENCES = sorted(KB.references.values(), key=lambda r: r.key)
APA = Apa(REFERENCES)


def text(ref: Reference) -> str:
    return APA.entry_text(ref.key)


def test_the_library_is_the_repository_s() -> None:
    entries = re.findall(r"^@\w+\s*\{", (REPO / "references.bib").read_text(), re.MULTILINE)
    assert len(REFERENCES) == len(entries)
    assert len(REFERENCES) >= 35
    assert isinstance(KB, KnowledgeBase)


@pytest.mark.parametrize("ref", REFERENCES, ids=[r.key for r in REFERENCES])
def test_no_tex_is_left(ref: Reference) -> None:
    entry = text(ref)
    assert entry, "citeproc formatted the reference"
    for mark in ("\\", "{", "}", "``", "''", "`"):
        assert mark not in entry, f"{mark!r} left in {entry!r}"


@pytest.mark.parametrize("ref", REFERENCES, ids=[r.key for r in REFERENCES])
def test_no_doubled_punctuation(ref: Reference) -> None:
    entry = text(ref)
    assert not re.search(r"[?!]\.", re.sub(r"https?://\S+", "", entry)), entry
    assert ".." not in entry.replace("...", ""), entry


@pytest.mark.parametrize("ref", REFERENCES, ids=[r.key for r in REFERENCES])
def test_an_issue_only_with_its_volume(ref: Reference) -> None:
    entry = APA.entry(ref.key)
    issue = ref.get("number").strip()
    if ref.get("volume").strip() or not issue:
        return
    assert f"({issue})" not in html.unescape(entry), entry


@pytest.mark.parametrize("ref", REFERENCES, ids=[r.key for r in REFERENCES])
def test_volume_and_issue_as_apa_prints_them(ref: Reference) -> None:
    volume, issue = ref.get("volume").strip(), ref.get("number").strip()
    if ref.entry_type != "article" or not volume:
        return
    expected = f"<i>{volume}</i>" + (f"({issue})" if issue else "")
    assert expected in html.unescape(APA.entry(ref.key)), APA.entry(ref.key)


def initials(given: str) -> str:
    """APA's initials of given names: 'Zi-Lin' -> 'Z.-L.', 'José' -> 'J.', 'Valter da Silva' ->
    'V. da S.' (a lower-case particle stays a word)."""
    out = []
    for token in given.split():
        if token[0].islower():
            out.append(token)
        else:
            out.append("-".join(f"{part[0]}." for part in token.split("-") if part))
    return " ".join(out)


def test_initials_are_worked_out_as_apa_does() -> None:
    assert [initials(g) for g in ("Zi-Lin", "José", "R. H.", "Valter da Silva")] == [
        "Z.-L.",
        "J.",
        "R. H.",
        "V. da S.",
    ]


@pytest.mark.parametrize("ref", REFERENCES, ids=[r.key for r in REFERENCES])
def test_people_are_named_by_their_initials(ref: Reference) -> None:
    entry = text(ref)
    for field in ("author", "editor"):
        for person in persons(ref.get(field)):
            if "literal" in person:
                assert person["literal"] in entry
                continue
            family = person["family"]
            if person.get("non-dropping-particle"):
                family = f"{person['non-dropping-particle']} {family}"
            if not person.get("given"):
                continue
            if field == "author":  # Family, I. I.
                assert f"{family}, {initials(person['given'])}" in entry, entry
            else:  # In I. I. Family (Ed.)
                assert f"{initials(person['given'])} {family}" in entry, entry


@pytest.mark.parametrize(
    "ref",
    [r for r in REFERENCES if r.get("editor")],
    ids=[r.key for r in REFERENCES if r.get("editor")],
)
def test_chapter_editors_have_given_names_and_the_chapter_its_pages(ref: Reference) -> None:
    editors = persons(ref.get("editor"))
    assert all(p.get("given") for p in editors if "literal" not in p) or ref.explains("editor")
    entry = text(ref)
    assert re.search(r"\(Eds?\.\)", entry), entry
    if ref.get("pages"):
        first, _, last = ref.get("pages").partition("--")
        assert f"(pp. {first}–{last})" in entry, entry
    else:
        assert ref.explains("pages")


@pytest.mark.parametrize("ref", REFERENCES, ids=[r.key for r in REFERENCES])
def test_dois_are_addresses(ref: Reference) -> None:
    entry = text(ref)
    assert "doi:" not in entry.lower()
    if ref.doi:
        assert entry.endswith(f"https://doi.org/{ref.doi}"), entry


@pytest.mark.parametrize("ref", REFERENCES, ids=[r.key for r in REFERENCES])
def test_an_article_can_be_found_or_says_why_not(ref: Reference) -> None:
    if ref.entry_type != "article":
        return
    findable = ref.doi or (ref.get("volume").strip() and ref.get("pages").strip())
    assert findable or ref.explains("doi", "volume", "pages"), ref.key


def test_a_title_is_printed_once() -> None:
    for ref in REFERENCES:
        title = text(ref).split(". (", 1)[0] if not ref.get("author") else ""
        if title:
            assert text(ref).count(title) == 1, text(ref)


def test_the_source_file_is_read_from_the_repository() -> None:
    assert Path(REFERENCES[0].path).name == "references.bib"
