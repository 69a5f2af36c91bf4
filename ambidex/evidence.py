"""Rules for evidence a scholar can trust: what kind of source each reference is and how it
found what it reports, the sources of causal relations, the depth of an entry, and phrasing
copied from the original articles. One small function per rule, like `ambidex.checks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ambidex.bibliography import persons
from ambidex.model import (
    CAUSAL_DESIGNS,
    CAUSAL_RELATIONS,
    Citation,
    ConceptType,
    Design,
    KnowledgeBase,
    Original,
    Reference,
    RelationType,
    SourceType,
)
from ambidex.problems import Problem, did_you_mean, error, warning
from ambidex.prose import Phrases, visible_text, word_count

# ---------------------------------------------------------------- thresholds, in one place

MIN_BODY_WORDS = 80
"""Words of prose a concept's body needs at least (citations and markup not counted)."""

MIN_BODY_WORDS_TENSION = 250
"""Words a dilemma or form of ambidexterity needs: it weighs what each pole offers and costs."""

TENSION_TYPES = frozenset({ConceptType.DILEMMA, ConceptType.AMBIDEXTERITY})

COPIED_RUN_WORDS = 9
"""Consecutive words shared with an original that count as copied phrasing."""


def min_body_words(concept_type: ConceptType) -> int:
    return MIN_BODY_WORDS_TENSION if concept_type in TENSION_TYPES else MIN_BODY_WORDS


_SOURCE_TYPE_SLUGS = [t.value for t in SourceType]
_SOURCE_TYPES = ", ".join(_SOURCE_TYPE_SLUGS)
_DESIGNS = ", ".join(d.value for d in Design)
_CAUSAL = ", ".join(sorted(d.value for d in CAUSAL_DESIGNS))

# ---------------------------------------------------------------- references


def _hint(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def check_source_types(kb: KnowledgeBase) -> Iterable[Problem]:
    """A `sourcetype` field names one of the source types."""
    for ref in kb.references.values():
        written = ref.get("sourcetype").replace("{", "").replace("}", "").strip()
        if "sourcetype" in ref.fields and written.lower() not in _SOURCE_TYPE_SLUGS:
            yield error(
                ref.path,
                ref.field_lines.get("sourcetype", ref.line),
                1,
                "unknown-source-type",
                f"'{ref.key}' has the source type '{written}', which is not one of the source types",
                _hint(
                    did_you_mean(written.lower(), [t.value for t in SourceType]),
                    f"use one of: {_SOURCE_TYPES}",
                ),
            )


def check_designs(kb: KnowledgeBase) -> Iterable[Problem]:
    """Every value of a `design` field is a known design; scholarly sources give one."""
    known = {d.value for d in Design}
    for ref in kb.references.values():
        line = ref.field_lines.get("design", ref.line)
        slugs = ref.design_slugs()
        for slug in slugs:
            if slug not in known:
                yield error(
                    ref.path,
                    line,
                    1,
                    "unknown-design",
                    f"'{ref.key}' has the design '{slug}', which is not one of the designs",
                    _hint(did_you_mean(slug, known), f"use one or more of, separated by commas: {_DESIGNS}"),
                )
        kind = ref.source_type
        if kind is not None and kind.needs_design and not slugs:
            yield error(
                ref.path,
                ref.line,
                1,
                "missing-design",
                f"'{ref.key}' is a {kind.label.lower()} without a design",
                f"add design = {{...}} with one or more of: {_DESIGNS}"
                " (or set sourcetype = {practitioner} for a practitioner piece)",
            )


# ---------------------------------------------------------------- relations


def check_relation_citations(kb: KnowledgeBase) -> Iterable[Problem]:
    """A relation's `cite` holds at least one citation."""
    for concept in kb.concepts.values():
        for rel in concept.relations:
            if rel.cite and not rel.citations:
                yield error(
                    concept.path,
                    rel.line,
                    rel.col,
                    "malformed-relation-cite",
                    f"the cite of {rel.type.value} '{rel.target}' holds no citation: '{rel.cite}'",
                    'write it as "[@key]" or "[@a; @b, p. 5]", in quotes',
                )


def check_causal_relations(kb: KnowledgeBase) -> Iterable[Problem]:
    """A causal relation cites its own source, and that source can show a cause."""
    causal = " or ".join(r.value for r in sorted(CAUSAL_RELATIONS))
    for concept in kb.concepts.values():
        for rel in concept.relations:
            if rel.type not in CAUSAL_RELATIONS:
                continue
            if not rel.citations:
                yield warning(
                    concept.path,
                    rel.line,
                    rel.col,
                    "uncited-causal-relation",
                    f"the causal relation {rel.type.value} '{rel.target}' cites no source of its own",
                    f'write it as {{target: {rel.target}, cite: "[@key]"}} citing the study that shows it, '
                    f"or use {RelationType.ASSOCIATED_WITH.value} for an association",
                )
                continue
            refs = [kb.references[c.key] for c in rel.citations if c.key in kb.references]
            if refs and not any(ref.causal for ref in refs):
                keys = ", ".join(dict.fromkeys(ref.key for ref in refs))
                yield warning(
                    concept.path,
                    rel.line,
                    rel.col,
                    "causal-from-correlation",
                    f"{rel.type.value} '{rel.target}' claims a cause, but no cited source ({keys}) "
                    "has a design that can show one",
                    f"use {RelationType.ASSOCIATED_WITH.value} for an association, or cite an experiment "
                    f"({_CAUSAL}); {causal} need one",
                )


# ---------------------------------------------------------------- depth


def check_body_length(kb: KnowledgeBase) -> Iterable[Problem]:
    """A concept's body explains it: enough words of prose for its type."""
    for concept in kb.concepts.values():
        needed = min_body_words(concept.type)
        count = word_count(concept.body)
        if count < needed:
            yield warning(
                concept.path,
                concept.body_line,
                1,
                "short-body",
                f"the body has {count} word{'s' * (count != 1)}; "
                f"a {concept.type.value} needs at least {needed}",
                "explain what it is, how the sources define and measure it, and what they found"
                + (
                    "; weigh what each pole offers and costs, and how organisations resolve it"
                    if concept.type in TENSION_TYPES
                    else ""
                ),
            )


def check_evidence_present(kb: KnowledgeBase) -> Iterable[Problem]:
    """A concept lists at least one finding with its source."""
    for concept in kb.concepts.values():
        if not concept.evidence:
            yield warning(
                concept.path,
                concept.id_line,
                1,
                "no-evidence",
                f"'{concept.id}' has no evidence item",
                "add evidence: a short finding with its citation, e.g. '- Finding [@key, p. 5].'",
            )


# ---------------------------------------------------------------- practitioner views

VIEW_WORDS = (
    "argues",
    "recommends",
    "claims",
    "says",
    "suggests",
    "view",
    "advises",
    "describes",
    "lists",
    "blog",
    "practitioner",
    "article",
    "post",
    "summary",
    "notes",
    "according to",
)
"""A sentence is phrased as a view when it holds one of these words (or their other forms:
argue, recommended, listed, views, practitioners, articles, summarises, noted) or names the
author of a source it cites ("Marcos-Cuevas reports ...", "Cranfield puts ..."): it then gives
the source's stand, not a fact."""

_VIEW = re.compile(
    r"\b(?:argu|recommend|claim|say|said|suggest|view|advis|describ|list|blog|practitioner|article|post"
    r"|summar|note|according to)\w*",
    re.IGNORECASE,
)


def author_names(ref: Reference) -> tuple[str, ...]:
    """How a sentence names a work's authors: family names, the first word of an organisation."""
    names = []
    for person in persons(ref.get("author") or ref.get("organization")):
        name = person.get("family") or person.get("literal", "").split(" ")[0]
        if name:
            names.append(name)
    return tuple(names)


def phrased_as_view(text: str, authors: Iterable[str] = ()) -> bool:
    """Whether a sentence presents what it says as someone's view (see `VIEW_WORDS`); its
    citations do not count (a key such as `blog2014` names no view)."""
    text = visible_text(text)
    if _VIEW.search(text):
        return True
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in authors)


def _practitioner_only(kb: KnowledgeBase, citations: Sequence[Citation]) -> list[Reference]:
    """The cited references when every one is a practitioner source, else none."""
    refs = [kb.references[c.key] for c in citations if c.key in kb.references]
    return refs if refs and all(ref.source_type is SourceType.PRACTITIONER for ref in refs) else []


def check_practitioner_findings(kb: KnowledgeBase) -> Iterable[Problem]:
    """A summary or evidence item that rests only on practitioner sources says so: it is
    phrased as the practitioner's view, not as a finding."""
    for concept in kb.concepts.values():
        texts = [("summary", concept.summary, concept.summary_citations, concept.summary_line)]
        texts += [
            (f"evidence item {i}", e.text, e.citations, e.line) for i, e in enumerate(concept.evidence, 1)
        ]
        for where, text, citations, line in texts:
            refs = _practitioner_only(kb, citations)
            authors = (name for ref in refs for name in author_names(ref))
            if refs and not phrased_as_view(text, authors):
                yield warning(
                    concept.path,
                    line,
                    1,
                    "practitioner-only-finding",
                    f"the {where} cites only practitioner sources but states it as a finding",
                    "cite a study that found it, or phrase it as the practitioner's view "
                    "(e.g. 'Cranfield's blog recommends ...', 'X argues ...')",
                )


# ---------------------------------------------------------------- originality


def check_copied_phrasing(kb: KnowledgeBase, originals: Sequence[Original]) -> Iterable[Problem]:
    """No run of `COPIED_RUN_WORDS` words of a summary, evidence item or body is an original's."""
    phrases = Phrases([o.text for o in originals], COPIED_RUN_WORDS)
    if not phrases:
        return
    for concept in kb.concepts.values():
        texts = [("summary", concept.summary, concept.summary_line, False)]
        texts += [(f"evidence item {i}", e.text, e.line, False) for i, e in enumerate(concept.evidence, 1)]
        texts.append(("body", concept.body, concept.body_line, True))
        for where, text, line, multiline in texts:
            for run in phrases.shared_runs(text):
                at_line, col = line, 1
                if multiline:
                    at_line += text.count("\n", 0, run.start)
                    col = run.start - (text.rfind("\n", 0, run.start) + 1) + 1
                yield error(
                    concept.path,
                    at_line,
                    col,
                    "copied-phrasing",
                    f"the {where} shares {run.length} consecutive words with "
                    f"{originals[run.original].path}: '{run.excerpt}'",
                    "say it in your own words: keep the facts and the citation, not the sentence",
                )


def check_reference_kinds(kb: KnowledgeBase) -> Iterable[Problem]:
    """What the rules on references say: source types and designs (also run before `refs add`
    writes the library)."""
    yield from check_source_types(kb)
    yield from check_designs(kb)


CHECKS = (
    check_reference_kinds,
    check_relation_citations,
    check_causal_relations,
    check_body_length,
    check_evidence_present,
    check_practitioner_findings,
)
