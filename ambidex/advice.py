"""The guide's advice: what a manager's situation means, and what to do about it.

An `Advisor` is made once per build. It reads every tension (dilemma, form of ambidexterity)
as short texts, each weighted by what it says about the tension:

- its name and aliases (`NAME`), and its poles' names with the pole concepts' titles and
  aliases (`POLE`);
- the signals of each pole, how a team that leans that way shows it (`SIGNAL`);
- the signs of its risks (a risk's `risk-of` edge to the tension or to one of its poles),
  with the risks' names (`SIGN`, `RISK`);
- its "In short" (else its summary), and the pole concepts' (`SUMMARY`).

A situation is read as `ambidex.words` reads it: words that say who are left out, synonyms come
from the vocabulary on whole words and phrases. Each of its words (or synonyms, at
`SYNONYM_WEIGHT`) adds to a tension how rare it is among the tensions' texts (inverse document
frequency over tensions) times the weight of the best text of the tension that holds it; a text
that holds several of the words adds `TOGETHER` times the rest of them again. That sum is the
tension's **match strength**. Its **confidence** is `strength / (strength + HALF_CONFIDENCE)`:
0 without a match, one half at `HALF_CONFIDENCE`, towards 1 as the match grows, and monotone
in the strength.

The **lean** is the pole whose own texts (signals, name, pole concept) the situation matches at
least `LEAN_MARGIN` times as strongly as the other pole's, and by at least `MIN_LEAN`; sentences
that ask "A or B?" are left out of it, so a neutral either/or question has no lean. A lean is
always a pole of its own tension.

The answer names one or two tensions (a third when it is within `CLOSE_SHARE` of the first), the
moves of the leaning pole (else the first move of each pole; with no moves written, practices
that address the tension), the questions, the risks to watch and at most `MAX_EVIDENCE` pieces
of evidence, most relevant first, then by the strength of their design, no study twice. A match
of fewer than two words, or weaker than `WEAK`, is reported as weak, with the tensions it might
mean; a text with nothing of the domain in it, or not in English, gets a message saying so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from ambidex import markup
from ambidex.guide import Graph, Matcher, Seed, guide
from ambidex.model import (
    TENSION_TYPES,
    Citation,
    Concept,
    ConceptType,
    Evidence,
    KnowledgeBase,
    Pole,
    RelationType,
)
from ambidex.words import Reading, Vocabulary, clean, read

MAX_CHARS = 2000
# Words searched at a time (the search reads a short question).
MAX_SEARCHED = 10
NAME, POLE, SIGNAL, SIGN, RISK, SUMMARY = 1.0, 1.0, 1.0, 0.8, 0.6, 0.4
# What the search of the whole knowledge base adds to a tension (see `_searched`).
SEARCH_WEIGHT = 3.0
POLE_KINDS = frozenset({"pole", "signal", "summary"})
# Names: a word counts by the square root of the share of the name the words cover.
SHORT_KINDS = frozenset({"name", "pole", "risk"})
SYNONYM_WEIGHT = 0.7
TOGETHER = 0.5
LEAN_MARGIN = 1.3
MIN_LEAN = 1.5
HALF_CONFIDENCE = 4.0
WEAK = 1.5
# A risk's signs are shown when the situation's words in one of them are this rare together.
SIGNS_SHOWN = 2.5
SECOND_SHARE = 0.5
CLOSE_SHARE = 0.8
MAX_MOVES = 3
MAX_QUESTIONS = 3
MAX_WATCH = 3
MAX_EVIDENCE = 5
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_NEUTRAL = re.compile(r"\b(whether|should|shall|decide|choose|either|which|or not)\b", re.IGNORECASE)
_OR = re.compile(r"\bor\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Text:
    """A short text that says something about a tension (or one of its poles)."""

    tension: str
    pole: int  # -1: the tension as a whole
    kind: str
    weight: float
    stems: frozenset[str]
    risk: str = ""
    total: float = 0.0  # the summed rarity of its stems


@dataclass(frozen=True)
class Lean:
    pole: str
    concept: str
    signalled_by: tuple[str, ...]


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


def plain(text: str, kb: KnowledgeBase) -> str:
    """Text without its citations, concept links as their labels: a sentence to read aloud."""
    out: list[str] = []
    last = 0
    for span in markup.scan(text):
        out.append(text[last : span.start])
        last = span.end
        if isinstance(span, markup.LinkSpan):
            target = kb.concepts.get(span.link.target)
            out.append(span.link.label or (target.title.lower() if target else span.link.target))
        elif not span.bracketed and span.citations:  # "Gabler et al. [@k]" keeps the name
            out.append("")
    out.append(text[last:])
    joined = re.sub(r"\s+", " ", "".join(out))
    return re.sub(r"\s+([.,;:)])", r"\1", joined).replace("()", "").strip()


def first_sentence(text: str) -> str:
    found = re.match(r"(.+?[.!?])(\s|$)", text)
    return found.group(1) if found else text


@dataclass
class _Match:
    """What a reading matched of one tension: per word, its best contribution; per text, the
    words it holds."""

    texts: dict[int, dict[str, float]] = field(default_factory=dict)
    covered: dict[int, set[str]] = field(default_factory=dict)

    def add(self, key: str, text: int, value: float, stems: Iterable[str]) -> None:
        self.texts.setdefault(text, {})[key] = value
        self.covered.setdefault(text, set()).update(stems)

    def values(self, advisor: Advisor) -> dict[int, dict[str, float]]:
        """Per text, what each word adds, scaled by how much of the text the words cover."""
        out = {}
        for i, held in self.texts.items():
            text = advisor.texts[i]
            share = sum(advisor.idf[s] for s in self.covered[i]) / (text.total or 1.0)
            scale = math.sqrt(share) if text.kind in SHORT_KINDS else 0.5 + 0.5 * share
            out[i] = {k: v * scale for k, v in held.items()}
        return out

    def best(self, advisor: Advisor) -> dict[str, float]:
        """Each word's best contribution to the tension."""
        best: dict[str, float] = {}
        for held in self.values(advisor).values():
            for key, value in held.items():
                if value > best.get(key, 0.0):
                    best[key] = value
        return best

    def strength(self, advisor: Advisor) -> float:
        values = self.values(advisor)
        together = 0.0
        for held in values.values():
            if len(held) > 1:
                together = max(together, sum(held.values()) - max(held.values()))
        best: dict[str, float] = {}
        for held in values.values():
            for key, value in held.items():
                best[key] = max(value, best.get(key, 0.0))
        return sum(best.values()) + TOGETHER * together


class Advisor:
    """The guide of one build: made once, then asked any number of situations."""

    def __init__(self, kb: KnowledgeBase, index: Matcher | None = None) -> None:
        self.kb = kb
        self.index = index
        self.graph = Graph(kb)
        self.vocabulary = Vocabulary.of(kb.vocabulary)
        self.tensions = tuple(cid for cid, c in kb.concepts.items() if c.type in TENSION_TYPES)
        self.poles: Mapping[str, tuple[Pole, ...]] = MappingProxyType(
            {t: self._poles_of(kb.concepts[t]) for t in self.tensions}
        )
        self.tensions_of_pole: dict[str, list[str]] = {}
        for t, poles in self.poles.items():
            for pole in poles:
                if pole.concept:
                    self.tensions_of_pole.setdefault(pole.concept, []).append(t)
        self.risks: Mapping[str, tuple[tuple[str, int], ...]] = MappingProxyType(
            {t: self._risks_of(t) for t in self.tensions}
        )
        self.texts: list[Text] = []
        for t in self.tensions:
            self._read_tension(kb.concepts[t])
        df: dict[str, int] = {}
        postings: dict[str, list[int]] = {}
        for i, text in enumerate(self.texts):
            for stem in text.stems:
                postings.setdefault(stem, []).append(i)
        for stem, held in postings.items():
            df[stem] = len({self.texts[i].tension for i in held})
        n = len(self.tensions)
        self.idf: Mapping[str, float] = MappingProxyType({s: math.log((n + 1) / d) for s, d in df.items()})
        self.texts = [replace(x, total=sum(self.idf[s] for s in x.stems)) for x in self.texts]
        self.top_idf = math.log(n + 1)
        # Every risk's signs, as stems, whether or not the risk belongs to a tension.
        self.signs: Mapping[str, tuple[frozenset[str], ...]] = MappingProxyType(
            {
                c.id: tuple(read(sign, self.vocabulary).stems for sign in c.signs)
                for c in kb.concepts.values()
                if c.signs
            }
        )
        self.postings: Mapping[str, tuple[int, ...]] = MappingProxyType(
            {s: tuple(v) for s, v in postings.items()}
        )

    # ------------------------------------------------------------ reading the knowledge base

    def _poles_of(self, tension: Concept) -> tuple[Pole, ...]:
        """The poles written on the tension, else its pole concepts (`pole-of` edges)."""
        if tension.poles:
            return tension.poles
        found = [
            Pole(name=self.kb.concepts[e.source].title, concept=e.source)
            for e in self.kb.backlinks(tension.id)
            if e.type is RelationType.POLE_OF
        ]
        return tuple(found)

    def _risks_of(self, tension: str) -> tuple[tuple[str, int], ...]:
        """The risks of a tension, each with the pole it is a risk of (-1: the tension)."""
        found: dict[str, int] = {}
        targets = [(tension, -1)] + [(p.concept, i) for i, p in enumerate(self.poles[tension]) if p.concept]
        for target, pole in targets:
            for e in self.kb.backlinks(target):
                risk = self.kb.concepts.get(e.source)
                if e.type is RelationType.RISK_OF and risk is not None and risk.type is ConceptType.RISK:
                    found.setdefault(e.source, pole)
        return tuple(found.items())

    def _add(self, tension: str, pole: int, kind: str, weight: float, text: str, risk: str = "") -> None:
        stems = read(plain(text, self.kb), self.vocabulary).stems
        if stems:
            self.texts.append(Text(tension, pole, kind, weight, stems, risk))

    def _read_tension(self, tension: Concept) -> None:
        t = tension.id
        for name in (tension.title, *(a.name for a in tension.aliases)):
            self._add(t, -1, "name", NAME, name)
        self._add(t, -1, "summary", SUMMARY, tension.in_short or tension.summary)
        for i, pole in enumerate(self.poles[t]):
            self._add(t, i, "pole", POLE, pole.name)
            concept = self.kb.concepts.get(pole.concept)
            if concept is not None:
                for name in (concept.title, *(a.name for a in concept.aliases)):
                    self._add(t, i, "pole", POLE, name)
                self._add(t, i, "summary", SUMMARY, concept.in_short or concept.summary)
            for signal in pole.signals:
                self._add(t, i, "signal", SIGNAL, signal)
        for risk_id, _ in self.risks[t]:
            risk = self.kb.concepts[risk_id]
            for name in (risk.title, *(a.name for a in risk.aliases)):
                self._add(t, -1, "risk", RISK, name, risk_id)
            for sign in risk.signs:
                self._add(t, -1, "sign", SIGN, sign, risk_id)

    # ------------------------------------------------------------ matching

    def _matches(self, reading: Reading) -> dict[str, _Match]:
        """Per tension, what the reading matched of it."""
        found: dict[str, _Match] = {}
        for word, stem in reading.words:
            for i in self.postings.get(stem, ()):
                text = self.texts[i]
                found.setdefault(text.tension, _Match()).add(word, i, self.idf[stem] * text.weight, (stem,))
        for said, member in reading.synonyms:
            held = [self.postings.get(s, ()) for s in member]
            if not all(held):
                continue
            common = set(held[0]).intersection(*held[1:])
            value = SYNONYM_WEIGHT * max(self.idf[s] for s in member)
            for i in common:
                text = self.texts[i]
                found.setdefault(text.tension, _Match()).add(said, i, value * text.weight, member)
        return found

    def _pole_strengths(self, tension: str, match: _Match) -> list[tuple[float, tuple[str, ...]]]:
        """Per pole of the tension, how strongly the match points to it rather than to the other
        poles, and the words that do: each word counts by how much more it matches this pole's
        texts than any other pole's (a word both poles' signals use says nothing of a lean)."""
        per_pole: list[dict[str, float]] = []
        for i in range(len(self.poles[tension])):
            pole = _Match()
            for t, held in match.texts.items():
                text = self.texts[t]
                if text.pole == i and text.kind in POLE_KINDS:
                    pole.texts[t] = held
                    pole.covered[t] = match.covered[t]
            per_pole.append(pole.best(self))
        out = []
        for i, best in enumerate(per_pole):
            own = {
                key: value
                - max((other.get(key, 0.0) for j, other in enumerate(per_pole) if j != i), default=0.0)
                for key, value in best.items()
            }
            own = {key: value for key, value in own.items() if value > 0}
            out.append((sum(own.values()), tuple(sorted(own, key=lambda k: -own[k]))))
        return out

    def _lean(self, tension: str, match: _Match | None) -> Lean | None:
        """The pole the match points to by a clear margin (see the module's description)."""
        if match is None:
            return None
        strengths = self._pole_strengths(tension, match)
        if not strengths:
            return None
        ranked = sorted(range(len(strengths)), key=lambda i: -strengths[i][0])
        best = strengths[ranked[0]][0]
        rest = strengths[ranked[1]][0] if len(ranked) > 1 else 0.0
        if best < MIN_LEAN or best < LEAN_MARGIN * rest:
            return None
        pole = self.poles[tension][ranked[0]]
        return Lean(pole.name, pole.concept, strengths[ranked[0]][1])

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
        matches = self._matches(reading) if reading is not None else {}
        # The lean reads the situation without its "A or B?" sentences.
        assertive = " ".join(
            s
            for s in _SENTENCE.findall(text)
            if not (_OR.search(s) and (s.rstrip().endswith("?") or _NEUTRAL.search(s)))
        )
        lean_matches = self._matches(read(assertive, self.vocabulary)) if assertive.strip() else {}
        strengths = {t: m.strength(self) for t, m in matches.items()}
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
        said = {w for m in matches.values() for w in m.best(self)}
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
        for t in chosen:
            lean = self._lean(t, lean_matches.get(t))
            if pole_concept is not None and t in self.tensions_of_pole[pole_concept]:
                pole = next(p for p in self.poles[t] if p.concept == pole_concept)
                lean = Lean(pole.name, pole.concept, lean.signalled_by if lean else ())
            c = self.kb.concepts[t]
            matched = tuple(matches[t].best(self)) if t in matches else ()
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

    def _searched(self, reading: Reading) -> dict[str, float]:
        """The tensions a search of the whole knowledge base for the situation's meaningful words
        reaches through the graph (see `ambidex.guide`), each with its weight (at most 1): what
        the entries' bodies, evidence and relations say beyond the tensions' own texts."""
        if self.index is None:
            return {}
        words = [w for w, _ in reading.words]
        seeds: dict[str, Seed] = {}
        for start in range(0, len(words), MAX_SEARCHED):
            for m in self.index.matches(" ".join(words[start : start + MAX_SEARCHED])):
                if m.id not in seeds or m.score > seeds[m.id].score:
                    seeds[m.id] = Seed(m.id, m.score, tuple(m.words))
        walked = guide(self.kb, matches=seeds.values(), graph=self.graph)
        return {t.concept.id: min(1.0, t.item.weight) for t in walked.tensions}

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

    def _signs_shown(self, reading: Reading | None) -> dict[str, tuple[float, tuple[str, ...]]]:
        """The risks whose signs hold words of the situation, by how strongly (the rarity of the
        words in the sign that holds most), and those words."""
        if reading is None:
            return {}
        wanted = [(w, (s,)) for w, s in reading.words] + list(reading.synonyms)
        found: dict[str, tuple[float, tuple[str, ...]]] = {}
        for risk, signs in self.signs.items():
            for stems in signs:
                keys = {
                    w: max(self.idf.get(s, self.top_idf) for s in m) for w, m in wanted if set(m) <= stems
                }
                value = sum(keys.values())
                if value > found.get(risk, (0.0, ()))[0]:
                    found[risk] = (value, tuple(keys))
        return found

    def _watch(
        self, diagnosis: Sequence[Diagnosis], reading: Reading | None, stems: frozenset[str]
    ) -> tuple[Watch, ...]:
        """The risks to watch: those whose signs the situation shows first, then those of the
        leaning pole, then the tensions' own (or, for a tension without risks of its own, those
        of the tensions next to it)."""
        shown = self._signs_shown(reading)
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
        return len(read(text, self.vocabulary).stems & stems)

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
