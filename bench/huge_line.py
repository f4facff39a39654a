"""A transcript with one huge line (a 50 MB tool output on a single JSONL line): the first
distill and a re-run with nothing new, each in its own process (wall seconds, peak RSS).

    .venv/bin/python bench/huge_line.py [--mb 50]

Two shapes: the huge output among the four lines of a session (a failing build, its fix),
and a file that is that one line alone. Stages are called directly (no Prefect), as in
bench/large_archive.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BASE = {"sessionId": "huge-0001", "cwd": "/home/dev/src/shop", "version": "2.1.81"}
WORDS = ["error", "module", "import", "the", "build", "path", "token", "FAILED", "warning"]


def _row(kind: str, uuid: str, second: int, content: object) -> dict[str, object]:
    stamp = f"2026-06-01T09:00:{second:02d}.000Z"
    return {**BASE, "type": kind, "uuid": uuid, "timestamp": stamp, "message": content}


def write_session(path: Path, megabytes: int, alone: bool) -> None:
    """The huge tool output is written in pieces: this process stays small."""
    rng = random.Random(5)
    marker = "@@OUTPUT@@"
    result = _row(
        "user",
        "r1",
        20,
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": marker, "is_error": True}
            ],
        },
    )
    head, tail = json.dumps(result).split(json.dumps(marker))
    call = {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "make build"}}
    fix = "Turns out the build needs NODE_OPTIONS=--max-old-space-size=4096 to link."
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        if not alone:
            out.write(json.dumps(_row("user", "u1", 0, {"role": "user", "content": "build it"})))
            out.write("\n" + json.dumps(_row("assistant", "a1", 10, {"content": [call]})) + "\n")
        out.write(head + '"Exit code 2\\n')
        written = 0
        while written < megabytes * 1_000_000:
            piece = " ".join(rng.choice(WORDS) for _ in range(2000))
            out.write(json.dumps(piece + "\n")[1:-1])
            written += len(piece) + 1
        out.write('make: *** [build] Error 2"' + tail + "\n")
        if not alone:
            text = {"content": [{"type": "text", "text": fix}]}
            out.write(json.dumps(_row("assistant", "a2", 40, text)) + "\n")


def measure(source: Path, data: Path) -> dict[str, float]:
    start = time.perf_counter()
    child = [sys.executable, str(BENCH / "_child.py"), "distill", str(source), str(data)]
    proc = subprocess.Popen(child, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the distill failed ({os.waitstatus_to_exitcode(status)})")
    counts = json.loads(out.decode().strip().splitlines()[-1])
    wall = time.perf_counter() - start
    return {"wall": wall, "seconds": counts["seconds"], "peak_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="metis-huge-"))
    try:
        print("| transcript | run | distill s | process s | peak MB |\n|---|---|---|---|---|")
        for alone in (False, True):
            source = work / f"source-{alone}"
            write_session(source / "p" / "huge.jsonl", args.mb, alone)
            size = (source / "p" / "huge.jsonl").stat().st_size / 1e6
            shape = f"{size:.0f} MB, {'one line' if alone else 'one huge line of 4'}"
            data = work / f"data-{alone}"
            for run in ("first", "nothing new"):
                m = measure(source, data)
                print(
                    f"| {shape} | {run} | {m['seconds']:.1f} | {m['wall']:.1f} | "
                    f"{m['peak_mb']:.0f} |"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
