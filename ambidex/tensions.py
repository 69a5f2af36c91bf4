"""What the guide knows of each tension, and how a manager's words match it.

`Tensions` is made once per build. It reads every tension (dilemma, form of ambidexterity) as
short texts, each weighted by what it says about the tension:

- its name and aliases (`NAME`), and its poles' names with the pole concepts' titles and
  aliases (`POLE`);
- the signals of each pole, how a team that leans that way shows it (`SIGNAL`);
- the signs of its risks (a risk's `risk-of` edge to the tension or to one of its poles),
  with the risks' names (`SIGN`, `RISK`);
- its "In short" (else its summary), and the pole concepts' (`SUMMARY`).

A situation is read as `ambidex.words` reads it: words that say who are left out, synonyms come
from the vocabulary on whole words and phrases. Each of its words (or synonyms, at
`SYNONYM_WEIGHT`) adds to a tension how rare it is among the tensions' texts (inverse document
frequency over tensions) times the weight of the best text of the tension that holds it, scaled
by how much of that text the words cover (a name by the square root of the share); a text that
holds several of the words adds `TOGETHER` times the rest of them again. That sum is the
tension's match strength (`Match.strength`).

The **lean** is the pole whose own texts (signals, name, pole concept) the situation matches at
least `LEAN_MARGIN` times as strongly as the other pole's, and by at least `MIN_LEAN`, counting
each word by how much more it matches this pole than the other (a word both poles' signals use
says nothing of a lean). A lean is always a pole of its own tension.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from ambidex import markup
from ambidex.model import TENSION_TYPES, Concept, ConceptType, KnowledgeBase, Pole, RelationType
from ambidex.words import Reading, Vocabulary, read

NAME, POLE, SIGNAL, SIGN, RISK, SUMMARY = 1.0, 1.0, 1.0, 0.8, 0.6, 0.4
POLE_KINDS = frozenset({"pole", "signal", "summary"})
# Names: a word counts by the square root of the share of the name the words cover.
SHORT_KINDS = frozenset({"name", "pole", "risk"})
SYNONYM_WEIGHT = 0.7
TOGETHER = 0.5
LEAN_MARGIN = 1.3
MIN_LEAN = 1.5
# A word this rare among the tensions (or rarer) can show a risk's sign.
TELLING = 1.0


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
class Match:
    """What a reading matched of one tension: per word, its best contribution; per text, the
    words it holds."""

    texts: dict[int, dict[str, float]] = field(default_factory=dict)
    covered: dict[int, set[str]] = field(default_factory=dict)

    def add(self, key: str, text: int, value: float, stems: Iterable[str]) -> None:
        self.texts.setdefault(text, {})[key] = value
        self.covered.setdefault(text, set()).update(stems)

    def values(self, known: Tensions) -> dict[int, dict[str, float]]:
        """Per text, what each word adds, scaled by how much of the text the words cover."""
        out = {}
        for i, held in self.texts.items():
            text = known.texts[i]
            share = sum(known.idf[s] for s in self.covered[i]) / (text.total or 1.0)
            scale = math.sqrt(share) if text.kind in SHORT_KINDS else 0.5 + 0.5 * share
            out[i] = {k: v * scale for k, v in held.items()}
        return out

    def best(self, known: Tensions) -> dict[str, float]:
        """Each word's best contribution to the tension."""
        best: dict[str, float] = {}
        for held in self.values(known).values():
            for key, value in held.items():
                if value > best.get(key, 0.0):
                    best[key] = value
        return best

    def strength(self, known: Tensions) -> float:
        values = self.values(known)
        together = 0.0
        for held in values.values():
            if len(held) > 1:
                together = max(together, sum(held.values()) - max(held.values()))
        best: dict[str, float] = {}
        for held in values.values():
            for key, value in held.items():
                best[key] = max(value, best.get(key, 0.0))
        return sum(best.values()) + TOGETHER * together


class Tensions:
    """The tensions of one build as texts, with the rarity of each word among them and, per
    word, the texts that hold it."""

    def __init__(self, kb: KnowledgeBase, vocabulary: Vocabulary) -> None:
        self.kb = kb
        self.vocabulary = vocabulary
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
        # Per stem, the tensions whose texts hold it (positions in `self.tensions`) and the weight
        # of the best such text of each: what `bounds` sums.
        position = {t: k for k, t in enumerate(self.tensions)}
        best_weight: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for stem, held in postings.items():
            best: dict[int, float] = {}
            for i in held:
                k = position[self.texts[i].tension]
                best[k] = max(best.get(k, 0.0), self.texts[i].weight)
            best_weight[stem] = (np.fromiter(best, dtype=np.intp), np.fromiter(best.values(), dtype=float))
        self.best_weight: Mapping[str, tuple[np.ndarray, np.ndarray]] = MappingProxyType(best_weight)
        # Per stem, per tension, the texts that hold it.
        by_tension: dict[str, dict[str, tuple[int, ...]]] = {}
        for stem, held in postings.items():
            grouped: dict[str, list[int]] = {}
            for i in held:
                grouped.setdefault(self.texts[i].tension, []).append(i)
            by_tension[stem] = {t: tuple(v) for t, v in grouped.items()}
        self.by_tension: Mapping[str, Mapping[str, tuple[int, ...]]] = MappingProxyType(by_tension)
        # Per stem, the risks' signs that hold it (risk, position of the sign).
        sign_postings: dict[str, list[tuple[str, int]]] = {}
        for risk, signs in self.signs.items():
            for k, stems in enumerate(signs):
                for stem in stems:
                    sign_postings.setdefault(stem, []).append((risk, k))
        self.sign_postings: Mapping[str, tuple[tuple[str, int], ...]] = MappingProxyType(
            {stem: tuple(v) for stem, v in sign_postings.items()}
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

    def _keys(self, reading: Reading) -> list[tuple[str, tuple[str, ...], float]]:
        """The words of a reading that some text holds: (word, stems a text must all hold, value
        of each, before a text's weight)."""
        keys: list[tuple[str, tuple[str, ...], float]] = [
            (w, (s,), self.idf[s]) for w, s in reading.words if s in self.idf
        ]
        for said, member in reading.synonyms:
            if all(s in self.idf for s in member):
                keys.append((said, member, SYNONYM_WEIGHT * max(self.idf[s] for s in member)))
        return keys

    def bounds(self, reading: Reading) -> np.ndarray:
        """Per tension (in `self.tensions` order), at most what `Match.strength` can give it: each
        word's value times the weight of the best text of the tension holding (one of) its stems,
        the together bonus included. Cheap: a few array sums."""
        bound = np.zeros(len(self.tensions))
        for _, member, value in self._keys(reading):
            rarest = min(member, key=lambda s: len(self.best_weight[s][0]))
            where, weight = self.best_weight[rarest]
            bound[where] += value * weight
        return bound * (1 + TOGETHER)

    def matches(self, reading: Reading, among: Iterable[str] | None = None) -> dict[str, Match]:
        """Per tension (of `among`, else all), what the reading matched of it."""
        found: dict[str, Match] = {}
        wanted = list(among) if among is not None else None
        for word, member, value in self._keys(reading):
            for tension in wanted if wanted is not None else self.holders(member):
                held = self.by_tension[member[0]].get(tension, ())
                for stem in member[1:]:
                    more = self.by_tension[stem].get(tension, ())
                    held = tuple(i for i in held if i in more)
                for i in held:
                    found.setdefault(tension, Match()).add(word, i, value * self.texts[i].weight, member)
        return found

    def holders(self, member: tuple[str, ...]) -> Iterable[str]:
        """The tensions with a text holding the first stem of a word."""
        return self.by_tension[member[0]].keys()

    def pole_strengths(self, tension: str, match: Match) -> list[tuple[float, tuple[str, ...]]]:
        """Per pole of the tension, how strongly the match points to it rather than to the other
        poles, and the words that do: each word counts by how much more it matches this pole's
        texts than any other pole's (a word both poles' signals use says nothing of a lean)."""
        per_pole: list[dict[str, float]] = []
        for i in range(len(self.poles[tension])):
            pole = Match()
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

    def lean(self, tension: str, match: Match | None) -> Lean | None:
        """The pole the match points to by a clear margin (see the module's description)."""
        if match is None:
            return None
        strengths = self.pole_strengths(tension, match)
        if not strengths:
            return None
        ranked = sorted(range(len(strengths)), key=lambda i: -strengths[i][0])
        best = strengths[ranked[0]][0]
        rest = strengths[ranked[1]][0] if len(ranked) > 1 else 0.0
        if best < MIN_LEAN or best < LEAN_MARGIN * rest:
            return None
        pole = self.poles[tension][ranked[0]]
        return Lean(pole.name, pole.concept, strengths[ranked[0]][1])

    def signs_shown(self, reading: Reading | None) -> dict[str, tuple[float, tuple[str, ...]]]:
        """The risks whose signs hold words of the situation, by how strongly (the rarity of the
        words in the sign that holds most), and those words."""
        if reading is None:
            return {}
        wanted = [(w, (s,)) for w, s in reading.words] + list(reading.synonyms)
        # A sign is looked at when it holds one of the words that are not common.
        telling = [m for _, m in wanted if min(self.idf.get(x, self.top_idf) for x in m) >= TELLING]
        candidates = {at for m in telling for at in self.sign_postings.get(m[0], ())}
        found: dict[str, tuple[float, tuple[str, ...]]] = {}
        for risk, k in sorted(candidates):
            stems = self.signs[risk][k]
            keys = {w: max(self.idf.get(s, self.top_idf) for s in m) for w, m in wanted if set(m) <= stems}
            value = sum(keys.values())
            if value > found.get(risk, (0.0, ()))[0]:
                found[risk] = (value, tuple(keys))
        return found
