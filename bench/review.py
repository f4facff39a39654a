"""Review costs on ../shared/corpus/claude-code (or any folder): making a proposal with its
Markdown and HTML reports, accepting it item by item, rewinding, committing it with git.

    .venv/bin/python bench/review.py [ARCHIVE]

Stages are called directly (no Prefect), on a fresh data dir; the distill itself is not timed.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _stages import distill_once

from metis_distill.curate.select import Scope
from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.ledger import Ledger
from metis_distill.publish import Curation, publish_targets
from metis_distill.review.git import commit_on_branch
from metis_distill.review.history import rewind
from metis_distill.review.proposal import accept
from metis_distill.run_report import ProposalOutcome, RunSummary

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "claude-code"


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("archive", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args()
    print(f"archive: {args.archive}")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    data = Path(tempfile.mkdtemp(prefix="metis-bench-review-"))
    repo = data / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=b@localhost"]
    target = repo / "CLAUDE.md"
    target.write_text("# Project\n\nHuman notes.\n")
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    distill_once(args.archive.resolve(), data, MiniLMEmbedder())
    ledger = Ledger.at(data)
    for stale in ledger.pending_proposals():  # the target's and its CLAUDE.local.md's
        ledger.decide(stale.id, "superseded")  # made with the bench's own target path; redo it

    def propose() -> ProposalOutcome:
        return publish_targets(
            target,
            ledger,
            data / "proposals",
            scope=Scope(None),
            run=RunSummary(extractor="rules"),
            locks_dir=data / "locks",
            curation=Curation(),
        )[0]

    rows = []
    seconds, outcome = timed(propose)
    folder = Path(outcome.folder or "")
    html_kb = (folder / "report.html").stat().st_size / 1024
    rows.append((f"propose ({outcome.added} items; report.md + report.html)", seconds))
    rows.append(
        (
            "propose --git (commit on a new branch)",
            timed(lambda: commit_on_branch(ledger, target))[0],
        )
    )
    odd = list(range(1, outcome.added + 1, 2))
    rows.append(
        (
            f"accept {len(odd)} items of {outcome.added}",
            timed(lambda: accept(ledger, data / "locks", target, odd))[0],
        )
    )
    rows.append(("accept the rest", timed(lambda: accept(ledger, data / "locks", target))[0]))
    first = ledger.versions(str(target.resolve()))[0]
    rows.append(
        (
            "rewind to the first version",
            timed(
                lambda: rewind(ledger, target, f"v{first.id}", data / "proposals", data / "locks")
            )[0],
        )
    )
    rows.append(("accept the rewind", timed(lambda: accept(ledger, data / "locks", target))[0]))
    assert target.read_bytes() == first.content.encode()
    print(f"report.html: {html_kb:.1f} KiB")
    print("\n| step | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} |")
    ledger.close()
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
