"""Dangerous options and arguments of parsed commands: recursive deletes of broad places,
verification turned off (TLS, hooks, signatures, errors), an agent's safety checks skipped,
the home folder opened to every user."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from metis_distill.advice.commands import all_commands, at_each_word, clean, shown
from metis_distill.advice.kinds import Danger, Finding
from metis_distill.advice.shell import Command, Script

OPTIONS: dict[str, Danger] = {
    **dict.fromkeys(
        (
            "--insecure",
            "--no-check-certificate",
            "--insecure-skip-tls-verify",
            "--no-verify-ssl",
            "--disable-ssl",
            "--ssl-no-verify",
            "--no-ssl-verify",
            "--skip-tls-verify",
            "--trusted-host",
            "--tls-verify=false",
            "--tlsverify=false",
        ),
        Danger.TLS_OFF,
    ),
    **dict.fromkeys(
        (
            "--no-gpg-sign",
            "--allow-unauthenticated",
            "--allow-insecure-repositories",
            "--allow-downgrades-to-insecure-repositories",
            "--nogpgcheck",
            "--nosignature",
            "--no-signature-check",
            "--skip-signature-verification",
        ),
        Danger.SIGNATURES_OFF,
    ),
    **dict.fromkeys(
        (
            "--dangerously-skip-permissions",
            "--dangerously-bypass-approvals-and-sandbox",
            "--no-sandbox",
            "--skip-checks",
            "--skip-check",
            "--disable-safety",
            "--unsafe-perm",
            "--no-preflight",
            "--yolo",
            "danger-full-access",
            "--privileged",
        ),
        Danger.SAFETY_OFF,
    ),
    "--no-preserve-root": Danger.BROAD_DELETE,
    "--break-system-packages": Danger.SYSTEM_PACKAGES,
}
ASSIGNMENTS: tuple[tuple[re.Pattern[str], Danger], ...] = tuple(
    (re.compile(pattern, re.I), danger)
    for pattern, danger in (
        (r"^GIT_SSL_NO_VERIFY=(?!0$|false$|no$).+", Danger.TLS_OFF),
        (r"^(?:NODE_TLS_REJECT_UNAUTHORIZED|PYTHONHTTPSVERIFY)=0$", Danger.TLS_OFF),
        (r"^(?:CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE|SSL_CERT_FILE)=$", Danger.TLS_OFF),
        (r"^(?:-o)?StrictHostKeyChecking=(?:no|off)$", Danger.SAFETY_OFF),
        (r"^HUSKY=0$|^HUSKY_SKIP_HOOKS=(?!0$).+|^SKIP=.+", Danger.HOOKS_OFF),
    )
)
_BROAD = frozenset(
    {"/", "/*", "/.*", "~", "~/*", "~/.*", "$HOME", "${HOME}", "$HOME/*", "${HOME}/*"}
    | {"*", ".*", ".", "./*", "..", "../*", "/home", "/home/*", "/Users", "/Users/*"}
)
_TOP_LEVEL = re.compile(r"^/[^/*$]+/?\*?$|^~[a-z_][\w-]*/?\*?$")
_GIT_OPTION_WITH_VALUE = frozenset({"-c", "-C", "--git-dir", "--work-tree", "--namespace"})
_COMMIT_VALUE_LETTERS = frozenset("mFcCtu")
_HOOKED = frozenset({"commit", "push", "merge", "rebase", "am", "cherry-pick", "revert", "pull"})


def option_dangers(script: Script) -> list[Finding]:
    """Each kind of danger once, with the command that shows it first."""
    found: dict[Danger, Finding] = {}
    for command in all_commands(script):
        for danger in _command_dangers(command):
            found.setdefault(danger, Finding(danger, shown(command)))
    return list(found.values())


def _command_dangers(command: Command) -> Iterator[Danger]:
    for word in command.words:
        word = clean(word)
        if word in OPTIONS:
            yield OPTIONS[word]
        for pattern, danger in ASSIGNMENTS:
            if pattern.match(word):
                yield danger
    for prog, args in at_each_word(command):
        yield from _program_dangers(prog, args)


def _program_dangers(prog: str, args: tuple[str, ...]) -> Iterator[Danger]:
    if prog == "git":
        yield from _git_dangers(args)
    elif prog in PROGRAMS and PROGRAMS[prog][0](args):
        yield PROGRAMS[prog][1]


def _deletes_broadly(args: tuple[str, ...]) -> bool:
    return _recursive(args) and any(_broad(a) for a in args)


def _finds_and_deletes(args: tuple[str, ...]) -> bool:
    return bool(args) and _root_or_home(args[0]) and ("-delete" in args or "rm" in args)


def _curl_insecure(args: tuple[str, ...]) -> bool:
    return any(re.fullmatch(r"-[a-zA-Z]*k[a-zA-Z]*", a) for a in args)


def _errexit_off(args: tuple[str, ...]) -> bool:
    plus_e = any(re.fullmatch(r"\+[a-z]*e[a-z]*", a) for a in args[:3])
    return plus_e or ("+o" in args and "errexit" in args)


def _uninstalls_hooks(args: tuple[str, ...]) -> bool:
    return args[:1] == ("uninstall",)


def _adds_to_workspace_root(args: tuple[str, ...]) -> bool:
    """`pnpm add -w x`: past pnpm's check that a dependency belongs to one of the workspace's
    packages, not its root (ERR_PNPM_ADDING_TO_ROOT)."""
    adds = bool(args) and args[0] in ("add", "install", "i")
    return adds and any(
        a in ("--workspace-root", "--ignore-workspace-root-check")
        or re.fullmatch(r"-[a-zA-Z]*w[a-zA-Z]*", a)
        for a in args[1:]
    )


def _opens_home(args: tuple[str, ...]) -> bool:
    """`chmod 755 ~`, `chmod -R o+rx /home/ana`: every user let into the home folder itself
    (its files' own modes, `~/logs`, are no such danger)."""
    modes = [a for a in args if not a.startswith("-") or _SYMBOLIC_MODE.match(a)]
    return any(_to_others(m) for m in modes) and any(_HOME_FOLDER.match(a) for a in args)


def _to_others(mode: str) -> bool:
    """A mode that gives others a right: octal with a last digit, or `o+r`, `a+rx`, `+x`."""
    if re.fullmatch(r"[0-7]{3,4}", mode):
        return mode[-1] != "0"
    return any(
        "o" in who or "a" in who or not who
        for who, op, rights in re.findall(r"([ugoa]*)([+=])([rwxXst]*)", mode)
        if rights
    )


# A symbolic mode, which may start with a dash only when it takes rights away (`-w`).
_SYMBOLIC_MODE = re.compile(r"^[ugoa]*[-+=][rwxXst]*(?:,[ugoa]*[-+=][rwxXst]*)*$")
# The home folder itself: `~`, `$HOME`, `/home/ana`, `/Users/ana`, `~ana`.
_HOME_FOLDER = re.compile(
    r"^[\"']?(?:~[a-z_][\w-]*|~|\$HOME|\$\{HOME\}|/home/[^/\s]+|/Users/[^/\s]+|/root)/?[\"']?$"
)


PROGRAMS: dict[str, tuple[Callable[[tuple[str, ...]], bool], Danger]] = {
    "rm": (_deletes_broadly, Danger.BROAD_DELETE),
    "find": (_finds_and_deletes, Danger.BROAD_DELETE),
    "curl": (_curl_insecure, Danger.TLS_OFF),
    "set": (_errexit_off, Danger.ERRORS_OFF),
    "pre-commit": (_uninstalls_hooks, Danger.HOOKS_OFF),
    "pnpm": (_adds_to_workspace_root, Danger.SAFETY_OFF),
    "chmod": (_opens_home, Danger.HOME_OPENED),
}


def _recursive(args: tuple[str, ...]) -> bool:
    return any(
        a in ("--recursive", "-r", "-R") or re.fullmatch(r"-[a-zA-Z]*[rR][a-zA-Z]*", a)
        for a in args
    )


def _broad(path: str) -> bool:
    path = path.strip("\"'")
    return path in _BROAD or path.rstrip("/") in _BROAD or bool(_TOP_LEVEL.match(path))


def _root_or_home(path: str) -> bool:
    return path not in (".", "..", "*", "./*", "../*", ".*") and _broad(path)


def _git_dangers(args: tuple[str, ...]) -> Iterator[Danger]:
    rest = list(args)
    while rest and rest[0].startswith("-"):  # git's own options, before the subcommand
        option = rest.pop(0)
        if option in _GIT_OPTION_WITH_VALUE and rest:
            if option == "-c" and _every_folder_safe(rest[0].split("=", 1)):
                yield Danger.SAFETY_OFF
            rest.pop(0)
    if rest[:1] == ["config"] and _every_folder_safe(rest[1:]):
        yield Danger.SAFETY_OFF
    if rest[:1] == ["add"] and any(_forces(o) for o in rest[1:]):
        yield Danger.IGNORED_ADDED
    if not rest or rest[0] not in _HOOKED:
        return
    subcommand, options = rest[0], rest[1:]
    short_n = subcommand == "commit" and any(_short_n(o) for o in options)
    if "--no-verify" in options or short_n:
        yield Danger.HOOKS_OFF


def _every_folder_safe(words: Sequence[str]) -> bool:
    """`safe.directory` set to `*`: git's check of who owns a repository, off for every one
    (a folder named, as git's own message suggests, is no danger)."""
    return "safe.directory" in words and any(w.strip("'\"") == "*" for w in words)


def _forces(option: str) -> bool:
    """`git add -f`, `--force`, `-Af`: the paths .gitignore keeps out go in."""
    return option == "--force" or bool(re.fullmatch(r"-[a-zA-Z]*f[a-zA-Z]*", option))


def _short_n(option: str) -> bool:
    """`git commit -n`, `-an`, `-anm "msg"`: -n is --no-verify (before a letter taking a value)."""
    if not re.fullmatch(r"-[a-zA-Z]+", option):
        return False
    for letter in option[1:]:
        if letter == "n":
            return True
        if letter in _COMMIT_VALUE_LETTERS:
            return False
    return False
