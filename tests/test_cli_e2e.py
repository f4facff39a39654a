"""End to end through the CLI, in-process, under one Prefect harness (contract 13)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.evaluate.run import evaluate
from metis_distill.ledger import Ledger
from metis_distill.provenance import resolve, resolve_line
from metis_distill.render.claude_md import find_block
from tests.conftest import CORPUS, REPO, SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness", "model_dir")]
runner = CliRunner()
LINE = re.compile(
    r"^- .* \[(?P<support>\d+)\]\((?P<link>\.metis/CLAUDE/(?P<id>[0-9a-f]{10})\.txt#L\d+-L\d+)\)$"
)
HUMAN = "# Shop\n\nWritten by people: keep it.\n"


def metis(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def distill_args(archive: Path, target: Path, data: Path) -> list[str]:
    return [
        "distill",
        "--archive",
        str(archive),
        "--target",
        str(target),
        "--all-projects",
        "--data-dir",
        str(data),
    ]


def distill(archive: Path, target: Path, data: Path) -> str:
    return metis(*distill_args(archive, target, data))


def distill_json(archive: Path, target: Path, data: Path) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, [*distill_args(archive, target, data), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def check_proposal(target: Path, data: Path) -> list[str]:
    """Every line of the proposed block links to a real span that holds its quoted evidence."""
    ledger = Ledger.at(data)
    (row,) = ledger.pending_proposals(str(target.resolve()))  # facts of one machine: elsewhere
    proposed = Path(row.folder, "proposed.md").read_text(encoding="utf-8")
    block = find_block(proposed)
    assert block is not None
    lines = [ln for ln in block.body.splitlines() if ln.startswith("- ")]
    assert lines
    # earned lines only: a failure with no fix shown renders only when it recurs
    assert not [ln for ln in lines if "(no fix seen)" in ln and " [1](" in ln]
    evidence = ledger.evidence_of([LINE.match(ln)["id"] for ln in lines])  # type: ignore[index]
    folder = Path(row.folder)  # the proposal's evidence files, where proposed.md links
    for line in lines:
        match = LINE.match(line)
        assert match, line
        quotes = [e.quote for e in evidence[match["id"]]]
        assert any(resolve(match["link"], q, folder) for q in quotes), line
        assert resolve_line(match["link"], folder), line
    ledger.close()
    return lines


def checked_with_reviewers_tool(target: Path) -> str:
    tool = REPO.parent / "shared" / "tools" / "check_links.py"
    if not tool.is_file():
        pytest.skip("reviewers' check_links.py is not here")
    out = subprocess.run([sys.executable, str(tool), str(target)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_sample_end_to_end(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    target = repo / "CLAUDE.md"
    target.write_text(HUMAN)
    data = tmp_path / "data"

    first = distill_json(SAMPLE, target, data)
    assert first["files_read"] == 6 and first["proposal"]["status"] == "created"
    assert first["corrupt_lines"] == 0 and first["lessons_new"] >= 10
    assert target.read_text() == HUMAN  # distill never edits the target
    lines = check_proposal(target, data)
    assert len(lines) >= 5
    # the same missing program in two ledgerline sessions is one lesson with support 2
    python = [ln for ln in lines if ln.startswith("- `python` is not on the PATH")]
    assert len(python) == 1 and " [2](.metis/CLAUDE/" in python[0]
    (report,) = (data / "proposals").rglob("report.md")
    produced = [p for p in report.parent.rglob("*") if p.is_file()]
    assert any(p.parent.name == "CLAUDE" for p in produced)  # the evidence files, too
    for one in produced:
        assert "sk-ant-api03" not in one.read_text(encoding="utf-8")

    review = metis("review", "--data-dir", str(data))
    assert "Evidence" in review and "sk-ant" not in review

    second = distill_json(SAMPLE, target, data)
    # nothing new: six runs and the README in the sample and in the archive, one stat each
    assert second == {"nothing_new": True, "files_unchanged": 14, "sources": 7, "archived": 7}
    said = "Nothing new since the last run: 7 source files and 7 archived files unchanged."
    assert said in distill(SAMPLE, target, data)

    metis("accept", "--data-dir", str(data))
    accepted = target.read_text()
    assert accepted.startswith(HUMAN)
    assert "sk-ant" not in accepted
    checked_with_reviewers_tool(target)

    third = distill(SAMPLE, target, data)
    assert "No change to propose" in third
    assert_no_secret_under(data)


def assert_no_secret_under(folder: Path) -> None:
    """The sample's fake key is in the archive (raw bytes are kept there); nothing else we
    write may hold it (contract 10)."""
    secret = (SAMPLE / "projects").rglob("*.jsonl")
    key = next(m for p in secret for m in re.findall(rb"sk-ant-api03-[\w-]{20,}", p.read_bytes()))
    scanned = 0
    for path in folder.rglob("*"):
        if path.is_file() and "archive" not in path.relative_to(folder).parts[:1]:
            scanned += 1
            data = path.read_bytes()
            assert key not in data and key[:30] not in data, path
    assert scanned >= 5  # ledger, index files, proposal files


def test_reject_then_nothing_is_proposed_again(tmp_path: Path) -> None:
    target = tmp_path / "CLAUDE.md"
    data = tmp_path / "data"
    distill(SAMPLE, target, data)
    assert not target.exists()
    metis("reject", "--data-dir", str(data))
    again = distill(SAMPLE, target, data)
    assert "No change to propose" in again
    assert not target.exists()  # no empty stub


@pytest.mark.corpus
def test_corpus_end_to_end(tmp_path: Path, corpus: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(corpus / "claude-code", archive / "claude-code")
    target = tmp_path / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    target.write_text(HUMAN)
    data = tmp_path / "data"
    report = distill_json(archive, target, data)
    assert report["files_read"] == 13 and report["failed_files"] == []
    assert report["skipped_files"] == [] and report["events"] > 1000
    lines = check_proposal(target, data)
    assert len(lines) >= 5
    metis("accept", "--data-dir", str(data))
    assert target.read_text().startswith(HUMAN)
    print(checked_with_reviewers_tool(target))
    assert "No change to propose" in distill(archive, target, data)


def test_usage_errors_are_clear(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["distill", "--archive", str(tmp_path / "nope"), "--target", str(tmp_path / "CLAUDE.md")],
    )
    assert result.exit_code == 2
    assert "archive folder not found" in result.output
    result = runner.invoke(app, ["review", "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 1 and "no pending proposal" in result.output
    assert CORPUS  # the constant stays importable for the corpus tests


def test_runs_feed_only_their_own_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "shopfront"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    target = repo / "CLAUDE.md"
    data = tmp_path / "data"
    args = ["distill", "--archive", str(SAMPLE), "--target", str(target), "--data-dir", str(data)]
    out = metis(*args)
    assert f"none from runs in this target's repository ({repo})" in out
    assert not target.exists()
    loose = tmp_path / "loose" / "CLAUDE.md"
    loose.parent.mkdir()
    said = metis(*args[:3], "--target", str(loose), "--data-dir", str(data))
    assert f"this target's folder ({loose.parent}; it is in no git repository)" in said

    monkeypatch.setenv("HOME", "/home/dev")  # the old checkout, as a user writes it; a typo
    Path("metis.toml").write_text('aliases = ["~/src/shopfront", "~/src/shop-front"]\n')
    out = metis(*args)
    assert "warning: alias /home/dev/src/shop-front matches no run's cwd" in out
    assert "/home/dev/src/shopfront matches" not in out
    lines = check_proposal(target, data)
    ledger = Ledger.at(data)
    ids = [LINE.match(line)["id"] for line in lines]  # type: ignore[index]
    cwds = {e.cwd for rows in ledger.evidence_of(ids).values() for e in rows}
    assert cwds and all(c.startswith("/home/dev/src/shopfront") for c in cwds)
    assert not any("python" in line for line in lines)  # ledgerline's lessons stay out


def test_large_archive_reads_only_appended_bytes(tmp_path: Path) -> None:
    """After a full distill of a generated archive, one appended event is all the next reads."""
    source = tmp_path / "projects"
    for s in range(120):
        session = source / f"-home-dev-src-p{s % 7}" / f"{s:08d}-aaaa-bbbb-cccc-dddddddddddd.jsonl"
        session.parent.mkdir(parents=True, exist_ok=True)
        base = {"sessionId": f"s{s}", "cwd": f"/home/dev/src/p{s % 7}"}
        rows = [
            json.dumps(
                {
                    **base,
                    "type": "user",
                    "uuid": f"{s}-{i}",
                    "message": {"role": "user", "content": f"step {i} of the work " * 8},
                }
            )
            for i in range(300)
        ]
        session.write_text("\n".join(rows) + "\n")
    target = tmp_path / "CLAUDE.md"
    data = tmp_path / "data"
    first = distill_json(source, target, data)
    assert first["files_read"] == 120 and first["archived_new"] == 120

    victim = next(source.rglob("00000042-*.jsonl"))
    extra = (
        json.dumps(
            {
                "sessionId": "s42",
                "cwd": "/home/dev/src/p0",
                "type": "user",
                "uuid": "new",
                "message": {
                    "role": "user",
                    "content": "Never run the migrations against production by hand.",
                },
            }
        )
        + "\n"
    )
    with victim.open("a") as handle:
        handle.write(extra)
    second = distill_json(source, target, data)
    assert second["archived_appended"] == 1 and second["archived_new"] == 0
    assert second["files_read"] == 1 and second["files_resumed"] == 1
    assert second["files_unchanged"] == 119
    assert second["bytes_read"] == len(extra.encode()) and second["lines_read"] == 1
    assert second["lessons_new"] == 1


@dataclass(frozen=True)
class Distilled:
    """What a distill left in its data dir: every lesson, every evidence span, the block."""

    lessons: list[tuple[str, str, str, int, str]]
    evidence: list[tuple[str, str, int, int, str]]
    proposed: str


def distilled(data: Path) -> Distilled:
    with Ledger.at(data) as ledger:
        rows = ledger.lessons()
        lessons = [(r.id, r.kind, r.status, r.severity, r.text) for r in rows]
        found = ledger.evidence_of([r.id for r in rows]).values()
        spans = sorted(
            (e.lesson_id, e.path, e.line_start, e.line_end, e.quote) for f in found for e in f
        )
        # the target's proposal (the eval also renders an unbudgeted block beside it)
        (row,) = ledger.pending_proposals(str((data / "repo" / "CLAUDE.md").resolve()))
    return Distilled(lessons, spans, Path(row.folder, "proposed.md").read_text(encoding="utf-8"))


@pytest.mark.corpus
def test_the_eval_measures_what_the_flow_distils(tmp_path: Path, corpus: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """`metis eval`'s code path and the Prefect flow (`metis distill`), each through its own
    entry point, distil the whole corpus (every format) into the same data dir in turn: the
    same lessons, the same evidence, the same block, byte for byte."""
    from chromadb.api.shared_system_client import SharedSystemClient

    data = tmp_path / "data"
    scored = evaluate(REPO / "eval" / "gold", corpus, data, embedder)
    assert scored.provenance_share == 1.0 and scored.rendered_lines >= 8
    by_eval = distilled(data)
    shutil.rmtree(data)
    SharedSystemClient.clear_system_cache()  # chroma's client for that path is gone with it

    target = data / "repo" / "CLAUDE.md"
    target.parent.mkdir(parents=True)
    report = distill_json(corpus, target, data)
    by_flow = distilled(data)
    assert by_flow.lessons == by_eval.lessons and len(by_flow.lessons) > 30
    assert by_flow.evidence == by_eval.evidence
    assert by_flow.proposed == by_eval.proposed

    expected = sum(1 for f in corpus.iterdir() if f.is_dir() for p in f.iterdir() if p.is_file())
    assert report["files_read"] == expected and report["failed_files"] == []
    # the archive keeps every file (its copy of SOURCES.md too); only runs are read
    (skipped,) = report["skipped_files"]
    assert skipped.endswith("SOURCES.md: unknown format")
    assert report["corrupt_lines"] == 0
    listing = metis("sources", "--data-dir", str(data))
    for name in ("aider", "claude_code", "codex", "logs", "trajectory"):
        assert name in listing
    assert len(check_proposal(target, data)) >= 8
    with Ledger.at(data) as ledger:
        rows = ledger.file_rows(str((data / "archive").resolve())).values()
        formats = {row.source_format for row in rows}
    read = {"aider", "claude_code", "codex", "logs", "trajectory"}
    assert formats == {*read, "skipped: unknown format"}  # SOURCES.md: kept, not read


def test_a_rewritten_source_replaces_its_old_evidence(tmp_path: Path) -> None:
    source = tmp_path / "runs"
    shutil.copytree(SAMPLE / "projects", source)
    session = next(source.rglob("e53350d7*.jsonl"))
    target = tmp_path / "CLAUDE.md"
    data = tmp_path / "data"
    distill_json(source, target, data)
    lines = session.read_text().splitlines(True)
    session.write_text("".join(lines[:1] + lines[2:]))  # one early line dropped: not an append
    report = distill_json(source, target, data)
    assert report["archived_versions"] == 1
    ledger = Ledger.at(data)
    paths = {
        e.path
        for rows in ledger.evidence_of([r.id for r in ledger.lessons()]).values()
        for e in rows
        if "e53350d7" in e.path
    }
    assert paths and all("@" in p for p in paths), paths  # only the new version's evidence
    python = [r for r in ledger.lessons() if r.text.startswith("`python` is not on the PATH")]
    (lesson,) = python
    sessions = {e.session_id for e in ledger.evidence_of([lesson.id])[lesson.id]}
    assert len(sessions) == 2  # the two ledgerline sessions, not counted twice


def test_the_next_distill_records_a_merged_branch(tmp_path: Path) -> None:
    """`propose --git`, the branch merged, `distill` again: the proposal was closed as
    superseded and no version recorded, so `history` and `rewind` knew nothing of it."""
    repo, data = tmp_path / "repo", tmp_path / "data"
    repo.mkdir()
    target = repo / "CLAUDE.md"
    target.write_text(HUMAN)
    git = ["git", "-C", str(repo), "-c", "user.name=Ana", "-c", "user.email=ana@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "CLAUDE.md"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], check=True)
    distill(SAMPLE, target, data)
    metis("propose", "--git", "--data-dir", str(data))
    subprocess.run([*git, "merge", "-q", "--ff-only", "metis/proposal-1"], check=True)
    again = distill(SAMPLE, target, data)
    assert "superseded" not in again
    with Ledger.reading(f"sqlite:///{data / 'ledger.sqlite'}") as ledger:
        versions = ledger.versions(str(target.resolve()))
        assert [v.reason for v in versions] == ["before", "accepted"]
        assert versions[-1].content == target.read_text()
        assert ledger.proposal(1).status == "accepted"  # type: ignore[union-attr]
    assert "accepted" in metis("history", "--target", str(target), "--data-dir", str(data))
