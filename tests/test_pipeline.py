from __future__ import annotations

import os
import shutil
from pathlib import Path

from metis_distill import pipeline
from metis_distill.ledger import Ledger
from tests.conftest import DEMO_FILE, SAMPLE


def copy_demo(archive: Path) -> Path:
    path = archive / "proj" / "s.jsonl"
    path.parent.mkdir(parents=True)
    shutil.copy(DEMO_FILE, path)
    return path


def test_only_new_or_changed_files_are_read(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = copy_demo(archive)
    ledger = Ledger.at(tmp_path / "data")
    changed, unchanged = pipeline.changed_files(archive, ledger)
    assert [c.path for c in changed] == ["proj/s.jsonl"] and unchanged == 0
    result = pipeline.mine_batch(archive, changed)
    ledger.record_files(result.files)

    assert pipeline.changed_files(archive, ledger) == ([], 1)
    os.utime(path, ns=(1, 1))  # touched, same bytes: the hash says unchanged
    assert pipeline.changed_files(archive, ledger) == ([], 1)
    with path.open("a") as handle:  # grown: read again
        handle.write('\n{"type":"user","sessionId":"x","message":{"content":"more"}}\n')
    changed, _ = pipeline.changed_files(archive, ledger)
    assert [c.path for c in changed] == ["proj/s.jsonl"]


def test_discover_sniffs_content_not_names(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    copy_demo(archive)
    (archive / "notes.jsonl").write_text('{"some": "other tool"}\n')
    assert [p.name for p in pipeline.discover(archive)] == ["s.jsonl"]
    assert len(pipeline.discover(SAMPLE)) == 6


def test_batches_cut_by_count_and_size() -> None:
    files = [pipeline.FileInfo(f"f{i}", 10, 0, "") for i in range(7)]
    assert [len(b) for b in pipeline.batches(files, max_files=3)] == [3, 3, 1]
    assert [len(b) for b in pipeline.batches(files, max_files=50, max_bytes=25)] == [2, 2, 2, 1]


def test_an_unreadable_file_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    copy_demo(archive)
    good = pipeline.file_info(archive / "proj" / "s.jsonl", archive)
    gone = pipeline.FileInfo("proj/vanished.jsonl", 10, 0, "")
    result = pipeline.mine_batch(archive, [gone, good])
    assert len(result.failed_files) == 1 and "vanished.jsonl" in result.failed_files[0]
    assert len(result.files) == 1 and result.candidates
