"""Atomic writes and the on-disk cache: entries round-trip, damaged ones are refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ambidex.files import (
    BlobFile,
    DiskCache,
    UnreadableFile,
    atomic_write,
    create_new,
    digest,
    pack_blobs,
    read_bounded,
    unpack_blobs,
)

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


@given(BLOBS, st.data())
def test_a_blob_file_reads_what_was_packed_and_refuses_damage(
    blobs: dict[str, bytes], data: st.DataObject
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "entry.bin")
        packed = pack_blobs(blobs)
        path.write_bytes(packed)
        opened = BlobFile.open(path)
        assert opened is not None and opened.names() == set(blobs)
        assert {name: opened.get(name) for name in blobs} == blobs
        assert opened.get("".join(blobs) + "!") is None  # longer than any name packed
        opened.close()
        assert all(opened.get(name) is None for name in blobs)  # closed: nothing read
        cut = data.draw(st.integers(min_value=0, max_value=len(packed) - 1))
        path.write_bytes(packed[:cut])
        assert BlobFile.open(path) is None
        path.write_bytes(packed + b"x")
        assert BlobFile.open(path) is None
    assert BlobFile.open(Path(tmp, "gone.bin")) is None


def test_a_blob_file_reads_the_entry_it_opened_after_the_entry_is_replaced(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "cache")
    cache.put("bodies", "k", pack_blobs({"c:a": b"first", "c:b": b"second"}))
    opened = cache.blobs("bodies", "k")
    assert opened is not None
    cache.put("bodies", "k", pack_blobs({"c:a": b"other", "c:b": b"entry"}))
    cache.put("bodies", "other", pack_blobs({}))  # and the old entry removed
    assert not (tmp_path / "cache" / "bodies-k.bin").exists()
    assert (opened.get("c:a"), opened.get("c:b")) == (b"first", b"second")
    assert cache.blobs("bodies", "missing") is None


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


def test_atomic_write_keeps_the_mode_and_reaches_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    target = tmp_path / "references.bib"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o644)
    atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert len(synced) == 2, "the file, then its directory"
    fresh = tmp_path / "fresh.txt"
    atomic_write(fresh, "x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~_current_umask()


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_create_new_never_overwrites_nor_leaves_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    create_new(target, "first\n")
    with pytest.raises(FileExistsError):
        create_new(target, "second\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_read_bounded_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_bytes(b"12345")
    assert read_bounded(tmp_path / "ok.md", 5) == b"12345"
    with pytest.raises(UnreadableFile) as too_large:
        read_bounded(tmp_path / "ok.md", 4)
    os.mkfifo(tmp_path / "pipe.md")
    with pytest.raises(UnreadableFile) as pipe:
        read_bounded(tmp_path / "pipe.md", 100)
    (tmp_path / "dev.md").symlink_to("/dev/zero")
    with pytest.raises(UnreadableFile) as device:
        read_bounded(tmp_path / "dev.md", 100)
    with pytest.raises(UnreadableFile) as outside:
        read_bounded(tmp_path / "dev.md", 100, inside=tmp_path)
    codes = [e.value.code for e in (too_large, pipe, device, outside)]
    assert codes == ["file-too-large", "not-a-file", "not-a-file", "outside-repository"]


def test_a_deeply_nested_cache_entry_is_refused(tmp_path: Path) -> None:
    table = b"[" * 100_000 + b"]" * 100_000
    assert unpack_blobs(len(table).to_bytes(8, "little") + table) is None
