"""What is slow to build is kept on disk and read back the same: the secret screen's compiled
database and the rules read out of detect-secrets; a damaged entry or a cache that cannot be
written changes nothing but the time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from metis_distill import built_cache, redact
from metis_distill.secret_screen import screen

RULES = [re.compile(r"sk-ant-[A-Za-z0-9]{20,}"), re.compile(r"(?i)password\s*=\s*\S+")]
SECRET = "key sk-ant-" + "a" * 30 + " and PASSWORD = hunter22"


def _entries(kind: str) -> list[Path]:
    return sorted(built_cache.cache_dir().glob(f"{kind}-*"))


def test_entries_are_named_by_all_they_are_built_from() -> None:
    one = built_cache.entry("k", [b"ab", b"c"])
    assert one == built_cache.entry("k", [b"ab", b"c"])
    assert one != built_cache.entry("k", [b"a", b"bc"])  # the parts' bounds count
    assert one != built_cache.entry("other", [b"ab", b"c"])
    assert one.parent == built_cache.cache_dir()


def test_a_screen_is_kept_and_its_entry_read_back() -> None:
    hyperscan = pytest.importorskip("hyperscan")
    first = screen(RULES)
    assert first is not None and first.candidates(SECRET) == {0, 1}
    (kept,) = _entries("secret-screen")
    # the entry holds another screen's database: what the next screen scans with is the entry's
    other = screen([re.compile("zebra")])
    assert other is not None
    kept.write_bytes(hyperscan.dumpb(other._db))
    again = screen(RULES)
    assert again is not None
    assert again.candidates("a zebra") == {0} and again.candidates(SECRET) == set()


def test_a_damaged_entry_is_built_anew_and_written_over() -> None:
    pytest.importorskip("hyperscan")
    screen(RULES)
    (kept,) = _entries("secret-screen")
    kept.write_bytes(b"not a database")
    rebuilt = screen(RULES)
    assert rebuilt is not None and rebuilt.candidates(SECRET) == {0, 1}
    assert kept.read_bytes() != b"not a database"
    assert screen(RULES) is not None  # and it loads


def test_a_cache_that_cannot_be_written_is_left_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("hyperscan")
    blocked = tmp_path / "a file"
    blocked.write_text("in the way")
    monkeypatch.setenv(built_cache.CACHE_ENV, str(blocked / "cache"))
    built = screen(RULES)
    assert built is not None and built.candidates(SECRET) == {0, 1}
    assert blocked.read_text() == "in the way"
    assert redact._library_patterns() == redact._detectors_patterns()


def test_the_detectors_rules_read_back_the_same() -> None:
    fresh = redact._detectors_patterns()
    assert redact._library_patterns() == fresh  # built, and written
    (kept,) = _entries("secret-rules")
    assert redact._library_patterns() == fresh  # read back
    kept.write_bytes(b'[["x", "(", 0]]')  # a rule that does not compile: built anew
    assert redact._library_patterns() == fresh
    assert redact._library_patterns() == fresh


def test_the_rules_entry_is_read_not_rebuilt() -> None:
    redact._library_patterns()
    (kept,) = _entries("secret-rules")
    kept.write_bytes(b'[["planted", "zebra", 0]]')
    assert redact._library_patterns() == [("planted", re.compile("zebra"))]


def test_a_changed_plugin_file_names_another_entry(tmp_path: Path) -> None:
    plugin = tmp_path / "aws.py"
    plugin.write_text("A = 1\n")
    before = built_cache.files_stamp(tmp_path)
    plugin.write_text("A = 12\n")
    assert built_cache.files_stamp(tmp_path) != before
    assert built_cache.files_stamp(tmp_path / "missing") == b"unreadable"
