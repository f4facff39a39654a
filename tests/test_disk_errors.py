"""A read-only or full disk under the data dir or the target: reading commands read on, the
others say what is wrong in one line, with no traceback and nothing half-written.

The disks are real: a small tmpfs mounted for the test (root in a container may mount one),
remounted read-only. Where mounting is not allowed those tests are skipped, and the errors
are injected where the files are written instead."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.errors import disk_error
from metis_distill.ledger import Ledger
from metis_distill.review.notes import ProposalNotes
from metis_distill.review.proposal import save_plan
from tests.review.test_proposal import _plan, world  # noqa: F401 (fixture)

Mount = Callable[[Path, str], None]  # (folder, size): a tmpfs mounted on the folder


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def mount() -> Iterator[Mount]:
    mounted: list[Path] = []

    def on(folder: Path, size: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
        )
        if done.returncode != 0:
            pytest.skip("mounting a tmpfs is not allowed here")
        mounted.append(folder)

    yield on
    for folder in reversed(mounted):  # lazily: a distill's log file may still be open there
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


def ledger_on_a_read_only_disk(tmp_path: Path, mount: Mount) -> Path:
    """A data dir holding a ledger (closed, as a finished distill leaves it), its disk then
    remounted read-only."""
    disk = tmp_path / "ro"
    mount(disk, "16m")
    data = disk / "data"
    Ledger.at(data).close()
    read_only(disk)
    return data


@pytest.mark.parametrize(
    "command",
    [["search", "alembic"], ["context", "add a migration"], ["status"], ["review"], ["history"]],
)
def test_reading_commands_read_a_data_dir_on_a_read_only_disk(
    tmp_path: Path, mount: Mount, command: list[str]
) -> None:
    data = ledger_on_a_read_only_disk(tmp_path, mount)
    before = sorted(p.name for p in data.iterdir())
    code, out = invoke(*command, "--data-dir", str(data))
    assert code == 0 or out.startswith("error: no pending proposal"), out  # `review`: none yet
    assert "Traceback" not in out and "unable to open database file" not in out
    assert sorted(p.name for p in data.iterdir()) == before


@pytest.mark.parametrize(
    "command",
    [
        ["accept", "--all"],
        ["reject"],
        ["distill", "--archive", "{tmp}", "--target", "{tmp}/repo/CLAUDE.md"],
    ],
)
def test_writing_commands_say_in_one_line_that_the_data_dir_is_read_only(
    tmp_path: Path, mount: Mount, command: list[str]
) -> None:
    data = ledger_on_a_read_only_disk(tmp_path, mount)
    (tmp_path / "repo").mkdir()
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code, out = invoke(*args, "--data-dir", str(data))
    assert code == 2, out
    assert out.startswith(f"error: the data dir {data} is on a read-only filesystem")
    assert "Traceback" not in out
    code, out = invoke(*args, "--data-dir", str(data / "not-made-yet"))
    assert code == 2 and "is on a read-only filesystem" in out


def test_accept_into_a_read_only_folder_says_so_and_leaves_the_target(
    world,  # type: ignore[no-untyped-def]  # noqa: F811
    mount: Mount,
) -> None:
    ledger, target, tmp = world
    mount(target.parent, "4m")
    target.write_text("# Demo\n\nHuman notes.\n")
    save_plan(_plan(ledger, target), ledger, tmp / "proposals", ProposalNotes())
    read_only(target.parent)
    code, out = invoke("accept", "--all", "--target", str(target), "--data-dir", str(tmp / "data"))
    assert code == 2, out
    assert out == (
        f"error: cannot write {target.parent / '.metis'}: read-only file system\n"
        "hint: make it writable (or point the command at a place that is), then run again\n"
    )
    assert target.read_text() == "# Demo\n\nHuman notes.\n"
    assert ledger.pending_proposals(str(target))  # still waits: accept it once writable


def test_a_distill_on_a_full_disk_says_so_in_one_line(tmp_path: Path, mount: Mount) -> None:
    """However full: the ledger, the archive's copy or the index is the first to be refused."""
    disk = tmp_path / "full"
    mount(disk, "200k")
    archive = tmp_path / "archive"
    archive.mkdir()
    said = "".join(
        f'{{"type":"user","sessionId":"s","message":{{"content":"line {i} of a long run"}}}}\n'
        for i in range(4000)
    )
    (archive / "s.jsonl").write_text(said)
    (tmp_path / "repo").mkdir()
    target = tmp_path / "repo" / "CLAUDE.md"
    code, out = invoke(
        "distill", "--archive", str(archive), "--target", str(target), "--all-projects",
        "--data-dir", str(disk / "data"),
    )  # fmt: skip
    assert code == 1, out
    first, hint = out.splitlines()
    assert first.startswith("error: cannot write"), out
    assert "full" in first or "no space left" in first, out
    assert hint.startswith("hint: free some space")
    assert not target.exists()


@pytest.mark.parametrize(
    ("error", "said", "code"),
    [
        (OSError(errno.EROFS, "Read-only file system", "/r/.metis"), "cannot write /r/.metis: "
         "read-only file system", 2),
        (OSError(errno.EACCES, "Permission denied", "/r/CLAUDE.md"), "cannot write /r/CLAUDE.md: "
         "permission denied", 2),
        (OSError(errno.ENOSPC, "No space left on device"), "cannot write: no space left on the "
         "device", 1),
    ],
)  # fmt: skip
def test_the_disk_behind_an_error_is_said_with_its_path(
    error: OSError, said: str, code: int
) -> None:
    """Found through what the error was raised from, as SQLAlchemy and Prefect wrap it."""
    try:
        try:
            raise error
        except OSError as e:
            raise RuntimeError("wrapped") from e
    except RuntimeError as wrapped:
        found = disk_error(wrapped)
    assert found is not None and str(found) == said and found.exit_code == code
    assert disk_error(OSError(errno.ENOENT, "No such file", "/x")) is None
