"""A distill over a large generated archive: the first, full run against a re-run with nothing
new, and a re-run after one appended event. Real transcripts of ../shared/corpus are replayed
under new names and session ids until the archive reaches the size asked for.

    .venv/bin/python bench/large_archive.py [--mb 100]

Stages are called directly (no Prefect); the archive step copies into the data dir first,
as the flow does.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import uuid
from pathlib import Path

from _stages import distill_once

from metis_distill.embeddings import MiniLMEmbedder

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def generate(root: Path, megabytes: int) -> int:
    """Copies of the corpus's JSONL runs with fresh ids, up to `megabytes`; bytes written."""
    seeds = sorted((CORPUS / "claude-code").glob("*.jsonl")) + sorted(
        (CORPUS / "codex").glob("*.jsonl")
    )
    texts = [(p, p.read_text(encoding="utf-8")) for p in seeds]
    written, n = 0, 0
    while written < megabytes * 1_000_000:
        for path, text in texts:
            old_ids = {
                json.loads(line).get("sessionId")
                for line in text.splitlines()[:5]
                if line.startswith("{") and '"sessionId"' in line
            }
            new = text
            for old in old_ids - {None}:
                new = new.replace(str(old), str(uuid.uuid4()))
            target = root / f"copy{n:04d}" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(new, encoding="utf-8")
            written += len(new.encode())
        n += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="metis-large-"))
    try:
        source = work / "source"
        size = generate(source, args.mb)
        files = sum(1 for _ in source.rglob("*.jsonl"))
        data = work / "data"
        (data / "repo").mkdir(parents=True)
        embedder = MiniLMEmbedder()
        embedder.embed(["warm up"])
        full, full_counts = distill_once(source, data, embedder)
        noop, noop_counts = distill_once(source, data, embedder)
        victim = next(source.rglob("*.jsonl"))
        with victim.open("a", encoding="utf-8") as handle:
            handle.write(
                json.dumps(
                    {
                        "type": "user",
                        "sessionId": "x",
                        "message": {
                            "role": "user",
                            "content": "Always run the linter before committing.",
                        },
                    }
                )
                + "\n"
            )
        append, append_counts = distill_once(source, data, embedder)
        print(f"archive: {files} files, {size / 1e6:.1f} MB")
        print("| run | seconds | files read | bytes read |\n|---|---|---|---|")
        for name, secs, counts in (
            ("first, full", full, full_counts),
            ("nothing new", noop, noop_counts),
            ("one event appended", append, append_counts),
        ):
            print(f"| {name} | {secs:.2f} | {counts['files_read']} | {counts['bytes_read']:,} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
