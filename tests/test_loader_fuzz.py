"""Fuzzing the loader: any bytes in front matter, body or .bib give problems, never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ambidex.checks import validate
from tests.conftest import BIB, base_files, write_files

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
YAML_ALPHABET = st.sampled_from(
    [*list("abc:-[]{}'\"#&*!|>%@`,?\n\t "), "id: ", "title: ", "type: ", "\n  - "]
)


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    write_files(root, {**base_files(), **files})


def _assert_located(root: Path) -> None:
    _, problems = validate(root)
    for p in problems:
        assert p.line >= 1 and p.col >= 1 and p.code and p.message
        assert (root / p.path).exists(), p


@FUZZ
@given(
    front=st.one_of(
        st.binary(max_size=400).map(lambda b: b.decode("latin-1")),
        st.lists(YAML_ALPHABET, max_size=60).map("".join),
    )
)
def test_any_front_matter(tmp_path_factory: object, front: str) -> None:
    root = Path(tmp_path_factory.mktemp("kb"))  # type: ignore[attr-defined]
    _write(root, {"kb/risks/fuzzed.md": f"---\n{front}\n---\nbody\n"})
    _assert_located(root)


@FUZZ
@given(body=st.text(max_size=400))
def test_any_body(tmp_path_factory: object, body: str) -> None:
    root = Path(tmp_path_factory.mktemp("kb"))  # type: ignore[attr-defined]
    text = base_files()["kb/risks/role-ambiguity.md"] + body
    _write(root, {"kb/risks/role-ambiguity.md": text})
    _assert_located(root)


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_as_a_concept_file(tmp_path_factory: object, data: bytes) -> None:
    root = Path(tmp_path_factory.mktemp("kb"))  # type: ignore[attr-defined]
    _write(root, {"kb/risks/fuzzed.md": data})
    _assert_located(root)


@FUZZ
@given(
    tail=st.one_of(
        st.text(alphabet=st.sampled_from(list('@{}(),="#% \nabc12')), max_size=120),
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    )
)
def test_any_bibtex(tmp_path_factory: object, tail: str) -> None:
    root = Path(tmp_path_factory.mktemp("kb"))  # type: ignore[attr-defined]
    _write(root, {"references.bib": BIB + tail})
    _assert_located(root)


def test_huge_file_is_refused_not_read(make_kb: object) -> None:
    root = make_kb({"kb/risks/huge.md": "---\nid: huge\n---\n" + "x" * 1_100_000})  # type: ignore[operator]
    _, problems = validate(root)
    assert [(p.path, p.code) for p in problems] == [("kb/risks/huge.md", "file-too-large")]


def test_alias_bomb_is_bounded(make_kb: object) -> None:
    levels = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    levels += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 8)]
    root = make_kb({"kb/risks/bomb.md": "---\n" + "\n".join(levels) + "\n---\n"})  # type: ignore[operator]
    _, problems = validate(root)
    assert [(p.path, p.code) for p in problems] == [("kb/risks/bomb.md", "yaml-syntax")]
