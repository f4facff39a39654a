"""`metis propose --git`: the pending proposal as a commit on a new branch of the target's
repository, ready for a pull request.

Only git plumbing is used (hash-object, a private index, write-tree, commit-tree, update-ref):
the current branch, the index and the working tree are never touched, and an existing branch
is never moved.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from metis_distill.errors import ProposalError, TargetChangedError
from metis_distill.ledger import Ledger, ProposalItemRow, ProposalRow
from metis_distill.review.choose import choose_pending
from metis_distill.review.evidence import (
    is_private,
    note_changes,
    relative_notes_folder,
    supplied_notes,
)
from metis_distill.review.plan import change_counts
from metis_distill.review.proposal import (
    Decision,
    accept_merged,
    accepted_text,
    proposal_lock,
)
from metis_distill.review.target import read_target, sha256_text
from metis_distill.statuses import ItemDecision, ProposalOrigin, ProposalState
from metis_distill.textio import atomic_write_text

BRANCH_RECORD = "git.json"  # in the proposal's folder: the branch `propose --git` made
FALLBACK_AUTHOR = {"name": "metis-distill", "email": "metis-distill@localhost"}
MAX_LISTED = 30


@dataclass(frozen=True)
class GitProposal:
    repo: Path
    branch: str
    commit: str
    path: str  # the target, relative to the repository
    message: str


def commit_on_branch(ledger: Ledger, target: Path | None, branch: str | None = None) -> GitProposal:
    """Commit the pending proposal's file on a new branch; refuse whatever would clobber."""
    row = choose_pending(ledger, target)
    path = Path(row.target)
    if is_private(path):
        raise ProposalError(
            f"{path.name} is a personal file, not committed to the repository",
            hint="use `metis accept` for it",
        )
    repo = _repository(path)
    rel = path.resolve().relative_to(repo).as_posix()
    name = branch or f"metis/proposal-{row.id}"
    _check_branch(repo, name)
    head = _head(repo)
    _check_clean(repo, rel)
    current = read_target(path)
    if sha256_text(current) != row.base_sha256:
        raise TargetChangedError(
            f"{path} changed since proposal #{row.id} was made",
            hint="run `metis distill` again to make a fresh proposal",
        )
    items = ledger.proposal_items(row.id)
    wanted = {i.number for i in items if i.decision != ItemDecision.REJECTED}
    content = accepted_text(row, items, wanted, current)  # what accepting the rest writes
    message = commit_message(row, items, rel)
    files: dict[str, str | None] = {rel: content, **_notes(repo, head, row, rel, content)}
    commit = _commit(repo, head, files, message)
    made = GitProposal(repo, name, commit, rel, message)
    _remember_branch(row, made, current, content)  # before the branch: no merge goes unseen
    # the empty old value makes update-ref refuse if the branch appeared meanwhile
    _git(repo, "update-ref", f"refs/heads/{name}", commit, "")
    return made


def _remember_branch(row: ProposalRow, made: GitProposal, base: str, content: str) -> None:
    """What the next command needs to see the branch merged and record it as accepted."""
    if not row.folder:
        return
    record = {
        "repo": str(made.repo),
        "branch": made.branch,
        "commit": made.commit,
        "sha256": sha256_text(content),
        "base": base,
        "content": content,
    }
    atomic_write_text(Path(row.folder, BRANCH_RECORD), json.dumps(record, indent=2) + "\n")


def merged_waiting(ledger: Ledger) -> bool:
    """Is a pending proposal's `propose --git` branch merged, not yet recorded?"""
    return any(_merged_record(row) is not None for row in ledger.pending_proposals())


def record_merged(ledger: Ledger, locks_dir: Path) -> list[Decision]:
    """Every pending proposal whose `propose --git` branch was merged, recorded as accepted:
    the version before it, the merged version, its items accepted (`history`, `rewind` and
    the lessons-not-working check see it as they see an accept)."""
    decisions = []
    for row in ledger.pending_proposals():
        record = _merged_record(row)
        if record is None:
            continue
        with proposal_lock(locks_dir, row.target):
            fresh = ledger.proposal(row.id)
            if fresh is not None and fresh.status == ProposalState.PENDING:
                decisions.append(accept_merged(ledger, fresh, record["base"], record["content"]))
    return decisions


def _merged_record(row: ProposalRow) -> dict[str, str] | None:
    """The proposal's branch, when it was merged; else None."""
    record = _branch_record(row)
    return record if record is not None and _merged(row, record) else None


def _branch_record(row: ProposalRow) -> dict[str, str] | None:
    path = Path(row.folder, BRANCH_RECORD) if row.folder else None
    if path is None or not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    keys = ("repo", "commit", "sha256", "base", "content")
    return record if isinstance(record, dict) and all(k in record for k in keys) else None


def _merged(row: ProposalRow, record: dict[str, str]) -> bool:
    """The target holds the branch's file (a merge, a squash, a cherry-pick), or the branch's
    commit is in the repository's HEAD (merged, then edited)."""
    try:
        now = sha256_text(read_target(Path(row.target)))
        if now == record["sha256"] != row.base_sha256:
            return True
        _git(Path(record["repo"]), "merge-base", "--is-ancestor", record["commit"], "HEAD")
    except ProposalError:  # unreadable, gone, or not merged: the proposal waits
        return False
    return True


def _git(
    repo: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), *args],
            input=stdin,
            capture_output=True,
            check=False,
            env={**os.environ, **(env or {})},
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ProposalError(f"git failed: {e}", hint="is git installed?") from e
    if out.returncode != 0:
        said = out.stderr.decode("utf-8", "replace").strip() or f"exit {out.returncode}"
        raise ProposalError(f"git {args[0]} failed: {said}")
    return out.stdout.decode("utf-8", "replace").strip()


def _repository(path: Path) -> Path:
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ProposalError(f"the target's folder does not exist: {folder}")
    try:
        top = _git(folder, "rev-parse", "--show-toplevel")
    except ProposalError as e:
        raise ProposalError(
            f"the target is not in a git repository: {path}",
            hint="use `metis accept` instead, or `git init` the repository first",
        ) from e
    return Path(top).resolve()


def _check_branch(repo: Path, name: str) -> None:
    try:
        _git(repo, "check-ref-format", "--branch", name)
    except ProposalError as e:
        raise ProposalError(f"not a valid branch name: {name!r}", hint="pass --branch NAME") from e
    if _exists(repo, f"refs/heads/{name}"):
        raise ProposalError(
            f"branch {name!r} already exists in {repo}; metis never moves a branch",
            hint="pass --branch NEW-NAME, or delete the old branch",
        )


def _exists(repo: Path, ref: str) -> bool:
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", ref)
    except ProposalError:
        return False
    return True


def _head(repo: Path) -> str:
    if not _exists(repo, "HEAD"):
        raise ProposalError(
            f"{repo} has no commit yet: a branch needs one to start from",
            hint="commit something first, or use `metis accept`",
        )
    return _git(repo, "rev-parse", "HEAD")


def _check_clean(repo: Path, rel: str) -> None:
    """The proposal is made against the file on disk: if that differs from HEAD, the branch
    would carry someone's uncommitted work. Refuse instead."""
    status = _git(repo, "status", "--porcelain", "--untracked-files=all", "--", rel)
    if status:
        raise ProposalError(
            f"{rel} has changes that are not committed ({status.split()[0]})",
            hint="commit or stash them, run `metis distill` again, then `metis propose --git`",
        )


def _notes(
    repo: Path, head: str, row: ProposalRow, rel: str, content: str
) -> dict[str, str | None]:
    """The evidence files beside the target as the commit must hold them: path -> text, or
    None for a file to remove."""
    folder = relative_notes_folder(rel)
    listed = _git(repo, "ls-tree", "--name-only", head, "--", f"{folder}/")
    present = {Path(p).name: "" for p in listed.splitlines() if p}
    supplied = supplied_notes(Path(row.folder), Path(rel).name) if row.folder else {}
    changes = note_changes(Path(rel).name, content, supplied, present)
    files: dict[str, str | None] = {f"{folder}/{n}": text for n, text in changes.write.items()}
    files.update({f"{folder}/{n}": None for n in changes.remove})
    return files


def _commit(repo: Path, head: str, files: dict[str, str | None], message: str) -> str:
    """A commit on `head` whose tree has these files changed (None: removed)."""
    with tempfile.TemporaryDirectory(prefix="metis-index-") as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        _git(repo, "read-tree", head, env=index)
        for rel, content in files.items():
            if content is None:
                _git(repo, "update-index", "--force-remove", "--", rel, env=index)
                continue
            blob = _git(repo, "hash-object", "-w", "--stdin", stdin=content.encode("utf-8"))
            mode = _mode(repo, head, rel)
            _git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{rel}", env=index)
        tree = _git(repo, "write-tree", env=index)
    who = _author(repo)
    return _git(repo, "commit-tree", tree, "-p", head, "-F", "-", stdin=message.encode(), env=who)


def _mode(repo: Path, head: str, rel: str) -> str:
    listed = _git(repo, "ls-tree", head, "--", rel)
    return listed.split()[0] if listed else "100644"


def _author(repo: Path) -> dict[str, str]:
    """The repository's own identity when it has one; a clear fallback otherwise."""
    env: dict[str, str] = {}
    for key in ("name", "email"):
        try:
            _git(repo, "config", f"user.{key}")
        except ProposalError:
            env[f"GIT_AUTHOR_{key.upper()}"] = FALLBACK_AUTHOR[key]
            env[f"GIT_COMMITTER_{key.upper()}"] = FALLBACK_AUTHOR[key]
    return env


def commit_message(row: ProposalRow, items: list[ProposalItemRow], rel: str) -> str:
    """A subject with the counts, then each change with its evidence link."""
    shown = [i for i in items if i.decision != ItemDecision.REJECTED]
    counts = change_counts(i.change for i in shown)
    subject = f"metis: {counts} in {rel}" if counts else f"metis: refresh {rel}"
    origin = (
        "rewind" if row.origin == ProposalOrigin.REWIND else "distilled from archived agent runs"
    )
    lines = [subject, "", f"Proposal #{row.id} ({origin}). Every line links to its evidence."]
    links = _links(row)
    if shown:
        lines.append("")
    for item in shown[:MAX_LISTED]:
        lines.append(f"{item.number}. {item.change} ({item.kind or 'lesson'}): {item.text}")
        for link in links.get(item.lesson_id, [])[:1]:
            lines.append(f"   evidence: {link}")
    if len(shown) > MAX_LISTED:
        lines.append(f"... and {len(shown) - MAX_LISTED} more (see the diff)")
    return "\n".join(lines) + "\n"


def _links(row: ProposalRow) -> dict[str, list[str]]:
    meta = Path(row.folder, "proposal.json")
    if not meta.is_file():
        return {}
    data = json.loads(meta.read_text(encoding="utf-8"))
    # the archive path and lines, not the reviewer's own data dir
    return {i["id"]: [e["label"] for e in i["evidence"]] for i in data.get("items", [])}
