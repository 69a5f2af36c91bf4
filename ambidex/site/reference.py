"""Reference blocks for the editors' guide, generated from the code so they never drift.

A hand-written page asks for one with a marker: `<!-- ambidex:front-matter -->` (fields of the
front matter, from the JSON Schema of `FrontMatter`), `<!-- ambidex:relations -->` (the relation
vocabulary), `<!-- ambidex:types -->` (concept types and folders), `<!-- ambidex:sources -->`
(source types of references), `<!-- ambidex:designs -->` (study designs),
`<!-- ambidex:depth -->` (the depth and originality thresholds), `<!-- ambidex:view-words -->`
(the words that phrase a sentence as a view), `<!-- ambidex:cli -->` (the help text of every
command).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import typer

from ambidex import evidence
from ambidex.model import (
    CAUSAL_RELATIONS,
    ENTRY_SOURCE_TYPES,
    ConceptType,
    Design,
    RelationType,
    SourceType,
    front_matter_schema,
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def front_matter_table() -> str:
    schema = front_matter_schema()
    required = set(schema.get("required", []))
    rows = ["| field | required | type | meaning |", "|---|---|---|---|"]
    for name, prop in schema["properties"].items():
        kind = prop.get("type") or ("enum" if "$ref" in prop else "")
        if kind == "array":
            kind = "list"
        elif kind == "object":
            kind = "mapping"
        rows.append(
            f"| `{name}` | {'yes' if name in required else 'no'} | {kind} | "
            f"{_cell(prop.get('description', ''))} |"
        )
    return "\n".join(rows)


def relations_table() -> str:
    rows = ["| relation | reads on the source | reads on the target | causal |", "|---|---|---|---|"]
    rows += [
        f"| `{r.value}` | {r.label} | {r.inverse_label} | {'yes' if r in CAUSAL_RELATIONS else ''} |"
        for r in RelationType
    ]
    return "\n".join(rows)


def sources_table() -> str:
    rows = ["| `sourcetype` | label | default for | needs a `design` |", "|---|---|---|---|"]
    for kind in SourceType:
        entries = ", ".join(f"`@{e}`" for e, k in ENTRY_SOURCE_TYPES.items() if k is kind)
        rows.append(f"| `{kind.value}` | {kind.label} | {entries} | {'yes' if kind.needs_design else 'no'} |")
    return "\n".join(rows)


def designs_table() -> str:
    rows = ["| `design` | label | can show cause and effect |", "|---|---|---|"]
    rows += [f"| `{d.value}` | {d.label} | {'yes' if d.causal else 'no'} |" for d in Design]
    return "\n".join(rows)


def depth_rules() -> str:
    return (
        f"- `short-body` (warning): a body has fewer than {evidence.MIN_BODY_WORDS} words of prose, "
        f"or fewer than {evidence.MIN_BODY_WORDS_TENSION} for "
        + " and ".join(f"`{t.value}`" for t in sorted(evidence.TENSION_TYPES))
        + " entries (citations, URLs and Markdown markup are not counted; a link counts its label).\n"
        "- `no-evidence` (warning): a concept has no evidence item.\n"
        f"- `copied-phrasing` (error, with `ambidex check --originals DIR`): a summary, evidence item "
        f"or body shares a run of {evidence.COPIED_RUN_WORDS} or more consecutive words with one of "
        "the texts in DIR (case, punctuation, citations and link syntax ignored)."
    )


def view_words() -> str:
    return ", ".join(f"“{word}”" for word in evidence.VIEW_WORDS)


def types_table() -> str:
    rows = ["| type | folder | section |", "|---|---|---|"]
    rows += [f"| `{t.value}` | `kb/{t.directory}/` | {t.label} |" for t in ConceptType]
    return "\n".join(rows)


def cli_help() -> str:
    """Every command with its purpose, arguments and options, read off the command objects
    (the same ones `ambidex --help` prints), as Markdown."""
    from ambidex.cli import app

    blocks: list[str] = []

    def walk(command: Any, path: list[str]) -> None:
        subcommands = getattr(command, "commands", {})
        if path[1:] or not subcommands:
            blocks.append(_command_block(command, path))
        for name in sorted(subcommands):
            walk(subcommands[name], [*path, name])

    walk(typer.main.get_command(app), ["ambidex"])
    return "\n".join(blocks)


def _command_block(command: Any, path: list[str]) -> str:
    arguments = [p for p in command.params if getattr(p, "param_type_name", "") == "argument"]
    options = [p for p in command.params if getattr(p, "param_type_name", "") == "option"]
    usage = " ".join([*path, *((a.name or "").upper() for a in arguments)])
    if options:
        usage += " [OPTIONS]"
    if getattr(command, "commands", None):
        usage += " COMMAND"
    text = (command.help or "").strip().split("\n\n")[0]
    lines = [f"### `{' '.join(path)}`", "", _cell(text), "", f"Usage: `{usage}`", ""]
    rows = [((a.name or "").upper(), a.help or "") for a in arguments]
    rows += [(", ".join(o.opts + o.secondary_opts), _option_help(o)) for o in options]
    if rows:
        lines += ["| argument or option | meaning |", "|---|---|"]
        lines += [f"| `{name}` | {_cell(meaning)} |" for name, meaning in rows]
        lines.append("")
    return "\n".join(lines)


def _option_help(option: Any) -> str:
    text = option.help or ""
    default = option.default
    if not getattr(option, "is_flag", False) and default not in (None, "", ()) and not callable(default):
        text += f" (default: {getattr(default, 'value', default)})"
    return text.strip()


MARKERS: dict[str, Callable[[], str]] = {
    "front-matter": front_matter_table,
    "relations": relations_table,
    "types": types_table,
    "sources": sources_table,
    "designs": designs_table,
    "depth": depth_rules,
    "view-words": view_words,
    "cli": cli_help,
}


def expand_markers(markdown: str) -> str:
    return re.sub(
        r"<!--\s*ambidex:([a-z-]+)\s*-->", lambda m: MARKERS[m[1]]() if m[1] in MARKERS else m[0], markdown
    )
