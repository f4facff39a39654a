"""The general wording of a failure: the rule, not one instance of it.

A lesson names the command family, the script folder and the error as the next session will
meet them, without this run's paths, branch names or counts, so that every instance (in one
run or many) words it the same way and supports one line instead of adding one each.
"""

from __future__ import annotations

import re

from metis_distill.homes import hide_homes
from metis_distill.mine.text import (
    SHELL_WORD,
    command_head,
    one_spelling,
    shorten,
    unplumbed,
    unwrapped,
)

_SCRIPT = re.compile(r"^(?:\./)?(?P<dir>(?:[\w.@-]+/)+)[\w.@-]+\.(?:sh|bash|py|ps1|js|rb|pl)$")
_ABSOLUTE = re.compile(r"(?:(?<=[\s\"'(=:])|^)(?:/[\w.@-]+/|~/|[A-Za-z]:[\\/])")
_ENV_WORD = re.compile(r"^(?:\$env:)?[A-Za-z_][A-Za-z0-9_]*=")
_BRANCH_LIKE = re.compile(r"^\d{3,}-[\w.-]+$")  # spec-kit's `001-feature-name`
# One instance's id: an issue's (`cr-wisp-ci4`, `hq-wisp-025x`), a commit's or a container's.
_SLUG_ID = r"[a-z]+(?:-[a-z0-9]+)+-[a-z]*\d[a-z0-9]*"
_HEX_ID = r"(?=[a-f]*\d)(?=\d*[a-f])[0-9a-f]{8,64}"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_INSTANCE_ID = re.compile(rf"^{_SLUG_ID}$|^{_HEX_ID}$", re.I)
# One instance's id inside an error's words (`failed to mark issue hq-wisp-489 dirty`, a
# commit, a UUID): every instance prints another.
# A slug is an instance's only after a word that names one (`postgresql-client-16` is a
# package, `issue hq-wisp-489` an issue).
_ID_WORD = re.compile(rf"(?<![\w/.-])(?:{_HEX_ID}|{_UUID})(?![\w/-]|\.\w)", re.I)
_NAMED_SLUG = re.compile(
    r"\b((?:issue|task|ticket|bead|container|pod|job|run|session|build|deployment|commit|id)\s+)"
    rf"{_SLUG_ID}(?![\w/-]|\.\w)",
    re.I,
)
# What an error says after the path it names: `open /home/…/x: permission denied`.
_CAUSE_AFTER_PATH = re.compile(r"\S: ([A-Za-z][\w ']{2,60})$")
# Kotlin's error line opens with the file's whole path (`e: file:///home/…/A.kt:114:29
# Unresolved reference: X`; before 1.9 `e: /home/…/A.kt: (114, 29): …`): the file's name and
# place say it, not the runner's folders.
_COMPILER_AT = re.compile(
    r"^(?P<lead>e: )(?:file://)?/(?:[^\s/:]+/)+(?P<file>[^\s/:]+(?::\d+|: \(\d+, \d+\)))"
)
# A file two folders deep or more (`src/pages/user/Dialog.vue`): one file of today's work.
_DEEP_FILE = re.compile(r"^(?:\./)?(?:[\w.@-]+/){2,}[\w.@-]*\.[A-Za-z]\w{0,5}$")
_SCRIPT_FILE = re.compile(
    r"^(?:\./)?(?:[\w.@-]+/)+[\w.@-]+\.(?:sh|bash|py|js|mjs|ts|rb|pl|go|ps1)$"
)
_INTERPRETERS = frozenset(
    {"python", "python3", "py", "node", "bash", "sh", "zsh", "ruby", "perl", "deno", "bun", "tsx"}
    | {"ts-node", "pwsh", "powershell"}
)
_SENTENCE = re.compile(r"(?<=[.!])\s+(?=[A-Z])")
# npm's mark on each line of its error (not a sentence: "npm ERR! ERESOLVE could not resolve")
_NPM_MARK = re.compile(r"^npm ERR!\s+(?=\S)")
_COUNT = re.compile(r"\b\d+\b")
# A tally of findings (`Found 3 errors.`, `✖ 2 problems (2 errors, 0 warnings)`): each run
# counts its own, and the error is the same, one or many. Only a count where a tally puts it:
# a status or a version before a noun is none (`a 500 error`, `status 404 error`, `UTF-8 file`).
_TALLY = re.compile(
    r"(?:^|(?<=\()|(?<=[,:] )|(?<=✖ )|(?<=[Ff]ound )|(?<=with )|(?<=and )|(?<=in ))"
    r"\d+ (?P<noun>error|warning|problem|issue|failure|finding|offen[cs]e|violation|file)s?\b"
)
_PYTEST_MARK = re.compile(
    r"^E\s+(?=[\w.]*(?:Error|Exception|Failed|Timeout)\b|assert\b|(?:[a-z_]\w*\.)+[A-Z]\w*:\s)"
)
MAX_COMMAND = 80
# A command given as the fix: cut, it could not be run as written (`bash -c 'export …; x'`).
MAX_REMEDY = 160
# How a failure's line ends when the runs showed no remedy and the error no known cause.
NO_FIX_SEEN = "(no fix seen)"
# The way past pip refused or missing here: a virtual environment the run made, its pip.
OWN_PIP_WAY = "install into a virtual environment, calling its own pip by its path"
# How a missing program's line ends when no other way to run it was seen.
NO_RUNNER_SEEN = "find the project's way to run it before retrying"
# How the line of a machine's utility missing ends (`jq`, `tree`: no project runs them).
DO_WITHOUT = "do without it"
# How an unknown flag's line ends when leaving the flags out was all that worked: what any
# agent does next, worth a line only once it recurs.
# A variable the call needed, set for it: "run it with `PYTHONPATH=src` set."
RUN_IT_WITH = "run it with"
# The end of a failure's text whose fix the error itself told (a step to run first, or the
# options to add): any agent reading the error does it; a line once it recurs.
AS_THE_ERROR_SAYS = ", as the error says."
FLAGS_LEFT_OUT = ("; leave it out (that worked).", "; leave them out (that worked).")
# How it ends when the call passed once files were edited: which edit mattered is unsaid.
UNTIL_EDITED = "until files were edited"
# How an interpreter lacking a module that another environment's has is told: "`python`
# here lacks the module `flask` (…); run it as `.venv/bin/python …`."
LACKS_MODULE = " here lacks the module "
# How it ends when the same call passed run again, nothing changed: no step to teach.
PASSED_AGAIN = "and passed when run again"
# How it ends when the same call passed after the user wrote in between ("ok, I created
# it"): their step, outside the run, may be what mended it; no step of the agent's to teach.
AFTER_USER_STEP = "(it passed after the user stepped in; what they did is unseen)"
# How it ends when the way that worked was given a secret the failed call lacked (a
# password piped to it, typed by a script): the secret did it, and no agent has it to give.
SECRET_GIVEN = "(it worked only given a password or secret the agent lacks; ask the user)"
# How it ends when the call passed once a git remote was pointed at another address: which
# repository, and why, was that day's; no step to teach.
REMOTE_REPOINTED = "it worked once the remote was pointed at another address"
# How a Windows console's code page refusing a character ends when the run showed no way past
# it: the usual ways, none seen working, so the line is held back however often it recurs.
CODE_PAGE_USUAL_WAYS = (
    "set `PYTHONIOENCODING=utf-8` before running it (PowerShell: "
    "`$env:PYTHONIOENCODING='utf-8'`), or run it as `python -X utf8`"
)
MAX_ERROR = 140


def subject(tool: str | None, call_text: str) -> str:
    """What failed, in general: `npm test`; Scripts in `.specify/scripts/bash/`; Edit."""
    if tool not in (None, "Bash", "PowerShell", "shell", "exec_command", "bash"):
        return str(tool)
    head = command_head(call_text).split()
    if head and (script := _SCRIPT.match(head[0])) and script["dir"].strip("./"):
        return f"Scripts in `{script['dir']}`"  # a folder of scripts, not the repository's root
    return code(general_command(call_text))


# git's own options before its command (`git -C /repo push`): where and how git runs, not
# what it does. These take the next word as their value.
_GIT_GLOBAL_WITH_VALUE = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace"})


def without_git_options(words: list[str]) -> list[str]:
    """`git -C /repo -c k=v --no-pager push` as `git push`; any other program as it is, and
    git as it is when no command follows its options (`git --version`) or a quoted value
    does not close."""
    program = words[0].strip("\"'").replace("\\", "/").rsplit("/", 1)[-1] if words else ""
    if program.removesuffix(".exe") != "git":
        return words
    position = 1
    while 0 < position < len(words) and words[position].startswith("-"):
        option, joined, _ = words[position].partition("=")
        position = _after_word(words, position)
        if option in _GIT_GLOBAL_WITH_VALUE and not joined:
            position = _after_word(words, position)  # its value, the next word
    return [words[0], *words[position:]] if 0 < position < len(words) else words


def _after_word(words: list[str], position: int) -> int:
    """The position after the word at `position`, a quoted value split on its spaces taken
    whole (`user.name="Ana Smith"` is one); -1 when there is none or its quote does not close."""
    if position < 0 or position >= len(words):
        return -1
    for quote in ('"', "'"):
        if words[position].count(quote) % 2:
            closing = (n for n in range(position + 1, len(words)) if words[n].count(quote) % 2)
            return next(closing, -2) + 1
    return position + 1


def general_command(command: str, limit: int = MAX_COMMAND) -> str:
    """A command up to its first argument that belongs to one instance (an absolute path, a
    branch name), then `…`: `git checkout -b …`, `chmod +x …`, `npm install`; one spelling
    of a package script (`npm test` for `npm run test`)."""
    words = one_spelling(unwrapped(_WRITTEN_FIRST.sub("", command, count=1))).split()
    kept: list[str] = []
    program = next((i for i, w in enumerate(words) if not _ENV_WORD.match(w)), len(words))
    words = words[: program + 1] + without_git_options(words[program:])[1:]
    for position, word in enumerate(words):
        bare = word.strip("\"'")
        if position < program:  # `GOCACHE=/tmp/go-build go test`: the setting, its value cut
            name, value = word.split("=", 1)
            kept.append(f"{name}=…" if _ABSOLUTE.match(value) or "\\" in value else word)
            continue
        if position == program and _REDIRECTION.match(bare):
            kept.append(word)  # `X=$(cmd 2>/dev/null …)`: a redirection, no program's path
            continue
        if position == program:  # the program: its name, wherever it is installed ...
            path = bare.replace("\\", "/")
            # ... but the modules a Python of the system's or a venv's runs are its own
            at = _PYTHON_AT.match(path)
            own = at is not None and (at["pip"] or words[position + 1 : position + 2] == ["-m"])
            kept.append(path if own else path.rsplit("/", 1)[-1] or bare)
            continue
        address = repository_told(bare)
        if address is not None:  # its host kept, in place: the steps after it still tell
            kept.append(word if _installing(kept) else address)  # a tool's address whole
            continue
        script = _runs_script(kept) and bool(_SCRIPT_FILE.match(bare))
        # a commit's message is that commit's (`python -m pip`'s `-m` names a module)
        message = kept[-1] in ("-m", "--message") and "commit" in kept
        if (names_instance(bare) or message) and not script:
            kept.append("…")
            break
        named = _INSTANCE_FLAG.match(word)
        given = words[position + 1] if position + 1 < len(words) else ""
        if named is not None and _names_one_item(named.group("value"), given):
            # `--id=cr-witness`, `--title "Fix the cart"`: one item's own words
            flag = named.group("flag")
            kept.append(f"{flag}…" if flag.endswith("=") else f"{flag} …")
            break
        kept.append(word)
    return shorten_command(" ".join(kept), limit)


def general_fix(command: str) -> str:
    """A command given as a fix, in its general form, as long as a remedy may be."""
    return general_command(command, MAX_REMEDY)


def shorten_command(command: str, limit: int) -> str:
    """The command cut to `limit` characters, never inside a quoted argument or a command
    substitution: a cut that would fall in one (`set types "a,b,c…`, `--project $(…`, words
    no one could run) falls before it (`set types …`)."""
    told = shorten(command, limit)
    whole = " ".join(command.split())
    if len(whole) <= limit:
        return told
    opened = _opened_at(whole, len(told) - 1)
    before = whole[:opened].rstrip() if opened is not None else ""
    return f"{before} …" if before else told


def _opened_at(command: str, end: int) -> int | None:
    """Where the argument starts whose quote or command substitution (`$(…)`, `` `…` ``) is
    still open at `end`; None when none is."""
    quote, start, opened, depth, escaped = "", 0, 0, 0, False
    for at, char in enumerate(command[:end]):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'`":
            quote, opened = char, opened if depth else start
        elif command.startswith("$(", at):
            opened = opened if depth else start
            depth += 1
        elif char == "(" and depth and command[at - 1] != "$":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char == " " and not depth:
            start = at + 1
    return opened if quote or depth else None


_REDIRECTION = re.compile(r"^\d*[<>]")
# A message written to a file for the next step to read (`printf 'fix: x' > msg.txt && yarn
# commitmsg msg.txt`): what failed is the step after it. Cut here, in the wording only: in
# `command_head` a file written is an edit the fixes must still see.
_WRITTEN_FIRST = re.compile(
    rf"^\s*(?:printf|echo)\s+{SHELL_WORD}(?:\s+{SHELL_WORD})*?\s*>>?\s*{SHELL_WORD}\s*&&\s*(?=\S)"
)
# A Python (or its pip) named by where it is: the system's, Homebrew's or a project's venv,
# whose modules are not those of the `python3` on the PATH.
_PYTHON_AT = re.compile(
    r"^(?:/usr(?:/local)?/bin/|/bin/|/opt/homebrew/bin/|(?:\./)?\.?venv/bin/)"
    r"(?:python|(?P<pip>pip))[\d.]*$"
)
# A flag whose value names or describes one item (`bd create --id=… --title="…"`).
_INSTANCE_FLAG = re.compile(
    r"^(?P<flag>--(?:id|title|description|desc|body|summary|subject|comment|note)(?:=|$))"
    r"(?P<value>.*)"
)
_SLUG = re.compile(r"^[\w.]+[-_][\w.-]+$")


def _names_one_item(value: str, following: str) -> bool:
    """The flag's value (given after `=`, else the next word) is prose in quotes or a slug of
    one item (`cr-witness`), not a plain word or version a rule may need (`--title v1.2`)."""
    said = value or following
    return said[:1] in ("'", '"') or (bool(value) and bool(_SLUG.match(value)))


def _runs_script(kept: list[str]) -> bool:
    """The next argument is the script an interpreter runs (`python scripts/db/migrate.py`,
    `go run ./cmd/api/main.go`): the project's own command, not a file of today's."""
    return bool(kept) and (kept[-1].lower() in _INTERPRETERS or kept[-1] in ("run", "exec"))


# A file every home has in the same place (`~/.ssh/known_hosts`): no one's own path.
_EVERY_HOME = re.compile(
    r"^(?:~|\$HOME)/\.(?:ssh/(?:known_hosts|config)|bashrc|zshrc|profile|bash_profile|zprofile"
    r"|gitconfig|npmrc|cargo/env|nvm/nvm\.sh|local/bin/?)$"
)


def names_instance(argument: str) -> bool:
    """An argument that belongs to one instance: a path, a branch, an id, a repository's
    address."""
    if _EVERY_HOME.match(argument):
        return False
    return bool(
        _ABSOLUTE.match(argument)
        or repository_told(argument) is not None
        or _BRANCH_LIKE.match(argument)
        or _INSTANCE_ID.match(argument)
        or _DEEP_FILE.match(argument)
        or "\\" in argument
    )


# The address of one repository or account, given whole as an argument: git's scp form
# (`git@github.com:ana/shop.git`), an `ssh://` or `git://` URL, an `https://` one ending in
# `.git` or on a forge whose path opens with an owner (`https://gitlab.com/acme/web/shop`).
# A URL of a registry's root or a local server (`http://localhost:3000/api`) names no one's
# repository; nor does a package's (`git+https://…`), which is what a project installs.
_REPOSITORY_URL = re.compile(
    r"^(?P<scheme>(?:https?|ssh|git)://)(?:(?P<user>[^/@\s]*)@)?(?P<host>[^/@\s]+)"
    r"/(?P<path>\S+)$",
    re.I,
)
_SCP_ADDRESS = re.compile(
    r"^(?:(?P<user>[\w.-]+)@)?(?P<host>[\w-]+(?:\.[\w-]+)+)"
    r":(?![\d/])(?:[\w.~-]+/\S*|\S+\.git)$"
)
_FORGE = re.compile(
    r"^(?:[\w-]+\.)*(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com)$", re.I
)
_OF_REPOSITORY = re.compile(r"\.git/?$")
_SHARED_USER = "git"  # every forge's account for git over SSH: no one's own name


def repository_told(argument: str) -> str | None:
    """A repository's or an account's address as a lesson tells it, its host kept and its
    owner and name cut (`https://github.com/…`, `git@github.com:…`); None for any other
    argument. A user before the host (a person's name, a token) goes with the path."""
    url = _REPOSITORY_URL.match(argument)
    if url is not None:
        git_only = not url["scheme"].lower().startswith("http")  # ssh:// and git://
        if not (git_only or _FORGE.match(url["host"]) or _OF_REPOSITORY.search(url["path"])):
            return None
        return f"{url['scheme']}{_user_kept(url['user'])}{url['host']}/…"
    scp = _SCP_ADDRESS.match(argument)
    return f"{_user_kept(scp['user'])}{scp['host']}:…" if scp is not None else None


def _user_kept(user: str | None) -> str:
    return f"{user}@" if user == _SHARED_USER else ""


_WORD = re.compile(r"[^\s\"']+")
# What a project installs from a forge (`cargo install --git https://github.com/typst/typst`,
# `npm install https://github.com/…/lib.git`) is that tool's address, no one's own: kept whole.
_INSTALLS = frozenset({"install", "--git"})
_STEP_SEPARATORS = frozenset({"&&", "||", ";", "|"})


def _installing(words: list[str]) -> bool:
    """The last step of `words` installs (`cargo install --git`, `npm install`)."""
    step: list[str] = []
    for word in words:
        step = [] if word in _STEP_SEPARATORS else [*step, word]
    return bool(_INSTALLS & set(step))


def with_arguments(command: str) -> str:
    """A command told with its arguments, where its general form would hide what changed
    (`git -c http.version=HTTP/1.1 push …`): its output's plumbing left out, and each
    repository's address still told by its host alone (not what is installed from it)."""
    plain = unplumbed(command)

    def told(word: re.Match[str]) -> str:
        if _installing(plain[: word.start()].split()):
            return word[0]
        return repository_told(word[0]) or word[0]

    return shorten_command(_WORD.sub(told, plain), MAX_COMMAND)


def general_error(signature: str) -> str:
    """An error line as every instance prints it: its first sentence, cut before the first
    absolute path, counts folded (`# 1 SEARCH/REPLACE block` and `# 2 …` are one error, and
    so are `Found 1 error.` and `Found 2 errors.`)."""
    unmarked = _NPM_MARK.sub("", _PYTEST_MARK.sub("", signature.strip()))
    first = _SENTENCE.split(unmarked, maxsplit=1)[0]
    first = _COMPILER_AT.sub(r"\g<lead>\g<file>", first, count=1)
    first = _URL_PATH.sub(_host_kept, first)
    path = _ABSOLUTE.search(first)
    if path is not None and path.start() > 8:
        cause = _CAUSE_AFTER_PATH.search(first, path.start())
        # the quote the path opened goes with it: "Cannot find module …", not "module ' …"
        before = first[: path.start()].rstrip().rstrip("'\"`‘“")
        first = before.rstrip() + " …" + (f": {cause[1]}" if cause else "")
    first = _COUNT.sub("N", first) if _COUNT.match(first.lstrip("# ")) else first
    first = _TALLY.sub(r"N \g<noun>s", first)
    first = _NAMED_SLUG.sub(r"\1…", _ID_WORD.sub("…", first))
    if ":" in first:
        first = _DRIVE_PATH.sub(_drive_path_cut, first)
    return shorten(_cause_kept(first), MAX_ERROR)


# A Windows path left in the error (the cut above missed it: it opens the line, or follows
# words or a quote mark of another script, `对路径“D:\…”的访问被拒绝`), on any drive. Its names
# may hold single blanks (`Program Files\`); the last one ends at a blank or a quote mark.
_PATH_NAME = r"[^\\/\s\"'“”‘’「」『』<>|*?:]"
_DRIVE_PATH = re.compile(
    rf"(?<![\w\\/])[A-Za-z]:[\\/](?:{_PATH_NAME}+(?: {_PATH_NAME}+)*[\\/])*{_PATH_NAME}*"
)
KEPT_PATH_NAMES = 2  # the last names of a machine's path kept: what the error is about


def _drive_path_cut(found: re.Match[str]) -> str:
    """The path's last names after `…` (`…\\data\\cifar-10`), the home folder's owner never."""
    path = hide_homes(found[0])
    names = re.split(r"[\\/]", path)
    if len(names) <= KEPT_PATH_NAMES + 1:
        return path
    separator = "\\" if "\\" in path else "/"
    return "…" + separator + separator.join(names[-KEPT_PATH_NAMES:])


# A URL's path names one repository or package (`https://github.com/ana/shop.git`), and so
# does git's scp form (`git@github.com:ana/shop.git`); its host says where the error came
# from, and stays; a user (and a token) before the host go with the path.
_URL_PATH = re.compile(
    r"(?P<host>\b[a-z][\w+.-]*://)(?:[^/\s'\"‘’“”@]*@)?(?P<name>[^/\s'\"‘’“”]+)/[^\s'\"‘’“”)]+"
    r"|(?<![\w/.-])(?:[\w.-]+@)?(?P<scp>[\w-]+(?:\.[\w-]+)+):(?![\d/])[\w.~-]+/[^\s'\"‘’“”)]+",
    re.I,
)


def _host_kept(found: re.Match[str]) -> str:
    return f"{found['host']}{found['name']}/…" if found["host"] else f"{found['scp']}:…"


def _cause_kept(error: str) -> str:
    """An error wrapped by its callers (`Auto-import failed: failed to handle X: failed to
    mark Y: sqlite3: database is locked`) too long to quote whole: its first words and its
    cause, the last words, which a cut at the end would lose."""
    parts = error.split(": ")
    if len(error) <= MAX_ERROR or len(parts) < 3:
        return error
    tail: list[str] = []
    while len(parts) > 1 + len(tail) and len(": ".join([parts[-1 - len(tail)], *tail])) <= 70:
        tail.insert(0, parts[-1 - len(tail)])
    if not tail:
        return error
    return f"{parts[0]}: … {': '.join(tail)}"


def code(text: str) -> str:
    """Inline code that survives backticks inside it."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


# The rules' lesson of a program missing on the machine (`extract.rules._missing_program_text`):
# “`rg` is not on the PATH here (…)”, “`vercel` is not installed here (…)”.
MISSING_PROGRAM_LESSON = re.compile(
    r"^`(?P<program>[\w.+-]+)` is not (?:on the PATH (?:in WSL )?here|installed here)\b"
)
