"""cmd and PowerShell given to bash: one lesson per cause, whatever the command, with the fix
only when the POSIX way (or the harness's own tool) was seen working right after."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.ledger import LessonView
from metis_distill.mine import shells
from metis_distill.mine.episodes import find_episodes
from metis_distill.mine.shells import (
    BACKSLASHES_EATEN_FIX,
    ESCAPED_QUOTE_LESSON,
    HERE_STRING_FIX,
    HEREDOC_IN_POWERSHELL_FIX,
    HEREDOC_IN_POWERSHELL_TEXT,
    PAREN_PATH_FIX,
    PAREN_PATH_TEXT,
    POSIX_IN_POWERSHELL_TEXT,
    QUOTING_LESSON,
    SHIM_REFUSED_FIX,
    SHIM_REFUSED_TEXT,
    SWITCH_LESSON,
    escaped_bang,
)
from metis_distill.models import Event, EventKind, LessonCandidate, LessonKind, SourceRef
from metis_distill.placement.agents import agents_of
from metis_distill.placement.locality import Locality, locality
from metis_distill.sources.claude_code import parse_file
from metis_distill.sources.codex import parse_file as parse_codex
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, failure_lessons, result, say


def _glob(tool_id: str, pattern: str) -> dict:  # type: ignore[type-arg]
    block = {"type": "tool_use", "id": tool_id, "name": "Glob", "input": {"pattern": pattern}}
    return {"type": "assistant", "message": {"content": [block]}}


def _lessons(tmp_path: Path, records: list[dict]) -> list[LessonCandidate]:  # type: ignore[type-arg]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    return RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))


def test_dir_with_a_cmd_switch_then_ls_is_one_fixed_lesson(tmp_path: Path) -> None:
    (lesson,) = _lessons(
        tmp_path,
        [
            call("t1", "dir /B docs"),
            result("t1", "Exit code 2\ndir: cannot access '/B': No such file or directory", True),
            call("t2", "ls docs"),
            result("t2", "a.md\nb.md"),
        ],
    )
    assert lesson.text.startswith("Shell commands here run in bash, not cmd or PowerShell")
    assert lesson.text.endswith("or the Glob, Read and Grep tools.")  # Claude Code's own
    assert lesson.fix is not None and "`ls`" in lesson.fix and lesson.evidence.shows_fix
    assert lesson.evidence.shows_fix


def test_a_cmdlet_then_the_glob_tool_words_the_same_lesson(tmp_path: Path) -> None:
    cmdlet = _lessons(
        tmp_path / "a",
        [
            call("t1", "Get-ChildItem -Directory | Select-Object Name"),
            result(
                "t1", "Exit code 127\n/usr/bin/bash: line 1: Get-ChildItem: command not found", True
            ),
            _glob("t2", "src/*"),
            result("t2", "src/app\nsrc/lib"),
        ],
    )
    switch = _lessons(
        tmp_path / "b",
        [call("t1", "tree /F"), result("t1", "bash: tree: command not found", True)],
    )
    assert [c.text for c in cmdlet] == [c.text for c in switch]  # one lesson, two instances
    assert cmdlet[0].fix is not None and switch[0].fix is None  # only one showed the fix


def test_a_posix_failure_is_not_taken_for_a_foreign_command(tmp_path: Path) -> None:
    (lesson,) = _lessons(
        tmp_path,
        [call("t1", "cp /B out"), result("t1", "cp: cannot stat '/B': No such file", True)],
    )
    assert "not cmd or PowerShell" not in lesson.text


def _powershell(tool_id: str) -> dict:  # type: ignore[type-arg]
    script = "powershell -NoProfile -Command \"$files = @('a.md'); foreach ($f in $files) { }\""
    return call(tool_id, script)


_LOST = "At line:1 char:10\n+ foreach ( in ) {\nMissing variable name after foreach."


def test_powershell_variables_lost_to_bash_twice_is_one_gotcha(tmp_path: Path) -> None:
    found = _lessons(
        tmp_path,
        [
            _powershell("t1"),
            result("t1", f"Exit code 1\n{_LOST}", True),
            say("assistant", "Let me try again."),
            _powershell("t2"),
            result("t2", f"Exit code 1\n{_LOST}", True),
        ],
    )
    assert [(c.kind, c.text) for c in found] == [(LessonKind.GOTCHA, QUOTING_LESSON)] * 2
    assert found[0].evidence.quote == "foreach ( in )"


def test_a_variable_bash_replaced_with_extglob_is_lost_too(tmp_path: Path) -> None:
    """Claude Code's shell on Windows leaves `$_` as `extglob`: PowerShell echoes the line it
    got (`{extglob.Status -eq 'OK'}`), its message in the system's language."""
    script = (
        "powershell -Command \"Get-PnpDevice -Class Audio | Where-Object {$_.Status -eq 'OK'}\""
    )
    echoed = (
        "Exit code 1\nWhere-Object : \ufffd\ufffd extglob.Status \ufffd\ufffd\r\n"
        "+ Get-PnpDevice -Class Audio | Where-Object {extglob.Status -eq 'OK'} | ...\r\n"
        "    + CategoryInfo          : ObjectNotFound: (extglob.Status:String) [Where-Object]"
    )
    found = _lessons(
        tmp_path,
        [
            call("t1", script),
            result("t1", echoed, True),
            call("t2", script),
            result("t2", echoed, True),
        ],
    )
    assert [(c.kind, c.text) for c in found] == [(LessonKind.GOTCHA, QUOTING_LESSON)] * 2
    assert found[0].evidence.quote == "{extglob.Status"


def test_powershell_variables_lost_once_stay_a_failure(tmp_path: Path) -> None:
    found = _lessons(tmp_path, [_powershell("t1"), result("t1", f"Exit code 1\n{_LOST}", True)])
    assert [c.kind for c in found] == [LessonKind.FAILURE]


def test_git_bash_crashing_is_worded_once_whatever_the_command(tmp_path: Path) -> None:
    crash = (
        "Exit code 3221225477\n      0 [main] bash (4242) C:\\Program Files\\Git\\usr\\bin\\"
        'bash.exe: *** fatal error - add_item ("\\??\\C:\\Program Files\\Git", "/", ...) failed'
    )
    found = _lessons(
        tmp_path,
        [
            call("t1", "docker compose up -d"),
            result("t1", crash, True),
            call("t2", "git status"),
            result("t2", crash, True),
        ],
    )
    texts = {c.text for c in found}
    assert len(found) == 2 and len(texts) == 1
    assert texts.pop().startswith("Git Bash here crashes on some calls before the command runs")
    assert all(c.fix is None for c in found)  # no remedy was seen working


def test_the_fix_is_the_posix_command_of_the_same_intent_that_worked(tmp_path: Path) -> None:
    (lesson,) = _lessons(
        tmp_path,
        [
            call("t1", "del /F /Q build"),
            result("t1", "Exit code 127\nbash: line 1: del: command not found", True),
            call("t2", "rm -rf build"),
            result("t2", "(Bash completed with no output)"),
        ],
    )
    assert "not cmd or PowerShell" in lesson.text and lesson.evidence.shows_fix
    assert lesson.fix is not None and "`rm`" in lesson.fix


_UNPARSED = "/usr/bin/bash: eval: line 2: syntax error: unexpected end of file"


_DIST = '"D:\\sites\\blog\\dist"'
_WRITTEN = [
    {
        "type": "assistant",
        "message": {
            "content": [
                {
                    "type": "tool_use",
                    "id": "t3",
                    "name": "Write",
                    "input": {"file_path": "D:\\sites\\blog\\dist\\index.html", "content": "hi"},
                }
            ]
        },
    },
    result("t3", "File created successfully at: D:\\sites\\blog\\dist\\index.html"),
]


@pytest.mark.parametrize(
    ("after", "fixed"),
    [
        # the POSIX way of the same job, saying it worked
        ([call("t2", f"mkdir -p {_DIST}"), result("t2", "(Bash completed with no output)")], True),
        # or silent, as Claude Code leaves it (no result at all), the session going on past it
        ([call("t2", f"mkdir -p {_DIST}"), result("t2", ""), *_WRITTEN], True),
        # silent, and nothing after it: whether it ended is unseen
        ([call("t2", f"mkdir -p {_DIST}"), result("t2", "")], False),
        # a look, not the folder made
        ([call("t2", 'ls "D:\\sites\\blog"'), result("t2", "dist")], False),
    ],
)
def test_cmds_if_not_exist_given_to_bash_is_the_foreign_lesson(
    tmp_path: Path,
    after: list[dict],  # type: ignore[type-arg]
    fixed: bool,
) -> None:
    """cmd's `if not exist X mkdir X` is no command bash lacks but a parse error (its `if`
    waits for a `then`): the same cause, the POSIX `mkdir -p` right after its fix."""
    (lesson,) = _lessons(
        tmp_path,
        [
            call("t1", f"if not exist {_DIST} mkdir {_DIST}"),
            result("t1", f"Exit code 2\n{_UNPARSED}", True),
            *after,
        ],
    )
    assert lesson.text.startswith("Shell commands here run in bash, not cmd or PowerShell")
    assert "(no fix seen)" not in lesson.text
    assert (lesson.fix is not None and lesson.evidence.shows_fix) is fixed


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ("if exist out\\old.log del out\\old.log", _UNPARSED),
        ("npm test && if errorlevel 1 echo tests failed", _UNPARSED),
        ('if /i "%STAGE%"=="prod" echo careful', _UNPARSED),
        ("if not exist out (md out)", "bash: -c: line 1: syntax error near unexpected token `('"),
        ("for %f in (*.log) do type %f", "bash: syntax error near unexpected token `('"),
        ("cd %LOCALAPPDATA%\\tool", "bash: cd: %LOCALAPPDATA%tool: No such file or directory"),
    ],
)
def test_cmd_syntax_bash_cannot_run_is_foreign_too(
    tmp_path: Path, command: str, error: str
) -> None:
    (lesson,) = _lessons(
        tmp_path, [call("t1", command), result("t1", f"Exit code 2\n{error}", True)]
    )
    assert lesson.text.startswith("Shell commands here run in bash, not cmd or PowerShell")
    assert lesson.fix is None


@pytest.mark.parametrize(
    ("command", "error"),
    [
        # bash's own `if` and `for`, left open: the script's own syntax error
        ("if [ -f setup.cfg ]; then echo found", _UNPARSED),
        ("for f in *.log; do gzip $f", _UNPARSED),
        (
            "if grep -q exist notes.txt; then echo yes; fi )",
            "syntax error near unexpected token `)'",
        ),
        # a program's own placeholder, named in its own words
        ('python render.py --set "%TITLE%=Home"', "KeyError: template variable %TITLE% not found"),
        # a name in single quotes: bash's quoting, a file of that name meant
        (
            "cp 'tpl/%APPNAME%.conf' out/",
            "cp: cannot stat 'tpl/%APPNAME%.conf': No such file or directory",
        ),
    ],
)
def test_a_bash_scripts_own_syntax_error_is_not_cmd(
    tmp_path: Path, command: str, error: str
) -> None:
    found = _lessons(tmp_path, [call("t1", command), result("t1", f"Exit code 2\n{error}", True)])
    assert not any("not cmd or PowerShell" in c.text for c in found)


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ("type README.md", "Exit code 1\nbash: line 1: type: README.md: not found"),
        ("gci -Recurse", "Exit code 127\nbash: gci: command not found"),
        ("copy a.txt b.txt", "Exit code 127\nbash: copy: command not found"),
    ],
)
def test_cmd_commands_without_a_switch_are_foreign_too(
    tmp_path: Path, command: str, error: str
) -> None:
    (lesson,) = _lessons(tmp_path, [call("t1", command), result("t1", error, True)])
    assert "not cmd or PowerShell" in lesson.text
    assert "README.md" not in lesson.text  # bash's `type` names its argument, not a program


@pytest.mark.parametrize(
    "error",
    [
        "'Get-ChildItem' is not recognized as an internal or external command",
        '"Get-ChildItem" no se reconoce como un comando interno o externo,',
    ],
)
def test_a_cmd_shell_saying_not_recognized_is_not_bash(tmp_path: Path, error: str) -> None:
    (lesson,) = _lessons(tmp_path, [call("t1", "Get-ChildItem -Name"), result("t1", error, True)])
    assert "run in bash" not in lesson.text


def _codex(tmp_path: Path, records: list[dict]) -> list[LessonCandidate]:  # type: ignore[type-arg]
    path = tmp_path / "rollout-x.jsonl"
    stamp = {"timestamp": "2025-09-01T00:00:00Z"}
    path.write_text("".join(json.dumps({**stamp, **r}) + "\n" for r in records))
    run = parse_codex(path, tmp_path)
    return RulesExtractor().extract(run, list(find_episodes(run)), read_lines(path))


def _codex_call(call_id: str, script: str) -> dict:  # type: ignore[type-arg]
    arguments = json.dumps({"command": ["bash", "-lc", script]})
    payload = {"type": "function_call", "name": "shell", "call_id": call_id, "arguments": arguments}
    return {"type": "response_item", "payload": payload}


def _codex_output(call_id: str, output: str, code: int) -> dict:  # type: ignore[type-arg]
    text = json.dumps({"output": output, "metadata": {"exit_code": code}})
    payload = {"type": "function_call_output", "call_id": call_id, "output": text}
    return {"type": "response_item", "payload": payload}


def test_codex_lines_name_no_claude_code_tool(tmp_path: Path) -> None:
    (lesson,) = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w"}},
            _codex_call("c1", "dir /B docs"),
            _codex_output("c1", "dir: cannot access '/B': No such file or directory", 2),
            _codex_call("c2", "ls docs"),
            _codex_output("c2", "a.md", 0),
        ],
    )
    assert "not cmd or PowerShell" in lesson.text and "Glob" not in lesson.text


def test_powershell_syntax_in_bashs_own_cd_is_not_the_script_quoting(tmp_path: Path) -> None:
    command = 'cd "$env:USERPROFILE\\docs" && powershell -NoProfile -Command "\\$f = 1; \\$f"'
    error = "Exit code 1\n/usr/bin/bash: line 1: cd: :USERPROFILE\\docs: No such file or directory"
    records = [call("t1", command), result("t1", error, True)] * 1
    records += [call("t2", command), result("t2", error, True)]
    assert all(c.text != QUOTING_LESSON for c in _lessons(tmp_path, records))


def test_a_variable_bash_replaced_with_its_own_value_is_lost_too(tmp_path: Path) -> None:
    script = (
        "pwsh.exe -ExecutionPolicy 'Bypass' -Com \"Get-ChildItem | ForEach-Object { $_.Name }\""
    )
    term = "The term '/usr/bin/bash.Name' is not recognized as the name of a cmdlet, function"
    records = [call("t1", script), result("t1", term), call("t2", script), result("t2", term)]
    assert [c.text for c in _lessons(tmp_path, records)] == [QUOTING_LESSON] * 2


def test_a_crash_after_the_command_ran_is_not_the_shell_failing_to_start(tmp_path: Path) -> None:
    output = (
        "Exit code 1\n[1/4] Compiling\n[3/4] Linking\n      1 [main] bash 4242 C:\\Git\\bin\\"
        "bash.exe: *** fatal error - cygheap base mismatch detected"
    )
    found = _lessons(tmp_path, [call("t1", "make all"), result("t1", output, True)])
    assert all("Git Bash here crashes" not in c.text for c in found)


@pytest.mark.parametrize(
    ("failed", "error", "retry", "then"),
    [
        (
            "taskkill /F /PID 24648",
            "ERROR: Invalid argument/option - 'F:/'.\r\nType \"TASKKILL /?\" for usage.",
            "taskkill //F //PID 24648",
            'ERROR: The process "24648" not found.',
        ),
        (
            'schtasks /Query /TN "Nightly" /FO LIST',
            "Exit code 1\nERROR: Invalid argument/option - 'C:/Program Files/Git/Query'.",
            'schtasks //Query //TN "Nightly" //FO LIST',
            "TaskName: \\Nightly\r\nStatus: Ready",
        ),
    ],
)
def test_a_windows_switch_git_bash_made_a_path_is_one_lesson(
    tmp_path: Path, failed: str, error: str, retry: str, then: str
) -> None:
    """Git Bash turned `/F` into `F:/`; the same call with `//F` reached the program, which
    then said what it had to say of the task (no such process): the switch was the fault."""
    records = [call("t1", failed), result("t1", error, True), call("t2", retry), result("t2", then)]
    (lesson, *_) = _lessons(tmp_path, records)
    assert lesson.text == SWITCH_LESSON
    assert lesson.fix is not None and "//" in lesson.fix
    records = [call("t1", failed), result("t1", error, True), say("assistant", "I give up.")]
    (alone,) = _lessons(tmp_path / "alone", records)
    assert alone.text == SWITCH_LESSON and alone.fix is None  # its cause told, no fix seen


def test_a_stretch_of_the_conversation_held_twice_pairs_each_result_with_its_own_call(
    tmp_path: Path,
) -> None:
    """The same tool ids twice in one file: each failure's evidence stays in its stretch."""
    stretch = [
        say("user", "Restart the dev server."),
        call("t1", "taskkill /F /PID 24648"),
        result("t1", "ERROR: Invalid argument/option - 'F:/'.", True),
        call("t2", "taskkill //F //PID 24648"),
        result("t2", "SUCCESS: The process with PID 24648 has been terminated."),
    ]
    first, second = _lessons(tmp_path, [*stretch, *stretch])
    assert (first.evidence.ref.line_start, first.evidence.ref.line_end) == (2, 5)
    assert (second.evidence.ref.line_start, second.evidence.ref.line_end) == (7, 10)


@pytest.mark.parametrize(
    ("command", "error", "escaped"),
    [
        ('node -e "if (!tree[dir]) tree[dir] = 0"',
         "[eval]:1\nif (\\!tree[dir]) tree[dir] = 0\n    ^\nExpected unicode escape", True),
        ("jq '.[] | select(.a != null)' a.json",
         "jq: error: syntax error, unexpected INVALID_CHARACTER\nselect(.a \\!= null)", True),
        # the call wrote the backslash itself: the program got what it was given
        ("echo 'a \\!= b'", "a \\!= b", False),
        # a backslash and a bang the call never wrote in that place
        ("node -e 'console.log(1)'", "SyntaxError near \\!x", False),
        # only a warning names the `\\!`: the code ran, and failed on another error
        ('python3 -c "import os; print(os.path.dirname(__file__) + \'!\')"',
         "<string>:1: SyntaxWarning: invalid escape sequence '\\!'\nTraceback (most recent "
         "call last):\nNameError: name '__file__' is not defined", False),
        ("python -c \"import json; print('Saved!'); json.load(open('a.json'))\"",
         "<string>:1: DeprecationWarning: invalid escape sequence '\\!'\nSaved\\!\n"
         "FileNotFoundError: [Errno 2] No such file or directory: 'a.json'", False),
        # the program's own failure names it, a warning beside it or not
        ('python3 -c "ok = 1 != 2"',
         "<string>:1: SyntaxWarning: invalid escape sequence '\\!'\n  ok = 1 \\!= 2\n"
         "         ^\nSyntaxError: unexpected character after line continuation character", True),
        # a runtime error that itself names the `\\!`: the regex got the backslash (3.13+)
        ("python3 -c \"import re; re.compile(r'^(?!test_)')\"",
         "Traceback (most recent call last):\nre.PatternError: unknown extension ?\\! at "
         "position 2", True),
    ],
)  # fmt: skip
def test_a_bang_the_harness_escaped_is_told_from_one_the_call_wrote(
    command: str, error: str, escaped: bool
) -> None:
    event = Event(
        0, "assistant", EventKind.TOOL_CALL, command, SourceRef("a", 1, 1), tool_name="Bash"
    )
    assert escaped_bang(event, error) is escaped


def _write_tool(tool_id: str, path: str) -> dict:  # type: ignore[type-arg]
    block = {
        "type": "tool_use",
        "id": tool_id,
        "name": "Write",
        "input": {"file_path": path, "content": "It's done.\n"},
    }
    return {"type": "assistant", "message": {"content": [block]}}


UNMATCHED = (
    "Exit code 2\n/usr/bin/bash: eval: line 1: unexpected EOF while looking for matching `''"
)


@pytest.mark.parametrize(("written", "fixed"), [("book/ch1.md", True), ("book/ch2.md", False)])
def test_a_here_document_broken_by_its_quotes_is_fixed_by_writing_the_file(
    tmp_path: Path, written: str, fixed: bool
) -> None:
    """The Bash tool could not pass a long here-document whose body holds quotes; the Write
    tool wrote the same file: one lesson of Claude Code's Bash tool, its remedy that file's
    Write (another file written teaches nothing)."""
    heredoc = "cat > book/ch1.md << 'EOF'\nIt's the first chapter.\nEOF"
    records = [
        call("t1", heredoc),
        result("t1", UNMATCHED, True),
        _write_tool("w1", written),
        result("w1", f"File created successfully at: {written}"),
    ]
    (lesson,) = _lessons(tmp_path, records)
    assert lesson.text.startswith("A long here-document written into a file through Claude")
    assert (lesson.fix is not None) is fixed
    view = LessonView("id", "failure", lesson.text, "active", 2, None, None, (), (), lesson.fix)
    assert agents_of(replace(view, formats=frozenset({"claude_code"}))) == {"claude_code"}
    assert locality(view, Path("/w")) is Locality.MACHINE


def test_a_here_document_with_its_delimiter_unquoted_is_the_scripts_own_failure(
    tmp_path: Path,
) -> None:
    """`<<EOF` unquoted: bash matches the quotes in the body itself, so the failure is the
    script's, not the Bash tool's way of passing it."""
    records = [
        call("t1", "cat > notes.md <<EOF\nRun $(echo it's done)\nEOF"),
        result("t1", UNMATCHED, True),
        _write_tool("w1", "notes.md"),
        result("w1", "File created successfully at: notes.md"),
    ]
    (lesson,) = _lessons(tmp_path, records)
    assert not lesson.text.startswith("A long here-document")


def test_a_script_written_by_a_here_document_then_run_fails_on_its_own_quotes(
    tmp_path: Path,
) -> None:
    """bash wrote the file as given (`<<'EOF'`); the error names the script run after it, at
    its own line: the script's quoting failed, not the Bash tool's passing of the body."""
    heredoc = (
        "cat > /tmp/try_sed.sh << 'EOF'\nsed -i 's/from [\\\"']*old[\\\"']*/new/' a.ts\nEOF\n"
        "bash /tmp/try_sed.sh"
    )
    error = (
        "Exit code 2\n/tmp/try_sed.sh: line 2: unexpected EOF while looking for matching `''\n"
        "/tmp/try_sed.sh: line 3: syntax error: unexpected end of file"
    )
    records = [
        call("t1", heredoc),
        result("t1", error, True),
        _write_tool("w1", "/tmp/try_sed.sh"),
        result("w1", "File created successfully at: /tmp/try_sed.sh"),
    ]
    assert not any(c.text.startswith("A long here-document") for c in _lessons(tmp_path, records))


@pytest.mark.parametrize(
    ("command", "error", "told"),
    [
        ('ls -la "C:\\Users\\me\\.claude\\" 2>/dev/null | head -30',
         "Exit code 2\n/usr/bin/bash: eval: line 1: unexpected EOF while looking for matching `\"'",
         True),
        ('ls -la "D:\\work\\logs\\" 2>/dev/null || echo "Directory doesn\'t exist"',
         "Exit code 2\n/usr/bin/bash: eval: line 1: unexpected EOF while looking for matching `''",
         True),
        # the path closed without a backslash: the quote unmatched is another's
        ('ls "C:\\Users\\me\\.claude" && echo "it\'s',
         "Exit code 2\n/usr/bin/bash: eval: line 1: unexpected EOF while looking for matching `''",
         False),
        # no Windows path
        ('echo "a\\" && ls',
         "Exit code 2\nbash: -c: line 1: unexpected EOF while looking for matching `\"'", False),
    ],
)  # fmt: skip
def test_a_quoted_windows_path_ending_in_a_backslash_is_one_lesson(
    tmp_path: Path, command: str, error: str, told: bool
) -> None:
    found = [
        c.text for c in failure_lessons(tmp_path, [call("t1", command), result("t1", error, True)])
    ]
    assert (ESCAPED_QUOTE_LESSON in found) is told


def test_a_cd_claude_code_blocked_is_the_harness_not_the_command(tmp_path: Path) -> None:
    """A `cd` out of the session's folder is stopped by Claude Code before anything runs:
    the lesson names the harness's rule, never the command after the `cd`."""
    blocked = (
        "ERROR: cd to '/home/ana/infra' was blocked. For security, Claude Code may only change "
        "directories to child directories of the original working directory (/home/ana/app) "
        "for this session."
    )
    found = _lessons(
        tmp_path,
        [
            call("t1", "cd /home/ana/infra && terraform plan"),
            result("t1", blocked, True),
            call("t2", "cd /home/ana/infra && make deploy"),
            result("t2", blocked, True),
        ],
    )
    texts = {c.text for c in found}
    assert len(found) == 2 and len(texts) == 1
    text = texts.pop()
    assert text.startswith("Claude Code's Bash tool here blocks a `cd` out of the folder")
    assert "terraform" not in text and all(c.fix is None for c in found)


@pytest.mark.parametrize(
    "denied",
    [
        "Permission for this action was denied by the Claude Code auto mode classifier. "
        "Reason: Blocked by classifier.",
        # a permission the harness asks for and was not given: the action never ran
        "Claude requested permissions to write to backend/build.gradle, but you haven't "
        "granted it yet.",
        "This command requires approval",
        # auto mode could not ask its model: the action never ran
        "Error: claude-opus-4-8 is temporarily unavailable, so auto mode cannot determine the "
        "safety of Bash right now. Wait briefly and then try this action again.",
    ],
)
def test_an_action_auto_mode_turned_down_is_no_failure(tmp_path: Path, denied: str) -> None:
    found = _lessons(
        tmp_path, [call("t1", "python3 - <<'EOF'\nprint(1)\nEOF"), result("t1", denied, True)]
    )
    assert found == []


def test_a_posix_tool_powershell_lacks_is_one_lesson_of_the_shell(tmp_path: Path) -> None:
    """Codex on Windows runs PowerShell: `sed` and `head` are not there. One lesson whatever
    the tool, never "`sed -n …` fails here", and Codex's alone."""
    texts = set()
    for n, (command, tool) in enumerate(
        (("sed -n '1,200p' src/app.ts", "sed"), ("head -50 README.md", "head"))
    ):
        folder = tmp_path / str(n)
        folder.mkdir()
        term = f"{tool}: The term '{tool}' is not recognized as a name of a cmdlet, function, script file, or executable program."
        found = _codex(
            folder,
            [
                {"type": "session_meta", "payload": {"id": f"s{n}", "cwd": "C:\\w"}},
                _codex_call("c1", command),
                _codex_output("c1", term, 1),
            ],
        )
        texts |= {c.text for c in found}
    (text,) = texts
    assert text.startswith("Shell commands here run in PowerShell, not bash")
    assert "`sed -n" not in text


# PowerShell's "not recognized" in the display languages it ships in, each a whole record
_NOT_RECOGNIZED_SAID = (
    'Die Benennung "{0}" wurde nicht als Name eines Cmdlet, einer Funktion, einer Skriptdatei '
    "oder eines ausf\ufffdhrbaren Programms erkannt.\r\nIn Zeile:1 Zeichen:1",
    "Le terme «{0}» n'est pas reconnu comme nom d'applet de commande, fonction, fichier de "
    "script ou programme exécutable.\r\nAu caractère Ligne:1 : 1",
    "El término '{0}' no se reconoce como nombre de un cmdlet, función, archivo de script o "
    "programa ejecutable.\r\nEn línea: 1 Carácter: 1",
    "无法将“{0}”项识别为 cmdlet、函数、脚本文件或可运行程序的名称。\r\n所在位置 行:1 字符: 1",
    "用語 '{0}' は、コマンドレット、関数、スクリプト ファイル、または操作可能なプログラムの名前"
    "として認識されません。\r\n発生場所 行:1 文字:1",
)


@pytest.mark.parametrize("said", _NOT_RECOGNIZED_SAID)
def test_a_posix_tool_powershell_lacks_reads_the_same_in_its_languages(
    tmp_path: Path, said: str
) -> None:
    """A German (French, Spanish, Chinese, Japanese) PowerShell's “not recognized” is the
    English one: the same lesson of the shell, never "`uniq` fails here"."""
    record = (
        f"uniq : {said.format('uniq')}\r\n+ rg -o 'v[0-9]+' notes.txt | uniq\r\n"
        "+                              ~~~~\r\n"
        "    + CategoryInfo          : ObjectNotFound: (uniq:String) [], CommandNotFoundException"
        "\r\n    + FullyQualifiedErrorId : CommandNotFoundException\r\n"
    )
    found = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _codex_call("c1", "rg -o 'v[0-9]+' notes.txt | uniq"),
            _codex_output("c1", record, 1),
        ],
    )
    assert [c.text for c in found] == [POSIX_IN_POWERSHELL_TEXT]


def test_powershell_run_on_purpose_says_nothing_of_the_harness_shell(tmp_path: Path) -> None:
    """Claude Code runs bash here; a call that started PowerShell itself met PowerShell's
    missing `head`: no "Shell commands here run in PowerShell" lesson."""
    term = (
        "Exit code 1\nhead : The term 'head' is not recognized as the name of a cmdlet, "
        "function, script file, or operable program."
    )
    found = _lessons(
        tmp_path,
        [
            call("t1", 'powershell.exe -NoProfile -Command "Get-Process node | head -5"'),
            result("t1", term, True),
            call("t2", "ls src | head -3"),
            result("t2", "a.ts\nb.ts"),
        ],
    )
    assert all("run in PowerShell" not in c.text for c in found)


def test_a_here_string_header_with_text_after_it_is_powershells_known_cause(
    tmp_path: Path,
) -> None:
    """The first error says the cause; the parse errors after it (“Missing expression after
    unary operator”) are its echoes, and `@"` for `@'` is no way."""
    error = (
        "No characters are allowed after a here-string header but before the end of the line.\n"
        "Missing expression after unary operator '-'."
    )
    found = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s1", "cwd": "C:\\w"}},
            _codex_call("c1", '$content = @"<!-- report -->\n"@; Set-Content a.md $content'),
            _codex_output("c1", error, 1),
            _codex_call("c2", "$content = @'\n<!-- report -->\n'@; Set-Content a.md $content"),
            _codex_output("c2", "", 0),
        ],
    )
    (lesson,) = found
    assert lesson.text.startswith("PowerShell's here-strings start their text on the line after")
    assert "instead" not in lesson.text


_HEREDOC_REFUSED = (
    "At line:1 char:11\r\n+ python - <<'PY'\r\n+           ~\r\n"
    "Missing file specification after redirection operator.\r\n"
    "The '<' operator is reserved for future use."
)


def _heredoc_then(tmp_path: Path, retry: str, code: int) -> list[LessonCandidate]:
    """Codex on Windows: a here-document fed to Python in PowerShell, then `retry`."""
    return _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _codex_call("c1", "python - <<'PY'\nimport json\nprint(json.dumps({}))\nPY"),
            _codex_output("c1", _HEREDOC_REFUSED, 1),
            _codex_call("c2", retry),
            _codex_output("c2", "{}", code),
        ],
    )


def test_a_here_document_powershell_refused_is_passed_another_way(tmp_path: Path) -> None:
    """The code was fine; PowerShell has no `<<`. The same program with the code given by
    `-c` working right after is the way, whatever the code: one lesson, with its fix."""
    (lesson,) = _heredoc_then(tmp_path, 'python -c "import json; print(json.dumps({}))"', 0)
    assert lesson.text == HEREDOC_IN_POWERSHELL_TEXT
    assert lesson.fix == HEREDOC_IN_POWERSHELL_FIX


def test_a_here_document_powershell_refused_then_piped_as_a_here_string_names_that_way(
    tmp_path: Path,
) -> None:
    """PowerShell's own way worked: the code in a here-string piped to `python -`. The line
    lists that way first, and the fix is that way, not `-c`."""
    retry = "@'\nimport json\nprint(json.dumps({}))\n'@ | python -"
    (lesson,) = _heredoc_then(tmp_path, retry, 0)
    assert lesson.text == HEREDOC_IN_POWERSHELL_TEXT
    assert lesson.text.index("here-string") < lesson.text.index("python -c")
    assert lesson.fix == HERE_STRING_FIX


def test_a_here_string_piped_to_another_program_is_no_way_past_it(tmp_path: Path) -> None:
    (lesson,) = _heredoc_then(tmp_path, "@'\nconsole.log(1)\n'@ | node -", 0)
    assert lesson.fix is None


def test_a_here_document_powershell_refused_with_no_way_seen_has_no_fix(tmp_path: Path) -> None:
    (lesson,) = _heredoc_then(tmp_path, 'python -c "import json; print(json.dumps({})"', 1)
    assert lesson.text == HEREDOC_IN_POWERSHELL_TEXT and lesson.fix is None


def test_a_here_document_a_german_powershell_refused_is_the_same_lesson(tmp_path: Path) -> None:
    """“Dateispezifikation nach dem Umleitungsoperator fehlt” is PowerShell's “Missing file
    specification after redirection operator”, in German."""
    refused = (
        "In Zeile:1 Zeichen:11\r\n+ python - <<'PY'\r\n+           ~\r\n"
        "Dateispezifikation nach dem Umleitungsoperator fehlt.\r\n"
        "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\r\n"
        "    + FullyQualifiedErrorId : MissingFileSpecification\r\n"
    )
    (lesson,) = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _codex_call("c1", "python - <<'PY'\nprint(len('abc'))\nPY"),
            _codex_output("c1", refused, 1),
            _codex_call("c2", "python -c \"print(len('abc'))\""),
            _codex_output("c2", "3", 0),
        ],
    )
    assert lesson.text == HEREDOC_IN_POWERSHELL_TEXT
    assert lesson.fix == HEREDOC_IN_POWERSHELL_FIX


def test_a_here_document_in_a_powershell_the_call_started_is_no_lesson_of_the_shell(
    tmp_path: Path,
) -> None:
    found = _lessons(
        tmp_path,
        [
            call("t1", "powershell.exe -Command \"python - <<'PY'\nprint(1)\nPY\""),
            result("t1", "Exit code 1\n" + _HEREDOC_REFUSED, True),
        ],
    )
    assert all(c.text != HEREDOC_IN_POWERSHELL_TEXT for c in found)


def test_a_route_group_path_left_unquoted_in_bash_is_one_lesson_mended_by_quotes(
    tmp_path: Path,
) -> None:
    error = (
        "Exit code 2\n/usr/bin/bash: eval: line 1: syntax error near unexpected token `('\n"
        "/usr/bin/bash: eval: line 1: `ls apps/web/app/(protected)'"
    )
    (lesson,) = _lessons(
        tmp_path,
        [
            call("t1", "ls apps/web/app/(protected)"),
            result("t1", error, True),
            call("t2", "ls 'apps/web/app/(protected)'"),
            result("t2", "layout.tsx\npage.tsx"),
        ],
    )
    assert lesson.text == PAREN_PATH_TEXT and lesson.fix == PAREN_PATH_FIX


def test_cmds_parentheses_given_to_bash_are_not_a_path_left_unquoted(tmp_path: Path) -> None:
    error = "Exit code 2\n/usr/bin/bash: eval: line 1: syntax error near unexpected token `('"
    found = _lessons(
        tmp_path,
        [
            call("t1", 'if exist "C:\\w\\venv" (echo EXISTS) else (echo NOT FOUND)'),
            result("t1", error, True),
        ],
    )
    assert all(c.text != PAREN_PATH_TEXT for c in found)


@pytest.mark.parametrize(
    "retry",
    [
        "python --version",
        'python -c "import sys; print(sys.version)"',
        "python manage.py migrate",  # the program ran, the code it was to be given did not
        "python -m pytest tests/test_api.py",
        "$env:PYTHONPATH='src'; npm run build -- --config vite.config.ts",
    ],
)
def test_another_call_after_a_refused_here_document_is_no_way_past_it(
    tmp_path: Path, retry: str
) -> None:
    (lesson,) = _heredoc_then(tmp_path, retry, 0)
    assert lesson.text == HEREDOC_IN_POWERSHELL_TEXT and lesson.fix is None


def test_the_code_given_by_c_after_a_set_up_step_is_the_way_past_it(tmp_path: Path) -> None:
    (lesson,) = _heredoc_then(tmp_path, "$env:PYTHONPATH='src'; python -c \"print(1)\"", 0)
    assert lesson.fix == HEREDOC_IN_POWERSHELL_FIX


@pytest.mark.parametrize(
    "command",
    [
        "git commit -m \"$(cat <<'EOF'\nFix the parser\nEOF\n)\"",  # a message, not code
        "python main.py < input.txt  # was <<EOF before",
    ],
)
def test_a_redirection_powershell_refused_that_feeds_no_interpreter_is_not_the_here_document(
    tmp_path: Path, command: str
) -> None:
    found = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _codex_call("c1", command),
            _codex_output("c1", _HEREDOC_REFUSED, 1),
        ],
    )
    assert all(c.text != HEREDOC_IN_POWERSHELL_TEXT for c in found)


def test_a_here_document_refused_in_a_claude_code_run_is_not_told_of_powershell(
    tmp_path: Path,
) -> None:
    found = _lessons(
        tmp_path,
        [
            call("t1", "python - <<'PY'\nprint(1)\nPY"),
            result("t1", "Exit code 1\n" + _HEREDOC_REFUSED, True),
        ],
    )
    assert all(c.text != HEREDOC_IN_POWERSHELL_TEXT for c in found)


@pytest.mark.parametrize(
    ("command", "retry"),
    [  # the path was quoted: the `(` bash stopped at was another's
        (
            "cat 'apps/web/app/(auth)/page.tsx' && if exist x (echo y) else (echo n)",
            "cat 'apps/web/app/(auth)/page.tsx'",
        ),
        (
            'ls "src/app/(marketing)/about" && python -c print(1)',
            'ls "src/app/(marketing)/about" && python -c "print(1)"',
        ),
    ],
)
def test_a_quoted_path_with_parentheses_is_no_path_left_unquoted(
    tmp_path: Path, command: str, retry: str
) -> None:
    error = "Exit code 2\n/usr/bin/bash: eval: line 1: syntax error near unexpected token `('"
    found = _lessons(
        tmp_path,
        [call("t1", command), result("t1", error, True), call("t2", retry), result("t2", "ok")],
    )
    assert all(c.text != PAREN_PATH_TEXT for c in found)


def test_a_sed_expression_with_parentheses_is_no_path(tmp_path: Path) -> None:
    error = "Exit code 2\n/usr/bin/bash: eval: line 1: syntax error near unexpected token `('"
    found = _lessons(tmp_path, [call("t1", "sed -E s/(foo)/bar/ f.txt"), result("t1", error, True)])
    assert all(c.text != PAREN_PATH_TEXT for c in found)


def test_a_longer_path_quoted_is_no_fix_of_the_path(tmp_path: Path) -> None:
    error = "Exit code 2\n/usr/bin/bash: eval: line 1: syntax error near unexpected token `('"
    (lesson,) = _lessons(
        tmp_path,
        [
            call("t1", "cat app/(auth)/page.tsx"),
            result("t1", error, True),
            call("t2", "cat 'app/(auth)/page.tsx.bak'"),
            result("t2", "export default function Page() {}"),
        ],
    )
    assert lesson.fix is None


def test_a_route_group_path_retried_another_way_has_no_fix(tmp_path: Path) -> None:
    error = "Exit code 2\n/usr/bin/bash: eval: line 1: syntax error near unexpected token `('"
    (lesson,) = _lessons(
        tmp_path,
        [
            call("t1", "ls apps/web/app/(protected)"),
            result("t1", error, True),
            call("t2", "ls apps/web/app"),
            result("t2", "(protected)\nlayout.tsx"),
        ],
    )
    assert lesson.text == PAREN_PATH_TEXT and lesson.fix is None


def test_a_here_document_into_a_one_letter_file_is_still_the_bash_tools(tmp_path: Path) -> None:
    """The file's name `a` is in "bash", before the error's line: not the script's own."""
    records = [
        call("t1", "cat > a << 'EOF'\nIt's the first chapter.\nEOF"),
        result("t1", UNMATCHED, True),
        _write_tool("w1", "a"),
        result("w1", "File created successfully at: a"),
    ]
    (lesson,) = _lessons(tmp_path, records)
    assert lesson.text.startswith("A long here-document written into a file through Claude")


_NO_AND_AND = (
    "At line:1 char:15\r\n+ npm ci --quiet && npm run lint\r\n+               ~~\r\n"
    "The token '&&' is not a valid statement separator in this version.\r\n"
    "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\r\n"
    "    + FullyQualifiedErrorId : InvalidEndOfLine\r\n"
)


@pytest.mark.parametrize(
    ("script", "output"),
    [
        ("npm ci --quiet && npm run lint", _NO_AND_AND),
        ("git status || dir", _NO_AND_AND.replace("'&&'", "'||'")),
        # a search and a look, refused before either ran: no find quoted, no "none" answered
        ("rg --files || ls -la", _NO_AND_AND.replace("'&&'", "'||'")),
    ],
)
def test_windows_powershell_lacking_and_and_is_the_machines_shell_not_code(
    tmp_path: Path, script: str, output: str
) -> None:
    """Windows PowerShell 5.1 refuses `&&` and `||` (a ParserError, but of the machine's
    shell, not of the code under work): one rule for every command line, told as the way to
    chain there, a fact of this machine."""
    from metis_distill.curate.earned import HeldBack, held_back
    from tests.curate.test_earned import _Lesson

    (lesson,) = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s1", "cwd": "C:\\w"}},
            _codex_call("c1", script),
            _codex_output("c1", output, 1),
        ],
    )
    assert lesson.text == (
        "Windows PowerShell here has no `&&`/`||` (“The token '&&' is not a valid statement "
        "separator in this version.”): chain commands with `;` (or `if ($?) { … }`)."
    )
    view = LessonView("id", "failure", lesson.text, "active", 2, None, None, (), (), lesson.fix)
    assert locality(view, Path("C:/w")) is Locality.MACHINE
    # Codex's shell on Windows; Claude Code's there is Git Bash, where `&&` works
    assert agents_of(replace(view, formats=frozenset({"codex"}))) == {"codex"}
    scope = ("Bash:npm",)
    assert held_back(_Lesson(lesson.text, scope=scope, fix=lesson.fix, support=2)) is None
    once = _Lesson(lesson.text, scope=scope, fix=lesson.fix, support=1)
    assert held_back(once) is HeldBack.ONE_SESSION


_EATEN = "C:\\Users\\ana\\jobs\\run7\\build.log"
_EATEN_ERROR = (
    "Exit code 1\ncat: 'C:Usersanajobsrun7build.log': No such file or directory\n"
    f"/usr/bin/bash: line 1: type: {_EATEN}: not found"
)


def test_a_cmd_fallback_after_a_posix_step_is_not_the_failure(tmp_path: Path) -> None:
    """`cat X || type X`: cmd's `type` ran only because `cat` failed, for a cause of its own
    (bash ate the path's backslashes); the same `cat` with forward slashes is no POSIX form of
    a foreign command."""
    found = _lessons(
        tmp_path,
        [
            call("t1", f'sleep 5 && cat {_EATEN} 2>&1 || type "{_EATEN}"'),
            result("t1", _EATEN_ERROR, True),
            call("t2", 'cat "/c/Users/ana/jobs/run7/build.log" 2>&1'),
            result("t2", "step 1 done\nstep 2 done"),
        ],
    )
    assert found and not any("not cmd or PowerShell" in c.text for c in found)
    assert [c.text.startswith("Git Bash here reads each `\\`") for c in found] == [True]
    assert found[0].fix == BACKSLASHES_EATEN_FIX  # the same `cat`, its path's slashes forward


@pytest.mark.parametrize(
    ("command", "error"),
    [
        # the cmd command failing first, on its own: still the failure
        ("dir /B docs || ls docs", "dir: cannot access '/B': No such file or directory"),
        # a fallback after a foreign step is foreign too
        ("Get-Content a.txt || type a.txt", "bash: Get-Content: command not found"),
        # a cmd fallback bash has no program for: cmd's, not a program missing here
        ("which python3 || where python", "bash: where: command not found"),
        ("command -v node || where node", "bash: line 1: where: command not found"),
    ],
)
def test_a_foreign_command_failing_first_is_still_the_failure(
    tmp_path: Path, command: str, error: str
) -> None:
    (lesson,) = _lessons(tmp_path, [call("t1", command), result("t1", error, True)])
    assert lesson.text.startswith("Shell commands here run in bash, not cmd or PowerShell")


@pytest.mark.parametrize(
    ("again", "fixed"),
    [
        ('cat "/c/Users/ana/jobs/run7/build.log" 2>&1', True),  # Git Bash's own form
        ("cat C:/Users/ana/jobs/run7/build.log", True),  # the drive kept, slashes forward
        ("tail -n 5 c:/users/ana/jobs/run7/build.log", True),  # Windows paths know no case
        ("cat /c/Users/ana/jobs/run6/build.log", False),  # another file: not the same path
        (f'cat "{_EATEN}"', False),  # quoted, the backslashes kept: not the way the lesson says
    ],
)
def test_the_path_written_with_forward_slashes_is_the_fix(
    tmp_path: Path, again: str, fixed: bool
) -> None:
    (lesson,) = _lessons(
        tmp_path,
        [
            call("t1", f"cat {_EATEN}"),
            result("t1", "cat: C:Usersanajobsrun7build.log: No such file or directory", True),
            call("t2", again),
            result("t2", "step 1 done"),
        ],
    )
    assert lesson.text.startswith("Git Bash here reads each `\\`")
    assert (lesson.fix == BACKSLASHES_EATEN_FIX) is fixed
    assert lesson.evidence.shows_fix is fixed


def test_a_folder_moved_into_with_forward_slashes_is_the_fix(tmp_path: Path) -> None:
    """`cd C:\\work\\app && ls` lost its backslashes; the same `cd` with forward slashes
    worked: the way seen, though the remedy the lesson keeps is the step after the `cd`."""
    (lesson,) = _lessons(
        tmp_path,
        [
            call("t1", "cd C:\\work\\app && ls"),
            result("t1", "Exit code 1\n/usr/bin/bash: line 1: cd: C:workapp: No such file", True),
            call("t2", "cd /c/work/app && ls"),
            result("t2", "package.json\nsrc"),
        ],
    )
    assert lesson.text.startswith("Git Bash here reads each `\\`")
    assert lesson.fix == BACKSLASHES_EATEN_FIX


def _pwsh_call(call_id: str, command: str) -> dict:  # type: ignore[type-arg]
    """Codex on Windows: a PowerShell command, as `shell_command` gives it."""
    arguments = json.dumps({"command": command, "workdir": "C:\\w"})
    payload = {
        "type": "function_call",
        "name": "shell_command",
        "call_id": call_id,
        "arguments": arguments,
    }
    return {"type": "response_item", "payload": payload}


def _pwsh_output(call_id: str, output: str, code: int) -> dict:  # type: ignore[type-arg]
    text = f"Exit code: {code}\nWall time: 1.2 seconds\nOutput:\n{output}"
    payload = {"type": "function_call_output", "call_id": call_id, "output": text}
    return {"type": "response_item", "payload": payload}


def _policy_refusal(program: str, said: str) -> str:
    """PowerShell's refusal of the `.ps1` shim a program installed, wrapped at the console's
    width as PowerShell wraps it, with the error record's footer."""
    return (
        f"{program} : {said}\r\nAt line:1 char:1\r\n+ {program} run lint\r\n+ ~~~\r\n"
        "    + CategoryInfo          : SecurityError: (:) [], PSSecurityException\r\n"
        "    + FullyQualifiedErrorId : UnauthorizedAccess\r\n"
    )


_SHIM_DIR = "C:\\Users\\kim\\AppData\\Roaming\\npm"
_REFUSED_SAID = {
    "en": "File {dir}\\{p}.ps1 cannot be loaded because running scripts is disabled \r\non this "
    "system. For more information, see about_Execution_Policies at https:/go.microsoft.com.",
    "de": 'Die Datei "{dir}\\{p}.ps1" kann nicht geladen werden,\r\nda die Ausführung von '
    "Skripts auf diesem System deaktiviert ist.",
    "fr": "Impossible de charger le fichier {dir}\\{p}.ps1, car l’exécution de scripts est\r\n"
    "désactivée sur ce système.",
    "zh": "无法加载文件 {dir}\\{p}.ps1，因为在此系统上禁止运行脚本。",
    "ja": "このシステムではスクリプトの実行が無効になっているため、ファイル {dir}\\{p}.ps1 を読み"
    "\r\n込むことができません。",
}


@pytest.mark.parametrize("language", sorted(_REFUSED_SAID))
@pytest.mark.parametrize("program", ["npm", "pnpm"])
def test_an_execution_policy_refusing_a_ps1_shim_is_one_lesson_of_the_machine(
    tmp_path: Path, language: str, program: str
) -> None:
    """PowerShell's execution policy refusing the `.ps1` shim npm installs for a program, in
    whatever language: one wording whatever the program and the command, with `<name>.cmd`
    the fix once it was seen working in the session; a fact of the machine."""
    said = _REFUSED_SAID[language].format(dir=_SHIM_DIR, p=program)
    (lesson,) = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _pwsh_call("c1", f"{program} run lint"),
            _pwsh_output("c1", _policy_refusal(program, said), 1),
            _pwsh_call("c2", "Get-ChildItem -Name"),
            _pwsh_output("c2", "package.json", 0),
            _pwsh_call("c3", f"{program}.cmd run lint"),
            _pwsh_output("c3", "> app@1.0.0 lint\r\n> eslint .\r\n", 0),
        ],
    )
    assert lesson.text == SHIM_REFUSED_TEXT and lesson.fix == SHIM_REFUSED_FIX
    assert "Set-ExecutionPolicy" not in lesson.text
    view = LessonView("id", "failure", lesson.text, "active", 2, None, None, (), (), lesson.fix)
    assert locality(view, Path("C:/w")) is Locality.MACHINE


@pytest.mark.parametrize(
    ("later", "code"),
    [
        ("npm.cmd run lint", 1),  # it failed too: no way seen
        ("npx.cmd eslint .", 0),  # another program's `.cmd`
        ("Set-ExecutionPolicy -Scope Process Bypass; npm run lint", 0),  # the policy changed
    ],
)
def test_an_execution_policy_refusal_takes_only_the_programs_cmd_as_its_fix(
    tmp_path: Path, later: str, code: int
) -> None:
    said = _REFUSED_SAID["en"].format(dir=_SHIM_DIR, p="npm")
    found = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _pwsh_call("c1", "npm run lint"),
            _pwsh_output("c1", _policy_refusal("npm", said), 1),
            _pwsh_call("c2", later),
            _pwsh_output("c2", "done" if code == 0 else "npm error Missing script", code),
        ],
    )
    refused = [c for c in found if c.text.startswith(SHIM_REFUSED_TEXT[:40])]
    assert len(refused) == 1 and refused[0].fix is None
    if "Set-ExecutionPolicy" in later:  # the user's own setting: never taught, asked first
        assert refused[0].text.endswith("ask first.") and refused[0].text != SHIM_REFUSED_TEXT
    else:
        assert refused[0].text == SHIM_REFUSED_TEXT


def test_a_refused_ps1_script_run_by_its_path_is_no_shim_lesson(tmp_path: Path) -> None:
    """A project's own script (`.\\build.ps1`), or an environment's `Activate.ps1`, is no
    program's shim: its `.cmd` is no way."""
    said = _REFUSED_SAID["en"].format(dir="C:\\w\\.venv\\Scripts", p="Activate")
    found = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _pwsh_call("c1", ".venv\\Scripts\\Activate.ps1; pytest"),
            _pwsh_output("c1", _policy_refusal(".venv\\Scripts\\Activate.ps1", said), 1),
        ],
    )
    assert all(c.text != SHIM_REFUSED_TEXT for c in found)


@pytest.mark.parametrize(
    "pattern",
    [shells._SCRIPTS_DISABLED, shells._PS1_NAMED],
    ids=["scripts-disabled", "ps1-named"],
)
def test_a_ps1_scripts_name_starts_only_where_a_word_starts(pattern: re.Pattern[str]) -> None:
    """A script's name begins after a space, a slash, a quote or a colon, never inside a word:
    a long run of text without one is then read once, not once from each of its characters."""
    said = "File C:\\tools\\lint.ps1 cannot be loaded because running scripts is disabled"
    inside = said.index("lint") + 1  # a search begun in the middle of the name
    assert pattern.search(said, inside) is None
    found = pattern.search(said)
    assert found is not None and next(name for name in found.groups() if name) == "lint"
    dense = "trace:" + "q.ps1" * 800  # no space, many `.ps1`: one name, from its start
    assert [m[0] for m in shells._PS1_NAMED.finditer(dense)] == [dense[6:]]
    assert shells._SCRIPTS_DISABLED.search(dense) is None


@pytest.mark.parametrize(
    "lookup",
    ["Get-Command npm.cmd", "where.exe npm.cmd", "Test-Path C:\\nodejs\\npm.cmd"],
)
def test_a_lookup_of_the_programs_cmd_is_not_its_fix(tmp_path: Path, lookup: str) -> None:
    """Finding `npm.cmd` is not running it: only a step whose command word is the `.cmd` shows
    the way."""
    lesson = _npm_refused_then(tmp_path, lookup, "C:\\Program Files\\nodejs\\npm.cmd")
    assert lesson.text == SHIM_REFUSED_TEXT and lesson.fix is None


@pytest.mark.parametrize(
    "way",
    [
        "Set-Location C:\\w; npm.cmd run lint",
        '& "C:\\Program Files\\nodejs\\npm.cmd" run lint',
        "if ($true) { npm.exe run lint }",
    ],
)
def test_the_programs_cmd_run_as_a_steps_command_is_the_fix(tmp_path: Path, way: str) -> None:
    lesson = _npm_refused_then(tmp_path, way, "> app@1.0.0 lint\r\n")
    assert lesson.text == SHIM_REFUSED_TEXT and lesson.fix == SHIM_REFUSED_FIX


def _npm_refused_then(tmp_path: Path, command: str, output: str) -> LessonCandidate:
    """The one lesson of a Codex run whose `npm run lint` PowerShell refused (scripts are
    disabled), then `command` run and printing `output`."""
    said = _REFUSED_SAID["en"].format(dir=_SHIM_DIR, p="npm")
    (lesson,) = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _pwsh_call("c1", "npm run lint"),
            _pwsh_output("c1", _policy_refusal("npm", said), 1),
            _pwsh_call("c2", command),
            _pwsh_output("c2", output, 0),
        ],
    )
    return lesson


def test_another_programs_refused_shim_is_the_same_lesson_and_not_said_to_be_npms(
    tmp_path: Path,
) -> None:
    """`tsc.ps1` refused: the one lesson of the machine, which names no program's shim as the
    one that failed (it does not say `npm.ps1` failed when `tsc.ps1` did)."""
    said = _REFUSED_SAID["en"].format(dir=_SHIM_DIR, p="tsc")
    (lesson,) = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _pwsh_call("c1", "tsc --noEmit"),
            _pwsh_output("c1", _policy_refusal("tsc", said), 1),
            _pwsh_call("c2", "tsc.cmd --noEmit"),
            _pwsh_output("c2", "", 0),
        ],
    )
    assert lesson.text == SHIM_REFUSED_TEXT and lesson.fix == SHIM_REFUSED_FIX
    assert re.search(r"the `[^`]+\.ps1` shim", lesson.text) is None
    assert "`.ps1` shim" in lesson.text


_UNSIGNED_SAID = {
    "en": "File {dir}\\{p}.ps1 cannot be loaded. The file {dir}\\{p}.ps1 is not digitally "
    "signed. You cannot run this script on the current system.",
    "de": 'Die Datei "{dir}\\{p}.ps1" kann nicht geladen werden. Die Datei {dir}\\{p}.ps1 ist '
    "nicht digital signiert.",
    "fr": "Impossible de charger le fichier {dir}\\{p}.ps1. Le fichier {dir}\\{p}.ps1 n’est pas "
    "signé numériquement.",
}


@pytest.mark.parametrize("language", sorted(_UNSIGNED_SAID))
def test_an_unsigned_script_refused_is_not_scripts_disabled(tmp_path: Path, language: str) -> None:
    """A policy that asks for a signature (`AllSigned`, or `RemoteSigned` and a downloaded
    script) refused one script left unsigned, with the same footer: not scripts disabled, in any
    language the refusal is read in."""
    said = _UNSIGNED_SAID[language].format(dir=_SHIM_DIR, p="tsc")
    found = _codex(
        tmp_path,
        [
            {"type": "session_meta", "payload": {"id": "s", "cwd": "C:\\w"}},
            _pwsh_call("c1", "tsc --noEmit"),
            _pwsh_output("c1", _policy_refusal("tsc", said), 1),
        ],
    )
    assert not any(c.text.startswith("PowerShell here refuses") for c in found)


def _codex_in(tmp_path: Path, shell: str, script: str, output: str) -> list[LessonCandidate]:
    """A Codex run whose context names `shell`, a PowerShell script given in double quotes
    twice, each time answered with `output`."""
    context = (
        f"<environment_context>\n  <cwd>/w</cwd>\n  <shell>{shell}</shell>\n</environment_context>"
    )
    message = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": context}],
    }
    records: list[dict] = [  # type: ignore[type-arg]
        {"type": "session_meta", "payload": {"id": "abc", "cwd": "/w"}},
        {"type": "response_item", "payload": message},
    ]
    for call_id in ("c1", "c2"):
        records += [_codex_call(call_id, script), _codex_output(call_id, output, 1)]
    return _codex(tmp_path, records)


_PROC_SCRIPT = 'powershell -Command "$p = Start-Process app -PassThru; Write-Output $p.Id"'
_PROC_LOST = "= : The term '=' is not recognized as the name of a cmdlet, function"


def test_variables_lost_where_the_harness_shell_is_powershell_are_not_told_as_bashs(
    tmp_path: Path,
) -> None:
    """Codex on Windows runs commands in PowerShell: the outer PowerShell expanded `$p`, not
    bash, and nothing in the run shows a fix."""
    found = _codex_in(tmp_path, "powershell", _PROC_SCRIPT, _PROC_LOST)
    assert all(c.text != QUOTING_LESSON for c in found)
    assert all("bash's expansion" not in c.text for c in found)


def test_variables_lost_where_the_harness_shell_is_bash_are_still_bashs(tmp_path: Path) -> None:
    """The control: a Codex run whose context names bash lost them to bash."""
    found = _codex_in(tmp_path, "bash", _PROC_SCRIPT, _PROC_LOST)
    assert [c.text for c in found] == [QUOTING_LESSON] * 2
