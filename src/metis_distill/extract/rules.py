"""The offline extractor: templates over the miner's episodes. No key, no network."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from metis_distill.advice import Danger, added_dangers
from metis_distill.extract.base import ExtractStats
from metis_distill.extract.chain_step import chained_run, named_step
from metis_distill.extract.code_page import code_page_refused, code_page_way
from metis_distill.extract.edits import edit_input
from metis_distill.extract.own_interpreter import OWN_INTERPRETER, own_interpreter
from metis_distill.extract.process_ids import STOPPED_BY_ID, stops_by_id
from metis_distill.extract.retry_change import (
    SUDO,
    activation,
    argument_asked_for,
    as_root,
    env_prefix,
    env_runner,
    forcing_flag,
    moved_into,
    one_value_changed,
    options_added,
    options_ended,
    options_offered,
    other_binary,
    other_interpreter,
    program_swapped,
    script_rewritten,
    values_kept,
)
from metis_distill.extract.sandbox import (
    ESCALATE,
    NO_BWRAP_TEXT,
    NO_NETWORK_TEXT,
    escalated_lesson,
    launcher_failed,
    ran_inside_programs,
    refusal_line,
    refused_dot_folder,
    refused_folder_text,
    sandbox_stopped,
    sandboxed_program,
)
from metis_distill.extract.settings import settings_phrase
from metis_distill.extract.wording import (
    AFTER_USER_STEP,
    AS_THE_ERROR_SAYS,
    DO_WITHOUT,
    FLAGS_LEFT_OUT,
    LACKS_MODULE,
    MAX_COMMAND,
    NO_FIX_SEEN,
    NO_RUNNER_SEEN,
    OWN_PIP_WAY,
    PASSED_AGAIN,
    REMOTE_REPOINTED,
    RUN_IT_WITH,
    SECRET_GIVEN,
    UNTIL_EDITED,
    code,
    general_command,
    general_error,
    general_fix,
    names_instance,
    shorten_command,
    subject,
    with_arguments,
    without_git_options,
)
from metis_distill.homes import home_folder
from metis_distill.mine.asked import offered_by_error, user_asked_way
from metis_distill.mine.drive_paths import DRIVE_PATH_FIX, DRIVE_PATH_TEXT, mounted_path
from metis_distill.mine.empty_variable import empty_variable, empty_variable_text
from metis_distill.mine.episodes import Episode
from metis_distill.mine.fixers import mended_check
from metis_distill.mine.fixes import (
    SEARCHERS,
    Fix,
    FixKind,
    python_here,
    recipe_instead,
    way_taken,
)
from metis_distill.mine.fixes import remedy as remedy_of
from metis_distill.mine.given_secrets import SUDO_STDIN, given_secrets
from metis_distill.mine.intent import flag_changes
from metis_distill.mine.kept_cwd import kept_cwd, kept_cwd_text
from metis_distill.mine.misplaced import Misplaced, misplaced, misplaced_text
from metis_distill.mine.modules import INSTALL, importing_step, interpreter
from metis_distill.mine.no_terminal import no_terminal_text, terminal_dropped
from metis_distill.mine.off_path import OffPath, off_path
from metis_distill.mine.own_shell import OWN_SHELL_TEXT, killed_own_shell
from metis_distill.mine.persisted import mode_committed
from metis_distill.mine.phrases import THANKS
from metis_distill.mine.piped_rewrite import (
    PIPE_REWRITE_TEXT,
    rewritten_line,
    rewritten_words,
    way_around,
)
from metis_distill.mine.protected import PROTECTED_FIX, protected_refusal, protected_text
from metis_distill.mine.rereads import BACKSLASHED, REWRITTEN
from metis_distill.mine.shell_helper import missing_helper, missing_helper_text
from metis_distill.mine.shells import (
    BACKSLASHES_EATEN_FIX,
    CMD_IN_POWERSHELL_FIX,
    CMD_IN_POWERSHELL_TEXT,
    ESCAPED_QUOTE_LESSON,
    HERE_STRING_FIX,
    HEREDOC_IN_POWERSHELL_FIX,
    HEREDOC_IN_POWERSHELL_TEXT,
    PAREN_PATH_FIX,
    PAREN_PATH_TEXT,
    POLICY_CHANGED,
    POSIX_IN_POWERSHELL_TEXT,
    QUOTING_LESSON,
    SHIM_POLICY_CHANGED_TEXT,
    SHIM_REFUSED_FIX,
    SHIM_REFUSED_TEXT,
    SWITCH_LESSON,
    backslashes_eaten,
    broken_heredoc,
    closed_beside_more,
    cmd_in_powershell,
    escaped_bang,
    foreign_command,
    heredoc_in_powershell,
    lost_variables,
    paren_in_path,
    piped_here_string,
    posix_in_powershell,
    quote_escaped_by_path,
    refused_shim,
    switch_as_path,
)
from metis_distill.mine.signals import (
    BUNDLED_SEARCH,
    EDIT_TOOLS,
    HOST_UNRESOLVED,
    NO_NETWORK,
    PIPE,
    POWERSHELL_REFUSED_LINE,
    SANDBOX_DENIED,
    SHELL_TOOLS,
    ZSH_NO_MATCH,
    ZSH_PATTERN_ERROR,
    is_success,
    missing_module,
    missing_program,
    names_an_error,
    only_reads,
    says_only_failed,
    signature_unlike,
)
from metis_distill.mine.ssh_https import (
    NO_SSH_KEY,
    got_through_later,
    is_over_https,
    makes_gh_helper,
    own_key_refused,
    ssh_key_refused,
)
from metis_distill.mine.statements import is_standing_rule
from metis_distill.mine.store_stub import ran_store_stub, runs_python, store_stub_text
from metis_distill.mine.sudo_password import SUDO_PASSWORD, sudo_got_no_password
from metis_distill.mine.text import (
    INLINE_SCRIPT,
    STEP_SPLIT,
    clean,
    command_head,
    file_name,
    first_step,
    quotes_masked,
    scrub,
    shell_steps,
    shorten,
    split_heredocs,
    step_joiner,
    unplumbed,
    unwrapped,
)
from metis_distill.mine.time_limits import limit_ms, seconds, stopped_after
from metis_distill.mine.utilities import UTILITIES, done_without
from metis_distill.mine.word_split import WORD_SPLIT_FIX, WORD_SPLIT_TEXT, unsplit_variable
from metis_distill.mine.zsh_parse import ZSH_PARSE_TEXT, bash_fix, zsh_parse_error
from metis_distill.mine.zsh_read_only import RENAME_FIX, read_only_name, read_only_text
from metis_distill.models import (
    Event,
    EventKind,
    Evidence,
    LessonCandidate,
    LessonKind,
    Run,
    SourceRef,
)
from metis_distill.provenance import Lines, lines_text, quote_in_lines

MAX_QUOTE = 200
MAX_EVIDENCE_LINES = 60
_LOW_VALUE_TOOLS = frozenset({"Read", "Glob", "Grep", "LS", "WebFetch", "WebSearch", "TodoWrite"})
_DECISION_LEAD = re.compile(
    r"^(?:so,?\s+|ok(?:ay)?,?\s+)?(?:I'll|I will|we'll|we will|let's|let us|we should|"
    r"I'm going to|we're going to)\s+",
    re.I,
)
# What opens the sentence without being the fact: "turns out", "the root cause was that", a
# thanks to the user.
_GOTCHA_LEAD = re.compile(
    rf"^{THANKS}?"
    r"(?:(?:so,?\s+)?(?:(?:it\s+)?turns out(?: that)?,?|"
    r"the (?:root cause|root problem|culprit) (?:is|was) that)\s+)?",
    re.I,
)
# Causes known from the error alone: one wording whatever the command, so that every
# instance (in one run or many) supports the same lesson instead of adding a line each.
_CRLF = re.compile(r"(?:\\r|\r)['’]|\$'\\r'")
# EACCES as the C library says it in the user's language (zh_CN, zh_TW, de, fr, es, pt, ja,
# ru, ko): `bash: ./x.sh: 权限不够` is the same refusal.
_EACCES = (
    r"(?:permission denied|权限不够|拒絕不符權限的操作|Keine Berechtigung|Permission non accordée"
    r"|Permiso denegado|Permissão negada|許可がありません|Отказано в доступе|허가 거부)"
)
_SCRIPT_DENIED = re.compile(
    rf"{_EACCES}:\s*(?P<script>\S+\.(?:sh|bash|py))\b"
    rf"|(?P<script2>\S+\.(?:sh|bash|py)): {_EACCES}",
    re.I,
)
# Cygwin's own crash report: Git Bash died before it ran anything.
_SHELL_CRASH = re.compile(
    r"\A(?:<tool_use_error>)?(?:Exit code -?\d+\s*\n|(?:Error calling tool \(\w+\): )?"
    r"Command failed: [^\n]*\n)?\s*\d+ \[main\] [^\n]*?bash(?:\.exe)?: \*\*\* fatal error - "
)
# On Windows `bash` may be WSL's launcher: with no Linux shell behind it, every call fails
# before the command runs, whatever the command.
_WSL_NO_SHELL = re.compile(
    r"execvpe\(?/bin/(?:ba)?sh\)? failed|\bWSL \(\d+\) ERROR\b"
    r"|Windows Subsystem for Linux has no installed distributions"
)
WSL_TEXT = (
    "`bash` here starts WSL, which has no Linux shell (“execvpe /bin/bash failed”): run "
    "commands with `pwsh -NoProfile -Command …`."
)
_PWSH_FIX = "pwsh -NoProfile -Command …"
_PWSH = re.compile(r"\b(?:pwsh|powershell)(?:\.exe)?\b", re.I)


def _match_quoted(call: Event, signature: str) -> bool:
    """A search's failure quoted by a line it matched: its own errors start with its name
    (`rg: regex parse error`), or say it is missing; the harness's say it stopped the call."""
    words = command_head(call.text).split() if call.tool_name in SHELL_TOOLS else []
    program = words[0].rsplit("/", 1)[-1] if words else ""
    if program not in SEARCHERS:
        return False
    # any step's program may be the one that failed (`grep -rl x | xargs sed -i …`)
    programs = {
        step.split()[0].rsplit("/", 1)[-1] for step in _STEPS.split(call.text) if step.split()
    }
    said_by = signature.split(":", 1)[0].strip().rsplit("/", 1)[-1]
    own = said_by in programs or stopped_after(signature) is not None
    return (
        not own and missing_program(signature) is None and not _RG_SEARCHED_NOTHING.match(signature)
    )


_STEPS = re.compile(r"\s*(?:&&|\|\||;|\|)\s*")
# ripgrep's own words when its filters left nothing to search.
_RG_SEARCHED_NOTHING = re.compile(r"^No files were searched\b")


# Standard error sent nowhere: what is left of a failed call's output is what it printed.
_STDERR_DROPPED = re.compile(r"(?:\b2|&)>\s*/dev/null|\b2>&-")
_LOG_LEVEL = re.compile(r"^<[0-7]>(?=\S)")  # a syslog priority (`<3>WSL …`): not the message
# "No, use X" -> "Use X"; but "stop trying X" keeps its "stop", or the meaning flips.
# An edit refused because the text to replace is not in the file as written.
_STALE_TEXT = re.compile(
    r"failed to match|did not match|does not match|Failed to find expected lines|"
    r"String to replace not found|not found in (?:the )?file|SearchReplaceNoExactMatch|"
    r"no exact match",
    re.I,
)
_SEARCH_REPLACE = re.compile(
    r"SEARCH/REPLACE blocks? failed to match|SearchReplaceNoExactMatch|SEARCH block failed to "
    r"(?:exactly )?match"
)
_SHELLS = frozenset({"bash", "sh", "zsh"})
_CORRECTION_LEAD = re.compile(r"^(?:(?:no|nope|wait|actually)\b[,.!]*|stop[,.!]+)\s+", re.I)


class RulesExtractor:
    """Deterministic lesson text from the episode's own words."""

    name = "rules"

    def __init__(self) -> None:
        self.stats = ExtractStats()

    def extract(self, run: Run, episodes: Sequence[Episode], lines: Lines) -> list[LessonCandidate]:
        found = (self._one(run, episode, lines) for episode in episodes)
        return [candidate for candidate in found if candidate is not None]

    def _one(self, run: Run, episode: Episode, lines: Lines) -> LessonCandidate | None:
        if episode.kind is LessonKind.FAILURE and episode.signal != "correction":
            return _failure(run, episode, lines)
        return _statement(run, episode, lines)


def _failure(run: Run, episode: Episode, lines: Lines) -> LessonCandidate | None:
    error, call = episode.trigger, episode.call
    passed = episode.fix_result.text if episode.fix_result is not None else ""
    signature = _LOG_LEVEL.sub("", signature_unlike(error.text, passed))
    # its exit line is all it said, and the program with the exit tells the cause
    stopped = killed_own_shell(call, error) or ran_store_stub(call, error)
    if stopped and error.text.strip():
        signature = error.text.strip().splitlines()[-1]
    signature = rewritten_line(call, error.text) or signature  # the argument the harness made
    if _sudo_refused("", error.text):
        # sudo's English line, whatever program ran sudo and whichever line ends the output
        # (the program's own, or sudo's verdict in the machine's language)
        signature = sudo_got_no_password(error.text) or signature
    if not signature or call is None:
        return None  # a failure we cannot tie to what was run teaches nothing actionable
    if says_only_failed(signature):
        return None  # a banner over whatever failed: its repeats are no one error recurring
    if _escalation_refused(run, error, call):
        return None  # the user said no to the rerun outside the sandbox: no way out to teach
    if episode.fix is not None and episode.fix.kind is FixKind.ESCALATED:
        signature = refusal_line(error.text, signature)
    if episode.fix is not None and _told_by_the_error(episode.fix, error):
        return None  # the error spelled out the command that worked: any agent reads it there
    stepped_in = episode.fix is not None and episode.fix.kind is FixKind.STEPPED_IN
    if stepped_in:  # the user's step, unseen: no fix of the agent's (its success still shown)
        episode = replace(episode, fix=None)
    given = _secrets_given(call, episode.fix)
    if given:  # the secret did it: no way of the agent's to teach (its success still shown)
        episode = replace(episode, fix=None)
    retried = episode.fix is None or episode.fix.kind is FixKind.RETRIED
    missing = missing_program(signature) if retried else None
    reached = _reached_off_path(call, error, episode.fix)  # its PATH lesson
    if missing is not None and reached is None and _ran_later(run, missing, error, call):
        return None  # the shell was broken for a moment (`ls: command not found`), or mended
    if _sudo_refused(signature, error.text) and _ran_later(run, "sudo", error):
        return None  # the user let `sudo` in without a password later on: no longer so
    refused = ssh_key_refused(call, error.text) if episode.fix is None else None
    if refused is not None and got_through_later(run.events, error, refused, call):
        return None  # the same git command got through later: no "ask the user", no way seen
    # bash (or PowerShell, refusing the line) stopped before the command ran: its
    # redirections never applied, no line is a search's find
    stopped = (
        stopped
        or (call is not None and quote_escaped_by_path(call, error.text))
        or POWERSHELL_REFUSED_LINE.match(error.text) is not None
        or bool(rewritten_words(call, error.text))  # its `2>` passed on as an argument
        or missing_helper(call, error.text) is not None  # the harness's step before it failed
    )
    if not stopped and _STDERR_DROPPED.search(call.text) and not names_an_error(signature):
        return None  # its errors thrown away: the line quoted is output (`total 256`), no error
    if not stopped and _match_quoted(call, signature):
        return None  # a line the search found (`run.sh: ((FAILED++))`), not its error
    ref = call.ref.span(error.ref)
    without = done_without(run.events, error, call, missing) if missing in UTILITIES else None
    if without is not None:  # the span shows what the agent did without it
        ref = ref.span(without.shown.ref)
    pwsh = _pwsh_that_worked(run, error, lines) if _WSL_NO_SHELL.search(error.text[:2000]) else None
    if pwsh is not None:
        ref = ref.span(pwsh.ref)
    moved = misplaced(
        run.events, error.seq, call, run.cwd, fresh_shells=run.source_format == "codex"
    )
    if moved is not None:  # the span shows where the file was found
        ref = ref.span(moved.found.ref)
    fixed = episode.fix_result
    # a lesson that states a fix shows it; another shows what followed when it is near
    if fixed is not None and (
        episode.teachable_fix or fixed.ref.line_end - ref.line_start <= MAX_EVIDENCE_LINES
    ):
        ref = ref.span(fixed.ref)
    quote = _checked_quote(lines, ref, [signature])
    if quote is None:
        return None
    escalated = episode.fix is not None and episode.fix.kind is FixKind.ESCALATED
    inside = ran_inside_programs(run) if escalated else frozenset()
    # a way past a console's code page, told only when the span shows it
    shown = fixed is not None and ref.line_end >= fixed.ref.line_end
    code_page = code_page_way(call, error.text, episode.fix, lines) if shown else None
    lesson = _failure_lesson(
        episode,
        call,
        signature,
        run.source_format,
        pwsh_worked=pwsh is not None,
        ran_inside=sandboxed_program(call.text).split()[0] in inside,
        sandbox_ran=bool(inside),
        workspace=run.cwd,
        kept_folder=kept_cwd(run.events, error.seq, call),
        moved=moved,
        lost_variable=_lost_variable(run, call, signature),
        offline_before_fix=escalated and _offline_before_fix(run, episode),
        in_wsl=bool(_WSL_DRIVE.match(run.cwd or "")),
        pythons=python_here(run.events, call) if ran_store_stub(call, error) else None,
        rewritten=_rewritten(call, episode.fix, lines),
        code_page=code_page,
        stepped_in=stepped_in,
        utility_way=without.told if without is not None else None,
        own_key=own_key_refused(run.events, call),
        secrets_given=given,
    )
    if lesson is None:
        return None
    text, fix = lesson
    if given_secrets("", f"{text}\n{fix or ''}"):
        return None  # the failed call's password pipe or secret, told: none to teach
    if fix is None and _form_worked(run, call, text):
        return None  # what failed is what the line's `…` hides: one script, one argument
    if text.endswith(" instead.") and fix and options_offered(call.text, fix, error.text):
        text = text.removesuffix(" instead.") + f" instead{AS_THE_ERROR_SAYS}"
    if fix == _CHMOD and _mode_kept(run, episode, signature):
        return None  # made executable and committed: the next clone has it done
    key = _off_path_key(text, fix, reached)
    in_project = False
    if run.cwd:
        written = fix and _from_project(fix, run.cwd)
        # its way is in the project (`.venv/bin/pytest`): no machine's fact, nor another's way
        in_project = written != fix
        text, fix = _from_project(text, run.cwd), written
    text = scrub(text)
    way = episode.fix.call if episode.fix is not None and fix is not None else None
    if in_project:
        key, way = None, None
    return LessonCandidate(
        kind=LessonKind.FAILURE,
        text=text,
        evidence=_evidence(
            run,
            ref,
            quote,
            error,
            shows_fix=code_page is not None or without is not None or _shows_fix(episode, call),
        ),
        severity=_failure_severity(episode),
        scope=_scope(call),
        cwd=run.cwd,
        fix=scrub(fix) if fix else None,
        key=key or (_failure_key(text) if way is not None else None),
        asked=way is not None and user_asked_way(run.events, call, way),
    )


# The command a line opens with, as it writes it with an argument elided, when it says the
# command fails.
_FAILING_FORM = re.compile(r"^(`[^`\n]*…[^`\n]*`) fails\b")


def _form_worked(run: Run, call: Event, text: str) -> bool:
    """The line says a command fails with no fix seen, its arguments elided, and another call
    of the session, read in the same general form (`conda run -n env python …`), worked: the
    form does not fail, and which argument did the line cannot say."""
    form = _FAILING_FORM.match(text)
    if form is None or not text.endswith(f" {NO_FIX_SEEN}.") or call.tool_name not in SHELL_TOOLS:
        return False
    calls = {
        e.tool_use_id: e
        for e in run.events
        if e.kind is EventKind.TOOL_CALL
        and e.tool_name in SHELL_TOOLS
        and e.tool_use_id
        and e.session == call.session
        and e.tool_use_id != call.tool_use_id
    }
    return any(
        (other := calls.get(result.tool_use_id or "")) is not None
        and result.role == "tool"
        and is_success(result)
        and subject(other.tool_name, other.text) == form[1]
        for result in run.events
    )


def _rewritten(call: Event, fix: Fix | None, lines: Lines) -> bool | None:
    """The edit that worked after a failed edit changed other text than it (True), or was the
    very same edit sent again (False); None when no edit worked or either change is unseen."""
    if fix is None or call.tool_name not in EDIT_TOOLS or fix.call.tool_name != call.tool_name:
        return None
    failed, worked = edit_input(call, lines), edit_input(fix.call, lines)
    if failed is None or worked is None:
        return None
    # (an option left at its default, `replace_all: false`, written out or not, is no change)
    return {k: v for k, v in failed.items() if v} != {k: v for k, v in worked.items() if v}


def _shows_fix(episode: Episode, call: Event) -> bool:
    """The span shows a way past the failure that a line may teach: not one that turned a
    check off, forced past git's check or ran as root (the line asks first and names none, so
    its span is no evidence of another line's fix of the same failure)."""
    fix = episode.fix
    if fix is None or not fix.teachable:
        return False
    if _waived(call.text, way_taken(fix)) is not None:
        return False
    remedy = remedy_of(call, fix) if fix.kind is FixKind.REPLACED else None
    return not remedy or not (forcing_flag(call.text, remedy) or as_root(call.text, remedy))


def _told_by_the_error(fix: Fix, error: Event) -> bool:
    """The call that worked is written out whole in the error (git's "use git push
    --set-upstream origin main"), as the program's own advice; a step the error said to run
    first (a precondition the agent might skip) is still a lesson."""
    if fix.kind is FixKind.HINTED or fix.call.tool_name not in SHELL_TOOLS:
        return False
    way = fix.steps[0] if fix.kind is FixKind.FIXER else fix.call  # the fixer, not the rerun
    words = without_git_options(command_head(way.text).split())
    said = " ".join(words)
    return len(words) >= 3 and said in " ".join(error.text[:4000].split())


# A command that opens with a variable (`$B goto …`, `"${TOOL}" run`): the program it holds.
_VARIABLE_HEAD = re.compile(r'^"?\$\{?(?P<name>[A-Za-z_]\w*)\}?"?\s+(?P<next>\S+)')
_LOST_VARIABLE_TEXT = (
    "Each shell call here starts a new shell: a variable set in an earlier call (`B=…`) is "
    "empty in the next, and the word after it runs as the command (“goto: command not "
    "found”); set the variable in the same call, or write its value out."
)
_LOST_VARIABLE_FIX = "set the variable in the same call, or write its value out"
# Harnesses whose every shell call is a new shell (SWE-agent's and OpenHands' shell lasts).
_FRESH_SHELLS = frozenset({"claude_code", "codex"})


def _lost_variable(run: Run, call: Event, signature: str) -> bool:
    """The call ran a program held in a variable that an earlier shell call of the session
    set, and the shell took the word after it for the program: the variable was empty."""
    head = _VARIABLE_HEAD.match(command_head(call.text)) if call.tool_name in SHELL_TOOLS else None
    if head is None or missing_program(signature) != head["next"]:
        return False
    # an assignment as a statement of its own (not `make B=1`, not words in quotes)
    assigned = re.compile(rf"(?:^|[;&|(]|\bexport)\s*{re.escape(head['name'])}=", re.M)
    if assigned.search(split_heredocs(call.text)[0]):
        return False  # set in this very call: something else emptied it
    return any(
        e.kind is EventKind.TOOL_CALL
        and e.tool_name in SHELL_TOOLS
        and e.session == call.session
        and assigned.search(split_heredocs(e.text)[0]) is not None
        for e in run.events[: call.seq]
    )


def _ran_later(run: Run, program: str, failure: Event, failed: Event | None = None) -> bool:
    """A later shell call of the same session ran the program, and worked: it is there (so
    did the failed call itself run again and passing, `npm test` of a missing `vitest`)."""
    again = split_heredocs(failed.text)[0] if failed is not None else None
    calls = {
        e.tool_use_id: e
        for e in run.events[failure.seq + 1 :]
        if e.kind is EventKind.TOOL_CALL and e.tool_name in SHELL_TOOLS and e.tool_use_id
    }
    for result in run.events[failure.seq + 1 :]:
        call = calls.get(result.tool_use_id or "") if result.role == "tool" else None
        if call is None or call.session != failure.session or not is_success(result):
            continue
        if missing_program(result.text[:2000]) == program or SUDO_PASSWORD.search(result.text):
            continue  # the check printed the same failure again (`python -V; echo $?`)
        own = split_heredocs(call.text)[0]
        if own == again:
            return True
        shown = _steps_the_exit_shows(own)
        # a program piped into (`ls | grep x`) ran too: had it been missing, it would have said
        if any(part.split()[:1] == [program] for step in shown for part in PIPE.split(step)):
            return True
    return False


_OPERATOR = re.compile(r"&&|\|\||;|\n")


def _steps_the_exit_shows(command: str) -> list[str]:
    """The steps a call's exit 0 shows ran: those only `&&` follows (`python -V; which
    python3` shows nothing of `python -V`); one piped on (`flow help | head`) when its
    errors were not thrown away, so that a program not found would have said so."""
    head = command_head(command)
    masked = quotes_masked(head)
    bounds = [(m.start(), m.end(), m.group()) for m in _OPERATOR.finditer(masked)]
    steps, start = [], 0
    for begin, end, operator in [*bounds, (len(head), len(head), "")]:
        steps.append((head[start:begin].strip(), masked[start:begin], operator))
        start = end
    shown = []
    for n, (step, bare, _) in enumerate(steps):
        after = [operator for _, _, operator in steps[n:-1]]
        piped_blind = "|" in bare and "2>" in bare
        if step and not piped_blind and all(operator == "&&" for operator in after):
            shown.append(step)
    return shown


SHORT_LIMIT_MS = 60_000  # under a minute a limit is short for a build or an install


def _timed_out(call: Event, failure: Event) -> str:
    """How the call was stopped: under a limit it set itself, or under the tool's own."""
    if call.timeout_ms is not None:
        short = "short " if call.timeout_ms < SHORT_LIMIT_MS else ""
        return f"timed out under the {short}time limit the call set itself"
    stopped = stopped_after(failure.text)
    said = f" ({seconds(round(stopped, -3))})" if stopped else ""
    return f"timed out under the tool's default time limit{said}"


# Codex stops a shell call after a few seconds (10 s) unless the call sets `timeout_ms`: one
# lesson whichever command it stopped, for Codex alone. A `sudo` that timed out waited for a
# password, not for its work.
_CODEX_LIMIT_TEXT = (
    "Codex's default time limit stops a shell call here unless the call sets `timeout_ms` "
    "(“command timed out after … milliseconds”); give long-running commands (installs, "
    "builds, scaffolders) a `timeout_ms` of their own."
)


def _default_limit_stopped(call: Event, failure: Event) -> bool:
    return (
        call.timeout_ms is None
        and stopped_after(failure.text) is not None
        and not SUDO.match(unwrapped(call.text))
        and not _WAITS_FOR_INPUT.search(failure.text[-400:])
    )


# A call stopped while it waited for an answer (`npx`'s "Ok to proceed? (y)", an editor for
# the commit message): no time limit would end that wait.
_WAITS_FOR_INPUT = re.compile(
    r"\?\s*(?:\(y\)|\[y/n\]|\(y/n\))?\s*$|Ok to proceed|Waiting for your editor|›\s*$", re.I
)


def _offline_before_fix(run: Run, episode: Episode) -> bool:
    """A failure between this one and the rerun outside the sandbox that mended both said the
    network was out of reach: the sandbox's network was what stopped this one too."""
    if episode.fix is None:
        return False
    between = run.events[episode.trigger.seq + 1 : episode.fix.call.seq]
    return any(e.kind is EventKind.ERROR and NO_NETWORK.search(e.text[:4000]) for e in between)


def _escalation_refused(run: Run, error: Event, call: Event) -> bool:
    """The next call after the failure reran its command with escalated permissions, and the
    user refused it."""
    for event in run.events[error.seq + 1 : error.seq + _RERUN_WITHIN]:
        if event.kind is not EventKind.TOOL_CALL:
            continue
        if not event.escalated or first_step(event.text) != first_step(call.text):
            return False
        results = run.events[event.seq + 1 : event.seq + _RERUN_WITHIN]
        answer = next((e for e in results if e.tool_use_id == event.tool_use_id), None)
        return answer is not None and answer.kind is EventKind.INTERRUPT
    return False


_RERUN_WITHIN = 12  # events: the rerun and its answer follow the failure at once


def _mode_kept(run: Run, episode: Episode, signature: str) -> bool:
    denied = _SCRIPT_DENIED.search(signature)
    if denied is None or episode.fix_result is None:
        return False
    script = denied.group("script") or denied.group("script2")
    return mode_committed(run.events, episode.fix_result, script)


def _failure_lesson(
    episode: Episode,
    call: Event,
    signature: str,
    harness: str,
    *,
    pwsh_worked: bool = False,
    ran_inside: bool = False,
    sandbox_ran: bool = False,
    workspace: str | None = None,
    kept_folder: bool = False,
    lost_variable: bool = False,
    offline_before_fix: bool = False,
    in_wsl: bool = False,
    moved: Misplaced | None = None,
    pythons: tuple[list[str], str | None] | None = None,
    rewritten: bool | None = None,
    code_page: tuple[str, str] | None = None,
    stepped_in: bool = False,
    utility_way: str | None = None,
    own_key: bool = False,
    secrets_given: frozenset[str] = frozenset(),
) -> tuple[str, str | None] | None:
    """The lesson's text and its fix: a fix only when the run showed it causing success;
    None when the run shows nothing to teach (`ran_inside`: the program the sandbox stopped
    worked inside it at another call; `sandbox_ran`: some call worked inside it;
    `workspace`: the folder the run stood in, the sandbox's writable one; `kept_folder`: the
    shell stood in the folder an earlier call moved into; `moved`: the file read was then
    found at another path of the project; `offline_before_fix`: a failure before the rerun
    outside the sandbox found no network; `in_wsl`: the run stood on a Windows drive under WSL;
    `pythons`: the Store's placeholders the run saw, and the Python that worked in it;
    `rewritten`: the edit that worked changed other text than the failed one, False when it
    was the very same edit, None when unseen; `code_page`: a console's code page refusing a
    character, told with the way past it the span shows; `stepped_in`: the same call passed
    after the user wrote in between; `utility_way`: what the agent did without a machine's
    utility missing, `mine.utilities.done_without`; `own_key`: ssh was given a key the run
    made itself, no key the machine lacks; `secrets_given`: what the way that worked was
    given that the failed call lacked, `mine.given_secrets`)."""
    helper = missing_helper(call, episode.trigger.text)
    if helper is not None:  # the harness's own step failed: one lesson whatever the command
        return missing_helper_text(helper), None
    if harness == "claude_code" and rewritten_words(call, episode.trigger.text):
        # the harness's rewrite of a piped command: one lesson whatever the command
        fix = episode.fix
        return PIPE_REWRITE_TEXT, (way_around(call, fix.call) if fix is not None else None)
    if kept_folder and harness != "codex":  # (Codex runs each command in a fresh shell)
        return kept_cwd_text(harness), None
    if moved is not None:  # where the file lives: no fix to teach, earned by recurring
        return misplaced_text(moved), None
    if mounted_path(call, episode.trigger.text) is not None:
        return DRIVE_PATH_TEXT, (DRIVE_PATH_FIX if episode.fix is not None else None)
    if lost_variable and harness in _FRESH_SHELLS:
        return _LOST_VARIABLE_TEXT, (_LOST_VARIABLE_FIX if episode.fix is not None else None)
    if _WSL_NO_SHELL.search(episode.trigger.text[:2000]):
        return WSL_TEXT, (_PWSH_FIX if pwsh_worked else None)
    if harness == "claude_code" and lost_variables(call, episode.trigger.text):
        # bash took the script's `$variables`: that broke it, whatever else (a `\!`) it shows
        from_file = episode.fix is not None and bool(_FROM_PS1.search(episode.fix.call.text))
        return QUOTING_LESSON, (_FROM_PS1_FIX if from_file else None)
    if escaped_bang(call, episode.trigger.text) and not lost_variables(call, episode.trigger.text):
        from_file = episode.fix is not None and bool(episode.fix.steps)
        return _ESCAPED_BANG_TEXT, (_ESCAPED_BANG_FIX if from_file else None)
    if harness == "claude_code" and broken_heredoc(call, episode.trigger.text) is not None:
        return _HEREDOC_TEXT, (_HEREDOC_FIX if episode.fix is not None else None)
    if paren_in_path(call, episode.trigger.text) is not None:
        return PAREN_PATH_TEXT, (PAREN_PATH_FIX if episode.fix is not None else None)
    if harness == "codex" and heredoc_in_powershell(call, episode.trigger.text):
        return HEREDOC_IN_POWERSHELL_TEXT, _heredoc_way(episode.fix)
    if killed_own_shell(call, episode.trigger):
        return OWN_SHELL_TEXT, None
    if quote_escaped_by_path(call, episode.trigger.text):
        return ESCAPED_QUOTE_LESSON, None
    if pythons is not None:  # (the Python that worked next, or anywhere in the run, is told)
        stubs, working = pythons
        shown = runs_python(episode.fix.call.text, stubs) if episode.fix is not None else None
        text = store_stub_text(stubs, shown or working)
        return text, (f"use `{shown}`" if shown is not None else None)
    if unsplit_variable(call, episode.trigger) is not None:
        return WORD_SPLIT_TEXT, (WORD_SPLIT_FIX if episode.fix is not None else None)
    read_only = read_only_name(call, episode.trigger)
    if read_only is not None:
        return read_only_text(read_only), (RENAME_FIX if episode.fix is not None else None)
    if zsh_parse_error(call, episode.trigger):  # one lesson whatever the script
        return ZSH_PARSE_TEXT, (bash_fix(episode.fix.call.text) if episode.fix else None)
    if harness == "codex" and not call.escalated and launcher_failed(episode.trigger.text):
        escaped = episode.fix is not None and episode.fix.kind is FixKind.ESCALATED
        return NO_BWRAP_TEXT, (ESCALATE if escaped else None)
    fix = episode.fix
    tool = call.tool_name or "tool"
    sig = general_error(signature)
    remedy = remedy_of(call, fix) if fix is not None else None
    waived = _waived(call.text, way_taken(fix)) if fix is not None else None
    if waived is not None:  # a check turned off is no way to teach, whatever it mended
        what = subject(tool, _failed_step(call, signature) or first_step(call.text))
        return f"{what} fails here: “{sig}” (it went through only {waived}; ask first).", None
    if fix is not None and stops_by_id(way_taken(fix)) and not stops_by_id(call.text):
        # that boot's process, by its number (a failed kill's own lesson is its way's)
        what = subject(tool, _failed_step(call, signature) or first_step(call.text))
        return f"{what} fails here: “{sig}” ({STOPPED_BY_ID}).", None
    if fix is not None and remedy is not None and foreign_command(call, episode.trigger.text):
        return _foreign_text(harness), _foreign_remedy(harness)
    switch = switch_as_path(call, episode.trigger.text)
    if switch is not None:  # one wording for every program and switch; the remedy once seen
        return SWITCH_LESSON, (f"double the slash: `/{switch}`" if remedy else None)
    denied = _SCRIPT_DENIED.search(signature)
    if denied:
        return _script_denied_text(denied.group("script") or denied.group("script2"), remedy)
    folder = refused_dot_folder(call, episode.trigger, fix) if harness == "codex" else None
    if folder is not None:
        # the cause is known from the error alone, with or without an escalated rerun seen
        escalated = fix is not None and fix.kind is FixKind.ESCALATED
        return refused_folder_text(folder), (remedy if escalated else None)
    if call.offline and fix is None and HOST_UNRESOLVED.search(episode.trigger.text[:4000]):
        return NO_NETWORK_TEXT, None  # the turn's sandbox kept the network out, by its policy
    waited = fix is not None and fix.kind is FixKind.WAITED
    at_limit = harness == "codex" and _default_limit_stopped(call, episode.trigger)
    if at_limit and (fix is None or waited):
        return _CODEX_LIMIT_TEXT, (remedy if waited else None)
    if refused_shim(call, episode.trigger.text) is not None:  # the machine's execution policy
        # one wording whatever the program; a policy changed is the user's setting: ask first
        if remedy is not None and POLICY_CHANGED.search(way_taken(fix) if fix else remedy):
            return SHIM_POLICY_CHANGED_TEXT, None
        return SHIM_REFUSED_TEXT, (SHIM_REFUSED_FIX if remedy is not None else None)
    if code_page is not None:
        return code_page
    unasked = _terminal_left_out(call, episode.trigger, fix, sig)
    if unasked is not None:
        return unasked
    known = (
        _protected_branch(call, episode.trigger.text)
        or _known_cause(signature, episode.trigger.text)
        or (None if own_key else _no_ssh_key(call, signature, fix))
        or _untracked_for_nix(episode.trigger.text, remedy)
        or _known_shell_cause(call, episode.trigger.text, harness)
    )
    if known is not None:
        text, known_fix = known
        return text, (
            known_fix
            if remedy is not None and fix is not None and _took(known_fix, remedy, fix, signature)
            else None
        )
    if secrets_given:
        return _secret_given_text(call, signature, secrets_given), None
    reached = _reached_off_path(call, episode.trigger, fix)
    if reached is not None:  # there all along: the PATH step or the full path is the way
        return _off_path_text(reached, signature, sig), reached.way
    program = missing_program(signature)
    if program is not None and tool == "Bash" and not _run_by_prepared(program, call, fix):
        return _missing_program_text(program, call, fix if remedy else None, in_wsl, utility_way)
    if tool in EDIT_TOOLS and _STALE_TEXT.search(signature):
        return _edit_text(tool, sig, episode.teachable_fix)
    if tool in EDIT_TOOLS and fix is not None and fix.kind is FixKind.PREPARED and remedy:
        # the file's owner or mode stopped it: the step that changed them, paths cut
        return f"{tool} fails here (“{sig}”); run {code(general_fix(remedy))} first.", remedy
    if tool in EDIT_TOOLS and episode.teachable_fix and rewritten is False:
        return f"{tool} failed once with “{sig}” {PASSED_AGAIN}.", None  # the same edit, again
    if tool in EDIT_TOOLS:  # another refusal (a malformed edit): its cause is not ours to tell
        # an edit written otherwise only when its text is seen to differ from the failed one's
        otherwise = episode.teachable_fix and rewritten
        after = "; an edit written otherwise worked right after" if otherwise else ""
        return f"{tool} failed here: “{sig}”{after or ' ' + NO_FIX_SEEN}.", None
    failed = _failed_step(call, signature)
    if failed is None:  # a module missing for one of several steps, and which one is unknown
        installed = remedy if fix is not None and fix.kind is FixKind.INSTALLED else None
        return _missing_module_text(signature, None, installed), installed
    what = subject(tool, failed)
    verb = _verb(what)
    if fix is not None and fix.kind is FixKind.FIXER and remedy:
        error = episode.trigger.text[:4000]
        checked = mended_check(call.text, remedy, error) or failed
        fixer = code(general_fix(_named_files_cut(remedy, checked, error)))  # `black …`
        check = subject(tool, checked)
        return f"{check} {_verb(check)} here (“{sig}”); run {fixer} first.", remedy
    if fix is not None and fix.kind is FixKind.MOVED:
        return _moved_text(what, sig, call, fix, workspace)
    if fix is not None and fix.kind is FixKind.WAITED and remedy:
        enough = seconds(limit_ms(fix.call) or 0)
        stopped = _timed_out(call, episode.trigger)
        return f"{what} {stopped} and passed once given {enough}; give it {enough} or more.", remedy
    if fix is not None and fix.kind is FixKind.NARROWED and remedy:
        whole = code(shorten_command(first_step(call.text), MAX_COMMAND))
        return (
            f"{whole} over the whole repository timed out here (“{sig}”); on one folder "
            f"({code(remedy)}) it passed: point recursive searches at the folders you need."
        ), remedy
    if fix is not None and fix.kind is FixKind.UNFLAGGED and remedy:
        return _unknown_flag_text(call, fix, sig), remedy
    if fix is not None and fix.kind is FixKind.ESCALATED and remedy:
        return escalated_lesson(
            call,
            episode.trigger,
            remedy,
            workspace=workspace,
            ran_inside=ran_inside,
            sandbox_ran=sandbox_ran,
            offline_before_fix=offline_before_fix,
        )
    if fix is not None and fix.kind is FixKind.OWN_ENVIRONMENT and remedy:
        return (f"{what} {verb} here (“{sig}”); {OWN_PIP_WAY}: {code(remedy)}."), remedy
    replaced = fix is not None and fix.kind is FixKind.REPLACED
    forced = forcing_flag(call.text, remedy) if replaced and remedy else None
    if forced is not None:
        return (
            f"{what} {verb} here: “{sig}” (forced past it with `{forced}`; ask before forcing).",
            None,
        )
    if fix is not None and fix.kind is FixKind.REPLACED and remedy and as_root(call.text, remedy):
        return f"{what} {verb} here: “{sig}” (it worked with `sudo`; ask before using it).", None
    if (
        fix is not None
        and fix.kind is FixKind.REPLACED
        and remedy
        and options_ended(call.text, remedy)
    ):
        # that run's own slip, no rule of the place: told only once it recurs (no remedy)
        return f"{what} {verb} here: “{sig}” ({OPTIONS_ENDED}).", None
    if (
        fix is not None
        and fix.kind is FixKind.REPLACED
        and remedy
        and (
            one_value_changed(call.text, remedy)
            or script_rewritten(call.text, fix.call.text)
            or options_ended(call.text, remedy, dashed=False)
            or argument_asked_for(call.text, remedy, episode.trigger.text)
        )
    ):  # a name or a value corrected (`skills@research` → `skills@tavily-research`), or an
        # inline script written again: what it mended was that run's own slip, no rule of the
        # place
        return f"{what} {verb} here: “{sig}” {NO_FIX_SEEN}.", None
    if fix is not None and fix.kind is FixKind.REPLACED and remedy:
        activated = activation(call.text, fix.call.text)
        if activated is not None:  # the environment made active is what changed
            return (
                f"{what} {verb} here (“{sig}”); activate the project's environment first "
                f"({code(activated)}), then run it."
            ), activated
        env = env_prefix(call.text, remedy)
        if env:
            where = "inside Codex's sandbox here" if sandbox_stopped(harness, episode) else "here"
            program = subject(tool, _runner(failed))
            told = f"{program} {_verb(program)} {where} (“{sig}”)"
            settings, pointed = settings_phrase(env, _setting_told)
            way = f"{RUN_IT_WITH} {settings}"
            return f"{told}; {way}.", (way if pointed else remedy)
        runner = (
            env_runner(failed, remedy) or other_interpreter(call.text, failed, fix.call.text)
            if missing_module(signature)
            else None
        )
        if runner is not None:  # the module is the cause: one wording, whatever the script
            return _module_elsewhere_text(signature, runner, failed), runner
        own = own_interpreter(remedy)
        if own is not None:  # `envs/ml/python.exe`, not the `python.exe` on the PATH
            return f"{what} {verb} here (“{sig}”); {OWN_INTERPRETER} ({code(own)}).", remedy
        binary = other_binary(call.text, remedy)
        if binary is not None:
            name = code(file_name(binary))
            # a program the sandbox could not confine (a snap's): its lesson is Codex's alone
            where = "inside Codex's sandbox here" if sandbox_stopped(harness, episode) else "here"
            return (
                f"{name} on the PATH fails {where} (“{sig}”); use {code(binary)} instead.",
                binary,
            )
        swapped = program_swapped(call.text, remedy, sig)
        if swapped is not None:  # `docker compose -f x.yml logs` → `docker-compose -f x.yml …`
            old, new = swapped
            return f"`{old} …` {verb} here (“{sig}”); use `{new} …` instead.", new
        instead = general_fix(remedy)
        if code(instead) == what or _opens_alike(what, instead):
            # the general forms are alike: the difference is in the args
            if _PATH_ERROR.search(sig):  # other paths: where this run stood, no rule
                return f"{what} {verb} here: “{sig}” (it worked with other paths).", None
            instead = with_arguments(remedy)  # its output's plumbing left out
        if _repeats_the_head(what, instead):
            # "use X instead of X": what changed lies deep in one run's long script
            return f"{what} {verb} here: “{sig}” (it worked written otherwise).", None
        if _says_nothing(instead):  # `a.html`, `…`: the path that worked, its folder cut
            return f"{what} {verb} here: “{sig}” (it worked with the path written otherwise).", None
        return f"{what} {verb} here (“{sig}”); use {code(instead)} instead.", remedy
    if fix is not None and fix.kind is FixKind.PREPARED and remedy:
        # every preparing step, each in its general form (`git rm --cached … && git commit
        # --amend`: the first alone would not do), as long as a remedy may be: a step cut
        # short (a setting's quoted value) could not be run as written
        # a script of that day's (`python -c …`) is no step to teach: the others are
        parts = [p for p in shell_steps(remedy) if not INLINE_SCRIPT.match(unwrapped(p))]
        if offered_by_error(episode.trigger.text, parts):
            return None  # the error said to take that step (git's "stash them"): its own hint
        error = episode.trigger.text[:4000]
        if parts and all(_told_as_program_alone(part, failed, error) for part in parts):
            # `mv …`: every argument was that run's own (its paths), no step left to run
            return f"{what} {verb} here: “{sig}” {NO_FIX_SEEN}.", None
        steps = [general_fix(_named_files_cut(part, failed, error)) for part in parts]
        again = next((part for part in parts if options_added(failed, part)), None)
        if again is not None:  # the failed command with options added: run in its place
            instead = general_fix(again)
            if code(instead) == what or _opens_alike(what, instead):
                instead = with_arguments(again)
            if not _repeats_the_head(what, instead):
                return f"{what} {verb} here (“{sig}”); use {code(instead)} instead.", again
        if not steps or what in (code(step) for step in steps):
            # a step reads as the call itself: which of its kind helped is unsaid
            return f"{what} {verb} here: “{sig}” {NO_FIX_SEEN}.", None
        joiner = step_joiner(command_head(fix.call.text))  # PowerShell 5.1 has no `&&`
        remedy = joiner.join(parts)
        if all(_SWITCHES_BRANCH.match(part) for part in parts):
            # another branch is other work: which branch, and why, is that day's
            return f"{what} {verb} here: “{sig}” (it worked on another branch).", None
        if _repoints_remote(parts):  # which repository, and why, was that day's
            return f"{what} {verb} here: “{sig}” ({REMOTE_REPOINTED}).", None
        return f"{what} {verb} with “{sig}”; run {code(joiner.join(steps))} first.", remedy
    if fix is not None and fix.kind is FixKind.HINTED and remedy:
        return f"{what} {verb} with “{sig}”; run {code(remedy)} first{AS_THE_ERROR_SAYS}", remedy
    if fix is not None and fix.kind is FixKind.INSTALLED and remedy:
        return _missing_module_text(signature, failed, remedy), remedy
    if fix is not None and fix.kind is FixKind.EDITED:
        edited = _files_edited(fix.steps)
        files = f" ({', '.join(edited)})" if edited else ""
        return f"{what} failed with “{sig}” {UNTIL_EDITED}{files}.", None
    if fix is not None and fix.kind is FixKind.RETRIED:
        return f"{what} failed once with “{sig}” {PASSED_AGAIN}.", None
    if stepped_in:  # it did pass: "no fix seen" would call it unmended
        return f"{what} {verb} here: “{sig}” {AFTER_USER_STEP}.", None
    if harness == "codex" and SANDBOX_DENIED.search(episode.trigger.text[:4000]):
        # a socket or a write Codex's sandbox refused, no rerun outside it seen: the sandbox's
        # (the person's own setting), not the project's
        return f"{what} {verb} inside Codex's sandbox here: “{sig}” {NO_FIX_SEEN}.", None
    return f"{what} {verb} here: “{sig}” {NO_FIX_SEEN}.", None


# A step that moves to another existing branch (not one it makes: `-b`, `-c`).
_SWITCHES_BRANCH = re.compile(r"^git\s+(?:checkout|switch)\s+(?!-[bBcC]\b)(?!--)[^\s-]\S*\s*$")
# A step that sets a git remote, and one that takes its old address away.
_SETS_REMOTE = re.compile(r"^git\s+remote\s+(?:add|remove|rm|rename|set-url)\s")
_UNSETS_REMOTE = re.compile(r"^git\s+remote\s+(?:remove|rm|rename|set-url)\s")


def _repoints_remote(steps: Sequence[str]) -> bool:
    """Every step sets a git remote and one takes its old address away (`git remote set-url
    origin …`, `git remote remove origin && git remote add origin …`): the repository the
    call reached changed."""
    return all(_SETS_REMOTE.match(step) for step in steps) and any(
        _UNSETS_REMOTE.match(step) for step in steps
    )


# A program and `…` alone, with its settings or a wrapper that runs it as root (`sudo mv …`).
_PROGRAM_ALONE = re.compile(r"^(?:\S+=\S*\s+)*(?:(?:sudo|doas)(?:\s+-\S+)*\s+)?[^\s=]+ …$")


def _says_nothing(told: str) -> bool:
    """A remedy told as a bare file name (`stats.html`) or as nothing but `…`: no program,
    no step, nothing the next run could do (a program's own file, `node.exe`, runs)."""
    words = [w.strip("\"'") for w in told.split()]
    if all(w == "…" for w in words):
        return True
    return len(words) == 1 and bool(_PATH_LIKE.match(words[0])) and not _RUNNABLE.search(words[0])


_RUNNABLE = re.compile(r"\.(?:exe|cmd|bat|com)$", re.I)


def _told_as_program_alone(step: str, failed: str, error: str) -> bool:
    """The step's general form is its program and `…`, every argument cut as one run's own
    (`mv …` of `mv ~/themes/A ~/themes/a`): it tells nothing to run. The failed program run
    on the file its error named (`black …`) is told so on purpose: the program is the step."""
    if _named_files_cut(step, failed, error) != step:
        return False
    return _PROGRAM_ALONE.match(general_fix(step)) is not None


def _named_files_cut(step: str, failed: str, error: str) -> str:
    """The failed program run again on a file its error named (the formatter on the file it
    would reformat, the linter fixing the one it found at fault), told up to that file, `…`:
    the file was that day's, the program on what it names is the step. Another program's
    file, named by the error (a settings file made from its example), is the project's."""
    words = unwrapped(step).split()
    named = error.replace("\\", "/")
    for at, word in enumerate(words[1:], start=1):
        bare = word.strip("\"'").replace("\\", "/").removeprefix("./")
        if not _PATH_LIKE.match(bare) or _OPTION_WITH_VALUE.match(words[at - 1]):
            continue  # a version, a pin, a package (`torch==2.1`, `react@18`), an option's value
        if re.search(rf"(?<![\w./-]){re.escape(bare)}(?![\w/-])", named) is None:
            continue
        program = [w for w in words[:at] if not w.startswith("-")]
        if any(_opens_with(one, program) for one in shell_steps(failed)):
            return " ".join([*words[:at], "…"])
        return step
    return step


# A file's name or path: its last part with a suffix in letters (`src/a.py`, `setup.cfg`), no
# version (`3.12`), pin (`x==2.1`) or package (`react@18.2.0`).
_PATH_LIKE = re.compile(r"^[\w./-]*[\w-]\.[A-Za-z][A-Za-z0-9]{0,5}$")
# An option that takes the next word as its value (`--python 3.12`, `--config ruff.toml`).
_OPTION_WITH_VALUE = re.compile(
    r"^(?:-[cfpo]|--(?:config|config-file|rcfile|settings|python|project|file|output|target"
    r"|manifest-path|index-url|extra-index-url|requirement|constraint|env-file))$"
)


def _opens_with(command: str, program: list[str]) -> bool:
    """The command's words, its options left out, open with `program`'s."""
    words = [w for w in unwrapped(command).split() if not w.startswith("-")]
    return words[: len(program)] == program


def _opens_alike(what: str, instead: str) -> bool:
    """The way's general form (`php artisan test …`) is the failed command's opening words:
    said so, the line would name the failed command as its own way."""
    opening = instead.removesuffix("…").rstrip()
    return instead.endswith("…") and what.strip("`").startswith(opening + " ")


def _repeats_the_head(what: str, instead: str) -> bool:
    """The way, as it would be shown, opens with the failed command's whole shown head (cut
    short, `…`): the line would name the failed command as its own way."""
    shown = what.strip("`").removesuffix("…")
    return what.strip("`").endswith("…") and instead.startswith(shown)


def _verb(subject: str) -> str:
    """The verb of a subject: "fail" for a folder's scripts, "fails" for one command."""
    return "fail" if subject.startswith("Scripts") else "fails"


# What worked when an argument that opens with a dash was read as an option.
OPTIONS_ENDED = "an argument that opens with `-` is read as an option: put `--` before it"


def _terminal_left_out(
    call: Event, trigger: Event, fix: Fix | None, sig: str
) -> tuple[str, str] | None:
    """The lesson of a call that worked once the flags asking for a terminal were left out,
    after its error said there is none; None otherwise."""
    if fix is None or fix.kind is not FixKind.REPLACED:
        return None
    changes = terminal_dropped(call.text, trigger.text, fix.call.text)
    return None if changes is None else (no_terminal_text(changes, sig), changes.remedy)


def _unknown_flag_text(call: Event, fix: Fix, sig: str) -> str:
    """One wording for a flag the program here does not know, whatever the call's
    arguments: the flags it lacks, and what worked (leaving them out, or their new names)."""
    changes = flag_changes(call.text, fix.call.text, fix.offered)
    lacked = [*changes.dropped, *(old.partition("=")[0] for old, _ in changes.renamed)]
    flags = " or ".join(code(flag) for flag in lacked)
    todo = [f"use {code(new)} for {code(old)}" for old, new in changes.renamed]
    if changes.dropped and not todo and values_kept(call.text, fix.call.text, changes.dropped):
        one = len(lacked) == 1
        todo = ["give its value without the flag" if one else "give their values without them"]
    elif changes.dropped and not todo:
        # only left out: what any agent does next (`FLAGS_LEFT_OUT`, earned once it recurs)
        return f"{code(changes.program)} has no {flags} flag here (“{sig}”)" + (
            FLAGS_LEFT_OUT[0] if len(lacked) == 1 else FLAGS_LEFT_OUT[1]
        )
    # beside another name, the flags left out go without saying: the name is the lesson
    return (
        f"{code(changes.program)} has no {flags} flag here (“{sig}”); "
        f"{' and '.join(todo)} (that worked)."
    )


def _moved_text(
    what: str, sig: str, call: Event, fix: Fix, workspace: str | None
) -> tuple[str, str | None]:
    """The command failed for want of its manifest where it ran and worked from a folder
    below: that folder, named from the project's root (`apps/web`), and the way to run it
    there; no way when either folder lies outside the project."""
    where = _in_project(moved_into(call.text), workspace)
    there = _in_project(moved_into(fix.call.text), workspace)
    verb = _verb(what)
    if where is None or there is None or there == ".":
        return f"{what} {verb} here: “{sig}” (it worked run from a folder below).", None
    way = f"cd {there} && {unplumbed(fix.call.text)}"
    place = "at the project root" if where == "." else f"in {code(where)}"
    return f"{what} {verb} {place} here (“{sig}”); run it from {code(there)} ({code(way)}).", way


def _in_project(folder: str | None, workspace: str | None) -> str | None:
    """A folder a call moved into, named from the project's root (`.` for the root itself); a
    relative one as written; None when it lies outside the project or climbs (`..`)."""
    if not folder or ".." in folder.split("/") or folder.startswith(("~", "$")):
        return None
    folder = folder.rstrip("/") or "/"
    if not folder.startswith("/"):
        return folder.removeprefix("./") or "."
    root = (workspace or "").rstrip("/")
    if not root or (folder != root and not folder.startswith(f"{root}/")):
        return None
    return folder[len(root) + 1 :] or "."


_PATH_ERROR = re.compile(
    r"No such file or directory|cannot (?:create|stat|access)|ENOENT|does not exist", re.I
)


def _pwsh_that_worked(run: Run, error: Event, lines: Lines) -> Event | None:
    """The result of the first PowerShell call after the error, near it, that exited 0. The
    harness keeps only the script of a call, so the shell is read from the call's own lines."""
    calls: dict[str, Event] = {}
    for event in run.events[error.seq + 1 :]:
        if event.ref.line_start - error.ref.line_end > MAX_EVIDENCE_LINES:
            break
        if event.kind is EventKind.TOOL_CALL and event.tool_use_id:
            said = lines_text(lines, event.ref.line_start, event.ref.line_end) or ""
            if _PWSH.search(said):
                calls[event.tool_use_id] = event
        elif (
            event.kind is EventKind.TOOL_RESULT
            and event.tool_use_id in calls
            and event.exit_code in (0, None)
        ):
            return event
    return None


def _missing_module_text(signature: str, step: str | None, install: str | None) -> str:
    """One wording for a module missing from an interpreter, whatever the script; the
    interpreter unnamed when the error does not say which step raised it; the module unnamed
    when the error names none (`ImportError: X requires SQLAlchemy`)."""
    named = missing_module(signature)
    what = f"The module `{named[0]}`" if named else "A package"
    who = f" for `{interpreter(general_command(step))}`" if step is not None else ""
    path = _program_path(step) if step is not None else None
    if path is not None:  # `"C:/…/Python312/python.exe" x.py`: which python is the point
        who += f" at `{path.rsplit('/', 1)[0]}/`"
    said = f"{what} is not installed{who} here (“{shorten(signature, 90)}”)"
    if install is None:
        return f"{said} {NO_FIX_SEEN}."
    installing = general_command(install)
    if path is not None and _program_path(install) == path:
        installing = f"{path} {installing.split(' ', 1)[-1]}"
    return f"{said}; install it with {code(installing)}."


def _program_path(command: str) -> str | None:
    """The program of a command given by its path (`"C:/Py312/python.exe" -m pip …`), with
    `/` for `\\`, or None when the shell looks it up."""
    words = command_head(command).split()
    first = words[0].strip("\"'").replace("\\", "/") if words else ""
    return first if "/" in first.rstrip("/") else None


def _heredoc_way(fix: Fix | None) -> str | None:
    """How the code got past PowerShell's refused `<<`, as the run did it."""
    if fix is None:
        return None
    return HERE_STRING_FIX if piped_here_string(fix.call.text) else HEREDOC_IN_POWERSHELL_FIX


def _failed_step(call: Event, signature: str) -> str | None:
    """What failed: the call, the step of its command line its error names (`chain_step`),
    or for an import error the step that ran the interpreter (not `ls` of `ls data && python3
    x.py`), None when that is unknown."""
    if call.tool_name not in SHELL_TOOLS:
        return call.text
    named = named_step(call.text, signature)
    if named is not None:  # `mkdir -p x && ls x`: "mkdir: …"; "… to use 'conda activate'"
        return named
    steps = shell_steps(call.text)
    if len(steps) <= 1:
        return call.text
    if _GIT_HOOK.search(signature):  # `git add x && git commit`: the commit's hook failed
        hooked = next((m for s in steps if (m := _HOOKED.match(s)) is not None), None)
        return hooked.group(0).strip() if hooked is not None else call.text
    if _PUSH_SAYS.search(signature) and not any(_FETCHED.match(s) for s in steps):
        # `git add . && git commit && git push`: the push's (a fetch or a pull says the same)
        pushed = next((s for s in steps if _PUSHED.match(s)), None)
        if pushed is not None:
            return pushed.strip()
    gits = [step for step in steps if _GIT_STEP.match(step)]
    others = [step for step in steps if not _GIT_STEP.match(step)]
    if _GIT_SAYS.match(signature) and len(gits) == 1 and all(map(only_reads, others)):
        return gits[0]  # `ls .git/HEAD && git commit`: git's (a `pip install` may run git too)
    if missing_module(signature) is None:
        return call.text
    return importing_step(call.text, signature)


# A git hook failing (husky's, pre-commit's): it runs on the commit or the push of a chain.
_GIT_HOOK = re.compile(r"\.husky/|\bpre-commit\b|\bpre-push\b|\bcommit-msg\b|\bhook\b", re.I)
_HOOKED = re.compile(r"^\s*git\s+(?:-\S+\s+)*(?:commit|push)\b")
# How git words its own errors, and a step that runs it.
_GIT_SAYS = re.compile(
    r"^(?:fatal: |error: (?:pathspec|failed to push|Your local changes|cannot lock ref|"
    r"src refspec|unable to (?:create|unlink|write))\b)"
)
_GIT_STEP = re.compile(r"^\s*git\s")
# What a push says when the remote refused it, or there is none (a fetch may say it too).
_PUSH_SAYS = re.compile(
    r"No configured push destination|^remote: error:|\[(?:remote )?rejected\]|failed to push"
    r"|\bnon-fast-forward\b|\bhas no upstream branch\b|Could not read from remote repository",
    re.M,
)
_GIT_OPTIONS = r"^\s*git\s+(?:-C\s+\S+\s+|-c\s+\S+\s+|-\S+\s+)*"
_PUSHED = re.compile(_GIT_OPTIONS + r"push\b")
# A step that reads from a remote (or names one), whose errors a push's look like.
_FETCHED = re.compile(
    _GIT_OPTIONS + r"(?:fetch|pull|clone|ls-remote|remote|submodule|lfs)\b"
    r"|^\s*(?:gh|glab)\s+repo\s+(?:clone|fork|sync)\b"
)


_PYTHON = re.compile(r"python[\d.]*(?:\.exe)?$", re.I)


def _module_elsewhere_text(signature: str, runner: str, failed: str) -> str:
    """A module the interpreter on the PATH (or another environment's, named by its path in
    the failed step) lacks and an environment's has: the rule is the environment, whatever the
    script; the error in its own words (not pytest's `E` before them), so that every run of it
    says the same."""
    module, said = missing_module(signature) or ("?", signature)
    first = unplumbed(failed).split()[:1]
    lacking = first[0].strip("\"'") if first else ""
    by_path = ("/" in lacking or "\\" in lacking) and _PYTHON.match(file_name(lacking))
    program = lacking if by_path else file_name(runner.split()[-1])
    return (
        f"`{program}`{LACKS_MODULE}`{module}` (“{shorten(said, 90)}”); run it as "
        f"{code(runner + ' …')}."
    )


def _edit_text(tool: str, sig: str, fixed: bool) -> tuple[str, str | None]:
    """One wording for an edit that did not apply, whatever the file, so that every file and
    session it happens in supports the same lesson."""
    text = (
        f"{tool} failed with “{_one_edit_error(sig)}”: the text to replace was not the file's "
        "current text."
    )
    if not fixed:
        return text, None
    return text[:-1] + "; re-read the file and copy its exact text (that edit then worked).", (
        "re-read the file"
    )


_EXPECTED_LINES = re.compile(r"Failed to find expected lines", re.I)


def _one_edit_error(sig: str) -> str:
    """aider's ways of saying a SEARCH/REPLACE block did not match, across its versions and
    edit formats, and Codex's apply_patch whatever lines it quotes, as one error each: one
    lesson, not one per wording or per file named."""
    if _SEARCH_REPLACE.search(sig):
        return "SEARCH/REPLACE block failed to match"
    if _EXPECTED_LINES.search(sig):  # Codex's apply_patch, which quotes the lines it looked for
        return "apply_patch verification failed: Failed to find expected lines in …"
    return sig


# The user's shell setup makes `cd` zoxide's `z`, whose helper the agent's shell lacks.
_ZOXIDE_CD = re.compile(r"command not found: __zoxide_z|__zoxide_z: (?:command )?not found")
_ZOXIDE_CD_TEXT = (
    "`cd` here is zoxide's `z` (from the user's shell set-up), which the agent's shell cannot "
    "run (“command not found: __zoxide_z”); give commands absolute paths instead of `cd`."
)
# GitHub's pre-receive refusal of a file over its limit, in any commit of the push.
_TOO_LARGE_FOR_GITHUB = re.compile(
    r"exceeds GitHub's file size limit|\bGH001: Large files detected"
)
_TOO_LARGE_FOR_GITHUB_TEXT = (
    "GitHub refuses a push when any of its commits holds a file over 100 MB (“… exceeds "
    "GitHub's file size limit of 100.00 MB”): keep build outputs and large binaries out of "
    "commits (look at `git status` before `git add -A`; a `.gitignore` entry does not untrack "
    "a file already added); untrack it with `git rm --cached`, then rewrite the commit that "
    "added it (`git commit --amend` when it is the last) before pushing again."
)
_UNTRACK_LARGE = "untrack the file (`git rm --cached`) and amend the commit"
# Nix flakes read the files git tracks, not the working tree: a file never staged is not
# there ("Path '…' in the repository … is not tracked by Git").
_NIX_UNTRACKED = re.compile(r"\bin the repository\b.{0,300}?\bis not tracked by Git\b", re.S)
NIX_UNTRACKED_TEXT = (
    "Nix flakes see only files git tracks: `git add` new or moved files before `nix flake "
    "check` / `nixos-rebuild` / `nix build` (“… is not tracked by Git”, or “path "
    "'/nix/store/…-source/…' does not exist”)."
)
_STAGE_FOR_NIX = "`git add` the new or moved files"
# A flake's source copied into the store without a file it imports (“error: path
# '/nix/store/…-source/modules/x.nix' does not exist”): untracked, when staging it mended it.
_NOT_IN_FLAKE_SOURCE = re.compile(r"\bpath '/nix/store/[^'/]+-source/[^']*' does not exist")
_STAGES = re.compile(r"(?:^|[;&|]\s*)git\s+(?:-C\s+\S+\s+)?add\b")
# What takes a file back out of the commits: untracked and amended, or the history rewritten.
_UNTRACKED = re.compile(r"\brm\b[^|;&]*--cached\b|\bfilter-(?:repo|branch)\b|\breset\b")
_NO_SSH_KEY_TEXT = "SSH has no key here that the agent can use (“Permission denied (publickey)”)"
_GH_HELPER_STEP = "`gh auth setup-git` (it makes gh git's credential helper)"


def _no_ssh_key(call: Event, signature: str, fix: Fix | None) -> tuple[str, str | None] | None:
    """ssh refused every key it offered: the agent has no key here; git's when the call was
    git's. The way past it the run showed, the same git command to an `https://` URL (gh
    made git's credential helper first, or not), is told; with no way seen (an escalated
    rerun, another remote: other lessons), ask the user, never create keys."""
    if not NO_SSH_KEY.search(signature):
        return None
    if fix is not None and fix.kind is FixKind.REPLACED and is_over_https(fix.call):
        helped = bool(fix.steps) or makes_gh_helper(fix.call.text)
        first = f"run {_GH_HELPER_STEP}, then " if helped else ""
        return (
            f"{_NO_SSH_KEY_TEXT}: git over SSH fails; {first}give git the remote's `https://` "
            "URL instead of its SSH one (that worked here)."
        ), f"{'`gh auth setup-git`, then ' if helped else ''}git over HTTPS"
    if fix is not None:
        return None
    if not _GIT_STEP.match(command_head(call.text)):
        return f"{_NO_SSH_KEY_TEXT}; ask the user to run what needs it, never create keys.", None
    return (
        f"{_NO_SSH_KEY_TEXT}: git over SSH (fetch, pull, push, clone) fails; ask the user to "
        "run it, never create keys or change the remote."
    ), None


_NO_GIT_IDENTITY = re.compile(
    r"empty ident name|Please tell me who you are|unable to auto-detect email address"
)


_ESCAPED_BANG_TEXT = (
    "Claude Code's Bash tool here passes a `!` on as `\\!` (jq's `!=`, awk's `!~`, an inline "
    "`node -e` or here-document script), which breaks the code it runs (“\\!” in the "
    "program's error); put such code in a file (the Write tool) and run the file."
)
_ESCAPED_BANG_FIX = "run the code from a file"
# A PowerShell script run from its file, out of bash's reach.
_FROM_PS1 = re.compile(r"\b(?:powershell|pwsh)(?:\.exe)?\b.*\s-File\s", re.I)
_FROM_PS1_FIX = "run the script from a .ps1 file with `powershell -File`"
_HEREDOC_TEXT = (
    "A long here-document written into a file through Claude Code's Bash tool (`cat > f <<'EOF' … "
    "EOF`) fails here when its body holds quotes (“unexpected EOF while looking for "
    "matching …”); write the file with the Write tool instead."
)
_HEREDOC_FIX = "write the file with the Write tool"


def _untracked_for_nix(error: str, remedy: str | None) -> tuple[str, str | None] | None:
    """Nix refusing a file git does not track (told by the error, its end or its start), or
    a flake's source in the store missing a file that staging then brought: the rule."""
    said = error if len(error) <= 8000 else f"{error[:4000]}\n{error[-4000:]}"
    staged = remedy is not None and _STAGES.search(remedy) is not None
    if _NIX_UNTRACKED.search(said) or (staged and _NOT_IN_FLAKE_SOURCE.search(said)):
        return NIX_UNTRACKED_TEXT, _STAGE_FOR_NIX
    return None


def _protected_branch(call: Event, error: str) -> tuple[str, str] | None:
    """A push refused by the remote's branch protection: the project's rule, one lesson
    whatever the push; its way seen only as another branch pushed or a pull request opened
    (`fixes.find_fix` takes no other call for its fix)."""
    refused = protected_refusal(call, error)
    return (protected_text(refused), PROTECTED_FIX) if refused is not None else None


def _secrets_given(call: Event, fix: Fix | None) -> frozenset[str]:
    """What the way that worked was given that the failed call lacked (`FixKind.SECRET_GIVEN`)."""
    if fix is None or fix.kind is not FixKind.SECRET_GIVEN:
        return frozenset()
    return given_secrets(call.text, way_taken(fix))


def _secret_given_text(call: Event, signature: str, given: frozenset[str]) -> str:
    """A failure passed only once given a secret: sudo's password is sudo's lesson; any
    other says so, and names no way."""
    if SUDO_STDIN in given:
        return _SUDO_ASKS_TEXT
    what = subject(call.tool_name, _failed_step(call, signature) or first_step(call.text))
    return f"{what} {_verb(what)} here: “{general_error(signature)}” {SECRET_GIVEN}."


_SUDO_ASKS_TEXT = (
    "`sudo` asks for a password here, which the agent cannot give (“a terminal is required” / "
    "“[sudo] password for …”); ask the user to run such commands."
)


def _sudo_refused(signature: str, error: str) -> bool:
    """sudo could not get a password: the error line says so, or sudo's own line does in
    the output of the program that ran it, among its last lines (a script that went on
    without sudo and failed later failed at what it says last)."""
    last = "\n".join(error[:4000].rstrip().splitlines()[-_SUDO_LAST_LINES:])
    return SUDO_PASSWORD.search(signature) is not None or sudo_got_no_password(last) is not None


_SUDO_LAST_LINES = 3  # sudo's two lines, then the program's own last one


def _known_cause(signature: str, error: str) -> tuple[str, str | None] | None:
    """The lesson of an error whose cause the error (its line, `signature`, or for sudo its
    whole output) tells, with its remedy, or None."""
    if _CRLF.search(signature):
        return (
            "Shell scripts here have Windows (CRLF) line endings, so running them fails "
            "(“bash\\r” / “$'\\r': command not found”); convert them to LF first "
            "(`sed -i 's/\\r$//'` or `dos2unix`), helper scripts they source included."
        ), "convert the scripts to LF"
    bundled = BUNDLED_SEARCH.search(signature)
    if bundled:
        return (
            "Claude Code's Grep and Glob tools cannot start their bundled ripgrep here (“spawn "
            f"…/rg {bundled['code']}”); search through Bash instead: `grep -rn` for text, "
            "`find` for file names."
        ), "search through Bash"
    if _sudo_refused(signature, error):
        return _SUDO_ASKS_TEXT, None
    if _NO_GIT_IDENTITY.search(signature):
        return (
            "git has no user name or e-mail set here (“Please tell me who you are” / “empty "
            "ident name”); ask the user which identity to commit with, never make one up."
        ), None
    if _ZOXIDE_CD.search(signature):
        return _ZOXIDE_CD_TEXT, "give commands absolute paths instead of `cd`"
    if _TOO_LARGE_FOR_GITHUB.search(signature):
        return _TOO_LARGE_FOR_GITHUB_TEXT, _UNTRACK_LARGE
    if _ZSH_EQUALS.search(signature):
        return (
            "The shell here is zsh: an unquoted word opening with `=` is taken for a "
            "command's path (`=name`) and the command fails (“= not found”, “==… not found”): "
            "write `=`, not `==`, inside `[ ]`, and quote separators (`echo '==='`)."
        ), _QUOTE_THE_ARGUMENT
    if ZSH_PATTERN_ERROR.search(signature):
        return (
            "The shell here is zsh: an unquoted argument holding `[ ]`, `*`, `?` or `( )` is "
            "taken for a file pattern and the command fails (“no matches found: …”, “bad "
            "pattern: …”, “… glob qualifier”); quote such arguments (`'.[dev]'`, "
            "`'src/app/(group)/page.tsx'`)."
        ), _QUOTE_THE_ARGUMENT
    return None


_QUOTE_THE_ARGUMENT = "quote the argument"
# zsh's `=name` expansion (its EQUALS option) finding no command `name`: a separator echoed
# unquoted (`echo ===`) fails with the word, less its first `=`, "not found".
_ZSH_EQUALS = re.compile(r"^(?:zsh|\(eval\)):(?:\d+:)? =\S* not found$", re.M)


_CHMOD = "chmod +x"


def _script_denied_text(script: str, remedy: str | None) -> tuple[str, str | None]:
    """Scripts that are not executable, and the way the run showed working: through their
    interpreter (`python3 tools/x.py`), or made executable. A shell script with no fix seen
    gets the two usual ways; no other script is told how (`bash` would run Python as shell)."""
    script = script.removeprefix("./")
    folder = script.rsplit("/", 1)[0] + "/" if "/" in script else ""
    where = f"Scripts in `{folder}`" if folder else "Scripts here"
    said = f"{where} are not executable (“permission denied”)"
    runner = remedy.split()[0].rsplit("/", 1)[-1] if remedy else ""
    if (
        remedy
        and runner not in _SHELLS
        and runner != "chmod"
        and script.rsplit("/", 1)[-1] in remedy
    ):
        return f"{said}; run them with `{runner}`.", f"{runner} {script}"
    if script.endswith((".sh", ".bash")):
        return (
            f"{said}; run them through `bash`, or make them executable (`chmod +x`) if the "
            "project agrees."
        ), (_CHMOD if remedy else None)
    if remedy and runner == "chmod":
        return f"{said}; make them executable (`chmod +x`) if the project agrees.", _CHMOD
    return f"{said}.", None


# How a retry got through, said without the words that would teach it (a line saying "turn
# off the certificate check" would itself be the advice the tripwires stop).
_WAIVED = {
    Danger.TLS_OFF: "without the TLS certificate check",
    Danger.HOOKS_OFF: "without the git hooks",
    Danger.SIGNATURES_OFF: "without the signature check",
    Danger.SYSTEM_PACKAGES: "by overriding the system's package protection",
    Danger.SAFETY_OFF: "without a safety check",
    Danger.ERRORS_OFF: "without stopping on errors",
    Danger.REMOTE_CODE: "by running a script fetched from the network",
    Danger.BROAD_DELETE: "by deleting broadly",
    Danger.HOME_OPENED: "by opening the home folder to every user",
}


def _waived(failed: str, way: str) -> str | None:
    """How the way that worked got through, when it waived a check the failed command kept
    (`curl -k` after `curl`, `--trusted-host`, `git commit --no-verify`)."""
    for finding in added_dangers(failed, way):
        if finding.danger in _WAIVED:
            return _WAIVED[finding.danger]
    return None


def _setting_told(assignment: str) -> str:
    """`NAME=value` as a lesson says it: a value naming one instance (`SPECIFY_FEATURE=001-
    login-form`, a feature of that day) cut; a place (`GOCACHE=/tmp/go-build`) or a plain
    word (`PYTHONPATH=src`) kept, since it is what worked; a value with a secret redacted in it
    is cut too."""
    name, value = assignment.split("=", 1)
    bare = value.strip("\"'")
    # `PYTHONPATH=src:$PYTHONPATH` is `PYTHONPATH=src`, the value there before kept after it
    added = [part for part in bare.split(":") if part not in (f"${name}", f"${{{name}}}")]
    # (never PATH's own: `PATH=/usr/local/go/bin` alone would hide every other program)
    if added and len(added) < len(bare.split(":")) and name != "PATH":
        bare = ":".join(added)
        assignment = f"{name}={bare}"
    if "[REDACTED:" in bare:  # a value that cannot be run as written: the variable is the lesson
        return f"{name}=…"
    place = bare.startswith(("/", "~", "$", "."))
    return f"{name}=…" if names_instance(bare) and not place else assignment


_WSL_DRIVE = re.compile(r"^/mnt/[a-z](?:/|$)")
_SETTING = re.compile(r"\b(?P<name>[A-Z_][A-Z0-9_]*)=(?P<value>[^\s`\"']+)")
_ROOT_HOME = re.compile(r"^/root(?:/|$)")  # root's home, which `home_folder` leaves alone


def _runner(command: str) -> str:
    """The program and its subcommands or module, without the files and flags of that one
    call (`python -m pytest tests/test_io.py -x` → `python -m pytest …`): a variable the
    program needed is the program's, whatever it was given."""
    words = general_command(command).split()
    kept = words[:1]
    for position, word in enumerate(words[1:], start=1):
        module = "-m" in (word, kept[-1])  # `python -m pytest`: the module is the program
        if position == 1 and _INTERPRETER.match(kept[0]) and _FILE_WORD.match(word):
            kept.append(word)  # `python scripts/seed.py`: the script is the program
            return " ".join([*kept, "…"]) if len(words) > 2 else " ".join(kept)
        # a quoted word is an argument (`rails runner "User.count"`'s script), no subcommand
        argument = word.startswith(("-", '"', "'")) or "/" in word or "." in word
        if not module and (argument or word == "…"):
            return " ".join([*kept, "…"])
        kept.append(word)
    return " ".join(kept)


_INTERPRETER = re.compile(
    r"^(?:python[\d.]*|node|bash|sh|zsh|ruby|perl|php|deno|bun|tsx|ts-node|Rscript|lua)$"
)
_FILE_WORD = re.compile(r"^[^-\s][^\s]*(?:/|\.[A-Za-z]\w*$)")


def _from_project(text: str, cwd: str) -> str:
    """Paths in the folder the run worked in, written from there (`~/code/geo/scripts/x.sh`
    in `~/code/geo` is `scripts/x.sh`, `PYTHONPATH=~/code/geo/src` is `PYTHONPATH=src`): they
    hold in every checkout, and name no one's home."""
    folder = cwd.rstrip("/")
    home = home_folder(folder) or ("/root" if _ROOT_HOME.match(folder) else None)
    homed = "~" + folder[len(home) :] if home else folder
    roots = {folder, homed}
    for root in roots:
        # not a home folder itself (`~/.bashrc` is the person's), nor `/` or `/srv`
        if homed != "~" and root.count("/") >= (1 if root.startswith("~") else 2):
            text = re.sub(rf"(?<![\w./~-]){re.escape(root)}/(?=[\w.-])", "", text)

    def from_project(part: str) -> str:
        for root in roots:
            if part == root:
                return "."
            if part.startswith(root + "/"):
                return part[len(root) + 1 :]
        return part

    def rewrite(found: re.Match[str]) -> str:
        parts = found["value"].split(":")
        return f"{found['name']}={':'.join(map(from_project, parts))}"

    return _SETTING.sub(rewrite, text)


def _took(known_fix: str | None, remedy: str, fix: Fix, signature: str) -> bool:
    """The way that worked is the known way: for zsh's pattern, the word it refused quoted
    (`ls | grep auth` got round it another way, and shows no quoting); for a file too large
    for GitHub, the file untracked or the history rewritten; for a file Nix did not see, the
    file staged; for a Windows path's eaten backslashes, the call that worked (its `cd` too,
    which the remedy leaves out) writing it with forward slashes."""
    if known_fix == _UNTRACK_LARGE:  # (`git lfs` got past it another way)
        return _UNTRACKED.search(remedy) is not None
    if known_fix == _STAGE_FOR_NIX:
        return _STAGES.search(remedy) is not None
    if known_fix == BACKSLASHES_EATEN_FIX:
        return _FORWARD_SLASHED.search(fix.call.text) is not None
    unmatched = ZSH_NO_MATCH.search(signature) if known_fix == _QUOTE_THE_ARGUMENT else None
    if unmatched is None:
        return True
    word = unmatched["word"].strip()
    return any(f"{q}{word}{q}" in remedy for q in ("'", '"')) or f"\\{word[:1]}" in remedy


def _known_shell_cause(call: Event, error: str, harness: str) -> tuple[str, str | None] | None:
    """The lesson of a failure that the shell itself explains, with no fix shown: Git Bash
    crashing before the command ran, or a cmd or PowerShell command given to bash."""
    if _SHELL_CRASH.search(error[:2000]):
        # a warning: what worked instead (the user's own terminal, a subagent) differs from
        # run to run and lies outside the crash's span
        return (
            "Git Bash here crashes on some calls before the command runs "
            "(“bash.exe: *** fatal error - …”): the command did nothing, and the fault is the "
            "shell's, not the command's."
        ), None
    if _NO_CHAIN_OPERATOR.search(error[:4000]):
        return _NO_CHAIN_OPERATOR_TEXT, None
    if foreign_command(call, error) is not None:
        return _foreign_text(harness), None
    if harness == "claude_code" and _CD_BLOCKED.search(error[:2000]):
        return _CD_BLOCKED_TEXT, None
    if harness == "codex" and posix_in_powershell(call, error) is not None:
        return POSIX_IN_POWERSHELL_TEXT, None
    if harness == "codex" and cmd_in_powershell(call, error) is not None:
        return CMD_IN_POWERSHELL_TEXT, CMD_IN_POWERSHELL_FIX
    if _HERE_STRING_HEADER.search(error[:4000]):
        return _HERE_STRING_TEXT, None
    if closed_beside_more(call, error):
        return _HEREDOC_CLOSING_TEXT, None
    refused = code_page_refused(error)
    if refused is not None:  # the way the run showed is told before (`code_page_way`)
        return refused, None
    if backslashes_eaten(call, error):  # its way: the path with forward slashes (mine.fixes)
        return _BACKSLASHES_EATEN_TEXT, BACKSLASHES_EATEN_FIX
    empty = empty_variable(call, error)
    if empty is not None:
        return empty_variable_text(empty), None
    return None


# A Windows path written with forward slashes: `C:/Users/…` or Git Bash's `/c/Users/…`.
_FORWARD_SLASHED = re.compile(r"(?<![\w/])(?:[A-Za-z]:|/[A-Za-z])/")
_BACKSLASHES_EATEN_TEXT = (
    "Git Bash here reads each `\\` of a Windows path written bare as an escape (`cd D:\\work\\app` "
    "becomes `D:workapp`: “No such file or directory”): write such paths with forward slashes "
    "(`D:/work/app`, `/d/work/app`) or in quotes."
)


_HEREDOC_CLOSING_TEXT = (
    "A here-document ends only at a line holding its closing word alone, so chain the next "
    "command on the line that opens it (`python - <<'PY' && next`) or run it in a call of its "
    "own: `PY && next` is read as "
    "more of the document (a `SyntaxError` on that line, “here-document … delimited by "
    "end-of-file”), and a line after it opening on `&&` is bash's “syntax error near "
    "unexpected token `&&'”."
)


# PowerShell's here-string: its text starts on the line after `@'` / `@"`; the error says so,
# whatever parse errors follow it.
_HERE_STRING_HEADER = re.compile(r"No characters are allowed after a here-string header")
_HERE_STRING_TEXT = (
    "PowerShell's here-strings start their text on the line after the header: anything after "
    "`@'` or `@\"` on the same line fails (“No characters are allowed after a here-string "
    "header but before the end of the line”); put a line break right after `@'`."
)
# Windows PowerShell (5.1) has no `&&` nor `||`: the whole line is refused before anything
# runs. The machine's shell, not the code under work.
_NO_CHAIN_OPERATOR = re.compile(
    r"The token '(?:&&|\|\|)' is not a valid statement separator in this version"
)
_NO_CHAIN_OPERATOR_TEXT = (
    "Windows PowerShell here has no `&&`/`||` (“The token '&&' is not a valid statement "
    "separator in this version.”): chain commands with `;` (or `if ($?) { … }`)."
)
# Claude Code keeps a session's Bash calls in the folder it started in and the folders below:
# a `cd` elsewhere stops the call before anything in it runs, whatever came after the `cd`.
_CD_BLOCKED = re.compile(
    r"\bcd to .{1,400}? was blocked\. For security, Claude Code may only change directories"
)
_CD_BLOCKED_TEXT = (
    "Claude Code's Bash tool here blocks a `cd` out of the folder the session started in and "
    "its subfolders (“cd to … was blocked”): the whole call does nothing, whatever came after "
    "the `cd`."
)


def _foreign_text(harness: str) -> str:
    return (
        "Shell commands here run in bash, not cmd or PowerShell: commands like `dir /B`, "
        "`tree /F`, `del` or `Get-ChildItem` fail (“command not found”, or `/B` taken for a "
        f"path); {_foreign_remedy(harness)}."
    )


def _foreign_remedy(harness: str) -> str:
    """One remedy for every instance (each showed the POSIX form of its own intent working)."""
    # Claude Code's own tools do the same without a shell; other harnesses have none
    tools = " or the Glob, Read and Grep tools" if harness == "claude_code" else ""
    return f"use their POSIX forms (`ls`, `cat`, `grep`, `cp`, `mv`, `rm`){tools}"


def _reached_off_path(call: Event, failure: Event, fix: Fix | None) -> OffPath | None:
    """The program the failed shell call missed, reached by the call that mended it through a
    PATH step or its full path."""
    if fix is None or fix.kind not in _REACHING:
        return None
    if call.tool_name not in SHELL_TOOLS:
        return None
    return off_path(call.text, failure.text[:4000], fix.call.text)


# The fixes whose call may differ from the failed one by a PATH step or a full path (a retry
# with `export PATH=… &&` before it reads as the same command, its set-up step left out).
_REACHING = frozenset({FixKind.PREPARED, FixKind.REPLACED, FixKind.RETRIED})


def _off_path_text(found: OffPath, signature: str, sig: str) -> str:
    # a shell's "command not found" in one wording, whichever shell said it (zsh's
    # "(eval):1: command not found: npx"), so that every session supports the same line
    said = (
        sig
        if missing_program(signature) != found.program
        else f"{found.program}: command not found"
    )
    told = f"`{found.program}` is not on the PATH here (“{said}”)"
    if found.path_step is not None:
        return f"{told}; put its folder on the PATH first ({code(found.way)}) or use its full path."
    return f"{told}; use its full path ({code(found.way)}) or put its folder on the PATH."


# The fact a lesson of a program off the PATH opens with, whatever way past it follows.
_OFF_PATH_FACT = re.compile(r"^(`[^`\s]+` is not on the PATH here) \(")


def _off_path_key(text: str, fix: str | None, reached: OffPath | None) -> str | None:
    """The fact of a program off the PATH, when the line states it with the way the run got
    past it (its folder put on the PATH, its full path) or with none seen: one fact of the
    machine, whichever way each run took, so that its lines are one lesson."""
    fact = _OFF_PATH_FACT.match(text)
    if fact is None:
        return None
    shown_way = reached is not None and fix == reached.way
    no_way = fix is None and text.endswith(f"; {NO_RUNNER_SEEN}.")
    return fact[1] if shown_way or no_way else None


# The failure a line tells before the way past it: the command in its general form and the
# error it failed with ("`make` fails here (“…”)"), then "; " and the way.
_FAILURE_BEFORE_WAY = re.compile(r"^(`[^`\n]+` [^“\n]*\(“.+?”\)); \S")


def _failure_key(text: str) -> str | None:
    """One command failing with one error, told with the way past it a run showed: each run
    or call may have got past it another way, and all of them are one lesson."""
    failure = _FAILURE_BEFORE_WAY.match(text)
    return failure[1] if failure is not None else None


def _run_by_prepared(program: str, call: Event, fix: Fix | None) -> bool:
    """A program the call ran through another (`vite` of `npm run dev`), there once a step
    before the same call installed what the project needs (`npm install`): no program to use
    in its place, a step to run first."""
    if fix is None or fix.kind is not FixKind.PREPARED:
        return False
    return command_head(call.text).split()[:1] != [program]


def _missing_program_text(
    program: str,
    call: Event,
    fix: Fix | None,
    in_wsl: bool = False,
    utility_way: str | None = None,
) -> tuple[str, str | None]:
    """One wording for a program missing from PATH, whatever the arguments, so that every
    session that hits it supports the same lesson (`in_wsl`: the run's folder is a Windows
    drive under WSL, whose Linux has a PATH of its own, not the Windows one around it;
    `utility_way`: what the agent did without a machine's utility)."""
    if program == "timeout":  # GNU's, missing on macOS: no runner of the project runs it
        return _NO_TIMEOUT_TEXT, None
    where = "in WSL here" if in_wsl else "here"
    if fix is None and program in UTILITIES:  # no project runs it: the machine lacks it
        way = f": {utility_way}" if utility_way else ""
        said = f"“{program}: command not found”"
        return f"`{program}` is not installed {where} ({said}); {DO_WITHOUT}{way}.", None
    text = f"`{program}` is not on the PATH {where} (“{program}: command not found”)"
    if fix is None:
        return f"{text}; {NO_RUNNER_SEEN}.", None
    if fix.kind is FixKind.OWN_ENVIRONMENT:  # no pip here: a virtual environment's own
        remedy = remedy_of(call, fix) or ""
        return f"{text}; {OWN_PIP_WAY}: {code(remedy)}.", remedy
    install = _install_of(program, command_head(fix.call.text))
    if install is not None:  # "npm install -g pnpm": the program was missing, not the wrong one
        return text + f"; install it with `{install}`.", install
    recipe = recipe_instead(call.text, fix.call.text, program)
    if recipe is not None:  # `cargo test` for `just test`: the tool the recipe wraps
        return text + f"; run `{recipe[1]} …` in place of `{recipe[0]}` (that worked).", recipe[1]
    searcher = command_head(fix.call.text).split()[:1]
    if program in SEARCHERS and searcher and searcher[0] in SEARCHERS:
        # one name for the stand-in, whatever one search needed: `grep -R` for a searcher
        # that goes through folders on its own
        recursive = program in _RECURSIVE_SEARCHERS and searcher[0] in ("grep", "egrep")
        stand_in = f"{searcher[0]} -R" if recursive else searcher[0]
        return text + f"; use `{stand_in} …` instead.", stand_in
    head = command_head(fix.call.text)
    # a later step of a chain ran it (`rbenv local 3.1.7 && rbenv exec pod install`): that
    # step is the way, never a step before it alone (`rbenv local 3.1.7 …`)
    chained = chained_run(head, program, step_joiner(head))
    runner, shown = chained or _runner_of(program, call, head)
    first = runner.split()[:1]
    if program in _PACKAGE_MANAGERS and first and first[0] in _PACKAGE_MANAGERS:
        # `npm` for a missing `pnpm`: another lock file, not the project's way
        return f"{text}; {NO_RUNNER_SEEN}.", None
    if shown == program or first == [program]:  # `npx npx …`: what let it run is not the runner
        return f"{text}; {NO_RUNNER_SEEN}.", None
    fetched = _FETCHED_TO_RUN.search(fix.result.text[:4000]) is not None
    if runner in _RUNNERS and fetched and program not in _TOOLCHAIN:
        # npx had to fetch it: no tool of the project's, a program this machine lacks
        return (
            f"`{program}` is not installed here (“{program}: command not found”), "
            f"{FETCHED_NOT_A_DEPENDENCY}: `{shown} …` fetches it and runs it."
        ), runner
    return text + f"; use `{shown} …` instead.", shown if chained else runner


def _runner_of(program: str, call: Event, head: str) -> tuple[str, str]:
    """What ran a missing program in a call of one step (`head`), and how to tell it: a
    runner with the program it runs (`npx` and `npx vercel`), else the runner alone."""
    failed = set(command_head(call.text).split())
    fix_tokens = head.split()
    # what the fix put before the failed call's words (`npx` of `npx jest --ci` for `jest
    # --ci`); sharing none, up to the missing program (`npx jest` for `npm test`), else its
    # own program alone (`python3` of `python3 app.py test` for `python -m pytest`)
    given = [token.strip("'\"") for token in fix_tokens]  # `--run "lspci -k"`
    upto = given.index(program) + 1 if program in given else 1
    # (its first word in the failed call too, `nix` of a later step's `nix develop -c`, is
    # no prefix: the whole runner is what the failed call's own first step lacked)
    prefix = next((fix_tokens[:i] for i, t in enumerate(fix_tokens) if t in failed), None)
    prefix = prefix or fix_tokens[:upto]
    runner = " ".join(_with_values(prefix[:3], fix_tokens, program, failed)) or fix_tokens[0]
    # `npx vercel …`, not `npx …`: a runner with the program it runs (`python3` runs in
    # the place of `python`, `nix-shell -p cargo rustc` names its own)
    return runner, f"{runner} {program}" if runner in _RUNNERS else runner


# The JavaScript toolchain a runner comes with: its runner's output is about another program,
# never "fetched, not installed" of these.
_TOOLCHAIN = frozenset({"npx", "npm", "node", "pnpm", "pnpx", "yarn", "bun", "bunx", "corepack"})
# Searchers that search a folder's files with no flag asked (grep needs `-R`).
_RECURSIVE_SEARCHERS = frozenset({"rg", "ag", "ack"})
# What npm's runner says when the program it is to run is nowhere in the project.
_FETCHED_TO_RUN = re.compile(
    r"Need to install the following packages:|The following packages? (?:was|were) not found "
    r"and will be installed"
)
FETCHED_NOT_A_DEPENDENCY = "nor a dependency of the project"


_NO_TIMEOUT_TEXT = (
    "`timeout` is not installed here (GNU coreutils' `timeout`, which macOS lacks): run the "
    "command without it and bound it with the tool call's own time limit (or `gtimeout`, "
    "where Homebrew's coreutils is installed)."
)
_RUNNERS = frozenset(
    {"npx", "bunx", "pnpx", "uvx", "uv run", "poetry run", "pipenv run", "pdm run", "hatch run"}
    | {"rye run", "pnpm exec", "pnpm dlx", "yarn dlx", "bundle exec", "pipx run"}
)
_PACKAGE_MANAGERS = frozenset({"npm", "pnpm", "yarn", "bun", "uv", "poetry", "pipenv", "pdm"})


def _with_values(prefix: list[str], tokens: list[str], program: str, failed: set[str]) -> list[str]:
    """A runner that ends on a flag, with the values it takes up to the command it runs
    (`nix-shell -p cargo rustc --run '…'`: the packages are what makes `cargo` there), the
    missing program kept when it is one (`npx -p jest`), not the failed call's own words
    after it (`jest src/cart.test.ts`)."""
    if not prefix or not prefix[-1].startswith("-") or prefix[-1] in _TAKES_THE_COMMAND:
        return prefix  # (`nix develop -c …`: what follows is the command it runs)
    values: list[str] = []
    for token in tokens[len(prefix) :]:
        if token.startswith(("-", "'", '"')) or _ABSOLUTE_ARG.match(token):
            break
        if token in failed and (token != program or values):
            break  # the failed call's own words begin (`jest src/cart.test.ts`)
        values.append(token)  # a value, or the program itself as the flag's first
    return [*prefix, *values[:_MAX_VALUES]]


_MAX_VALUES = 4
_TAKES_THE_COMMAND = frozenset({"-c", "--command", "--run", "--exec", "-lc"})
_ABSOLUTE_ARG = re.compile(r"^(?:/|~/|[A-Za-z]:[\\/])")


def _install_of(program: str, command: str) -> str | None:
    """The step of `command` that installs `program`: one naming it (`npm install -g pnpm`),
    or one right before a step that runs it (`cargo install ripgrep && rg …`, `corepack
    enable && pnpm i`)."""
    steps = [step.strip() for step in STEP_SPLIT.split(command)]
    for at, step in enumerate(steps):
        installer = INSTALL.search(step)
        if installer is None:
            continue
        named = {re.split(r"@|==|>=", word)[0] for word in step[installer.end() :].split()}
        runs_next = at + 1 < len(steps) and steps[at + 1].split()[:1] == [program]
        if program in named or runs_next:
            return shorten_command(step, MAX_COMMAND)
    return None


def _files_edited(edits: Sequence[Event]) -> list[str]:
    """The names of the files edited (when the edit names a file: SWE-agent's `edit 287:295`
    names only lines of the open file)."""
    files: list[str] = []
    for event in edits:
        lines = event.text.strip().split("\n") if event.text.strip() else []
        # a patch names each file it changed, one a line; another edit its file first
        listed = event.tool_name == "apply_patch" and "*** " not in event.text
        for path in lines if listed else lines[:1]:
            if " " in path or not ("/" in path or "." in path):
                continue
            name = code(path.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
            if name not in files:
                files.append(name)
    return files[:3]


def _failure_severity(episode: Episode) -> int:
    tool = episode.call.tool_name if episode.call else None
    if tool in _LOW_VALUE_TOOLS:
        return 1
    return 3 if episode.teachable_fix else 2


def _statement(run: Run, episode: Episode, lines: Lines) -> LessonCandidate | None:
    sentence = episode.sentence
    ref = episode.trigger.ref
    if episode.signal == "correction" and episode.call is not None:
        ref = episode.call.ref.span(ref)
    for event in episode.context:
        ref = ref.span(event.ref)
    quote = _checked_quote(lines, ref, [episode.quote or sentence])
    if quote is None:
        return None
    text = scrub(_statement_text(episode.signal, sentence))
    # a correction is the user's remedy: it earns a line when it is a standing rule
    standing = episode.signal == "correction" and is_standing_rule(sentence)
    # a refused edit's way around it, shown in the span: the span a line joining it links to
    way = episode.signal == "refused_reread" and sentence.endswith((REWRITTEN, BACKSLASHED))
    return LessonCandidate(
        kind=episode.kind,
        text=text,
        evidence=_evidence(run, ref, quote, episode.trigger, shows_fix=way),
        severity=3 if episode.signal in ("correction", "user_rule") else 2,
        scope=(),
        cwd=run.cwd,
        fix=text if standing else None,
    )


def _statement_text(signal: str, sentence: str) -> str:
    lead = {"decision": _DECISION_LEAD, "gotcha": _GOTCHA_LEAD, "correction": _CORRECTION_LEAD}
    pattern = lead.get(signal)
    sentence = _without_todays_ask(sentence)
    text = clean(pattern.sub("", sentence) if pattern else sentence) or clean(sentence)
    # (a full-width clause mark left at the end, "用中文回复我；", gives way to a sentence's end)
    text = text.rstrip("\uff0c\uff1b\u3001")
    if text and text[-1] not in ".!\u3002\uff01\uff1f\uff1a":
        text += "\u3002" if "\u3040" <= text[-1] <= "\u9fff" else "."
    return f"User correction: {text}" if signal == "correction" else text


# Today's request tacked onto a rule ("Use uv for dependencies pls. and run the notebook for
# me"), and a bare "pls" ending it: not part of what stands.
_TODAYS_ASK = re.compile(
    r"\.\s+(?:and|then|and then)\s+(?:run|do|make|show|build|deploy|start|open|test|check|"
    r"install|fix|create|write)\b[^.]*?\bfor me\b[.!]?\s*$",
    re.I,
)
_PLEASE_AT_END = re.compile(r"(?:,\s*please|\s+(?:pls|plz))\s*[.!]?\s*$", re.I)


def _without_todays_ask(sentence: str) -> str:
    kept = _PLEASE_AT_END.sub("", _TODAYS_ASK.sub("", sentence))
    return kept if len(kept) >= len(sentence) // 3 else sentence


def _checked_quote(lines: Lines, ref: SourceRef, texts: list[str]) -> str | None:
    """The first quote candidate that resolves in its span: no provenance is ever invented."""
    for text in texts:
        for quote in _quote_variants(text):
            if quote_in_lines(lines, ref.line_start, ref.line_end, quote):
                return quote
    return None


def _quote_variants(text: str) -> list[str]:
    base = text.strip()[:MAX_QUOTE].strip()
    variants = [base]
    if "\\" in base:
        variants.append(base.split("\\", 1)[0].strip())
    # (a sentence in Chinese or Japanese says in four characters what English says in eight)
    return [v for v in variants if len(v) >= 8 or (len(v) >= 4 and not v.isascii())]


def _evidence(
    run: Run, ref: SourceRef, quote: str, event: Event, *, shows_fix: bool = False
) -> Evidence:
    session = event.session or run.session_id  # a file may hold several sessions (contract 3)
    return Evidence(ref, quote, session, event.timestamp, shows_fix)


def _scope(call: Event | None) -> tuple[str, ...]:
    if call is None or not call.text:
        return ()
    text = (command_head(call.text) or call.text) if call.tool_name in SHELL_TOOLS else call.text
    # what ran, not the folder it moved to first (`cd web && yarn test` is yarn's), nor the
    # settings before it (`LOGIN=ana@example.com surge`)
    words = [w for w in text.split() if not _SETTING_WORD.match(w)] or text.split()
    head = words[0] if call.tool_name == "Bash" else text.splitlines()[0]
    # the scope is stored and searched as the text is: a person's address or home never in it
    return (scrub(f"{call.tool_name}:{head}")[:120],)


_SETTING_WORD = re.compile(r"^[A-Za-z_]\w*=")
