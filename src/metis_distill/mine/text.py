"""Cutting text into sentences and short excerpts (langchain-text-splitters does the cutting)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from metis_distill.homes import hide_person
from metis_distill.terminal import printable

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

MAX_SENTENCE = 320
CHUNK = 1200  # characters of prose the splitter cuts at most (a text this short is one chunk)
# Chinese and Japanese end a sentence with a full-width mark and no space after it, or with
# an ASCII one and a space, the next sentence opening with a kana, a han or a hangul.
# An ellipsis or a run of marks ("…..", "????") ends one whatever the next word's case.
# The first look-behind, the marks of the three alternatives after it, fails most places at
# once (each alternative alone was tried at every place): the same splits, twice as fast.
_SENTENCE_END = re.compile(
    r"(?<=[.!?\u2026\u3002\uff01\uff1f])"
    r"(?:(?<=[.!?])\s+(?=[A-Z`*\"'(\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])|(?:(?<=[.!?][.!?])|(?<=\u2026))\s+|(?<=[\u3002\uff01\uff1f])\s*)"
    r"|\n+"
)
_CODE_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_MARKUP = re.compile(r"\*\*|__|^#+\s*|^[-*]\s+|^\d+\.\s+", re.M)
_WS = re.compile(r"\s+")
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")
# The steps of a command line: `a && b || c; d` (pipes stay inside their step).
STEP_SPLIT = re.compile(r"\s*(?:&&|\|\||;)\s*")
# What only cuts or merges a command's output: `| tail -5` at its end, `2>&1` anywhere.
_WRAPPING = (
    re.compile(r"\s*\|\s*(?:tail|head)\b[^|]*$"),
    re.compile(r"\s*2>&1(?=\s|$|[;&|])"),
)
# Output thrown away (`2>/dev/null`, `&> /dev/null`): no part of what a command does.
_DISCARDED = re.compile(r"\s*(?:\d|&)?>\s*/dev/null(?=\s|$|[;&|])")
# `|| true`, `; true`, `|| :`, `|| exit 0`: the call reports success whatever it did.
MASKED = re.compile(r"\s*(?:\|\||;)\s*(?:true|:|exit 0)\s*$")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\s]+\)")
# One word of a command line: quoted, or up to the next space or `&`, `;`, `|`.
SHELL_WORD = r"(?:\"[^\"]*\"|'[^']*'|(?:\\ |[^\s&;|])+)"
# Steps that only set up the command after them: `cd dir &&`, `mkdir -p out &&`, `export X=1;`,
# a Node, conda or virtualenv environment chosen (`source ~/.nvm/nvm.sh && nvm use 20 &&`,
# `conda activate ml &&`, `. .venv/bin/activate &&`).
_SETUP_PREFIX = re.compile(
    rf"^\s*(?:(?:cd|mkdir\s+-p|export)\s+{SHELL_WORD}(?:\s+{SHELL_WORD})*?"
    r"|(?:source|\.)\s+[\"']?[^\s&;|]*?(?:/nvm\.sh|/bin/activate|/setup\.(?:ba|z)?sh)[\"']?"
    r"|(?:nvm\s+use|conda\s+activate)\s+[\w.@/~-]+)"
    r"\s*(?:&&|;)\s*"
)

# A here-document written to a file (`cat <<'EOF' > run.py`, `tee out.txt <<EOF`) only sets up
# the command after it, on the same line (`&&`, `;`) or the next.
_WRITES_HEREDOC = re.compile(
    r"^\s*(?=(?:cat|tee)\b)(?=[^\n&;|]*<<)(?=[^\n&;|]*(?:>|\btee\s+[\w./~-]))[^\n&;|]*"
    r"(?:&&|;|\n)\s*(?=\S)"
)
_HEREDOC = re.compile(r"<<-?\s*(?P<quote>['\"]?)(?P<tag>[A-Za-z_]\w*)(?P=quote)")


@lru_cache(maxsize=1)
def _splitter() -> RecursiveCharacterTextSplitter:
    # imported on first use: the lessons' readers (`metis context`) need none of it
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=CHUNK,
        chunk_overlap=0,
        separators=["\n\n", "\n", ". ", " ", ""],
        keep_separator="end",
    )


def sentences(text: str) -> list[str]:
    """Sentences of prose, verbatim (so they can be quoted); code blocks are left out."""
    prose = _CODE_FENCE.sub("\n", text)
    found: list[str] = []
    # prose shorter than a chunk is one chunk, stripped (none when blank): the splitter's answer
    chunks = [prose.strip()] if len(prose) < CHUNK else _splitter().split_text(prose)
    for chunk in chunks:
        found.extend(s.strip() for s in _SENTENCE_END.split(chunk) if s.strip())
    return [s for s in found if len(s) <= MAX_SENTENCE]


def clean(sentence: str) -> str:
    """A sentence as a context-file line: markup stripped (a link kept as its text),
    whitespace folded."""
    parts = _CODE_SPAN.split(_LINK.sub(r"\1", sentence))
    # markup outside code spans only: `__init__.py`, `**kwargs` are spelled as written
    unmarked = (part if n % 2 else _MARKUP.sub("", part) for n, part in enumerate(parts))
    text = _WS.sub(" ", "".join(unmarked)).strip()
    if not text or _CODE_WORD.match(text):
        return text  # `npm`, `package.json`, `src/app` are spelled as the shell spells them
    return text[:1].upper() + text[1:]


# A first word that is a program or a file, not a word of the sentence: it keeps its case.
_CODE_WORD = re.compile(
    r"(?:[a-z][\w-]*[._/][\w./-]*|[a-z]+\d[\w-]*"
    r"|npm|npx|pnpm|yarn|pip|pipx|uv|git|cargo|rustc|rustup|node|deno|bun|python|python3|pytest"
    r"|docker|kubectl|helm|curl|wget|brew|apt|dnf|gcc|clang|tsc|eslint|prettier|ruff|mypy|jq|rg"
    r"|grep|sed|awk|ssh|scp|rsync|vite|webpack|jest|vitest|gradle|mvn|dotnet|conda|nvm|gh|zsh"
    r"|bash|pwsh|cmake|ninja|tmux|systemctl|journalctl|sudo|chmod|chown)(?=[\s:,;)]|$)"
)


def shorten(text: str, limit: int) -> str:
    text = _WS.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# A run's commands are compared pairwise (each failure with every later call of its tool):
# the same texts are split again and again. Pure functions of the text, so cached; a few
# hundred entries (a here-document can be long)
_COMMANDS_CACHED = 512


# The programs a script is handed to as text, inline or on stdin (`python3 -c "…"`, `node -e`).
INTERPRETERS = r"python[\d.]*|py|node|ruby|perl|php|deno|bun|Rscript"
_INTERPRETER = rf"(?:\S*/)?(?:{INTERPRETERS})(?:\.exe)?"
# A script handed inline to its interpreter, as a command starts: `python - <<'PY'`,
# `python3 -c "…"`, `python3 -Ic "…"`, `node -e …`, `python3 <<EOF`, `cat <<'EOF' | python3`.
# A cluster of a few one-letter flags ends in `c` or `e`; a longer word is an option with its
# value (`python -Wignore manage.py` runs a file).
INLINE_SCRIPT = re.compile(
    rf"^(?:\w+=\S*\s+)*(?P<interpreter>{_INTERPRETER})(?:\s+-\w+)*?\s+"
    r"(?:(?:-[A-Za-z]{0,3}[ce]|--eval|-p|--print|-)(?=\s|$)|<<)"
    rf"|^cat\s+<<\S+\s*\|\s*(?P<piped>{_INTERPRETER})$"
)
# A here-document fed to an interpreter or a shell (`python - <<'PY'`, `node <<EOF`,
# `bash <<EOF`), not a message written through one (`git commit -m "$(cat <<'EOF' …)"`).
_INTERPRETER_HEREDOC = re.compile(
    rf"(?:^|[\s;&|(])(?:\S*/)?(?P<program>{INTERPRETERS}|bash|sh|zsh)(?:\.exe)?"
    r"(?:\s+-\S*)*\s*<<"
)


def feeds_interpreter(command: str) -> bool:
    """The command feeds a here-document to an interpreter."""
    return fed_interpreter(command) is not None


def fed_interpreter(command: str) -> str | None:
    """The interpreter the command feeds a here-document to (`python3` of `python3 - <<'PY'`)."""
    found = _INTERPRETER_HEREDOC.search(split_heredocs(command)[0])
    return found["program"] if found is not None else None


@lru_cache(maxsize=_COMMANDS_CACHED)
def split_heredocs(command: str) -> tuple[str, str]:
    """The command's own lines and the bodies of its here-documents (`python3 - <<'PY'` …
    `PY`): a script fed on stdin is what the command reads, not how it is run."""
    own: list[str] = []
    bodies: list[str] = []
    closing: str | None = None
    for line in command.split("\n"):
        if closing is not None:
            if line.strip() == closing:
                closing = None
            else:
                bodies.append(line)
            continue
        own.append(line)
        marker = _HEREDOC.search(line)
        if marker is not None:
            closing = marker["tag"]
    return "\n".join(own), "\n".join(bodies)


def shared_closing_line(command: str) -> str | None:
    """A here-document chained to the next command at its end: the line meant to close it
    holding more than its closing word (`PY && python - <<'PY'`: read as the document's text,
    which runs on), or the line after it opening on `&&` (a syntax error)."""
    closing: str | None = None
    closed = False
    for line in command.split("\n"):
        if closed and re.match(r"[ \t]*(?:&&|\|\|)", line):
            return line.strip()
        closed = False
        if closing is None:
            marker = _HEREDOC.search(line)
            closing = marker["tag"] if marker is not None else None
        elif line.strip() == closing:
            closing, closed = None, True
        elif re.match(rf"[ \t]*{re.escape(closing)}[ \t]*(?:&&|\|\||[;|>])[ \t]*\S", line):
            return line.strip()
    return None


# A script's opening `set -euo pipefail` (on its own line, or before `;` / `&&`): how the
# shell runs what follows, not what the script does.
_SHELL_OPTIONS = re.compile(
    r"^\s*set\s+-[a-zA-Z]+(?:\s+-?o\s+\w+|\s+pipefail)*\s*(?:\n|;|&&)(?:\s*#[^\n]*\n)*\s*(?=\S)"
)


# A line that goes on on the next (`\\`, an operator, an opened group or clause), or the next
# line that goes on from it (`&& next`, `| grep x`): no step ends between them.
_GOES_ON = re.compile(r"(?:\\|&&|\|\||\||\(|\{|\bthen|\bdo|\belse|;)\s*$")
_GOES_ON_FROM = re.compile(r"^\s*(?:&&|\|\||\||\)|\})")


def lines_as_steps(script: str) -> str:
    """A script of several lines as one (`export A=1\\ncd app\\nmake` as `export A=1; cd app;
    make`): a line break ends a step, as `;` does, unless the line goes on on the next or a
    quote is still open."""
    if "\n" not in script:
        return script
    lines = [line for line in script.split("\n") if line.strip()]
    parts = lines[:1]
    singles = doubles = 0  # the quotes so far: an odd count is a quote still open
    for previous, line in zip(lines, lines[1:], strict=False):
        singles += previous.count("'")
        doubles += previous.replace('\\"', "").count('"')
        if singles % 2 or doubles % 2 or _GOES_ON.search(previous) or _GOES_ON_FROM.match(line):
            parts[-1] = parts[-1].rstrip().removesuffix("\\")
            parts.append(" ")
        else:
            parts.append("; ")
        parts.append(line)
    return "".join(parts)


# PowerShell's here-string: `@'` (or `@"`) closing its line, the text, `'@` (`"@`) opening a
# line; text, as a here-document's body is. Piped into a command (`@'…'@ | Set-Content x.md`),
# that command is what runs.
_HERE_STRING_OPENER = re.compile(r"(?:^|(?<=[\s=(,]))@(?P<quote>['\"])[ \t]*\r?\n", re.M)
_PIPED_HERE_STRING = re.compile(r"\A\s*@(?P<quote>['\"])(?P=quote)@[ \t]*\|[ \t]*(?=\S)")


def _without_here_strings(command: str) -> str:
    """The command with each here-string's text left out (`@''@`), and none piped into it.
    Each opener's closer (`'@` opening a line) is looked for once: a quote whose closer is
    missing after one opener has none after a later one either (C#'s `@"` strings written
    by a here-document are many openers that never close: no scan to the end for each)."""
    if "@'" not in command and '@"' not in command:
        return command
    parts: list[str] = []
    done = 0  # the end of the text copied so far
    unclosed: set[str] = set()
    for opener in _HERE_STRING_OPENER.finditer(command):
        quote = opener["quote"]
        if opener.start() < done or quote in unclosed:
            continue
        closer = command.find(f"\n{quote}@", opener.end() - 1)  # (its text may be empty)
        if closer < 0:
            unclosed.add(quote)
            if len(unclosed) == 2:
                break
            continue
        parts += (command[done : opener.start()], f"@{quote * 2}@")
        done = closer + 3
    command = "".join(parts) + command[done:]
    return _PIPED_HERE_STRING.sub("", command, count=1)


@lru_cache(maxsize=_COMMANDS_CACHED)
def command_head(command: str) -> str:
    """A command on one line, without the steps that only set it up (`cd somewhere &&`,
    `mkdir -p out &&`) and without its here-documents' bodies (a PowerShell here-string's
    text): what it really runs."""
    command = _without_here_strings(split_heredocs(command)[0])
    command = _after_written_heredocs(_SHELL_OPTIONS.sub("", command))
    flat = _WS.sub(" ", lines_as_steps(command.strip().split("\n# ")[0]))
    head = flat
    while (step := _SETUP_PREFIX.match(head)) is not None and step.end() < len(head):
        head = head[step.end() :]
    return _called(head) or flat


# PowerShell's call operator (`& .\x.ps1 -v`, `& "C:/Py/python.exe" x.py`), with a script
# block that dot-sources a script (`& { . '.\x.ps1' -v }`): the program is the word after it.
_CALL_OPERATOR = re.compile(
    r"^&\s+(?:\{(?P<block>[^{}]*)\}\s*$|(?P<quote>[\"'])(?P<quoted>[^\"'\s]+)(?P=quote)(?=\s|$))"
)
_DOT_SOURCED = re.compile(r"^\.\s+(?P<quote>[\"']?)(?P<script>[^\"'\s]+\.ps1)(?P=quote)(?=\s|$)")


def _called(head: str) -> str:
    """The command without PowerShell's call operator: what it runs, as if typed alone."""
    if not head.startswith("& "):
        return head
    call = _CALL_OPERATOR.match(head)
    if call is None:
        return head[2:].lstrip()
    if call["block"] is None:
        return call["quoted"] + head[call.end() :]
    block = call["block"].strip()
    sourced = _DOT_SOURCED.match(block)
    if sourced is None:
        return block or head
    return sourced["script"] + block[sourced.end() :]


def unwrapped(command: str) -> str:
    """The command without what only cuts, merges or masks its output and exit status
    (`2>&1`, `| tail -5`, `|| true`): `ssh -T git@host` of `ssh -T git@host 2>&1 || true`."""
    return _without(command, (*_WRAPPING, MASKED))


@lru_cache(maxsize=_COMMANDS_CACHED)  # each call compared with every later one in its window
def unplumbed(command: str) -> str:
    """The command without what only cuts, merges or throws away its output (`2>&1`,
    `2>/dev/null`, `| head -20`): `pytest -q` of `pytest -q 2>&1 | tail -5`, for comparing
    what two calls ran (the exit status of the piped form is the filter's, not the
    command's)."""
    return _without(command, (*_WRAPPING, _DISCARDED))


def _without(command: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    head, previous = command_head(command), ""
    while head != previous:
        previous = head
        for pattern in patterns:
            head = pattern.sub("", head)
    return " ".join(head.split())


# What a shell reads as one word although it holds `;` or `&&`: a quoted string.
SHELL_QUOTED = re.compile(r"'[^']*'|\"(?:\\.|[^\"\\])*\"")


def shell_steps(command: str) -> list[str]:
    """The steps of a command line (`a && b || c; d`), split outside quotes: the `;` of
    `python3 -c "import a; a.run()"` belongs to the script."""
    return split_outside_quotes(command_head(command), STEP_SPLIT)


_LINE_OR_STEP = re.compile(rf"\s*\n\s*|{STEP_SPLIT.pattern}|\s*\|\s*")


def script_steps(script: str) -> list[str]:
    """Every step of a script, line by line and between `&&`, `||`, `;` and `|`, split
    outside quotes (a quoted string may span lines)."""
    steps = split_outside_quotes(script, _LINE_OR_STEP)
    return [step for step in steps if not step.startswith("#")]


def quotes_masked(text: str) -> str:
    """The text with each quoted string's characters replaced, its length kept: operators
    found in it stand outside quotes, at the same places as in the text."""
    return SHELL_QUOTED.sub(lambda quoted: "x" * len(quoted[0]), text)


def single_quotes_masked(text: str) -> str:
    """The text with each single-quoted string's characters replaced, its length kept: no
    variable of this shell is expanded there (an awk program's `$NF`, a command handed to `ssh
    host '…'`); a double-quoted string is kept, and read past, so that an apostrophe inside one
    (`echo "Let's look"`) opens no quote."""
    return SHELL_QUOTED.sub(
        lambda quoted: "x" * len(quoted[0]) if quoted[0].startswith("'") else quoted[0], text
    )


def split_outside_quotes(text: str, operators: re.Pattern[str]) -> list[str]:
    """The text's parts between the operators found outside quotes, stripped, none empty."""
    masked = quotes_masked(text)
    found, start = [], 0
    for operator in operators.finditer(masked):
        found.append(text[start : operator.start()].strip())
        start = operator.end()
    found.append(text[start:].strip())
    return [step for step in found if step]


def step_joiner(command: str) -> str:
    """The joiner of the command's steps: `; ` when it joins them with `;` and never `&&`
    outside quotes (Windows PowerShell 5.1 has no `&&`), else ` && `."""
    masked = quotes_masked(command)
    return "; " if ";" in masked and "&&" not in masked else " && "


def file_name(path: str) -> str:
    """The last part of a path, written with either slash (`C:\\a\\b.md`, `src/b.md`)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def same_file(a: str, b: str) -> bool:
    """The two paths name one file, one perhaps by its full path (`/w/src/a.py`, `src/a.py`)."""
    a, b = a.removeprefix("./"), b.removeprefix("./")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def first_step(command: str) -> str:
    """The command's first step, before any pipe: `find . -name x` of `find . -name x | sort`."""
    return command_head(command).split("|", 1)[0].strip()


def writes_heredoc(command: str) -> bool:
    """The command opens by writing a here-document into a file (`cat <<'EOF' > run.py`)."""
    return _WRITES_HEREDOC.match(split_heredocs(command)[0]) is not None


def _after_written_heredocs(command: str) -> str:
    while (step := _WRITES_HEREDOC.match(command)) is not None:
        command = command[step.end() :]
    return command


# Bidirectional marks, zero-width characters and the byte-order mark print nothing but change
# what a line means or how it compares.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


# A word holding the replacement character: bytes read in the wrong encoding (a GBK or cp949
# console's message read as UTF-8), which says nothing legible.
_WORD_UNQUOTED = re.compile(r"[^\s“”\"'`]+")


def scrub(text: str) -> str:
    """Text fit for a shared context file: no home folder names a person, nothing invisible,
    no terminal colour codes or other control characters, no word garbled by a wrong
    encoding."""
    text = _INVISIBLE.sub("", text)
    if "\ufffd" in text:
        text = _WORD_UNQUOTED.sub(lambda word: "…" if "\ufffd" in word[0] else word[0], text)
    return hide_person(printable(text))


# `npm run test` is `npm test` (`npm run test:unit` is no `npm test:unit`: npm has no such
# command); pnpm, yarn and bun run any script without `run`.
_RUN_SCRIPT = re.compile(
    r"^(?:(?P<npm>npm) run (?P<npm_script>test|start)(?![\w:.-])|(?P<pm>pnpm|yarn|bun) run )"
)


# The package managers' own commands: `bun build` bundles and `bun test` runs Bun's test
# runner, whatever the project's `build` and `test` scripts do; only `… run` runs those.
_OWN_COMMANDS = {
    "bun": frozenset(
        {"build", "test", "install", "i", "add", "remove", "rm", "update", "upgrade", "x"}
        | {"pm", "init", "create", "link", "unlink", "publish", "outdated", "patch", "audit"}
        | {"info", "exec", "repl", "why", "run"}
    ),
    "pnpm": frozenset(
        {"install", "i", "add", "remove", "rm", "update", "up", "publish", "pack", "link"}
        | {"unlink", "audit", "outdated", "list", "ls", "why", "exec", "dlx", "create", "init"}
        | {"store", "import", "rebuild", "prune", "deploy", "env", "patch", "config", "run"}
        | {"setup", "fetch", "doctor", "dedupe", "licenses", "root", "bin", "server", "ci"}
    ),
    "yarn": frozenset(
        {"install", "add", "remove", "upgrade", "up", "publish", "pack", "link", "unlink"}
        | {"audit", "outdated", "info", "init", "create", "why", "config", "cache", "global"}
        | {"list", "version", "workspace", "workspaces", "dlx", "exec", "bin", "set", "run"}
        | {"check", "node", "dedupe", "licenses", "import", "owner", "tag", "team", "login"}
        | {"logout", "help", "constraints", "plugin", "rebuild", "npm", "unplug", "search"}
    ),
}


def one_spelling(command: str) -> str:
    """One spelling of a package script, so that two texts about it name the same thing: `run`
    dropped where the manager runs the script without it (`pnpm run lint` is `pnpm lint`),
    kept where the word is the manager's own command (`bun run build` is not `bun build`)."""
    found = _RUN_SCRIPT.match(command)
    if found is None:
        return command
    if found["npm"]:
        return f"npm {found['npm_script']}{command[found.end() :]}"
    rest = command[found.end() :]
    script = rest.split(maxsplit=1)[0] if rest.strip() else ""
    if script in _OWN_COMMANDS[found["pm"]]:
        return command
    return f"{found['pm']} {rest}"
