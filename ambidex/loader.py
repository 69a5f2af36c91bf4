"""The one loader: reads `kb/**/*.md` and `references.bib` once and returns the model and problems.

It never prints and never raises on bad content; every problem it meets is a located `Problem`.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.composer import ComposerError

from ambidex import bibliography, markup, safety
from ambidex.files import MAX_BIB_BYTES, MAX_CONCEPT_BYTES, UnreadableFile, read_bounded
from ambidex.model import (
    RELATION_ITEM_TAGS,
    Alias,
    CitedTarget,
    Concept,
    ConceptType,
    Evidence,
    FrontMatter,
    KnowledgeBase,
    Original,
    Pole,
    Reference,
    Relation,
    RelationType,
    build_id_of,
)
from ambidex.problems import Problem, did_you_mean, error

KB_DIR = "kb"
BIB_FILE = "references.bib"
VOCABULARY_FILE = "kb/vocabulary.yml"
MAX_SYNONYM_WORDS = 4
MAX_YAML_NODES = 20_000
MAX_YAML_DEPTH = 16  # front matter needs three (relations: type: [ids])
MAX_VOCABULARY_NODES = 100_000  # words, groups and lists of kb/vocabulary.yml, aliases expanded
_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.M)
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[Hashable, ...]


@dataclass(frozen=True)
class Mark:
    line: int
    col: int
    style: str | None = None
    end_line: int = 0


@dataclass
class _Marks:
    """Where each value of a YAML document stands, by its path of keys and indexes."""

    at: dict[Path_, Mark] = field(default_factory=dict)
    duplicates: list[tuple[str, Mark]] = field(default_factory=list)
    nodes: int = 0

    def find(self, path: Path_) -> Mark:
        for end in range(len(path), -1, -1):
            if path[:end] in self.at:
                return self.at[path[:end]]
        return Mark(1, 1)


_STR_TAG = "tag:yaml.org,2002:str"
_NO_KEY = object()


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__(f"the front matter nests deeper than {MAX_YAML_DEPTH} levels")
        self.mark = mark


@dataclass
class _Open:
    """A mapping or sequence being composed: its value so far, and the key waiting for a value."""

    path: Path_
    value: dict[Any, Any] | list[Any]
    start: Any
    anchor: str | None
    nodes_before: int
    key: Any = _NO_KEY

    def child(self) -> Path_:
        if isinstance(self.value, list):
            return (*self.path, len(self.value))
        return (*self.path, "[key]") if self.key is _NO_KEY else (*self.path, str(self.key))


def _compose(loader: Any, marks: _Marks, line0: int) -> Any:
    """The Python value of the single YAML document `loader` reads, recording where each part
    stands. Composed from parser events with an explicit stack, so no input can make it recurse
    (PyYAML's own composer recurses once per level, and deep enough nesting crashes the process);
    deeper than `MAX_YAML_DEPTH` levels, or more than `MAX_YAML_NODES` values with aliases
    expanded, is refused. Returns `_NO_KEY` for an empty document."""
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        return _NO_KEY
    loader.get_event()  # document start
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Open] = []
    result: Any = _NO_KEY

    def count(nodes: int) -> None:
        marks.nodes += nodes
        if marks.nodes > MAX_YAML_NODES:
            raise ValueError(f"the front matter has more than {MAX_YAML_NODES:,} values (aliases expanded)")

    def deliver(value: Any, start: Any) -> None:
        nonlocal result
        if not stack:
            result = value
            return
        parent = stack[-1]
        if isinstance(parent.value, list):
            parent.value.append(value)
        elif parent.key is _NO_KEY:
            key = value if isinstance(value, Hashable) else str(value)
            if key in parent.value:
                marks.duplicates.append((str(key), Mark(start.line + line0, start.column + 1)))
            parent.key = key
        else:
            parent.value[parent.key] = value
            parent.key = _NO_KEY

    while not loader.check_event(yaml.DocumentEndEvent):
        event = loader.get_event()
        path = stack[-1].child() if stack else ()
        start: Any = event.start_mark
        end: Any = event.end_mark
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise ComposerError(None, None, f"found undefined alias '{event.anchor}'", start)
            value, nodes = anchors[event.anchor]
            count(nodes)
            marks.at[path] = Mark(start.line + line0, start.column + 1, None, end.line + line0)
            deliver(value, start)
        elif isinstance(event, yaml.ScalarEvent):
            count(1)
            marks.at[path] = Mark(start.line + line0, start.column + 1, event.style, end.line + line0)
            value = _scalar(loader, event)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            deliver(value, start)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(stack) >= MAX_YAML_DEPTH:
                raise _TooDeep(start)
            count(1)
            empty: dict[Any, Any] | list[Any] = [] if isinstance(event, yaml.SequenceStartEvent) else {}
            stack.append(_Open(path, empty, start, event.anchor, marks.nodes - 1))
        else:  # the end of a sequence or mapping
            done = stack.pop()
            marks.at[done.path] = Mark(done.start.line + line0, done.start.column + 1, None, end.line + line0)
            if done.anchor:
                anchors[done.anchor] = (done.value, marks.nodes - done.nodes_before)
            deliver(done.value, done.start)
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        extra: Any = loader.get_event()
        raise ComposerError(
            "expected a single document in the stream", None, "but found another document", extra.start_mark
        )
    return result


def _scalar(loader: Any, event: Any) -> Any:
    """The value of a scalar: text as it is, other tags (numbers, booleans, dates) constructed."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR_TAG:
        return event.value
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError:
        raise
    except Exception:  # `!!bool maybe`, `!!timestamp nope`, `!!int ""`: PyYAML's own errors
        kind = str(tag).rsplit(":", 1)[-1]
        raise yaml.constructor.ConstructorError(
            None, None, f"'{event.value[:80]}' is not a valid {kind} (tagged !!{kind})", event.start_mark
        ) from None


def _text_position(
    mark: Mark, rel_line: int, rel_col: int, value: str = "", lines: list[str] | None = None
) -> tuple[int, int]:
    """File position of (rel_line, rel_col) inside a YAML scalar that starts at `mark`."""
    if mark.style in (None, "", '"', "'") and rel_line == 1 and mark.line == mark.end_line:
        return mark.line, mark.col + rel_col - 1 + (1 if mark.style else 0)
    if mark.style == "|":
        return mark.line + rel_line, rel_col
    if mark.style in (">", None, "") and lines is not None:
        return _folded_position(mark, rel_line, rel_col, value, lines) or (mark.line, mark.col)
    return mark.line, mark.col


def _folded_position(
    mark: Mark, rel_line: int, rel_col: int, value: str, lines: list[str]
) -> tuple[int, int] | None:
    """Where a place in a folded (`>`) or plain multi-line scalar stands in the file: folding
    joins the stripped source lines with one character (a space, or a newline for a blank
    line), so the value's offset is walked line by line through the source."""
    offset = sum(len(part) + 1 for part in value.split("\n")[: rel_line - 1]) + rel_col - 1
    block = mark.style == ">"
    consumed = 0
    for number in range(mark.line + 1 if block else mark.line, min(mark.end_line, len(lines)) + 1):
        raw = lines[number - 1]
        start = mark.col - 1 if number == mark.line else len(raw) - len(raw.lstrip(" "))
        piece = raw[start:].rstrip()
        if not piece:
            continue
        if offset < consumed + len(piece):
            return number, start + offset - consumed + 1
        consumed += len(piece) + 1
    return None


class _ConceptFile:
    """Turns the text of one concept file into a `Concept`, collecting problems on the way."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []
        self.marks = _Marks()

    def fail(self, line: int, col: int, code: str, message: str, hint: str = "") -> None:
        self.problems.append(error(self.path, line, col, code, message, hint))

    def split(self) -> tuple[str, str, int, int] | None:
        """(front matter, body, first front-matter line, first body line)."""
        if not self.text.strip():
            self.fail(
                1,
                1,
                "empty-file",
                "the file is empty",
                "start it with front matter between '---' lines, or run `ambidex new concept`",
            )
            return None
        if not re.match(r"---[ \t]*\r?\n", self.text):
            self.fail(
                1,
                1,
                "front-matter-missing",
                "the file does not start with front matter",
                "put '---' on the first line, the YAML fields, then '---' again",
            )
            return None
        first_nl = self.text.index("\n") + 1
        closing = _FENCE.search(self.text, first_nl)
        if closing is None:
            self.fail(
                1,
                1,
                "front-matter-unterminated",
                "the front matter is never closed",
                "end the YAML fields with a line holding only '---'",
            )
            return None
        front = self.text[first_nl : closing.start()]
        body_start = self.text.find("\n", closing.end())
        body = "" if body_start < 0 else self.text[body_start + 1 :]
        close_line = self.text.count("\n", 0, closing.start()) + 1
        return front, body, 2, close_line + 1

    def parse_yaml(self, front: str, line0: int) -> Any:
        loader = _SafeLoader(front)
        try:
            data = _compose(loader, self.marks, line0)
            if data is _NO_KEY or data is None:
                self.fail(
                    line0,
                    1,
                    "front-matter-not-mapping",
                    "the front matter is empty",
                    "add the fields id, title, type and summary",
                )
                return None
            return data
        except _TooDeep as exc:
            self._too_deep(line0, exc)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            if mark is not None and "nesting depth" in str(exc.problem):
                # Newer libyaml stops a deep flow collection itself, scanning ahead of us.
                self._too_deep(line0, _TooDeep(mark))
                return None
            line = line0 + (mark.line if mark else 0)
            col = (mark.column + 1) if mark else 1
            message = f"invalid YAML: {exc.problem or exc}"
            if exc.context and exc.context_mark and exc.context_mark is not mark:
                message += f" ({exc.context} that starts at line {line0 + exc.context_mark.line})"
            self.fail(
                line,
                col,
                "yaml-syntax",
                message,
                "check indentation, colons and quotes; quote text that contains ': ' or '#', "
                "or that starts with '[' or '@'",
            )
        except (yaml.YAMLError, ValueError) as exc:
            self.fail(line0, 1, "yaml-syntax", f"invalid YAML: {exc}", "check the front matter's syntax")
        finally:
            loader.dispose()
        return None

    def _too_deep(self, line0: int, exc: _TooDeep) -> None:
        self.fail(
            line0 + exc.mark.line,
            exc.mark.column + 1,
            "too-deep",
            str(exc),
            "front matter is a flat mapping of fields, with lists and one level of relations",
        )

    def validate(self, data: dict[str, Any], stem: str, directory: str) -> FrontMatter | None:
        try:
            return FrontMatter.model_validate(data)
        except ValidationError as exc:
            bad_keys = set()
            for err in exc.errors():
                self.problems.append(self._schema_problem(err))
                if err["loc"]:
                    bad_keys.add(err["loc"][0])
        # Salvage what is valid so that one bad field does not hide the concept from others.
        salvage = {k: v for k, v in data.items() if k not in bad_keys}
        salvage.setdefault("id", stem if re.match(r"^[a-z0-9-]+$", stem) else "invalid-id")
        salvage.setdefault("title", str(salvage["id"]))
        salvage.setdefault("summary", "(no valid summary)")
        types = {t.directory: t.value for t in ConceptType}
        salvage.setdefault("type", types.get(directory, ConceptType.CASE.value))
        try:
            return FrontMatter.model_validate(salvage)
        except ValidationError:
            return None

    def _schema_problem(self, err: Mapping[str, Any]) -> Problem:
        loc = tuple(err["loc"])
        kind = err["type"]
        in_relation = len(loc) > 3 and loc[0] == "relations"
        if in_relation and loc[3] in RELATION_ITEM_TAGS:  # which form of a relation item it was
            loc = loc[:3] + loc[4:]
        where = ".".join(str(p) for p in loc) or "front matter"
        fields = CitedTarget.model_fields if in_relation else FrontMatter.model_fields
        if kind == "missing":
            mark = self.marks.find(loc[:-1])
            inside = f" in {'.'.join(str(p) for p in loc[:-1])}" if len(loc) > 1 else ""
            return error(
                self.path,
                mark.line,
                mark.col,
                "missing-field",
                f"the required field '{loc[-1]}' is missing{inside}",
                f"add '{loc[-1]}:' to the front matter" if not inside else f"add '{loc[-1]}:' to it",
            )
        if kind == "extra_forbidden":
            mark = self.marks.find(loc)
            hint = did_you_mean(str(loc[-1]), fields) or ("allowed fields: " + ", ".join(fields))
            return error(self.path, mark.line, mark.col, "unknown-field", f"unknown field '{loc[-1]}'", hint)
        if len(loc) >= 2 and loc[0] == "relations" and loc[-1] == "[key]":
            bad = str(err.get("input", loc[1]))
            mark = self.marks.find(loc[:2])
            vocab = [r.value for r in RelationType]
            hint = did_you_mean(bad, vocab) or "use one of: " + ", ".join(vocab)
            return error(
                self.path,
                mark.line,
                mark.col,
                "invalid-relation-type",
                f"'{bad}' is not a relation type",
                hint,
            )
        mark = self.marks.find(loc)
        hint = ""
        if loc and loc[0] == "type":
            hint = did_you_mean(str(err.get("input", "")), [t.value for t in ConceptType]) or (
                "use one of: " + ", ".join(t.value for t in ConceptType)
            )
        elif "pattern" in kind:
            hint = "use lower-case words joined by hyphens, e.g. role-ambiguity"
        elif in_relation:
            hint = 'write a concept id, or {target: id, cite: "[@key]"} with the source of the relation'
        elif len(loc) >= 2 and loc[0] == "relations":
            hint = "give each relation type a list: risk-of: [id, ...]"
        return error(self.path, mark.line, mark.col, "schema", f"{where}: {err['msg']}", hint)

    def concept(self, stem: str, directory: str) -> Concept | None:
        parts = self.split()
        if parts is None:
            return None
        front, body, line0, body_line = parts
        data = self.parse_yaml(front, line0)
        if data is None:
            return None
        if not isinstance(data, dict):
            self.fail(
                line0,
                1,
                "front-matter-not-mapping",
                "the front matter must be a mapping of fields",
                "write 'field: value' lines",
            )
            return None
        for key, mark in self.marks.duplicates:
            self.fail(
                mark.line,
                mark.col,
                "yaml-duplicate-key",
                f"the field '{key}' is given twice",
                "keep one; YAML would silently use the last",
            )
        fm = self.validate(data, stem, directory)
        if fm is None:
            return None
        return self._build(fm, body, body_line)

    def check_markup(self, text: str, position: markup.Position) -> None:
        """Report what in a Markdown field would include a file, run script or leave the HTML
        allowlist (see `ambidex.safety`)."""
        locate: Callable[[int], tuple[int, int]] | None = None
        for finding in safety.unsafe_markup(text):
            locate = locate or markup.offset_locator(text, position)
            self.fail(*locate(finding.offset), finding.code, finding.message, finding.hint)

    def check_plain(self, text: str, path: Path_) -> None:
        mark = self.marks.find(path)
        for finding in safety.tags_in_plain_text(text):
            line, col = _text_position(mark, 1, finding.offset + 1)
            self.fail(line, col, finding.code, finding.message, finding.hint)

    def _build(self, fm: FrontMatter, body: str, body_line: int) -> Concept:
        source = self.text.split("\n")

        def in_scalar(path: Path_, value: str) -> markup.Position:
            mark = self.marks.find(path)
            return lambda line, col: _text_position(mark, line, col, value, source)

        self.check_plain(fm.title, ("title",))
        for index, name in enumerate(fm.aliases):
            self.check_plain(name, ("aliases", index))
        self.check_markup(fm.summary, in_scalar(("summary",), fm.summary))
        self.check_markup(body, lambda line, col: (body_line + line - 1, col))
        summary_spans = markup.scan(fm.summary, in_scalar(("summary",), fm.summary))
        summary_mark = self.marks.find(("summary",))
        evidence = []
        links = list(markup.links_in(summary_spans))
        for index, text in enumerate(fm.evidence):
            self.check_markup(text, in_scalar(("evidence", index), text))
            spans = markup.scan(text, in_scalar(("evidence", index), text))
            mark = self.marks.find(("evidence", index))
            evidence.append(Evidence(text=text, citations=markup.citations_in(spans), line=mark.line))
            links.extend(markup.links_in(spans))
        if fm.in_short:
            self.check_markup(fm.in_short, in_scalar(("in_short",), fm.in_short))
            links.extend(markup.links_in(markup.scan(fm.in_short, in_scalar(("in_short",), fm.in_short))))
        for index, text in enumerate(fm.signs):
            self.check_plain(text, ("signs", index))
        poles = []
        for index, advice in enumerate(fm.poles):
            at: Path_ = ("poles", index)
            self.check_plain(advice.name, (*at, "name"))
            for field_name in ("signals", "questions"):
                for n, text in enumerate(getattr(advice, field_name)):
                    self.check_plain(text, (*at, field_name, n))
            moves = []
            for n, text in enumerate(advice.moves):
                position = in_scalar((*at, "moves", n), text)
                self.check_markup(text, position)
                spans = markup.scan(text, position)
                line = self.marks.find((*at, "moves", n)).line
                moves.append(Evidence(text=text, citations=markup.citations_in(spans), line=line))
                links.extend(markup.links_in(spans))
            poles.append(
                Pole(
                    name=advice.name,
                    concept=advice.concept or "",
                    signals=advice.signals,
                    moves=tuple(moves),
                    questions=advice.questions,
                    line=self.marks.find(at).line,
                )
            )
        body_spans = markup.scan(body, lambda line, col: (body_line + line - 1, col))
        links.extend(markup.links_in(body_spans))
        relations = []
        for rel_type, items in fm.relations.items():
            for index, item in enumerate(items):
                where: Path_ = ("relations", rel_type.value, index)
                if isinstance(item, CitedTarget):
                    mark = self.marks.find((*where, "target"))
                    spans = markup.scan(item.cite, in_scalar((*where, "cite"), item.cite))
                    relation = Relation(
                        type=rel_type,
                        target=item.target,
                        line=mark.line,
                        col=mark.col,
                        citations=markup.citations_in(spans),
                        cite=item.cite,
                    )
                else:
                    mark = self.marks.find(where)
                    relation = Relation(type=rel_type, target=item, line=mark.line, col=mark.col)
                relations.append(relation)
        aliases = []
        for index, name in enumerate(fm.aliases):
            mark = self.marks.find(("aliases", index))
            aliases.append(Alias(name=name, line=mark.line, col=mark.col))
        id_mark = self.marks.find(("id",))
        return Concept(
            id=fm.id,
            title=fm.title,
            type=fm.type,
            summary=fm.summary,
            aliases=tuple(aliases),
            tags=fm.tags,
            relations=tuple(relations),
            evidence=tuple(evidence),
            body=body,
            path=self.path,
            id_line=id_mark.line,
            body_line=body_line,
            summary_citations=markup.citations_in(summary_spans),
            body_citations=markup.citations_in(body_spans),
            links=tuple(links),
            summary_line=summary_mark.line,
            updated=fm.updated.isoformat() if fm.updated else "",
            in_short=fm.in_short or "",
            poles=tuple(poles),
            signs=fm.signs,
        )


def _read_text(
    path: Path, rel: str, problems: list[Problem], limit: int, root: Path
) -> tuple[str, bytes] | None:
    """The text of a file the editors control, read within bounds (see `files.read_bounded`)."""
    try:
        data = read_bounded(path, limit, inside=root)
    except UnreadableFile as exc:
        problems.append(error(rel, 1, 1, exc.code, exc.message, exc.hint))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            error(rel, line, col, "encoding", "the file is not valid UTF-8 text", "save it as UTF-8")
        )
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.append(
            error(
                rel,
                line,
                1,
                "encoding",
                "the file contains NUL bytes (binary data?)",
                "concept files must be Markdown text",
            )
        )
        return None
    return text.replace("\r\n", "\n"), data


def load_references(
    root: Path | str, sources: dict[str, bytes] | None = None
) -> tuple[list[Reference], str | None, list[Problem]]:
    """Read `references.bib` alone: its references, its text (None if unreadable) and problems.
    With `sources`, the bytes read are kept there under the file's path (as in `load`)."""
    problems: list[Problem] = []
    bib_path = Path(root) / BIB_FILE
    if not bib_path.exists() and not bib_path.is_symlink():
        hint = "create it next to kb/; every concept must cite a reference"
        problems.append(error(BIB_FILE, 1, 1, "bib-missing", "references.bib does not exist", hint))
        return [], None, problems
    read = _read_text(bib_path, BIB_FILE, problems, MAX_BIB_BYTES, Path(root))
    if read is None:
        return [], None, problems
    if sources is not None:
        sources[BIB_FILE] = read[1]
    references, bib_problems = bibliography.parse(read[0], BIB_FILE)
    return references, read[0], problems + bib_problems


ORIGINAL_SUFFIXES = (".txt", ".md")


def load_originals(directory: Path | str) -> tuple[list[Original], list[Problem]]:
    """Read every `*.txt` and `*.md` file directly in `directory`: the texts entries must not
    copy from. Each is named by `directory` (as given) and its file name."""
    directory = Path(directory)
    problems: list[Problem] = []
    originals: list[Original] = []
    for path in sorted(directory.iterdir()) if directory.is_dir() else []:
        if path.suffix.lower() not in ORIGINAL_SUFFIXES or not path.is_file():
            continue
        name = (directory / path.name).as_posix()
        read = _read_text(path, name, problems, MAX_CONCEPT_BYTES * 8, directory.resolve())
        if read is not None:
            originals.append(Original(path=name, text=read[0]))
    return originals, problems


HISTORY_FILE = ".history.json"  # a build's copy of the sources keeps their dates here


def history_dates(root: Path) -> dict[str, str]:
    """The day each file under kb/ last changed in the repository's history (one `git log`),
    by path relative to `root`; empty when there is no git or no history. A build's copy of the
    sources, which has no history, carries them in HISTORY_FILE."""
    kept = root / HISTORY_FILE
    if kept.is_file() and not kept.is_symlink():
        try:
            found = json.loads(read_bounded(kept, MAX_CONCEPT_BYTES * 8, inside=root).decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        if isinstance(found, dict):
            return {str(k): str(v) for k, v in found.items() if isinstance(v, str)}
        return {}
    try:
        found_run = subprocess.run(
            ["git", "-C", str(root), "log", "--format=%x00%cs", "--name-only", "--relative", "--", KB_DIR],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if found_run.returncode != 0:
        return {}
    dates: dict[str, str] = {}
    for block in found_run.stdout.split("\0")[1:]:
        day, _, names = block.partition("\n")
        for name in names.splitlines():
            if name.strip():
                dates.setdefault(name.strip(), day.strip())
    return dates


def load(root: Path | str, sources: dict[str, bytes] | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Read the knowledge base under `root` into one immutable model and its problems.

    With `sources`, every file read is kept there (relative path -> bytes): exactly the input of
    this model, which a build copies beside its outputs."""
    root = Path(root)
    problems: list[Problem] = []
    digests: list[bytes] = []
    concepts: list[Concept] = []
    seen: dict[str, Concept] = {}
    for path in sorted((root / KB_DIR).rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        read = _read_text(path, rel, problems, MAX_CONCEPT_BYTES, root)
        if read is None:
            continue
        text, data = read
        digests.extend((rel.encode(), data))
        if sources is not None:
            sources[rel] = data
        parsed = _ConceptFile(rel, text)
        concept = parsed.concept(path.stem, path.parent.name)
        problems.extend(parsed.problems)
        if concept is None:
            continue
        if concept.id in seen:
            first = seen[concept.id]
            problems.append(
                error(
                    rel,
                    concept.id_line,
                    1,
                    "duplicate-id",
                    f"the id '{concept.id}' is already used by {first.path}",
                    "give each concept its own id (and file name)",
                )
            )
            continue
        seen[concept.id] = concept
        concepts.append(concept)
    dates = history_dates(root)
    if sources is not None and dates:
        sources[HISTORY_FILE] = json.dumps(dates, sort_keys=True).encode("utf-8")
    concepts = [replace(c, updated=dates[c.path]) if c.path in dates else c for c in concepts]
    references, bib_text, bib_problems = load_references(root, sources)
    problems.extend(bib_problems)
    if bib_text is not None:
        digests.extend((BIB_FILE.encode(), bib_text.encode()))
    vocabulary = load_vocabulary(root, problems, digests, sources)
    kb = KnowledgeBase.build(concepts, references, build_id_of(digests), vocabulary)
    return kb, problems


def _expanded_size(root: Any, cap: int) -> int:
    """How many values a composed YAML document holds with its aliases expanded (an alias is the
    same node object as its anchor), counted once per distinct node and capped just above `cap`."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = [
            child
            for item in (node.value if isinstance(node, yaml.CollectionNode) else [])
            for child in (item if isinstance(item, tuple) else (item,))
        ]
        if children_done or not children:
            sizes[id(node)] = min(cap + 1, 1 + sum(sizes[id(c)] for c in children))
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def load_vocabulary(
    root: Path, problems: list[Problem], digests: list[bytes], sources: dict[str, bytes] | None = None
) -> tuple[tuple[str, ...], ...]:
    """The editors' synonym groups from `kb/vocabulary.yml` (none when the file is absent).

    The file holds `synonyms:`, a list of groups; each group lists words or short phrases
    (up to four words) that mean the same to a reader, e.g. `[salesperson, rep, seller]`.
    """
    path = root / VOCABULARY_FILE
    if not path.exists():
        return ()
    read = _read_text(path, VOCABULARY_FILE, problems, MAX_CONCEPT_BYTES, root)
    if read is None:
        return ()
    text, data = read
    digests.extend((VOCABULARY_FILE.encode(), data))
    if sources is not None:
        sources[VOCABULARY_FILE] = data

    def fail(line: int, col: int, code: str, message: str, hint: str = "") -> None:
        problems.append(error(VOCABULARY_FILE, line, col, code, message, hint))

    try:
        node = yaml.compose(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        fail(line, col, "yaml-syntax", f"the vocabulary is not valid YAML: {getattr(exc, 'problem', exc)}")
        return ()
    if node is not None and _expanded_size(node, MAX_VOCABULARY_NODES) > MAX_VOCABULARY_NODES:
        fail(
            1,
            1,
            "too-large",
            f"the vocabulary has more than {MAX_VOCABULARY_NODES:,} values once its aliases are expanded",
            "write each group out; YAML aliases that repeat one another grow exponentially",
        )
        return ()
    shape = "write `synonyms:` followed by a list of groups, each a list of words or phrases"
    groups_node = None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "synonyms":
                groups_node = value
            else:
                fail(
                    key.start_mark.line + 1,
                    key.start_mark.column + 1,
                    "vocabulary-schema",
                    f"unknown key '{key.value}'",
                    shape,
                )
    if not isinstance(groups_node, yaml.SequenceNode):
        where = groups_node if groups_node is not None else node
        line, col = (where.start_mark.line + 1, where.start_mark.column + 1) if where is not None else (1, 1)
        fail(line, col, "vocabulary-schema", "there is no list of synonym groups", shape)
        return ()
    groups: list[tuple[str, ...]] = []
    owner: dict[str, int] = {}
    for group_node in groups_node.value:
        line, col = group_node.start_mark.line + 1, group_node.start_mark.column + 1
        items = group_node.value if isinstance(group_node, yaml.SequenceNode) else None
        if items is None or not all(isinstance(i, yaml.ScalarNode) for i in items):
            fail(line, col, "vocabulary-schema", "a synonym group must be a list of words or phrases", shape)
            continue
        group: list[str] = []
        for item in items:
            term = re.sub(r"\s+", " ", str(item.value)).strip().casefold()
            at_line, at_col = item.start_mark.line + 1, item.start_mark.column + 1
            if not term or len(term.split()) > MAX_SYNONYM_WORDS:
                fail(
                    at_line,
                    at_col,
                    "vocabulary-schema",
                    f"'{item.value}' is not a word or a phrase of up to {MAX_SYNONYM_WORDS} words",
                )
            elif term in owner:
                first = owner[term]
                fail(
                    at_line,
                    at_col,
                    "duplicate-synonym",
                    f"'{term}' is already in the group on line {first}",
                    "a word belongs to one group; merge the two groups if they mean the same",
                )
            else:
                owner[term] = line
                group.append(term)
        if len(group) < 2:
            fail(
                line,
                col,
                "vocabulary-schema",
                "a synonym group needs at least two different words or phrases",
            )
            continue
        groups.append(tuple(group))
    return tuple(groups)
