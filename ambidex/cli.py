"""The `ambidex` command line for editors and operators."""

from __future__ import annotations

import json
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape as markup_escape
from slugify import slugify as python_slugify

from ambidex.checks import validate
from ambidex.files import atomic_write, create_new
from ambidex.model import ConceptType, front_matter_schema
from ambidex.problems import Problem, printable

app = typer.Typer(
    help="Ambidex: a citation-linked knowledge base on sales ambidexterity.",
    no_args_is_help=True,
    add_completion=False,
)
new_app = typer.Typer(help="Scaffold new entries.", no_args_is_help=True)
app.add_typer(new_app, name="new")
refs_app = typer.Typer(help="Manage references.bib.", no_args_is_help=True)
app.add_typer(refs_app, name="refs")

RootOption = Annotated[
    Path,
    typer.Option("--root", "-r", help="Project folder holding kb/ and references.bib.", file_okay=False),
]


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def escape(text: str) -> str:
    """Text from files or the command line, as the terminal shows it: no markup, no control
    characters that it would obey (see `printable`)."""
    return markup_escape(printable(text))


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def _print_problems(console: Console, problems: list[Problem]) -> None:
    styles = {"error": "bold red", "warning": "yellow"}
    for p in problems:
        console.print(
            f"[bold]{escape(p.location())}[/]: [{styles[p.severity]}]{escape(f'{p.severity}[{p.code}]')}[/]: "
            f"{escape(p.message)}"
        )
        if p.hint:
            console.print(f"    [dim]hint:[/] {escape(p.hint)}")


@app.command()
def check(
    root: RootOption = Path("."),
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="text or json.")] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the check too.")] = False,
    originals: Annotated[
        Path | None,
        typer.Option(
            "--originals",
            help="A folder of source texts (*.txt, *.md): report runs of 9 or more words copied from them.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Validate kb/ and references.bib; exit 1 on any error (with --strict, on any warning)."""
    kb, problems = validate(root, originals)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if output is OutputFormat.json:
        sys.stdout.write(json.dumps([p.to_dict() for p in problems], indent=2) + "\n")
    else:
        console = _console()
        _print_problems(console, problems)
        verdict = "[red]failed[/]" if errors or (strict and warnings) else "[green]ok[/]"
        console.print(
            f"{verdict}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"in {len(kb.concepts)} concepts and {len(kb.references)} references"
        )
    if errors or (strict and warnings):
        raise typer.Exit(1)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Print the JSON Schema of concept front matter (for editor completion)."""
    text = json.dumps(front_matter_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write(output, text)
        _console(stderr=True).print(f"wrote {escape(str(output))}")


# What YAML may not hold as it is in a double-quoted scalar: C1 controls, its own line breaks.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def readable(text: str) -> str:
    """A command-line argument as text: bytes that were not UTF-8 (which Python keeps as lone
    surrogates) read as Latin-1, so `Caf\\xe9` is `Café`; anything else unreadable becomes U+FFFD."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def slugify(title: str) -> str:
    """A readable ASCII id for a title in any script: `Café culture` -> `cafe-culture`,
    `销售双元性` -> `xiao-shou-shuang-yuan-xing` (python-slugify's transliteration)."""
    return python_slugify(title, max_length=80, word_boundary=True)


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as the same text."""
    quoted = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def scaffold(concept_id: str, title: str, concept_type: ConceptType) -> str:
    """The text of a new concept file: valid front matter with placeholders to replace."""
    return (
        "---\n"
        f"id: {concept_id}\n"
        f"title: {yaml_string(title)}\n"
        f"type: {concept_type.value}\n"
        "summary: >-\n"
        "  One or two sentences a reader can quote, with a citation [@key].\n"
        "aliases: []\n"
        "tags: []\n"
        "relations:\n"
        "  related: []\n"
        "evidence:\n"
        "  - A short finding with its source [@key, p. 1].\n"
        "---\n\n"
        "Explain the concept here in your own words, citing [@key] and linking [[other-concept]].\n"
    )


@new_app.command("concept")
def new_concept(
    title: Annotated[str, typer.Argument(help="Title of the new concept.")],
    concept_type: Annotated[ConceptType, typer.Option("--type", "-t", help="Concept type.")],
    concept_id: Annotated[str | None, typer.Option("--id", help="Slug; default from the title.")] = None,
    root: RootOption = Path("."),
) -> None:
    """Scaffold kb/<type>/<id>.md; never overwrites an existing file."""
    title = readable(title).strip()
    slug = readable(concept_id) if concept_id else slugify(title)
    err = _console(stderr=True)
    if not title:
        err.print("[red]error[/]: the title is empty")
        raise typer.Exit(2)
    if not slug or slugify(slug) != slug:
        err.print(
            f"[red]error[/]: '{escape(slug)}' is not a valid id (lower-case words joined by '-'); "
            "give one with --id"
        )
        raise typer.Exit(2)
    path = root / "kb" / concept_type.directory / f"{slug}.md"
    existing = list((root / "kb").rglob(f"{slug}.md")) if (root / "kb").exists() else []
    if path.exists() or existing:
        err.print(
            f"[red]error[/]: {escape(str((existing or [path])[0]))} already exists; nothing was written"
        )
        raise typer.Exit(1)
    try:
        create_new(path, scaffold(slug, title, concept_type))
    except FileExistsError:
        err.print(f"[red]error[/]: {escape(str(path))} already exists; nothing was written")
        raise typer.Exit(1) from None
    except OSError as exc:  # a read-only kb/, a file where its folder should be, a full disk
        _cannot_write(err, path, exc)
    _console().print(f"created {escape(str(path))}: replace the placeholders, then run `ambidex check`")


@refs_app.command("add")
def refs_add(
    source: Annotated[
        str, typer.Argument(help="A .bib file exported from a reference manager, or - for stdin.")
    ],
    root: RootOption = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, write nothing.")] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid entries even if others fail to parse.")
    ] = False,
    design: Annotated[
        str,
        typer.Option(
            help="The design of imported entries that name none (e.g. survey, or 'survey, qualitative'): "
            "check requires one for peer-reviewed articles and conference papers."
        ),
    ] = "",
    source_type: Annotated[
        str,
        typer.Option(
            "--source-type",
            help="The source type of imported entries that name none (e.g. practitioner); "
            "by default it follows the entry type.",
        ),
    ] = "",
) -> None:
    """Merge references into references.bib: normalised, keyed by convention, without duplicates."""
    from ambidex import bibliography
    from ambidex.loader import BIB_FILE, load_references
    from ambidex.refs import merge

    out, err = _console(), _console(stderr=True)
    data = _read_import(source, err)
    name = "<stdin>" if source == "-" else source
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        err.print(f"[red]error[/]: {escape(name)} is not UTF-8 text; export it as UTF-8")
        raise typer.Exit(2) from None
    incoming, problems = bibliography.parse(text, name)
    library, library_text, library_problems = load_references(root)
    library_errors = [p for p in library_problems if p.is_error and p.code != "bib-missing"]
    if library_errors:
        _print_problems(err, library_errors)
        err.print(f"[red]error[/]: fix {BIB_FILE} first; nothing was written")
        raise typer.Exit(1)
    result = merge(library, library_text or "", incoming, {"design": design, "sourcetype": source_type})
    for invalid in result.invalid:
        problems.extend(invalid.problems)
    if problems:
        _print_problems(err, problems)
        if not skip_invalid:
            err.print(
                "[red]error[/]: some entries could not be read or lack what check requires; nothing was "
                "written (add the missing fields to the export, give --design for entries without "
                "one, or use --skip-invalid to import the others)"
            )
            raise typer.Exit(1)
    for ref in result.added:
        out.print(f"added   {escape(ref.key)}")
    for skip in result.skipped:
        out.print(f"skipped {escape(skip.key)}: {skip.reason} as {escape(skip.duplicate_of)}")
    if result.added and not dry_run:
        _refuse_an_invalid_library(result.text, err)
        try:
            atomic_write(root / BIB_FILE, result.text)
        except OSError as exc:  # a read-only project or a full disk
            _cannot_write(err, root / BIB_FILE, exc)
    verb = "would add" if dry_run else "added"
    failed = len(problems)
    out.print(f"{verb} {len(result.added)}, skipped {len(result.skipped)}, failed {failed}")


def _cannot_write(err: Console, path: Path, exc: OSError) -> NoReturn:
    reason = exc.strerror or str(exc)
    err.print(f"[red]error[/]: cannot write {escape(str(path))}: {escape(reason)}; nothing was written")
    raise typer.Exit(1) from None


def _read_import(source: str, err: Console) -> bytes:
    """The bytes of an export (or of standard input), within the size cap of a library."""
    from ambidex.files import MAX_BIB_BYTES, UnreadableFile, read_bounded, read_stream_bounded

    try:
        if source == "-":
            return read_stream_bounded(sys.stdin.buffer, MAX_BIB_BYTES)
        return read_bounded(Path(source), MAX_BIB_BYTES)
    except UnreadableFile as exc:
        err.print(f"[red]error[/]: cannot read {escape(source)}: {escape(exc.message)}")
        raise typer.Exit(2) from None


def _refuse_an_invalid_library(text: str, err: Console) -> None:
    """Stop before writing a library that `check` would reject (or the loader could not read)."""
    from ambidex import bibliography, evidence
    from ambidex.checks import check_duplicate_references, check_references
    from ambidex.files import MAX_BIB_BYTES
    from ambidex.model import KnowledgeBase

    size = len(text.encode("utf-8"))
    if size > MAX_BIB_BYTES:
        err.print(
            f"[red]error[/]: the library would have {size:,} bytes, over the limit of {MAX_BIB_BYTES:,}; "
            "nothing was written"
        )
        raise typer.Exit(1)
    references, problems = bibliography.parse(text)
    kb = KnowledgeBase.build([], references)
    problems += [*check_references(kb), *check_duplicate_references(kb)]
    problems += evidence.check_reference_kinds(kb)
    errors = [p for p in problems if p.is_error]
    if errors:
        _print_problems(err, errors)
        err.print("[red]error[/]: the library would not pass check; nothing was written")
        raise typer.Exit(1)


@app.command()
def build(
    root: RootOption = Path("."),
    site: Annotated[bool, typer.Option("--site/--no-site", help="Also build the static site.")] = True,
    static_api: Annotated[
        bool,
        typer.Option(
            "--static-api/--no-static-api",
            help="Also write the read-only API answers as files into site/api/v1 (with .gz copies).",
        ),
    ] = True,
) -> None:
    """Validate, then build the search index, the API's responses, the static site and the static
    copy of the read-only API into a new build under .ambidex/builds/, and make it current
    (site/ points at its site)."""
    import time

    from ambidex import static_api as static_api_files
    from ambidex.build import Build, BuildError, make_build
    from ambidex.documents import Documents

    console = _console(stderr=True)
    started = time.perf_counter()
    rendered: list[Documents] = []

    def warm(result: Build) -> None:
        console.print(
            f"indexed {len(result.kb.concepts)} concepts and {len(result.kb.references)} references "
            f"(build {result.kb.build_id}) in {time.perf_counter() - started:.1f} s"
        )
        with console.status("rendering the API's documents…"):
            documents = Documents(result)
            documents.warm(result.cache)
        rendered.append(documents)

    def site_builder(project: Path, source: Path, site_dir: Path) -> tuple[str, ...]:
        from ambidex.site.plugin import build_site

        hashes: tuple[str, ...] = ()
        if with_site:
            with console.status("building the site…"):
                hashes = build_site(project, source, site_dir)
        if static_api and rendered:
            with console.status("writing the static API…"):
                count = static_api_files.write(rendered[0], site_dir)
            console.print(f"wrote {count} API answers (and their .gz) under site/{static_api_files.API_DIR}")
        return hashes

    with_site = site and (root / "mkdocs.yml").exists()
    console.print("validating and indexing…")
    try:
        result = make_build(root, site=site_builder if with_site or static_api else None, warm=warm)
    except BuildError as exc:
        _print_problems(console, exc.problems)
        console.print(f"[red]build failed[/]: {len(exc.problems)} error(s); run `ambidex check` for details")
        raise typer.Exit(1) from None
    except Exception as exc:  # the site build (MkDocs) failed; the previous build stays current
        console.print(f"[red]site build failed[/]: {escape(str(exc))}")
        raise typer.Exit(1) from None
    where = f"; the site is in {escape(str(root / 'site'))}" if with_site else ""
    console.print(f"build {result.name} is current, made in {time.perf_counter() - started:.1f} s{where}")


@app.command()
def serve(
    root: RootOption = Path("."),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    cors: Annotated[str, typer.Option(help="Comma-separated origins allowed by CORS.")] = "",
    max_header_bytes: Annotated[
        int, typer.Option(help="Largest request line and headers, in bytes (else 431).", min=1024)
    ] = 32 * 1024,
    header_timeout: Annotated[
        float, typer.Option(help="Seconds a client has to send a request's headers.", min=0.1)
    ] = 10.0,
    idle_timeout: Annotated[
        float, typer.Option(help="Seconds an idle kept-alive connection stays open.", min=0.1)
    ] = 5.0,
    max_connections: Annotated[
        int, typer.Option(help="Open connections per worker; more are closed at once.", min=1)
    ] = 1000,
) -> None:
    """Serve the API under /api/v1 and the built site at / (run `ambidex build` first)."""
    from api import server
    from api.limits import Limits

    os.environ["AMBIDEX_ROOT"] = str(root.resolve())
    os.environ["AMBIDEX_CORS_ORIGINS"] = cors
    _console(stderr=True).print(f"serving on http://{host}:{port}/ (API docs at /api/docs)")
    limits = Limits(max_header_bytes, header_timeout, idle_timeout, max_connections)
    server.run(host, port, workers, limits)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
