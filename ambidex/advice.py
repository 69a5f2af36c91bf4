"""The guide's advice: what a manager's situation means, and what to do about it.

An `Advisor` is made once per build. A situation is matched on what the tensions say
(`ambidex.tensions`: names, poles, signals, risks' signs), to which a search of the whole
knowledge base, walked through the graph (`ambidex.guide`), adds `SEARCH_WEIGHT` times what it
reaches. The sum is a tension's **match strength**; its **confidence** is
`strength / (strength + HALF_CONFIDENCE)`: 0 without a match, one half at `HALF_CONFIDENCE`,
towards 1 as the match grows, and monotone in the strength. The lean (`Tensions.lean`) reads the
situation without its sentences that ask "A or B?", so a neutral either/or question has no lean.

The answer names one or two tensions (a third when it is within `CLOSE_SHARE` of the first), the
moves of the leaning pole (else the first move of each pole; with no moves written, practices
that address the tension), the questions, the risks to watch and at most `MAX_EVIDENCE` pieces
of evidence, most relevant first, then by the strength of their design, no study twice. A match
of fewer than two words, or weaker than `WEAK`, is reported as weak, with the tensions it might
mean; a text with nothing of the domain in it, or not in English, gets a message saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ambidex.guide import Graph, Matcher, Seed, guide, tension_weights
from ambidex.model import (
    Citation,
    Concept,
    ConceptType,
    Evidence,
    KnowledgeBase,
    Pole,
    RelationType,
)
from ambidex.tensions import Lean, Match, Tensions, first_sentence, plain
from ambidex.words import Reading, Vocabulary, clean, read

MAX_CHARS = 2000
# The situation's words searched in the whole knowledge base, so many at a time (the search reads
# a short question), in at most SEARCHES searches.
MAX_SEARCHED = 10
SEARCHES = 2
# What the search of the whole knowledge base adds to a tension (see `_searched`).
SEARCH_WEIGHT = 3.0
HALF_CONFIDENCE = 4.0
WEAK = 1.5
# A risk's signs are shown when the situation's words in one of them are this rare together.
SIGNS_SHOWN = 2.5
# Tensions whose match is worked out in full, beside any whose bound could beat them.
CANDIDATES = 12
SECOND_SHARE = 0.5
CLOSE_SHARE = 0.8
MAX_MOVES = 3
MAX_QUESTIONS = 3
MAX_WATCH = 3
MAX_EVIDENCE = 5
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_NEUTRAL = re.compile(r"\b(whether|should|shall|decide|choose|either|which|or not)\b", re.IGNORECASE)
_OR = re.compile(r"\bor\b", re.IGNORECASE)


@dataclass(frozen=True)
class Diagnosis:
    concept: Concept
    stake: str
    lean: Lean | None
    confidence: float
    strength: float
    words: tuple[str, ...]


@dataclass(frozen=True)
class Move:
    text: str
    citation: Citation | None
    tension: str
    pole: str
    practice: Concept | None = None


@dataclass(frozen=True)
class Question:
    text: str
    tension: str
    pole: str


@dataclass(frozen=True)
class Watch:
    concept: Concept
    tension: str
    signalled_by: tuple[str, ...]
    evidence: str
    citation: Citation | None


@dataclass(frozen=True)
class Finding:
    concept: Concept
    text: str
    citation: Citation


@dataclass(frozen=True)
class Advice:
    diagnosis: tuple[Diagnosis, ...] = ()
    moves: tuple[Move, ...] = ()
    questions: tuple[Question, ...] = ()
    watch: tuple[Watch, ...] = ()
    evidence: tuple[Finding, ...] = ()
    message: str | None = None
    did_you_mean: tuple[Concept, ...] = ()


class Advisor:
    """The guide of one build: made once, then asked any number of situations."""

    def __init__(self, kb: KnowledgeBase, index: Matcher | None = None) -> None:
        self.kb = kb
        self.index = index
        self.graph = Graph(kb)
        self.vocabulary = Vocabulary.of(kb.vocabulary)
        # The stems of the knowledge base's texts the answers have looked at (bounded by its size).
        self._stems: dict[str, frozenset[str]] = {}
        # What the tensions say, read once.
        self.known = Tensions(kb, self.vocabulary)
        self.tensions = self.known.tensions
        self.poles = self.known.poles
        self.tensions_of_pole = self.known.tensions_of_pole
        self.risks = self.known.risks

    # ------------------------------------------------------------ answering

    def advise(self, situation: str | None = None, concept: str | None = None) -> Advice:
        """The advice for a situation in free text, a concept id, or both."""
        text = clean(situation or "")
        reading = read(text, self.vocabulary) if text else None
        if reading is not None and not reading.english:
            return Advice(
                message="The guide reads English only: describe the situation in English, in a few "
                "sentences about what your team does and what pulls it two ways."
            )
        matches, strengths = self._candidates(reading) if reading is not None else ({}, {})
        # The lean reads the situation without its "A or B?" sentences.
        assertive = " ".join(
            s
            for s in _SENTENCE.findall(text)
            if not (_OR.search(s) and (s.rstrip().endswith("?") or _NEUTRAL.search(s)))
        )
        lean_reading = read(assertive, self.vocabulary) if assertive.strip() else None
        if matches and reading is not None:
            for t, weight in self._searched(reading).items():
                strengths[t] = strengths.get(t, 0.0) + SEARCH_WEIGHT * weight
        for t in self._concept_tensions(concept):
            strengths[t] = strengths.get(t, 0.0) + 2 * HALF_CONFIDENCE
        ranked = sorted(strengths, key=lambda t: (-strengths[t], t))
        if not ranked:
            if reading is not None and reading.words:
                return Advice(
                    message="Nothing in this text points to a tension of sales ambidexterity. Describe "
                    "what your team does, what customers or targets ask of it, and what pulls it two "
                    "ways (for example serving or selling, new or existing customers)."
                )
            return Advice(
                message="There is too little to go on: describe what is happening in your team in a "
                "sentence or two."
            )
        first = ranked[0]
        said = {w for m in matches.values() for w in m.best(self.known)}
        if concept is None and (strengths[first] < WEAK or len(said) < 2):
            words = ", ".join(f"“{w}”" for w in sorted(said))
            return Advice(
                message=f"Only a faint match ({words}): this may not be about a sales team, and the guide "
                "cannot tell which tension it is. Say more about what the team does and what pulls it "
                "two ways, or pick one of these.",
                did_you_mean=tuple(self.kb.concepts[t] for t in ranked[:3]),
            )
        chosen = [first]
        for t in ranked[1:3]:
            share = strengths[t] / strengths[first]
            if (len(chosen) == 1 and share >= SECOND_SHARE) or (len(chosen) == 2 and share >= CLOSE_SHARE):
                chosen.append(t)
            else:
                break
        pole_concept = concept if concept in self.tensions_of_pole else None
        diagnosis = []
        lean_matches = self.known.matches(lean_reading, among=chosen) if lean_reading is not None else {}
        for t in chosen:
            lean = self.known.lean(t, lean_matches.get(t))
            if pole_concept is not None and t in self.tensions_of_pole[pole_concept]:
                pole = next(p for p in self.poles[t] if p.concept == pole_concept)
                lean = Lean(pole.name, pole.concept, lean.signalled_by if lean else ())
            c = self.kb.concepts[t]
            matched = tuple(matches[t].best(self.known)) if t in matches else ()
            strength = strengths[t]
            diagnosis.append(
                Diagnosis(
                    c,
                    first_sentence(plain(c.in_short or c.summary, self.kb)),
                    lean,
                    round(strength / (strength + HALF_CONFIDENCE), 3),
                    strength,
                    matched,
                )
            )
        stems = reading.stems | {s for _, m in reading.synonyms for s in m} if reading else frozenset()
        watch = self._watch(diagnosis, reading, stems)
        moves = self._moves(diagnosis, stems)
        return Advice(
            diagnosis=tuple(diagnosis),
            moves=moves,
            questions=self._questions(diagnosis),
            watch=watch,
            evidence=self._evidence(diagnosis, watch, moves, stems),
        )

    def _candidates(self, reading: Reading) -> tuple[dict[str, Match], dict[str, float]]:
        """What the reading matched of the tensions that can come first, and their strengths: the
        CANDIDATES with the highest bounds (`Tensions.bounds`), then those of the others whose
        bound reaches the best strength (at most CANDIDATES more)."""
        bounds = self.known.bounds(reading)
        if not len(bounds) or bounds.max() <= 0:
            return {}, {}
        order = np.argsort(-bounds, kind="stable")
        among = [self.tensions[k] for k in order[:CANDIDATES] if bounds[k] > 0]
        matches = self.known.matches(reading, among=among)
        strengths = {t: m.strength(self.known) for t, m in matches.items()}
        best = max(strengths.values(), default=0.0)
        more = [self.tensions[k] for k in order[CANDIDATES : 2 * CANDIDATES] if bounds[k] > best]
        if more:
            extra = self.known.matches(reading, among=more)
            matches.update(extra)
            strengths.update({t: m.strength(self.known) for t, m in extra.items()})
        return matches, strengths

    def _searched(self, reading: Reading) -> dict[str, float]:
        """The tensions a search of the whole knowledge base for the situation's meaningful words
        (the first MAX_SEARCHED * SEARCHES of them, MAX_SEARCHED at a time) reaches through the
        graph (see `ambidex.guide`), each with its weight (at most 1): what the entries' bodies,
        evidence and relations say beyond the tensions' own texts."""
        if self.index is None:
            return {}
        words = [w for w, _ in reading.words][: MAX_SEARCHED * SEARCHES]
        found: dict[str, Seed] = {}
        for start in range(0, len(words), MAX_SEARCHED):
            for m in self.index.matches(" ".join(words[start : start + MAX_SEARCHED])):
                if m.id not in found or m.score > found[m.id].score:
                    found[m.id] = Seed(m.id, m.score, tuple(m.words))
        seeds = list(found.values())
        return {t: min(1.0, w) for t, w in tension_weights(self.graph, seeds).items()}

    def _concept_tensions(self, concept: str | None) -> list[str]:
        """The tensions a concept asked for by id is about."""
        if concept is None or concept not in self.kb.concepts:
            return []
        if concept in self.poles:
            return [concept]
        if concept in self.tensions_of_pole:
            return self.tensions_of_pole[concept]
        risky = [t for t in self.tensions if any(r == concept for r, _ in self.risks[t])]
        if risky:
            return risky
        walked = guide(self.kb, concept_id=concept, graph=self.graph, limit=2)
        return [t.concept.id for t in walked.tensions]

    def _pole_order(self, d: Diagnosis) -> list[Pole]:
        poles = list(self.poles[d.concept.id])
        if d.lean is not None:
            poles.sort(key=lambda p: p.name != d.lean.pole)  # type: ignore[union-attr]
        return poles

    def _best_citation(self, citations: Iterable[Citation]) -> Citation | None:
        """The citation whose work has the strongest design (the first of equals)."""
        ranked = sorted(citations, key=lambda c: -self.graph.designs.get(c.key, 0))
        return ranked[0] if ranked else None

    def _moves(self, diagnosis: Sequence[Diagnosis], stems: frozenset[str]) -> tuple[Move, ...]:
        moves: list[Move] = []
        for d in diagnosis:
            poles = self._pole_order(d)
            if d.lean is not None:
                picked = [(poles[0], m) for m in poles[0].moves]
            else:
                picked = [(p, p.moves[0]) for p in poles if p.moves]
            for pole, move in picked:
                moves.append(
                    Move(
                        plain(move.text, self.kb),
                        self._best_citation(move.citations),
                        d.concept.id,
                        pole.name,
                    )
                )
            if len(moves) >= 2:
                break
        if not moves:  # no moves written: the practices that address the tensions
            for d in diagnosis:
                for practice in self._practices(d):
                    moves.append(
                        Move(
                            first_sentence(plain(practice.in_short or practice.summary, self.kb)),
                            self._best_citation(practice.summary_citations),
                            d.concept.id,
                            "",
                            practice,
                        )
                    )
        return tuple(moves[:MAX_MOVES])

    def _practices(self, d: Diagnosis) -> list[Concept]:
        targets = [d.concept.id, *(p.concept for p in self._pole_order(d) if p.concept)]
        found: dict[str, Concept] = {}
        for target in targets:
            for e in self.kb.backlinks(target):
                c = self.kb.concepts[e.source]
                if c.type is ConceptType.PRACTICE and e.type in (
                    RelationType.ADDRESSES,
                    RelationType.MITIGATES,
                ):
                    found.setdefault(c.id, c)
        return list(found.values())[:2]

    def _questions(self, diagnosis: Sequence[Diagnosis]) -> tuple[Question, ...]:
        questions: list[Question] = []
        for d in diagnosis:
            poles = self._pole_order(d)
            if d.lean is not None:
                picked = [(p, q) for p in poles for q in p.questions]
            else:
                rounds = max((len(p.questions) for p in poles), default=0)
                picked = [(p, p.questions[k]) for k in range(rounds) for p in poles if k < len(p.questions)]
            questions += [Question(q, d.concept.id, p.name) for p, q in picked]
            if len(questions) >= 2:
                break
        return tuple(questions[:MAX_QUESTIONS])

    def _related_tensions(self, tension: str) -> list[str]:
        """The tensions one edge away from a tension (related, part of, and so on)."""
        graph = self.graph.adjacency.get(tension, ())
        return [other for other in graph[::2] if isinstance(other, str) and other in self.poles]

    def _watch(
        self, diagnosis: Sequence[Diagnosis], reading: Reading | None, stems: frozenset[str]
    ) -> tuple[Watch, ...]:
        """The risks to watch: those whose signs the situation shows first, then those of the
        leaning pole, then the tensions' own (or, for a tension without risks of its own, those
        of the tensions next to it)."""
        shown = self.known.signs_shown(reading)
        ranked: dict[str, tuple[float, str, tuple[str, ...]]] = {}
        for rank, d in enumerate(diagnosis):
            t = d.concept.id
            lean_index = next(
                (i for i, p in enumerate(self.poles[t]) if d.lean and p.name == d.lean.pole), None
            )
            risks = list(self.risks[t]) or [
                (r, -1) for other in self._related_tensions(t) for r, _ in self.risks[other]
            ]
            for risk, pole in risks:
                score = 3.0 if pole == lean_index and pole >= 0 else 2.0 if pole == -1 else 0.0
                score += shown.get(risk, (0.0, ()))[0] - 4 * rank
                if risk not in ranked or score > ranked[risk][0]:
                    ranked[risk] = (score, t, ())
        for risk, (value, words) in shown.items():
            if value >= SIGNS_SHOWN:
                tension = ranked[risk][1] if risk in ranked else diagnosis[0].concept.id
                ranked[risk] = (10 + value, tension, words)
        order = sorted(ranked, key=lambda r: (-ranked[r][0], r))[:MAX_WATCH]
        out = []
        for risk_id in order:
            concept = self.kb.concepts[risk_id]
            evidence = self._best_evidence(concept.evidence, stems)
            out.append(
                Watch(
                    concept,
                    ranked[risk_id][1],
                    ranked[risk_id][2],
                    plain(evidence.text, self.kb)
                    if evidence
                    else first_sentence(plain(concept.summary, self.kb)),
                    self._best_citation(evidence.citations if evidence else concept.summary_citations),
                )
            )
        return tuple(out)

    def _overlap(self, text: str, stems: frozenset[str]) -> int:
        """How many of the situation's stems a text of the knowledge base holds."""
        held = self._stems.get(text)
        if held is None:
            held = self._stems[text] = read(text, self.vocabulary).stems
        return len(held & stems)

    def _best_evidence(self, items: Sequence[Evidence], stems: frozenset[str]) -> Evidence | None:
        if not items:
            return None
        return max(
            items,
            key=lambda e: (
                min(3, self._overlap(e.text, stems)),
                self.graph.strength(e.citations),
                -len(e.text),
            ),
        )

    def _evidence(
        self,
        diagnosis: Sequence[Diagnosis],
        watch: Sequence[Watch],
        moves: Sequence[Move],
        stems: frozenset[str],
    ) -> tuple[Finding, ...]:
        """At most MAX_EVIDENCE findings: the most relevant first (the first tension's own, then
        the leaning pole's and the other tensions', then the risks', the other poles' and the
        practices'; more so the more words of the situation they hold), then by the strength of
        their designs; no study twice."""
        sources: list[tuple[int, Concept]] = []
        for rank, d in enumerate(diagnosis):
            sources.append((3 if rank == 0 else 2, d.concept))
            for pole in self._pole_order(d):
                c = self.kb.concepts.get(pole.concept)
                if c is not None:
                    sources.append((2 if d.lean and pole.name == d.lean.pole else 1, c))
        sources += [(1, w.concept) for w in watch]
        sources += [(1, m.practice) for m in moves if m.practice is not None]
        candidates = []
        seen: set[str] = set()
        for order, (rank, c) in enumerate(sources):
            if c.id in seen:
                continue
            seen.add(c.id)
            for k, e in enumerate(c.evidence):
                relevance = rank + min(3, self._overlap(e.text, stems))
                strength = self.graph.strength(e.citations)
                candidates.append((-relevance, -strength, order, k, c, e))
        candidates.sort(key=lambda x: x[:4])
        used: set[str] = set()
        out: list[Finding] = []
        for *_, c, e in candidates:
            if any(x.key in used for x in e.citations):
                continue
            citation = self._best_citation(e.citations)
            if citation is None:
                continue
            used.update(x.key for x in e.citations)
            out.append(Finding(c, plain(e.text, self.kb), citation))
            if len(out) == MAX_EVIDENCE:
                break
        return tuple(out)
