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
    "AdviceOut",
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


# ------------------------------------------------------------------- the guide's advice


class CiteOut(BaseModel):
    """The one source that backs an item of advice."""

    key: str
    in_text: str = Field(description="APA 7 in-text form, e.g. (Becker et al., 2020).")
    label: str = Field(description="The badge: what kind of source it is and its design.")
    url: str


class LeanOut(BaseModel):
    pole: str = Field(description="The pole the situation leans to, in plain words.")
    concept: str | None = Field(description="The id of the concept that is this pole, if any.")
    signalled_by: list[str] = Field(description="The situation's words that signalled the lean.")


class DiagnosisOut(BaseModel):
    id: str
    title: str
    url: str
    stake: str = Field(description="What is at stake, in one plain sentence.")
    lean: LeanOut | None = Field(description="The pole the situation clearly leans to; null when neutral.")
    confidence: float = Field(
        ge=0,
        le=1,
        description="How strongly the situation matches this tension: strength / (strength + 4), where "
        "strength sums the rarity of each matched word times the weight of where it matched; "
        "monotone in the strength.",
    )
    matched: list[str] = Field(description="The situation's words that matched the tension.")


class MoveOut(BaseModel):
    text: str = Field(description="One thing to do now, in one sentence.")
    why: str = Field(description="Which tension (and pole) the move is for.")
    citation: CiteOut | None = Field(description="Its single best source.")
    practice: ConceptRef | None = Field(description="The practice the move comes from, if any.")


class QuestionOut(BaseModel):
    text: str
    why: str = Field(description="Which tension (and pole) the question is about.")


class WatchOut(BaseModel):
    id: str
    title: str
    url: str
    why: str = Field(description="Which tension it is a risk of, and the signs of it the situation shows.")
    signalled_by: list[str] = Field(description="The situation's words that match the risk's signs.")
    evidence: str = Field(description="Its best evidence, in plain words.")
    citation: CiteOut | None


class FindingOut(BaseModel):
    text: str
    concept: ConceptRef
    citation: CiteOut


class AdviceOut(BaseModel):
    """The guide's default answer: advice, at most 8 kB of JSON."""

    situation: str | None
    concept: str | None
    diagnosis: list[DiagnosisOut] = Field(description="One or two tensions (a third when it is close).")
    moves: list[MoveOut]
    questions: list[QuestionOut]
    watch: list[WatchOut] = Field(description="One to three risks of the lean or the tension.")
    evidence: list[FindingOut] = Field(
        description="At most five findings, most relevant first, no study twice."
    )
    message: str | None = Field(description="Why the answer is empty or weak, and what to do.")
    did_you_mean: list[ConceptRef] = Field(description="Tensions a weak match might mean.")
