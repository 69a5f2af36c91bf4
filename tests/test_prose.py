"""Words of prose: what counts as a word, and runs of words shared with original texts."""

from __future__ import annotations

import pytest

from ambidex.prose import Phrases, visible_text, word_count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Three plain words.", 3),
        ("Cited [@gabler2017dark, p. 383] and [see @a; @b] and @narrative2000 here.", 4),
        ("A [[role-ambiguity]] link and a [[role-ambiguity|labelled one]].", 8),
        ("A [Markdown link](https://example.org/a-b-c) and https://example.org/x-y bare.", 5),
        ("**Bold**, _emphasis_, `code`, # heading and - bullets.", 6),
        ("<span class='x'>Tagged</span> text.", 2),
        ("Before.\n\n```python\nnot = prose + at(all)\n```\n\nAfter.", 2),
        ("Don't count the apostrophe’s parts twice.", 6),
        ("", 0),
    ],
    ids=[
        "plain",
        "citations",
        "concept-links",
        "markdown-links",
        "markup",
        "html",
        "fenced-code",
        "apostrophes",
        "empty",
    ],
)
def test_word_count(text: str, count: int) -> None:
    assert word_count(text) == count


def test_visible_text_keeps_every_offset_and_line() -> None:
    text = "One [@key].\nTwo [[id|label]] [x](https://y.example)\n"
    visible = visible_text(text)
    assert len(visible) == len(text) and visible.count("\n") == text.count("\n")
    assert visible.split() == ["One", ".", "Two", "label", "x"]


ORIGINALS = [
    "The quick brown fox jumps over the lazy dog near the river bank today.",
    "Salespeople who serve and sell at once report more conflict between their goals.",
]


def test_runs_are_maximal_and_name_their_original() -> None:
    phrases = Phrases(ORIGINALS, 9)
    text = "Intro: THE quick brown fox jumps over the lazy dog near the river. Then salespeople who serve"
    (run,) = phrases.shared_runs(text)
    assert (run.start, run.length, run.original) == (7, 12, 0)
    assert run.excerpt == "the quick brown fox jumps over the lazy dog near the river"


def test_two_runs_and_normalised_words() -> None:
    phrases = Phrases(ORIGINALS, 9)
    text = (
        "“Salespeople who serve and sell at once report more conflict” [@x]. "
        "And: the quick brown fox jumps over the lazy dog, [[near|near]] the river."
    )
    runs = list(phrases.shared_runs(text))
    assert [(r.original, r.length) for r in runs] == [(1, 10), (0, 12)]
    assert text[runs[1].start :].startswith("the quick")


def test_eight_words_are_not_a_run_and_no_originals_match_nothing() -> None:
    assert list(Phrases(ORIGINALS, 9).shared_runs("the quick brown fox jumps over the lazy")) == []
    assert not Phrases([], 9) and list(Phrases([], 9).shared_runs(ORIGINALS[0])) == []
