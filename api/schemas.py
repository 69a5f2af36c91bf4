"""Response schemas of the API (separate from the core model; they are the public contract).

The read-only documents (concepts, references, lists, graph, counts, health) are shaped in
`ambidex.documents`, which `ambidex build` also writes as files; here are the dynamic answers.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ambidex.documents import (
    BacklinkOut,
    CitationOut,
    ConceptListItem,
    ConceptOut,
    ConceptPage,
    ConceptRef,
    CountOut,
    EvidenceOut,
    GraphEdge,
    GraphNode,
    GraphOut,
    HealthOut,
    Page,
    ReferenceListItem,
    ReferenceOut,
    ReferencePage,
    RelationOut,
    SourceOut,
)

__all__ = [
    "BacklinkOut",
    "CitationOut",
    "ConceptListItem",
    "ConceptOut",
    "ConceptPage",
    "ConceptRef",
    "CountOut",
    "EvidenceOut",
    "GraphEdge",
    "GraphNode",
    "GraphOut",
    "HealthOut",
    "Page",
    "ReferenceListItem",
    "ReferenceOut",
    "ReferencePage",
    "RelationOut",
    "SourceOut",
]


class ProblemOut(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    suggestions: list[str] | None = None


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
    corrected: str | None = Field(
        default=None,
        description="The query as read when some of its words were typos, e.g. 'polychronicity' "
        "for 'polycronicity' (shown to readers as 'Showing results for …').",
    )


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
