"""Response schemas of the API (separate from the core model; they are the public contract)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ProblemOut(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    suggestions: list[str] | None = None


class SourceOut(BaseModel):
    """What kind of work a reference is and how it found what it reports."""

    source_type: str | None = Field(
        description="peer-reviewed, conference, book, report or practitioner "
        "(from the entry's sourcetype field, else its entry type); null when neither says."
    )
    source_type_label: str | None = Field(description="e.g. 'Peer-reviewed article'.")
    design: list[str] = Field(
        description="Study designs (slugs such as survey, dyadic-survey, field-experiment, "
        "conceptual, review); empty when the reference names none."
    )
    design_labels: list[str] = Field(description="The designs as words, e.g. ['Dyadic survey'].")
    causal: bool = Field(description="True when a design can show cause and effect (an experiment).")
    evidence_label: str = Field(description="Source type and design in one short label, as the site's badge.")


class CitationOut(SourceOut):
    key: str
    locator: str = ""
    prefix: str = ""
    suffix: str = ""
    in_text: str = Field(description="APA 7 in-text form, e.g. (Gabler et al., 2017, p. 383).")
    apa: str = Field(description="The full APA 7 reference, plain text.")
    url: str


class ConceptRef(BaseModel):
    id: str
    title: str
    type: str
    url: str


class ConceptListItem(ConceptRef):
    summary: str
    tags: list[str]
    aliases: list[str]


class Page(BaseModel):
    total: int
    page: int
    per_page: int
    next: str | None
    prev: str | None


class ConceptPage(Page):
    items: list[ConceptListItem]


class RelationOut(BaseModel):
    type: str
    label: str
    target: ConceptRef
    citations: list[CitationOut] = Field(description="The source of this relation, when it cites one.")


class BacklinkOut(BaseModel):
    type: str
    label: str
    source: ConceptRef
    citations: list[CitationOut] = Field(description="The source of this relation, when it cites one.")


class EvidenceOut(BaseModel):
    text: str
    citations: list[CitationOut]


class ConceptOut(ConceptListItem):
    summary_citations: list[CitationOut]
    relations: list[RelationOut]
    backlinks: list[BacklinkOut]
    evidence: list[EvidenceOut]
    body_markdown: str
    body_html: str
    references: list[CitationOut] = Field(description="Every work the concept cites, in APA order.")
    source_path: str


class ReferenceListItem(SourceOut):
    key: str
    type: str
    title: str
    year: str
    apa: str
    doi: str | None
    url: str


class ReferencePage(Page):
    items: list[ReferenceListItem]


class ReferenceOut(ReferenceListItem):
    apa_html: str
    fields: dict[str, str]
    bibtex: str
    csl_json: dict[str, Any]
    ris: str
    cited_by: list[ConceptRef]


class HitOut(BaseModel):
    kind: str
    id: str
    type: str
    title: str
    score: float
    snippet: str = Field(description="HTML with <mark> around matches.")
    tags: list[str]
    url: str


class SearchOut(Page):
    query: str
    items: list[HitOut]
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    fuzzy: bool = Field(description="True when typo-tolerant matching was needed.")


class GraphNode(BaseModel):
    id: str
    title: str
    type: str


class GraphEdge(BaseModel):
    source: str
    target: str
    type: str
    citations: list[CitationOut] = Field(description="The source of this relation, when it cites one.")


class GraphOut(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class CountOut(BaseModel):
    name: str
    label: str
    count: int
    url: str


class HealthOut(BaseModel):
    status: str
    build_id: str
    concepts: int
    references: int


class StepOut(BaseModel):
    source: str = Field(description="The concept id the edge starts from.")
    relation: str = Field(description="The relation type, e.g. pole-of or risk-of.")
    target: str = Field(description="The concept id the edge points to.")
    citations: list[CitationOut] = Field(description="The edge's own sources, when it has them.")


class WhyOut(BaseModel):
    matched: list[str] = Field(description="Words of the situation that this concept matched itself.")
    via: str | None = Field(
        description="The concept of the answer it was reached from (matched, or asked for)."
    )
    path: list[StepOut] = Field(description="The typed relations walked from `via` to this concept.")
    weight: float = Field(description="How strongly the situation points here (1 is the best match).")


class GuideItem(ConceptRef):
    summary: str
    citations: list[CitationOut]
    why: WhyOut


class TensionOut(BaseModel):
    tension: GuideItem
    poles: list[GuideItem]
    related: list[GuideItem]
    lean: str | None = Field(
        description="The pole the situation's words clearly lean to, if any; its risks come first."
    )


class GuideEvidence(BaseModel):
    concept: ConceptRef
    text: str
    citations: list[CitationOut]


class GuideOut(BaseModel):
    situation: str | None
    concept: str | None
    matched: list[GuideItem]
    tensions: list[TensionOut]
    risks: list[GuideItem]
    traits: list[GuideItem]
    drivers: list[GuideItem]
    practices: list[GuideItem]
    outcomes: list[GuideItem]
    evidence: list[GuideEvidence]
