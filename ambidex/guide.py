"""The guide: from a situation or a concept to the tensions at play and what helps.

Pure over the model (and a search function for free text). Starting concepts are the concept
asked for, or the best search hits for a situation. From them the guide walks the typed graph
to the tensions (dilemmas and forms of ambidexterity), their poles (`pole-of`), the risks of
leaning too far (`risk-of` on the tension or a pole), and what helps: traits and drivers that
drive or moderate the tension, practices that address it or mitigate its risks. The evidence is
that of every concept in the answer. Everything carries the concept's own citations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ambidex.model import Concept, ConceptType, Evidence, KnowledgeBase, RelationType

TENSION_TYPES = frozenset({ConceptType.DILEMMA, ConceptType.AMBIDEXTERITY})
# What links a trait, driver or practice to a tension or risk in the answer. An association
# (`associated-with`) counts too: the guide lists what goes with a tension, and says how with
# the relation's type.
HELP_RELATIONS = frozenset(
    {
        RelationType.DRIVES,
        RelationType.MODERATES,
        RelationType.MITIGATES,
        RelationType.ADDRESSES,
        RelationType.ASSOCIATED_WITH,
    }
)


@dataclass(frozen=True)
class Tension:
    concept: Concept
    poles: tuple[Concept, ...]
    related: tuple[Concept, ...]


@dataclass(frozen=True)
class Guide:
    """What the guide says about a situation; every concept carries its citations."""

    matched: tuple[Concept, ...]
    tensions: tuple[Tension, ...]
    risks: tuple[Concept, ...]
    traits: tuple[Concept, ...]
    drivers: tuple[Concept, ...]
    practices: tuple[Concept, ...]
    outcomes: tuple[Concept, ...]
    evidence: tuple[tuple[Concept, Evidence], ...] = field(default=())


Search = Callable[[str], Iterable[str]]

# A free-text situation starts from the search hits that score at least this share of the best
# one: a long description matches many entries weakly through its common words.
RELEVANT_SHARE = 1 / 3


def relevant(hits: Iterable[tuple[str, float]]) -> list[str]:
    """The ids of (id, score) hits, best first, close enough to the best to start a guide from."""
    ranked = sorted(hits, key=lambda h: -h[1])
    best = ranked[0][1] if ranked else 0.0
    return [hit_id for hit_id, score in ranked if score >= RELEVANT_SHARE * best]


def _neighbours(kb: KnowledgeBase, concept_id: str) -> set[str]:
    concept = kb.concepts[concept_id]
    out = {r.target for r in concept.relations if r.target in kb.concepts}
    return out | {e.source for e in kb.backlinks(concept_id)}


def _tensions_near(kb: KnowledgeBase, start: Iterable[str]) -> list[str]:
    """Tensions among the start concepts, else one or two hops away, nearest first."""
    found: dict[str, None] = {}
    frontier = list(dict.fromkeys(start))
    seen = set(frontier)
    for _ in range(3):
        for cid in frontier:
            if kb.concepts[cid].type in TENSION_TYPES:
                found.setdefault(cid)
        if found:
            break
        nxt = []
        for cid in frontier:
            for other in sorted(_neighbours(kb, cid)):
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
    return list(found)


def _sources(kb: KnowledgeBase, target: str, types: frozenset[RelationType]) -> list[str]:
    return [e.source for e in kb.backlinks(target) if e.type in types]


def guide(
    kb: KnowledgeBase,
    *,
    concept_id: str | None = None,
    situation: str | None = None,
    search: Search | None = None,
    limit: int = 5,
) -> Guide:
    """The guide for a concept id, a free-text situation (needs `search`), or both."""
    start: list[str] = [concept_id] if concept_id is not None and concept_id in kb.concepts else []
    if situation and search is not None:
        start += [cid for cid in search(situation) if cid in kb.concepts and cid not in start][:limit]
    tension_ids = _tensions_near(kb, start)[:limit]
    # A dilemma and the form of ambidexterity that resolves it are one tension seen twice:
    # pool their poles through `related`/`part-of` links between tensions.
    tensions: list[Tension] = []
    in_answer: dict[str, None] = dict.fromkeys(start)
    for tid in tension_ids:
        linked = [c for c in sorted(_neighbours(kb, tid)) if kb.concepts[c].type in TENSION_TYPES]
        poles = [p for t in [tid, *linked] for p in _sources(kb, t, frozenset({RelationType.POLE_OF}))]
        poles += [
            r.target
            for r in kb.concepts[tid].relations
            if r.type is RelationType.OPPOSES and r.target in kb.concepts
        ]
        poles = list(dict.fromkeys(p for p in poles if p != tid))
        tensions.append(
            Tension(
                kb.concepts[tid], tuple(kb.concepts[p] for p in poles), tuple(kb.concepts[c] for c in linked)
            )
        )
        in_answer.update(dict.fromkeys([tid, *poles, *linked]))
    core = [t.concept.id for t in tensions] + [p.id for t in tensions for p in t.poles]
    core += [c.id for t in tensions for c in t.related]
    risks = list(dict.fromkeys(s for c in core for s in _sources(kb, c, frozenset({RelationType.RISK_OF}))))
    risks += [c for c in start if kb.concepts[c].type is ConceptType.RISK and c not in risks]
    helpers = list(dict.fromkeys(s for c in core + risks for s in _sources(kb, c, HELP_RELATIONS)))
    outcomes = list(
        dict.fromkeys(
            r.target
            for c in core
            for r in kb.concepts[c].relations
            if r.type is RelationType.LEADS_TO and r.target in kb.concepts
        )
    )
    in_answer.update(dict.fromkeys(risks + helpers + outcomes))

    def of_type(ids: Iterable[str], *types: ConceptType) -> tuple[Concept, ...]:
        return tuple(kb.concepts[i] for i in ids if kb.concepts[i].type in types)

    evidence = tuple((kb.concepts[c], e) for c in in_answer for e in kb.concepts[c].evidence)
    return Guide(
        matched=tuple(kb.concepts[c] for c in start),
        tensions=tuple(tensions),
        risks=tuple(kb.concepts[r] for r in risks),
        traits=of_type(helpers, ConceptType.TRAIT),
        drivers=of_type(helpers, ConceptType.DRIVER),
        practices=of_type(helpers, ConceptType.PRACTICE),
        outcomes=tuple(kb.concepts[o] for o in outcomes),
        evidence=evidence,
    )
