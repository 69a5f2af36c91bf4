"""The guide: from a situation or a concept to the tensions at play and what helps, each item
saying why it is there.

Pure over the model and a list of search matches. The concepts a situation's words match (with
their scores and the words they matched) are the seeds; a concept asked for by id is a seed too.
Each seed passes its score through the typed graph, halved at every step and shared among the
tensions near the seed (except between a pole and its own dilemma), so a tension is ranked by
how well the situation matches it, its poles and its neighbours, and by nothing else: a tension
no seed reaches is left out. A tension whose name, or a pole's name, the situation's words say
(in another form of a word, "rival" for "rivalry", or in a synonym from the vocabulary) gains
by how much of that name they cover, its rare words counting most. From the tensions come their
poles (`pole-of`), the pole the situation leans to (when its words match one pole clearly more
than the other), the risks of leaning too far (the lean's risks first), and what helps: traits,
drivers and practices linked to the tensions, poles or risks. Every item carries the words that
matched it and the path of typed relations (with each edge's own citations) that brought it
into the answer; the evidence is ordered by the strength of the designs behind it.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from ambidex.model import (
    TENSION_TYPES,
    Citation,
    Concept,
    ConceptType,
    Design,
    Evidence,
    KnowledgeBase,
    RelationType,
)
from ambidex.search import name_key

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
OUTCOME_RELATIONS = frozenset({RelationType.LEADS_TO})
# A seed's weight falls by this factor at each step through the graph; steps beyond MAX_STEPS
# carry nothing.
DECAY = 0.5
MAX_STEPS = 2
# Seeds: matches scoring at least this share of the best one (a long situation matches many
# entries weakly through its common words).
RELEVANT_SHARE = 1 / 3
# Tensions: those reaching this share of the best tension's weight.
TENSION_SHARE = 0.3
# A pole is the situation's lean when it gathers this many times the weight of the other poles.
LEAN_RATIO = 1.5
MAX_ITEMS = 8
# A tension the situation names gains NAME_WEIGHT times the largest share of one of its names
# (its title and aliases and those of its poles) that the situation's words cover, each word of
# the name weighted by how rare it is among the names of all concepts.
NAME_WEIGHT = 0.5
# Two stems are forms of one word when one begins the other, the shorter has at least
# MIN_STEM letters and the longer at most MAX_SUFFIX more ("rival" and "rivalry").
MIN_STEM = 5
MAX_SUFFIX = 3
# A stem in the names of more than COMMON_SHARE of the tensions (and of more than MIN_COMMON)
# names none of them; at most MAX_NAMED tensions, those the situation names most fully, gain
# from being named.
COMMON_SHARE = 0.15
MIN_COMMON = 3
MAX_NAMED = 10
# How many words' coverage of the names is kept per knowledge base.
WORD_CACHE = 2048


@dataclass(frozen=True, slots=True)
class Step:
    """One typed edge walked: source --relation--> target, with the edge's own citations."""

    source: str
    relation: RelationType
    target: str
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class Item:
    """A concept in the answer and why: the situation's words it matched itself, the seed it was
    reached from and the path of edges from that seed (empty when it matched directly)."""

    concept: Concept
    weight: float
    words: tuple[str, ...] = ()
    seed: str = ""
    path: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Tension:
    item: Item
    poles: tuple[Item, ...]
    related: tuple[Item, ...]
    lean: str | None = None

    @property
    def concept(self) -> Concept:
        return self.item.concept


@dataclass(frozen=True)
class Guide:
    """What the guide says about a situation or a concept."""

    matched: tuple[Item, ...]
    tensions: tuple[Tension, ...]
    risks: tuple[Item, ...]
    traits: tuple[Item, ...]
    drivers: tuple[Item, ...]
    practices: tuple[Item, ...]
    outcomes: tuple[Item, ...]
    evidence: tuple[tuple[Concept, Evidence], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Seed:
    """A concept the situation matched: id, score and the words it matched."""

    id: str
    score: float
    words: tuple[str, ...] = ()


def seeds_from(matches: Iterable[Seed]) -> list[Seed]:
    """The matches close enough to the best one to start a guide from, best first, scores
    scaled so that the best is 1."""
    ranked = sorted(matches, key=lambda m: -m.score)
    best = ranked[0].score if ranked else 0.0
    if best <= 0:
        return []
    return [Seed(m.id, m.score / best, m.words) for m in ranked if m.score >= RELEVANT_SHARE * best]


def _edges(kb: KnowledgeBase, concept_id: str) -> Iterable[Step]:
    """Every edge at a concept, walked either way."""
    for rel in kb.concepts[concept_id].relations:
        if rel.target in kb.concepts:
            yield Step(concept_id, rel.type, rel.target, rel.citations)
    for edge in kb.backlinks(concept_id):
        yield Step(edge.source, edge.type, concept_id, edge.citations)


# The edges at each concept, walked either way, in one flat tuple: the concept at the other
# end of the first edge, that edge, the concept at the other end of the second, and so on
# (see `_pairs`).
Adjacency = Mapping[str, tuple[str | Step, ...]]


def _adjacency(kb: KnowledgeBase) -> dict[str, tuple[str | Step, ...]]:
    """Every concept's edges, in the order `_edges` walks them; an edge seen from both of its
    ends is one `Step`."""
    steps: dict[tuple[str, RelationType, str, tuple[Citation, ...]], Step] = {}
    adjacency: dict[str, tuple[str | Step, ...]] = {}
    for cid in kb.concepts:
        flat: list[str | Step] = []
        for step in _edges(kb, cid):
            step = steps.setdefault((step.source, step.relation, step.target, step.citations), step)
            flat += (step.target if step.source == cid else step.source, step)
        adjacency[cid] = tuple(flat)
    return adjacency


def _pairs(flat: tuple[str | Step, ...]) -> Iterator[tuple[str, Step]]:
    """The (other concept, edge) pairs of a concept's flat adjacency."""
    pairs = iter(flat)
    return zip(pairs, pairs, strict=True)  # type: ignore[arg-type]


class _Reached:
    """Each concept reached from the seeds, as [its summed weight, the most one seed gave it,
    that seed's position]; its `Item` (with the path from that seed) is made when asked for."""

    __slots__ = ("_concepts", "_items", "_own_words", "_parents", "_seeds", "weights")

    def __init__(
        self,
        concepts: Mapping[str, Concept],
        seeds: Sequence[Seed],
        weights: dict[str, list[Any]],
        parents: list[dict[str, Step | None]],
    ) -> None:
        self._concepts = concepts
        self._seeds = seeds
        self.weights = weights
        self._parents = parents
        self._own_words = {s.id: s.words for s in seeds}
        self._items: dict[str, Item] = {}

    def __contains__(self, cid: object) -> bool:
        return cid in self.weights

    def get(self, cid: str) -> Item | None:
        item = self._items.get(cid)
        if item is None and cid in self.weights:
            weight, _, k = self.weights[cid]
            parent = self._parents[k]
            path: list[Step] = []
            at, step = cid, parent[cid]
            while step is not None:
                path.append(step)
                at = step.source if step.target == at else step.target
                step = parent[at]
            seed = self._seeds[k]
            words = self._own_words.get(cid, () if path else seed.words)
            item = Item(self._concepts[cid], weight, words, seed.id, tuple(reversed(path)))
            self._items[cid] = item
        return item

    def __getitem__(self, cid: str) -> Item:
        item = self.get(cid)
        if item is None:
            raise KeyError(cid)
        return item

    def __setitem__(self, cid: str, item: Item) -> None:
        self._items[cid] = item
        self.weights[cid] = [item.weight, item.weight, -1]


def _spread(prepared: Graph, seeds: Sequence[Seed]) -> _Reached:
    """Each concept reached from a seed within MAX_STEPS, with its summed weight and the path
    from the seed that gave it the most."""
    adjacency = prepared.adjacency
    tensions = prepared.tensions
    weights: dict[str, list[Any]] = {}
    parents: list[dict[str, Step | None]] = []
    for k, seed in enumerate(seeds):
        # Each concept reached, with the edge it was first reached by.
        parent: dict[str, Step | None] = {}
        parents.append(parent)
        if seed.id not in adjacency:
            continue
        parent[seed.id] = None
        frontier = [seed.id]
        levels = [frontier]
        for _ in range(MAX_STEPS):
            nxt: list[str] = []
            for cid in frontier:
                pairs: Iterator[Any] = iter(adjacency[cid])  # see `_pairs`
                for other, edge in zip(pairs, pairs, strict=True):
                    if other not in parent:
                        parent[other] = edge
                        nxt.append(other)
            levels.append(nxt)
            frontier = nxt
        # A seed near many tensions says little about which one is at play; but a pole is one
        # half of its dilemma, and the two pass their weight on to each other undivided.
        share = len(tensions.intersection(parent)) ** 0.5 or 1.0
        for depth, level in enumerate(levels):
            decayed = seed.score * DECAY**depth
            own_w = decayed / 1.0
            far_w = decayed / share
            for cid in level:
                if depth > 1:
                    w = far_w
                elif depth == 1:
                    step = parent[cid]
                    w = own_w if step is not None and step.relation is RelationType.POLE_OF else far_w
                else:
                    w = own_w
                held = weights.get(cid)
                if held is None:
                    weights[cid] = [w, w, k]
                else:
                    held[0] += w
                    if w > held[1]:
                        held[1] = w
                        held[2] = k
    return _Reached(prepared.concepts, seeds, weights, parents)


def _linked(
    adjacency: Adjacency, concept_id: str, relations: frozenset[RelationType], inbound: bool
) -> list[Step]:
    """Edges of the given types into (inbound) or out of a concept."""
    return [
        s
        for _, s in _pairs(adjacency[concept_id])
        if s.relation in relations and (s.target == concept_id if inbound else s.source == concept_id)
    ]


@dataclass(frozen=True)
class _Names:
    """What a knowledge base names its tensions by: each title and alias of a tension or of its
    poles as the tension's id, the name's stems and their summed weight (each stem weighing how
    rare it is among the names of all concepts); the names holding each stem; the stems by
    their first MIN_STEM letters; and per vocabulary key, the keys of its group."""

    names: tuple[tuple[str, frozenset[str], float], ...]
    idf: Mapping[str, float]
    by_stem: Mapping[str, tuple[int, ...]]
    by_start: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, tuple[str, ...]]


def _names_of(kb: KnowledgeBase, adjacency: Adjacency) -> _Names:
    """The names of `kb`'s tensions."""
    own: dict[str, list[frozenset[str]]] = {}
    df: dict[str, int] = {}
    # One copy of each stem, however many names hold it.
    one: dict[str, str] = {}
    for cid, concept in kb.concepts.items():
        keys = dict.fromkeys(name_key(n) for n in (concept.title, *(a.name for a in concept.aliases)))
        own[cid] = [frozenset(one.setdefault(t, t) for t in k.split()) for k in keys if k]
        for stem in frozenset().union(*own[cid]):
            df[stem] = df.get(stem, 0) + 1
    idf = {stem: math.log((len(kb.concepts) + 1) / n) for stem, n in df.items()}
    names: list[tuple[str, frozenset[str], float]] = []
    by_stem: dict[str, set[int]] = {}
    for cid, concept in kb.concepts.items():
        if concept.type not in TENSION_TYPES:
            continue
        named = [cid]
        named += [s.source for s in _linked(adjacency, cid, frozenset({RelationType.POLE_OF}), True)]
        named += [s.target for s in _linked(adjacency, cid, frozenset({RelationType.OPPOSES}), False)]
        for stems in dict.fromkeys(n for c in named for n in own[c]):
            for stem in stems:
                by_stem.setdefault(stem, set()).add(len(names))
            names.append((cid, stems, sum(idf[t] for t in stems)))
    # A stem in the names of many tensions names none of them.
    holders = {stem: len({names[i][0] for i in held}) for stem, held in by_stem.items()}
    tension_count = len({cid for cid, _, _ in names})
    most = max(MIN_COMMON, COMMON_SHARE * tension_count)
    by_stem = {stem: held for stem, held in by_stem.items() if holders[stem] <= most}
    by_start: dict[str, list[str]] = {}
    for stem in by_stem:
        if len(stem) >= MIN_STEM:
            by_start.setdefault(stem[:MIN_STEM], []).append(stem)
    indexes = list(range(len(names)))
    groups: dict[str, tuple[str, ...]] = {}
    for group in kb.vocabulary:
        members = tuple(dict.fromkeys(k for k in map(name_key, group) if k))
        for k in members:
            groups.setdefault(k, members)
    return _Names(
        tuple(names),
        MappingProxyType(idf),
        # Each stem's names in the order a set of them gives, each index one object.
        MappingProxyType({t: tuple(indexes[i] for i in frozenset(held)) for t, held in by_stem.items()}),
        MappingProxyType({t: tuple(v) for t, v in by_start.items()}),
        MappingProxyType(groups),
    )


class Graph:
    """What the graph walk works out once per build: the graph's edges at each concept, the ids
    of the tensions and the names of the tensions. Made once per build and handed to `guide`."""

    __slots__ = ("adjacency", "concepts", "cover", "designs", "names", "tensions")

    def __init__(self, kb: KnowledgeBase) -> None:
        self.concepts = kb.concepts
        self.adjacency: Adjacency = _adjacency(kb)
        self.tensions = frozenset(cid for cid, c in kb.concepts.items() if c.type in TENSION_TYPES)
        self.names = _names_of(kb, self.adjacency)
        # The strongest design of each reference that names one.
        self.designs: Mapping[str, int] = {
            key: best
            for key, ref in kb.references.items()
            if (best := max((DESIGN_STRENGTH.get(d, 0) for d in ref.designs), default=0))
        }
        # What each word covers of the names, for the words most recently asked about.
        self.cover: Callable[[str], _Cover] = functools.lru_cache(maxsize=WORD_CACHE)(
            functools.partial(_cover, self.names)
        )

    def strength(self, citations: Iterable[Citation]) -> int:
        """The strongest design among the cited references (0 for practitioner views)."""
        return max((self.designs.get(c.key, 0) for c in citations), default=0)


def _same_word(a: str, b: str) -> bool:
    """Whether two stems are forms of one word: equal, or one begins the other closely."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= MIN_STEM and len(long) - len(short) <= MAX_SUFFIX and long.startswith(short)


class _Cover(NamedTuple):
    """What one word (or a word of the vocabulary that means the same) covers of the tensions'
    names: the names' indexes, in the order the word first covers them, with the tension and
    the share of each name the word covers; the tensions it names most fully, at most MAX_NAMED of them, most
    fully named first; and per variant of the word, per stem, the stems of the names that are
    forms of it (from which the stems the word covers of any one name can be found again)."""

    names: tuple[int, ...]
    tensions: tuple[str, ...]
    shares: tuple[float, ...]
    top: tuple[tuple[str, float], ...]
    forms: tuple[tuple[tuple[str, ...], ...], ...]


def _cover(index: _Names, word: str) -> _Cover:
    """What `word` covers of the names."""
    key = name_key(word)
    parts: dict[int, list[set[str]]] = {}
    variants: list[tuple[tuple[str, ...], ...]] = []
    for variant in index.groups.get(key, (key,)) if key else ():
        found: dict[int, set[str]] | None = None
        stem_forms: list[tuple[str, ...]] = []
        for stem in variant.split():
            forms = [n for n in index.by_start.get(stem[:MIN_STEM], ()) if _same_word(stem, n)]
            forms += [stem] if stem in index.by_stem and stem not in forms else []
            stem_forms.append(tuple(forms))
            holding: dict[int, set[str]] = {}
            for n in forms:
                for i in index.by_stem[n]:
                    holding.setdefault(i, set()).add(n)
            if found is None:
                found = holding
            else:
                found = {i: found[i] | holding[i] for i in found.keys() & holding.keys()}
        variants.append(tuple(stem_forms))
        for i, stems in (found or {}).items():
            parts.setdefault(i, []).append(stems)
    shares = [_share(index, index.names[i][2], found_stems) for i, found_stems in parts.items()]
    best: dict[str, float] = {}
    for i, share in zip(parts, shares, strict=True):
        tid = index.names[i][0]
        if share > best.get(tid, 0.0):
            best[tid] = share
    top = heapq.nsmallest(MAX_NAMED, best.items(), key=lambda pair: (-pair[1], pair[0]))
    tensions = tuple(index.names[i][0] for i in parts)
    return _Cover(tuple(parts), tensions, tuple(shares), tuple(top), tuple(variants))


def _found(index: _Names, cover: _Cover, i: int) -> list[set[str]]:
    """The stems of name `i` that the word of `cover` covers, per variant of the word, found
    as `_cover` finds them (the same sets, built the same way)."""
    stems = index.names[i][1]
    found: list[set[str]] = []
    for variant in cover.forms:
        covered: set[str] | None = None
        for forms in variant:
            holding = set()
            for n in forms:
                if n in stems:
                    holding.add(n)
            if not holding:
                break
            covered = holding if covered is None else covered | holding
        else:
            if covered is not None:
                found.append(covered)
    return found


def _share(index: _Names, total: float, parts: Iterable[AbstractSet[str]]) -> float:
    """The share of a name of summed weight `total` that the stems found cover."""
    stems: set[str] = set()
    for found in parts:
        stems.update(found)
    return sum(index.idf[n] for n in stems) / total if total else 0.0


def _named(prepared: Graph, words: Iterable[str]) -> dict[str, tuple[float, tuple[str, ...]]]:
    """The tensions the words name: per tension, the largest share of one of its names (or
    of a pole's) that the words (or words of the vocabulary that mean the same) cover, each
    stem of the name weighted by how rare it is, and the words that cover it."""
    index = prepared.names
    words = list(dict.fromkeys(words))
    covers = [prepared.cover(word) for word in words]
    # A name two words cover has a share of its own; the tensions of such names are worked out
    # name by name below. Any other tension is named most fully by one word alone, and is then
    # among that word's most fully named tensions if it is among the words' MAX_NAMED.
    seen: set[int] = set()
    shared: set[int] = set()
    for cover in covers:
        shared.update(seen.intersection(cover.names))
        seen.update(cover.names)
    best: dict[str, tuple[float, tuple[str, ...]]] = {}
    for word, cover in zip(words, covers, strict=True):
        for tid, share in cover.top:
            if share > best.get(tid, (0.0, ()))[0]:
                best[tid] = (share, (word,))
    if not shared:
        return dict(heapq.nsmallest(MAX_NAMED, best.items(), key=lambda pair: (-pair[1][0], pair[0])))
    affected = {index.names[i][0] for i in shared}
    # Per word, the names it covers of the tensions a shared name belongs to, in its order.
    held: list[dict[str, list[tuple[int, float]]]] = []
    for cover in covers:
        mine: dict[str, list[tuple[int, float]]] = {}
        for i, tid, share in zip(cover.names, cover.tensions, cover.shares, strict=True):
            if tid in affected:
                mine.setdefault(tid, []).append((i, share))
        held.append(mine)
    for tid in affected:
        names: dict[int, tuple[list[int], float]] = {}
        for k, mine in enumerate(held):
            for i, share in mine.get(tid, ()):
                if i in names:
                    names[i][0].append(k)
                else:
                    names[i] = ([k], share)
        tension_best: tuple[float, tuple[str, ...]] = (0.0, ())
        for i, (by, share) in names.items():
            if len(by) > 1:
                parts = [stems for k in by for stems in _found(index, covers[k], i)]
                share = _share(index, index.names[i][2], parts)
            if share > tension_best[0]:
                tension_best = (share, tuple(words[k] for k in by))
        if tension_best[0] > 0.0:
            best[tid] = tension_best
    return dict(heapq.nsmallest(MAX_NAMED, best.items(), key=lambda pair: (-pair[1][0], pair[0])))


def guide(
    kb: KnowledgeBase,
    *,
    concept_id: str | None = None,
    matches: Iterable[Seed] = (),
    limit: int = 5,
    graph: Graph | None = None,
) -> Guide:
    """The guide for a concept id, the search matches of a situation, or both (`graph`: what
    was worked out of `kb` once, else worked out now)."""
    matches = list(matches)
    seeds = seeds_from(matches)
    if concept_id is not None and concept_id in kb.concepts:
        seeds = [Seed(concept_id, 1.0), *(s for s in seeds if s.id != concept_id)]
    prepared = graph if graph is not None else Graph(kb)
    adjacency = prepared.adjacency
    reached = _spread(prepared, seeds)
    # A tension the situation names (or names a pole of) is at play whatever the graph says.
    for tid, (share, named_by) in _named(prepared, (w for m in matches for w in m.words)).items():
        gain = NAME_WEIGHT * share
        base = reached.get(tid)
        if base is None or (base.path and gain > base.weight):
            reached[tid] = Item(kb.concepts[tid], gain + (base.weight if base else 0.0), named_by, tid)
        else:
            both = tuple(dict.fromkeys((*base.words, *named_by)))
            reached[tid] = replace(base, weight=base.weight + gain, words=both)

    def item(cid: str, via: Item | None = None, step: Step | None = None) -> Item:
        """The concept as reached from the seeds, or (not reached) through `step` from `via`."""
        found = reached.get(cid)
        if found is not None:
            return found
        assert via is not None and step is not None
        return Item(kb.concepts[cid], 0.0, (), via.seed, (*via.path, step))

    weights = reached.weights
    candidates = sorted((-weights[cid][0], cid) for cid in prepared.tensions.intersection(weights))
    top = -candidates[0][0] if candidates else 0.0
    chosen = [reached[cid] for w, cid in candidates[:limit] if -w >= TENSION_SHARE * top]

    tensions: list[Tension] = []
    in_answer: dict[str, None] = {}
    for t in chosen:
        linked = [(cid, s) for cid, s in _pairs(adjacency[t.concept.id]) if cid in prepared.tensions]
        linked_ids = [cid for cid, _ in linked]
        pole_steps = [
            s
            for tid in [t.concept.id, *linked_ids]
            for s in _linked(adjacency, tid, frozenset({RelationType.POLE_OF}), True)
        ]
        pole_steps += _linked(adjacency, t.concept.id, frozenset({RelationType.OPPOSES}), False)
        poles: dict[str, Item] = {}
        for s in pole_steps:
            pid = s.source if s.relation is RelationType.POLE_OF else s.target
            if pid != t.concept.id and pid not in poles:
                poles[pid] = item(pid, t, s)
        related = [item(cid, t, s) for cid, s in linked if cid not in poles]
        lean = _lean(list(poles.values()), seeds)
        tensions.append(Tension(t, tuple(poles.values()), tuple(dict.fromkeys(related)), lean))
        in_answer.update(dict.fromkeys([t.concept.id, *poles, *linked_ids]))

    # Risks: of the lean pole first, then of the tensions, their other poles and linked tensions.
    core_order: list[tuple[Item, bool]] = []
    for tension in tensions:
        leaned = [p for p in tension.poles if p.concept.id == tension.lean]
        core_order += [(p, True) for p in leaned]
        core_order += [(tension.item, False)] + [
            (p, False) for p in tension.poles if p.concept.id != tension.lean
        ]
        core_order += [(r, False) for r in tension.related]
    risks: dict[str, tuple[Item, bool]] = {}
    for core, is_lean in core_order:
        for s in _linked(adjacency, core.concept.id, frozenset({RelationType.RISK_OF}), True):
            if s.source not in risks:
                risks[s.source] = (item(s.source, core, s), is_lean)
    for seed in seeds:
        concept = kb.concepts.get(seed.id)
        if concept is not None and concept.type is ConceptType.RISK and seed.id not in risks and tensions:
            risks[seed.id] = (reached[seed.id], False)
    risk_items = [r for r, _ in sorted(risks.values(), key=lambda p: (not p[1], -p[0].weight))][:MAX_ITEMS]
    in_answer.update(dict.fromkeys(r.concept.id for r in risk_items))

    helpers: dict[str, Item] = {}
    for core in [*(c for c, _ in core_order), *risk_items]:
        for s in _linked(adjacency, core.concept.id, HELP_RELATIONS, True):
            helpers.setdefault(s.source, item(s.source, core, s))
    outcomes: dict[str, Item] = {}
    for core, _ in core_order:
        for s in _linked(adjacency, core.concept.id, OUTCOME_RELATIONS, False):
            outcomes.setdefault(s.target, item(s.target, core, s))

    def ranked(items: Iterable[Item], *types: ConceptType) -> tuple[Item, ...]:
        chosen_items = [i for i in items if not types or i.concept.type in types]
        return tuple(sorted(chosen_items, key=lambda i: (-i.weight, len(i.path), i.concept.id))[:MAX_ITEMS])

    traits = ranked(helpers.values(), ConceptType.TRAIT)
    drivers = ranked(helpers.values(), ConceptType.DRIVER)
    practices = ranked(helpers.values(), ConceptType.PRACTICE)
    outcome_items = ranked(outcomes.values())
    for group in (traits, drivers, practices, outcome_items):
        in_answer.update(dict.fromkeys(i.concept.id for i in group))
    matched = tuple(reached[s.id] for s in seeds if s.id in reached)
    evidence = [(kb.concepts[c], e) for c in in_answer for e in kb.concepts[c].evidence]
    evidence.sort(key=lambda pair: -prepared.strength(pair[1].citations))
    return Guide(
        matched=matched,
        tensions=tuple(tensions),
        risks=tuple(risk_items),
        traits=traits,
        drivers=drivers,
        practices=practices,
        outcomes=outcome_items,
        evidence=tuple(evidence),
    )


def tension_weights(graph: Graph, matches: Iterable[Seed], limit: int = 5) -> dict[str, float]:
    """The tensions the walk reaches from a situation's search matches, with their weights: the
    first `limit` of those with TENSION_SHARE of the best weight or more, as `guide` ranks them
    (without the names a situation says, which the caller weighs itself)."""
    reached = _spread(graph, seeds_from(matches))
    ranked = sorted((-w[0], cid) for cid, w in reached.weights.items() if cid in graph.tensions)
    top = -ranked[0][0] if ranked else 0.0
    return {cid: -w for w, cid in ranked[:limit] if -w >= TENSION_SHARE * top}


def _lean(poles: Sequence[Item], seeds: Sequence[Seed]) -> str | None:
    """The pole the situation's own words point to, when one clearly outweighs the others."""
    direct = {s.id: s.score for s in seeds}
    scored = sorted(((direct.get(p.concept.id, 0.0), p.concept.id) for p in poles), reverse=True)
    if not scored or scored[0][0] <= 0:
        return None
    rest = scored[1][0] if len(scored) > 1 else 0.0
    return scored[0][1] if scored[0][0] >= LEAN_RATIO * rest else None


# How much a design can show, strongest first; what no design names counts least.
DESIGN_STRENGTH: Mapping[Design, int] = MappingProxyType(
    {
        Design.META_ANALYSIS: 9,
        Design.FIELD_EXPERIMENT: 8,
        Design.LAB_EXPERIMENT: 7,
        Design.QUASI_EXPERIMENT: 7,
        Design.LONGITUDINAL_SURVEY: 6,
        Design.DYADIC_SURVEY: 5,
        Design.SURVEY: 4,
        Design.SIMULATION: 3,
        Design.QUALITATIVE: 3,
        Design.CASE_STUDY: 2,
        Design.REVIEW: 2,
        Design.CONCEPTUAL: 1,
    }
)


class Matcher(Protocol):
    """What the guide needs of a search index: the concepts a text matches, scored."""

    def matches(self, text: str, kind: str | None = "concept", limit: int = 30) -> Sequence[Any]: ...


def answer(
    kb: KnowledgeBase,
    index: Matcher,
    situation: str | None = None,
    concept: str | None = None,
    graph: Graph | None = None,
) -> Guide:
    """The guide for a free-text situation (searched in `index`), a concept id, or both."""
    matches = [Seed(m.id, m.score, tuple(m.words)) for m in index.matches(situation)] if situation else []
    return guide(kb, concept_id=concept, matches=matches, graph=graph)
