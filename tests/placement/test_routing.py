"""Routing through the publish stage and `accept`, in a real git repository: a lesson about
one part of the tree lands in `.claude/rules/<part>.md` with its `paths:`, a fact of this
machine in the git-ignored `CLAUDE.local.md`, the rest in the team's CLAUDE.md."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from metis_distill.curate.select import Scope
from metis_distill.ledger import EvidenceRow, Ledger, LessonRow
from metis_distill.publish import Curation, publish_targets
from metis_distill.render.claude_md import find_block
from metis_distill.review.proposal import accept, accept_waiting
from metis_distill.run_report import RunSummary
from metis_distill.statuses import LessonStatus
from tests.review.test_proposal import evidence_files_needed

VITE, VITE_2, PYTHON, CENTS = "00000000a1", "00000000a2", "00000000b1", "00000000c1"


def git(repo: Path, *args: str) -> str:
    who = ["-c", "user.name=Ana", "-c", "user.email=ana@example.invalid"]
    done = subprocess.run(["git", "-C", str(repo), *who, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def shop(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "shop"
    (root / "web").mkdir(parents=True)
    (root / "web" / "vite.config.ts").write_text("export default {}\n")
    (root / "CLAUDE.md").write_text("# Shop\n\nWritten by people.\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    archive = tmp_path / "archive"
    (archive / "p").mkdir(parents=True)
    lines = [json.dumps({"n": i, "text": f"quote number {i}"}) for i in range(1, 20)]
    (archive / "p" / "s.jsonl").write_text("\n".join(lines) + "\n")
    ledger = Ledger.at(tmp_path / "data")
    web = f"Edit:{root}/web/vite.config.ts"
    add(ledger, archive, VITE, "gotcha", "Vite reads `VITE_PORT`, not `PORT`.", 1, root, [web])
    add(ledger, archive, VITE_2, "gotcha", "Vite proxies `/api` to port 8000.", 3, root, [web])
    python = "`python` is not on the PATH here (“python: command not found”); use `python3`."
    add(ledger, archive, PYTHON, "failure", python, 5, root, ["Bash:python"], fix="python3 -V")
    add(ledger, archive, CENTS, "decision", "Money is integer cents, never floats.", 7, root, [])
    return ledger, root, tmp_path


def add(
    ledger: Ledger,
    archive: Path,
    lesson_id: str,
    kind: str,
    text: str,
    line: int,
    root: Path,
    scope: list[str],
    fix: str | None = None,
) -> None:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    with ledger.session() as db:
        db.add(
            LessonRow(
                id=lesson_id,
                kind=kind,
                text=text,
                status="active",
                severity=2,
                scope=scope,
                extractor="rules",
                created_at=when,
                first_seen=when,
                last_seen=when,
                fix=fix,
            )
        )
        db.add(
            EvidenceRow(
                id=f"e{lesson_id[1:]}",
                lesson_id=lesson_id,
                archive_root=str(archive),
                path="p/s.jsonl",
                line_start=line,
                line_end=line + 1,
                quote=f"quote number {line}",
                session_id=f"s-{lesson_id}",
                cwd=str(root),
                timestamp=when,
                shows_fix=fix is not None,
            )
        )


def publish(ledger: Ledger, root: Path, tmp: Path):  # type: ignore[no-untyped-def]
    return publish_targets(
        root / "CLAUDE.md",
        ledger,
        tmp / "data" / "proposals",
        scope=Scope(str(root)),
        run=RunSummary(extractor="rules"),
        locks_dir=tmp / "data" / "locks",
        curation=Curation(),
    )


def ids_in(path: Path) -> set[str]:
    block = find_block(path.read_text())
    return set(block.ids) if block else set()


def test_each_lesson_lands_in_its_file(shop) -> None:  # type: ignore[no-untyped-def]
    ledger, root, tmp = shop
    first, *others = publish(ledger, root, tmp)
    rules, local = root / ".claude" / "rules" / "web.md", root / "CLAUDE.local.md"
    assert {Path(o.target) for o in others} == {rules, local}
    assert {(o.why, o.part) for o in first.others} == {("tree", "web"), ("personal", "")}
    assert any("CLAUDE.local.md holds facts of this machine" in w for w in first.warnings)
    proposed = {Path(o.target): Path(o.folder, "proposed.md").read_text() for o in others}
    assert proposed[rules].startswith('---\npaths:\n  - "web/**"\n---\n\n<!-- metis:begin')
    assert "Vite reads" in proposed[rules] and "python3" not in proposed[rules]
    assert "python3" in proposed[local]
    assert "Money is integer cents" in Path(first.folder, "proposed.md").read_text()

    decisions = accept_waiting(ledger, tmp / "data" / "locks")  # no target: each file waiting
    assert len(decisions) == 3 and all(d.written for d in decisions)
    assert ids_in(root / "CLAUDE.md") == {CENTS}  # the team file: neither the part's nor mine
    assert ids_in(rules) == {VITE, VITE_2} and ids_in(local) == {PYTHON}
    assert rules.read_text().startswith('---\npaths:\n  - "web/**"\n---\n')
    for path in (root / "CLAUDE.md", rules, local):
        needed = evidence_files_needed(path)
        assert sorted(p for p in needed if p != path.name)  # each line's file, resolving
    assert (root / ".metis" / "CLAUDE.local" / ".gitignore").read_text().endswith("*\n")
    git(root, "add", "-A")
    staged = git(root, "diff", "--cached", "--name-only").splitlines()
    assert ".claude/rules/.metis/web/00000000a1.txt" in staged
    assert "CLAUDE.local.md" in staged  # not ignored in this repository: the warning said so
    assert not [p for p in staged if p.startswith(".metis/CLAUDE.local/")]  # its evidence is


def test_a_new_rules_file_keeps_its_paths_when_only_some_lines_are_accepted(shop) -> None:  # type: ignore[no-untyped-def]
    ledger, root, tmp = shop
    publish(ledger, root, tmp)
    rules = root / ".claude" / "rules" / "web.md"
    accept(ledger, tmp / "data" / "locks", rules, [1])
    assert rules.read_text().startswith('---\npaths:\n  - "web/**"\n---\n')
    assert len(ids_in(rules)) == 1


def test_a_lesson_that_leaves_a_rules_file_is_removed_from_it(shop) -> None:  # type: ignore[no-untyped-def]
    ledger, root, tmp = shop
    publish(ledger, root, tmp)
    accept_waiting(ledger, tmp / "data" / "locks")
    ledger.set_status([VITE, VITE_2], LessonStatus.RETIRED)
    first, *_ = publish(ledger, root, tmp)
    (web,) = [o for o in first.others if o.why == "tree"]
    assert (web.added, web.removed) == (0, 2)
    rules = root / ".claude" / "rules" / "web.md"
    accept(ledger, tmp / "data" / "locks", rules)
    assert ids_in(rules) == set() and not (rules.parent / ".metis").exists()


def test_an_ignored_personal_file_is_not_warned_of(shop) -> None:  # type: ignore[no-untyped-def]
    ledger, root, tmp = shop
    (root / ".gitignore").write_text("CLAUDE.local.md\n")
    first, *_ = publish(ledger, root, tmp)
    assert not [w for w in first.warnings if "git-ignored" in w]
