"""Codex's sandbox as a lesson's cause: a write refused under a dot-folder or outside the
workspace, the network, Docker's socket or a listening socket kept out, a sandbox that cannot
start, a program that works only outside it. One wording per cause, whatever the command, so
that every call it stopped supports one lesson.
"""

from __future__ import annotations

import re

from metis_distill.extract.wording import MAX_COMMAND, code, general_command
from metis_distill.homes import home_folder
from metis_distill.mine.episodes import Episode
from metis_distill.mine.fixes import Fix, FixKind
from metis_distill.mine.signals import (
    DOCKER_SOCKET,
    NO_NETWORK,
    SANDBOX_REFUSAL,
    SHELL_TOOLS,
    WRITE_REFUSED,
    is_success,
)
from metis_distill.mine.text import shell_steps
from metis_distill.models import Event, EventKind, Run

ESCALATE = "run it with escalated permissions"


# Programs whose subcommands differ in what a sandbox lets them do (`git status` reads, `git
# fetch` writes under .git/).
_SUBCOMMAND_TOOLS = frozenset(
    {"git", "gh", "docker", "kubectl", "npm", "pnpm", "yarn", "cargo", "go"}
)


_GIT_DIR_TEXT = (
    "Codex's sandbox here cannot write under `.git/` (“Operation not permitted”): git commands "
    "that change the repository (fetch, branch, commit), and scripts that run them, fail inside "
    "it; ask to run them with escalated permissions."
)


# A write under a dot-folder refused (the repository's `.git/`, Codex's own `.codex/`):
# whichever command did it, one cause: the folder, not the command (`mkdir` works elsewhere).
# The colon before the refusal may be a full-width one, spaced or not (git in a Chinese or
# Japanese locale: `fatal: 不能创建 '/w/.git/index.lock'：Operation not permitted`).
_REFUSED = re.compile(r"['\"]?(?::? |：\s?)(?:Operation not permitted|Read-only file system)")


# A word that holds a path (`'/w/.git/x.lock'`, `.codex/a`): the path a refusal names when a
# verb stands between it and the refusal (`'/w/.git/index.lock' を作成できません：…`).
_PATH_WORD = re.compile(r"[\\/]")


_DOT_FOLDER = re.compile(r"(?:^|[\\/])(\.[A-Za-z][\w-]*)[\\/]")


# A shell's own refusal names the path after it: `zsh:150: operation not permitted: .codex/x`.
_SHELL_REFUSED = re.compile(
    r"\b(?:zsh|bash|sh)(?::\s*(?:line\s+)?\d+)?: (?:operation not permitted|read-only file "
    r"system): ([^\s'\"`\\]+)",
    re.I,
)


def _refused_paths(error: str) -> list[str]:
    """The paths of the writes refused, in the order the error names them: the path just
    before a program's refusal (`mkdir: /w/.codex/x: Operation not permitted`), or the one
    after a shell's."""
    found: list[tuple[int, str]] = []
    for refused in _REFUSED.finditer(error):
        before = error[max(0, refused.start() - 400) : refused.start()].split("\n")[-1]
        words = before.split()
        paths = [word for word in words if _PATH_WORD.search(word)]
        word = words[-1] if not words or _PATH_WORD.search(words[-1]) or not paths else paths[-1]
        found.append((refused.start(), word.strip("'\"`") if words else ""))
    found.extend((said.start(), said.group(1)) for said in _SHELL_REFUSED.finditer(error))
    return [path for _, path in sorted(found)]


def _refused_folder(error: str) -> str | None:
    """The dot-folder of the path a refused write names (`.git` wherever it is in the path,
    else the first one), or None."""
    for path in _refused_paths(error):
        folders = _DOT_FOLDER.findall(path)
        if ".git" in folders:
            return ".git"
        if folders:
            at_home = _HOME_FOLDER.match(path[: path.find(folders[0])])
            return f"~/{folders[0]}" if at_home else folders[0]
    return None


# A home folder: `~/`, `/Users/name/`, `/home/name/`, `C:\Users\name\`.
_HOME_FOLDER = re.compile(
    r"^['\"]?(?:~|/Users/[^/]+|/home/[^/]+|/root|[A-Za-z]:\\Users\\[^\\]+)[\\/]$"
)


# git's subcommands that write the repository's `.git/` (its index, refs, objects, config;
# a fetch its remote refs and objects).
_GIT_WRITES = re.compile(
    r"^git\s+(?:-C\s+\S+\s+)?(?:add|commit|restore|checkout|switch|merge|rebase|fetch|pull|"
    r"stash|reset|rm|mv|tag|cherry-pick|revert|am|init|gc|worktree|branch\s+(?!--?(?:l|list|a|"
    r"all|r|remotes|v|show-current|contains)\b)\S)"
)


def _git_write_refused(call: Event, error: str) -> bool:
    """A git write the sandbox refused, its words naming no path (`failed in sandbox:
    Operation not permitted`): `.git/` is what the sandbox would not let it write."""
    steps = shell_steps(call.text)
    said = [line.strip() for line in error[:4000].splitlines() if line.strip()]
    return (
        not call.escalated
        and len(steps) == 1
        and _GIT_WRITES.match(steps[0]) is not None
        and bool(said)
        and _BARE_REFUSAL.match(said[-1]) is not None
        and not NO_NETWORK.search(error[:4000])
    )


def _git_dir_denied(call: Event, error: Event, fix: Fix | None) -> bool:
    """A git write told "Permission denied" on a file under `.git/` (Windows' sandbox: `cannot
    open '.git/FETCH_HEAD': Permission denied`) that passed once let out of the sandbox: the
    sandbox's refusal of `.git/`. Without the escalated pass, a denial may be the files' owner."""
    steps = shell_steps(call.text)
    return (
        fix is not None
        and fix.kind is FixKind.ESCALATED
        and len(steps) == 1
        and _GIT_WRITES.match(steps[0]) is not None
        and _GIT_DIR_DENIED.search(error.text[:4000]) is not None
    )


_GIT_DIR_DENIED = re.compile(
    r"(?:^|[\s'\"/\\])\.git[\\/][^\s'\"]*['\"]?:?\s*(?:Permission denied|Access is denied)", re.I
)


# The sandbox's refusal as all the line says ("failed in sandbox: Operation not permitted").
_BARE_REFUSAL = re.compile(r"^(?:[\w ]+: )*(?:Operation not permitted|Read-only file system)\.?$")


def refusal_line(output: str, signature: str) -> str:
    """What the sandbox refused, in the output's own words, when the error line picked says
    something else (a traceback's last line printed after it): the last line that names it."""
    if SANDBOX_REFUSAL.search(signature):
        return signature
    lines = [line.strip() for line in output[:20_000].splitlines()]
    refused = [line for line in lines if SANDBOX_REFUSAL.search(line) and len(line) <= 300]
    return refused[-1] if refused else signature


# A refused write's path, named before the refusal (R's `cannot open file '/x': Permission
# denied`, `bash: /x: Read-only file system`) or after it (Python's `[Errno 13] Permission
# denied: '/x'`, Node's `EACCES: permission denied, open '/x'`); an absolute path or `~/…`.
_REFUSAL_SAID = r"(?P<said>permission denied|operation not permitted|read-only file system)"


_QUOTES = "'\"`‘’“”"


# (the colon between them may be a full-width one, spaced or not: a Chinese or Japanese locale)
_PATH_AT = rf"(?<![^\s{_QUOTES}(=：])(?P<path>(?:/|~/)[^\s{_QUOTES}：]*)"


_PATH_THEN_REFUSAL = re.compile(rf"{_PATH_AT}[{_QUOTES}]?(?:: |：\s?){_REFUSAL_SAID}\b", re.I)


_REFUSAL_THEN_PATH = re.compile(
    rf"\b{_REFUSAL_SAID}(?:(?::|, (?:open|mkdir|rmdir|unlink|rename|copyfile|symlink|link|"
    rf"chmod|utime|write)) |：\s?)[{_QUOTES}]?{_PATH_AT}",
    re.I,
)


# ssh reading a key the sandbox keeps it from (`Load key "~/.ssh/id_ed25519": Permission
# denied`): a read, and the key's, not a write of the run's.
_READ_BY_SSH = re.compile(r"^Load key \"", re.M)


# Not files a workspace could hold: devices and the kernel's own.
_NO_WRITE_PLACE = re.compile(r"^/(?:dev|proc|sys)(?:/|$)")


def _written_outside(error: str, workspace: str | None) -> tuple[str, str] | None:
    """The path of the first write the error says was refused, and the refusal's words,
    when that path lies outside the workspace (`~/…` outside it unless the workspace is in
    that home); None when no path is named, or it is relative, inside, or unknown where."""
    found = [m for rule in (_PATH_THEN_REFUSAL, _REFUSAL_THEN_PATH) for m in rule.finditer(error)]
    if not found or not workspace or not workspace.startswith("/"):
        return None
    first = min(found, key=lambda m: m.start())
    path, said = first["path"].rstrip(".,;:"), first["said"]
    if _READ_BY_SSH.search(error) or "/.ssh/" in path:
        return None  # ssh reading its key: no write of the run's
    home = home_folder(workspace)
    full = (home or "") + path[1:] if path.startswith("~/") else path
    root = workspace.rstrip("/")
    if _NO_WRITE_PLACE.match(full) or full == root or full.startswith(f"{root}/"):
        return None
    return path, said


def _written_outside_text(path: str, said: str) -> str:
    """Told by the top folder written under (`~/`, `/etc/`): one lesson for all its files,
    and no folder of the person's own named."""
    in_home = path.startswith("~/") or home_folder(path) is not None
    top = "~" if in_home else "/" + path.strip("/").split("/", 1)[0]
    return (
        f"Codex's sandbox here refuses writes outside the workspace (under `{top}/`: "
        f"“{said}”); write "
        "inside the project, or ask to run it with escalated permissions."
    )


def refused_folder_text(folder: str) -> str:
    if folder == ".git":
        return _GIT_DIR_TEXT
    return (
        f"Codex's sandbox here cannot write under `{folder}/` (“Operation not permitted”): "
        "commands that write there fail inside it; ask to run them with escalated permissions."
    )


# One wording whatever the call, so that every server out of reach supports one lesson.
NO_NETWORK_TEXT = (
    "Codex's sandbox here has no network: calls that reach a server fail "
    "inside it (a host not resolved, a connection refused) and work outside it; ask to run "
    "them with escalated permissions."
)


# ... nor Docker's socket: whatever runs `docker` (a script, a make target) meets it.
_NO_DOCKER_TEXT = (
    "Codex's sandbox here keeps Docker's socket out of reach (“permission denied while trying "
    "to connect to the Docker daemon socket”): `docker` commands, and the scripts and make "
    "targets that run them, fail inside it; ask to run them with escalated permissions."
)


# ... nor lets a program listen, on a port or a local socket: a server, a dev server, a tool
# that talks to its own worker through a socket; whichever script starts it, in whichever
# runtime: Node's `listen EPERM`, Go's `listen tcp …: bind: operation not permitted`, a Python
# traceback through `….bind(…)` ending in a bare `PermissionError: [Errno 1] Operation not
# permitted` (a refused file names its path after it), asyncio's and uvicorn's `error while
# attempting to bind on address …`, Ruby's `- bind(2)`, Java's `BindException`.
_LISTEN_REFUSED = re.compile(
    r"\blisten EPERM\b"
    r"|\blisten (?:tcp|udp|unix)\w* \S+: bind: operation not permitted\b"
    r"|\.bind\([^\n]*(?:\n\s*[~^]+)?\s+(?:PermissionError|OSError): \[Errno 1\] "
    r"Operation not permitted(?![:\w])"
    r"|\berror while attempting to bind on address [^\n]*: operation not permitted\b"
    r"|\bOperation not permitted - bind\(2\)"
    r"|\bBindException: Operation not permitted\b",
    re.I,
)


_NO_LISTEN_TEXT = (
    "Codex's sandbox here lets no program listen, on a port or a local socket (“listen EPERM: "
    "operation not permitted”): servers, dev servers and tools that open a socket fail inside "
    "it; ask to run them with escalated permissions."
)


# Codex's sandbox could not start on this machine (a container or kernel that denies it the
# capabilities it sets): every sandboxed call fails, whatever it runs.
_NO_SANDBOX = re.compile(r"\bcannot set (?:privileged )?capabilities\b", re.I)


_NO_SANDBOX_TEXT = (
    "Codex's sandbox cannot start on this machine (“cannot set capabilities: Operation not "
    "permitted”): every command run inside it fails, whatever it runs; ask to run commands "
    "with escalated permissions."
)


# ... or its launcher, bubblewrap, cannot (“bwrap: Failed to make / slave: Permission
# denied”, “bwrap: setting up uid map”): whatever the call ran, `apply_patch`'s writes too.
# (`bwrap: execvp x: No such file or directory` is the program missing, not the sandbox)
_BWRAP_FAILED = re.compile(r"^bwrap: (?!execvp\b)|\bsandbox helper failed\b[^\n]*\bbwrap: ")


def launcher_failed(output: str) -> bool:
    """bubblewrap's own error is all the call said (nothing it ran got to print), or the
    sandbox helper of `apply_patch` reports it."""
    lines = [line for line in output[:4000].splitlines() if line.strip()]
    return bool(lines) and bool(_BWRAP_FAILED.search(lines[0].strip()))


NO_BWRAP_TEXT = (
    "Codex's sandbox cannot start on this machine (its launcher fails: “bwrap: …”): every "
    "command run inside it fails, whatever it runs, and `apply_patch` too; ask to run "
    "commands with escalated permissions."
)


# ... or, when other calls ran inside it, some programs cannot be confined by it (a snap's
# own confinement): one lesson whichever program met it.
_SOME_CONFINED_TEXT = (
    "Some programs here (a snap's, for one) fail inside Codex's sandbox with “cannot set "
    "capabilities: Operation not permitted” and work outside it; ask to run them with "
    "escalated permissions."
)


# Words that only run the program after them (`env A=1 x`, `nohup x`, `time x`), and the
# settings before a program (`PORT=3000 npm run dev`, PowerShell's `$env:PORT=3000`): the
# sandbox stopped that program, not them.
_RUNNERS = frozenset({"env", "nohup", "time", "nice", "command", "exec", "timeout"})
_SETTING = re.compile(r"^(?:\$env:)?[A-Za-z_]\w*=")
# `env -i`, `nice -n 10`, `timeout 30`, `timeout -k 5 2m`
_RUNNER_OPTION = re.compile(r"^-|^\d+(?:\.\d+)?[smhd]?$")
_VALUED_OPTIONS = frozenset({"-u", "--unset", "-C", "--chdir", "-s", "--signal"})  # `env -u NAME`


def _program_words(command: str) -> list[str]:
    """The command's general words from its program on, past the settings and the runners
    before it; all of them when nothing follows those."""
    words = general_command(command, max(MAX_COMMAND, len(command))).split()
    at = 0
    while at < len(words) and (_SETTING.match(words[at]) or words[at] in _RUNNERS):
        runner = words[at] in _RUNNERS
        at += 1
        while runner and at < len(words) and _RUNNER_OPTION.match(words[at]):
            at += 2 if words[at] in _VALUED_OPTIONS else 1
    return words[at:] or words


def sandboxed_program(command: str, *, whole: bool = True) -> str:
    """What the sandbox stopped, as one lesson for all its uses: the program (`mix`), or the
    program and its subcommand when the subcommands differ in what they touch (`git fetch`),
    or when the program is known to work inside it at others (`dotnet restore`: `whole` is
    False)."""
    words = _program_words(command)
    split = words[0] in _SUBCOMMAND_TOOLS or not whole if words else False
    if len(words) > 1 and split and not words[1].startswith("-"):
        return " ".join(words[:2])
    return words[0] if words else command


def ran_inside_programs(run: Run) -> frozenset[str]:
    """The programs (a command's first word past its settings and runners) of the shell calls
    the sandbox let do their work in this run, read once for both questions a sandbox lesson
    asks: did this program work inside it, did anything?"""
    calls = {
        e.tool_use_id: e
        for e in run.events
        if e.kind is EventKind.TOOL_CALL
        and e.tool_use_id
        and not e.escalated
        and e.tool_name in SHELL_TOOLS
    }
    found: set[str] = set()
    for result in run.events:
        call = calls.get(result.tool_use_id or "") if result.role == "tool" else None
        if call is None:
            continue
        words = _program_words(call.text)
        name = words[0] if words else ""
        if name not in found and is_success(result):
            found.add(name)
    return frozenset(found)


def sandbox_stopped(harness: str, episode: Episode) -> bool:
    """A call Codex's sandbox stopped: a write it refused (outside it the write works), or a
    program it could not confine (a snap's)."""
    head = episode.trigger.text[:4000]
    return harness == "codex" and bool(
        WRITE_REFUSED.search(head) or _NO_SANDBOX.search(head) or launcher_failed(head)
    )


def refused_dot_folder(call: Event, error: Event, fix: Fix | None) -> str | None:
    """The dot-folder a write refused inside the sandbox was under (`.git`, `.codex`,
    `~/.cache`): named by the error, else `.git` for a git write refused with no path named
    or denied under `.git/` and passed once let out."""
    folder = _refused_folder(error.text[:4000])
    if folder is None and _git_write_refused(call, error.text):
        return ".git"  # the sandbox named no path: what a git write needs is `.git/`
    if folder is None and _git_dir_denied(call, error, fix):
        return ".git"
    return folder


def escalated_lesson(
    call: Event,
    error: Event,
    remedy: str,
    *,
    workspace: str | None,
    ran_inside: bool,
    sandbox_ran: bool,
    offline_before_fix: bool,
) -> tuple[str, str] | None:
    """The lesson of a call that passed once let out of the sandbox, told by what the sandbox
    kept from it; None when the program did its work inside it at another call (what stopped
    it this once is unsaid)."""
    said = error.text[:4000]
    if _NO_SANDBOX.search(said):
        return (_SOME_CONFINED_TEXT if sandbox_ran else _NO_SANDBOX_TEXT), ESCALATE
    if DOCKER_SOCKET.search(said):
        return _NO_DOCKER_TEXT, ESCALATE
    if _LISTEN_REFUSED.search(said):
        return _NO_LISTEN_TEXT, ESCALATE
    if offline_before_fix or NO_NETWORK.search(said):
        return NO_NETWORK_TEXT, ESCALATE
    written = _written_outside(said, workspace)
    if written is not None:  # the write was what it refused, whichever program made it
        return _written_outside_text(*written), ESCALATE
    named = sandboxed_program(call.text, whole=not ran_inside)
    if ran_inside and " " not in named:
        return None
    return (
        f"{code(named)} fails inside Codex's sandbox here and works outside it; ask to run it "
        "with escalated permissions."
    ), remedy
