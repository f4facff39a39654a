"""`metis propose --git` with real git in a temporary repository: a new branch holds the
proposal; the current branch, the index and every file on disk stay exactly as they were."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.errors import ProposalError, TargetChangedError
from metis_distill.provenance import note_source, resolve, resolve_line
from metis_distill.review.evidence import span_sha256
from metis_distill.review.git import commit_on_branch, record_merged
from metis_distill.review.proposal import reject
from tests.conftest import REPO
from tests.review.test_items import DECISION, FAILURE, GOTCHA, save_proposal

runner = CliRunner()
IDENTITY = ["-c", "user.name=Ana", "-c", "user.email=ana@example.invalid"]


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *IDENTITY, *args], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


@pytest.fixture
def repo(world):  # type: ignore[no-untyped-def]
    """The world's target in a git repository, with work in progress all around it."""
    ledger, target, tmp = world
    root = target.parent
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("print('v1')\n")
    git(root, "add", "CLAUDE.md", "app.py")
    git(root, "commit", "-q", "-m", "start")
    (root / "app.py").write_text("print('work in progress')\n")  # dirty, not staged
    (root / "staged.py").write_text("x = 1\n")
    git(root, "add", "staged.py")  # staged, not committed
    (root / "notes.txt").write_text("untracked\n")
    return ledger, target, tmp, root


def snapshot(root: Path) -> dict[str, object]:
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    return {
        "head": git(root, "symbolic-ref", "HEAD"),
        "commit": git(root, "rev-parse", "HEAD"),
        "staged": git(root, "diff", "--cached", "--name-only"),
        "status": git(root, "status", "--porcelain"),
        "files": files,
    }


def test_the_proposal_becomes_a_commit_on_a_new_branch(repo) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp, root = repo
    _, row = save_proposal(ledger, target, tmp)
    before = snapshot(root)
    made = commit_on_branch(ledger, target)
    assert snapshot(root) == before  # branch, index, working tree: all as they were
    assert made.branch == f"metis/proposal-{row.id}" and made.path == "CLAUDE.md"
    committed = git(root, "show", f"{made.branch}:CLAUDE.md")
    assert committed + "\n" == Path(row.folder, "proposed.md").read_text()
    assert git(root, "rev-parse", f"{made.branch}^") == before["commit"]
    assert git(root, "show", f"{made.branch}:app.py") == "print('v1')"  # HEAD's, not the WIP
    changed = git(root, "diff", "--name-only", "main", made.branch)
    notes = [f".metis/CLAUDE/{i}.txt" for i in (GOTCHA, FAILURE, DECISION)]
    assert changed.splitlines() == sorted([*notes, "CLAUDE.md"])  # with its evidence files
    for note in notes:
        assert git(root, "show", f"{made.branch}:{note}").startswith("metis-distill evidence")
    message = git(root, "log", "-1", "--format=%B", made.branch)
    assert message.startswith("metis: 3 added in CLAUDE.md")
    assert "1. added (gotcha): Vitest runs in node." in message
    assert "evidence: p/s.jsonl#L1-L2" in message  # the archive's path, not the reviewer's
    assert ledger.pending_proposals()  # still to be accepted or merged: nothing was decided


def test_only_the_items_not_rejected_are_committed(repo) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp, root = repo
    save_proposal(ledger, target, tmp)
    reject(ledger, tmp / "locks", target, [2])
    made = commit_on_branch(ledger, target, "review/lessons")
    committed = git(root, "show", "review/lessons:CLAUDE.md")
    assert f"/{GOTCHA}.txt#" in committed and f"/{DECISION}.txt#" in committed
    assert FAILURE not in committed
    notes = git(root, "ls-tree", "--name-only", "review/lessons", ".metis/CLAUDE/")
    assert notes.splitlines() == [f".metis/CLAUDE/{GOTCHA}.txt", f".metis/CLAUDE/{DECISION}.txt"]
    assert made.message.startswith("metis: 2 added in CLAUDE.md")


def test_nothing_is_clobbered(repo) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp, root = repo
    save_proposal(ledger, target, tmp)
    git(root, "branch", "taken")
    taken = git(root, "rev-parse", "taken")
    with pytest.raises(ProposalError, match="branch 'taken' already exists"):
        commit_on_branch(ledger, target, "taken")
    assert git(root, "rev-parse", "taken") == taken
    with pytest.raises(ProposalError, match="not a valid branch name"):
        commit_on_branch(ledger, target, "bad..name")

    target.write_text(target.read_text() + "A line not committed yet.\n")
    with pytest.raises(ProposalError, match="has changes that are not committed"):
        commit_on_branch(ledger, target)
    git(root, "commit", "-q", "-am", "notes")  # committed now, but the proposal is older
    with pytest.raises(TargetChangedError):
        commit_on_branch(ledger, target)
    assert git(root, "branch", "--list", "metis/*") == ""


def test_a_target_outside_git_or_in_an_empty_repository_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    with pytest.raises(ProposalError, match="not in a git repository"):
        commit_on_branch(ledger, target)
    git(target.parent, "init", "-q")
    with pytest.raises(ProposalError, match="has no commit yet"):
        commit_on_branch(ledger, target)


def test_propose_git_through_the_cli(repo) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp, root = repo
    save_proposal(ledger, target, tmp)
    data = ["--data-dir", str(tmp / "data")]
    out = runner.invoke(app, ["propose", "--git", "--branch", "ai/notes", *data])
    assert out.exit_code == 0, out.output
    assert "branch ai/notes" in out.output and "git push -u origin ai/notes" in out.output
    assert git(root, "symbolic-ref", "--short", "HEAD") == "main"
    assert runner.invoke(app, ["propose", *data]).exit_code == 2
    again = runner.invoke(app, ["propose", "--git", "--branch", "ai/notes", *data])
    assert again.exit_code == 1 and "already exists" in again.output


def _reviewers_tool(name: str, target: Path) -> str:
    tool = REPO.parent / "shared" / "tools" / name
    if not tool.is_file():
        pytest.skip(f"reviewers' {name} is not here")
    out = subprocess.run([sys.executable, str(tool), str(target)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_every_link_resolves_in_a_clone_of_the_proposed_branch(repo) -> None:  # type: ignore[no-untyped-def]
    """A teammate without the data dir clones the pull request's branch: every line's link
    opens its evidence file, whose linked lines hold the quote its header names, and whose
    header leads whoever holds the archive back to the span."""
    ledger, target, tmp, root = repo
    save_proposal(ledger, target, tmp)
    out = runner.invoke(app, ["propose", "--git", "--data-dir", str(tmp / "data")])
    assert out.exit_code == 0, out.output
    clone = tmp / "elsewhere" / "clone"
    subprocess.run(
        ["git", "clone", "-q", "-b", "metis/proposal-1", str(root), str(clone)], check=True
    )
    hidden = tmp / "hidden"  # no data dir, no archive: only the clone
    hidden.mkdir()
    for name in ("data", "archive", "proposals"):
        if (tmp / name).exists():
            (tmp / name).rename(hidden / name)
    context = clone / "CLAUDE.md"
    links = re.findall(r"\]\(([^)\s]+#L\d+-L\d+)\)", context.read_text())
    assert len(links) == 3
    for link in links:
        assert resolve_line(link, clone), link
    assert _reviewers_tool("check_links.py", context).strip().endswith("links=3 bad=0")
    shown = _reviewers_tool("read_block.py", context)
    assert "(link does not open" not in shown and "quote number 1" in shown

    # whoever holds the archive finds the span the header names, byte for byte
    archive = hidden / "archive"
    for link in links:
        source = note_source(link, clone)
        assert source is not None and source.archive_path == "p/s.jsonl"
        path = archive / source.archive_path
        assert resolve(f"{path}#L{source.line_start}-L{source.line_end}", source.quote, clone)
        assert span_sha256(path, source.line_start, source.line_end) == source.span_sha256


def test_a_merged_branch_is_recorded_as_accepted(repo) -> None:  # type: ignore[no-untyped-def]
    """A merged `propose --git` branch left no version: `history` said none, `rewind` had
    nothing to go back to. The next command records it as an accept."""
    ledger, target, tmp, root = repo
    human = target.read_text()
    _, row = save_proposal(ledger, target, tmp)
    made = commit_on_branch(ledger, target)
    git(root, "merge", "-q", "--ff-only", made.branch)
    merged = target.read_text()
    assert merged != human
    record_merged(ledger, tmp / "locks")
    versions = ledger.versions(str(target.resolve()))
    assert [(v.reason, v.content) for v in versions] == [("before", human), ("accepted", merged)]
    assert ledger.proposal(row.id).status == "accepted"  # type: ignore[union-attr]
    assert {i.decision for i in ledger.proposal_items(row.id)} == {"accepted"}
    assert record_merged(ledger, tmp / "locks") == []  # recorded once


def test_a_squashed_then_edited_merge_is_recorded_as_the_branch_had_it(repo) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp, root = repo
    _, row = save_proposal(ledger, target, tmp)
    made = commit_on_branch(ledger, target)
    branch_file = git(root, "show", f"{made.branch}:CLAUDE.md") + "\n"
    git(root, "merge", "-q", "--ff-only", made.branch)
    with target.open("a") as edited:
        edited.write("\nA note written after the merge.\n")
    record_merged(ledger, tmp / "locks")
    assert ledger.versions(str(target.resolve()))[-1].content == branch_file


def test_an_unmerged_branch_waits(repo) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp, root = repo
    _, row = save_proposal(ledger, target, tmp)
    commit_on_branch(ledger, target)
    assert record_merged(ledger, tmp / "locks") == []
    assert ledger.proposal(row.id).status == "pending"  # type: ignore[union-attr]
    assert ledger.versions(str(target.resolve())) == []


def test_history_and_rewind_see_a_merged_branch(repo) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp, root = repo
    human = target.read_text()
    save_proposal(ledger, target, tmp)
    data = ["--data-dir", str(tmp / "data")]
    assert runner.invoke(app, ["propose", "--git", *data]).exit_code == 0
    git(root, "merge", "-q", "--ff-only", "metis/proposal-1")
    shown = runner.invoke(app, ["history", *data])
    assert shown.exit_code == 0, shown.output
    assert "v1" in shown.output and "before" in shown.output and "accepted" in shown.output
    back = runner.invoke(app, ["rewind", "--to", "v1", "-t", str(target), *data])
    assert back.exit_code == 0, back.output
    assert runner.invoke(app, ["accept", *data]).exit_code == 0
    assert target.read_text() == human
