"""Tokens a rendered line costs, and how many of them are its evidence link and id: the block
is loaded into every agent session of every teammate.

    .venv/bin/python bench/line_tokens.py [--archive ../shared/corpus] [--src DIR]

Distils the archive (rules extractor, every project, default budgets) into a fresh data dir,
then measures the proposed block: characters / 4 per line (contract 9), the overhead being
everything after the lesson's words. Both line formats are read (the evidence-file link, and
the older archive link with its id comment), so the script also measures an older checkout:
`--src` runs it against that checkout's `src/` (export it with `git archive REV | tar -x`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import mean

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
NEW = re.compile(r"^- (?P<text>.*?)(?P<over> \[\d+\]\([^)\s]+#L\d+-L\d+\))$")
OLD = re.compile(r"^- (?P<text>.*?)(?P<over> \(\[evidence\]\(.*\) <!-- metis:[0-9a-f]{10} -->)$")
DISTIL = """
import sys
from pathlib import Path
from metis_distill import pipeline
from metis_distill.config import default_settings
archive, data, target = map(Path, sys.argv[1:4])
settings = default_settings(
    archive=archive, data_dir=data, target=target, all_projects=True, extractor="rules"
)
print(pipeline.distill(settings).proposal.folder)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--archive", type=Path, default=CORPUS)
    parser.add_argument("--src", type=Path, default=REPO / "src")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="metis-tokens-") as scratch:
        root = Path(scratch)
        target = root / "repo" / "CLAUDE.md"
        target.parent.mkdir()
        env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
        cmd = [sys.executable, "-c", DISTIL, str(args.archive), str(root / "data"), str(target)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        folder = Path(done.stdout.strip().splitlines()[-1])
        print(json.dumps(measure((folder / "proposed.md").read_text(encoding="utf-8")), indent=2))


def measure(proposed: str) -> dict[str, float]:
    body = proposed[proposed.index("<!-- metis:begin") :]
    lines = [ln for ln in body.splitlines() if ln.startswith("- ")]
    matches = [m for m in (NEW.match(ln) or OLD.match(ln) for ln in lines) if m is not None]
    assert len(matches) == len(lines), "a line in neither format"
    tokens = [len(ln) / 4 for ln in lines]
    over = [len(m["over"]) / 4 for m in matches]
    return {
        "lines": len(lines),
        "tokens_per_line_mean": round(mean(tokens), 1),
        "overhead_tokens_mean": round(mean(over), 1),
        "overhead_tokens_max": max(over),
        "overhead_share": round(sum(over) / sum(tokens), 3),
        "block_tokens": round(len(body) / 4),
    }


if __name__ == "__main__":
    main()
