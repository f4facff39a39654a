"""The one walker: `list_files` (sorted paths) and `stat_files` (path strings with the stat
that found each a regular file, for the no-op check) list the same files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from metis_distill.listing import BROKEN_LINK, LOOP, list_files, stat_files


def test_both_listings_hold_the_same_regular_files(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    (root / "proj" / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    for name in ("proj/a.jsonl", "proj/sub/b.jsonl", ".git/HEAD", "proj/.a.jsonl.abcd1234"):
        (root / name).write_text("{}\n")
    (root / "proj" / ".c.jsonl.metis-tmp").write_text("half")  # ours, mid-write
    (root / "proj" / ".seen").write_text("a dot file is still a file\n")
    (root / "proj" / "gone").symlink_to(root / "nowhere")  # a broken link is no file
    (root / "proj" / "link.jsonl").symlink_to(root / "proj" / "a.jsonl")
    listed = list_files(root)
    found = stat_files(root)
    expected = {"proj/a.jsonl", "proj/sub/b.jsonl", "proj/.seen", "proj/link.jsonl"}
    assert {p.relative_to(root).as_posix() for p in listed.files} == expected
    assert listed.files == sorted(listed.files)
    assert set(found.files) == {str(p) for p in listed.files}
    for path, stats in found.files.items():
        assert (stats.st_size, stats.st_mtime_ns) == (
            os.stat(path).st_size,
            os.stat(path).st_mtime_ns,
        )
    assert not listed.unreadable and not found.unreadable


def test_a_file_or_nothing_as_the_root(tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"
    one.write_text("{}\n")
    assert list_files(one).files == [one]
    assert list(stat_files(one).files) == [str(one)]
    assert not stat_files(tmp_path / "missing").files


def archive_with_loops(root: Path) -> Path:
    """A file beside links that lead nowhere but round: to each other, to themselves, and a
    folder's link back to a folder it is in."""
    (root / "proj").mkdir(parents=True)
    (root / "proj" / "a.jsonl").write_text("{}\n")
    (root / "l1").symlink_to(root / "l2")
    (root / "l2").symlink_to(root / "l1")
    (root / "self").symlink_to(root / "self")
    (root / "proj" / "up").symlink_to(root)
    return root


def test_links_in_a_loop_are_listed_as_passed_over_not_as_files(tmp_path: Path) -> None:
    root = archive_with_loops(tmp_path / "runs")
    listed = list_files(root)
    assert listed.files == [root / "proj" / "a.jsonl"]
    loops = [root / "l1", root / "l2", root / "proj" / "up", root / "self"]
    assert listed.loops == loops and not listed.unreadable
    assert listed.passed_over() == [(path, LOOP) for path in loops]
    assert not stat_files(root).unreadable  # a loop hides no file: the no-op check still holds


def test_a_broken_link_and_a_named_pipe_are_listed_with_why_not_as_files(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    (root / "proj").mkdir(parents=True)
    (root / "proj" / "a.jsonl").write_text("{}\n")
    (root / "proj" / "gone.jsonl").symlink_to(root / "proj" / "deleted.jsonl")
    os.mkfifo(root / "proj" / "pipe.jsonl")
    listed = list_files(root)
    assert listed.files == [root / "proj" / "a.jsonl"]
    assert listed.passed_over() == [
        (root / "proj" / "gone.jsonl", BROKEN_LINK),
        (root / "proj" / "pipe.jsonl", "a named pipe: not read"),
    ]
    assert not stat_files(root).unreadable  # neither hides a file: the no-op check still holds


def test_a_named_pipe_in_the_archive_is_passed_over_without_opening_it(tmp_path: Path) -> None:
    """Opening a pipe no one writes to blocks for ever: discovery and what it remembers of
    skipped files never open it (a child process, killed if it hangs)."""
    root = tmp_path / "archive"
    root.mkdir()
    os.mkfifo(root / "pipe.jsonl")
    script = (
        "import sys; from pathlib import Path\n"
        "from metis_distill.pipeline.discover import Discovery, skipped_records\n"
        "from metis_distill.listing import list_files, unreadable\n"
        "root = Path(sys.argv[1]); found = Discovery()\n"
        "found.skipped.extend((p.relative_to(root).as_posix(), why)"
        " for p, why in list_files(root).passed_over())\n"
        "print(len(found.skipped), len(skipped_records(root, found)))\n"
        "print(unreadable(root / 'pipe.jsonl'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["1 0", "a named pipe: not read"]
