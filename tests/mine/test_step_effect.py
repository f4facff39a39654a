"""What one step does: looks, keeps books, or changes what a later call reads."""

from __future__ import annotations

import pytest

from metis_distill.mine.step_effect import (
    asks_version,
    bookkeeping,
    is_edit,
    looks_at_tests,
    only_looks,
    retry_only_asks,
    silent_change,
)
from metis_distill.models import Event, EventKind, SourceRef


def _call(command: str, tool: str = "Bash") -> Event:
    return Event(
        seq=0,
        role="assistant",
        kind=EventKind.TOOL_CALL,
        text=command,
        ref=SourceRef(path="run.jsonl", line_start=1, line_end=1),
        tool_name=tool,
    )


@pytest.mark.parametrize(
    ("command", "probe"),
    [
        ("pytest --version", True),
        ("python3 -m pytest -V", True),
        ("go version", True),
        ("npx -y @acme/setup migrate --help", True),
        ("python scripts/deploy.py --help 2>&1 | head -20", True),
        ("df -h", False),
        ("free -h 2>&1 | head -3", False),
    ],
)
def test_a_version_probe_is_told_from_work(command: str, probe: bool) -> None:
    assert asks_version(command) is probe


@pytest.mark.parametrize(
    ("failed", "retry", "asks"),
    [
        ("acme migrate", "acme migrate --help", True),
        ("acme migrate", "acme migrate -h", True),
        ("acme deploy --prod", "acme deploy --prod --dry-run", True),
        ("acme migrate", "ls ~/.acme && acme migrate -V", True),
        ("acme migrate", "acme migrate --yes", False),
        ("acme migrate", "acme migrate --help && acme migrate --yes", False),
        # `-h` naming a host is no help; a probe's retry by another way asks what it asked
        ("mysql -u root shop", "mysql -h 127.0.0.1 -u root shop", False),
        ("acme --version", "npx acme --version", False),
        # an option only a quoted message names; `-V` after operands asks for verbose output
        (
            'git commit -m "sync"',
            'git -c commit.gpgsign=false commit -m "add --dry-run to sync"',
            False,
        ),
        ("ctest --test-dir build", "ctest --test-dir build -C Debug -V", False),
    ],
)
def test_a_retry_that_only_asks_is_told_from_one_that_works(
    failed: str, retry: str, asks: bool
) -> None:
    assert retry_only_asks(_call(failed), _call(retry)) is asks


def test_an_edit_naming_an_option_that_asks_is_no_asking() -> None:
    edit = _call("README.md: run `acme migrate --help` for its options", tool="Edit")
    assert not retry_only_asks(_call("acme migrate"), edit)


@pytest.mark.parametrize(
    ("command", "looks"),
    [
        ("git status && git log --oneline -3", True),
        ("git remote -v", True),
        ("git remote add origin git@host:a/b.git", False),
        ("git branch -M main", False),
        ("npm view left-pad version", True),
        ("python3 -c \"import cv2; print('OK')\"", True),
        ("npx jest a.spec.ts | grep -A 20 FAIL", True),
        ("npx jest -u a.spec.ts | grep -A 20 FAIL", False),
        ("cat <<'EOF' > src/x.go\npackage x\nEOF", False),
        ("chmod +x run.sh", False),
        ("env", True),
        ("env | grep PATH", True),
        ("env HOME=/tmp/h WRANGLER_SEND_METRICS=false wrangler deploy", False),
        ("env -i PATH=/usr/bin printenv", True),
    ],
)
def test_a_step_that_only_looks_is_told_from_one_that_changes(command: str, looks: bool) -> None:
    assert only_looks(_call(command)) is looks
    assert silent_change(_call(command)) is not looks


def test_reading_tools_only_look_and_edit_tools_and_subagents_edit() -> None:
    assert only_looks(_call("", tool="Read")) and not silent_change(_call("", tool="Read"))
    assert is_edit(_call("", tool="Edit")) and is_edit(_call("do it", tool="Task"))
    assert is_edit(_call("git checkout 47f62f9 -- lib/x.py"))
    assert not is_edit(_call("git checkout feature/login"))


@pytest.mark.parametrize(
    ("command", "staged", "books"),
    [
        ("git add a.py && git commit -m fix", False, True),
        ("git push origin main", False, True),
        ("git add a.py && git commit -m fix", True, False),
        ("git add a.py && npm test", False, False),
    ],
)
def test_a_commit_or_push_keeps_books_unless_the_program_reads_what_git_stages(
    command: str, staged: bool, books: bool
) -> None:
    assert bookkeeping(_call(command), staged=staged) is books


def test_tests_run_again_through_a_filter_are_a_look_a_test_run_alone_is_not() -> None:
    assert looks_at_tests("uv run pytest -x | tail -20")
    assert not looks_at_tests("uv run pytest -x")
    assert not looks_at_tests("npm run build | tail -20")
