"""Small Claude Code sessions written from a template, for the curation tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from metis_distill import pipeline
from metis_distill.config import Settings
from metis_distill.curate.select import Scope
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger
from metis_distill.render.claude_md import find_block

CWD = "/home/dev/src/shop"


@dataclass(frozen=True)
class Say:
    role: str  # user | assistant
    text: str
    after: float = 60.0  # seconds after the previous turn


@dataclass(frozen=True)
class Bash:
    command: str
    output: str
    failed: bool = False
    after: float = 30.0  # seconds from the previous turn to the call
    took: float = 5.0  # seconds from the call to its result
    tool: str = "Bash"  # another tool (Edit) takes `command` as its file path


Turn = Say | Bash


def write_session(
    archive: Path, name: str, start: datetime, turns: list[Turn], cwd: str = CWD
) -> Path:
    """One session file under `archive/<project>/<name>.jsonl`; returns its path."""
    sid = f"{name}-0000-4000-8000-000000000000"
    path = archive / ("-" + cwd.strip("/").replace("/", "-")) / f"{sid}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    base = {"sessionId": sid, "cwd": cwd, "version": "2.1.81", "gitBranch": "main"}
    rows: list[dict[str, object]] = []
    when = start
    for n, turn in enumerate(turns):
        when += timedelta(seconds=turn.after)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if isinstance(turn, Say):
            content: object = (
                turn.text if turn.role == "user" else [{"type": "text", "text": turn.text}]
            )
            rows.append(
                {
                    **base,
                    "type": turn.role,
                    "uuid": f"{name}-{n}",
                    "timestamp": stamp,
                    "message": {"role": turn.role, "content": content},
                }
            )
            continue
        tool_id = f"toolu_{name}_{n}"
        rows.append(
            {
                **base,
                "type": "assistant",
                "uuid": f"{name}-{n}-call",
                "timestamp": stamp,
                "message": {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "tool_use",
                            "id": tool_id,
                            "name": turn.tool,
                            "input": {"command": turn.command}
                            if turn.tool == "Bash"
                            else {"file_path": turn.command},
                        }
                    ],
                },
            }
        )
        when += timedelta(seconds=turn.took)
        output = f"Exit code 1\n{turn.output}" if turn.failed else turn.output
        rows.append(
            {
                **base,
                "type": "user",
                "uuid": f"{name}-{n}-result",
                "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "message": {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": tool_id,
                            "content": output,
                            "is_error": turn.failed,
                        }
                    ],
                },
            }
        )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def distil(
    archive: Path,
    data: Path,
    embedder: Any,
    target: Path,
    settings: Settings | None = None,
    summary: dict[str, object] | None = None,
) -> pipeline.ProposalOutcome:
    """One night: read what changed, curate it, propose the target (no Prefect)."""
    ledger = Ledger.at(data)
    index = LessonIndex(data / "index", embedder)
    found = pipeline.changed_files(archive, ledger)
    results = [pipeline.mine_batch(archive, found.changed)]
    stats = pipeline.curate_batches(
        results,
        ledger,
        index,
        archive_root=archive,
        max_distance=0.12,
        skipped=pipeline.skipped_records(archive, found),
        rewritten=found.rewritten_paths,
        settings=settings,
    )
    counts = {"events": sum(r.events for r in results), "lessons_new": stats.new}
    summary = {**counts, **(summary or {})}
    outcome = pipeline.propose(
        target,
        ledger,
        data / "proposals",
        scope=Scope(None),
        budget=12,
        summary=summary,
        locks_dir=data / "locks",
        settings=settings,
    )
    ledger.close()
    return outcome


def proposed_lines(outcome: pipeline.ProposalOutcome) -> list[str]:
    assert outcome.folder is not None
    block = find_block(Path(outcome.folder, "proposed.md").read_text(encoding="utf-8"))
    assert block is not None
    return [line for line in block.body.splitlines() if line.startswith("- ")]
