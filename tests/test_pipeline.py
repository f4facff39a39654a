from __future__ import annotations

import json
import os
import platform
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pytest

from metis_distill import pipeline
from metis_distill.config import Settings, default_settings
from metis_distill.ledger import Ledger
from metis_distill.pipeline import BatchJob, BatchResult, LocalRunner, Stage
from metis_distill.statuses import DistillStatus, PublishStatus
from tests.conftest import DEMO_FILE, SAMPLE

T = TypeVar("T")


def copy_demo(archive: Path) -> Path:
    path = archive / "proj" / "s.jsonl"
    path.parent.mkdir(parents=True)
    shutil.copy(DEMO_FILE, path)
    return path


def read(archive: Path, ledger: Ledger) -> tuple[pipeline.Discovery, pipeline.BatchResult]:
    found = pipeline.changed_files(archive, ledger)
    result = pipeline.extract_batch(archive, found.changed)
    ledger.record_files([*pipeline.skipped_records(archive, found), *result.files])
    return found, result


def user_line(text: str) -> str:
    return json.dumps(
        {
            "type": "user",
            "sessionId": "s",
            "cwd": "/w",
            "uuid": text[:8],
            "message": {"role": "user", "content": text},
        }
    )


def test_unchanged_touched_and_grown_files(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = copy_demo(archive)
    ledger = Ledger.at(tmp_path / "data")
    found, first = read(archive, ledger)
    assert [c.path for c in found.changed] == ["proj/s.jsonl"] and found.unchanged == 0
    assert first.bytes_read < path.stat().st_size  # the unterminated last line is not consumed

    found, _ = read(archive, ledger)
    assert (found.changed, found.unchanged) == ([], 1)
    os.utime(path, ns=(1, 1))  # touched, same bytes: the fingerprint says unchanged
    found, _ = read(archive, ledger)
    assert (found.changed, found.unchanged) == ([], 1)


def test_appended_lines_are_read_alone(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = archive / "proj" / "s.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(user_line(f"message number {i}") for i in range(200)) + "\n")
    ledger = Ledger.at(tmp_path / "data")
    _, first = read(archive, ledger)
    assert first.lines_read == 200

    before = path.stat().st_size
    extra = user_line("Always run the linter before you commit anything.") + "\n"
    with path.open("a") as handle:
        handle.write(extra)
    found, second = read(archive, ledger)
    assert found.resumed == 1 and found.changed[0].offset == before
    assert second.bytes_read == len(extra.encode()) and second.lines_read == 1
    (candidate,) = second.candidates
    assert candidate.evidence.ref.line_start == 201  # numbering goes on where it stopped
    assert candidate.evidence.session_id == "s"


def test_partial_last_line_is_read_again_when_complete(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = archive / "proj" / "s.jsonl"
    path.parent.mkdir(parents=True)
    whole = user_line("Never push to main; open a pull request instead.")
    path.write_text(user_line("hello there") + "\n" + whole[:30])
    ledger = Ledger.at(tmp_path / "data")
    _, first = read(archive, ledger)
    # a line still being written is not corrupt: it waits, and is read once complete
    assert first.corrupt_lines == 0 and first.partial_lines == 1 and not first.candidates
    with path.open("a") as handle:
        handle.write(whole[30:] + "\n")
    _, second = read(archive, ledger)
    assert second.lines_read == 1 and second.corrupt_lines == 0 and second.partial_lines == 0
    assert [c.evidence.ref.line_start for c in second.candidates] == [2]


def test_a_failure_before_the_offset_meets_its_fix_after_it(tmp_path: Path) -> None:
    """Resuming keeps context: the same lesson as one whole read, and counts that add up."""
    sample = next((SAMPLE / "projects").rglob("e53350d7*.jsonl")).read_text().splitlines(True)
    cut = next(i for i, line in enumerate(sample) if "command not found" in line) + 1
    whole_dir, split_dir = tmp_path / "whole", tmp_path / "split"
    for folder in (whole_dir, split_dir):
        (folder / "p").mkdir(parents=True)
    (whole_dir / "p" / "s.jsonl").write_text("".join(sample))
    (split_dir / "p" / "s.jsonl").write_text("".join(sample[:cut]))
    _, whole = read(whole_dir, Ledger.at(tmp_path / "d1"))
    ledger = Ledger.at(tmp_path / "d2")
    _, before = read(split_dir, ledger)
    with (split_dir / "p" / "s.jsonl").open("a") as handle:
        handle.write("".join(sample[cut:]))
    _, after = read(split_dir, ledger)
    fixed = [c.text for c in whole.candidates if "uv run" in c.text]
    assert fixed and fixed[0] in [c.text for c in after.candidates]
    assert before.lines_read + after.lines_read == whole.lines_read
    (row,) = ledger.file_rows(str(split_dir)).values()
    assert row.lines == len([line for line in sample if line.strip()])


def test_a_rewritten_file_is_read_whole_again(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = copy_demo(archive)
    ledger = Ledger.at(tmp_path / "data")
    read(archive, ledger)
    path.write_text(user_line("a completely different first line") + "\n")
    found, result = read(archive, ledger)
    assert found.rewritten == 1 and found.changed[0].offset == 0 and result.lines_read == 1


def test_discover_sniffs_content_and_reports_what_it_skips(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    copy_demo(archive)
    (archive / "notes.jsonl").write_text('{"some": "other tool"}\n')
    (archive / "empty.jsonl").write_text("")
    (archive / "blob.jsonl").write_bytes(b"\x00\x01\x02binary")
    assert [p.name for p in pipeline.discover(archive)] == ["s.jsonl"]
    ledger = Ledger.at(tmp_path / "data")
    found, _ = read(archive, ledger)
    assert dict(found.skipped) == {
        "blob.jsonl": "binary file",
        "empty.jsonl": "empty file",
        "notes.jsonl": "unknown format",
    }
    again, _ = read(archive, ledger)
    assert again.skipped == [] and again.unchanged == 4  # skipped files are not sniffed again
    assert len(pipeline.discover(SAMPLE)) == 6


def test_batches_cut_by_count_and_size() -> None:
    files = [pipeline.FileInfo(f"f{i}", 10, 0, "claude_code") for i in range(7)]
    assert [len(b) for b in pipeline.batches(files, max_files=3)] == [3, 3, 1]
    assert [len(b) for b in pipeline.batches(files, max_files=50, max_bytes=25)] == [2, 2, 2, 1]


def test_an_unreadable_file_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    copy_demo(archive)
    gone = pipeline.FileInfo("proj/vanished.jsonl", 10, 0, "claude_code")
    good = pipeline.changed_files(archive, Ledger.at(tmp_path / "d")).changed[0]
    result = pipeline.extract_batch(archive, [gone, good])
    assert len(result.failed_files) == 1 and "vanished.jsonl" in result.failed_files[0]
    assert len(result.files) == 1 and result.candidates


def test_huge_lines_and_bad_bytes_are_read_not_fatal(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = archive / "proj" / "s.jsonl"
    path.parent.mkdir(parents=True)
    huge = user_line("x" * 5_000_000)
    bad = b'{"type":"user","sessionId":"s","message":{"content":"caf\xe9 \xff broken bytes"}}'
    rule = user_line("Never commit the generated lockfile by hand.")
    path.write_bytes(huge.encode() + b"\n" + bad + b"\n" + rule.encode() + b"\n")
    found, result = read(archive, Ledger.at(tmp_path / "data"))
    assert result.failed_files == [] and result.lines_read == 3
    assert [c.evidence.ref.line_start for c in result.candidates] == [3]


class RecordingRunner(LocalRunner):
    """The stages in this process, their names noted in the order they ran."""

    def __init__(self) -> None:
        self.stages: list[str] = []

    def stage(self, stage: Stage, step: Callable[[], T]) -> T:
        self.stages.append(stage)
        return step()

    def map_batches(self, jobs: Sequence[BatchJob]) -> list[BatchResult]:
        self.stages.append(f"{Stage.EXTRACT}:{len(jobs)}")
        return super().map_batches(jobs)


def test_distill_runs_every_stage_through_its_runner_and_records_the_run(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    target, data = tmp_path / "CLAUDE.md", tmp_path / "data"
    settings = default_settings(
        archive=SAMPLE, data_dir=data, target=target, all_projects=True, batch_files=4
    )
    runner = RecordingRunner()
    report = pipeline.distill(settings, runner=runner, embedder=embedder)
    assert runner.stages == ["archive", "discover", "extract:2", "curate", "publish"]
    assert report.files_read == 6 and report.proposal.status == PublishStatus.CREATED
    with Ledger.reading(settings.ledger_url) as ledger:
        last = ledger.last_distill_run()
    assert last is not None and last.status == DistillStatus.COMPLETED
    assert last.proposal_id == report.proposal.proposal_id
    assert last.summary["files_read"] == 6 and "failed_files" not in last.summary
    assert last.summary["archive"] == str(SAMPLE.resolve())  # where `metis status` counts


def test_memory_is_given_back_after_extraction_and_after_curation(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each stage's garbage handed back before the next (a distill's peak, flat in the
    archive's size): the real `give_back`, its calls noted among the stages."""
    from metis_distill.pipeline import memory, run

    runner = RecordingRunner()

    def noted() -> bool:
        runner.stages.append("give_back")
        return memory.give_back()

    monkeypatch.setattr(run, "give_back", noted)
    settings = default_settings(
        archive=SAMPLE, data_dir=tmp_path / "data", target=tmp_path / "CLAUDE.md", all_projects=True
    )
    pipeline.distill(settings, runner=runner, embedder=embedder)
    assert runner.stages == [
        *("archive", "discover", "extract:1", "give_back"),
        *("curate", "give_back", "publish"),
    ]


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_give_back_trims_glibcs_heaps() -> None:
    from metis_distill.pipeline.memory import give_back

    assert give_back() is True


def test_only_the_named_files_are_read_and_the_rest_waits(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "archive"
    copy_demo(archive)
    shutil.copy(DEMO_FILE, archive / "proj" / "t.jsonl")
    settings = default_settings(
        archive=archive, data_dir=tmp_path / "data", target=tmp_path / "CLAUDE.md"
    )
    first = pipeline.distill(settings, embedder=embedder, only=())
    assert first.archived_new == 2 and first.files_read == 0
    with Ledger.at(settings.data_dir) as ledger:
        waiting = pipeline.changed_files(archived(settings), ledger).changed
    (name,) = [p for p in waiting if p.path.endswith("/s.jsonl")]
    one = pipeline.distill(settings, embedder=embedder, only={name.path})
    assert one.files_read == 1 and one.files_unchanged == 0
    rest = pipeline.distill(settings, embedder=embedder)
    assert rest.files_read == 1 and rest.files_unchanged == 1


def archived(settings: Settings) -> Path:
    return settings.archive_dir.resolve()


def test_curates_index_modules_are_imported_before_the_extraction_forks(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """chromadb is imported in a thread during the archive copy and the discovery; the thread
    is done before the extraction starts (its pool forks: never beside a thread importing)."""
    import sys
    import threading

    from metis_distill.pipeline.preload import THREAD_NAME

    class Watching(RecordingRunner):
        def map_batches(self, jobs: Sequence[BatchJob]) -> list[BatchResult]:
            alive = [t for t in threading.enumerate() if t.name == THREAD_NAME]
            self.stages.append(f"preloading:{len(alive)}:{'chromadb' in sys.modules}")
            return super().map_batches(jobs)

    settings = default_settings(
        archive=SAMPLE, data_dir=tmp_path / "data", target=tmp_path / "CLAUDE.md", all_projects=True
    )
    runner = Watching()
    pipeline.distill(settings, runner=runner, embedder=embedder)
    assert runner.stages[:3] == ["archive", "discover", "preloading:0:True"]


def test_a_preload_imports_its_modules_and_leaves_a_failure_to_the_stage_that_imports() -> None:
    import sys

    from metis_distill.pipeline.preload import Preload

    if "tabnanny" in sys.modules:
        pytest.skip("tabnanny was imported already")
    loading = Preload(("metis_distill_no_such_module", "tabnanny"))
    loading.wait()
    assert "tabnanny" in sys.modules and "metis_distill_no_such_module" not in sys.modules


def test_a_deleted_end_marker_is_warned_of_and_no_second_block_is_proposed(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    from metis_distill.review.proposal import accept

    target, data = tmp_path / "CLAUDE.md", tmp_path / "data"
    target.write_text("# HB\nmine\n")
    settings = default_settings(archive=SAMPLE, data_dir=data, target=target, all_projects=True)
    pipeline.distill(settings, embedder=embedder)
    with Ledger(settings.ledger_url) as ledger:
        accept(ledger, settings.locks_dir, target)
    mine = target.read_text().replace("<!-- metis:end -->\n", "")
    mine += "\n## My section after the block\nImportant human text.\n"
    target.write_text(mine)

    report = pipeline.distill(settings, embedder=embedder)
    assert report.proposal.status == PublishStatus.MARKERS_BROKEN
    assert report.proposal.proposal_id is None
    (warning,) = report.proposal.warnings
    assert "has no `<!-- metis:end -->` after it" in warning and str(target) in warning
    assert target.read_text() == mine
    with Ledger.reading(settings.ledger_url) as ledger:
        assert ledger.pending_proposals(str(target.resolve())) == []
        run = ledger.last_distill_run(str(target.resolve()))
    assert run is not None and run.status == DistillStatus.BLOCK_UNREADABLE  # not "completed"
    assert run.message is not None and "has no `<!-- metis:end -->` after it" in run.message
