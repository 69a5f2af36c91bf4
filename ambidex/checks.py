"""Checks over a loaded knowledge base: one small function per rule, each yielding problems.

`validate(root)` is what every edge calls: load, then run every check, sorted problems.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from ambidex import bibliography, bibrules, evidence, markup
from ambidex.identity import Duplicates, make_key
from ambidex.loader import load, load_originals
from ambidex.model import TENSION_TYPES, ConceptType, KnowledgeBase
from ambidex.problems import Problem, did_you_mean, error, sort_problems, warning

Check = Callable[[KnowledgeBase], Iterable[Problem]]


def check_file_names(kb: KnowledgeBase) -> Iterable[Problem]:
    for concept in kb.concepts.values():
        path = Path(concept.path)
        if path.stem != concept.id:
            yield error(
                concept.path,
                concept.id_line,
                1,
                "id-mismatch",
                f"the id '{concept.id}' differs from the file name '{path.name}'",
                f"rename the file to {concept.id}.md or set id: {path.stem}",
            )
        if path.parent.name != concept.type.directory:
            yield error(
                concept.path,
                concept.id_line,
                1,
                "type-directory-mismatch",
                f"a concept of type '{concept.type.value}' is in '{path.parent.name}/'",
                f"move it to kb/{concept.type.directory}/",
            )


def check_aliases(kb: KnowledgeBase) -> Iterable[Problem]:
    """An alias may not name another concept (by id, title or alias) nor repeat in one concept."""
    owners: dict[str, str] = {}
    for concept in kb.concepts.values():
        owners.setdefault(concept.id.casefold(), concept.id)
        owners.setdefault(concept.title.casefold(), concept.id)
    for concept in kb.concepts.values():
        own: set[str] = {concept.id.casefold(), concept.title.casefold()}
        for alias in concept.aliases:
            name = alias.name.casefold()
            owner = owners.get(name)
            if owner is not None and owner != concept.id:
                yield error(
                    concept.path,
                    alias.line,
                    alias.col,
                    "duplicate-alias",
                    f"the alias '{alias.name}' already names the concept '{owner}'",
                    "remove it here or there, so that search finds one concept",
                )
            elif name in own:
                yield warning(
                    concept.path,
                    alias.line,
                    alias.col,
                    "redundant-alias",
                    f"the alias '{alias.name}' repeats this concept's id, title or alias",
                    "remove it",
                )
            owners.setdefault(name, concept.id)
            own.add(name)


def check_citations(kb: KnowledgeBase) -> Iterable[Problem]:
    keys = list(kb.references)
    for concept in kb.concepts.values():
        for citation in concept.citations:
            if citation.key not in kb.references:
                yield error(
                    concept.path,
                    citation.line,
                    citation.col,
                    "unknown-citation",
                    f"'{citation.key}' is not in references.bib",
                    did_you_mean(citation.key, keys) or "add the reference with `ambidex refs add`",
                )


def check_concepts_cite(kb: KnowledgeBase) -> Iterable[Problem]:
    for concept in kb.concepts.values():
        if not concept.citations:
            yield error(
                concept.path,
                concept.id_line,
                1,
                "no-citation",
                f"the concept '{concept.id}' cites nothing",
                "cite at least one reference, e.g. in the summary: [@key]",
            )
        for item in concept.evidence:
            if not item.citations:
                yield error(
                    concept.path,
                    item.line,
                    1,
                    "uncited-evidence",
                    "this evidence item carries no citation",
                    "end it with [@key, p. N]",
                )


def check_advice(kb: KnowledgeBase) -> Iterable[Problem]:
    """Poles belong to tensions (two of them, each move cited, each pole concept known); signs to
    risks."""
    for concept in kb.concepts.values():
        if concept.poles and concept.type not in TENSION_TYPES:
            yield error(
                concept.path,
                concept.poles[0].line,
                1,
                "poles-outside-tension",
                f"a {concept.type.value} has no poles; only dilemmas and forms of ambidexterity do",
                "move the signals, moves and questions to the tension this concept belongs to",
            )
        elif concept.poles and len(concept.poles) != 2:
            yield error(
                concept.path,
                concept.poles[0].line,
                1,
                "pole-count",
                f"a tension has two poles; this one lists {len(concept.poles)}",
                "write one item for each side of the tension",
            )
        for pole in concept.poles:
            if pole.concept and pole.concept not in kb.concepts:
                yield error(
                    concept.path,
                    pole.line,
                    1,
                    "unknown-pole-concept",
                    f"the pole '{pole.name}' names the concept '{pole.concept}', which does not exist",
                    did_you_mean(pole.concept, list(kb.concepts))
                    or "name an existing concept id, or leave it out",
                )
            for move in pole.moves:
                if not move.citations:
                    yield error(
                        concept.path,
                        move.line,
                        1,
                        "uncited-move",
                        "this move carries no citation",
                        "end it with the source that supports it, e.g. [@key]",
                    )
        if concept.signs and concept.type is not ConceptType.RISK:
            yield error(
                concept.path,
                concept.id_line,
                1,
                "signs-outside-risk",
                f"a {concept.type.value} has no signs; only risks do",
                "write how leaning shows as a tension's pole signals instead",
            )


def check_advice_written(kb: KnowledgeBase) -> Iterable[Problem]:
    """What a manager needs from every entry: an In short; from a tension, two poles with
    signals, moves and questions; from a risk, its signs."""
    for concept in kb.concepts.values():
        if not concept.in_short:
            yield warning(
                concept.path,
                concept.summary_line,
                1,
                "missing-in-short",
                f"'{concept.id}' has no in_short",
                "add in_short: two or three plain sentences for a sales manager, with no jargon",
            )
        if concept.type in TENSION_TYPES and not concept.poles:
            yield warning(
                concept.path,
                concept.id_line,
                1,
                "tension-without-poles",
                f"the {concept.type.value} '{concept.id}' gives a manager no poles to recognise",
                "add poles: two items, each with signals, moves and questions",
            )
        for pole in concept.poles:
            missing = [name for name in ("signals", "moves", "questions") if not getattr(pole, name)]
            if missing:
                yield warning(
                    concept.path,
                    pole.line,
                    1,
                    "pole-without-advice",
                    f"the pole '{pole.name}' has no {' and no '.join(missing)}",
                    "give each pole its signals, moves and questions: the guide answers with them",
                )
        if concept.type is ConceptType.RISK and not concept.signs:
            yield warning(
                concept.path,
                concept.id_line,
                1,
                "risk-without-signs",
                f"the risk '{concept.id}' has no signs",
                "add signs: the symptoms as a manager sees them",
            )


def check_links(kb: KnowledgeBase) -> Iterable[Problem]:
    ids = list(kb.concepts)
    for concept in kb.concepts.values():
        for link in concept.links:
            if link.target not in kb.concepts:
                yield error(
                    concept.path,
                    link.line,
                    link.col,
                    "unknown-link",
                    f"[[{link.target}]] names no concept",
                    did_you_mean(link.target, ids) or "link to an existing concept id",
                )


def check_relations(kb: KnowledgeBase) -> Iterable[Problem]:
    ids = list(kb.concepts)
    for concept in kb.concepts.values():
        for rel in concept.relations:
            if rel.target == concept.id:
                yield warning(
                    concept.path,
                    rel.line,
                    rel.col,
                    "self-relation",
                    f"'{concept.id}' is related to itself",
                    "remove the relation",
                )
            elif rel.target not in kb.concepts:
                yield error(
                    concept.path,
                    rel.line,
                    rel.col,
                    "unknown-relation-target",
                    f"{rel.type.value} '{rel.target}' names no concept",
                    did_you_mean(rel.target, ids) or "relate to an existing concept id",
                )


_CITABLE_KEY = re.compile(rf"^{markup.KEY}$")


def check_references(kb: KnowledgeBase) -> Iterable[Problem]:
    for ref in kb.references.values():
        if not _CITABLE_KEY.match(ref.key):
            yield error(
                ref.path,
                ref.line,
                1,
                "bad-bib-key",
                f"the key '{ref.key}' cannot be cited: keys are ASCII letters, digits and "
                f"{' '.join(markup.KEY_CHARACTERS)}, starting and ending with a letter, digit or _",
                f"rename the key, e.g. {make_key(ref)}",
            )
        yield from bibliography.check_entry(ref)


def check_duplicate_references(kb: KnowledgeBase) -> Iterable[Problem]:
    """The same DOI, or the same normalised title and year, under two keys; and two keys that
    differ only in case (one anchor and one file name on the site, on a case-blind system)."""
    folded: dict[str, str] = {}
    for ref in kb.references.values():
        first_key = folded.setdefault(ref.key.casefold(), ref.key)
        if first_key != ref.key:
            yield error(
                ref.path,
                ref.line,
                1,
                "duplicate-key-case",
                f"the key '{ref.key}' differs from '{first_key}' only in case",
                "keys name anchors and files, where case may not count; give it another key",
            )
    seen = Duplicates()
    for ref in kb.references.values():
        first = seen.of(ref.doi, ref.get("title"), ref.year)
        if first is not None:
            yield error(
                ref.path,
                ref.line,
                1,
                "duplicate-reference",
                f"'{ref.key}' has the same {first[1]} as '{first[0]}'",
                f"remove it and cite '{first[0]}' instead",
            )
            continue
        seen.add(ref.key, ref.doi, ref.get("title"), ref.year)


def check_uncited_references(kb: KnowledgeBase) -> Iterable[Problem]:
    for ref in kb.references.values():
        if not kb.cited_by(ref.key):
            yield warning(
                ref.path,
                ref.line,
                1,
                "uncited-reference",
                f"'{ref.key}' is never cited",
                "cite it from a concept or remove it",
            )


def check_isolated_concepts(kb: KnowledgeBase) -> Iterable[Problem]:
    linked: defaultdict[str, int] = defaultdict(int)
    for edge in kb.edges():
        linked[edge.source] += 1
        linked[edge.target] += 1
    if len(kb.concepts) < 2:
        return
    for concept in kb.concepts.values():
        if not linked[concept.id]:
            yield warning(
                concept.path,
                concept.id_line,
                1,
                "isolated-concept",
                f"'{concept.id}' has no relation to or from another concept",
                "add relations: so the concept joins the graph",
            )


CHECKS: tuple[Check, ...] = (
    check_file_names,
    check_aliases,
    check_citations,
    check_concepts_cite,
    check_advice,
    check_advice_written,
    check_links,
    check_relations,
    check_references,
    check_duplicate_references,
    check_uncited_references,
    check_isolated_concepts,
    *bibrules.CHECKS,
    *evidence.CHECKS,
)


def run_checks(kb: KnowledgeBase) -> list[Problem]:
    return [problem for check in CHECKS for problem in check(kb)]


def validate(
    root: Path | str, originals: Path | str | None = None, sources: dict[str, bytes] | None = None
) -> tuple[KnowledgeBase, list[Problem]]:
    """Load the knowledge base under `root` and run every check; problems sorted by place.

    With `originals`, a folder of source texts, also report phrasing copied from them.
    `sources` collects the files read (see `load`)."""
    kb, problems = load(root, sources)
    problems += run_checks(kb)
    if originals is not None:
        texts, read_problems = load_originals(originals)
        problems += [*read_problems, *evidence.check_copied_phrasing(kb, texts)]
    return kb, capped(sort_problems(problems))


MAX_OF_A_KIND = 50  # problems of one code in one file; the rest are summed up in one line


def capped(problems: list[Problem]) -> list[Problem]:
    """At most `MAX_OF_A_KIND` problems of one code in one file, then one line that counts the
    rest (a generated file with a million of one mistake is read, and reported, in bounded time)."""
    counts: dict[tuple[str, str], int] = {}
    kept: list[Problem] = []
    for p in problems:
        n = counts[(p.path, p.code)] = counts.get((p.path, p.code), 0) + 1
        if n <= MAX_OF_A_KIND:
            kept.append(p)
    for (path, code), n in counts.items():
        if n > MAX_OF_A_KIND:
            last = next(p for p in reversed(kept) if p.path == path and p.code == code)
            summary = f"and {n - MAX_OF_A_KIND:,} more problems of this kind in this file"
            more = last.__class__(
                path, last.line, last.col, last.severity, code, summary, "fix the ones above first"
            )
            kept.append(more)
    return sort_problems(kept)
