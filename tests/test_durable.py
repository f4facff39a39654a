from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from metis_distill import durable


def _files(folder: Path, count: int) -> list[Path]:
    made = [folder / f"{n}.jsonl" for n in range(count)]
    for path in made:
        path.write_text("{}\n")
    return made


def test_a_few_files_are_fsynced_each_and_the_file_system_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    monkeypatch.setattr(durable, "_syncfs", lambda: pytest.fail("syncfs for a few files"))
    durable.flush(tmp_path, [*_files(tmp_path, durable.FEW - 1), tmp_path])  # a folder too
    assert len(synced) == durable.FEW


def test_many_files_are_one_flush_of_their_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def syncfs(fd: int) -> int:
        calls.append(os.fstat(fd).st_ino)
        return 0

    monkeypatch.setattr(os, "fsync", lambda _fd: pytest.fail("an fsync per file"))
    monkeypatch.setattr(durable, "_syncfs", lambda: syncfs)
    durable.flush(tmp_path, _files(tmp_path, durable.FEW + 1))
    assert calls == [tmp_path.stat().st_ino]


def test_without_syncfs_many_files_are_fsynced_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    monkeypatch.setattr(durable, "_syncfs", lambda: None)
    durable.flush(tmp_path, _files(tmp_path, durable.FEW + 1))
    assert len(synced) == durable.FEW + 1


def test_a_failed_flush_raises_with_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ctypes

    def syncfs(_fd: int) -> int:
        ctypes.set_errno(errno.EIO)
        return -1

    monkeypatch.setattr(durable, "_syncfs", lambda: syncfs)
    with pytest.raises(OSError, match="Input/output error") as raised:
        durable.flush(tmp_path, _files(tmp_path, durable.FEW + 1))
    assert raised.value.errno == errno.EIO and raised.value.filename == str(tmp_path)


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="syncfs is Linux's")
def test_syncfs_is_found_and_flushes(tmp_path: Path) -> None:
    assert durable._syncfs() is not None
    durable.flush(tmp_path, _files(tmp_path, durable.FEW + 1))
