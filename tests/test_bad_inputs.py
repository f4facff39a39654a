"""Files that look odd are still kept and, where they hold a run, read: a stray NUL byte,
UTF-16 without a BOM, files and folders unreadable for a while."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from metis_distill import pipeline
from metis_distill.archive import archive_from
from metis_distill.ledger import Ledger
from tests.conftest import REPO
from tests.curate.sessions import Bash, Say, write_session

S = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _session(folder: Path, name: str) -> bytes:
    chat = [Say("user", f"Step {n}: keep going with the importer, please.") for n in range(60)]
    fix = "Turns out the importer needs LANG=C.UTF-8 or it drops accented names."
    turns = [*chat, Bash("make import", "UnicodeDecodeError", failed=True), Say("assistant", fix)]
    return write_session(folder, name, S, turns).read_bytes()


def test_a_stray_nul_and_utf16_without_bom_are_archived_and_read(tmp_path: Path) -> None:
    source = tmp_path / "src" / "p"
    text = _session(tmp_path / "made", "a0000001")
    source.mkdir(parents=True)
    lines = text.split(b"\n")
    lines[2] = lines[2].replace(b"Step 2:", b"Step\x002:")  # one NUL in the first 64 KiB
    assert b"\x00" in lines[2]
    (source / "nul.jsonl").write_bytes(b"\n".join(lines))
    (source / "utf16.jsonl").write_bytes(text.decode().encode("utf-16-le"))  # no BOM
    (source / "blob.bin").write_bytes(random.Random(7).randbytes(4096))  # truly binary
    ledger = Ledger.at(tmp_path / "data")
    archive = (tmp_path / "archive").resolve()
    result = archive_from([source], archive, ledger)
    assert (result.copied, result.skipped) == (3, [])  # raw data kept, whatever its format
    for name in ("nul.jsonl", "utf16.jsonl", "blob.bin"):
        assert next(archive.rglob(name)).read_bytes() == (source / name).read_bytes()

    found = pipeline.changed_files(archive, ledger)
    assert [(Path(p).name, why) for p, why in found.skipped] == [("blob.bin", "binary file")]
    mined = pipeline.extract_batch(archive, found.changed)
    formats = {Path(r.path).name: (r.source_format, r.events, r.corrupt_lines) for r in mined.files}
    assert formats["nul.jsonl"][:1] == formats["utf16.jsonl"][:1] == ("claude_code",)
    assert formats["nul.jsonl"][2] == 1  # its damaged line is skipped and counted
    assert formats["utf16.jsonl"][1:] == (formats["nul.jsonl"][1] + 1, 0)  # every line read
    texts = " ".join(c.text for c in mined.candidates)
    assert "LANG=C.UTF-8" in texts


UNREADABLE_FOR_A_WHILE = """
import json, sys
from pathlib import Path
from metis_distill.archive import archive_from
from metis_distill.ledger import Ledger
base = Path(sys.argv[1])
src = base / "src"
for folder in ("p", "locked"):
    (src / folder).mkdir(parents=True)
line = '{"type":"user","sessionId":"s","cwd":"/w","message":{"content":"hello"}}\\n'
for path in (src / "p" / "open.jsonl", src / "p" / "closed.jsonl", src / "locked" / "in.jsonl"):
    path.write_text(line)
(src / "p" / "closed.jsonl").chmod(0)
(src / "locked").chmod(0)
ledger = Ledger.at(base / "data")
first = archive_from([src], base / "archive", ledger)
(src / "p" / "closed.jsonl").chmod(0o644)
(src / "locked").chmod(0o755)
second = archive_from([src], base / "archive", ledger)
print(json.dumps({"first": [first.copied, first.skipped], "second": second.copied}))
"""


def _without_root_powers() -> list[str]:
    """Root reads any file whatever its mode: run the script without that power."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): cannot drop the power")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def test_a_file_or_folder_unreadable_once_is_reported_then_archived_when_readable(
    tmp_path: Path,
) -> None:
    script = [sys.executable, "-c", UNREADABLE_FOR_A_WHILE, str(tmp_path)]
    run = subprocess.run(
        [*_without_root_powers(), *script], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
    said = json.loads(run.stdout)
    copied, skipped = said["first"]
    assert copied == 1
    assert sorted((Path(p).name, why) for p, why in skipped) == [
        ("closed.jsonl", "unreadable: Permission denied"),
        ("locked", "unreadable folder: Permission denied"),
    ]
    assert said["second"] == 2  # tried again, not remembered as skipped


def test_links_in_a_loop_are_reported_by_sources_and_distill(
    tmp_path: Path, embedder: object
) -> None:
    """Nothing is lost by them, but every input passed over is said, and counted."""
    from typer.testing import CliRunner

    from metis_distill.cli import app
    from metis_distill.config import default_settings
    from tests.test_listing import archive_with_loops

    runs = archive_with_loops(tmp_path / "runs")
    _session(runs / "proj", "a0000002")
    loops = ["l1", "l2", "proj/up", "self"]
    said = CliRunner().invoke(app, ["sources", "--archive", str(runs)])
    assert said.exit_code == 0, said.output
    for name in loops:
        assert f"skipped {name}: a loop of symbolic links: not followed" in said.output

    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    settings = default_settings(
        archive=runs, data_dir=tmp_path / "data", target=target, all_projects=True
    )
    report = pipeline.distill(settings, embedder=embedder)
    passed_over = [line for line in report.skipped_files if "loop of symbolic links" in line]
    assert passed_over == [f"{runs / n}: a loop of symbolic links: not followed" for n in loops]
    assert report.files_skipped >= len(loops)
