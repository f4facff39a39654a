"""Windows where `bash` is WSL's launcher and WSL has no Linux shell: one machine lesson."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonCandidate, LessonKind
from metis_distill.placement.locality import Locality, locality
from metis_distill.sources.codex import parse_file as parse_codex
from metis_distill.textio import read_lines
from tests.placement.test_locality import lesson as view

WSL = (
    "<3>WSL (9) ERROR: CreateProcessEntryCommon:505: execvpe /bin/bash failed 2\n"
    "<3>WSL (9) ERROR: CreateProcessEntryCommon:508: Create process not expected to return\n"
)
TEXT = (
    "`bash` here starts WSL, which has no Linux shell (“execvpe /bin/bash failed”): run "
    "commands with `pwsh -NoProfile -Command …`."
)


def _shell(call_id: str, argv: list[str]) -> dict:  # type: ignore[type-arg]
    arguments = json.dumps({"command": argv, "workdir": "C:\\src\\inkwell"})
    payload = {"type": "function_call", "name": "shell", "arguments": arguments, "call_id": call_id}
    return {"timestamp": "2026-02-01T09:00:01Z", "type": "response_item", "payload": payload}


def _output(call_id: str, output: str, code: int) -> dict:  # type: ignore[type-arg]
    body = json.dumps({"output": output, "metadata": {"exit_code": code}})
    payload = {"type": "function_call_output", "call_id": call_id, "output": body}
    return {"timestamp": "2026-02-01T09:00:02Z", "type": "response_item", "payload": payload}


def _lessons(tmp_path: Path, records: list[dict], name: str = "s1") -> list[LessonCandidate]:  # type: ignore[type-arg]
    meta = {"id": name, "timestamp": "2026-02-01T09:00:00Z", "cwd": "C:\\src\\inkwell"}
    head = {"timestamp": "2026-02-01T09:00:00Z", "type": "session_meta", "payload": meta}
    path = tmp_path / f"rollout-2026-02-01T09-00-00-{name}.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [head, *records]) + "\n")
    run = parse_codex(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    return RulesExtractor().extract(run, episodes, read_lines(path))


PWSH = ["pwsh", "-NoLogo", "-NoProfile", "-Command", "Get-ChildItem -Name drafts"]


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ("ls drafts && rg --files drafts", WSL),
        ("git status --short", "<3>WSL (11) ERROR: CreateProcessEntryCommon:640: execvpe /bin/bash failed 2\n"),
    ],
)  # fmt: skip
def test_one_wording_whatever_the_command_with_the_pwsh_that_worked(
    tmp_path: Path, command: str, error: str
) -> None:
    records = [
        _shell("w1", ["bash", "-lc", command]),
        _output("w1", error, 1),
        _shell("w2", PWSH),
        _output("w2", "intro.md\r\noutline.md\r\n", 0),
    ]
    (found,) = _lessons(tmp_path, records)
    assert found.text == TEXT
    assert found.fix == "pwsh -NoProfile -Command …"
    assert found.evidence.quote.startswith("WSL (")  # the `<3>` log level left out
    assert "execvpe /bin/bash failed" in found.evidence.quote
    assert found.evidence.ref.line_end == 5  # the pwsh call that worked is in the evidence


def test_without_a_shell_that_worked_no_fix_is_claimed(tmp_path: Path) -> None:
    (found,) = _lessons(
        tmp_path, [_shell("w1", ["bash", "-lc", "ls drafts"]), _output("w1", WSL, 1)]
    )
    assert found.text == TEXT and found.fix is None


def test_a_later_success_in_bash_itself_is_no_pwsh_fix(tmp_path: Path) -> None:
    records = [
        _shell("w1", ["bash", "-lc", "ls drafts"]),
        _output("w1", WSL, 1),
        _shell("w2", ["cmd", "/c", "dir /B drafts"]),
        _output("w2", "intro.md\r\n", 0),
    ]
    (found,) = _lessons(tmp_path, records)
    assert found.text == TEXT and found.fix is None


def test_it_is_a_fact_of_this_machine() -> None:
    lesson = view(
        TEXT,
        "WSL (9) ERROR: CreateProcessEntryCommon:505: execvpe /bin/bash failed 2",
        "pwsh -NoProfile -Command …",
    )
    assert locality(lesson, Path("/home/ana/src/shop")) is Locality.MACHINE
