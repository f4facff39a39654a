from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from metis_distill.textio import atomic_write_text, read_lines

TEXT = "first line\nsecond: é ü\nthird\n"


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16le", "utf16be", "crlf"],
)
def test_read_lines_detects_encoding(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(encoded)
    assert read_lines(path)[:3] == ["first line", "second: é ü", "third"]


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "out.md"
    path.parent.mkdir()
    path.write_text("old")
    atomic_write_text(path, "new content\n")
    assert path.read_text() == "new content\n"
    assert [p.name for p in path.parent.iterdir()] == ["out.md"]


def test_atomic_write_crash_before_rename_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out" / "out.md"
    path.parent.mkdir()
    path.write_text("precious human text\n")

    def crash(*_: object) -> None:
        raise RuntimeError("power cut between write and rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(RuntimeError):
        atomic_write_text(path, "half of something")
    assert path.read_text() == "precious human text\n"
    assert [p.name for p in path.parent.iterdir()] == ["out.md"]  # no temp file left behind


def test_file_in_the_way(tmp_path: Path) -> None:
    from metis_distill.textio import file_in_the_way

    (tmp_path / "a-file").write_text("x")
    (tmp_path / "broken").symlink_to(tmp_path / "nowhere")
    assert file_in_the_way(tmp_path) is None
    assert file_in_the_way(tmp_path / "new" / "deeper") is None
    assert file_in_the_way(tmp_path / "a-file") == tmp_path / "a-file"
    assert file_in_the_way(tmp_path / "a-file" / "x" / "y") == tmp_path / "a-file"
    assert file_in_the_way(tmp_path / "broken" / "x") == tmp_path / "broken"
