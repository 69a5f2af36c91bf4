"""The content model: concepts, references, citations, relations and the immutable knowledge base.

Nothing here reads files. `FrontMatter` is what an editor writes (its JSON Schema is published);
`Concept` and `Reference` are what the loader makes of the files; `KnowledgeBase` holds them with
the indexes every consumer needs (by id, alias, type, tag; backlinks; cited-by).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag, field_validator

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class ConceptType(StrEnum):
    """What kind of thing a concept is. The directory under `kb/` is the plural form."""

    AMBIDEXTERITY = "ambidexterity"
    ORIENTATION = "orientation"
    TRAIT = "trait"
    RISK = "risk"
    DILEMMA = "dilemma"
    DRIVER = "driver"
    OUTCOME = "outcome"
    PRACTICE = "practice"
    CASE = "case"

    @property
    def directory(self) -> str:
        return TYPE_DIRECTORIES[self]

    @property
    def label(self) -> str:
        return TYPE_LABELS[self]


# The types that hold a tension between two poles: dilemmas and forms of ambidexterity.
TENSION_TYPES = frozenset({ConceptType.DILEMMA, ConceptType.AMBIDEXTERITY})

TYPE_DIRECTORIES: Mapping[ConceptType, str] = MappingProxyType(
    {
        ConceptType.AMBIDEXTERITY: "ambidexterity",
        ConceptType.ORIENTATION: "orientations",
        ConceptType.TRAIT: "traits",
        ConceptType.RISK: "risks",
        ConceptType.DILEMMA: "dilemmas",
        ConceptType.DRIVER: "drivers",
        ConceptType.OUTCOME: "outcomes",
        ConceptType.PRACTICE: "practices",
        ConceptType.CASE: "cases",
    }
)

TYPE_LABELS: Mapping[ConceptType, str] = MappingProxyType(
    {
        ConceptType.AMBIDEXTERITY: "Forms of ambidexterity",
        ConceptType.ORIENTATION: "Orientations",
        ConceptType.TRAIT: "Traits and abilities",
        ConceptType.RISK: "Risks",
        ConceptType.DILEMMA: "Dilemmas",
        ConceptType.DRIVER: "Drivers and moderators",
        ConceptType.OUTCOME: "Outcomes",
        ConceptType.PRACTICE: "Practices",
        ConceptType.CASE: "Cases",
    }
)


class RelationType(StrEnum):
    """The controlled vocabulary of typed, directed links between concepts."""

    POLE_OF = "pole-of"
    OPPOSES = "opposes"
    RISK_OF = "risk-of"
    DRIVES = "drives"
    MODERATES = "moderates"
    LEADS_TO = "leads-to"
    MITIGATES = "mitigates"
    ADDRESSES = "addresses"
    EXAMPLE_OF = "example-of"
    PART_OF = "part-of"
    ASSOCIATED_WITH = "associated-with"
    RELATED = "related"

    @property
    def label(self) -> str:
        """How the forward edge reads on the source's page ('Risk of')."""
        return RELATION_LABELS[self][0]

    @property
    def inverse_label(self) -> str:
        """How the edge reads on the target's page ('Risks')."""
        return RELATION_LABELS[self][1]


RELATION_LABELS: Mapping[RelationType, tuple[str, str]] = MappingProxyType(
    {
        RelationType.POLE_OF: ("Pole of", "Poles"),
        RelationType.OPPOSES: ("Opposes", "Opposed by"),
        RelationType.RISK_OF: ("Risk of", "Risks"),
        RelationType.DRIVES: ("Drives", "Driven by"),
        RelationType.MODERATES: ("Moderates", "Moderated by"),
        RelationType.LEADS_TO: ("Leads to", "Results from"),
        RelationType.MITIGATES: ("Mitigates", "Mitigated by"),
        RelationType.ADDRESSES: ("Addresses", "Addressed by"),
        RelationType.EXAMPLE_OF: ("Example of", "Illustrated by"),
        RelationType.PART_OF: ("Part of", "Parts"),
        RelationType.ASSOCIATED_WITH: ("Associated with", "Associated with"),
        RelationType.RELATED: ("Related to", "Related from"),
    }
)

# Relations that claim a cause: their sources need designs that can show one.
CAUSAL_RELATIONS = frozenset({RelationType.DRIVES, RelationType.LEADS_TO})


class SourceType(StrEnum):
    """What kind of publication a reference is (BibTeX field `sourcetype`)."""

    PEER_REVIEWED = "peer-reviewed"
    CONFERENCE = "conference"
    BOOK = "book"
    REPORT = "report"
    PRACTITIONER = "practitioner"
    EDITORIAL = "editorial"

    @property
    def label(self) -> str:
        """'Peer-reviewed article'."""
        return SOURCE_TYPE_LABELS[self][0]

    @property
    def short_label(self) -> str:
        """'Peer-reviewed': the badge's first word when a design follows."""
        return SOURCE_TYPE_LABELS[self][1]

    @property
    def needs_design(self) -> bool:
        """Scholarly sources report how they found what they found."""
        return self in (SourceType.PEER_REVIEWED, SourceType.CONFERENCE)


SOURCE_TYPE_LABELS: Mapping[SourceType, tuple[str, str]] = MappingProxyType(
    {
        SourceType.PEER_REVIEWED: ("Peer-reviewed article", "Peer-reviewed"),
        SourceType.CONFERENCE: ("Conference paper", "Conference"),
        SourceType.BOOK: ("Book or chapter", "Book"),
        SourceType.REPORT: ("Report", "Report"),
        SourceType.PRACTITIONER: ("Practitioner article", "Practitioner"),
        SourceType.EDITORIAL: ("Editorial", "Editorial"),
    }
)

# The source type of an entry without a `sourcetype` field, by its BibTeX entry type.
ENTRY_SOURCE_TYPES: Mapping[str, SourceType] = MappingProxyType(
    {
        "article": SourceType.PEER_REVIEWED,
        "inproceedings": SourceType.CONFERENCE,
        "conference": SourceType.CONFERENCE,
        "book": SourceType.BOOK,
        "incollection": SourceType.BOOK,
        "inbook": SourceType.BOOK,
        "techreport": SourceType.REPORT,
        "report": SourceType.REPORT,
        "online": SourceType.PRACTITIONER,
        "misc": SourceType.PRACTITIONER,
        "www": SourceType.PRACTITIONER,
    }
)


class Status(StrEnum):
    """How far public records confirm a reference (BibTeX field `status`)."""

    UNVERIFIED = "unverified"


STATUS_LABELS: Mapping[Status, tuple[str, str]] = MappingProxyType(
    {Status.UNVERIFIED: ("Unverified", "Unverified: no public record confirms this work")}
)

# The field that says why an entry lacks a field: `missing = {volume: not in the publisher's
# record; pages, doi: ...}` (field names, a colon, the reason; parts separated by semicolons).
MISSING_FIELD = "missing"


def missing_reasons(value: str) -> dict[str, str]:
    """A `missing` field as field name -> reason; a part without a name and a reason is left out."""
    reasons: dict[str, str] = {}
    for part in value.replace("{", "").replace("}", "").split(";"):
        names, colon, reason = part.partition(":")
        if not colon or not reason.strip():
            continue
        for name in names.split(","):
            if name.strip():
                reasons[name.strip().lower()] = reason.strip()
    return reasons


class Design(StrEnum):
    """How a study found what it reports (BibTeX field `design`, comma-separated)."""

    SURVEY = "survey"
    DYADIC_SURVEY = "dyadic-survey"
    LONGITUDINAL_SURVEY = "longitudinal-survey"
    FIELD_EXPERIMENT = "field-experiment"
    LAB_EXPERIMENT = "lab-experiment"
    QUASI_EXPERIMENT = "quasi-experiment"
    META_ANALYSIS = "meta-analysis"
    QUALITATIVE = "qualitative"
    CASE_STUDY = "case-study"
    SIMULATION = "simulation"
    CONCEPTUAL = "conceptual"
    REVIEW = "review"

    @property
    def label(self) -> str:
        return DESIGN_LABELS[self]

    @property
    def causal(self) -> bool:
        """Whether the design can show that one thing causes another."""
        return self in CAUSAL_DESIGNS


DESIGN_LABELS: Mapping[Design, str] = MappingProxyType(
    {
        Design.SURVEY: "Survey",
        Design.DYADIC_SURVEY: "Dyadic survey",
        Design.LONGITUDINAL_SURVEY: "Longitudinal survey",
        Design.FIELD_EXPERIMENT: "Field experiment",
        Design.LAB_EXPERIMENT: "Lab experiment",
        Design.QUASI_EXPERIMENT: "Quasi-experiment",
        Design.META_ANALYSIS: "Meta-analysis",
        Design.QUALITATIVE: "Qualitative",
        Design.CASE_STUDY: "Case study",
        Design.SIMULATION: "Simulation",
        Design.CONCEPTUAL: "Conceptual",
        Design.REVIEW: "Review",
    }
)

CAUSAL_DESIGNS = frozenset({Design.FIELD_EXPERIMENT, Design.LAB_EXPERIMENT, Design.QUASI_EXPERIMENT})


class CitedTarget(BaseModel):
    """A relation with its own source: `{target: id, cite: "[@key, p. 5]"}`."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Cited relation target")

    target: Slug = Field(description="The id of the related concept.")
    cite: Text = Field(
        description='Pandoc-style citations of the source of this relation, e.g. "[@key]" or '
        '"[@a; @b, p. 5]" (quote it: YAML reads a bare [ as a list).'
    )


RELATION_ITEM_TAGS = ("target-id", "cited-target")


def _relation_item_kind(value: Any) -> str:
    return RELATION_ITEM_TAGS[1] if isinstance(value, dict | CitedTarget) else RELATION_ITEM_TAGS[0]


RelationItem = Annotated[
    Annotated[Slug, Tag(RELATION_ITEM_TAGS[0])] | Annotated[CitedTarget, Tag(RELATION_ITEM_TAGS[1])],
    Discriminator(_relation_item_kind),
]


class PoleAdvice(BaseModel):
    """One pole of a tension, as a manager meets it: how leaning there shows, what to do, what to ask."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Pole of a tension")

    name: Text = Field(description='Short name of the pole in plain words, e.g. "Winning new customers".')
    concept: Slug | None = Field(default=None, description="The id of the concept that is this pole, if any.")
    signals: tuple[Text, ...] = Field(
        default=(),
        description="How a team that leans this way shows it, in the words managers use; plain text.",
    )
    moves: tuple[Text, ...] = Field(
        default=(),
        description="What a manager can do when the team leans too far this way: one sentence each, "
        "with its pandoc-style citation (a practitioner source stated as a practitioner's view).",
    )
    questions: tuple[Text, ...] = Field(
        default=(), description="Questions a manager can ask the team or themselves; plain text."
    )


class FrontMatter(BaseModel):
    """The YAML front matter of a concept file, as an editor writes it."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Ambidex concept front matter")

    id: Slug = Field(description="Slug that equals the file name without `.md`.")
    title: Text = Field(description="Display title.")
    type: ConceptType = Field(description="Kind of concept; the file lives in kb/<plural type>/.")
    summary: Text = Field(description="One or two sentences a reader can quote, with citations.")
    in_short: Text | None = Field(
        default=None,
        description="Two or three plain sentences for a sales manager, with no jargon; the page opens "
        "with them.",
    )
    aliases: tuple[Text, ...] = Field(
        default=(), description="Other names people search with; they act as search synonyms."
    )
    tags: tuple[Slug, ...] = Field(default=(), description="Free tags (slugs) for grouping.")
    relations: dict[RelationType, tuple[RelationItem, ...]] = Field(
        default_factory=dict,
        description="Typed links to other concepts, by relation type: each item a concept id, or "
        '{target: id, cite: "[@key]"} with the source of the relation. Inverses are derived.',
    )
    evidence: tuple[Text, ...] = Field(
        default=(), description="Short findings, each with its pandoc-style citations."
    )
    poles: tuple[PoleAdvice, ...] = Field(
        default=(),
        description="Tensions only (dilemmas, forms of ambidexterity): the two poles, each with its "
        "signals, moves and questions.",
    )
    signs: tuple[Text, ...] = Field(
        default=(),
        description="Risks only: the symptoms as a manager sees them, in plain words.",
    )
    updated: date | None = Field(
        default=None,
        description="The day the entry last changed (YYYY-MM-DD), cited as its date when the "
        "repository has no history to tell.",
    )


def front_matter_schema() -> dict[str, Any]:
    """The JSON Schema editors use for completion, generated from `FrontMatter`."""
    schema = FrontMatter.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    relation_keys = [r.value for r in RelationType]
    schema["properties"]["relations"]["propertyNames"] = {"enum": relation_keys}
    return schema


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


# The parts of a concept are plain slotted dataclasses, not validated models: the loader makes
# them from front matter that FrontMatter has already validated, and 10,000 concepts hold some
# 150,000 of them, which as models cost several times the memory.


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited work at one place: `[see @key, p. 5]` or narrative `@key`."""

    key: str
    locator: str = ""
    prefix: str = ""
    suffix: str = ""
    narrative: bool = False
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Link:
    """A concept link in text: `[[id]]` or `[[id|label]]`."""

    target: str
    label: str = ""
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed link written on its source, with the citations of its own source (if any)."""

    type: RelationType
    target: str
    line: int = 0
    col: int = 0
    citations: tuple[Citation, ...] = ()
    cite: str = ""  # the citation text as written; non-empty with no citations means malformed


@dataclass(frozen=True, slots=True)
class Evidence:
    text: str
    citations: tuple[Citation, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Pole:
    """One pole of a tension with the advice written for it; moves carry their citations."""

    name: str
    concept: str = ""
    signals: tuple[str, ...] = ()
    moves: tuple[Evidence, ...] = ()
    questions: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Original:
    """A text the entries must not copy sentences from (a source article), read as plain text."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class Concept:
    id: str
    title: str
    type: ConceptType
    summary: str
    aliases: tuple[Alias, ...] = ()
    tags: tuple[str, ...] = ()
    relations: tuple[Relation, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    body: str = ""
    path: str = ""
    id_line: int = 1
    body_line: int = 1
    summary_citations: tuple[Citation, ...] = ()
    body_citations: tuple[Citation, ...] = ()
    links: tuple[Link, ...] = ()
    summary_line: int = 1
    updated: str = ""  # ISO day the entry last changed: its history, else its front matter
    in_short: str = ""
    poles: tuple[Pole, ...] = ()
    signs: tuple[str, ...] = ()

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every citation of the concept: summary, evidence, moves, relations, then body."""
        evidence = tuple(c for item in self.evidence for c in item.citations)
        moves = tuple(c for move in self.moves for c in move.citations)
        relations = tuple(c for rel in self.relations for c in rel.citations)
        return self.summary_citations + evidence + moves + relations + self.body_citations

    @property
    def moves(self) -> tuple[Evidence, ...]:
        """The moves of every pole, in the order written."""
        return tuple(move for pole in self.poles for move in pole.moves)

    @property
    def cited_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.key for c in self.citations))


class Reference(Frozen):
    """A BibTeX entry as parsed: raw field values (braces kept), its type, key and line."""

    key: str
    entry_type: str
    fields: Mapping[str, str]
    raw: str = ""
    path: str = "references.bib"
    line: int = 1
    field_lines: Mapping[str, int] = Field(default_factory=lambda: MappingProxyType({}))

    @field_validator("fields", "field_lines", mode="after")
    @classmethod
    def _read_only(cls, value: Mapping[str, Any]) -> Mapping[str, Any]:
        """Validation copies mappings into plain dicts; hand them out read-only."""
        return MappingProxyType(dict(value))

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    @property
    def doi(self) -> str:
        return self.get("doi").strip()

    @property
    def year(self) -> str:
        return self.get("year").strip() or self.get("date").strip()[:4]

    @property
    def status(self) -> Status | None:
        """The `status` field (None when it names no known status)."""
        written = _bib_value(self.get("status"))
        return Status(written) if written in _STATUS_SLUGS else None

    @property
    def unverified(self) -> bool:
        return self.status is Status.UNVERIFIED

    def missing(self) -> Mapping[str, str]:
        """Why fields are left out, by field name (the `missing` field)."""
        return missing_reasons(self.get(MISSING_FIELD))

    def explains(self, *names: str) -> bool:
        """Whether the `missing` field gives a reason for leaving out one of these fields."""
        reasons = self.missing()
        return any(name in reasons for name in names)

    @property
    def source_type(self) -> SourceType | None:
        """The `sourcetype` field, else what the entry type implies (None when neither says)."""
        written = _bib_value(self.get("sourcetype"))
        if written in _SOURCE_TYPE_SLUGS:
            return SourceType(written)
        return ENTRY_SOURCE_TYPES.get(self.entry_type)

    def design_slugs(self) -> tuple[str, ...]:
        """The `design` field as written: its comma-separated values, lower-cased."""
        parts = (_bib_value(p) for p in self.get("design").split(","))
        return tuple(dict.fromkeys(p for p in parts if p))

    @property
    def designs(self) -> tuple[Design, ...]:
        """The known designs of the `design` field, in the order written; none for a work no
        public record confirms (nothing shows how it found anything)."""
        if self.unverified:
            return ()
        return tuple(Design(s) for s in self.design_slugs() if s in _DESIGN_SLUGS)

    @property
    def causal(self) -> bool:
        """Whether one of the designs can show causality."""
        return any(d.causal for d in self.designs)

    def evidence_label(self) -> str:
        """The badge beside a citation: 'Peer-reviewed · Survey', 'Practitioner article', or
        'Unverified' for a work no public record confirms, whatever it claims to be."""
        if self.status is not None:
            return STATUS_LABELS[self.status][0]
        kind = self.source_type
        designs = ", ".join(d.label for d in self.designs)
        if kind is None:
            return designs
        return f"{kind.short_label} · {designs}" if designs else kind.label

    def evidence_title(self) -> str:
        """The badge's tooltip: 'Peer-reviewed article; design: survey, field experiment'."""
        if self.status is not None:
            return STATUS_LABELS[self.status][1]
        kind = self.source_type
        parts = [kind.label] if kind else []
        if self.designs:
            parts.append("design: " + ", ".join(d.label.lower() for d in self.designs))
        if self.causal:
            parts.append("can show cause and effect")
        return "; ".join(parts)


_SOURCE_TYPE_SLUGS = frozenset(t.value for t in SourceType)
_DESIGN_SLUGS = frozenset(d.value for d in Design)
_STATUS_SLUGS = frozenset(s.value for s in Status)


def _bib_value(value: str) -> str:
    return value.replace("{", "").replace("}", "").strip().lower()


@dataclass(frozen=True)
class Edge:
    """A resolved relation: source --type--> target, with the citations of its source."""

    source: str
    type: RelationType
    target: str
    citations: tuple[Citation, ...] = ()


def _normalise_alias(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().casefold())


@dataclass(frozen=True)
class KnowledgeBase:
    """The one immutable model of a build, with derived indexes."""

    concepts: Mapping[str, Concept]
    references: Mapping[str, Reference]
    build_id: str = ""
    vocabulary: tuple[tuple[str, ...], ...] = ()
    _by_type: Mapping[ConceptType, tuple[str, ...]] = field(init=False, repr=False)
    _by_tag: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)
    _backlinks: Mapping[str, tuple[Edge, ...]] = field(init=False, repr=False)
    _cited_by: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)

    @classmethod
    def build(
        cls,
        concepts: Iterable[Concept],
        references: Iterable[Reference],
        build_id: str = "",
        vocabulary: Iterable[tuple[str, ...]] = (),
    ) -> KnowledgeBase:
        """Make a knowledge base; the first concept or reference of a duplicated id wins."""
        by_id: dict[str, Concept] = {}
        for concept in sorted(concepts, key=lambda c: (c.path, c.id)):
            by_id.setdefault(concept.id, concept)
        by_key: dict[str, Reference] = {}
        for ref in references:
            by_key.setdefault(ref.key, ref)
        return cls(MappingProxyType(by_id), MappingProxyType(by_key), build_id, tuple(vocabulary))

    def __post_init__(self) -> None:
        by_type: dict[ConceptType, list[str]] = defaultdict(list)
        by_tag: dict[str, list[str]] = defaultdict(list)
        backlinks: dict[str, list[Edge]] = defaultdict(list)
        cited_by: dict[str, list[str]] = defaultdict(list)
        for concept in self.concepts.values():
            by_type[concept.type].append(concept.id)
            for tag in concept.tags:
                by_tag[tag].append(concept.id)
            for rel in concept.relations:
                if rel.target in self.concepts:
                    backlinks[rel.target].append(Edge(concept.id, rel.type, rel.target, rel.citations))
            for key in concept.cited_keys:
                cited_by[key].append(concept.id)

        def freeze(d: Mapping[Any, list[Any]]) -> Mapping[Any, tuple[Any, ...]]:
            return MappingProxyType({k: tuple(v) for k, v in sorted(d.items())})

        object.__setattr__(self, "_by_type", freeze(by_type))
        object.__setattr__(self, "_by_tag", freeze(by_tag))
        object.__setattr__(self, "_backlinks", freeze(backlinks))
        object.__setattr__(self, "_cited_by", freeze(cited_by))

    @cached_property
    def aliases(self) -> Mapping[str, str]:
        """Normalised alias (and title) -> concept id; the first concept to claim a name wins."""
        names: dict[str, str] = {}
        for concept in self.concepts.values():
            for name in (concept.title, *(a.name for a in concept.aliases)):
                names.setdefault(_normalise_alias(name), concept.id)
        return MappingProxyType(names)

    def resolve(self, name: str) -> Concept | None:
        """A concept by id, title or alias."""
        if name in self.concepts:
            return self.concepts[name]
        concept_id = self.aliases.get(_normalise_alias(name))
        return self.concepts.get(concept_id) if concept_id else None

    def by_type(self, concept_type: ConceptType) -> tuple[str, ...]:
        return self._by_type.get(concept_type, ())

    @property
    def tags(self) -> Mapping[str, tuple[str, ...]]:
        return self._by_tag

    def edges(self) -> Iterable[Edge]:
        for concept in self.concepts.values():
            for rel in concept.relations:
                if rel.target in self.concepts:
                    yield Edge(concept.id, rel.type, rel.target, rel.citations)

    def backlinks(self, concept_id: str) -> tuple[Edge, ...]:
        """Edges that point at a concept (its inverse relations)."""
        return self._backlinks.get(concept_id, ())

    def cited_by(self, key: str) -> tuple[str, ...]:
        """Ids of the concepts that cite a reference."""
        return self._cited_by.get(key, ())


def build_id_of(parts: Iterable[bytes]) -> str:
    """A short, stable id of a build's inputs."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]
