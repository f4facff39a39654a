"""Codex's sandbox told by its cause: the folder a refused write was under, and what a call that
passed once let out was kept from inside it."""

from __future__ import annotations

from metis_distill.extract.sandbox import (
    ESCALATE,
    NO_NETWORK_TEXT,
    escalated_lesson,
    refused_dot_folder,
    sandboxed_program,
)
from metis_distill.mine.fixes import Fix, FixKind
from metis_distill.models import Event, EventKind, SourceRef


def _call(command: str, seq: int = 0, *, escalated: bool = False) -> Event:
    ref = SourceRef("r.jsonl", seq + 1, seq + 1)
    return Event(
        seq, "assistant", EventKind.TOOL_CALL, command, ref, tool_name="shell",
        tool_use_id=f"c{seq}", escalated=escalated,
    )  # fmt: skip


def _error(text: str, seq: int = 1) -> Event:
    return Event(seq, "tool", EventKind.ERROR, text, SourceRef("r.jsonl", seq + 1, seq + 1))


def _escalated_fix(command: str) -> Fix:
    later = _call(command, 2, escalated=True)
    done = Event(3, "tool", EventKind.TOOL_RESULT, "ok", SourceRef("r.jsonl", 4, 4), exit_code=0)
    return Fix(FixKind.ESCALATED, later, done)


def test_the_folder_named_by_the_refused_write() -> None:
    error = _error("mkdir: /w/.codex/tmp: Operation not permitted")
    assert refused_dot_folder(_call("mkdir -p .codex/tmp"), error, None) == ".codex"


def test_git_dir_wherever_it_is_in_the_path() -> None:
    error = _error("fatal: Unable to create '/w/.git/index.lock': Operation not permitted")
    assert refused_dot_folder(_call("git add a.py"), error, None) == ".git"


def test_a_git_write_refused_with_no_path_is_git_dir() -> None:
    error = _error("failed in sandbox: Operation not permitted")
    assert refused_dot_folder(_call("git commit -m x"), error, None) == ".git"
    assert refused_dot_folder(_call("git status"), error, None) is None  # reads nothing there


def test_a_denial_under_git_dir_needs_the_escalated_pass() -> None:
    error = _error("error: cannot open '.git/FETCH_HEAD': Permission denied")
    call = _call("git fetch origin")
    assert refused_dot_folder(call, error, None) is None  # the files' owner, maybe
    assert refused_dot_folder(call, error, _escalated_fix("git fetch origin")) == ".git"


def _lesson(command: str, said: str, *, ran_inside: bool = False) -> tuple[str, str] | None:
    return escalated_lesson(
        _call(command),
        _error(said),
        "run it with escalated permissions",
        workspace="/home/u/w",
        ran_inside=ran_inside,
        sandbox_ran=True,
        offline_before_fix=False,
    )


def test_no_network_is_one_lesson_whatever_the_call() -> None:
    said = "curl: (6) Could not resolve host: example.com"
    assert _lesson("curl https://example.com", said) == (NO_NETWORK_TEXT, ESCALATE)
    assert _lesson("npm view react", said) == (NO_NETWORK_TEXT, ESCALATE)


def test_a_write_outside_the_workspace_is_told_by_its_top_folder() -> None:
    said = "PermissionError: [Errno 1] Operation not permitted: '/home/u/.cache/pip/x'"
    text, fix = _lesson("pip install x", said) or ("", "")
    assert "under `~/`" in text and ".cache" not in text and fix == ESCALATE


def test_a_program_that_worked_inside_it_elsewhere_is_told_by_its_subcommand() -> None:
    said = "Error: something failed"
    text, _ = _lesson("mix test", said) or ("", "")
    assert text.startswith("`mix` fails inside Codex's sandbox here")
    text, _ = _lesson("mix test", said, ran_inside=True) or ("", "")
    assert text.startswith("`mix test` fails inside Codex's sandbox here")
    assert _lesson("make", said, ran_inside=True) is None  # what stopped it this once is unsaid


def test_a_program_told_with_its_subcommand_when_they_differ() -> None:
    assert sandboxed_program("git fetch origin main") == "git fetch"
    assert sandboxed_program("mix test --trace") == "mix"
    assert sandboxed_program("dotnet restore x.sln", whole=False) == "dotnet restore"
