"""A program missing from the PATH, not from the machine: the call that worked put its folder
on the PATH first or named it by its full path. The lesson is the PATH one, the difference
the retry made told whole, a fact of the machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metis_distill.extract.rules import FETCHED_NOT_A_DEPENDENCY, RulesExtractor
from metis_distill.ledger import LessonView
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.off_path import off_path
from metis_distill.models import LessonCandidate, LessonKind
from metis_distill.placement.locality import machine_fact
from metis_distill.sources.codex import parse_file as parse_codex
from metis_distill.textio import read_lines
from tests.mine.test_episodes import call, failure_lessons, result
from tests.placement.test_locality import lesson

NOT_RECOGNIZED = (
    "Get-Command : The term '{}' is not recognized as the name of a cmdlet, function, script "
    "file, or operable program. \r\nCheck the spelling of the name, or if a path was included, "
    "verify that the path is correct and try again."
)


def _powershell(call_id: str, script: str) -> dict:  # type: ignore[type-arg]
    arguments = json.dumps({"command": ["powershell.exe", "-Command", script], "workdir": "C:\\w"})
    payload = {"type": "function_call", "name": "shell", "arguments": arguments}
    payload["call_id"] = call_id
    return {"timestamp": "2026-03-02T08:00:00Z", "type": "response_item", "payload": payload}


def _printed(call_id: str, code: int, output: str) -> dict:  # type: ignore[type-arg]
    said = json.dumps({"output": output, "metadata": {"exit_code": code}})
    payload = {"type": "function_call_output", "call_id": call_id, "output": said}
    return {"timestamp": "2026-03-02T08:00:02Z", "type": "response_item", "payload": payload}


def _codex_lessons(tmp_path: Path, records: list[dict]) -> list[LessonCandidate]:  # type: ignore[type-arg]
    meta = {"id": "s7", "timestamp": "2026-03-02T08:00:00Z", "cwd": "C:\\w", "cli_version": "0.1"}
    head = {"timestamp": "2026-03-02T08:00:00Z", "type": "session_meta", "payload": meta}
    path = tmp_path / "rollout-2026-03-02T08-00-00-s7.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [head, *records]) + "\n")
    run = parse_codex(path, tmp_path)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    return RulesExtractor().extract(run, episodes, read_lines(path))


def _as_stored(found: LessonCandidate) -> LessonView:
    return lesson(found.text, quote=found.evidence.quote, fix=found.fix)


def test_a_path_step_before_the_same_powershell_call_is_told_whole(tmp_path: Path) -> None:
    """`$env:Path += ';C:\\Tools\\Git\\bin'; Get-Command bash`: the `;` in the quoted value is
    the PATH's, not a step's end; the lesson is the PATH one, with no `&&` PowerShell 5.1
    lacks."""
    retry = "$env:Path += ';C:\\Tools\\Git\\bin'; Get-Command bash | Select-Object Name, Source"
    (found,) = _codex_lessons(
        tmp_path,
        [
            _powershell("c1", "Get-Command bash | Select-Object Name, Source"),
            _printed("c1", 1, NOT_RECOGNIZED.format("bash")),
            _powershell("c2", retry),
            _printed("c2", 0, "Name     Source\nbash.exe C:\\Tools\\Git\\bin\\bash.exe"),
        ],
    )
    assert found.fix == "$env:Path += ';C:\\Tools\\Git\\bin'"
    assert found.text.startswith("`bash` is not on the PATH here (")
    assert "`$env:Path += ';C:\\Tools\\Git\\bin'`" in found.text and "&&" not in found.text


def test_powershell_steps_with_a_quoted_semicolon_are_kept_whole_joined_as_written(
    tmp_path: Path,
) -> None:
    """Steps that prepared the same call, one with a quoted value holding a `;`: kept whole,
    and joined by `;`, the separator the call was written with."""
    steps = "docker compose --profile 'db;cache' up -d; npm run migrate"
    (found,) = _codex_lessons(
        tmp_path,
        [
            _powershell("c1", "npm test"),
            _printed("c1", 1, "Error: connect ECONNREFUSED 127.0.0.1:5432"),
            _powershell("c2", f"{steps}; npm test"),
            _printed("c2", 0, "Tests: 12 passed, 12 total"),
        ],
    )
    assert found.fix == steps and "&&" not in found.text


def test_a_look_up_mended_by_the_full_path_keeps_the_full_path(tmp_path: Path) -> None:
    """`which npm` found nothing; the full path found it. The difference is the path, never
    cut: the program is not on the PATH, a fact of this machine."""
    (found,) = failure_lessons(
        tmp_path,
        [
            call("t1", "which npm"),
            result("t1", "Exit code 1\nnpm not found", True),
            call("t2", "/usr/local/opt/node/bin/which npm || ls /usr/local/opt/node/bin/npm"),
            result("t2", "/usr/local/opt/node/bin/npm"),
        ],
    )
    assert found.text == (
        "`npm` is not on the PATH here (“npm not found”); use its full path "
        "(`/usr/local/opt/node/bin/npm`) or put its folder on the PATH."
    )
    assert machine_fact(_as_stored(found))


def test_a_runner_that_ran_once_its_folder_was_on_the_path_is_not_missing(
    tmp_path: Path,
) -> None:
    """npx was there: the retry put its folder on the PATH. Not "not installed", no `npx npx`,
    even when npx went on to fetch the program it was asked to run."""
    fetched = "npm warn exec The following package was not found and will be installed: x@1"
    retry = 'export PATH="$PATH:/usr/local/opt/node/bin" && npx create-vite app'
    (found,) = failure_lessons(
        tmp_path,
        [
            call("t1", "npx create-vite app"),
            result("t1", "Exit code 127\n(eval):1: command not found: npx", True),
            call("t2", retry),
            result("t2", f"{fetched}\nScaffolding project in /w/app..."),
        ],
    )
    assert found.text == (
        "`npx` is not on the PATH here (“npx: command not found”); put its folder on the PATH "
        'first (`export PATH="$PATH:/usr/local/opt/node/bin"`) or use its full path.'
    )
    assert found.fix == 'export PATH="$PATH:/usr/local/opt/node/bin"'
    assert machine_fact(_as_stored(found))


def test_npx_is_never_what_npx_fetches(tmp_path: Path) -> None:
    """npx missing, then there once nvm's script was sourced: the runner of the retry is npx
    itself, so no "`npx npx …` fetches it"."""
    fetched = "npm warn exec The following package was not found and will be installed: tsc@2"
    (found,) = failure_lessons(
        tmp_path,
        [
            call("t1", "npx tsc --noEmit"),
            result("t1", "Exit code 127\nbash: npx: command not found", True),
            call("t2", "source ~/.nvm/nvm.sh"),
            result("t2", ""),
            call("t3", "npx tsc --noEmit"),
            result("t3", f"{fetched}\nDone"),
        ],
    )
    assert "npx npx" not in found.text and FETCHED_NOT_A_DEPENDENCY not in found.text


def test_a_program_npx_fetched_is_still_not_installed_here(tmp_path: Path) -> None:
    """Control: the program npx had to fetch was not on the machine at all."""
    fetched = "npm warn exec The following package was not found and will be installed: vercel@5"
    (found,) = failure_lessons(
        tmp_path,
        [
            call("t1", "vercel --prod"),
            result("t1", "Exit code 127\nbash: vercel: command not found", True),
            call("t2", "npx vercel --prod"),
            result("t2", f"{fetched}\nProduction: https://site.example"),
        ],
    )
    assert FETCHED_NOT_A_DEPENDENCY in found.text and found.fix == "npx"


def test_another_program_by_its_full_path_keeps_the_stand_in_lesson(tmp_path: Path) -> None:
    """Control: `/usr/bin/python3` for a missing `python` is another program, not python's
    full path: the lesson names the stand-in."""
    (found,) = failure_lessons(
        tmp_path,
        [
            call("t1", "python app.py"),
            result("t1", "Exit code 127\nbash: python: command not found", True),
            call("t2", "/usr/bin/python3 app.py"),
            result("t2", "ok"),
        ],
    )
    assert "full path" not in found.text and "python3" in found.text


def test_a_path_step_the_failed_call_had_already_is_no_difference(tmp_path: Path) -> None:
    """Control: the PATH step was there when it failed; another value made it work."""
    failed = 'export PATH="$PATH:/opt/tools/bin" && deploy-cli push --env stage'
    found = failure_lessons(
        tmp_path,
        [
            call("t1", failed),
            result("t1", "Exit code 2\nerror: unknown environment 'stage'", True),
            call("t2", failed.replace("stage", "staging")),
            result("t2", "pushed 3 services"),
        ],
    )
    assert not any("on the PATH" in x.text for x in found)


def test_a_program_the_call_that_worked_installed_first_was_not_there_all_along(
    tmp_path: Path,
) -> None:
    """`pip install --user poetry && export PATH=… && poetry install`: the install, not the
    PATH step, is what the machine lacked; never "not on the PATH; put its folder on it"."""
    retry = 'pip install --user poetry && export PATH="$HOME/.local/bin:$PATH" && poetry install'
    (found,) = failure_lessons(
        tmp_path,
        [
            call("t1", "poetry install"),
            result("t1", "/bin/bash: line 1: poetry: command not found", True),
            call("t2", retry),
            result("t2", "Successfully installed poetry-1.8.3\nInstalling dependencies"),
        ],
    )
    assert "put its folder on the PATH" not in found.text
    assert found.fix == "pip install --user poetry"


def _zig_lesson(tmp_path: Path, worked: str | None) -> LessonCandidate:
    """`zig build` not found, then the call that worked (none when `worked` is None)."""
    records = [
        call("t1", "zig build"),
        result("t1", "Exit code 127\nbash: zig: command not found", True),
    ]
    if worked is not None:
        records += [call("t2", worked), result("t2", "Build succeeded: 3 of 3 steps.")]
    (found,) = failure_lessons(tmp_path, records)
    return found


@pytest.mark.parametrize(
    "worked", ["export PATH=/opt/zig/bin:$PATH && zig build", "/opt/zig/bin/zig build", None]
)
def test_every_way_past_a_program_off_the_path_is_one_fact(
    tmp_path: Path, worked: str | None
) -> None:
    """Its folder put on the PATH, its full path, or no way seen: one fact of the machine, the
    key its lines merge by, whatever their words."""
    assert _zig_lesson(tmp_path, worked).key == "`zig` is not on the PATH here"


def test_a_program_installed_or_run_by_another_is_no_off_path_fact(tmp_path: Path) -> None:
    """Control: a runner that ran it, or an install, is its own lesson, keyed by its failure
    (the command and its error, the words before its way), not by the machine's fact."""
    for n, worked in enumerate(["npx zig build", "npm install -g zig && zig build"]):
        found = _zig_lesson(tmp_path / str(n), worked)
        assert found.key is not None and found.key != "`zig` is not on the PATH here"
        assert found.text.startswith(f"{found.key}; ")


GERMAN_NOT_RECOGNIZED = (
    'Die Benennung "{}" wurde nicht als Name eines Cmdlet, einer Funktion, einer Skriptdatei '
    "oder eines ausführbaren Programms erkannt."
)
FOOTER_ONLY = "    + FullyQualifiedErrorId : x\n    + CategoryInfo : ObjectNotFound: ({}:String) [], CommandNotFoundException"


def test_powershell_in_another_language_or_its_footer_names_the_program() -> None:
    """PowerShell's "not recognized" in German, or only its record's footer: the same program
    missing, reached by its full path next."""
    for said in (GERMAN_NOT_RECOGNIZED, FOOTER_ONLY, NOT_RECOGNIZED):
        found = off_path(
            "g++ main.cpp", said.format("g++"), "C:\\msys64\\ucrt64\\bin\\g++ main.cpp"
        )
        assert found is not None and found.program == "g++", said
        assert found.full_path == "C:\\msys64\\ucrt64\\bin\\g++"


def test_a_program_reached_in_the_projects_own_folder_keys_no_machine_fact(
    tmp_path: Path,
) -> None:
    """`.venv/bin/pytest` is this project's: its line never joins (nor rewords) another
    project's `pytest` not on the PATH."""
    here = {"cwd": "/home/ana/code/app"}
    (found,) = failure_lessons(
        tmp_path,
        [
            {**call("t1", "pytest -q tests"), **here},
            {**result("t1", "Exit code 127\nbash: pytest: command not found", True), **here},
            {**call("t2", "/home/ana/code/app/.venv/bin/pytest -q tests"), **here},
            {**result("t2", "5 passed in 0.2s"), **here},
        ],
    )
    assert found.fix == ".venv/bin/pytest" and found.key is None
