"""The archive copy alone: `archive_from` into a fresh data dir, several source trees
alternated on the same generated files, each run in its own process.

    .venv/bin/python bench/archive_copy.py [--mb 500] [--runs 3] [--tree DIR ...] [--strace]

Each `--tree` is a checkout whose `src` goes first on the path (default: this one). The
sources are the corpus's Claude Code transcripts replayed (`compare.generate`), flushed to
disk before the first run, and every run's archive is deleted and flushed before the next:
a run's flush pays for its own copies only, as it would for a user's old transcripts. With
`--strace` each run goes under `strace -c -w -f` and prints the wall time per system call.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from compare import CORPUS, generate

BENCH = Path(__file__).resolve().parent
CHILD = """
import json, sys, time
from pathlib import Path
from metis_distill.archive import archive_from
from metis_distill.ledger import Ledger
source, data = Path(sys.argv[1]), Path(sys.argv[2])
ledger = Ledger.at(data)
start = time.perf_counter()
done = archive_from([source], data / "archive", ledger)
seconds = time.perf_counter() - start
ledger.close()
print(json.dumps({"seconds": seconds, "copied": done.copied, "bytes": done.bytes_copied}))
"""


def one_run(tree: Path, source: Path, work: Path, strace: bool) -> dict[str, object]:
    data = work / "data"
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    command = [sys.executable, "-c", CHILD, str(source), str(data)]
    if strace:
        command = ["strace", "-c", "-w", "-f", "-o", str(work / "strace.txt"), *command]
    load = os.getloadavg()[0]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    row: dict[str, object] = {"tree": str(tree), "load": round(load, 2), **json.loads(out.stdout)}
    if strace:
        row["strace"] = (work / "strace.txt").read_text()
    shutil.rmtree(data)
    os.sync()  # the deletes flushed: the next run starts with nothing of this one's dirty
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, action="append", help="a checkout (repeatable)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--strace", action="store_true")
    args = parser.parse_args()
    trees = [t.resolve() for t in args.tree or [BENCH.parent]]
    work = Path(tempfile.mkdtemp(prefix="metis-archive-copy-"))
    try:
        source = work / "claude"
        size = generate(source, args.mb, args.corpus)
        files = sum(1 for p in source.rglob("*") if p.is_file())
        os.sync()
        print(json.dumps({"mb": round(size / 1e6), "files": files}), flush=True)
        for run in range(args.runs):
            for tree in trees if run % 2 == 0 else trees[::-1]:
                row = one_run(tree, source, work, args.strace)
                print(json.dumps({"run": run + 1, **row}), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
