"""Latency of the read-only side door: `metis search`, `metis context` and the MCP tools.

    .venv/bin/python bench/retrieve_latency.py [ARCHIVE] [--synthetic 2000 10000]

Distils ARCHIVE (default ../shared/corpus, every format) into a fresh data dir with the
stages called directly, then times: a query in a warm process (what the MCP server pays per
call), the first query of a process (model load + embedding every lesson), the CLI end to
end (a new process per command, as a hook would run it), and a round trip through the MCP
SDK's stdio client. `--synthetic N` adds ledgers of N generated lessons for the scaling.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import anyio
from _stages import distill_once
from mcp import Client, StdioServerParameters

from metis_distill.embeddings import MiniLMEmbedder
from metis_distill.ledger import EvidenceRow, Ledger, LessonRow, now
from metis_distill.retrieve.retriever import Retriever
from metis_distill.retrieve.search import Query

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"
METIS = str(Path(sys.executable).parent / "metis")
QUERIES = [
    "python: command not found",
    "the test suite fails because a module is missing",
    "Permission denied",
    "how do we run the linter before committing",
    "git push rejected",
]
LOAD_ONLY = (  # what every search pays before it reads anything: imports and the model
    "import metis_distill.cli, metis_distill.retrieve.records, metis_distill.retrieve.retriever; "
    "from metis_distill.embeddings import MiniLMEmbedder; e = MiniLMEmbedder(); "
    "e.optimize_graph = False; e._load()"
)
TASK = "Fix the failing tests, then add a database migration and run the linter"


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def in_process(data: Path) -> dict[str, float]:
    start = time.perf_counter()
    retriever = Retriever(data, MiniLMEmbedder())
    retriever.search(Query(QUERIES[0]))
    cold = (time.perf_counter() - start) * 1000
    # a query embedding is cached by text: every timed query is a new one
    fresh = (f"{q} (take {i})" for i in range(1000) for q in QUERIES)
    warm = median_ms(lambda: retriever.search(Query(next(fresh))), 15)
    tasks = (f"{TASK} (take {i})" for i in range(1000))
    context = median_ms(lambda: retriever.context(next(tasks), 600), 5)
    lessons = len(retriever.store.snapshot().lessons)
    snapshot = median_ms(retriever.store.snapshot, 5)
    retriever.close()
    return {
        "lessons": lessons,
        "first query (ms)": cold,
        "warm search (ms)": warm,
        "warm context (ms)": context,
        "ledger snapshot (ms)": snapshot,
    }


def cli(data: Path, repeat: int) -> dict[str, float]:
    def run(*args: str) -> None:
        subprocess.run([METIS, *args, "--data-dir", str(data)], check=True, capture_output=True)

    return {
        "CLI search (ms)": median_ms(lambda: run("search", QUERIES[1]), repeat),
        "CLI context (ms)": median_ms(lambda: run("context", TASK), repeat),
        "CLI import + model load, no query (ms)": median_ms(
            lambda: subprocess.run(
                [sys.executable, "-c", LOAD_ONLY], check=True, capture_output=True
            ),
            repeat,
        ),
        "CLI --help (ms)": median_ms(
            lambda: subprocess.run([METIS, "--help"], check=True, capture_output=True), repeat
        ),
    }


def mcp_round_trip(data: Path) -> dict[str, float]:
    async def main() -> dict[str, float]:
        params = StdioServerParameters(command=METIS, args=["mcp", "--data-dir", str(data)])
        async with Client(params, read_timeout_seconds=300) as client:
            start = time.perf_counter()
            await client.call_tool("search_lessons", {"query": QUERIES[0]})
            first = (time.perf_counter() - start) * 1000
            times = []
            for i, query in enumerate(QUERIES * 2):
                start = time.perf_counter()
                await client.call_tool("search_lessons", {"query": f"{query} ({i})"})
                times.append(time.perf_counter() - start)
            start = time.perf_counter()
            await client.call_tool("context_for_task", {"task": TASK})
            context = (time.perf_counter() - start) * 1000
        return {
            "MCP first call (ms)": first,
            "MCP search_lessons (ms)": statistics.median(times) * 1000,
            "MCP context_for_task (ms)": context,
        }

    return anyio.run(main)


WORDS = {
    "tool": [
        "pytest",
        "npm",
        "pnpm",
        "cargo",
        "go",
        "make",
        "docker",
        "uv",
        "alembic",
        "tsc",
        "vitest",
        "ruff",
        "mypy",
        "gradle",
    ],
    "what": [
        "build",
        "test",
        "lint",
        "migrate",
        "deploy",
        "format",
        "typecheck",
        "bundle",
        "release",
        "seed",
    ],
    "error": [
        "command not found",
        "Permission denied",
        "ModuleNotFoundError",
        "connection refused",
        "missing script",
        "timed out",
        "no such file or directory",
        "exit code 2",
    ],
    "fix": [
        "use the wrapper script",
        "set the env var first",
        "run it from the repo root",
        "pin the version",
        "install the extra",
        "pass --no-cache",
        "re-run the generator",
    ],
}


def synthetic(data: Path, n: int, seed: int = 7) -> None:
    """A ledger of n generated lessons, two pieces of evidence each."""
    rng = random.Random(seed)
    ledger = Ledger.at(data)
    with ledger.session() as db:
        for i in range(n):
            tool, what = rng.choice(WORDS["tool"]), rng.choice(WORDS["what"])
            error, fix = rng.choice(WORDS["error"]), rng.choice(WORDS["fix"])
            text = f"`{tool} {what}` fails in module {i} with “{error}”; {fix} (case {i})."
            lesson_id = f"{i:010x}"
            db.add(
                LessonRow(
                    id=lesson_id,
                    kind=rng.choice(["failure", "gotcha", "decision"]),
                    text=text,
                    status="active",
                    severity=1,
                    scope=[],
                    extractor="rules",
                    first_seen=now(),
                    last_seen=now(),
                    created_at=now(),
                )
            )
            for e in range(2):
                db.add(
                    EvidenceRow(
                        id=f"{i:08x}{e:02x}",
                        lesson_id=lesson_id,
                        archive_root=str(data / "archive"),
                        path=f"p/{i}.jsonl",
                        line_start=e + 1,
                        line_end=e + 1,
                        quote=error,
                        session_id=f"s{i}-{e}",
                        cwd=f"/src/project{i % 20}",
                        timestamp=now(),
                    )
                )
    ledger.close()


def show(title: str, row: dict[str, float]) -> None:
    print(f"\n{title}")
    for key, value in row.items():
        print(f"| {key} | {value:,.0f} |" if key != "lessons" else f"| lessons | {value} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("archive", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--synthetic", type=int, nargs="*", default=[])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"load average: {os.getloadavg()}")
    data = Path(tempfile.mkdtemp(prefix="metis-bench-retrieve-")) / "data"
    (data / "repo").mkdir(parents=True)
    seconds, _ = distill_once(args.archive.resolve(), data, MiniLMEmbedder())
    print(f"distilled {args.archive} in {seconds:.1f} s")
    show("corpus, in process", in_process(data))
    show("corpus, CLI (new process each)", cli(data, args.repeat))
    show("corpus, MCP over stdio", mcp_round_trip(data))
    for n in args.synthetic:
        scaled = Path(tempfile.mkdtemp(prefix="metis-bench-retrieve-")) / "data"
        synthetic(scaled, n)
        show(f"{n} synthetic lessons, in process", in_process(scaled))
        show(f"{n} synthetic lessons, CLI", cli(scaled, max(2, args.repeat // 2)))


if __name__ == "__main__":
    main()
