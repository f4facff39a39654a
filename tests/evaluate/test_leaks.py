"""The leak scan finds a planted secret in an output, and nothing in clean outputs."""

from __future__ import annotations

from pathlib import Path

from metis_distill.evaluate.leaks import archive_needles, needles_of_line, output_files, scan

KEY = "sk-ant-api03-" + "Rk7bQ2xW9mZ4pL8vN3cT6yH1dF5gJ0sA" * 2


def test_needles_are_what_redaction_removes() -> None:
    line = f'{{"content": "export ANTHROPIC_API_KEY={KEY} and go"}}'
    assert KEY in "".join(needles_of_line(line))
    assert needles_of_line("nothing secret here") == set()


def test_scan_finds_planted_secret_and_skips_archive(tmp_path: Path) -> None:
    archive = tmp_path / "data" / "archive"
    archive.mkdir(parents=True)
    (archive / "run.jsonl").write_text(f'{{"text": "key {KEY}"}}\n')
    needles = archive_needles([archive / "run.jsonl"])
    clean = tmp_path / "data" / "report.md"
    clean.write_text("- Use `uv run` ([REDACTED:anthropic_key])\n")
    assert scan(output_files(tmp_path / "data"), needles) == []
    leaky = tmp_path / "data" / "index.bin"
    leaky.write_bytes(b"\x00\x01" + KEY.encode() + b"\x00")
    found = scan(output_files(tmp_path / "data"), needles)
    assert [Path(leak.path).name for leak in found] == ["index.bin"]
    pattern = tmp_path / "data" / "proposed.md"
    pattern.write_text("token ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8\n")
    assert {Path(leak.path).name for leak in scan(output_files(tmp_path / "data"), needles)} == {
        "index.bin",
        "proposed.md",
    }


def test_html_entities_are_read_as_text(tmp_path: Path) -> None:
    """`-u &#39;C:\\Temp&#39;` in a report is a quoted Windows path, not `user:password`; a
    real secret in HTML is still found."""
    report = tmp_path / "report.html"
    report.write_text("<p>cygpath -u &#39;C:\\Users\\someone\\Temp&#39; failed</p>\n")
    assert scan([report], set()) == []
    report.write_text("<p>curl -u admin:hunter2secret https://x</p>\n")
    assert [leak.what for leak in scan([report], set())] == ["secret pattern"]
