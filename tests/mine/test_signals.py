"""The signals search only text that holds their words, and answer as the full searches do:
harness noise (`(?i)`, so read in every case, with the letters `(?i)` folds beyond ASCII) and
failing tests or tracebacks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metis_distill.mine import not_failures, signals
from metis_distill.models import Event, EventKind, SourceRef

_NOISE_PIECES = [
    "Sibling tool call errored",
    "Cancelled: parallel tool call",
    "api_error",
    "Request failed with status code 500",
    "tool_use` ids were found without",
    "File has not been read yet",
    "Request was aborted",
    "Error: Request to https://x failed",
    "Your proposed edit has introduced new syntax error",
    "InputValidationError: Edit failed",
    "File has been modified since read, either by the user or by a linter",
    "Tool permission request failed: Error: Tool permission stream closed before response",
    "Streaming fallback triggered",
]
_FAILING_PIECES = [
    "3 failed",
    "FAILED tests/x.py",
    "Tests:  2 failed",
    "ERR_PNPM_X",
    "npm ERR! code",
    "npm error code ENOENT",
    "error TS2345",
    "E   ValueError",
    "E\tKeyError: 'k'",
    "Test Files  1 failed",
    "2 examples, 1 failure",
    "4 runs, 4 assertions, 1 failures",
    "Tests: 2, Assertions: 2, Failures: 1",
    "\n  1 failing",
    "\n 1 fail",
    "Traceback (most recent call last)",
    "1 passed",
]


def _cased(text: str, flips: list[int]) -> str:
    """The text with some letters upper-cased and some s/i/k put as U+017F, U+0131, U+0130,
    U+212A (what `(?i)` matches them with)."""
    exotic = {"s": "\u017f", "i": "\u0131", "I": "\u0130", "k": "\u212a"}
    out = list(text)
    for flip in flips:
        n = flip % max(len(out), 1)
        if out and flip % 3 == 0:
            out[n] = exotic.get(out[n], out[n])
        elif out:
            out[n] = out[n].swapcase()
    return "".join(out)


_TEXT = st.lists(
    st.sampled_from([*_NOISE_PIECES, *_FAILING_PIECES, "\n", " ", "x", "Error", "E", ":"]),
    max_size=5,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.lists(st.integers(min_value=0, max_value=500), max_size=6))
def test_noise_answers_as_its_search(text: str, flips: list[int]) -> None:
    head = _cased(text, flips)
    assert signals._noisy(head) == bool(signals._NOISE.search(head)), head


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.lists(st.integers(min_value=0, max_value=500), max_size=3))
def test_failing_tests_answer_as_their_search(text: str, flips: list[int]) -> None:
    head = _cased(text, flips)
    searched = bool(signals._TRACEBACK.search(head) or signals._FAILING_TESTS.search(head))
    assert signals.shows_failure(head) == searched, head


def test_every_noise_and_failure_is_still_found() -> None:
    for piece in _NOISE_PIECES:
        assert signals._noisy(piece.upper()) and signals._noisy(piece.replace("s", "\u017f"))
    for piece in _FAILING_PIECES[:-1]:
        assert signals.shows_failure(f"ok\n{piece}\n")


@pytest.mark.parametrize(
    ("error", "program"),
    [
        ("bash: jest: command not found", "jest"),
        ("/bin/sh: 1: tsc: not found", "tsc"),
        # zsh names the program after the words, and prefixes them with its own name or line
        ("zsh: command not found: kubectl", "kubectl"),
        ("(eval):1: command not found: brew", "brew"),
        ("'npx' is not recognized as an internal or external command,", "npx"),
        # cmd.exe quotes the name with either mark, and speaks the display language
        ('"vite" is not recognized as an internal or external command,', "vite"),
        ('"vite" no se reconoce como un comando interno o externo,', "vite"),
        ("'tsc' n'est pas reconnu en tant que commande interne", "tsc"),
        ('Der Befehl "npx" ist entweder falsch geschrieben oder', "npx"),
        ("'node' 不是內部或外部命令、可執行的程式或批次檔。", "node"),
        ("'node' \u4e0d\u662f\u5185\u90e8\u6216\u5916\u90e8\u547d\u4ee4\uff0c", "node"),
        ("'git'\uc740(\ub294) \ub0b4\ubd80 \ub610\ub294 \uc678\ubd80 \uba85\ub839,", "git"),
        # bash in the display language of the machine
        ("bash: pip: comando não encontrado", "pip"),
        ("bash: rg: Befehl nicht gefunden", "rg"),
        ("bash: jq: commande introuvable", "jq"),
        ("bash: sl : commande introuvable", "sl"),  # French's space before the colon
        ("bash: node: orden no encontrada", "node"),
        ("bash: uv: 未找到命令", "uv"),
        ("bash: tsc: コマンドが見つかりません", "tsc"),
        # Ubuntu's command-not-found handler, speaking in bash's place
        (
            "Command 'docker-compose' not found, but can be installed with:\n"
            "sudo snap install docker",
            "docker-compose",
        ),
        ("Command 'pyton' not found, did you mean:\n  command 'python3' from deb python3", "pyton"),
        ("\nCommand 'gti' not found, but there are 3 similar ones.", "gti"),
    ],
)
def test_the_missing_program_is_the_one_the_shell_names(error: str, program: str) -> None:
    assert signals.missing_program(error) == program


@pytest.mark.parametrize("said", ["Fehler: Befehl nicht gefunden", "错误: 未找到命令"])
def test_the_word_for_error_before_a_translated_not_found_is_no_program(said: str) -> None:
    assert signals.missing_program(said) is None


@pytest.mark.parametrize(
    ("said", "program"),
    [
        # a builtin that looks a name up among the shell's own: no alias, no variable
        ("/nix/bin/bash: line 1: alias: deploy: not found", None),
        ("bash: unalias: ll: not found", None),
        ("bash: declare: API_URL: not found", None),
        # `type` and `hash` look the name up on the PATH: a program missing
        ("bash: type: yarn: not found", "yarn"),
        ("bash: hash: yarn: not found", "yarn"),
        ("bash: line 1: deploy: command not found", "deploy"),
    ],
)
def test_a_shell_builtins_own_name_not_found_is_no_missing_program(
    said: str, program: str | None
) -> None:
    assert signals.missing_program(said) == program


@pytest.mark.parametrize(
    ("said", "module"),
    [
        ("/usr/bin/python3: No module named pytest", "pytest"),
        # Windows: a drive, backslashes and a space in the interpreter's path
        ("C:\\Program Files\\Python313\\python.exe: No module named streamlit", "streamlit"),
        ("Exit code 1\nD:\\tools\\Python 3.12\\python3.exe: No module named uvicorn", "uvicorn"),
    ],
)
def test_an_interpreter_without_the_module_it_was_asked_to_run(said: str, module: str) -> None:
    found = signals.missing_module(said)
    assert found is not None and found[0] == module


@pytest.mark.parametrize(
    "said", ['error Command "build" not found.', 'ERR_PNPM_NO_SCRIPT  Command "lint" not found']
)
def test_a_runners_script_not_found_is_no_missing_program(said: str) -> None:
    assert signals.missing_program(said) is None


def test_a_flag_bash_ran_as_a_command_is_no_missing_program() -> None:
    """`gh api "…?state=open&per_page=100" --jq …` unquoted: the `&` ended the command, and
    bash ran `per_page=100 --jq 'length'` on its own."""
    assert signals.missing_program("bash: line 1: --jq: command not found") is None


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "Exit code 1\nWARNING: [tab] Unable to recognize playlist.\n[dl] fetching\n"
            "ERROR: [dl] abc: Requested format is not available",
            "ERROR: [dl] abc: Requested format is not available",
        ),
        (
            "npm warn deprecated glob@7\nnpm error missing script: lint",
            "npm error missing script: lint",
        ),
        # npm's banner first, then what cmd.exe said in Spanish
        (
            'Exit code 1\n\n> app@2.4.0 dev\n> vite\n\n"vite" no se reconoce como un comando '
            "interno o externo,\r\nprograma o archivo por lotes ejecutable.",
            '"vite" no se reconoce como un comando interno o externo,',
        ),
        # zsh could not renice a job started with `&` in a sandbox; the job ran, and failed
        (
            "Exit code 1\nzsh:2: nice(5) failed: operation not permitted\nRunning 12 tests\n"
            "    Error: expect(locator).toBeVisible() failed\n  1 failed",
            "Error: expect(locator).toBeVisible() failed",
        ),
        # a warning is the signature when nothing else failed
        (
            "warning: unable to unlink 'a.md': Permission denied",
            "warning: unable to unlink 'a.md': Permission denied",
        ),
        # a warning is a last resort: the line saying what could not be done comes first
        (
            "WARNING: frob has no stable interface, denied to scripts.\nReading index...\n"
            "Could not lock /var/lib/frob/lock",
            "Could not lock /var/lib/frob/lock",
        ),
        # a line telling what the program did instead, going on, says nothing failed
        (
            "warning: failed to load plugin 'x'\nNo Cargo.lock found, generating one",
            "warning: failed to load plugin 'x'",
        ),
    ],
)
def test_a_warning_the_program_went_on_after_is_not_its_error(output: str, signature: str) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("failed", "passed", "signature"),
    [
        (  # the warning both printed is no cause: the line only the failure printed is
            "WARNING: frob has no stable interface, denied to scripts.\nReading index...\n"
            "Proceed? [Y/n] Abort.",
            "Reading index...\nProceed? [Y/n] y\nSetting up frob-tools\n"
            "WARNING: frob has no stable interface, denied to scripts.",
            "Proceed? [Y/n] Abort.",
        ),
        (  # nothing the success did not print as well: no line to quote
            "WARNING: frob has no stable interface, denied to scripts.",
            "WARNING: frob has no stable interface, denied to scripts.\nSetting up frob-tools",
            "",
        ),
        (  # a success that did not print the error line leaves it as it is
            "error: frob-tools is locked by another process",
            "Setting up frob-tools",
            "error: frob-tools is locked by another process",
        ),
    ],
)
def test_an_error_line_the_success_printed_too_is_not_what_failed(
    failed: str, passed: str, signature: str
) -> None:
    assert signals.signature_unlike(failed, passed) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        # a word a script printed alone says less than pnpm's error after it
        (
            'undefined\n ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL  Command "build:packages" not found',
            'ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL  Command "build:packages" not found',
        ),
        # a banner's frame is no error; stow's conflict is
        (
            "Exit code 1\n\u2554\u2550\u2550\u2557\n\u2551 Setup \u2551\n"
            "stow: conflict: existing target is neither a link nor a directory: .zshrc",
            "stow: conflict: existing target is neither a link nor a directory: .zshrc",
        ),
        # with no error line at all, the first line in words, not the frame
        ("\u2554\u2550\u2550\u2557\n\u2551 Setup \u2551\ndone", "\u2551 Setup \u2551"),
        ("undefined", "undefined"),
        # a warning in words is still no match for the error after it
        ("warning: unused variable `x`, missing docs\nFAILED", "FAILED"),
        # docker's complaint, not a row of the usage it prints after it
        (
            "Exit code 125\nunknown shorthand flag: 'f' in -f\nSee 'docker --help'.\n\n"
            "Usage:  docker [OPTIONS] COMMAND\n\nCommands:\n  attach      Attach local "
            "standard input, output, and error streams to a running container",
            "unknown shorthand flag: 'f' in -f",
        ),
        # RuboCop's offense, from its cop on, not its `Inspecting 1 file` banner
        (
            "Exit code 1\nInspecting 1 file\nC\n\nOffenses:\n\n"
            "app/models/user.rb:32:14: C: Custom/FlagTracked: Flag :beta is not tracked!\n"
            "    enabled?(:beta)\n             ^^^^^\n\n1 file inspected, 1 offense detected",
            "Custom/FlagTracked: Flag :beta is not tracked!",
        ),
        (
            "Inspecting 2 files\n.W\n\nOffenses:\n\nlib/a.rb:3:1: W: [Correctable] "
            "Lint/UselessAssignment: Useless assignment to variable - x.\n",
            "Lint/UselessAssignment: Useless assignment to variable - x.",
        ),
        # no error line: the line that says it could not, capitalised, over the settings above
        (
            "XDG_SESSION_TYPE=wayland\nHYPRLAND_INSTANCE_SIGNATURE=abc\n"
            "Couldn't set socket timeout (2)",
            "Couldn't set socket timeout (2)",
        ),
        (
            "Starting build\nCould not resolve host: example.com",
            "Could not resolve host: example.com",
        ),
    ],
)
def test_an_error_is_said_in_words(output: str, signature: str) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        # npm's report of a package added is no error, whatever the exit: nothing to quote
        ("Exit code 192\n\nadded 1 package in 13s\n", ""),
        # systemd's report of the unit enabled is not what `systemctl status` exited 3 on
        (
            "Exit code 3\nCreated symlink /etc/systemd/user/a.service → /u/a.service.\n"
            "● a.service - A\n     Loaded: loaded",
            "● a.service - A",
        ),
    ],
)
def test_a_report_of_something_done_is_no_error_line(output: str, signature: str) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "FAILED BUILD CRITICAL in TypeScript check\n"
            "src/components/Roll.tsx(25,13): error TS2345: Argument of type 'A' is not "
            "assignable to parameter of type 'B'.\n  Types of property 'id' are incompatible.",
            "src/components/Roll.tsx(25,13): error TS2345: Argument of type 'A' is not "
            "assignable to parameter of type 'B'.",
        ),
        (
            "error: build failed\nsrc/x.ts:3:4 - error TS1005: ';' expected.",
            "src/x.ts:3:4 - error TS1005: ';' expected.",
        ),
        ("Build failed\nmain.c:3:5: error: expected ';'\n", "main.c:3:5: error: expected ';'"),
        # mypy's, MSVC's without a column, ESLint's under the file's name
        (
            "Found 1 error\na.py:3: error: Name 'x' is not defined",
            "a.py:3: error: Name 'x' is not defined",
        ),
        (
            "Build FAILED.\nC:\\proj\\a.cpp(10): error C2065: 'x': undeclared",
            "C:\\proj\\a.cpp(10): error C2065: 'x': undeclared",
        ),
        (
            "Failed to compile.\n\n./src/app/page.tsx\n12:7  Error: 'x' is assigned a value but never used.",
            "12:7  Error: 'x' is assigned a value but never used.",
        ),
        # a log's own line, at a file's line, is not the compiler's error
        (
            "Error: migration failed: column x already exists\nworker.py:88 ERROR job failed, retrying",
            "Error: migration failed: column x already exists",
        ),
        # a log line's clock is no file's line: the error above it says more
        (
            "Error: Cannot find module 'express'\nRequire stack:\n"
            "10:42:07 error [nodemon] app crashed - waiting for file changes",
            "Error: Cannot find module 'express'",
        ),
    ],
)
def test_a_compilers_located_error_says_more_than_the_banner_above_it(
    output: str, signature: str
) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "Exit code 1\ntry:\n    n = int(v)\nexcept ValueError:\n    n = 0\n"
            "cat: main.py: No such file or directory",
            "cat: main.py: No such file or directory",
        ),
        (
            "  if (!ok) throw new Error(msg)\n    throw new TypeError('x')\n"
            "    console.error(err)\nhead: cannot open 'b.js' for reading",
            "head: cannot open 'b.js' for reading",
        ),
        (  # a passed test file whose name holds "error", above the one that failed
            " RUN  v3.2.4 /w\n \u2713 src/error.test.ts (2 tests) 3ms\n"
            " \u00d7 src/api.test.ts > fetches (1 test | 1 failed)\n",
            "\u00d7 src/api.test.ts > fetches (1 test | 1 failed)",
        ),
        (  # a log line at level INFO from a logger named `uvicorn.error`
            "api-1 | 12:39:33 | INFO | uvicorn.error | Started server process [1]\n"
            "api-1 | 12:39:34 | ERROR | app.db | connection refused",
            "api-1 | 12:39:34 | ERROR | app.db | connection refused",
        ),
        (  # the same, its header cut as a banner: the output opens with the echo
            "> vitest run --bail src/error.test.ts\n\nCACError: Unknown option `--bail`",
            "CACError: Unknown option `--bail`",
        ),
        (  # npm's echo of the script it runs, a file name of which holds "error"
            "Exit code 1\n\n> web@0.1.0 test\n> vitest run --bail src/error.test.ts\n\n"
            "file:///w/node_modules/vitest/dist/cac.js:404\n"
            "          throw new CACError(`Unknown option`);\n                ^\n\n"
            "CACError: Unknown option `--bail`\n    at Command.check (file:///w/cac.js:404:17)",
            "CACError: Unknown option `--bail`",
        ),
    ],
)
def test_source_code_a_command_printed_is_not_its_error(output: str, signature: str) -> None:
    """`cat a.py && cat b.py` with b missing: `except ValueError:` is a line of a.py."""
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (  # bun's echo of the script's command, whose option names errors; a code frame
            "Exit code 1\n$ biome check --error-on-warnings\n"
            "src/cart.ts:12:3 lint/suspicious/noEmptyBlockStatements ━━━━━━\n\n"
            "  × Unexpected empty block.\n\n    11 │ try {\n  > 12 │ } catch (error) {}\n"
            "       │   ^^^^^^\n\nChecked 40 files in 20ms. No fixes applied.\nFound 3 errors.\n"
            "check ━━━━━━\n\n  × Some errors were emitted while running checks.\n\n"
            'error: script "lint" exited with code 1',
            "Found 3 errors.",
        ),
        (  # yarn's echo; a diff's frame, a line number on each side
            "yarn run v1.22.22\n$ check-errors --strict\n"
            "    344 330 │   const error = parse(body);\nsrc/a.ts: 2 errors found\n"
            "error Command failed with exit code 1.",
            "src/a.ts: 2 errors found",
        ),
    ],
)
def test_a_runners_echo_of_the_command_and_a_code_frame_are_no_error(
    output: str, signature: str
) -> None:
    """What a package runner echoes of the script it runs (`$ biome check
    --error-on-warnings`) and the code a linter frames under a finding are the call and the
    file, not what went wrong."""
    assert signals.error_signature(output) == signature


def test_a_call_the_user_interrupted_is_no_failure() -> None:
    interrupted = Event(
        seq=1,
        role="tool",
        kind=EventKind.ERROR,
        text="Exit code 137\n[Request interrupted by user for tool use]",
        ref=SourceRef("a.jsonl", 3, 3),
        tool_name="Bash",
        exit_code=137,
    )
    assert signals.is_rejection(interrupted) and not signals.is_failure(interrupted)


@pytest.mark.parametrize(
    "output",
    [
        # cargo's summary names its zero failures
        "test parse::tests::blank ... ok\n\ntest result: ok. 9 passed; 0 failed; 0 ignored; "
        "0 measured; 0 filtered out; finished in 0.02s",
        "====== 4 passed, 0 failed in 0.31s ======",
        "Tests:       0 failed, 7 passed, 7 total",
        " Test Files  0 failed | 3 passed (3)",
    ],
)
def test_a_tally_of_no_failures_is_a_pass(output: str) -> None:
    ran = Event(
        seq=2,
        role="tool",
        kind=EventKind.TOOL_RESULT,
        text=output,
        ref=SourceRef("a.jsonl", 2, 2),
        tool_name="Bash",
    )
    assert not signals.is_failure(ran)
    assert signals.is_success(ran) and signals.shows_passing_tests(ran)


@pytest.mark.parametrize(
    "output",
    [
        "test result: FAILED. 8 passed; 1 failed; 0 ignored",
        "====== 10 failed, 2 passed in 1.2s ======",
        "Tests:       1 failed, 6 passed, 7 total",
        " Test Files  2 failed | 1 passed (3)",
        # RSpec, minitest, PHPUnit, mocha: their reports through a pipe (`| tail`) exit 0
        "Finished in 0.3 seconds (files took 1.1 seconds to load)\n5 examples, 2 failures",
        "0 examples, 0 failures, 1 error occurred outside of examples",
        "3 runs, 3 assertions, 1 failures, 0 errors, 0 skips",
        "3 runs, 2 assertions, 0 failures, 1 errors, 0 skips",
        "FAILURES!\nTests: 3, Assertions: 3, Failures: 1.",
        "ERRORS!\nTests: 3, Assertions: 2, Errors: 1.",
        "  2 passing (9ms)\n  1 failing",
        " 11 pass\n 1 fail\n 30 expect() calls",  # bun's
    ],
)
def test_a_tally_of_some_failures_is_a_failure(output: str) -> None:
    assert signals.shows_failure(output)


@pytest.mark.parametrize(
    "output",
    [
        "5 examples, 0 failures",
        "3 runs, 3 assertions, 0 failures, 0 errors, 0 skips",
        "OK (3 tests, 3 assertions)",
        "  3 passing (9ms)",
        " 12 pass\n 0 fail\n 30 expect() calls",
    ],
)
def test_a_test_runners_tally_of_none_failing_is_no_failure(output: str) -> None:
    assert not signals.shows_failure(output)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "FAILURE: Build failed with an exception.\n\n* What went wrong:\n"
            "Execution failed for task ':core:compileJava'.\n"
            "> Compilation failed; see the compiler error output for details.\n\n"
            "* Try:\n> Run with --stacktrace option to get the stack trace.\n\n"
            "BUILD FAILED in 3s",
            "Compilation failed; see the compiler error output for details.",
        ),
        (
            "FAILURE: Build failed with an exception.\n\n* What went wrong:\n"
            "Could not determine the dependencies of task ':app:test'.\n\nBUILD FAILED in 1s",
            "Could not determine the dependencies of task ':app:test'.",
        ),
    ],
)
def test_gradles_cause_is_its_error(output: str, signature: str) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "Exit code 255\nssh_askpass: exec(/usr/bin/ssh-askpass): No such file or directory\n"
            "Host key verification failed.",
            "Host key verification failed.",
        ),
        (
            "ssh_askpass: exec(/usr/lib/ssh/ssh-askpass): No such file or directory",
            "ssh_askpass: exec(/usr/lib/ssh/ssh-askpass): No such file or directory",
        ),
    ],
)
def test_sshs_missing_password_prompt_is_not_its_error(output: str, signature: str) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "Failed to compile.\n\n./src/types/trade.ts:16:3\nType error: Re-exporting a type "
            "when 'isolatedModules' is enabled requires using 'export type'.\n\n 14 | export {\n"
            "Next.js build worker exited with code: 1 and signal: null",
            "Type error: Re-exporting a type when 'isolatedModules' is enabled requires using "
            "'export type'.",
        ),
        (
            "Failed to compile.\n\n./src/app/page.tsx\n12:7  Error: 'total' is assigned a value "
            "but never used.  @typescript-eslint/no-unused-vars",
            "12:7  Error: 'total' is assigned a value but never used.  "
            "@typescript-eslint/no-unused-vars",
        ),
        # the banner ending the spinner's line, as a non-terminal prints it
        (
            "   Linting and checking validity of types  ...Failed to compile.\n\n"
            "./src/a.ts:3:1\nType error: Cannot find name 'x'.",
            "Type error: Cannot find name 'x'.",
        ),
    ],
)
def test_nextjss_failed_build_is_told_by_what_is_wrong_below_its_banner(
    output: str, signature: str
) -> None:
    """ "Failed to compile." heads every failed build, whatever failed: the line below the
    file's place says what (one lesson per error, not one for all of a day's errors)."""
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (  # Next's banner over a package not installed, its own banner under it
            "Failed to compile.\n\n./src/app/page.tsx\nModule not found: Can't resolve 'left-pad'"
            "\n\nhttps://nextjs.org/docs/messages/module-not-found\n\n\n"
            "> Build failed because of webpack errors\n",
            "Module not found: Can't resolve 'left-pad'",
        ),
        (  # SWC's message on the line below its `Error:`
            "Failed to compile.\n\n./src/lib/cart.ts\nError: \n  x Expression expected\n"
            "    ,-[/srv/shop/src/lib/cart.ts:12:1]\n 12 |   } catch (error) {\n",
            "x Expression expected",
        ),
        (  # webpack's place, then what is wrong there
            "ERROR in ./src/index.js 3:0-24\nModule not found: Error: Can't resolve 'lodash' "
            "in '/srv/shop/src'\n\nwebpack compiled with 1 error\n",
            "Module not found: Error: Can't resolve 'lodash' in '/srv/shop/src'",
        ),
        (
            "Compiled with problems:\n\nERROR in ./src/App.js\nModule build failed (from "
            "./node_modules/babel-loader/lib/index.js):\nSyntaxError: /srv/shop/src/App.js: "
            "Unexpected token (3:4)\n",
            "SyntaxError: /srv/shop/src/App.js: Unexpected token (3:4)",
        ),
        (  # Vite's, with esbuild's banner in between
            "vite v5.4.2 building for production...\nx Build failed in 312ms\n"
            "error during build:\n[vite:esbuild] Transform failed with 1 error:\n"
            '/srv/shop/src/main.ts:3:9: ERROR: Unexpected "}"\n',
            '/srv/shop/src/main.ts:3:9: ERROR: Unexpected "}"',
        ),
        (
            "> Build error occurred\nError: Cannot find module 'tailwindcss'\n",
            "Error: Cannot find module 'tailwindcss'",
        ),
    ],
)
def test_a_build_tools_banner_gives_way_to_the_error_below_it(output: str, signature: str) -> None:
    """The banner is the same over every failed build: the line below it that says what
    failed is the error, so two builds that failed otherwise are two errors."""
    assert signals.error_signature(output) == signature
    assert not signals.says_only_failed(signature)


@pytest.mark.parametrize(
    "output",
    [
        "Failed to compile.\n\n> Build failed because of webpack errors\n",
        "   Creating an optimized production build ...\nFailed to compile.\n"
        " ELIFECYCLE  Command failed with exit code 1.\n",
        "error during build:\n",
        "npm ERR! code ELIFECYCLE\nnpm ERR! errno 1\n",
    ],
)
def test_a_banner_alone_tells_no_error_apart(output: str) -> None:
    assert signals.says_only_failed(signals.error_signature(output))


# A test runner's banner over an error (authored outputs, bun's and jest's forms).
_BUN_BETWEEN_TESTS = (
    "Exit code 1\nbun test v1.3.0\n\nsrc/app.test.ts:\n\n# Unhandled error between tests\n"
    "-------------------------------\n"
    "error: Cannot find module '@shop/core' from '/srv/shop/src/app.test.ts'\n"
    "-------------------------------\n\n 0 pass\n 1 fail\n 1 error\n"
)
_BUN_ASSERTION = (
    "bun test v1.3.0\n\nsrc/cli.test.ts:\n12 |     expect(result.exitCode).toBe(0)\n"
    "                                ^\nerror: expect(received).toBe(expected)\n\n"
    "Expected: 0\nReceived: 1\n\n      at <anonymous> (/srv/shop/src/cli.test.ts:12:29)\n"
    "(fail) cli > prints the plan\n"
    "20 |     expect(result.stderr).toContain('Plan ready')\n                          ^\n"
    "error: expect(received).toContain(expected)\n\n"
    'Expected to contain: "Plan ready"\n'
    "Received: \"error: {cause} from '/srv/shop/src/cli.ts'\\n\"\n"
    "(fail) cli > says the plan is ready\n\n 0 pass\n 2 fail\n"
)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (_BUN_BETWEEN_TESTS, "Cannot find module '@shop/core'"),
        (  # bun's `--filter`, its package and script before each line
            "".join(f"@shop/web test: {line}\n" for line in _BUN_BETWEEN_TESTS.splitlines()[1:]),
            "Cannot find module '@shop/core'",
        ),
        (  # the cause in the output the test received, below the assertion's header
            _BUN_ASSERTION.format(cause="Cannot find module '@shop/codegen'"),
            "Cannot find module '@shop/codegen'",
        ),
        (
            _BUN_ASSERTION.format(cause="SyntaxError: export 'planKey' not found in '@shop/core'"),
            "SyntaxError: export 'planKey' not found in '@shop/core'",
        ),
        (  # jest
            "FAIL src/cart.test.js\n  ● Test suite failed to run\n\n"
            "    Cannot find module 'lodash' from 'src/cart.js'\n\n"
            "Test Suites: 1 failed, 1 total\n",
            "Cannot find module 'lodash'",
        ),
        (  # a file a module that did not load never wrote comes second to the module
            "# Unhandled error between tests\n"
            "ENOENT: no such file or directory, open '/tmp/plan.json'\n"
            "error: Cannot find module '@shop/core' from '/srv/shop/src/app.test.ts'\n",
            "Cannot find module '@shop/core'",
        ),
    ],
)
def test_a_test_runners_banner_gives_way_to_the_cause_the_output_names(
    output: str, signature: str
) -> None:
    """The banner (`# Unhandled error between tests`, `expect(received).toBe(expected)`) is the
    same whatever went wrong: a package not found, named in the same output, is the error, so
    the failures it caused are one lesson."""
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (  # the assertion is all that failed: the day's test, as it is
            _BUN_ASSERTION.format(cause="Plan failed").replace("Plan ready", "Plan done"),
            "error: expect(received).toBe(expected)",
        ),
        (  # a module the test expected to be named: its own words, no cause
            "error: expect(received).toContain(expected)\n\n"
            'Expected to contain: "Cannot find module \'@shop/core\'"\nReceived: ""\n',
            "error: expect(received).toContain(expected)",
        ),
        (  # a file of the day's work not found: no cause the banner hides
            "# Unhandled error between tests\n"
            "error: Cannot find module './price' from '/srv/shop/src/app.test.ts'\n",
            "# Unhandled error between tests",
        ),
    ],
)
def test_a_test_runners_banner_stays_the_error_when_no_cause_is_named(
    output: str, signature: str
) -> None:
    assert signals.error_signature(output) == signature


_NO_TERMINAL = (
    "sudo: a terminal is required to read the password; either use the -S option to read "
    "from standard input or configure an askpass helper"
)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "Exit code 1\nPlace your right index finger on the fingerprint reader\n"
            f"Verification timed out\n{_NO_TERMINAL}\nsudo: a password is required",
            _NO_TERMINAL,
        ),
        (f"Please touch the FIDO authenticator.\n{_NO_TERMINAL}", _NO_TERMINAL),
        # no sudo: the line is what went wrong
        ("Exit code 1\nVerification timed out", "Verification timed out"),
    ],
)
def test_a_finger_or_key_asked_for_before_sudos_verdict_is_not_its_error(
    output: str, signature: str
) -> None:
    """PAM's prompts while sudo waits for a fingerprint or a security key come before what sudo
    says went wrong: a terminal was needed."""
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize("exit_code", [0, None])
def test_a_banner_alone_is_a_success_when_the_call_exited_0(exit_code: int | None) -> None:
    """A tip and a note, all a listing printed when it found nothing: it worked."""
    banner = Event(
        seq=2,
        role="tool",
        kind=EventKind.TOOL_RESULT,
        text="\U0001f4a1 Tip: Run 'tk sync' to resolve sync conflict\n"
        "Note: No git repository initialized - running without background sync",
        ref=SourceRef("a.jsonl", 2, 2),
        tool_name="Bash",
        exit_code=exit_code,
    )
    assert signals.is_success(banner) and not signals.is_failure(banner)
    assert not signals.is_success(Event(**{**banner.__dict__, "exit_code": 1}))


TRACEBACK_TAIL = (
    '  File "/w/visualize.py", line 153, in main\n    app = App(args)\n'
    '  File "/w/visualize.py", line 79, in __init__\n    raise ModuleNotFoundError(\n'
    "ModuleNotFoundError: visualize.py requires the viser package"
)


@pytest.mark.parametrize(
    ("command", "output", "failed"),
    [
        # `python x.py 2>&1 | tail -5`: the header cut off, the exit tail's
        ("python visualize.py --port 6017 2>&1 | tail -5", TRACEBACK_TAIL, True),
        ("uv run pytest -q 2>&1 | tail -4",
         '  File "/w/a.py", line 3\n    x = (\n        ^\nSyntaxError: \'(\' was never closed',
         True),
        # a log printed: another run's crash, or a crash the service went on after
        ("docker logs api 2>&1 | tail -8", TRACEBACK_TAIL, False),
        ("python serve.py 2>&1 | tail -8", TRACEBACK_TAIL + '\nINFO: "GET /health" 200 OK', False),
        # a frame alone, or an exception's name in prose: no traceback
        ("python a.py | tail -3", '  File "/w/a.py", line 3, in main\nall good', False),
        ("python a.py | tail -1", "ValueError: is raised when the size is negative", False),
    ],
)  # fmt: skip
def test_a_tracebacks_end_behind_a_pipe_shows_a_failure(
    command: str, output: str, failed: bool
) -> None:
    ran, said = _shell_call(command, output, "exec_command", 0)
    assert signals.failures([ran, said]) == [False, failed]
    assert signals.is_success(said) is not (failed or "docker" in command)


@pytest.mark.parametrize(
    ("command", "output", "failed"),
    [
        ("timeout 10 pnpm dev 2>&1 | head -n 30", "(eval):1: command not found: timeout", True),
        ("gtimeout 5 make | tail -3", "bash: gtimeout: command not found", True),
        # not found by another program the call ran, or no pipe to hide the exit
        ("grep -rn 'command not found: x' logs | head", "logs/a:1:command not found: x", False),
        ("timeout 10 pnpm dev", "(eval):1: command not found: timeout", False),
    ],
)
def test_a_program_missing_behind_a_pipe_failed_whatever_the_exit(
    command: str, output: str, failed: bool
) -> None:
    ran, said = _shell_call(command, output, "Bash", 0 if "|" in command else None)
    assert signals.failures([ran, said]) == [False, failed]


_NO_TTY = (
    "sudo: a terminal is required to read the password; either use the -S option to read from "
    "standard input or configure an askpass helper\nsudo: a password is required"
)


@pytest.mark.parametrize(
    ("command", "output", "failed"),
    [
        ("sudo pacman -S --needed --noconfirm wpaperd 2>&1 | tail -15", _NO_TTY, True),
        ("cd /srv && sudo systemctl restart app 2>&1 | head", "sudo: no tty present", True),
        # sudo's words printed by another program, or a pipe that only read sudo's log
        ("grep 'a password is required' /var/log/auth.log | tail", _NO_TTY, False),
        ("journalctl -u sudo | tail -5", _NO_TTY, False),
        # after settings or a wrapper; a wrong password given by `-S` ran nothing either
        ("DEBIAN_FRONTEND=noninteractive sudo apt-get install -y jq 2>&1 | tail", _NO_TTY, True),
        ("timeout 60 /usr/bin/sudo systemctl restart app | tail -3", _NO_TTY, True),
        (
            "echo pw | sudo -S apt-get install -y jq 2>&1 | tail -5",
            "Sorry, try again.\nsudo: 1 incorrect password attempt",
            True,
        ),
        # `sudo -S` reads the password it was given: its prompt alone is no failure
        (
            'echo "$PW" | sudo -S systemctl restart nginx 2>&1 | tail -3',
            "[sudo] password for ana: ",
            False,
        ),
    ],
)
def test_sudo_that_could_not_ask_for_the_password_behind_a_pipe_failed(
    command: str, output: str, failed: bool
) -> None:
    ran, said = _shell_call(command, output, "Bash", 0)
    assert signals.failures([ran, said]) == [False, failed]


@pytest.mark.parametrize(
    ("output", "failed"),
    [
        # npm 10 and later begin each line of a failure with `npm error` (before: `npm ERR!`)
        ("npm error code EACCES\nnpm error syscall mkdir\nnpm error path /mnt/cache/_npx", True),
        ("npm error Missing script: lint", True),
        # its warnings, or the words inside a sentence, are no failure
        ("npm warn deprecated glob@7.2.3: no longer supported\nadded 12 packages", False),
        ("Tip: an npm error code explains itself on the npm docs", False),
    ],
)
def test_npms_newer_failure_lines_behind_a_pipe_are_a_failure(output: str, failed: bool) -> None:
    ran, said = _shell_call("npx tsc --noEmit 2>&1 | head -5", output, "Bash", 0)
    assert signals.failures([ran, said]) == [False, failed]


def _shell_call(command: str, output: str, tool: str, code: int | None) -> tuple[Event, Event]:
    """A shell call and the result it got, as a reader makes them."""
    ran = Event(
        seq=0,
        role="assistant",
        kind=EventKind.TOOL_CALL,
        text=command,
        ref=SourceRef("a.jsonl", 1, 1),
        tool_name=tool,
        tool_use_id="t1",
    )
    said = Event(
        seq=1,
        role="tool",
        kind=EventKind.TOOL_RESULT,
        text=output,
        ref=SourceRef("a.jsonl", 2, 2),
        tool_name=tool,
        tool_use_id="t1",
        exit_code=code,
    )
    return ran, said


@pytest.mark.parametrize(
    "line",
    [
        "CommandError: You must set settings.ALLOWED_HOSTS if DEBUG is False.",
        "ValueError: LOG_LEVEL must be one of DEBUG INFO WARNING",
        "error: cannot enable DEBUG mode in production build",
    ],
)
def test_an_error_that_names_a_log_level_is_an_error(line: str) -> None:
    assert signals.names_an_error(line)
    assert signals.error_signature(f"Performing system checks...\n{line}") == line


def test_an_error_of_the_login_shells_start_up_file_is_not_the_commands() -> None:
    """`bash -lc` reads the profile before every command: its typo is not why this one failed."""
    output = (
        "/home/ana/.bash_profile: line 1: souce: command not found\r\n"
        "Communication level is set to HIGH-level.\r\nError: Socket init failed.\r\n"
    )
    assert signals.error_signature(output) == "Error: Socket init failed."
    assert signals.missing_program(output) is None
    # said alone, it is all there is to quote
    alone = "/home/ana/.zshrc:12: command not found: compdef"
    assert signals.error_signature(alone) == alone


METER = (
    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
    "                                 Dload  Upload   Total   Spent    Left  Speed\n"
)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (  # the error follows the meter's last row on its line
            f"Exit code 6\n{METER}\r  0     0    0     0    0     0      0      0 --:--:-- "
            "--:--:-- --:--:--     0curl: (6) Could not resolve host: www.example.com\n",
            "curl: (6) Could not resolve host: www.example.com",
        ),
        (  # piped on: the next program's error
            f"{METER}100   612  100   612    0     0   3000      0 --:--:-- --:--:-- "
            "--:--:--  3000\nbash: jq: command not found\n",
            "bash: jq: command not found",
        ),
        (  # a program's own log line with a clock in it is no meter row
            f"{METER}100   612  100   612    0     0   3000      0 --:--:-- --:--:-- "
            "--:--:--  3000\n2025/11/01 10:42:07 open config.yaml: no such file or directory\n",
            "2025/11/01 10:42:07 open config.yaml: no such file or directory",
        ),
    ],
)
def test_curls_progress_meter_is_no_error_line(output: str, signature: str) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        # Ruby 3.4: the label quoted '…'; the gem's frame, in someone's home, is only where
        (
            "Exit code 1\n/home/ana/.rbenv/versions/3.4.1/lib/ruby/gems/3.4.0/gems/"
            "sequel-5.80.0/lib/sequel/model/base.rb:1990:in 'Sequel::Model#save!': Code is "
            "already taken (Sequel::ValidationFailed)\n\tfrom /home/ana/.rbenv/versions/3.4.1/"
            "lib/ruby/gems/3.4.0/gems/sequel-5.80.0/lib/sequel/model/base.rb:210:in "
            "'Sequel::Model.create!'\n\tfrom -e:2:in '<main>'",
            "Code is already taken (Sequel::ValidationFailed)",
        ),
        # before 3.4: `label'; an error word in the message, one frame alone
        (
            "booting\nbin/seed.rb:12:in `block in <main>': undefined method `name' for nil "
            "(NoMethodError)",
            "undefined method `name' for nil (NoMethodError)",
        ),
        # raised while handling another: the first raised line is the one that stopped it
        (
            "lib/sync.rb:8:in `rescue in run': sync failed (Sync::Error)\n\tfrom lib/sync.rb:5:in "
            "`run'\nlib/sync.rb:6:in `run': connection refused (Errno::ECONNREFUSED)",
            "sync failed (Sync::Error)",
        ),
    ],
)
def test_a_ruby_exceptions_signature_is_its_message_not_its_frame(
    output: str, signature: str
) -> None:
    """Ruby reports an exception no one rescued as `file:line:in 'label': message (Class)`,
    as Python's traceback ends on `Class: message`: what went wrong is the message."""
    assert signals.error_signature(output) == signature


# Test runners' reports, written for these tests: a context's or a test's name may hold any
# word ("with an invalid coupon", "shows an error"); it is never what went wrong.
RSPEC_REPORT = (
    "Exit code 1\n\nRandomized with seed 3141\n\nCoupon\n  with an invalid code\n"
    "    is refused (FAILED - 1)\n  with a missing expiry\n    never expires\n\nFailures:\n\n"
    "  1) Coupon with an invalid code is refused\n"
    "     Failure/Error: expect(coupon.redeem).to be(false)\n\n"
    "       expected false\n            got true\n"
    "     # ./spec/models/coupon_spec.rb:9:in 'block (3 levels) in <top (required)>'\n\n"
    "Finished in 0.3 seconds (files took 1.1 seconds to load)\n2 examples, 1 failure\n\n"
    "Failed examples:\n\n"
    "rspec ./spec/models/coupon_spec.rb:8 # Coupon with an invalid code is refused\n"
)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (RSPEC_REPORT, "Failure/Error: expect(coupon.redeem).to be(false)"),
        (  # a multi-line expression: RSpec's `Failure/Error:` names nothing on its own line
            "Failures:\n\n  1) Checkout shows an error page\n     Failure/Error: \n"
            "           def total(items:, invalid_ok: false)\n             items.sum(&:price)\n"
            "     # ./app/models/checkout.rb:4:in 'total'\n\n"
            "Finished in 2.1 seconds (files took 3.4 seconds to load)\n3 examples, 2 failures\n",
            "3 examples, 2 failures",
        ),
        (  # minitest
            "Run options: --seed 812\n\n# Running:\n\n.F\n\nFailure:\n"
            "CouponTest#test_an_invalid_code_is_refused [test/models/coupon_test.rb:12]:\n"
            "Expected true to be nil or false\n\n\n"
            "bin/rails test test/models/coupon_test.rb:10\n\n"
            "Finished in 0.12s, 16.6 runs/s, 16.6 assertions/s.\n"
            "2 runs, 2 assertions, 1 failures, 0 errors, 0 skips\n",
            "2 runs, 2 assertions, 1 failures, 0 errors, 0 skips",
        ),
        (  # cargo test
            "running 2 tests\ntest coupon::tests::refuses_an_invalid_code ... FAILED\n"
            "test coupon::tests::accepts ... ok\n\nfailures:\n\n"
            "---- coupon::tests::refuses_an_invalid_code stdout ----\n"
            "thread 'coupon::tests::refuses_an_invalid_code' panicked at src/coupon.rs:30:9:\n"
            'assertion failed: !redeem("x")\n\nfailures:\n    coupon::tests::refuses_an_invalid_code\n\n'
            "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; "
            "finished in 0.00s\n",
            "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; "
            "finished in 0.00s",
        ),
        (  # PHPUnit
            "PHPUnit 10.5.2 by Sebastian Bergmann and contributors.\n\n"
            ".F                                                                  2 / 2 (100%)\n\n"
            "There was 1 failure:\n\n1) Tests\\Unit\\CouponTest::test_an_invalid_code_is_refused\n"
            "Failed asserting that true is false.\n\n/app/tests/Unit/CouponTest.php:21\n\n"
            "FAILURES!\nTests: 2, Assertions: 2, Failures: 1.\n",
            "Tests: 2, Assertions: 2, Failures: 1.",
        ),
        (  # mocha
            "  coupon\n    ✓ accepts a valid code\n    1) refuses an invalid code\n\n\n"
            "  1 passing (6ms)\n  1 failing\n\n  1) coupon\n       refuses an invalid code:\n"
            "     expected true to equal false\n",
            "1 failing",
        ),
        (  # jest
            "FAIL src/coupon.test.js\n  coupon\n    ✓ accepts a valid code (2 ms)\n"
            "    ✕ shows an error for an invalid code (3 ms)\n\n"
            "  ● coupon › shows an error for an invalid code\n\n"
            "    expect(received).toBe(expected) // Object.is equality\n\n"
            "Test Suites: 1 failed, 1 total\nTests:       1 failed, 1 passed, 2 total\n",
            "Tests:       1 failed, 1 passed, 2 total",
        ),
        (  # bun: what its tests log on purpose (a warning, an error they handle) is no error
            "$ bun test\nbun test v1.3.0\n\nsrc/coupon.test.ts:\n"
            "[Coupon] Warning: code missing from the list, refusing it\n"
            "[Coupon] Task 2 failed: invalid code\n"
            "12 |   expect(redeem('x')).toBe(false);\n                      ^\n"
            "error: expect(received).toBe(expected)\n\nExpected: false\nReceived: true\n\n"
            "      at <anonymous> (/w/src/coupon.test.ts:12:23)\n"
            "(fail) coupon > refuses an invalid code [0.31ms]\n\n"
            " 1 pass\n 1 fail\n 2 expect() calls\nRan 2 tests across 1 file. [12.00ms]\n"
            'error: script "test" exited with code 1\n',
            "error: expect(received).toBe(expected)",
        ),
    ],
)
def test_a_test_runners_error_is_never_a_tests_name(output: str, signature: str) -> None:
    """RSpec's `Failure/Error:` line says what failed; else the runner's tally of failures."""
    assert signals.error_signature(output) == signature


_BUN_CART_FAILED = "(fail) cart > adds tax [0.31ms]\n\n 4 pass\n 1 fail\n"


@pytest.mark.parametrize(
    "output",
    [
        # the failing test's report cut by the harness: the error above the cut is another's
        "error: boom\n      at run (/w/src/queue.ts:4:9)\n\n... [1200 characters truncated] ...\n\n"
        f"      at <anonymous> (/w/src/cart.test.ts:9:3)\n{_BUN_CART_FAILED}",
        # an error a test of another file logged
        "src/queue.test.ts:\nerror: boom\n      at run (/w/src/queue.ts:4:9)\n\n"
        f"src/cart.test.ts:\n{_BUN_CART_FAILED}",
    ],
)
def test_bun_tells_no_failed_tests_error_from_beyond_its_report(output: str) -> None:
    """The error bun printed for a failing test lies below its file's header and above its
    `(fail)` mark, with no cut of the output between."""
    assert signals._bun_failed_test(output.splitlines()) == ""


# vitest's report: banners (`⎯⎯⎯ Failed Suites 1 ⎯⎯⎯`) and a tally of files, then under each
# `FAIL` line what went wrong. (Authored outputs.)
_VITEST_SUITE = (
    "\n> shop@1.0.0 test\n> vitest run\n\n RUN  v2.1.0 /srv/shop\n\n"
    " ✓ src/cart.test.ts (3 tests) 4ms\n ❯ src/price.test.ts (0 test)\n\n"
    "⎯⎯⎯⎯⎯⎯ Failed Suites 1 ⎯⎯⎯⎯⎯⎯⎯\n\n FAIL  src/price.test.ts [ src/price.test.ts ]\n"
    "{error}\n ❯ src/price.test.ts:2:1\n\n⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯[1/1]⎯\n\n"
    " Test Files  1 failed | 1 passed (2)\n      Tests  3 passed (3)\n"
)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (  # a suite whose code did not parse
            _VITEST_SUITE.format(error="SyntaxError: Unexpected token '}' in src/price.ts"),
            "SyntaxError: Unexpected token '}' in src/price.ts",
        ),
        (  # esbuild's words: the line that introduces its error, then the error at its place
            _VITEST_SUITE.format(
                error="Error: Transform failed with 1 error:\n"
                '/srv/shop/src/price.ts:7:12: ERROR: Expected ";" but found "total"\n'
                "  Plugin: vite:esbuild"
            ),
            '/srv/shop/src/price.ts:7:12: ERROR: Expected ";" but found "total"',
        ),
        (  # a test's assertion: the error, not the tally of tests
            " RUN  v1.6.0 /srv/shop\n\n ❯ src/price.test.ts (2 tests | 1 failed) 9ms\n"
            "   × price > rounds half up\n ✓ src/cart.test.ts (3 tests) 4ms\n\n"
            "⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯\n\n FAIL  src/price.test.ts > price > rounds half up\n"
            "AssertionError: expected 10.4 to be 10.5 // Object.is equality\n\n- Expected\n"
            "+ Received\n\n ❯ src/price.test.ts:8:20\n\n⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯[1/1]⎯\n\n"
            " Test Files  1 failed | 1 passed (2)\n      Tests  1 failed | 4 passed (5)\n",
            "AssertionError: expected 10.4 to be 10.5 // Object.is equality",
        ),
        (  # the report cut before its `FAIL` line: the tally, never the banner
            " ✓ src/cart.test.ts (3 tests) 4ms\n\n⎯⎯⎯⎯⎯⎯ Failed Suites 1 ⎯⎯⎯⎯⎯⎯⎯\n\n"
            " Test Files  1 failed | 1 passed (2)\n",
            "Test Files  1 failed | 1 passed (2)",
        ),
    ],
)
def test_vitests_banner_is_never_the_signature(output: str, signature: str) -> None:
    """vitest's `Failed Suites 1` banner says only that something failed: the error under its
    `FAIL` line says what."""
    assert signals.error_signature(output) == signature


# The same runners' reports when the machine, not the code, failed the tests: a server not up,
# a port taken, a module or gem not installed. That is what went wrong, not the tally.
@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (  # jest: the database the tests reach is not running
            "FAIL tests/orders.test.js\n  orders\n    ✕ saves an order (12 ms)\n\n"
            "  ● orders › saves an order\n\n    connect ECONNREFUSED 127.0.0.1:5432\n\n"
            "      at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)\n\n"
            "Test Suites: 1 failed, 1 total\nTests:       1 failed, 1 total\n",
            "connect ECONNREFUSED 127.0.0.1:5432",
        ),
        (  # mocha: the port its server listens on is taken
            "  api\n    1) answers the health check\n\n\n  0 passing (40ms)\n  1 failing\n\n"
            "  1) api\n       answers the health check:\n"
            "     Error: listen EADDRINUSE: address already in use :::4000\n"
            "      at Server.setupListenHandle [as _listen2] (node:net:1817:16)\n",
            "Error: listen EADDRINUSE: address already in use :::4000",
        ),
        (  # mocha: a module the tests import is not installed
            "  0 passing (2ms)\n  1 failing\n\n  1) Uncaught error outside test suite:\n"
            "     Error: Cannot find module 'supertest'\n"
            "      at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15)\n",
            "Error: Cannot find module 'supertest'",
        ),
        (  # RSpec: a gem not installed, the spec file never loaded
            "An error occurred while loading ./spec/feed_spec.rb.\n"
            "Failure/Error: require 'nokogiri'\n\nLoadError:\n"
            "  cannot load such file -- nokogiri\n"
            "# ./spec/feed_spec.rb:1:in '<top (required)>'\nNo examples found.\n\n"
            "Finished in 0.00003 seconds (files took 0.2 seconds to load)\n"
            "0 examples, 0 failures, 1 error occurred outside of examples\n",
            "cannot load such file -- nokogiri",
        ),
    ],
)
def test_a_test_runners_report_of_the_machines_error_names_that_error(
    output: str, signature: str
) -> None:
    assert signals.error_signature(output) == signature


def test_a_tests_name_naming_a_machines_error_is_still_no_error() -> None:
    """A test may be named for what the code under test handles ("connection refused")."""
    output = (
        "FAIL src/client.test.js\n  client\n    ✕ retries when the Connection refused it (3 ms)\n"
        "\n  ● client › retries when the Connection refused it\n\n"
        "    expect(received).toBe(expected) // Object.is equality\n\n"
        "Test Suites: 1 failed, 1 total\nTests:       1 failed, 1 total\n"
    )
    assert signals.error_signature(output) == "Tests:       1 failed, 1 total"


@pytest.mark.parametrize(
    "output",
    [
        (  # an indented jest title naming what the code handles
            "FAIL src/api.test.js\n  api\n    ✕ returns 503 on ECONNREFUSED (4 ms)\n\n"
            "  ● api › returns 503 on ECONNREFUSED\n\n"
            "    expect(received).toBe(expected) // Object.is equality\n\n"
            '    Expected: "ECONNREFUSED"\n    Received: "ETIMEDOUT"\n\n'
            "Test Suites: 1 failed, 1 total\nTests:       1 failed, 1 total\n"
        ),
        (  # a file of the project the test imports, not written yet: the day's own
            "FAIL src/app.test.ts\n  ● Test suite failed to run\n\n"
            "    Cannot find module '../utils/format' from 'src/app.test.ts'\n\n"
            "Test Suites: 1 failed, 1 total\nTests:       1 failed, 1 total\n"
        ),
        (  # mocha's nested title of a test about a taken port
            "  server\n    1) handles EADDRINUSE\n\n  0 passing (9ms)\n  1 failing\n\n"
            "  1) server\n       handles EADDRINUSE:\n     AssertionError: expected 1 to equal 2\n"
        ),
    ],
)
def test_a_tests_own_words_about_a_machines_error_are_no_machine_error(output: str) -> None:
    """A title, an assertion's values or a project file not found name the machine's error
    words; what failed is the test: the report's tally (or its assertion) is the error."""
    said = signals.error_signature(output)
    assert "ECONNREFUSED" not in said and "EADDRINUSE" not in said
    assert "utils/format" not in said


# PowerShell's error record: its first line says what went wrong; the footer under it
# (`At line:N char:N`, the code echoed and marked, `+ CategoryInfo`, `+ FullyQualifiedErrorId`)
# is the same whatever went wrong.
_PS_FOOTER = (
    "At line:1 char:1\r\n+ & ./tools/release.ps1 -Tag ''\r\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~\r\n"
    "    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException\r\n"
    "    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException,release.ps1"
    "\r\n \r\n"
)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        # a script's Write-Error: `<script> : <message>`, the message wrapped at the console's width
        (
            "D:\\work\\shop\\tools\\release.ps1 : Usage: ./release.ps1 -Tag <ta\r\ng name>\r\n"
            + _PS_FOOTER,
            "D:\\work\\shop\\tools\\release.ps1 : Usage: ./release.ps1 -Tag <ta",
        ),
        # a cmdlet's error, in a script: `At <script>:N char:N`
        (
            "Get-Item : Cannot find path 'D:\\work\\shop\\build.cfg' because it does not exist."
            "\r\nAt D:\\work\\shop\\tools\\pack.ps1:7 char:9\r\n+         Get-Item build.cfg\r\n"
            "+         ~~~~~~~~~~~~~~~~~~\r\n    + CategoryInfo          : ObjectNotFound: "
            "(D:\\work\\shop\\build.cfg:String) [Get-Item], ItemNotFoundException\r\n"
            "    + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.GetItem\r\n",
            "Get-Item : Cannot find path 'D:\\work\\shop\\build.cfg' because it does not exist.",
        ),
        # a parse error: the message below the place it marks; the first record's
        (
            "At line:1 char:9\r\n+ npm ci && npm test\r\n+         ~~\r\n"
            "The token '&&' is not a valid statement separator in this version.\r\n"
            "At line:1 char:14\r\n+ npm ci && npm test\r\n+              ~~\r\nUnexpected token.\r\n"
            "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException"
            "\r\n    + FullyQualifiedErrorId : InvalidEndOfLine\r\n",
            "The token '&&' is not a valid statement separator in this version.",
        ),
        # `throw`: the message alone above the footer, after what the script printed
        (
            "Packing 3 files\r\nThe version file is empty\r\nAt D:\\shop\\pack.ps1:3 char:1\r\n"
            '+ throw "The version file is empty"\r\n+ ~~~~~~~~~~~~\r\n'
            "    + CategoryInfo          : OperationStopped: (The version file is empty:String) "
            "[], RuntimeException\r\n    + FullyQualifiedErrorId : The version file is empty\r\n",
            "The version file is empty",
        ),
        # a native program's stderr as records (`2>&1`): what it said is below the footer
        (
            "python : Traceback (most recent call last):\r\nAt line:1 char:1\r\n"
            "+ python pack.py 2>&1\r\n+ ~~~~~~~~~~~~~~~~~~~\r\n    + CategoryInfo          : "
            "NotSpecified: (Traceback (most recent call last)::String) [], RemoteException\r\n"
            "    + FullyQualifiedErrorId : NativeCommandError\r\n \r\n"
            "  File \"pack.py\", line 2, in <module>\r\nKeyError: 'version'\r\n",
            "KeyError: 'version'",
        ),
    ],
)
def test_powershells_error_record_is_told_by_its_first_line_not_its_footer(
    output: str, signature: str
) -> None:
    said = signals.error_signature(output)
    assert said == signature
    assert "CategoryInfo" not in said and "FullyQualifiedErrorId" not in said


# The same records from a PowerShell that speaks another language: the place reads `In
# Zeile:1 Zeichen:9`, `En línea: 1 Carácter: 9`, `所在位置 行:1 字符: 9`…; the footer's names
# stay English, and are never what went wrong.
_PS_PARSE_FOOTER = (
    "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\r\n"
    "    + FullyQualifiedErrorId : UnexpectedToken\r\n \r\n"
)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (  # German, a parse error: the message below the place it marks
            "In Zeile:1 Zeichen:22\r\n+ $n = (Get-Item a.txt}.Length\r\n+                      ~\r\n"
            'Unerwartetes Token "}" in Ausdruck oder Anweisung.\r\n' + _PS_PARSE_FOOTER,
            'Unerwartetes Token "}" in Ausdruck oder Anweisung.',
        ),
        (  # German, a script's cmdlet error: its first line, above the place in the script
            'Get-Item : Der Pfad "D:\\shop\\build.cfg" kann nicht gefunden werden.\r\n'
            "In D:\\shop\\tools\\pack.ps1:7 Zeichen:9\r\n+         Get-Item build.cfg\r\n"
            "+         ~~~~~~~~~~~~~~~~~~\r\n    + CategoryInfo          : ObjectNotFound: "
            "(D:\\shop\\build.cfg:String) [Get-Item], ItemNotFoundException\r\n"
            "    + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.GetItem\r\n",
            'Get-Item : Der Pfad "D:\\shop\\build.cfg" kann nicht gefunden werden.',
        ),
        (  # Spanish
            "En línea: 1 Carácter: 22\r\n+ $n = (Get-Item a.txt}.Length\r\n+                      ~"
            "\r\nToken '}' inesperado en la expresión o la instrucción.\r\n" + _PS_PARSE_FOOTER,
            "Token '}' inesperado en la expresión o la instrucción.",
        ),
        (  # Chinese
            "所在位置 行:1 字符: 22\r\n+ $n = (Get-Item a.txt}.Length\r\n+                      ~\r\n"
            "表达式或语句中包含意外的标记“}”。\r\n" + _PS_PARSE_FOOTER,
            "表达式或语句中包含意外的标记“}”。",
        ),
        (  # whatever the place reads, the record's own lines are never the signature
            "Zeile 1 Spalte 22: ???\r\n+ $n = (Get-Item a.txt}.Length\r\n" + _PS_PARSE_FOOTER,
            "Zeile 1 Spalte 22: ???",
        ),
    ],
)
def test_a_powershell_record_in_another_language_is_told_by_its_message(
    output: str, signature: str
) -> None:
    said = signals.error_signature(output)
    assert said == signature
    assert "CategoryInfo" not in said and "FullyQualifiedErrorId" not in said


# PowerShell 7's error record (its concise view): the cmdlet's or script's name alone on the
# first line, then where in a gutter (`Line |`, the code echoed and marked), the message in the
# gutter below the mark; coloured when the console is.
_PWSH7_NO_FOLDER = (
    "Out-File: \r\nLine |\r\n"
    '   4 |  $rows | Out-File -FilePath "D:\\shop\\reports\\daily\\totals.csv"\r\n'
    "     |           ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\r\n"
    "     | Could not find a part of the path 'D:\\shop\\reports\\daily\\totals.csv'.\r\n"
)
_PWSH7_NOT_RECOGNIZED = (
    "\x1b[31;1mpnpx: \x1b[0m\r\n\x1b[31;1m\x1b[36;1mLine |\x1b[0m\r\n"
    "\x1b[31;1m\x1b[36;1m\x1b[36;1m   2 | \x1b[0m \x1b[36;1mpnpx\x1b[0m vitest run\r\n"
    "\x1b[31;1m\x1b[36;1m\x1b[36;1m\x1b[0m\x1b[36;1m     | \x1b[31;1m ~~~~\x1b[0m\r\n"
    "\x1b[31;1m\x1b[36;1m\x1b[36;1m\x1b[0m\x1b[36;1m     | \x1b[31;1mThe term 'pnpx' is not "
    "recognized as a name of a cmdlet, function, script file,\x1b[0m\r\n"
    "\x1b[31;1m\x1b[36;1m\x1b[36;1m\x1b[0m\x1b[36;1m     | \x1b[31;1mor executable program."
    "\x1b[0m\r\n"
)


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (_PWSH7_NO_FOLDER, "Could not find a part of the path 'D:\\shop\\reports\\daily\\totals.csv'."),
        (  # coloured; a message wider than the console goes on in the gutter below
            _PWSH7_NOT_RECOGNIZED,
            "The term 'pnpx' is not recognized as a name of a cmdlet, function, script file,",
        ),
        (  # a parse error's record: its message, not the name of the error
            "ParserError: \r\nLine |\r\n   1 |  if ($ok) { echo yes\r\n     |                     ~"
            "\r\n     | Missing closing '}' in statement block or type definition.\r\n",
            "Missing closing '}' in statement block or type definition.",
        ),
    ],
)  # fmt: skip
def test_powershell_7s_error_record_is_told_by_its_message_not_its_cmdlet(
    output: str, signature: str
) -> None:
    assert signals.error_signature(output) == signature


def _shell(seq: int, text: str, kind: EventKind = EventKind.TOOL_CALL) -> Event:
    return Event(seq, "tool", kind, text, SourceRef("a.jsonl", seq, seq), tool_name="Bash")


@pytest.mark.parametrize(
    ("command", "output", "wrote"),
    [
        ("$rows | Out-File -FilePath D:\\shop\\reports\\daily\\totals.csv", _PWSH7_NO_FOLDER, True),
        (
            "@'\n# Totals\n'@ | Set-Content D:\\shop\\reports\\daily\\totals.md",
            _PWSH7_NO_FOLDER.replace("Out-File", "Set-Content"),
            True,
        ),
        # a file read from a folder that is not there is another matter
        (
            "Get-Content D:\\shop\\reports\\daily\\totals.csv",
            _PWSH7_NO_FOLDER.replace("Out-File", "Get-Content"),
            False,
        ),
    ],
)  # fmt: skip
def test_powershell_7s_record_of_a_write_into_no_folder_is_told(
    command: str, output: str, wrote: bool
) -> None:
    result = _shell(2, output, EventKind.ERROR)
    assert not_failures.wrote_into_no_folder(_shell(1, command), result) is wrote


# A task runner's own line that the task it ran failed (mise's footer, make's, just's, go-task's,
# npm's, pnpm's, yarn's, bun's): the same words whatever went wrong, so never the signature
# when the tool's own report above or below it says what did.
@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (  # mise: its footer printed before the linter's report, which holds no error word
            "Exit code 1\n[check] $ golangci-lint run ./...\n[check] ERROR task failed\n\n"
            "pkg/cart/total.go:41:7: ifElseChain: rewrite if-else to switch statement (gocritic)\n"
            "\tif n > 0 {\n\t^\n1 issues:\n* gocritic: 1\n",
            "pkg/cart/total.go:41:7: ifElseChain: rewrite if-else to switch statement (gocritic)",
        ),
        (  # mise: the type checker's line after a package header, its footer last
            "[check] $ golangci-lint run ./...\n"
            "pkg/cart/total.go:1: : # example.org/shop/pkg/cart\n"
            "pkg/cart/total.go:18:9: too many arguments in call to price.Round\n"
            "\thave (float64, int)\n\twant (float64)\n1 issues:\n* typecheck: 1\n"
            "[check] ERROR task failed\n",
            "pkg/cart/total.go:18:9: too many arguments in call to price.Round",
        ),
        (  # mise: a linter's finding that holds the word `error`
            "[check] $ golangci-lint run ./...\n[check] ERROR task failed\n"
            "pkg/cart/parse.go:9:30: SA1000: error parsing regexp: missing closing ) (staticcheck)\n",
            "pkg/cart/parse.go:9:30: SA1000: error parsing regexp: missing closing ) (staticcheck)",
        ),
        (  # make: go vet's finding, make's own echo of the recipe above it
            "go vet ./...\n# example.org/shop\n./server.go:27:2: unreachable code\n"
            "make: *** [Makefile:9: vet] Error 1\n",
            "./server.go:27:2: unreachable code",
        ),
        (  # a make called by make
            "make[1]: Entering directory '/src/shop'\ncc -c cart.c\n"
            "cart.c:12:3: error: use of undeclared identifier 'totl'\n"
            "make[1]: *** [Makefile:4: cart.o] Error 1\nmake: *** [Makefile:2: all] Error 2\n",
            "cart.c:12:3: error: use of undeclared identifier 'totl'",
        ),
        (  # just
            "shellcheck deploy.sh\nscripts/deploy.sh:4:9: note: Double quote to prevent globbing\n"
            "error: Recipe `check` failed on line 3 with exit code 1\n",
            "scripts/deploy.sh:4:9: note: Double quote to prevent globbing",
        ),
        (  # go-task
            "task: [check] staticcheck ./...\n"
            "cart/total.go:12:2: this value of sum is never used (SA4006)\n"
            'task: Failed to run task "check": exit status 1\n',
            "cart/total.go:12:2: this value of sum is never used (SA4006)",
        ),
        (  # npm 10: its lifecycle lines under a linter's finding without an error word
            "\n> shop@1.0.0 check\n> stylelint src\n\nsrc/cart.css:3:5: Unexpected unknown property\n"
            "npm error Lifecycle script `check` failed with error:\nnpm error code 1\n"
            "npm error path /src/shop\nnpm error workspace shop@1.0.0\n"
            "npm error location /src/shop\nnpm error command failed\n"
            "npm error command sh -c stylelint src\n",
            "src/cart.css:3:5: Unexpected unknown property",
        ),
        (  # pnpm
            "src/cart.css:3:5: Unexpected unknown property\n"
            " ELIFECYCLE  Command failed with exit code 2.\n",
            "src/cart.css:3:5: Unexpected unknown property",
        ),
        (  # yarn
            "src/cart.css:3:5: Unexpected unknown property\n"
            "error Command failed with exit code 2.\n"
            "info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.\n",
            "src/cart.css:3:5: Unexpected unknown property",
        ),
        (  # mise with several tasks: each line of a task's output under its `[task] ` prefix
            "[lint:go] $ golangci-lint run ./...\n"
            "[lint:go] pkg/cart/total.go:88:6: func roundUp is unused (unused)\n"
            "[lint:go] 1 issues:\n[lint:go] * unused: 1\n[lint:go] ERROR task failed\n",
            "pkg/cart/total.go:88:6: func roundUp is unused (unused)",
        ),
        (  # mise's footer in colour
            "[check] $ golangci-lint run ./...\n"
            "pkg/cart/total.go:18:9: too many arguments in call to price.Round\n"
            "[check] \x1b[31mERROR\x1b[0m task failed\n",
            "pkg/cart/total.go:18:9: too many arguments in call to price.Round",
        ),
        (  # npm 7-9 in a workspace
            "\n> web@1.0.0 check\n> stylelint src\n\nsrc/cart.css:3:5: Unexpected unknown property\n"
            "npm ERR! Lifecycle script `check` failed with error:\nnpm ERR! Error: command failed\n"
            "npm ERR!   in workspace: web@1.0.0\nnpm ERR!   at location: /src/shop/web\n",
            "src/cart.css:3:5: Unexpected unknown property",
        ),
        (  # pnpm's test script
            "src/cart.test.js:3:5: expected 4 to equal 5\n"
            " ELIFECYCLE  Test failed. See above for more details.\n",
            "src/cart.test.js:3:5: expected 4 to equal 5",
        ),
        (  # npm 6's test script
            "src/cart.test.js:3:5: expected 4 to equal 5\n"
            "npm ERR! Test failed.  See above for more details.\n",
            "src/cart.test.js:3:5: expected 4 to equal 5",
        ),
        (  # make's own error in a make called by make wins over the outer make's footer
            "make[1]: Entering directory '/src/shop'\n"
            "make[1]: *** No rule to make target 'bundle'.  Stop.\n"
            "make[1]: Leaving directory '/src/shop'\nmake: *** [Makefile:3: all] Error 2\n",
            "make[1]: *** No rule to make target 'bundle'.  Stop.",
        ),
        (  # make's footers, its wait for the other jobs first: the finding still
            "go vet ./...\n./server.go:27:2: unreachable code\n"
            "make: *** Waiting for unfinished jobs....\nmake: *** [Makefile:9: vet] Error 1\n",
            "./server.go:27:2: unreachable code",
        ),
        (  # mise with several tasks: a finding indented under its file, told as plain eslint's
            "[lint] $ eslint src\n[lint] /src/shop/cart.js\n"
            "[lint]   3:5  error  'x' is not defined  no-undef\n"
            "[lint] \u2716 1 problem (1 error, 0 warnings)\n[lint] ERROR task failed\n",
            "3:5  error  'x' is not defined  no-undef",
        ),
        (  # a bracket that is the tool's own text, under mise: kept as it is
            "[build] $ mvn -q package\n[ERROR] Failed to execute goal compile: Compilation failure\n"
            "[build] ERROR task failed\n",
            "[ERROR] Failed to execute goal compile: Compilation failure",
        ),
    ],
)
def test_a_task_runners_footer_is_not_the_signature(output: str, signature: str) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        ("[check] $ ./build.sh\n[check] ERROR task failed\n", "[check] ERROR task failed"),
        (
            "Compiling the pages\nmake: *** [Makefile:5: site] Error 2\n",
            "make: *** [Makefile:5: site] Error 2",
        ),
        (  # make's own error is no footer
            "make: *** No rule to make target 'deploy'.  Stop.\n",
            "make: *** No rule to make target 'deploy'.  Stop.",
        ),
    ],
)
def test_a_task_runners_footer_stays_when_nothing_else_says_what_failed(
    output: str, signature: str
) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "I001 [*] Import block is un-sorted or un-formatted\n"
            "  --> tests/test_cart.py:3:1\n   |\n 3 | / import os\n   |\n"
            "help: Organize imports\n\nFound 1 error.\n[*] 1 fixable with the `--fix` option.",
            "I001 [*] Import block is un-sorted or un-formatted",
        ),
        (
            "src/cart.py:3:1: F401 [*] `os` imported but unused\n"
            "src/cart.py:9:5: E741 Ambiguous variable name: `l`\nFound 2 errors.\n"
            "[*] 1 fixable with the `--fix` option.",
            "src/cart.py:3:1: F401 [*] `os` imported but unused",
        ),
    ],
)
def test_a_linters_first_finding_is_the_signature_not_its_tally(
    output: str, signature: str
) -> None:
    assert signals.error_signature(output) == signature


@pytest.mark.parametrize(
    ("output", "signature"),
    [
        (
            "ssh: Could not resolve hostname github.com: Temporary failure in name resolution\n"
            "fatal: Could not read from remote repository.\n\n"
            "Please make sure you have the correct access rights\nand the repository exists.",
            "ssh: Could not resolve hostname github.com: Temporary failure in name resolution",
        ),
        (
            "curl: (6) Could not resolve host: registry.example.org",
            "curl: (6) Could not resolve host: registry.example.org",
        ),
    ],
)
def test_a_host_not_resolved_is_the_error_not_gits_closing_line(
    output: str, signature: str
) -> None:
    """git's "Could not read from remote repository" closes any failed fetch over SSH; the
    resolver's line above it says why (no network here)."""
    assert signals.error_signature(output) == signature


def test_a_host_not_resolved_inside_a_log_line_is_no_error_line() -> None:
    """A program's log noting, in passing, a host it could not reach (and going on) is not
    the tool's own error: the crash below it is."""
    output = (
        "[metrics] could not resolve host stats.example.net - skipping upload\n"
        "/srv/app/main.js:12\n"
        "TypeError: Cannot read properties of undefined (reading 'port')"
    )
    assert signals.error_signature(output).startswith("TypeError: Cannot read properties")


@pytest.mark.parametrize(
    "line",
    [
        "  copying src\\lxml\\lxml_exceptions.hpp -> build\\lib.win-amd64-cpython-311\\lxml",
        "  adding 'pkg/errors.go'",
        "Compiling app/error_handler.py ...",
    ],
)
def test_an_error_word_inside_a_file_name_is_no_error_line(line: str) -> None:
    assert not signals.names_an_error(line)


@pytest.mark.parametrize(
    "line",
    [
        "java.lang.IllegalStateException: pool closed",
        "requests.exceptions.ConnectionError: refused",
        "[ERROR/MainProcess] consumer: cannot connect",
        "error: src/errors.go:12: undefined: Wrap",
    ],
)
def test_an_error_word_beside_a_file_name_still_counts(line: str) -> None:
    assert signals.names_an_error(line)


def test_a_build_log_copying_an_exceptions_header_is_not_the_signature() -> None:
    output = (
        "Exit code 1\n  running build_ext\n"
        "  copying src\\lxml\\lxml_exceptions.hpp -> build\\lib.win-amd64-cpython-311\\lxml\n"
        "  error: Microsoft Visual C++ 14.0 or greater is required.\n"
        "  ERROR: Failed building wheel for lxml"
    )
    assert signals.error_signature(output).startswith("error: Microsoft Visual C++ 14.0")
