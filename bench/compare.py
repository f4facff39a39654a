"""metis-distill against the tools people use to read these archives, on the same files.

    .venv/bin/python bench/compare.py [--sizes 0,100,500,1000] [--ccl-max-mb 1000]
                                      [--docs docs/benchmarks.md]

Size 0 is the corpus's Claude Code transcripts as they are; other sizes are archives of
those transcripts replayed under fresh session ids, message ids and shifted dates, generated
in a temp dir (never committed). Claude Code only: the format ccusage and claude-code-log
read, so every tool reads the same files. Each step runs in its own process; its peak RSS
comes from GNU time (or wait4). Tools are installed under bench/.cache/ (npm, and a venv made
with uv when it is on the PATH, else with venv + pip), not into the project:

- ccusage@20.0.24 (npm; 20.0.26's native binary is missing from the registry), run as
  `ccusage claude session --offline --json` with CLAUDE_CONFIG_DIR at the archive;
- claude-code-log (PyPI), `convert DIR --all-projects -o OUT`, on a copy (it writes a cache
  beside the transcripts);
- the raw floor: read the bytes and parse every line with orjson (the fastest parser there),
  on one core.

metis: parse (detect + parse + redact, every core), distill (the library path, rules
extractor, every core, fresh data dir; imports and the model load not timed), the no-op
check alone (`nothing_new`) and `metis distill` on the unchanged archive through the CLI
(wall), and Prefect's fixed start-up (an empty flow on its ephemeral server). With `--docs`
the tables are added, dated and with the load average, to the top of that file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = BENCH / ".cache"
CORPUS = REPO.parent / "shared" / "corpus"  # its claude-code/ transcripts are the seeds
CCUSAGE = "ccusage@20.0.24"
_DATE = re.compile(r"\b(20\d\d-\d\d-\d\d)T")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_API_ID = re.compile(r"\b(?:msg|req|toolu)_[A-Za-z0-9]+")  # message, request, tool-use ids


def ensure_tools() -> tuple[list[str], Path]:
    """ccusage's command and the bench venv's python (claude-code-log and orjson in it)."""
    node = CACHE / "node"
    cli = node / "node_modules" / "ccusage" / "src" / "cli.js"
    if not cli.is_file():
        run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(node),
                CCUSAGE,
            ]
        )
    venv = CACHE / "ccl-venv"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "claude-code-log").is_file():
        uv = shutil.which("uv")
        if uv:
            run([uv, "venv", "--quiet", str(venv)])
            run([uv, "pip", "install", "--quiet", "-p", str(python), "claude-code-log"])
        else:  # `make` installs uv for the system python, not into .venv: venv + pip do
            run([sys.executable, "-m", "venv", str(venv)])
            run([str(python), "-m", "pip", "install", "--quiet", "claude-code-log"])
    return ["node", str(cli)], python


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True)


def generate(root: Path, megabytes: int, corpus: Path = CORPUS) -> int:
    """`projects/copyNNNN/<file>`: the seeds again and again with fresh ids and dates."""
    found = sorted((corpus / "claude-code").glob("*.jsonl"))
    if not found:
        raise SystemExit(f"no Claude Code transcripts in {corpus}/claude-code: pass --corpus")
    seeds = [(p.name, p.read_text(encoding="utf-8")) for p in found]
    written, n = 0, 0
    while n == 0 or written < megabytes * 1_000_000:
        for name, text in seeds:
            new = _fresh(text, n)
            target = root / "projects" / f"copy{n:04d}" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(new, encoding="utf-8")
            written += len(new.encode())
            if megabytes == 0:
                continue
        n += 1
        if megabytes == 0:
            break
    return written


def _fresh(text: str, n: int) -> str:
    """Every uuid replaced consistently within the file, API ids made unique, every date
    shifted by n days: no copy is a duplicate of another for any tool."""
    if n == 0:
        return text
    ids = {old: str(uuid.uuid4()) for old in set(_UUID.findall(text))}
    text = _UUID.sub(lambda m: ids[m.group(0)], text)
    text = _API_ID.sub(lambda m: f"{m.group(0)}x{n}", text)  # ccusage dedupes on these
    days = {
        d: (date.fromisoformat(d) + timedelta(days=n)).isoformat() for d in set(_DATE.findall(text))
    }
    return _DATE.sub(lambda m: days[m.group(1)] + "T", text)


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run a child; wall seconds, peak RSS (MB) and its JSON line when it prints one.
    The peak comes from GNU time: a child forked from this (large) process would report our
    own high-water mark as its floor."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as peak:
        timed = (
            ["/usr/bin/time", "-f", "%M", "-o", peak.name] if Path("/usr/bin/time").exists() else []
        )
        proc = subprocess.Popen([*timed, *cmd], stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace").strip().splitlines()
        kb = int(peak.read().strip().splitlines()[-1]) if timed else usage.ru_maxrss
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[:3]} failed with {os.waitstatus_to_exitcode(status)}")
    result: dict[str, object] = {"wall": wall, "peak_mb": kb / 1024}
    if text and text[-1].startswith("{") and "seconds" in text[-1]:
        result.update(json.loads(text[-1]))
    elif text and text[0].startswith("{"):  # ccusage's report: how many sessions it saw
        with contextlib.suppress(ValueError):
            result["sessions"] = len(json.loads("\n".join(text)).get("sessions", []))
    return result


def one_size(
    megabytes: int, ccusage: list[str], bench_python: Path, ccl_max: float, corpus: Path
) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="metis-compare-"))
    try:
        archive = work / "claude"
        size = generate(archive, megabytes, corpus)
        files = sum(1 for _ in archive.rglob("*.jsonl"))
        python = str(REPO / ".venv" / "bin" / "python")
        me = [python, str(BENCH / "_child.py")]
        row: dict[str, object] = {"mb": size / 1e6, "files": files}
        row["raw"] = measure([*me, "raw", str(archive)])
        row["parse"] = measure([*me, "parse", str(archive)])
        data = work / "data"
        row["distill"] = measure([*me, "distill", str(archive), str(data)])
        row["noop"] = measure([*me, "noop", str(archive), str(data)])
        row["noop_cli"] = measure(
            [
                str(REPO / ".venv" / "bin" / "metis"),
                *("distill", "--archive", str(archive), "--target"),
                *(str(data / "repo" / "CLAUDE.md"), "--all-projects", "--extractor", "rules"),
                *("--data-dir", str(data), "--json"),
            ]
        )
        env = {**os.environ, "CLAUDE_CONFIG_DIR": str(archive)}
        row["ccusage"] = measure([*ccusage, "claude", "session", "--offline", "--json"], env)
        if size / 1e6 <= ccl_max:
            copy = work / "ccl-copy"
            shutil.copytree(archive / "projects", copy)
            ccl = str(bench_python.parent / "claude-code-log")
            row["claude_code_log"] = measure(
                [ccl, "convert", str(copy), "--all-projects", "-o", str(work / "ccl-out")]
            )
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="0,100,500,1000", help="MB; 0 = the corpus as is")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the shared corpus")
    parser.add_argument("--ccl-max-mb", type=float, default=1100, help="skip claude-code-log above")
    parser.add_argument("--json", type=Path, help="write the rows here too")
    parser.add_argument("--docs", type=Path, help="add the dated tables to this Markdown file")
    parser.add_argument(
        "--tables-from", type=Path, nargs="+", help="print the tables of saved runs (best of)"
    )
    args = parser.parse_args()
    if args.tables_from:
        print(tables(best_of([json.loads(p.read_text()) for p in args.tables_from])))
        return
    ccusage, bench_python = ensure_tools()
    loads = [os.getloadavg()]
    startup = measure([str(REPO / ".venv" / "bin" / "python"), str(BENCH / "_child.py"), "prefect"])
    rows = []
    for mb in (int(s) for s in args.sizes.split(",")):
        row = one_size(mb, ccusage, bench_python, args.ccl_max_mb, args.corpus)
        rows.append(row)
        loads.append(os.getloadavg())
        print(json.dumps(row), flush=True)
    text = tables(rows, startup)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    if args.docs:
        add_to_docs(args.docs, heading(loads) + text)


def heading(loads: list[tuple[float, float, float]]) -> str:
    """The section's title and the conditions: machine, date, load average."""
    low = min(one for one, _, _ in loads)
    high = max(one for one, _, _ in loads)
    return (
        f"## {datetime.now(UTC):%Y-%m-%d} — `bench/compare.py`: metis against the orjson floor, "
        "ccusage and claude-code-log\n\n"
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}; load average (1 min) {low:.1f}–{high:.1f} during the run "
        f"(measured {datetime.now(UTC):%H:%M} UTC). Generated archives of the corpus's Claude "
        "Code transcripts (fresh ids and dates per copy); each step in its own process; ratios "
        "against the orjson floor of the same files in the same run.\n"
    )


def add_to_docs(path: Path, section: str) -> None:
    """The new section above the newest one (the file is newest first)."""
    text = path.read_text(encoding="utf-8")
    at = text.find("\n## ")
    at = len(text) if at < 0 else at + 1
    path.write_text(text[:at] + section + "\n" + text[at:], encoding="utf-8")


def best_of(runs: list[list[dict[str, object]]]) -> list[dict[str, object]]:
    """Per archive size and step, the fastest of several saved runs (a shared machine's load
    only ever adds time)."""
    best: dict[int, dict[str, object]] = {}
    for rows in runs:
        for row in rows:
            key = round(float(row["mb"]))  # type: ignore[arg-type]
            mine = best.setdefault(key, dict(row))
            for step, value in row.items():
                if isinstance(value, dict) and (
                    step not in mine or _secs(value) < _secs(mine[step])
                ):
                    mine[step] = value
    return [best[k] for k in sorted(best)]


def _secs(step: object) -> float:
    assert isinstance(step, dict)
    return float(step.get("seconds", step["wall"]))


def tables(rows: list[dict[str, object]], startup: dict[str, object] | None = None) -> str:
    """Seconds with ratios to the floor, the no-op, the other tools and peak memory."""
    out = [
        "\n| archive | orjson floor | metis parse | × floor | metis distill | × floor "
        "| no-op work | no-op CLI wall | ccusage | claude-code-log |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        floor = _secs(row["raw"])
        cell = lambda key, row=row: f"{_secs(row[key]):.2f} s" if key in row else "—"  # noqa: E731
        out.append(
            f"| {float(row['mb']):.0f} MB, {row['files']} files | {floor:.2f} s "  # type: ignore[arg-type]
            f"| {cell('parse')} | {_secs(row['parse']) / floor:.1f}× "
            f"| {cell('distill')} | {_secs(row['distill']) / floor:.1f}× "
            f"| {cell('noop')} | {cell('noop_cli')} | {cell('ccusage')} "
            f"| {cell('claude_code_log')} |"
        )
    if startup is not None:
        out.append(
            f"\nPrefect's fixed start-up (import + an empty flow on its ephemeral server), "
            f"paid by `metis distill` before any work: {_secs(startup):.2f} s."
        )
    stages = ("archive", "discover", "extract", "curate", "publish")
    out += [
        "\n| archive | distill: " + " | ".join(stages) + " |",
        "|---|" + "---|" * len(stages),
    ]
    for row in rows:
        step = row["distill"]
        assert isinstance(step, dict)
        cells = [f"{float(step.get(f'{s}_seconds', 0.0)):.2f} s" for s in stages]
        out.append(f"| {float(row['mb']):.0f} MB | " + " | ".join(cells) + " |")  # type: ignore[arg-type]
    keys = ("raw", "parse", "distill", "noop", "noop_cli", "ccusage", "claude_code_log")
    out += [
        "\n| archive | peak RSS MB: floor | parse | distill | no-op | no-op CLI | ccusage "
        "| claude-code-log |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        peaks = [f"{row[k]['peak_mb']:.0f}" if k in row else "—" for k in keys]  # type: ignore[index]
        out.append(f"| {float(row['mb']):.0f} MB | " + " | ".join(peaks) + " |")  # type: ignore[arg-type]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
