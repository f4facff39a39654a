from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.archive import archive_from, label_for
from metis_distill.cli import app
from metis_distill.ledger import Ledger
from tests.conftest import SAMPLE


def checksums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_archive_twice_stores_nothing_new_and_sources_stay_untouched(tmp_path: Path) -> None:
    source = tmp_path / "claude" / "projects"
    shutil.copytree(SAMPLE / "projects", source)
    before = checksums(source)
    ledger = Ledger.at(tmp_path / "data")
    first = archive_from([source], tmp_path / "archive", ledger)
    assert first.copied == 6 and first.skipped == []
    second = archive_from([source], tmp_path / "archive", ledger)
    assert (second.copied, second.appended, second.versions, second.unchanged) == (0, 0, 0, 6)
    assert checksums(source) == before
    archived = checksums(tmp_path / "archive" / "claude" / "projects")
    assert archived == before  # the archive mirrors the source layout


def test_appended_source_stores_only_the_new_bytes(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(SAMPLE / "projects", source)
    session = next(source.rglob("e53350d7*.jsonl"))
    ledger = Ledger.at(tmp_path / "data")
    archive_from([source], tmp_path / "archive", ledger)
    old = (tmp_path / "archive").rglob(session.name).__next__().read_bytes()
    extra = b'{"type":"user","sessionId":"x","message":{"content":"one more"}}\n'
    with session.open("ab") as handle:
        handle.write(extra)
    result = archive_from([source], tmp_path / "archive", ledger)
    assert result.appended == 1 and result.bytes_copied == len(extra)
    copy = next((tmp_path / "archive").rglob(session.name))
    assert copy.read_bytes() == old + extra


def test_rewritten_source_becomes_a_new_version_beside_the_old(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(SAMPLE / "projects", source)
    session = next(source.rglob("e53350d7*.jsonl"))
    ledger = Ledger.at(tmp_path / "data")
    archive_from([source], tmp_path / "archive", ledger)
    original = session.read_bytes()
    session.write_bytes(original[: len(original) // 2].rsplit(b"\n", 1)[0] + b"\n")  # rewound
    result = archive_from([source], tmp_path / "archive", ledger)
    assert result.versions == 1
    assert [p.rsplit("/", 1)[-1] for p in result.superseded] == [session.name]
    folder = next((tmp_path / "archive").rglob(session.name)).parent
    versions = sorted(p.name for p in folder.glob(session.stem + "*"))
    assert len(versions) == 2 and any("@" in v for v in versions)
    assert (folder / session.name).read_bytes() == original  # the older version is still whole
    again = archive_from([source], tmp_path / "archive", ledger)
    assert again.unchanged == 6


def test_labels_mirror_where_runs_come_from(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".claude" / "projects").mkdir(parents=True)
    assert label_for(home / ".claude" / "projects", home) == "claude/projects"
    assert label_for(Path("/srv/data/sample"), home) == "data/sample"


def test_cli_archive_and_sources(tmp_path: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "data"
    result = runner.invoke(
        app, ["archive", "--from", str(SAMPLE / "projects"), "--data-dir", str(data)]
    )
    assert result.exit_code == 0, result.output
    assert "6 new, 0 appended" in " ".join(result.output.split())
    listing = runner.invoke(app, ["sources", "--data-dir", str(data)])
    assert listing.exit_code == 0, listing.output
    assert "claude_code" in listing.output and "│ 6 " in listing.output


def test_a_run_without_cwd_belongs_to_the_folder_it_came_from(tmp_path: Path) -> None:
    from metis_distill import pipeline
    from tests.conftest import FIXTURES

    history = FIXTURES / "aider" / "damaged" / "damaged.aider.chat.history.md"  # says no cwd
    repo = tmp_path / "myrepo"
    repo.mkdir()
    shutil.copy(history, repo / ".aider.chat.history.md")
    ledger = Ledger.at(tmp_path / "data")
    archive_from([repo / ".aider.chat.history.md"], tmp_path / "archive", ledger)
    found = pipeline.changed_files((tmp_path / "archive").resolve(), ledger)
    result = pipeline.extract_batch((tmp_path / "archive").resolve(), found.changed)
    (record,) = result.files
    assert record.source_format == "aider"
    assert record.cwd == str(repo.resolve())


def test_two_sources_with_the_same_name_do_not_collide(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "u" / "projects", tmp_path / "b" / "u" / "projects"
    for root, text in ((a, "first"), (b, "second")):
        (root / "p").mkdir(parents=True)
        (root / "p" / "s.jsonl").write_text(
            '{"type":"user","sessionId":"' + text + '","message":{"content":"' + text + '"}}\n'
        )
    ledger = Ledger.at(tmp_path / "data")
    result = archive_from([a, b], tmp_path / "archive", ledger)
    assert result.copied == 2 and result.versions == 0
    copies = sorted(p.read_text() for p in (tmp_path / "archive").rglob("s.jsonl"))
    assert len(copies) == 2 and "first" in copies[0] and "second" in copies[1]


def test_a_file_archived_alone_lands_beside_its_folders_copies(tmp_path: Path) -> None:
    """The SessionEnd hook archives one transcript; the folder's other files were archived
    with the folder: the new one goes beside them, not under a label of its own."""
    projects = tmp_path / "u" / "projects"
    (projects / "p").mkdir(parents=True)
    line = '{"type":"user","sessionId":"s","message":{"content":"hi"}}\n'
    (projects / "p" / "a.jsonl").write_text(line)
    ledger = Ledger.at(tmp_path / "data")
    archive_from([projects], tmp_path / "archive", ledger)
    (projects / "p" / "b.jsonl").write_text(line)
    archive_from([projects / "p" / "b.jsonl"], tmp_path / "archive", ledger)
    paths = sorted(row.archive_path for row in ledger.copies().values())
    assert paths == ["u/projects/p/a.jsonl", "u/projects/p/b.jsonl"]
    assert archive_from([projects], tmp_path / "archive", ledger).unchanged == 2
    ledger.close()


def test_the_archive_never_copies_itself(tmp_path: Path) -> None:
    import pytest

    from metis_distill.errors import ConfigError

    source = tmp_path / "home"
    shutil.copytree(SAMPLE / "projects", source / "projects")
    archive = source / "data" / "archive"  # the data dir lives inside the source folder
    ledger = Ledger.at(tmp_path / "ledger")
    archive_from([source], archive, ledger)
    again = archive_from([source], archive, ledger)
    assert again.copied == 0 and again.unchanged == 6
    assert not list((archive).rglob("data/archive"))
    with pytest.raises(ConfigError):
        archive_from([archive], archive, ledger)


def test_temp_files_of_a_killed_copy_are_never_read_and_are_cleaned_up(tmp_path: Path) -> None:
    from metis_distill import pipeline

    source = tmp_path / "src"
    shutil.copytree(SAMPLE / "projects", source)
    ledger = Ledger.at(tmp_path / "data")
    archive = (tmp_path / "archive").resolve()
    archive_from([source], archive, ledger)
    copy = next(archive.rglob("e53350d7*.jsonl"))
    half = copy.read_bytes()[: copy.stat().st_size // 2]
    # what a copy killed before its rename leaves: this version's name and the earlier one's
    left = [copy.with_name(f".{copy.name}.k3j4h5g6"), copy.with_name(f".{copy.name}.x1.metis-tmp")]
    for temp in left:
        temp.write_bytes(half)
    found = pipeline.changed_files(archive, ledger)
    read = sorted(Path(f.path).name for f in found.changed)
    assert len(read) == 6 and copy.name in read and found.skipped == []  # not runs of their own
    assert archive_from([source], archive, ledger).unchanged == 6
    assert not any(temp.exists() for temp in left)
    kept = copy.with_name(".notes.abcdefgh")  # no file `notes` beside it: not a temp file
    kept.write_text("a user's file\n")
    archive_from([source], archive, ledger)
    assert kept.exists()


def _long_session(path: Path, lines: int) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    message = {"type": "user", "sessionId": "s1"}
    rows = [json.dumps({**message, "content": f"step {n:04d} with Vivaldi"}) for n in range(lines)]
    path.write_text("\n".join(rows) + "\n")
    return path.read_bytes()


def test_a_word_changed_in_place_is_a_new_version_whatever_the_size(tmp_path: Path) -> None:
    session = tmp_path / "src" / "p" / "s.jsonl"
    original = _long_session(session, 400)  # ~30 KB: the edit lies far before the last 4 KiB
    ledger = Ledger.at(tmp_path / "data")
    archive = tmp_path / "archive"
    archive_from([session.parent], archive, ledger)
    edited = original.replace(b"Vivaldi", b"Vivaldo", 1)  # the same size, a later mtime
    session.write_bytes(edited)
    result = archive_from([session.parent], archive, ledger)
    assert (result.versions, result.appended, result.unchanged) == (1, 0, 0)
    sha8 = hashlib.sha256(edited).hexdigest()[:8]
    folder = next(archive.rglob("s.jsonl")).parent
    assert (folder / f"s@{sha8}.jsonl").read_bytes() == edited
    assert (folder / "s.jsonl").read_bytes() == original  # the first version stays whole


def test_an_edit_with_growth_is_a_new_version_not_an_append(tmp_path: Path) -> None:
    session = tmp_path / "src" / "p" / "s.jsonl"
    original = _long_session(session, 400)
    ledger = Ledger.at(tmp_path / "data")
    archive = tmp_path / "archive"
    archive_from([session.parent], archive, ledger)
    extra = b'{"type":"user","sessionId":"s1","message":{"content":"one more"}}\n'
    session.write_bytes(original.replace(b"step 0007", b"step 7777", 1) + extra)
    result = archive_from([session.parent], archive, ledger)
    assert (result.versions, result.appended) == (1, 0)
    current = ledger.copies()[str(session.resolve())].archive_path
    assert (archive / current).read_bytes() == session.read_bytes()  # never diverges
    with session.open("ab") as handle:  # an append after that stays an append
        handle.write(extra)
    again = archive_from([session.parent], archive, ledger)
    assert (again.appended, again.versions, again.bytes_copied) == (1, 0, len(extra))
    assert (archive / current).read_bytes() == session.read_bytes()


def test_copies_are_recorded_together_not_one_commit_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import event

    from metis_distill import archive

    monkeypatch.setattr(archive, "RECORD_EVERY", 4)
    source = tmp_path / "src"
    shutil.copytree(SAMPLE / "projects", source)
    ledger = Ledger.at(tmp_path / "data")
    commits: list[int] = []
    event.listen(ledger.engine, "commit", lambda _conn: commits.append(1))
    first = archive_from([source], tmp_path / "archive", ledger)
    assert first.copied == 6
    assert len(commits) == 3  # the copies read, rows 1-4, rows 5-6 (7 with a commit per file)
    assert {r.archive_path for r in ledger.copies().values()} == {
        p.relative_to(tmp_path / "archive").as_posix()
        for p in (tmp_path / "archive").rglob("*")
        if p.is_file()
    }


def test_copies_a_killed_run_made_but_did_not_record_are_recorded_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a run killed before recording its copies leaves: the copies (and one a source
    since grew past), no rows. The next run records them, copying only the new bytes."""
    from metis_distill import archive

    source = tmp_path / "src"
    shutil.copytree(SAMPLE / "projects", source)
    archive_from([source], tmp_path / "archive", Ledger.at(tmp_path / "killed"))
    before = checksums(tmp_path / "archive")
    session = next(source.rglob("e53350d7*.jsonl"))
    extra = b'{"type":"user","sessionId":"x","message":{"content":"one more"}}\n'
    with session.open("ab") as handle:
        handle.write(extra)
    ledger = Ledger.at(tmp_path / "data")  # no rows: as if never recorded
    flushed: list[Path] = []
    monkeypatch.setattr(archive, "flush", lambda _root, paths: flushed.extend(paths))
    result = archive_from([source], tmp_path / "archive", ledger)
    root = (tmp_path / "archive").resolve()
    for copy in root.rglob("*.jsonl"):  # their names, and the folders made for them, flushed
        assert {copy.parent, *copy.parent.parents} - {*root.parents} <= set(flushed)
    assert (result.copied, result.versions, result.appended, result.unchanged) == (0, 0, 1, 5)
    assert result.bytes_copied == len(extra)
    assert len(ledger.copies()) == 6
    after = checksums(tmp_path / "archive")
    assert set(after) == set(before)  # no file copied again, no new version
    again = archive_from([source], tmp_path / "archive", ledger)
    assert (again.copied, again.appended, again.versions, again.unchanged) == (0, 0, 0, 6)


def test_a_batch_is_flushed_before_its_renames_and_renamed_before_it_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is on disk at each flush: the copies only as temp files at the first, under their
    names at the second, which flushes the folders they were named in and those made for
    them, and their rows recorded only after it."""
    from metis_distill import archive
    from metis_distill.textio import is_temp

    monkeypatch.setattr(archive, "RECORD_EVERY", 4)
    root = tmp_path / "archive"
    ledger = Ledger.at(tmp_path / "data")
    seen: list[tuple[int, int, int, bool]] = []
    named: set[Path] = set()

    def flush(folder: Path, paths: set[Path] | list[Path]) -> None:
        files = {p for p in root.rglob("*") if p.is_file()}
        temps = {p for p in files if is_temp(p)}
        folders = all(p.is_dir() for p in paths)  # the second flush
        seen.append((len(files - temps), len(temps), len(ledger.copies()), folders))
        if folders:  # each new name's folder, the folders above those made since the last
            new = files - temps - named
            assert {p.parent for p in new} <= set(paths)
            assert (root.parent in paths) == (not named)  # the archive itself made
            named.update(new)
        durable_flush(folder, paths)

    durable_flush = archive.flush
    monkeypatch.setattr(archive, "flush", flush)
    source = tmp_path / "src"
    shutil.copytree(SAMPLE / "projects", source)
    assert archive_from([source], root, ledger).copied == 6
    assert seen == [(0, 4, 0, False), (4, 0, 0, True), (4, 2, 4, False), (6, 0, 4, True)]
    assert len(ledger.copies()) == 6


KILLED_ARCHIVE = """
import sys
from pathlib import Path
from metis_distill import archive
from metis_distill.ledger import Ledger
source, root, data, every = sys.argv[1:5]
archive.RECORD_EVERY = int(every)
archive.archive_from([Path(source)], Path(root), Ledger.at(Path(data)))
"""
LATER = 1_767_225_600_000_000_000  # the mtime of every source a day of runs changed


def _a_day_later(base: Path) -> Path:
    """The sample archived once, then its sources changed as a day of runs changes them:
    one appended to, one rewritten (a new version beside it), two new, one in a new folder."""
    source = base / "w" / "src"  # labelled `w/src` in every test's world alike
    shutil.copytree(SAMPLE / "projects", source)
    ledger = Ledger.at(base / "data")
    archive_from([source], base / "archive", ledger)
    ledger.close()
    line = b'{"type":"user","sessionId":"x","message":{"content":"one more"}}\n'
    appended = next(source.rglob("e53350d7*.jsonl"))
    with appended.open("ab") as handle:
        handle.write(line)
    rewritten = next(source.rglob("3a97217a*.jsonl"))
    rewritten.write_bytes(rewritten.read_bytes()[:-200].rsplit(b"\n", 1)[0] + b"\n")
    new = [source / "-home-dev-src-ledgerline" / "n.jsonl", source / "-new" / "m.jsonl"]
    for path in new:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(line * 3)
    for path in (appended, rewritten, *new):
        os.utime(path, ns=(LATER, LATER))
    return source


def _rows(base: Path) -> set[tuple[str, str, int, int, int]]:
    ledger = Ledger.at(base / "data")
    rows = {
        (str(Path(r.source).relative_to(base)), r.archive_path, r.size, r.mtime_ns, r.versions)
        for r in ledger.copies().values()
    }
    ledger.close()
    return rows


def _finals(root: Path) -> dict[str, bytes]:
    from metis_distill.textio import is_temp

    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not is_temp(p)
    }


@pytest.mark.parametrize(
    ("point", "every", "new_names", "new_rows"),
    [
        ("archive:written@1", 8, 0, 0),  # copies written, nothing flushed nor renamed
        ("archive:renaming@1", 8, 1, 0),  # flushed, one temp renamed
        ("archive:renamed@1", 8, 3, 0),  # renamed and flushed, not recorded
        ("archive:written@2", 2, 1, 2),  # the first batch recorded, the second written
    ],
)
def test_a_run_killed_in_a_batch_leaves_no_half_copy_and_the_next_completes_it(
    tmp_path: Path, point: str, every: int, new_names: int, new_rows: int
) -> None:
    """Killed -9 (nothing cleans up) inside a batch: every file under a final name is whole,
    every row recorded has its copy; the next run leaves the archive and the ledger as an
    uninterrupted run does, byte for byte, and no temp file."""
    import subprocess
    import sys

    clean, killed = tmp_path / "clean", tmp_path / "killed"
    archive_from([_a_day_later(clean)], clean / "archive", Ledger.at(clean / "data"))
    source = _a_day_later(killed)
    root = killed / "archive"
    before, rows_before = _finals(root), _rows(killed)
    args = [sys.executable, "-c", KILLED_ARCHIVE, str(source), str(root), str(killed / "data")]
    env = {**os.environ, "METIS_KILL_AT": point}
    done = subprocess.run([*args, str(every)], env=env, capture_output=True, check=False)
    assert done.returncode == -9, done.stderr[-2000:]

    whole = {p.read_bytes() for p in source.rglob("*") if p.is_file()}
    after = _finals(root)
    assert all(before.get(name) == data or data in whole for name, data in after.items())
    assert len(set(after) - set(before)) == new_names
    rows = _rows(killed)
    assert len(rows - rows_before) == new_rows
    assert all(len(after[name]) >= size for _, name, size, _, _ in rows)  # copies on disk

    archive_from([source], root, Ledger.at(killed / "data"))
    assert checksums(root) == checksums(clean / "archive")  # no temp file left either
    assert _rows(killed) == _rows(clean)


def test_bytes_a_killed_run_appended_are_flushed_before_their_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed after appending in place left bytes no flush reached; the next finds the
    copy whole and adds nothing, but its row would vouch for them: the copy is flushed
    first."""
    from metis_distill import archive

    source = tmp_path / "src"
    source.mkdir()
    session = source / "a.jsonl"
    session.write_bytes(b'{"type":"user"}\n' * 10)
    root = tmp_path / "archive"
    ledger = Ledger.at(tmp_path / "data")
    archive_from([source], root, ledger)
    (copy,) = root.resolve().rglob("*.jsonl")
    more = b'{"type":"assistant"}\n' * 5
    for grown in (session, copy):  # the source grew; the killed run appended it in place
        with grown.open("ab") as handle:
            handle.write(more)
    flushed: list[Path] = []

    def flush(folder: Path, paths: set[Path] | list[Path]) -> None:
        flushed.extend(paths)
        durable_flush(folder, paths)

    durable_flush = archive.flush
    monkeypatch.setattr(archive, "flush", flush)
    archive_from([source], root, ledger)
    assert copy in flushed
    assert ledger.copies()[str(session.resolve())].size == copy.stat().st_size
