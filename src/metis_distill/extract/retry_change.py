"""What a retry changed from the call that failed: another program or interpreter, an option
added or a value changed, an environment made active or a folder entered first, root asked
for, a forcing flag, a setting put before the command. The rules extractor reads these to
word a fix as the change that made the error go away."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import takewhile

from metis_distill.extract.wording import general_command
from metis_distill.mine.modules import interpreter
from metis_distill.mine.text import (
    INLINE_SCRIPT,
    SHELL_WORD,
    STEP_SPLIT,
    command_head,
    file_name,
    shell_steps,
    split_heredocs,
    unplumbed,
    unwrapped,
)

_ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=\S*$")


# A redirection as a word of its own (`2>&1`, `>/dev/null`): no option of the command.
_REDIRECT_WORD = re.compile(r"^(?:\d?>&\d|(?:[12&])?>>?\S*)$")


def options_offered(failed: str, fix: str, error: str) -> bool:
    """The fix is the failed command with options added, each of which the error itself
    named ("No service linked. Use --service flag or --all to see all services")."""
    if not options_added(failed, fix):
        return False
    before = set(unwrapped(failed).split())
    added = [w.split("=", 1)[0] for w in unwrapped(fix).split() if w not in before]
    options = [w for w in added if w.startswith("-") and w != "--"]
    said = error[:4000]
    return bool(options) and all(
        re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", said) for option in options
    )


def options_added(failed: str, step: str) -> bool:
    """`step` is a step of the failed command with options added, and nothing else changed
    (`pip install --only-binary :all: -r r.txt` after `pip install -r r.txt`): the same
    command run otherwise, in its place, no step run before it."""
    after = [w for w in unwrapped(step).split() if not _REDIRECT_WORD.match(w)]
    for one in shell_steps(failed):
        before = [w for w in unwrapped(one).split() if not _REDIRECT_WORD.match(w)]
        if before and after and before[0] == after[0] and _adds_options(before, after):
            return True
    return False


def _adds_options(before: list[str], after: list[str]) -> bool:
    """`after` holds every word of `before` in order, and beside them only options (`-x`,
    `--name`) and the value that follows one of them."""
    kept, added = 0, []
    for index, word in enumerate(after):
        if kept < len(before) and word == before[kept]:
            kept += 1
        else:
            added.append(index)
    if kept < len(before) or not added:
        return False
    options = {i for i in added if after[i].startswith("-") and after[i] != "--"}
    return bool(options) and all(i in options or i - 1 in options for i in added)


def script_rewritten(failed: str, retry: str) -> bool:
    """Both calls run a script given inline to the same program: the retry is that script
    written again (another path, another call), the day's code, not a way to run things. (A
    retry by another interpreter of the program, `./.venv/bin/python` for `python`, is.)"""
    old, new = INLINE_SCRIPT.match(unwrapped(failed)), INLINE_SCRIPT.match(unwrapped(retry))
    if old is None or new is None:
        return False
    if _variables_set(old) != _variables_set(new):
        return False  # a variable set for it (`PYTHONPATH=src`) is a way
    if (old["interpreter"] or old["piped"]) == (new["interpreter"] or new["piped"]):
        return True
    return not _same_script(failed, retry)


def _variables_set(found: re.Match[str]) -> str:
    """The variables an inline script's command sets before its interpreter."""
    return found.string[: max(found.start("interpreter"), 0)].strip()


def _same_script(failed: str, retry: str) -> bool:
    """The two calls hand the same script (here-document bodies, and the rest of the line
    after the flag handing it over: `py -3 -c "…"` as `python3 -c "…"`) to their
    interpreters."""
    old, new = split_heredocs(failed), split_heredocs(retry)
    return old[1] == new[1] and _script_words(old[0]) == _script_words(new[0])


def _script_words(line: str) -> list[str]:
    """The words of a line after its interpreter's options (all but its first word, if it
    hands no script inline)."""
    line = unwrapped(line)
    found = INLINE_SCRIPT.match(line)
    return line[found.end() :].split() if found else line.split()[1:]


MAX_PROGRAM_WORDS = 2  # `docker compose`, `python3 -m`: a program named in more is a command


def program_swapped(failed: str, retry: str, error: str = "") -> tuple[str, str] | None:
    """The program the retry ran in place of the failed one, every other word kept (`docker
    compose …` → `docker-compose …`, `sudo` before both): (failed program, retry's). A flag
    the failed call ended on and the retry did without is left out when the `error` is the
    program's own and names not the flag (`npm error …` after `… --legacy-peer-deps`)."""
    old, new = unwrapped(failed).split(), unwrapped(retry).split()
    while old and new and old[0] == new[0]:
        if old[0] != "sudo" and "=" not in old[0]:
            return None  # the program kept: what changed is its arguments
        old, new = old[1:], new[1:]
    while old and old[-1].startswith("-") and old[-1] not in new and _own_error(old, error):
        old = old[:-1]
    same = 0
    while same < min(len(old), len(new)) and old[-1 - same] == new[-1 - same]:
        same += 1
    old, new = old[: len(old) - same], new[: len(new) - same]
    if not same or not old or not new or max(len(old), len(new)) > MAX_PROGRAM_WORDS:
        return None
    if any(word.startswith("-") or "/" in word for word in [*old, *new]):
        return None  # a flag or a path changed, not the program
    return " ".join(old), " ".join(new)


def _own_error(words: list[str], error: str) -> bool:
    """The error opens with the program's name and says nothing of the call's last flag: the
    program failed, not the flag (`--device=cuda`'s "no NVIDIA driver" is the flag's)."""
    program = words[0].rsplit("/", 1)[-1].lower()
    flag = words[-1].lstrip("-").split("=", 1)
    said = error.lower()
    return said.startswith(program) and not any(part and part.lower() in said for part in flag)


def one_value_changed(failed: str, retry: str) -> bool:
    """The retry is the failed call with one argument's value changed, its program, flags and
    every other argument kept: what it corrected was that run's own (a name, a value)."""
    old, new = unwrapped(failed).split(), unwrapped(retry).split()
    if len(old) != len(new) or len(old) < 2:
        return False
    changed = [n for n, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    return (
        len(changed) == 1
        and changed[0] > 0
        and not old[changed[0]].startswith("-")
        and not new[changed[0]].startswith("-")
    )


# The program said an argument was missing ("accepts 1 arg(s), received 0", "the following
# arguments are required: name", "requires at least 1 arg(s)").
_ARGUMENT_MISSING = re.compile(
    r"\baccepts? (?:between )?\d+(?: and \d+)? arg\(?s?\)?, received \d+|"
    r"\brequires? (?:at least |exactly )?\d+ arg|\barguments? (?:are|is) required\b|"
    r"\bmissing (?:required )?(?:positional )?argument|\bnot enough arguments\b"
    # ... or printed its usage alone, asked for no work (`claude mcp` → "Usage: claude mcp …")
    r"|\A\s*(?:Exit code:? \d+\s+)?usage:\s",
    re.I,
)


def argument_asked_for(failed: str, retry: str, error: str) -> bool:
    """The program said an argument was missing, or printed its usage alone, and the retry is
    the call with more words after it (`gt witness status` → `gt witness status web`, `claude
    mcp` → `claude mcp list`), or with an option the error named: the usage told it, the values
    are that run's own."""
    old, new = unwrapped(failed).split(), unwrapped(retry).split()
    if len(new) <= len(old) or new[: len(old)] != old:
        return False
    added, head = new[len(old) :], error[:2000]
    if any(_option_named(word, head) for word in added):
        return True  # "Please specify a client using --client": the error's own words
    return bool(_ARGUMENT_MISSING.search(head)) and not added[0].startswith("-")


def _option_named(word: str, error: str) -> bool:
    """An option (`--client`, `--client=x`) the error demands ("specify a client using
    --client", "--client is required"); not one it only offers ("retry this command with
    --force or --legacy-peer-deps": a way out of a check, which the fix search judges)."""
    name = word.partition("=")[0]
    if not name.startswith("--") or len(name) <= 3:
        return False
    option = re.escape(name)
    demanded = (
        rf"\b(?:specify|provide|pass|set|give)\b[^\n]{{0,40}}?\b(?:using|with|via)\s+{option}"
        rf"(?![\w-])|(?<![\w-]){option}\s+(?:is|are)\s+required\b"
        rf"|\b(?:missing|required)\s+(?:option|flag)\s+['\"`]?{option}(?![\w-])"
    )
    return re.search(demanded, error, re.I) is not None


def options_ended(failed: str, retry: str, *, dashed: bool = True) -> bool:
    """The retry is the failed call with `--` put in before an argument (`rg -n -- "-x"`),
    its words otherwise the same: quoted either way, a repeated one said once."""
    old, new = _said_once(unwrapped(failed).split()), unwrapped(retry).split()
    return any(
        _said_once(new[:n] + new[n + 1 :]) == old
        for n, word in enumerate(new)
        if word == "--" and (not dashed or "".join(new[n + 1 : n + 2]).strip("'\"").startswith("-"))
    )


def _said_once(words: list[str]) -> list[str]:
    """The words without their quotes, each repeated one kept where it first stands."""
    return list(dict.fromkeys(word.strip("'\"") for word in words))


# A step that makes an environment active before the command (`source venv/bin/activate &&`).
_ACTIVATES = re.compile(
    r"^\s*(?:(?:source|\.)\s+[\"']?(?P<venv>[^\s&;|\"']*?/bin/activate)[\"']?"
    r"|(?P<tool>conda|mamba|micromamba)\s+activate\s+(?P<env>[\w.@/~-]+))\s*(?:&&|;)"
)


# A step that moves into a folder before the command (`cd /srv/app &&`).
_MOVES_INTO = re.compile(rf"^\s*cd\s+(?P<folder>{SHELL_WORD})\s*(?:&&|;)\s*")


def _activates(command: str) -> tuple[re.Match[str] | None, str | None]:
    """The activation among a command's leading steps (`cd app && source .venv/bin/activate
    && …` as well as `source …`), and the folder a `cd` before it moved into."""
    rest, folder = command, None
    while (found := _ACTIVATES.match(rest)) is None:
        moved = _MOVES_INTO.match(rest)
        if moved is None:
            return None, None
        folder, rest = moved["folder"].strip("\"'"), rest[moved.end() :]
    return found, folder


def moved_into(command: str) -> str | None:
    """The folder a command's leading `cd` steps moved into, None when it moved nowhere."""
    folder = None
    while (moved := _MOVES_INTO.match(command)) is not None:
        folder, command = moved["folder"].strip("\"'"), command[moved.end() :]
    return folder


def activation(failed: str, retry: str) -> str | None:
    """The retry made an environment active first (behind a `cd` too) and the failed call did
    not: that step, in its general form (`source …/bin/activate`, `conda activate ml`); an
    environment named from the folder the retry moved into, with that `cd` (`cd app &&
    source .venv/bin/activate`)."""
    found, folder = _activates(retry)
    if found is None or _activates(failed)[0] is not None:
        return None
    if found["venv"]:
        folders = found["venv"].removesuffix("/bin/activate")
        if "/" in folders:
            return "source …/bin/activate"
        return f"cd {folder} && source {found['venv']}" if folder else f"source {found['venv']}"
    return f"{found['tool']} activate {found['env']}"


def values_kept(failed: str, retry: str, flags: Sequence[str]) -> bool:
    """Each flag left out had a value in the failed call, and the retry still gives it (`exec
    --prompt "x"` → `exec "x"`): the value was wanted, the flag was not."""
    failed_words = re.findall(_SHELL_WORD, command_head(failed))
    retried = set(re.findall(_SHELL_WORD, command_head(retry)))
    for flag in flags:
        at = next(
            (n for n, w in enumerate(failed_words) if w == flag or w.startswith(f"{flag}=")), None
        )
        if at is None:
            return False
        word = failed_words[at]
        given = word.partition("=")[2] or (
            failed_words[at + 1] if at + 1 < len(failed_words) else ""
        )
        # a value given with `=`, or quoted: a word after a flag may be an argument of its own
        valued = "=" in word or given[:1] in ("'", '"')
        if not valued or not given.strip("\"'") or given not in retried:
            return False  # the retry gives the same word whole, or the value was dropped
    return True


_SHELL_WORD = re.compile(r"\"[^\"]*\"|'[^']*'|[^\s\"']+")


def other_binary(failed: str, retry: str) -> str | None:
    """The program the retry ran by its full path, where the failed call ran the one of the
    same name the PATH found, with the same arguments (`/usr/local/go/bin/gofmt -w a.go`
    after `gofmt -w a.go`): another installation of it."""
    old, new = unwrapped(failed).split(), unwrapped(retry).split()
    if not old or not new or old[1:] != new[1:] or "/" in old[0] or "\\" in old[0]:
        return None
    path = new[0].strip("\"'")
    absolute = path.startswith(("/", "~/")) or re.match(r"[A-Za-z]:\\", path) is not None
    same = file_name(path) == old[0]
    return path if absolute and same else None


# A command run inside a named conda environment (a project's runner, `uv run pytest`, is
# worded as the command it runs).
_ENV_RUNNER = re.compile(r"^(?:conda|mamba|micromamba)\s+run\s+(?:-n|--name|-p|--prefix)\b")


def env_runner(failed: str, retry: str) -> str | None:
    """The retry ran the failed step unchanged in a named conda env (`conda run -n ml python
    x.py` after `python x.py`): that runner and the interpreter, in general."""
    words = unwrapped(failed).split()
    for step in shell_steps(retry):
        later = unwrapped(step).split()
        prefix = " ".join(later[: len(later) - len(words)])
        if len(later) > len(words) and later[-len(words) :] == words and _ENV_RUNNER.match(prefix):
            return f"{general_command(prefix)} {interpreter(general_command(failed))}"
    return None


def other_interpreter(failed_call: str, failed: str, retry_call: str) -> str | None:
    """The interpreter the retry ran by a path (a project's `.venv/bin/python`), where the
    failed step ran another of that name (the PATH's, or another environment's by its path),
    all else the same but the plumbing of their output: the same script (here-documents'
    bodies too), an argument named from the folder the failed call moved into the same
    (`tests/a.py` as `/srv/app/tests/a.py`). A path from the folder the retry moved into is
    told from there (`/srv/app/.venv/bin/python` of `cd /srv/app && .venv/bin/python`)."""
    if split_heredocs(failed_call)[1] != split_heredocs(retry_call)[1]:
        return None
    old, new = unplumbed(failed).split(), unplumbed(retry_call).split()
    if not old or not new or not _same_words(old[1:], new[1:], moved_into(failed_call)):
        return None
    path, before = new[0].strip("\"'"), old[0].strip("\"'")
    if "/" not in path or path == before or file_name(path) != file_name(before):
        return None
    moved = moved_into(retry_call)
    if moved is not None and not path.startswith(("/", "~")):
        path = f"{moved.rstrip('/')}/{path.removeprefix('./')}"
    return path


def _same_words(old: list[str], new: list[str], folder: str | None) -> bool:
    """The same words, an argument named from `folder` (where the first call stood) by its
    path from there in one and in full in the other (`tests/a.py`, `/srv/app/tests/a.py`)."""
    if len(old) != len(new):
        return False
    inside = f"{folder.rstrip('/')}/" if folder and folder.startswith("/") else None
    return all(
        a == b
        or (
            inside is not None
            and not a.startswith(("-", "/"))
            and b == inside + a.removeprefix("./")
        )
        for a, b in zip(old, new, strict=True)
    )


def forcing_flag(failed: str, retry: str) -> str | None:
    """The forcing flag a step of the retry added to a failed step of the same program,
    whatever steps or pipes are around it (`git add -f` after `git add`, `chezmoi apply
    --force` after `chezmoi apply`), or `-f` for git's `+` refspec: the program's own check
    (an ignored path, a protected ref, a file changed since the tool last wrote it) was
    overridden, which no line should teach; None when none was."""
    for before in _step_words(failed):
        for after in _step_words(retry):
            if after[:1] != before[:1]:
                continue
            flag = _only_forcing_added(before, after)
            if flag is not None:
                return flag
            if before[:1] == ["git"] and _forced_ref(before, after):
                return "-f"
    return None


_FORCING = {"-f", "--force", "--force-with-lease", "--force-if-includes", "--overwrite"}


def _forced_ref(before: list[str], after: list[str]) -> bool:
    """`git push origin +feat` after `git push origin feat`: a `+` refspec forces too."""
    return len(before) == len(after) and any(
        a == f"+{b}" for a, b in zip(after, before, strict=True)
    )


def _step_words(command: str) -> list[list[str]]:
    steps = (step.split("|", 1)[0].split() for step in STEP_SPLIT.split(unwrapped(command)))
    return [words for words in steps if words]


def _only_forcing_added(before: list[str], after: list[str]) -> str | None:
    """The forcing flag the retry's words added (`--force`, `--force-with-lease=main`), when
    they added nothing else."""
    added = [word for word in after if word not in before]
    if not added or not all(word.split("=", 1)[0] in _FORCING for word in added):
        return None
    return added[0].split("=", 1)[0]


def as_root(failed: str, retry: str) -> bool:
    """The retry is the failed command run with `sudo`: root's rights are no rule to teach."""
    command = unwrapped(failed)
    steps = (step.strip() for step in STEP_SPLIT.split(unwrapped(retry)))
    return any(SUDO.sub("", step) == command for step in steps if SUDO.match(step))


SUDO = re.compile(r"^sudo\s+(?:--?[\w-]+(?:=\S+)?\s+)*")


def env_prefix(failed: str, retry: str) -> list[str]:
    """The variables a retry added before the very command that failed (`PYTHONPATH=src
    python3 …` after `python3 …`, `env HOME=/tmp/h wrangler …` after `wrangler …`;
    `RAILS_ENV=test` among the settings the failed call already had, `DISABLE_SPRING=1
    bin/rails …`), or none. A retry that dropped or changed one of the failed call's
    settings did something else."""
    head, words = _settings_first(failed), _settings_first(retry)
    had = list(takewhile(_ENV_ASSIGNMENT.match, head))
    assignments = list(takewhile(_ENV_ASSIGNMENT.match, words))
    if words[len(assignments) :] != head[len(had) :] or not set(had) <= set(assignments):
        return []
    return [word for word in assignments if word not in had]


def _settings_first(command: str) -> list[str]:
    """The command's words, `env` before its settings left out (`env A=1 x` is `A=1 x`)."""
    words = command_head(command).split()
    plain_env = words[:1] == ["env"] and len(words) > 1 and _ENV_ASSIGNMENT.match(words[1])
    return words[1:] if plain_env else words
