"""The words of a manager's situation, as the guide reads them: tokens, their stems, the
vocabulary's synonyms, and the words that only say who.

Words that say *who* are context (see `ambidex.roles`, the one place that lists them): they
are taken out before anything is matched.

Synonyms come from the vocabulary (`kb/vocabulary.yml`). A situation's word or phrase is
compared with a vocabulary member word by word (each word stemmed once), and a match adds the
stems of the other members of its group: a synonym is expanded on whole words and phrases, and
never chains on into a stem of some other word. A group that has a role word as a member
(rep, manager) is a group of roles: it expands nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ambidex.roles import ROLE_MODIFIERS, ROLE_PHRASES, ROLE_WORDS
from ambidex.search import CONTROL, QUERY_STOP_WORDS, stem_of

# Everyday words that say nothing about a tension, beside the search's own stop words (but for
# the words of amount, which say how hard a team pushes: more calls, fewer deals).
STOP_WORDS = (QUERY_STOP_WORDS - {"more", "most", "fewer", "less"}) | frozenset(
    [
        "also",
        "again",
        "always",
        "another",
        "around",
        "back",
        "can",
        "cannot",
        "can't",
        "could",
        "day",
        "days",
        "don't",
        "doesn't",
        "each",
        "else",
        "enough",
        "every",
        "feel",
        "feels",
        "felt",
        "first",
        "get",
        "gets",
        "give",
        "given",
        "gives",
        "going",
        "good",
        "got",
        "help",
        "know",
        "knows",
        "last",
        "let",
        "lot",
        "lots",
        "many",
        "maybe",
        "might",
        "much",
        "must",
        "need",
        "needs",
        "new",
        "next",
        "now",
        "often",
        "one",
        "ones",
        "only",
        "other",
        "part",
        "put",
        "quite",
        "rather",
        "right",
        "same",
        "see",
        "seem",
        "seems",
        "since",
        "sure",
        "tell",
        "tells",
        "think",
        "thinks",
        "though",
        "time",
        "told",
        "try",
        "tries",
        "two",
        "use",
        "used",
        "want",
        "well",
        "whether",
        "will",
        "yet",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "today",
        "ago",
        "already",
        "just",
        "little",
        "long",
    ]
)

# Function words of the languages a reader might paste text in by mistake: a text made of
# these and no English function word is not English.
_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "is",
        "are",
        "was",
        "were",
        "be",
        "it",
        "that",
        "this",
        "with",
        "for",
        "not",
        "have",
        "has",
        "do",
        "does",
        "our",
        "we",
        "my",
        "i",
        "you",
        "they",
        "them",
        "their",
        "at",
        "as",
        "by",
        "from",
        "but",
        "what",
        "how",
        "why",
        "should",
    ]
)
_FOREIGN = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "ein",
        "eine",
        "einen",
        "wir",
        "unsere",
        "unser",
        "sich",
        "mit",
        "auf",
        "für",
        "zu",
        "den",
        "dem",
        "des",
        "sie",
        "ich",
        "es",
        "auch",
        "noch",
        "wie",
        "wenn",
        "aber",
        "oder",
        "le",
        "la",
        "les",
        "et",
        "est",
        "une",
        "un",
        "des",
        "nous",
        "notre",
        "sont",
        "avec",
        "pour",
        "dans",
        "qui",
        "que",
        "pas",
        "el",
        "los",
        "las",
        "es",
        "y",
        "para",
        "con",
        "por",
        "una",
        "del",
        "que",
        "nuestro",
        "nuestros",
        "está",
        "il",
        "lo",
        "gli",
        "che",
        "non",
        "per",
        "sono",
        "het",
        "een",
        "en",
        "van",
        "zijn",
        "niet",
        "wij",
        "onze",
        "om",
    ]
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def clean(text: str) -> str:
    """Printable NFKC text, whitespace collapsed: how a situation is kept and compared."""
    text = CONTROL.sub(" ", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", " ", text).strip()


def tokens(text: str) -> list[str]:
    """The words of a text, lower-cased, in order ("after-sales" is two words)."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def is_english(words: Sequence[str]) -> bool:
    """Whether a text's words read as English: a text of four or more words with no English
    function word but some of another language's is not."""
    if len(words) < 4:
        return True
    english = sum(w in _ENGLISH for w in words)
    foreign = sum(w in _FOREIGN for w in words)
    return english > 0 or foreign == 0


def _stem_all(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(stem_of(w) or w for w in words)


@dataclass(frozen=True)
class Vocabulary:
    """The vocabulary's groups, each member as its stemmed words; per member's first stem, the
    (member, group) pairs that start with it."""

    by_first: Mapping[str, tuple[tuple[tuple[str, ...], int], ...]]
    groups: tuple[tuple[tuple[str, ...], ...], ...]

    @classmethod
    def of(cls, groups: Iterable[Iterable[str]]) -> Vocabulary:
        stemmed: list[tuple[tuple[str, ...], ...]] = []
        by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for group in groups:
            members = tuple(dict.fromkeys(m for m in (_stem_all(tokens(t)) for t in group) if m))
            if any(len(m) == 1 and m[0] in _ROLE_STEMS for m in members):
                continue  # a group of roles expands nothing
            for member in members:
                by_first.setdefault(member[0], []).append((member, len(stemmed)))
            stemmed.append(members)
        frozen = {k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in by_first.items()}
        return cls(MappingProxyType(frozen), tuple(stemmed))


_ROLE_STEMS = frozenset(_stem_all(ROLE_WORDS))


@dataclass(frozen=True)
class Reading:
    """What the guide reads in a text: its meaningful words (surface form and stem, role words
    and stop words left out), and the synonyms they bring (each a vocabulary member as its
    stems, all of which a text must hold), each with the words that brought it."""

    words: tuple[tuple[str, str], ...]
    synonyms: tuple[tuple[str, tuple[str, ...]], ...]
    english: bool
    all_words: int

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(s for _, s in self.words)


_PHRASES_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in sorted(ROLE_PHRASES, key=len, reverse=True):
    _PHRASES_BY_FIRST.setdefault(_phrase[0], []).append(_phrase)


def _roles_removed(words: list[str]) -> list[str | None]:
    """The words with those that say who replaced by None (see the module's lists)."""
    kept: list[str | None] = list(words)
    i = 0
    while i < len(words):
        for phrase in _PHRASES_BY_FIRST.get(words[i], ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                for k in range(i, i + len(phrase)):
                    kept[k] = None
                i += len(phrase) - 1
                break
        i += 1
    for i, w in enumerate(words):
        if w in ROLE_WORDS or (stem_of(w) or w) in _ROLE_STEMS:
            kept[i] = None
    # A modifier right before a role word (or before another modifier that is): "our top reps".
    for i in range(len(words) - 2, -1, -1):
        if words[i] in ROLE_MODIFIERS and kept[i + 1] is None:
            kept[i] = None
    return kept


def read(text: str, vocabulary: Vocabulary) -> Reading:
    """The meaningful words of `text` and the synonyms they bring."""
    words = tokens(text)
    kept = _roles_removed(words)
    stems = [(stem_of(w) or w) if w is not None else None for w in kept]
    meaningful: dict[str, str] = {}
    for w, s in zip(kept, stems, strict=True):
        if w is not None and s is not None and w not in STOP_WORDS and len(w) > 1 and not w.isdigit():
            meaningful.setdefault(s, w)
    synonyms: dict[tuple[str, ...], str] = {}
    for i, first in enumerate(stems):
        if first is None:
            continue
        for member, group in vocabulary.by_first.get(first, ()):
            if tuple(stems[i : i + len(member)]) != member:
                continue
            said = " ".join(w for w in kept[i : i + len(member)] if w)
            for other in vocabulary.groups[group]:
                wanted = tuple(s for s in other if s not in _ROLE_STEMS and s not in _STOP_STEMS)
                if other != member and wanted and not set(wanted) <= meaningful.keys():
                    synonyms.setdefault(wanted, said)
            break
    return Reading(
        tuple((w, s) for s, w in meaningful.items()),
        tuple((w, m) for m, w in synonyms.items()),
        is_english(words),
        len(words),
    )


_STOP_STEMS = frozenset(_stem_all(STOP_WORDS))
