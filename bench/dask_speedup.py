"""The Dask task runner against Prefect's default one, and Prefect's own overhead, on a
generated archive of ~1,000 sessions (the corpus's Claude Code and Codex runs replayed under
fresh session ids).

    .venv/bin/python bench/dask_speedup.py [--sessions 1000] [--workers 2]

Three fresh distills of the same archive: the stages called directly (no Prefect), the flow
with the default runner, and the flow with a local Dask cluster. One Prefect server (on
127.0.0.1) is started before the clock starts, as a served deployment would have one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _stages import distill_once
from large_archive import CORPUS

from metis_distill.config import Settings
from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.ledger import Ledger

EVIDENCE = re.compile(r"\(\[evidence\]\([^)]*\)")


def generate(root: Path, sessions: int) -> int:
    """`sessions` copies of the corpus's JSONL runs with fresh session ids; bytes written."""
    seeds = sorted((CORPUS / "claude-code").glob("*.jsonl")) + sorted(
        (CORPUS / "codex").glob("*.jsonl")
    )
    texts = [(p, p.read_text(encoding="utf-8")) for p in seeds]
    written = 0
    for n in range(sessions):
        path, text = texts[n % len(texts)]
        for line in text.splitlines()[:5]:
            if line.startswith("{") and '"sessionId"' in line:
                old = json.loads(line).get("sessionId")
                if old:
                    text = text.replace(str(old), str(uuid.uuid4()))
                break
        target = root / f"copy{n // len(texts):04d}" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += len(text.encode())
    return written


def direct(source: Path, data: Path, embedder: MiniLMEmbedder) -> dict[str, float]:
    """The flow's distill without Prefect: (total, extract) seconds."""
    seconds, counts = distill_once(source, data, embedder)
    return {"total": seconds, "extract": counts["extract_seconds"]}


def through_flow(source: Path, data: Path, runner: str, workers: int) -> dict[str, float]:
    from prefect.client.orchestration import get_client

    from flows.distill import distill_flow
    from flows.runners import with_task_runner

    settings = Settings(
        archive=source,
        target=data / "repo" / "CLAUDE.md",
        all_projects=True,
        data_dir=data,
        extract={"extractor": "rules"},
        scale={"task_runner": runner, "dask_workers": workers},
    )
    start = time.perf_counter()
    state = with_task_runner(distill_flow, settings)(settings, return_state=True)
    total = time.perf_counter() - start
    assert state.is_completed(), state
    with get_client(sync_client=True) as client:
        runs = [
            r
            for r in client.read_task_runs()
            if r.flow_run_id == state.state_details.flow_run_id and r.name.startswith("extract")
        ]
    span = max(r.end_time for r in runs) - min(r.start_time for r in runs)  # type: ignore[type-var,operator]
    return {"total": total, "extract": span.total_seconds(), "tasks": len(runs)}


def proposal(data: Path) -> list[str]:
    """The proposed lines without their evidence link: among evidence of equal strength (the
    same run replayed under two session ids) the one shown depends on ids that include the
    data dir's path, which differs between the three runs. The target's own proposal: a
    distill also proposes for its CLAUDE.local.md."""
    ledger = Ledger.at(data)
    (row,) = [p for p in ledger.pending_proposals() if Path(p.target).name == "CLAUDE.md"]
    ledger.close()
    text = Path(row.folder, "proposed.md").read_text(encoding="utf-8")
    return [EVIDENCE.sub("", line) for line in text.splitlines() if "metis:begin" not in line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")  # as the CLI
    work = Path(tempfile.mkdtemp(prefix="metis-dask-"))
    os.environ["PREFECT_HOME"] = str(work / "prefect")
    try:
        source = work / "source"
        size = generate(source, args.sessions)
        embedder = MiniLMEmbedder()
        embedder.embed(["warm up"])
        figures: dict[str, dict[str, Any]] = {}
        (work / "direct" / "repo").mkdir(parents=True)
        figures["stages called directly"] = direct(source, work / "direct", embedder)

        from prefect.server.api.server import SubprocessASGIServer
        from prefect.settings import PREFECT_API_URL, temporary_settings

        server = SubprocessASGIServer()
        server.start()
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            for name, runner in (("flow, default runner", "default"), ("flow, Dask", "dask")):
                data = work / runner
                (data / "repo").mkdir(parents=True)
                figures[name] = through_flow(source, data, runner, args.workers)
        same = proposal(work / "default") == proposal(work / "dask") == proposal(work / "direct")
        print(
            f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} cores, {platform.machine()}, "
            f"Python {platform.python_version()}; {args.sessions} sessions, {size / 1e6:.1f} MB; "
            f"Dask: {args.workers} workers; same proposal every way: {same}"
        )
        print("| run | total s | parse+mine+extract s |\n|---|---|---|")
        for name, f in figures.items():
            print(f"| {name} | {f['total']:.1f} | {f['extract']:.1f} |")
        default, dask = figures["flow, default runner"], figures["flow, Dask"]
        plain = figures["stages called directly"]
        print(
            f"Dask speed-up: {default['total'] / dask['total']:.2f}x end to end, "
            f"{default['extract'] / dask['extract']:.2f}x on the mapped stage "
            f"({int(default['tasks'])} tasks); Prefect overhead: "
            f"{default['total'] - plain['total']:+.1f} s "
            f"({(default['total'] / plain['total'] - 1):+.0%})"
        )
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(work)


if __name__ == "__main__":
    main()
