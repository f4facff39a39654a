"""Small Claude Code sessions written from a template, for the curation tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from metis_distill import pipeline
from metis_distill.config import Settings, default_settings
from metis_distill.render.claude_md import find_block
from metis_distill.run_report import ProposalOutcome

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
    code: int = 1  # the exit code of a call that failed
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
        output = f"Exit code {turn.code}\n{turn.output}" if turn.failed else turn.output
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
    archive: Path, data: Path, embedder: Any, target: Path, settings: Settings | None = None
) -> ProposalOutcome:
    """One night: `pipeline.distill` of the archive (no Prefect), every project's runs."""
    given = settings.model_dump() if settings is not None else {}
    here = {"archive": archive, "data_dir": data, "target": target, "ledger_url": ""}
    night = default_settings(**{**given, **here, "all_projects": True})
    return pipeline.distill(night, embedder=embedder).proposal


def proposed_lines(outcome: ProposalOutcome | str) -> list[str]:
    """The rendered lines of a proposal (its outcome, or its folder)."""
    folder = outcome if isinstance(outcome, str) else outcome.folder
    assert folder is not None
    block = find_block(Path(folder, "proposed.md").read_text(encoding="utf-8"))
    assert block is not None
    return [line for line in block.body.splitlines() if line.startswith("- ")]
