"""Kill -9 `metis distill` and `metis accept` at chosen points and at random moments, then
re-run the same command plainly and check that nothing needs a human:

- the re-run exits 0 (a leaked lock would make it wait, then fail);
- the archive equals the sources, byte for byte;
- the ledger holds the same lessons and evidence as an uninterrupted run (no duplicates);
- the proposal (proposed.md, diff.patch) is identical to an uninterrupted run's; after an
  accept, the target and its recorded versions are;
- no temp file is left anywhere (data dir, target folder);
- the killed run is recorded as `interrupted`, none stays `running`.

    .venv/bin/python bench/kill9.py [--random 6] [--large-mb 24] [--only POINT ...]

Sources: data/sample, ../shared/corpus/claude-code when present, and one large generated
session (for kills in the middle of its copy). Each scenario has its own folder with the same
layout (so that evidence links compare equal) and its own Prefect home, shared by the killed
run and its re-run (a slot leaked into Prefect's database would show). The kill points are
`metis_distill.faults.checkpoint` names; the process leads its own group, so Prefect's
ephemeral server dies with it, as with `kill -9 -- -PGID`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
METIS = Path(sys.executable).parent / "metis"
CORPUS = REPO.parent / "shared" / "corpus" / "claude-code"
sys.path.insert(0, str(BENCH))

from huge_line import write_session  # noqa: E402

DISTILL_POINTS = [
    "archive:copying@3",  # in the middle of the large file's copy (3rd MiB)
    "archive:written@1",  # a batch's copies written, not flushed nor renamed
    "archive:renamed@1",  # its copies renamed and flushed, not recorded
    "archive:file@2",
    "archive:file@12",
    "distill:locked",  # right after the target's lock is taken
    "extract:file@1",  # parsing the first file
    "extract:file@9",
    "ledger:committed@4",  # a fresh data dir: inside the ledger's first migrations
    "ledger:committed@12",
    "ledger:committed@30",
    "curate:merged",  # lessons merged, files not yet marked as read
    "curate:recorded",
    "write:renaming@1",  # the proposal's first file written, not yet renamed
    "write:renaming@3",
    "proposal:written",  # the proposal's files written, its transaction not committed
]
ACCEPT_POINTS = [
    "ledger:committed@1",
    "accept:intent",
    "write:renaming@1",  # the target's temp file written, not yet renamed
    "accept:renamed",  # right after the target's rename
    "ledger:committed@4",
    "ledger:committed@6",
    "accept:recorded",
]


@dataclass
class Outcome:
    command: str
    point: str
    killed: bool
    rerun_rc: int
    seconds: float
    problems: list[str] = field(default_factory=list)
    runs: object = None  # the distill runs on record: the killed one, then the re-run


def env_for(folder: Path, kill: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "PREFECT_HOME": str(folder / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "METIS_DATA_DIR": str(folder / "data"),
        # a leaked lock fails the re-run instead of an hour's wait
        "METIS_SCALE__DISTILL_WAIT": "120",
        "METIS_EXTRACT__EXTRACTOR": "rules",
    }
    env.pop("PREFECT_API_URL", None)
    env.pop("METIS_KILL_AT", None)
    if kill:
        env["METIS_KILL_AT"] = kill
    return env


def distill_args(folder: Path) -> list[str]:
    target = folder / "repo" / "CLAUDE.md"
    archive = str(folder / "src")
    return [str(METIS), "distill", "--archive", archive, "--target", str(target), "--all-projects"]


def accept_args(folder: Path) -> list[str]:
    return [str(METIS), "accept", "--target", str(folder / "repo" / "CLAUDE.md")]


def run(args: list[str], env: dict[str, str], delay: float | None = None) -> int:
    """Run a command in its own process group; with `delay`, kill -9 the group after it."""
    with open(os.devnull, "wb") as quiet:
        proc = subprocess.Popen(args, env=env, stdout=quiet, stderr=quiet, start_new_session=True)
        if delay is None:
            return proc.wait()
        try:
            return proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            return proc.wait()


def make_sources(src: Path, large_mb: int) -> None:
    shutil.copytree(REPO / "data" / "sample" / "projects", src / "sample")
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, src / "corpus")
    write_session(src / "large" / "large.jsonl", large_mb, alone=False)


def fresh(work: Path, template: Path) -> Path:
    """The scenario's folder, always at the same path (the ledger keeps absolute paths, and the
    evidence links are relative to the target): a copy of the template."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work, symlinks=True)
    return work


def snapshot(folder: Path) -> dict[str, object]:
    """What must come out the same: the proposal, the ledger's counts, the target, versions."""
    db = sqlite3.connect(folder / "data" / "ledger.sqlite")
    try:
        one = db.execute
        pending = one("select target, folder from proposals where status = 'pending'").fetchall()
        lessons = one("select kind, text from lessons order by kind, text").fetchall()
        evidence = one("select count(*), count(distinct id) from evidence").fetchone()
        versions = [r[0] for r in one("select sha256 from versions order by id").fetchall()]
        running = one("select count(*) from distill_runs where status = 'running'").fetchone()
        runs = [r[0] for r in one("select status from distill_runs order by id").fetchall()]
    finally:
        db.close()
    proposal = {}
    for target, where in pending:  # the target's proposal and its CLAUDE.local.md's
        for name in ("proposed.md", "diff.patch"):
            proposal[f"{Path(target).name}/{name}"] = (Path(where) / name).read_text("utf-8")
    return {
        "proposal": proposal,
        "lessons": lessons,
        "evidence": evidence,
        "versions": versions,
        "target": (folder / "repo" / "CLAUDE.md").read_text(encoding="utf-8"),
        "running": running[0],
        "runs": runs,
    }


def archive_problems(folder: Path) -> list[str]:
    db = sqlite3.connect(folder / "data" / "ledger.sqlite")
    try:
        copies = db.execute("select source, archive_path from archive_copies").fetchall()
    finally:
        db.close()
    archive = folder / "data" / "archive"
    kept = {source: archive / path for source, path in copies}
    problems = []
    for path in sorted(p for p in (folder / "src").rglob("*") if p.is_file()):
        copy = kept.get(str(path.resolve()))
        if copy is None or _sha(copy) != _sha(path):
            problems.append(f"archive differs: {path.relative_to(folder)}")
    return problems


def temp_files(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob(".*"):
        if path.is_file() and (
            path.name.endswith((".metis-tmp", ".tmp")) or ".jsonl." in path.name
        ):
            found.append(str(path.relative_to(folder)))
    return found


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare(got: dict[str, object], want: dict[str, object], keys: tuple[str, ...]) -> list[str]:
    return [f"{key} differs" for key in keys if got[key] != want[key]]


def scenario(
    work: Path, template: Path, command: str, point: str, delay: float | None, want: dict
) -> Outcome:
    """Kill one command at one point (or after `delay` seconds), re-run it, check."""
    folder = fresh(work, template)
    args = distill_args(folder) if command == "distill" else accept_args(folder)
    start = time.perf_counter()
    killed_rc = run(args, env_for(folder, None if delay else point), delay)
    rerun_rc = run(args, env_for(folder))
    seconds = time.perf_counter() - start
    outcome = Outcome(command, point, killed_rc == -signal.SIGKILL, rerun_rc, seconds)
    got = snapshot(folder)
    # an accept killed after it had recorded everything: the re-run finds nothing to accept
    finished = command == "accept" and rerun_rc == 1 and got["versions"] == want["versions"]
    if rerun_rc != 0 and not finished:
        outcome.problems.append(f"re-run exit {rerun_rc}")
        return outcome
    outcome.runs = got["runs"]
    keys = ("proposal", "evidence") if command == "distill" else ("target", "versions")
    outcome.problems += compare(got, want, (*keys, "lessons"))
    outcome.problems += archive_problems(folder)
    outcome.problems += [f"temp file left: {t}" for t in temp_files(folder)]
    if got["running"]:
        outcome.problems.append("a run stays `running`")
    # a killed run that wrote its row (one more row than the re-run's) is recorded interrupted;
    # one killed before (the lock's point, the ledger's first commits) has no row at all
    wrote_row = command == "distill" and len(got["runs"]) > 1
    if outcome.killed and wrote_row and got["runs"][0] != "interrupted":
        outcome.problems.append(f"the killed run is recorded as {got['runs'][0]}")
    return outcome


def reference(root: Path, work: Path) -> tuple[dict, dict, float]:
    """An uninterrupted distill, and an uninterrupted accept after it; the folder as the
    distill left it becomes the accept scenarios' template."""
    fresh(work, root / "template")
    start = time.perf_counter()
    if run(distill_args(work), env_for(work)) != 0:
        raise SystemExit("the uninterrupted distill failed")
    seconds = time.perf_counter() - start
    distilled = snapshot(work)
    shutil.copytree(work, root / "distilled", symlinks=True)
    if run(accept_args(work), env_for(work)) != 0:
        raise SystemExit("the uninterrupted accept failed")
    return distilled, snapshot(work), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--random", type=int, default=6, help="kills at random moments")
    parser.add_argument("--large-mb", type=int, default=24)
    parser.add_argument("--only", nargs="*", help="only these kill points")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="metis-kill9-"))
    rng = random.Random(args.seed)
    work = root / "work"
    try:
        template = root / "template"
        make_sources(template / "src", args.large_mb)
        (template / "repo").mkdir()
        (template / "repo" / "CLAUDE.md").write_text("# Shop\n\nWritten by people: keep it.\n")
        distilled, accepted, plain = reference(root, work)
        print(
            f"uninterrupted distill: {plain:.0f} s; {len(distilled['lessons'])} lessons",
            flush=True,
        )
        plan = [("distill", p, None) for p in DISTILL_POINTS]
        plan += [("accept", p, None) for p in ACCEPT_POINTS]
        moments = [rng.uniform(3, plain * 0.9) for _ in range(args.random)]
        plan += [("distill", f"after {t:.1f} s", t) for t in moments]
        if args.only:
            plan = [s for s in plan if s[1] in args.only]
        outcomes = []
        print("| command | killed at | killed | re-run | s | result |\n|---|---|---|---|---|---|")
        for command, point, delay in plan:
            want = distilled if command == "distill" else accepted
            base = template if command == "distill" else root / "distilled"
            o = scenario(work, base, command, point, delay, want)
            outcomes.append(o)
            verdict = "recovered" if not o.problems else "; ".join(o.problems)
            print(
                f"| {command} | {point} | {'yes' if o.killed else 'no (ran to the end)'} | "
                f"exit {o.rerun_rc} | {o.seconds:.0f} | {verdict} |",
                flush=True,
            )
        bad = [o for o in outcomes if o.problems]
        summary = {"scenarios": len(outcomes), "killed": sum(o.killed for o in outcomes)}
        print(json.dumps({**summary, "recovered": len(outcomes) - len(bad)}))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
