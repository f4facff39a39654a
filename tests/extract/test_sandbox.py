"""Codex's sandbox told by its cause: the folder a refused write was under, and what a call that
passed once let out was kept from inside it."""

from __future__ import annotations

import pytest

from metis_distill.extract.sandbox import (
    ESCALATE,
    NO_NETWORK_TEXT,
    escalated_lesson,
    ran_inside_programs,
    refused_dot_folder,
    sandboxed_program,
)
from metis_distill.mine.fixes import Fix, FixKind
from metis_distill.models import Event, EventKind, Run, SourceRef


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


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("PORT=4000 DEBUG=1 mix phx.server", "mix"),
        ("env MIX_ENV=test mix test", "mix"),
        ("env -i HOME=/tmp/h git fetch origin", "git fetch"),
        ("nohup node server.js", "node"),
        ("CI=1 time npm ci", "npm ci"),
        ("timeout 30 python3 server.py", "python3"),
        ("timeout -k 5 2m cargo build", "cargo build"),
        ("env -u HTTP_PROXY curl -s https://example.com", "curl"),
    ],
)
def test_the_program_is_the_word_past_the_settings_and_runners_before_it(
    command: str, program: str
) -> None:
    assert sandboxed_program(command) == program


def test_a_program_started_with_settings_is_told_by_the_program() -> None:
    text, _ = _lesson("PORT=4000 mix phx.server", "Error: something failed") or ("", "")
    assert text.startswith("`mix` fails inside Codex's sandbox here")


def test_programs_that_ran_inside_are_named_past_their_settings() -> None:
    call = _call("MIX_ENV=test mix test")
    done = Event(
        1, "tool", EventKind.TOOL_RESULT, "ok", SourceRef("r.jsonl", 2, 2),
        tool_use_id=call.tool_use_id, exit_code=0,
    )  # fmt: skip
    run = Run(
        "r.jsonl", "codex", "s", "p", cwd="/home/u/w", git_branch=None, started_at=None,
        ended_at=None, is_subagent=False, events=(call, done),
    )  # fmt: skip
    assert ran_inside_programs(run) == {"mix"}


_PYTHON_BIND = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3.12/socketserver.py", line 473, in server_bind\n'
    "    self.socket.bind(self.server_address)\n"
    "PermissionError: [Errno 1] Operation not permitted"
)


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("PORT=8001 python3 app/server.py", _PYTHON_BIND),
        ("python3 -m http.server 8001", _PYTHON_BIND.replace("\n", " ")),  # one line, as cut
        ("go run ./cmd/api", "listen tcp 127.0.0.1:8080: bind: operation not permitted"),
        (
            "uvicorn app:main",
            "ERROR:    [Errno 1] error while attempting to bind on address ('127.0.0.1', 8000): "
            "operation not permitted",
        ),
        ("node server.js", "Error: listen EPERM: operation not permitted 0.0.0.0:8080"),
    ],
)
def test_a_socket_the_sandbox_refused_is_the_no_listen_lesson_in_any_runtime(
    command: str, said: str
) -> None:
    text, fix = _lesson(command, said) or ("", "")
    assert text.startswith("Codex's sandbox here lets no program listen") and fix == ESCALATE


@pytest.mark.parametrize(
    "said",
    [
        # a file refused, its path after the refusal
        '    open(path, "w")\nPermissionError: [Errno 1] Operation not permitted: '
        "'/home/u/w/data/app.db'",
        # a refusal with no socket in the traceback
        "    os.makedirs(cache)\nPermissionError: [Errno 1] Operation not permitted",
    ],
)
def test_a_refusal_without_a_bind_is_no_listen_lesson(said: str) -> None:
    text, _ = _lesson("python3 app/server.py", said) or ("", "")
    assert text.startswith("`python3` fails inside Codex's sandbox here")
