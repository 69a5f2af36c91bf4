"""Synthetic knowledge bases for benchmarks: n concepts with proportional references and links.

    python -m bench.generate OUT_DIR N [--seed S]

Every generated base is valid (`ambidex check --strict` is clean): each concept cites, links and
relates to others, with a body long enough for its type and an "In short"; every reference is
cited and has a design; causal relations cite an experiment. Tensions (dilemmas, forms of
ambidexterity) have two poles, each an orientation with signals, cited moves and questions; risks
have signs.
"""

from __future__ import annotations

import argparse
import itertools
import random
from pathlib import Path

from ambidex.model import CAUSAL_RELATIONS, ConceptType, RelationType

WORDS = [
    "service",
    "sales",
    "hunting",
    "farming",
    "exploration",
    "exploitation",
    "customer",
    "account",
    "revenue",
    "churn",
    "burnout",
    "ambiguity",
    "polychronicity",
    "promotion",
    "prevention",
    "focus",
    "judgment",
    "leader",
    "organisation",
    "efficiency",
    "effectiveness",
    "growth",
    "profitability",
    "autonomy",
    "control",
    "learning",
    "performance",
    "quality",
    "productivity",
    "stability",
    "change",
    "collaboration",
    "competition",
    "feedback",
    "climate",
    "innovation",
    "demand",
    "resource",
    "value",
    "contract",
    "alignment",
    "process",
    "automation",
    "insight",
    "retention",
    "acquisition",
    "selling",
    "consultative",
    "transactional",
    "strategy",
    "quota",
    "pressure",
    "role",
    "conflict",
]

RELATIONS = [r for r in RelationType if r is not RelationType.RELATED]


def _vocabulary(size: int = 4000) -> list[str]:
    """The domain words, then pseudo-words made of syllables: a vocabulary of natural size."""
    syllables = [
        "ba",
        "be",
        "bi",
        "bo",
        "ca",
        "co",
        "da",
        "de",
        "di",
        "fa",
        "fe",
        "ga",
        "go",
        "ka",
        "ke",
        "la",
        "le",
        "li",
        "lo",
        "ma",
        "me",
        "mi",
        "mo",
        "na",
        "ne",
        "no",
        "pa",
        "pe",
        "po",
        "ra",
        "re",
        "ri",
        "ro",
        "sa",
        "se",
        "si",
        "so",
        "ta",
        "te",
        "ti",
        "to",
        "va",
        "ve",
        "vi",
        "za",
    ]
    rng = random.Random(12345)
    words = dict.fromkeys(WORDS)
    while len(words) < size:
        words.setdefault("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return list(words)


VOCABULARY = _vocabulary()
# Word frequencies follow Zipf's law, as in real text: a few words are everywhere, most are rare.
_CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(VOCABULARY))))


def zipf_words(rng: random.Random, n: int) -> list[str]:
    return rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=n)


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(zipf_words(rng, n))


def _reference(index: int, rng: random.Random) -> tuple[str, str]:
    key = f"author{index}{1990 + index % 35}{rng.choice(WORDS)}"
    title = f"{_phrase(rng, 6).capitalize()} {index}"
    return key, (
        f"@article{{{key},\n  author  = {{Author{index}, Ann and Writer, Bo}},\n"
        f"  title   = {{{title}}},\n  journal = {{Journal of {rng.choice(WORDS).capitalize()}}},\n"
        f"  year    = {{{1990 + index % 35}}},\n  volume  = {{{1 + index % 40}}},\n"
        f"  pages   = {{{index % 300 + 1}--{index % 300 + 15}}},\n"
        f"  doi     = {{10.{5000 + index % 4000}/synthetic.{index}}},\n"
        f"  design  = {{{'field-experiment' if _experiment(index) else 'survey'}}}\n}}\n"
    )


def _experiment(index: int) -> bool:
    """Every third reference reports an experiment, so causal relations have sources."""
    return index % 3 == 0


def generate(root: Path, n_concepts: int, seed: int = 0) -> Path:
    """Write a synthetic knowledge base of `n_concepts` concepts under `root`; return `root`."""
    rng = random.Random(seed)
    n_refs = max(10, n_concepts // 10)
    refs = [_reference(i, rng) for i in range(n_refs)]
    keys = [key for key, _ in refs]
    root.mkdir(parents=True, exist_ok=True)
    (root / "references.bib").write_text("\n".join(text for _, text in refs), encoding="utf-8")
    types = list(ConceptType)
    ids = [f"concept-{i}-{rng.choice(WORDS)}" for i in range(n_concepts)]
    orientations = [c for i, c in enumerate(ids) if types[i % len(types)] is ConceptType.ORIENTATION]
    for i, concept_id in enumerate(ids):
        concept_type = types[i % len(types)]
        cited = [keys[i % n_refs], rng.choice(keys)]
        targets = sorted({ids[(i + 1) % n_concepts], rng.choice(ids)} - {concept_id})
        relation = RELATIONS[i % len(RELATIONS)]
        if relation in CAUSAL_RELATIONS:  # a causal relation cites an experiment of its own
            source = keys[3 * rng.randrange((n_refs + 2) // 3)]
            items = "".join(f'\n    - {{target: {t}, cite: "[@{source}]"}}' for t in targets)
        else:
            items = f" [{', '.join(targets)}]"
        tension = concept_type in (ConceptType.DILEMMA, ConceptType.AMBIDEXTERITY)
        paragraphs = 7 if tension else 3
        link = ids[(i + 7) % n_concepts]
        advice = ""
        if tension and orientations:
            advice = "poles:\n" + "".join(
                f"  - name: {_phrase(rng, 2).capitalize()}\n    concept: {rng.choice(orientations)}\n"
                "    signals:\n"
                + "".join(f"      - {_phrase(rng, 9).capitalize()}.\n" for _ in range(3))
                + "    moves:\n"
                + "".join(
                    f"      - {_phrase(rng, 12).capitalize()} [@{rng.choice(cited)}].\n" for _ in range(2)
                )
                + "    questions:\n"
                + "".join(f"      - {_phrase(rng, 8).capitalize()}?\n" for _ in range(2))
                for _ in range(2)
            )
        elif concept_type is ConceptType.RISK:
            advice = "signs:\n" + "".join(f"  - {_phrase(rng, 9).capitalize()}.\n" for _ in range(3))
        text = (
            "---\n"
            f"id: {concept_id}\n"
            f"title: {_phrase(rng, 3).capitalize()} {i}\n"
            f"type: {concept_type.value}\n"
            f"summary: {_phrase(rng, 18).capitalize()} [@{cited[0]}].\n"
            f"in_short: {_phrase(rng, 20).capitalize()}.\n"
            f"aliases: [alias {i} {rng.choice(WORDS)}]\n"
            f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
            f"relations:\n  {relation.value}:{items}\n"
            f"evidence:\n  - {_phrase(rng, 14).capitalize()} [@{cited[1]}].\n"
            f"{advice}"
            "---\n\n"
            + "\n\n".join(
                f"{_phrase(rng, 40).capitalize()} [@{rng.choice(cited)}] and [[{link}]]."
                for _ in range(paragraphs)
            )
            + "\n"
        )
        path = root / "kb" / concept_type.directory / f"{concept_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generate(args.out, args.n, args.seed)


if __name__ == "__main__":
    main()
