"""One shell's commands run in another: cmd and PowerShell through a POSIX shell.

On Windows, Claude Code's Bash tool runs Git Bash. Agents still reach for `dir /B`, `tree /F`
or `Get-ChildItem`: they are not found, or a GNU tool of the same name takes the `/B` switch
for a path. And a `powershell -Command "…"` script in double quotes reaches PowerShell with its
`$variables` already expanded (to nothing) by bash. Both causes are told by the call and its
output together, so every instance words one lesson; the first one's remedy is the POSIX form
(or the harness's own Glob, Read or Grep tool) working right after. cmd's own syntax is the
same cause: bash cannot parse cmd's `if not exist X mkdir X` or `for %f in (…) do …` (“syntax
error: unexpected end of file”), and leaves a `%APPDATA%` as written. A Windows program run from
Git Bash (`taskkill /F`, `schtasks /Query`) gets its `/switches` turned into paths (`F:/`,
`C:/Program Files/Git/Query`) before it starts: a doubled slash (`//F`) reaches it as `/F`.
Some versions of Claude Code's Bash tool pass a `!` on as `\\!` (jq's `!=`, awk's `!~`, an
inline `node -e "if (!x)"`): the program's error shows the backslash the call never wrote
(a warning naming it, Python's `SyntaxWarning: invalid escape sequence '\\!'`, is no failure).
Codex on Windows runs PowerShell, which has no here-documents: `python - <<'PY'` stops at its
parser, and the same interpreter given the code by `-c` is the way past it. bash
reads the `(` of an unquoted path (a Next.js route group, `app/(auth)`) as syntax. A
PowerShell whose execution policy runs no scripts refuses the `.ps1` shim npm installs for a
program (`npm.ps1`), whatever the command: the program's `.cmd` (`npm.cmd`), run as a
step's command, is the way (a lookup, `Get-Command npm.cmd`, shows none).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from metis_distill.mine import signals
from metis_distill.mine.outer_shell import runs_in_posix_shell
from metis_distill.mine.text import (
    command_head,
    fed_interpreter,
    feeds_interpreter,
    quotes_masked,
    shared_closing_line,
    shell_steps,
    single_quotes_masked,
)
from metis_distill.models import Event, EventKind

_SEGMENT = re.compile(r"\s*(&&|\|\||;|\|)\s*")  # the operator kept: a `||` step is a fallback
_CMDLET = re.compile(r"^[A-Z][a-z]+-[A-Z][A-Za-z]+$")  # Verb-Noun: Get-ChildItem
_SWITCH = re.compile(r"(?<!\S)/[A-Za-z?]{1,2}(?!\S)")  # cmd's /B, /F, /S
_SWITCH_AS_PATH = re.compile(r"cannot access '/[A-Za-z?]{1,2}'")
# What a cmd or PowerShell command means, and the POSIX programs and harness tools that do it.
_INTENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "list": (frozenset({"ls", "find", "tree"}), frozenset({"Glob", "LS"})),
    "read": (frozenset({"cat", "head", "tail", "less"}), frozenset({"Read"})),
    "search": (frozenset({"grep", "rg"}), frozenset({"Grep"})),
    "copy": (frozenset({"cp", "rsync"}), frozenset()),
    "move": (frozenset({"mv"}), frozenset()),
    "delete": (frozenset({"rm", "rmdir"}), frozenset()),
    "locate": (frozenset({"which", "command", "type"}), frozenset()),
    "make": (frozenset({"mkdir"}), frozenset()),
}
_FOREIGN_INTENT = {
    "dir": "list", "tree": "list", "get-childitem": "list", "gci": "list",
    "type": "read", "get-content": "read", "gc": "read",
    "findstr": "search", "select-string": "search",
    "copy": "copy", "xcopy": "copy", "robocopy": "copy", "copy-item": "copy",
    "move": "move", "ren": "move", "move-item": "move", "rename-item": "move",
    "del": "delete", "erase": "delete", "rd": "delete", "remove-item": "delete",
    "where": "locate", "get-command": "locate",
    "md": "make",
}  # fmt: skip
_CMD_BUILTINS = frozenset(
    {"dir", "tree", "type", "copy", "xcopy", "move", "ren", "del", "erase", "rd", "findstr",
     "where", "cls", "md"}
)  # fmt: skip
# cmd's and PowerShell's commands that bash has no namesake for: "not found" is enough,
# switch or not (`dir`, `tree` and `type` exist in bash: only their /switches give them away).
_NOT_IN_BASH = (_CMD_BUILTINS | set(_FOREIGN_INTENT)) - {"dir", "tree", "type"}
# bash's `type` builtin looking the argument up: `type README.md` meant cmd's `type`
_BASH_TYPE = re.compile(r"\btype: \S+: not found")
# The error is cmd's or PowerShell's own: the shell was not bash
_NATIVE_SHELL = re.compile(
    rf"is not recognized as the name of a cmdlet|{'|'.join(signals.POWERSHELL_NOT_A_CMDLET)}|"
    rf"{'|'.join(signals.CMD_NOT_A_COMMAND)}"
)

# `powershell -Command "… $x …"`: the script in double quotes, where bash expands `$x`.
_POWERSHELL_DOUBLE = re.compile(
    r"\b(?:powershell|pwsh)(?:\.exe)?\b(?:[^\"'\n]|'[^'\n]*')*?\s-C(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?"
    r"\s+\"(?P<script>[^\"]*\$[\w({][^\"]*)",
    re.I | re.S,
)
# What PowerShell says when bash took its variables: gone ("Missing variable name",
# `$x = …` arriving as ` = …`, also in the line a parse error echoes: `+ …';  = -join …`)
# or replaced by a value of bash's (`$_` -> `/usr/bin/bash`, or `extglob`, the last word of
# Claude Code's shell set-up: `{extglob.Status -eq 'OK'}` in the line PowerShell echoes,
# whatever language its messages are in).
_LOST_VARIABLE = re.compile(
    r"Missing variable name|foreach \( in \)|The term '=' is not recognized|^\s*= : The term|"
    r"The term '/[^'\n]*' is not recognized|[{(]extglob\.\w+|^\+ .*?[;{]\s+=\s(?!=)",
    re.M,
)


# cmd's own syntax, which bash cannot parse: cmd's `if` (`if not exist X mkdir X`, `if errorlevel
# 1 …`, `if /i "%A%"=="b" …`), which bash reads as an `if` whose condition waits for a `then`,
# and cmd's `for %f in (…) do …`. (A step opening so: bash's own `if` tests with `[`, a program,
# and says `then`.)
_CMD_IF = re.compile(
    r"^if\s+(?:/i\s+)?(?:not\s+)?(?:(?:exist|errorlevel|defined)\s+(?:\"[^\"]*\"|\S+)"
    r"|[^\s%]*%\w+%\S*(?:\s*==\s*\S+|\s+(?:equ|neq|lss|leq|gtr|geq)\s+\S+)?)\s+\(?\s*(?P<then>\S+)",
    re.I,
)
_CMD_FOR = re.compile(r"^for\s+(?:/[dfrl]\s+(?:\"[^\"]*\"\s+)?)?%%?\w\s+in\s*\(", re.I)
_BASH_THEN = re.compile(r"\bthen\b")
_UNPARSED = re.compile(r"\bsyntax error(?:: unexpected end of file| near unexpected token)")
# A cmd variable (`%APPDATA%`) bash left as written, shown so in the path or program it could
# not find (`cd: %APPDATA%x: No such file or directory`, `'%TEMP%/a': No such file …`).
_CMD_VARIABLE = re.compile(r"%[A-Za-z_]\w+%")
_NOT_THERE = r"[^\s:'\"]*'?: (?:No such file or directory|command not found)"
_RUNS_CMD = re.compile(r"\bcmd(?:\.exe)?\s+/{1,2}[ck]\b", re.I)


def foreign_command(call: Event, error: str) -> str | None:
    """The cmd or PowerShell command (`dir /B`, `Get-ChildItem`) that failed in a POSIX shell,
    or None: a cmdlet not found, a cmd builtin whose `/switch` was not understood, cmd's own
    syntax bash could not parse (`if not exist X mkdir X`), or a cmd `%VARIABLE%` bash left
    as written."""
    if call.tool_name not in signals.SHELL_TOOLS or _POWERSHELL_DOUBLE.search(call.text):
        return None
    if _NATIVE_SHELL.search(error[:2000]):
        return None
    return _named_foreign(call, error) or cmd_syntax(call, error[:2000])


def cmd_syntax(call: Event, error: str) -> str | None:
    """The step written in cmd's syntax that bash could not parse (`if not exist X mkdir X`,
    `for %f in (*) do …`), or the cmd `%VARIABLE%` bash left as written in a path it could not
    find; None for a bash script's own syntax error, and for a call that runs cmd itself."""
    if _RUNS_CMD.search(call.text):
        return None
    if _UNPARSED.search(error):
        if _BASH_THEN.search(quotes_masked(call.text)):
            return None
        steps = shell_steps(call.text)
        return next((s for s in steps if _CMD_IF.match(s) or _CMD_FOR.match(s)), None)
    unquoted = single_quotes_masked(command_head(call.text))
    for variable in dict.fromkeys(found[0] for found in _CMD_VARIABLE.finditer(unquoted)):
        if re.search(re.escape(variable) + _NOT_THERE, error):
            return variable
    return None


def _named_foreign(call: Event, error: str) -> str | None:
    """A cmd or PowerShell command told by its name: not found, or its `/switch` not
    understood."""
    missing = signals.missing_program(error)
    said_missing = set(signals.missing_programs(error[:4000]))
    parts = _SEGMENT.split(command_head(call.text))
    before = ""  # the program of the step before
    for operator, segment in zip(["", *parts[1::2]], parts[::2], strict=True):
        words = segment.split()
        if not words:
            continue
        program, name = words[0], words[0].lower()
        fallback = operator == "||" and not _is_foreign(before)
        before = program
        if fallback and program not in said_missing:
            continue  # `cat X || type X`: it ran only because the POSIX step failed on its own
        # (a fallback bash has no such program for, `which node || where node`, is still cmd's)
        not_found = missing == program
        if not_found and (_CMDLET.match(program) or name in _NOT_IN_BASH):
            return program
        if name == "type" and _BASH_TYPE.search(error):
            return program
        switch = _SWITCH.search(segment)
        if name in _CMD_BUILTINS and switch and (not_found or _SWITCH_AS_PATH.search(error)):
            return f"{program} {switch[0]}"
    return None


def _is_foreign(program: str) -> bool:
    """A cmd or PowerShell name (`dir`, `type`, `Get-Content`)."""
    name = program.lower()
    return bool(_CMDLET.match(program)) or name in _CMD_BUILTINS or name in _FOREIGN_INTENT


# A POSIX tool PowerShell does not have (`sed`, `head`): the shell is PowerShell, not bash.
# (`ls`, `cat`, `rm`, `sort` are its aliases of its own cmdlets: they run, differently.)
_NOT_IN_POWERSHELL = frozenset(
    {"sed", "nl", "grep", "egrep", "head", "tail", "awk", "wc", "touch", "which", "xargs", "cut"}
    | {"tr", "uniq", "chmod", "ln", "export", "less", "file", "basename", "dirname", "test"}
)
# PowerShell not knowing a name, in the languages it speaks (the name quoted its way: `'sed'`,
# `"sed"`, `«sed»`, `“sed”`), or by its record's footer, which stays English:
# `ObjectNotFound: (sed:String) [], CommandNotFoundException`.
_NOT_A_CMDLET = re.compile(
    r"(?:The term '|Die Benennung \"|Le terme «\s?|El t\S{1,2}rmino '|无法将“|用語 ')"
    r"(?P<name>[\w.+-]+)"
    rf"(?:' is not recognized as (?:the )?(?:a )?name of a cmdlet|[\"»”']\s?(?:"
    rf"{'|'.join(signals.POWERSHELL_NOT_A_CMDLET)}))"
    r"|\bObjectNotFound: \((?P<found>[\w.+-]+):String\) \[\], CommandNotFoundException"
)
POSIX_IN_POWERSHELL_TEXT = (
    "Shell commands here run in PowerShell, not bash: POSIX tools such as `sed`, `head`, "
    "`grep` or `nl` are not there (“The term 'sed' is not recognized …”); use PowerShell's "
    "own (`Get-Content … | Select-Object -Skip N -First M`, `Select-String`)."
)


def posix_in_powershell(call: Event, error: str) -> str | None:
    """The POSIX tool PowerShell, the harness's shell, said it does not know, or None (a
    call that runs PowerShell on purpose, `pwsh -Command "… | head"`, says nothing of the
    shell the harness runs)."""
    if _RUNS_POWERSHELL.search(call.text):
        return None
    names = (name.lower() for name in unknown_to_powershell(error[:2000]))
    return next((name for name in names if name in _NOT_IN_POWERSHELL), None)


def unknown_to_powershell(error: str) -> list[str]:
    """The programs PowerShell said it does not know, in the order it said them: its own
    words in any of its languages, or the record's footer."""
    return [found["name"] or found["found"] for found in _NOT_A_CMDLET.finditer(error)]


_RUNS_POWERSHELL = re.compile(r"\b(?:powershell|pwsh)(?:\.exe)?\b", re.I)

# A cmd builtin with a cmd switch (`cd /d D:\app`, `dir /s`, `del /q`) in a step of its own.
_CMD_SWITCHED = re.compile(
    r"(?:^|&&|\|\||;)\s*(?P<step>(?:cd|chdir|dir|del|erase|copy|move|rd|rmdir|md|mkdir)"
    r"\s+/[A-Za-z?]{1,2})(?=\s)",
    re.I,
)
# How a PowerShell cmdlet refuses a word it has no parameter for: cmd's `/d` taken as a second
# path (`Set-Location: A positional parameter cannot be found that accepts argument 'D:\app'`).
_NO_POSITIONAL = re.compile(r"A positional parameter cannot be found that accepts argument")
CMD_IN_POWERSHELL_TEXT = (
    "Shell commands here run in PowerShell, not cmd: cmd's switches fail there (`cd /d DIR` "
    "gives “Set-Location: A positional parameter cannot be found that accepts argument …”); "
    "write PowerShell's own form (`Set-Location -Path DIR`, `Get-ChildItem -Recurse`, "
    "`Remove-Item -Recurse -Force`)."
)
CMD_IN_POWERSHELL_FIX = "write it as PowerShell (`Set-Location -Path DIR`)"


def cmd_in_powershell(call: Event, error: str) -> str | None:
    """The cmd builtin with a cmd switch (`cd /d`) that the harness's shell, PowerShell,
    refused, or None. (The step may be one a lesson's wording leaves out, `cd /d X && git
    fetch`: the error is the `cd`'s, not the fetch's.)"""
    if _RUNS_POWERSHELL.search(call.text) or not _NO_POSITIONAL.search(error[:2000]):
        return None
    found = _CMD_SWITCHED.search(quotes_masked(call.text))
    return None if found is None else call.text[found.start("step") : found.end("step")]


# A bash here-document given to PowerShell: its parser stops at the `<<` before anything runs.
# (in German too; the record's footer names it in every language)
_HEREDOC_REFUSED = re.compile(
    r"Missing file specification after redirection operator|The '<' operator is reserved for "
    r"future use|Dateispezifikation nach dem Umleitungsoperator fehlt"
    r"|FullyQualifiedErrorId\s+: (?:MissingFileSpecification|RedirectionNotSupported)\b"
)
# How code goes to an interpreter without a here-document; and code that only asks its version.
_CODE_FLAGS = frozenset({"-c", "-e", "--eval"})
_ASKS_VERSION = re.compile(r"\bsys\.version|\bprocess\.version|\bRUBY_VERSION\b|\bplatform\.")
HEREDOC_IN_POWERSHELL_TEXT = (
    "Shell commands here run in PowerShell, which has no here-documents: `python - <<'PY'` "
    "fails before anything runs (“Missing file specification after redirection operator”); "
    "pipe the code in as a PowerShell here-string (`@'…'@ | python -`), pass short code with "
    '`python -c "…"`, or write it to a file and run the file.'
)
HEREDOC_IN_POWERSHELL_FIX = "pass the code with `-c`, or write it to a file and run it"
HERE_STRING_FIX = "pipe the code in as a PowerShell here-string (`@'…'@ | python -`)"


def heredoc_in_powershell(call: Event, error: str) -> bool:
    """A here-document the shell, PowerShell, could not parse (not one given to a PowerShell
    the call started on purpose: that says nothing of the harness's shell)."""
    if _RUNS_POWERSHELL.search(call.text) or not feeds_interpreter(call.text):
        return False
    return _HEREDOC_REFUSED.search(error[:4000]) is not None


# bash read a `(` of an unquoted path (a Next.js route group, `app/(auth)/page.tsx`) as syntax.
_PAREN_REFUSED = re.compile(r"syntax error near unexpected token `\('")
_PAREN_IN_PATH = re.compile(r"(?<![^\s=])[^\s'\";&|]*/\([\w.-]+\)[^\s'\";&|]*")
_EDIT_SCRIPT = re.compile(r"[sy]/")
PAREN_PATH_TEXT = (
    "An unquoted path holding `( )` (a Next.js route group such as `app/(auth)/page.tsx`) is a "
    "syntax error in bash (“syntax error near unexpected token `('”); quote such paths "
    "(`'app/(auth)/page.tsx'`)."
)
PAREN_PATH_FIX = "quote the path"


def paren_in_path(call: Event, error: str) -> str | None:
    """The path holding `( )` the call left unquoted, when bash stopped at its `(`."""
    if call.tool_name not in signals.SHELL_TOOLS or not _PAREN_REFUSED.search(error[:2000]):
        return None
    head = command_head(call.text)
    for found in _PAREN_IN_PATH.finditer(quotes_masked(head)):  # a quoted path is no cause
        if not _EDIT_SCRIPT.match(found[0]):  # `sed -E s/(a)/b/`: a program's own syntax
            return head[found.start() : found.end()].strip()
    return None


def quoted_path(path: str, later: Event) -> bool:
    """`later` is a shell call that gives the path quoted (or its parentheses escaped)."""
    if later.kind is not EventKind.TOOL_CALL or later.tool_name not in signals.SHELL_TOOLS:
        return False
    escaped = re.escape(path.replace("(", "\\(").replace(")", "\\)"))
    quoted = rf"'{re.escape(path)}'|\"{re.escape(path)}\"|{escaped}(?![^\s;&|])"
    return re.search(quoted, later.text) is not None


def passed_without_heredoc(call: Event, later: Event) -> bool:
    """`later` runs the program the here-document fed, its code passed another way."""
    if later.kind is not EventKind.TOOL_CALL or later.session != call.session:
        return False
    if later.tool_name not in signals.SHELL_TOOLS or feeds_interpreter(later.text):
        return False
    fed = fed_interpreter(call.text)
    return fed is not None and (
        any(_passes_code(step.split(), fed) for step in shell_steps(later.text))
        or piped_here_string(later.text) == fed
    )


# PowerShell's own way to feed code on stdin: a here-string piped to the program (`@'` and
# `'@` each on a line of its own, then `| python -`).
_HERE_STRING_PIPED = re.compile(
    r"^\s*@(?P<quote>['\"])\r?\n.*?\r?\n(?P=quote)@\s*\|\s*(?P<program>[^\s|;]+)\s+-(?:\s|$)",
    re.S,
)


def piped_here_string(command: str) -> str | None:
    """The program a PowerShell here-string is piped to (`python` of `@'…'@ | python -`)."""
    found = _HERE_STRING_PIPED.match(command)
    if found is None:
        return None
    return found["program"].replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".exe")


def _passes_code(words: list[str], program: str) -> bool:
    """The step runs `program` with code given by `-c` / `-e` (not a look at its version)."""
    if len(words) < 3 or words[0].rsplit("/", 1)[-1].rsplit("\\", 1)[-1] != program:
        return False
    return words[1] in _CODE_FLAGS and not _ASKS_VERSION.search(" ".join(words[2:]))


def does_same(foreign: str, later: Event) -> bool:
    """Whether a later call does what a foreign command meant (list, read, search, copy,
    move, delete, locate), the POSIX way or with the harness's own tool."""
    intent = _intent(foreign)
    if intent is None or later.kind is not EventKind.TOOL_CALL:
        return False
    programs, tools = _INTENTS[intent]
    head = command_head(later.text).split()
    posix = later.tool_name in signals.SHELL_TOOLS and bool(head) and head[0] in programs
    return posix or later.tool_name in tools


def _intent(foreign: str) -> str | None:
    """What a foreign command means: its program's, or, for cmd's `if`, the guarded
    command's (`mkdir X` of `if not exist X mkdir X`, whichever shell's program it names)."""
    guarded = _CMD_IF.match(foreign)
    if guarded is None:
        return _FOREIGN_INTENT.get(foreign.split()[0].lower())
    name = guarded["then"].lower()
    posix = (intent for intent, (programs, _) in _INTENTS.items() if name in programs)
    return _FOREIGN_INTENT.get(name) or next(posix, None)


# A switch of a Windows program (`/F`, `/Query`, `/TN`): a word alone after a slash.
_PROGRAM_SWITCH = re.compile(r"(?<!\S)/(?P<name>[A-Za-z][A-Za-z?]{0,15})(?!\S)")


def switch_as_path(call: Event, error: str) -> str | None:
    """The `/switch` of a call in Git Bash that its program reported back as a Windows path
    (`/F` as `F:/`, `/Query` as `E:/Git/Query`), or None."""
    if call.tool_name not in signals.SHELL_TOOLS:
        return None
    shown = error[:2000]
    for switch in _PROGRAM_SWITCH.finditer(command_head(call.text)):
        if re.search(_as_path(switch["name"]), shown, re.I):
            return switch[0]
    return None


def _as_path(name: str) -> str:
    """How Git Bash hands a switch over: `/F` as the drive `F:/`, any switch as a folder of
    Git's own (`C:/Program Files/Git/Query`)."""
    name = re.escape(name)
    folder = rf"\b[A-Za-z]:/(?:[^'\"\n/]+/)*{name}(?=['\"\s]|$)"
    return rf"(?<![\w/]){name}:/(?=['\"\s]|$)|{folder}" if len(name) == 1 else folder


def doubled(call: Event, switch: str, later: Event) -> bool:
    """The later call runs the same program with the switch's slash doubled (`//F`)."""
    head, again = command_head(call.text).split(), command_head(later.text).split()
    return bool(head and again) and head[0] == again[0] and f"/{switch}" in again


SWITCH_LESSON = (
    "Git Bash here turns a Windows program's `/switches` into paths before the program starts "
    "(`/F` arrives as `F:/`, `/Query` as a folder of Git's), and the program rejects them; "
    "double the slash (`taskkill //F //PID …`) or set `MSYS_NO_PATHCONV=1`."
)


def lost_variables(call: Event, output: str) -> bool:
    """A PowerShell script passed in double quotes through bash, whose output shows its
    `$variables` gone."""
    if call.tool_name not in signals.SHELL_TOOLS:
        return False
    return bool(_POWERSHELL_DOUBLE.search(call.text)) and bool(_LOST_VARIABLE.search(output))


QUOTING_LESSON = (
    'Given to bash, a `powershell -Command "…"` script in double quotes loses its '
    "`$variables` to bash's expansion before PowerShell runs (PowerShell then reports "
    "“Missing variable name” or works on empty or wrong values); put the script in single "
    "quotes, or in a .ps1 file run with `powershell -File`."
)


def lost_variable_marks(
    events: tuple[Event, ...], calls: dict[str | None, Event]
) -> dict[int, tuple[Event, str]]:
    """The results (by seq) whose PowerShell script lost its variables to bash, each with its
    call and the words that show it; none unless the run shows it twice (a quirk seen once
    may be a typo), nor where the harness's shell is PowerShell: that one expanded them."""
    if not runs_in_posix_shell(events):
        return {}
    found: dict[int, tuple[Event, str]] = {}
    for event in events:
        call = calls.get(event.tool_use_id or "") if event.role == "tool" else None
        if call is None or not lost_variables(call, event.text[:4000]):
            continue
        mark = _LOST_VARIABLE.search(event.text[:4000])
        if mark is not None:
            found[event.seq] = (call, mark[0].strip())
    return found if len(found) >= 2 else {}


# A `!` with a backslash before it, as a program's error echoes its input (`if (\!tree[dir])`,
# `select(.a \!= null)`), and what follows it.
_ESCAPED_BANG = re.compile(r"\\!(?P<after>[^\s\\]{0,12})")
# A warning's label before the `\!` on its line (Python's `SyntaxWarning: invalid escape
# sequence '\!'`, gawk's `warning: escape sequence `\!' treated as plain `!'`): the program read
# the code all the same, so what failed the call was another error.
_WARNING_LABEL = re.compile(r"warning:", re.I)
# The exception a Python or Node program died of, on a line of its own (`NameError: …`,
# `json.decoder.JSONDecodeError: …`, `Uncaught TypeError: …`), and the words of a failure to
# parse the code: a program that died of the one without the other parsed its code and ran,
# so a `\!` in its output is one it printed, not what broke it.
_RAISED = re.compile(r"^(?:Uncaught )?(?:\w+\.)*[A-Z]\w*(?:Error|Exception):", re.M)
_PARSE_FAILED = re.compile(
    r"SyntaxError|IndentationError|TabError|syntax error|parse error|unexpected (?:token|char)",
    re.I,
)


# A here-document written into a file (`cat > f <<'EOF'`, `cat <<EOF >> f`), and bash stopping at
# a quote it could not match: the Bash tool's quoting of a long body broke, not the body.
# The delimiter quoted (`<<'EOF'`): bash reads the body as it is; unquoted, a quote in it is
# bash's own to match, and the failure is the script's.
_HEREDOC_INTO = re.compile(
    r"\bcat\s+(?:>>?\s*(?P<a>[\"'][^\"']+[\"']|[^\s<]+)\s*<<-?\s*[\"']\w+[\"']"
    r"|<<-?\s*[\"']\w+[\"']\s*>>?\s*(?P<b>[\"'][^\"']+[\"']|\S+))"
)
_UNMATCHED_QUOTE = re.compile(r"unexpected EOF while looking for matching")


# A Windows path in double quotes ending in a backslash (`"C:\Users\me\"`): bash reads the
# `\"` as a quote inside the string, which then runs on to the end of the command.
_QUOTE_ESCAPED_BY_PATH = re.compile(r'"[A-Za-z]:\\[^"\n]*\\"(?=\s|$|[;&|)])')

ESCAPED_QUOTE_LESSON = (
    "Git Bash here reads a double-quoted Windows path that ends in a backslash "
    '(`"D:\\work\\logs\\"`) as an escaped quote, so the command runs on and fails '
    "(“unexpected EOF while looking for matching …”); end the path without the backslash, "
    "or write it with forward slashes (`/d/work/logs/`)."
)


def quote_escaped_by_path(call: Event, error: str) -> bool:
    """bash found a quote unmatched, and the call closed a quoted Windows path with `\"`."""
    return (
        call.tool_name in signals.SHELL_TOOLS
        and bool(_UNMATCHED_QUOTE.search(error[:2000]))
        and bool(_QUOTE_ESCAPED_BY_PATH.search(call.text))
    )


def broken_heredoc(call: Event, error: str) -> str | None:
    """The file a here-document was to write, when bash stopped at an unmatched quote in the
    command itself: not when the file written was then run and the error is its own
    (`/tmp/t.sh: line 21: unexpected EOF …`)."""
    if call.tool_name not in signals.SHELL_TOOLS:
        return None
    said = _UNMATCHED_QUOTE.search(error[:2000])
    into = _HEREDOC_INTO.search(call.text[:2000]) if said else None
    if said is None or into is None:
        return None
    written = (into["a"] or into["b"]).strip("\"'")
    line_start = error.rfind("\n", 0, said.start()) + 1
    name = re.escape(PurePosixPath(written).name)
    if re.search(rf"(?:^|[/\s]){name}: ", error[line_start : said.start()]):
        return None
    return written


def closed_beside_more(call: Event, error: str) -> bool:
    """A here-document's closing word shared its line with the next command, and what read
    the document failed on that line (or bash found the document never closed)."""
    if call.tool_name not in signals.SHELL_TOOLS or "<<" not in call.text:
        return False
    line = shared_closing_line(call.text)
    said = error[:4000]
    return line is not None and (line in said or "delimited by end-of-file" in said)


# A Windows path written bare in a bash command (`cd c:\Users\me\app && …`): bash took each
# backslash for an escape, and the error names the path without them (`c:Usersmeapp`).
_BARE_WINDOWS_PATH = re.compile(r"(?<![\"'\w])[A-Za-z]:\\[^\s\"'`;&|<>()]+")


BACKSLASHES_EATEN_FIX = "write the path with forward slashes"


def backslashes_eaten(call: Event, error: str) -> bool:
    """bash took the backslashes of a Windows path the call wrote bare (the error shows it)."""
    return eaten_path(call, error) is not None


def eaten_path(call: Event, error: str) -> str | None:
    """The Windows path the call wrote bare (`C:\\Users\\ana\\app`) whose backslashes bash
    took away, as the error shows (`C:Usersanaapp`), or None."""
    if call.tool_name not in signals.SHELL_TOOLS or ":\\" not in call.text:
        return None
    said = error[:2000]
    return next(
        (
            path[0]
            for path in _BARE_WINDOWS_PATH.finditer(call.text[:4000])
            if path[0].count("\\") >= 2 and path[0].replace("\\", "") in said
        ),
        None,
    )


def forward_slashed(call: Event, path: str, later: Event) -> bool:
    """`later` is a shell call of the same session that gives the Windows path `path` with
    forward slashes: `C:/Users/ana/app`, or Git Bash's `/c/Users/ana/app` (any case)."""
    if later.kind is not EventKind.TOOL_CALL or later.tool_name not in signals.SHELL_TOOLS:
        return False
    if later.session != call.session:
        return False
    drive, rest = path[0], re.escape(path[2:].replace("\\", "/"))
    written = rf"(?<![\w/])(?:{drive}:|/{drive}){rest}(?![^\s\"';&|)])"
    return re.search(written, later.text, re.I) is not None


def escaped_bang(call: Event, error: str) -> bool:
    """The error shows a `\\!` where the call wrote a bare `!`: the harness added the
    backslash on the way to the program, which could not parse it. Not a `\\!` only a warning
    names, nor one a program printed before it died of a runtime error (one the runtime
    error names, `re.PatternError: unknown extension ?\\!`, is the bang's)."""
    if call.tool_name not in signals.SHELL_TOOLS or "!" not in call.text:
        return False
    said = error[:4000]
    died = _RAISED.search(said) is not None and not _PARSE_FAILED.search(said)
    for found in _ESCAPED_BANG.finditer(said):
        if _warned_about(said, found.start()):
            continue
        if died and not _RAISED.match(said, said.rfind("\n", 0, found.start()) + 1):
            continue  # printed before a runtime error; not the `\!` the error itself names
        written = re.compile(r"(?<!\\)!" + re.escape(found["after"]))
        if written.search(call.text):
            return True
    return False


def _warned_about(error: str, at: int) -> bool:
    """The text at `at` is what a warning of the error's names, not its failure."""
    line_start = error.rfind("\n", 0, at) + 1
    return _WARNING_LABEL.search(error, line_start, at) is not None


# A script's name: it starts only where a word can (after a space, a slash, a quote or a colon),
# so a long run of text without one is read once, not from each of its characters.
_PS1_NAME = r"(?<![^\s\\/\"'“”:，、])[^\s\\/\"'“”:，、]+"
# PowerShell's execution policy refusing a `.ps1` script, in the languages it is known to say
# it in (en, de, fr, zh, ja); the text read with its console's line wraps taken out.
_SCRIPTS_DISABLED = re.compile(
    rf"(?P<script>{_PS1_NAME})\.ps1\"? cannot be loaded because running scripts is disabled"
    rf"|(?P<de>{_PS1_NAME})\.ps1\"? kann nicht geladen werden, da die Ausführung von Skripts"
    rf"|(?P<fr>{_PS1_NAME})\.ps1, car l[’']exécution de scripts est désactivée"
    r"|无法加载文件 [^\s，]*?(?<![^\s\\/])(?P<zh>[^\s\\/，]+)\.ps1，因为在此系统上禁止运行脚本"
    r"|スクリプトの実行が無効になっているため、ファイル \S*?(?<![^\s\\/])(?P<ja>[^\s\\/]+)\.ps1 を",
    re.I,
)
# The error record's footer, the same in every language: a policy's refusal (a script left
# unsigned included), the script named in the message above it.
_POLICY_FOOTER = re.compile(
    r"PSSecurityException\b.{0,200}?FullyQualifiedErrorId\s*:\s*UnauthorizedAccess\b", re.S
)
_PS1_NAMED = re.compile(rf"(?P<script>{_PS1_NAME})\.ps1\b", re.I)
# A script left unsigned (the policy `AllSigned`, or `RemoteSigned` and a downloaded script),
# not scripts disabled, in the languages the refusal is read in.
_UNSIGNED = re.compile(
    r"digitally signed|nicht digital signiert|pas signé numériquement"
    r"|未经数字签名|デジタル署名されて",
    re.I,
)
_WRAPPED = re.compile(r"\s*\r?\n\s*")
SHIM_REFUSED_TEXT = (  # one wording whatever program's shim was refused, naming none as it
    "PowerShell here refuses to run `.ps1` scripts, so a program's `.ps1` shim (`npm.ps1`, "
    "`npx.ps1`, …) fails (“running scripts is disabled on this system”): call its `.cmd` "
    "instead (`npm.cmd`, `npx.cmd`, …)."
)
SHIM_REFUSED_FIX = "call the program's `.cmd` (`npm.cmd`)"
SHIM_POLICY_CHANGED_TEXT = (
    SHIM_REFUSED_TEXT[:-1] + "; the run changed the execution policy instead, which is the "
    "user's setting: ask first."
)
# A command that changes PowerShell's execution policy, for the session or for good.
POLICY_CHANGED = re.compile(
    r"\bSet-ExecutionPolicy\b|-ExecutionPolicy\s+(?:Bypass|Unrestricted|RemoteSigned)\b", re.I
)


def refused_shim(call: Event, error: str) -> str | None:
    """The program whose `.ps1` shim PowerShell's execution policy refused to run (`npm` for
    `…\\npm.ps1`), the call naming it bare (`npm run lint`), or None. A script run by its own
    path (`.\\build.ps1`, `.venv\\Scripts\\Activate.ps1`) is no program's shim."""
    if call.tool_name not in signals.SHELL_TOOLS or ".ps1" not in error[:4000].lower():
        return None
    said = _WRAPPED.sub(" ", error[:4000])
    found = _SCRIPTS_DISABLED.search(said)
    names = (
        [next(name for name in found.groups() if name)]
        if found is not None
        else [m["script"] for m in _PS1_NAMED.finditer(said)]
        if _POLICY_FOOTER.search(said) and not _UNSIGNED.search(said)
        else []
    )
    return next((name for name in names if _called_bare(call.text, name)), None)


def _called_bare(command: str, name: str) -> bool:
    """`name` is a command word of `command`, by its name alone (no path, no extension)."""
    bare = rf"(?:^|(?<=[\s;&|(])){re.escape(name)}(?=\s|$|[;&|)])"
    return re.search(bare, command, re.I | re.M) is not None


def runs_shim_cmd(call: Event, name: str, later: Event) -> bool:
    """`later` is a shell call of the same session that runs the program `name` by its
    `.cmd` or `.exe` (`npm.cmd test`), PowerShell's execution policy not in its way."""
    if later.kind is not EventKind.TOOL_CALL or later.tool_name not in signals.SHELL_TOOLS:
        return False
    if later.session != call.session:
        return False
    return re.search(_step_running(name), later.text[:4000], re.I | re.M) is not None


def _step_running(name: str) -> str:
    """A step of a command line that runs `name`'s `.cmd` or `.exe` as its command word
    (`npm.cmd test`, `& "C:\\Program Files\\nodejs\\npm.cmd" test`), not one that only names
    it (`Get-Command npm.cmd`, `where.exe npm.cmd`)."""
    where = r"(?:\"[^\"\n]*[\\/]|'[^'\n]*[\\/]|[\"']|[^\s\"';&|(){}]*[\\/])?"
    program = rf"{where}{re.escape(name)}\.(?:cmd|exe)[\"']?(?=\s|$|[;&|)}}])"
    return rf"(?:^|(?<=[;&|({{]))[&|]?[ \t]*(?:&[ \t]*)?{program}"


def changes_policy(call: Event, name: str, later: Event) -> bool:
    """`later` is a shell call of the same session that runs `name` after changing
    PowerShell's execution policy (`Set-ExecutionPolicy -Scope Process Bypass; npm test`)."""
    if later.kind is not EventKind.TOOL_CALL or later.tool_name not in signals.SHELL_TOOLS:
        return False
    return (
        later.session == call.session
        and POLICY_CHANGED.search(later.text) is not None
        and _called_bare(later.text, name)
    )
