"""Bad inputs through the archive and the read: what each one does, as a Markdown table.

    .venv/bin/python bench/bad_inputs.py

Every case is a file (or folder) of a source root: truncated, damaged, binary, in another
encoding, huge, unreadable. The stages are called directly (archive, discover, mine), as a
distill calls them. Run as root, the script drops root's power to read any file (setpriv),
or the unreadable cases would read fine.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from huge_line import write_session as write_huge  # noqa: E402

from metis_distill import pipeline  # noqa: E402
from metis_distill.archive import archive_from  # noqa: E402
from metis_distill.ledger import FileRecord, Ledger  # noqa: E402

BASE = {"sessionId": "bad-0001", "cwd": "/home/dev/src/shop", "version": "2.1.81"}


def session_text() -> str:
    """A small Claude Code session with a failure and its fix (ASCII and a few accents)."""
    rows = []
    for n in range(30):
        rows.append({**BASE, "type": "user", "uuid": f"u{n}", "message": {"content": f"Step {n}"}})
    call = {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "make test"}}
    rows.append({**BASE, "type": "assistant", "uuid": "a1", "message": {"content": [call]}})
    out = "Exit code 1\nE   ModuleNotFoundError: No module named 'café'"
    result = {"type": "tool_result", "tool_use_id": "t1", "content": out, "is_error": True}
    rows.append({**BASE, "type": "user", "uuid": "r1", "message": {"content": [result]}})
    fix = "Turns out the tests need `pip install -e .` first (the café package)."
    text = {"content": [{"type": "text", "text": fix}]}
    rows.append({**BASE, "type": "assistant", "uuid": "a2", "message": text})
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    make: Callable[[Path], None]
    later: Callable[[Path], None] | None = None  # a change before the second run


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def cases() -> list[Case]:
    text = session_text()
    raw = text.encode("utf-8")
    lines = raw.split(b"\n")
    damaged = b"\n".join([*lines[:5], lines[5][: len(lines[5]) // 2], *lines[6:]])
    nul = raw.replace(b"Step 3", b"Step\x003", 1)
    rng = random.Random(3)

    def unreadable(path: Path) -> None:
        path.write_bytes(raw)
        path.chmod(0)

    def locked_folder(path: Path) -> None:
        path.mkdir()
        (path / "inside.jsonl").write_bytes(raw)
        path.chmod(0)

    return [
        Case("truncated.jsonl", "cut in the middle of its last line", _bytes(raw[:-40])),
        Case("damaged.jsonl", "one line cut in half, the rest intact", _bytes(damaged)),
        Case("binary.bin", "4 KiB of random bytes", _bytes(rng.randbytes(4096))),
        Case("gzip.jsonl.gz", "a gzipped transcript", _bytes(_gzip(raw))),
        Case("nul.jsonl", "one NUL byte in the first 64 KiB", _bytes(nul)),
        Case("utf16-bom.jsonl", "UTF-16 LE with a BOM", _bytes(codecs.BOM_UTF16_LE + _u16(text))),
        Case("utf16.jsonl", "UTF-16 LE without a BOM", _bytes(_u16(text))),
        Case("utf8-bom.jsonl", "UTF-8 with a BOM", _bytes(codecs.BOM_UTF8 + raw)),
        Case("latin1.jsonl", "Latin-1, not UTF-8", _bytes(text.encode("latin-1"))),
        Case("crlf.jsonl", "CRLF line ends", _bytes(raw.replace(b"\n", b"\r\n"))),
        Case("empty.jsonl", "empty, then a session appended", _bytes(b""), _bytes(raw)),
        Case("huge.jsonl", "a 50 MB tool output on one line", _huge),
        Case("unreadable.jsonl", "mode 000, then 644", unreadable, lambda p: p.chmod(0o644)),
        Case("locked", "a folder of mode 000, then 755", locked_folder, lambda p: p.chmod(0o755)),
    ]


def _u16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


def _huge(path: Path) -> None:
    write_huge(path, 50, alone=False)


def one_run(source: Path, archive: Path, ledger: Ledger) -> dict[str, dict[str, object]]:
    """Archive, discover and mine (curation is not what is measured): per case, what
    happened."""
    start = time.perf_counter()
    archived = archive_from([source], archive, ledger)
    found = pipeline.changed_files(archive, ledger)
    results = [pipeline.mine_batch(archive, group) for group in pipeline.batches(found.changed)]
    ledger.record_files([*pipeline.skipped_records(archive, found), *_files(results)])
    seconds = time.perf_counter() - start
    seen: dict[str, dict[str, object]] = {}
    for path, why in archived.skipped:
        seen.setdefault(Path(path).name, {})["archive"] = f"skipped: {why}"
    for rel, why in found.skipped:
        seen.setdefault(Path(rel).name, {})["read"] = f"skipped: {why}"
    for result in results:
        for record in result.files:
            seen.setdefault(Path(record.path).name, {})["read"] = (
                f"{record.source_format}: {record.events} events, "
                f"{record.corrupt_lines} corrupt lines"
            )
        for failed in result.failed_files:
            seen.setdefault(Path(failed.split(":")[0]).name, {})["read"] = f"failed: {failed}"
        for candidate in result.candidates:
            name = Path(candidate.evidence.ref.path).name
            seen.setdefault(name, {}).setdefault("lessons", 0)
            seen[name]["lessons"] = int(str(seen[name]["lessons"])) + 1
    seen["(run)"] = {"seconds": round(seconds, 1)}
    return seen


def _files(results: list[pipeline.BatchResult]) -> list[FileRecord]:
    return [record for result in results for record in result.files]


def main() -> None:
    if os.geteuid() == 0 and os.environ.get("METIS_BENCH_UNPRIVILEGED") != "1":
        setpriv = shutil.which("setpriv")
        if setpriv:
            os.environ["METIS_BENCH_UNPRIVILEGED"] = "1"
            drop = "--bounding-set=-dac_override,-dac_read_search"
            os.execv(setpriv, [setpriv, drop, sys.executable, *sys.argv])
    work = Path(tempfile.mkdtemp(prefix="metis-bad-"))
    try:
        source, archive = work / "src", work / "archive"
        (source / "p").mkdir(parents=True)
        all_cases = cases()
        for case in all_cases:
            case.make(source / "p" / case.name)
        ledger = Ledger.at(work / "data")
        first = one_run(source, archive, ledger)
        for case in all_cases:
            if case.later:
                case.later(source / "p" / case.name)
        second = one_run(source, archive, ledger)
        print("| file | what | 1st run | 2nd run (after the change, if any) | archived |")
        print("|---|---|---|---|---|")
        for case in all_cases:
            print(
                f"| `{case.name}` | {case.what} | {_said(first, case.name)} | "
                f"{_said(second, case.name)} | {_kept(source, archive, case.name)} |"
            )
        print(f"\nfirst run {first['(run)']['seconds']} s, second {second['(run)']['seconds']} s")
    finally:
        for path in work.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(work, ignore_errors=True)


def _said(seen: dict[str, dict[str, object]], name: str) -> str:
    found = dict(seen.get(name, {}))
    if name == "locked":
        found = {**seen.get("inside.jsonl", {}), **found}
    if not found:
        return "unchanged"
    parts = [str(found[k]) for k in ("archive", "read") if k in found]
    if "lessons" in found:
        parts.append(f"{found['lessons']} lesson candidates")
    return "; ".join(parts)


def _kept(source: Path, archive: Path, name: str) -> str:
    origin = source / "p" / name
    files = [origin] if origin.is_file() else sorted(p for p in origin.rglob("*") if p.is_file())
    same = 0
    for path in files:
        copies = list(archive.rglob(path.name))
        same += any(c.read_bytes() == path.read_bytes() for c in copies)
    return "byte for byte" if files and same == len(files) else f"{same}/{len(files)} files"


if __name__ == "__main__":
    main()
