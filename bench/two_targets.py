"""Two `metis distill` at once on one data dir, for two different targets (the default: one
user data dir for every repository). Both must finish with their proposal, however their
writes to the archive, the ledger and the lesson index interleave.

    .venv/bin/python bench/two_targets.py [--rounds 3]

Each round starts from an empty data dir; the sources are data/sample and, when present,
../shared/corpus/claude-code.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
METIS = Path(sys.executable).parent / "metis"
CORPUS = REPO.parent / "shared" / "corpus" / "claude-code"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="metis-two-"))
    try:
        source = root / "src"
        shutil.copytree(REPO / "data" / "sample" / "projects", source / "sample")
        if CORPUS.is_dir():
            shutil.copytree(CORPUS, source / "corpus")
        print("| round | exit codes | proposals | lessons | seconds | errors printed |")
        print("|---|---|---|---|---|---|")
        for n in range(1, args.rounds + 1):
            print(one_round(root, source, n), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def one_round(root: Path, source: Path, n: int) -> str:
    data = root / f"data-{n}"
    env = {
        **os.environ,
        "METIS_DATA_DIR": str(data),
        "PREFECT_HOME": str(root / f"prefect-{n}"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "METIS_EXTRACT__EXTRACTOR": "rules",
    }
    env.pop("PREFECT_API_URL", None)
    start = time.perf_counter()
    runs = []
    for name in ("alpha", "beta"):
        target = root / f"{name}-{n}" / "CLAUDE.md"
        target.parent.mkdir()
        command = [str(METIS), "distill", "--archive", str(source), "--target", str(target)]
        runs.append(
            subprocess.Popen(
                [*command, "--all-projects"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [run.communicate() for run in runs]
    seconds = time.perf_counter() - start
    db = sqlite3.connect(data / "ledger.sqlite")
    try:
        pending = db.execute("select count(*) from proposals where status='pending'").fetchone()
        lessons = db.execute("select count(*) from lessons").fetchone()
    finally:
        db.close()
    codes = ", ".join(str(run.returncode) for run in runs)
    errors = [line for _, err in outputs for line in err.splitlines() if "Error" in line]
    shown = "; ".join(errors[:2]) or "none"
    return f"| {n} | {codes} | {pending[0]} | {lessons[0]} | {seconds:.0f} | {shown} |"


if __name__ == "__main__":
    main()
