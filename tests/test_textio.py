from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from metis_distill import sources
from metis_distill.textio import atomic_write_text, read_lines, read_segment

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


HISTORY = (
    "\r\n# aider chat started at 2025-09-01 14:45:11\r\n\r\n> Aider v0.86.1\r\n"
    "#### explain the project\r\n\r\nIt reads résumés.\r\n"
)


def test_a_utf16_first_line_before_utf8_text_is_read_as_utf8(tmp_path: Path) -> None:
    """PowerShell's `"" > f` writes a BOM and a line break in UTF-16; aider then appends UTF-8
    (a UTF-16 line break pasted into a message is kept too). The file is read as UTF-8, its
    first lines damaged, and its lines keep the numbers a byte count gives them."""
    pasted = b"#### list: 1\r\x00\n\x00Purpose\r\n"
    path = tmp_path / ".aider.chat.history.md"
    talk = "Aider: the project reads résumés and lists items.\r\n" * 100  # not binary
    text = HISTORY.encode() + pasted + talk.encode()
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n".encode("utf-16-le") + text)
    lines = read_lines(path)
    assert lines[2:5] == ["# aider chat started at 2025-09-01 14:45:11", "", "> Aider v0.86.1"]
    assert lines[:2] == ["\r\x00", "\x00"]  # the UTF-16 line break, its BOM left out
    assert "It reads résumés." in lines
    assert len(lines) == path.read_bytes().count(b"\n") + 1
    assert [text for _, text in read_segment(path).lines][2] == lines[2]
    detected = sources.detect(path).format
    assert detected is not None and detected.name == "aider"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_text_stays_utf16_whatever_its_characters(tmp_path: Path, codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    russian = "Вывод\r\n" + "Приложение завершилось неожиданно, перезапустите компьютер\r\n" * 6
    arabic = "x\r\n" + "مرحبا بالعالم هذا نص عربي طويل للاختبار\r\n" * 6
    unspaced = "Вывод\r\n" + "Приложениезавершилосьнеожиданно\r\n" * 10
    chinese = "\r\n" + "中文的句子很长" * 40 + "\n第二行\n"
    for text in (HISTORY * 4, chinese, russian, arabic, unspaced):
        path = tmp_path / "f.md"
        path.write_bytes(bom + text.encode(codec))
        assert read_lines(path) == text.replace("\r\n", "\n").split("\n")


def test_a_coloured_log_after_a_utf16_start_is_read_as_utf8(tmp_path: Path) -> None:
    """Escape bytes of a coloured log, and form feeds, are text: not UTF-16's letters."""
    log = "\x1b[31mERROR\x1b[0m src/a.py:3: boom\n\x0c\n" * 20
    path = tmp_path / "build.log"
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n".encode("utf-16-le") + log.encode())
    # the UTF-16 line break's NUL opens the next line: the first line's damage, kept
    assert read_lines(path)[1:3] == ["\x00\x1b[31mERROR\x1b[0m src/a.py:3: boom", "\x0c"]


@pytest.mark.parametrize(
    "start",
    [
        codecs.BOM_UTF16_LE,  # `$null > f`: a BOM alone
        codecs.BOM_UTF16_LE + "\r\n".encode("utf-16-le") + b"x" * 700 + b"\n",  # a long line
    ],
    ids=["bom-alone", "long-first-line"],
)
def test_utf8_after_a_bom_alone_or_before_a_long_line_is_read_as_utf8(
    tmp_path: Path, start: bytes
) -> None:
    path = tmp_path / ".aider.chat.history.md"
    path.write_bytes(start + HISTORY.encode().lstrip())
    lines = read_lines(path)
    assert "# aider chat started at 2025-09-01 14:45:11" in lines
    detected = sources.detect(path).format
    assert detected is not None and detected.name == "aider"


def test_a_small_file_with_a_utf16_start_is_text_not_binary(tmp_path: Path) -> None:
    """Its NULs are the UTF-16 line's: a file of a few hundred bytes is still text."""
    path = tmp_path / ".aider.chat.history.md"
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n".encode("utf-16-le") + HISTORY.encode())
    detected = sources.detect(path)
    assert detected.format is not None and detected.format.name == "aider", detected.reason


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
