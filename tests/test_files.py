"""Atomic writes and the on-disk cache: entries round-trip, damaged ones are refused."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ambidex.files import DiskCache, atomic_write, digest, pack_blobs, unpack_blobs

BLOBS = st.dictionaries(st.text(max_size=20), st.binary(max_size=200), max_size=8)


@given(BLOBS)
def test_blobs_round_trip(blobs: dict[str, bytes]) -> None:
    assert unpack_blobs(pack_blobs(blobs)) == blobs


@given(BLOBS.filter(bool), st.data())
def test_truncated_or_extended_blobs_are_refused(blobs: dict[str, bytes], data: st.DataObject) -> None:
    packed = pack_blobs(blobs)
    cut = data.draw(st.integers(min_value=0, max_value=len(packed) - 1))
    assert unpack_blobs(packed[:cut]) is None
    assert unpack_blobs(packed + b"x") is None


def test_cache_keeps_one_entry_per_kind(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "cache")
    assert cache.get("apa", "one") is None
    cache.put("apa", "one", b"1")
    cache.put("bodies", "one", b"b")
    cache.put("apa", "two", b"2")
    assert cache.get("apa", "two") == b"2" and cache.get("apa", "one") is None
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["apa-two.bin", "bodies-one.bin"]


def test_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    DiskCache(blocker / "cache").put("apa", "one", b"1")
    assert DiskCache(blocker / "cache").get("apa", "one") is None


def test_digest_follows_parts_and_code() -> None:
    assert digest("a", [1]) == digest("a", [1]) != digest("a", [2])
    assert digest("a", sources=("ambidex.files",)) != digest("a", sources=("ambidex.model",))
    assert digest("a", libraries=("nh3",)) != digest("a")


def test_atomic_write_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "d" / "x.txt"
    atomic_write(target, "text\n")
    atomic_write(target, b"bytes")
    assert target.read_bytes() == b"bytes" and [p.name for p in target.parent.iterdir()] == ["x.txt"]
