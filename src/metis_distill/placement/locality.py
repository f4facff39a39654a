"""Whose fact is a lesson: the team's, or one machine's or one person's?

"`python` is not on the PATH here; use `python3`" is true of the machine the run was on, not of
the project: it belongs in the person's own context file (CLAUDE.local.md, ~/.claude/CLAUDE.md),
never in the file the team commits. So do a module missing for one interpreter, the quirks of
one shell or sandbox, and paths into someone's home outside the repository.
A remedy that uses the project's own tooling (`npx`, `uv run`, `npm ci`…) keeps a lesson the
team's: the project's way to run a tool is worth knowing for everyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from metis_distill.homes import home_folder
from metis_distill.ledger import LessonView
from metis_distill.mine.phrases import REPLY_LANGUAGE
from metis_distill.targets import as_path


class Locality(StrEnum):
    TEAM = "team"
    MACHINE = "machine"  # a program or module missing here, this shell or sandbox
    PERSON = "person"  # someone's own folders


_PROGRAM = r"`?(?P<{}>[\w.+-]+)`?"
_MISSING = (  # each with the part of it that holds no program's name, searched first
    (r"{}: command not found", r"command not found"),
    (r"command not found: {}", r"command not found"),
    (
        r"'?{}'? is not recognized as an internal or external command",
        r"is not recognized as an internal or external command",
    ),
    (r"{} is not (?:on|in) the PATH", r"is not (?:on|in) the PATH"),
    (r"\bwhich: no {} in\b", r"which: no "),
    (r"\"?{}\"?: executable file not found in \$?PATH", r"executable file not found in "),
)
_MISSING_PROGRAM = re.compile(
    "|".join(pattern.format(_PROGRAM.format(f"p{n}")) for n, (pattern, _) in enumerate(_MISSING)),
    re.I,
)
# Every match of _MISSING_PROGRAM holds a match of this (its words, with the same flags): a
# text without one is not searched for a program's name (`[\w.+-]+` tried at every place is
# slow: the quotes of a lesson's evidence, hundreds of them, are read).
_MISSING_WORDS = re.compile("|".join(dict.fromkeys(words for _, words in _MISSING)), re.I)
_MISSING_MODULE = re.compile(r"ModuleNotFoundError|No module named", re.I)
# A flag the system's own copy of a core tool lacks (BSD's on macOS, busybox's, GNU's): the
# machine's version, not the project's.
_SYSTEM_TOOL_FLAG = re.compile(
    r"^`(?:rsync|sed|grep|tar|find|xargs|date|stat|readlink|realpath|base64|cp|mv|ls|du|df"
    r"|sort|head|tail|wc|timeout|md5sum|sha256sum|shasum|awk|mktemp|ps|netstat|ss|ip|ping"
    r"|sha1sum|touch|ln|install|seq|split|cut|tr|uniq|nl|od|diff|patch|zip|unzip|curl|wget)` "
    r"has no `"
)
_THIS_MACHINE = re.compile(
    r"\bcygpath\b|\[main\] bash\b|MacosSeatbelt|\bmsys-?2?\b|The shell here is zsh\b"
    r"|\bstarts WSL\b|execvpe /bin/(?:ba)?sh failed|\bon the PATH fails here\b"
    r"|\basks for a password here\b|\bno user name or e-mail set here\b"
    r"|^SSH has no key here that the agent can use\b"
    r"|\bGit Bash here\b|\bShell commands here run in bash, not cmd\b"
    r"|\bShell commands here run in PowerShell\b|\bWindows PowerShell here has no\b"
    r"|\bis not set in the shell here\b|\bsandbox cannot start on this machine\b"
    r"|\bcannot set (?:privileged )?capabilities\b"
    # what the person's own Codex sandbox lets through (its mode, its network: their setup)
    r"|\bCodex's sandbox here\b|\binside Codex's sandbox here\b"
    r"|\bcannot start their bundled ripgrep here\b|\bBash tool here passes a `!` on as\b"
    r"|\bBash tool here rewrites a command that holds a pipe\b"
    r"|^Every call of Claude Code's Bash tool fails here before its command runs\b"
    r"|\bOn this Windows machine\b|\bhere-document written into a file through\b"
    # an interpreter in an environment's folder, by its absolute path (`<env>/python.exe`)
    r"|\bthe environment's own interpreter \(`<env>/"
    # a command run as another of the machine's accounts (`sudo -u deploy …`): its setup
    r"|\bsudo -u [\w.-]+ "
    # the person's own login to a forge or a cloud, which one is active on this machine
    r"|\b(?:gh|glab) auth (?:switch|login)\b|\baz (?:login|account set)\b"
    r"|\bgcloud (?:auth login|config set account)\b"
    # a browser a test tool downloads into the person's cache, once per machine
    r"|\bplaywright install\b|\bpuppeteer browsers install\b|\bcypress install\b",
    re.I,
)
# Words after "make" in a sentence, not a target of the project's `make` ("never make one up").
_PROSE = r"one|it|sure|a|an|the|this|that|these|those|them|up|you|me|us|your|their|its|any|some"
# A program the project's runner had to fetch (`npx vercel` downloading it): not the project's.
_NOT_THE_PROJECTS = re.compile(r"\bis not installed here\b.*, nor a dependency of the project\b")
# A task runner (`mine.fixes.TASK_RUNNERS`) missing here: the project's own way to run its
# recipes, and the tool a recipe wraps (`cargo test` for `just test`) is how this machine did
# without it.
_RUNNER_MISSING = re.compile(r"^`(?:just|make|task)` is not on the PATH (?:in WSL )?here\b")
# PowerShell's execution policy refusing scripts: the machine's setting, though its way names
# the project's runners (`npm.cmd`, `npx`).
_SCRIPTS_REFUSED = re.compile(r"^PowerShell here refuses to run `\.ps1` scripts\b")
# The project's own ways to install or run its tools: a remedy using one is the team's.
_PROJECT_TOOLING = re.compile(
    r"\b(?:npx|pnpm (?:exec|dlx|run|install)|npm (?:ci|run|install)(?!\s+-g)|yarn"
    r"|uv (?:run|sync)|poetry (?:run|install)|pipenv|pdm|hatch|tox|nox|bundle (?:exec|install)"
    r"|cargo (?:run|build|test|check|clippy|fmt|xtask|make)|go run|make(?!\s+(?:" + _PROSE + r")\b)"
    r"|just(?!\s+(?:"
    + _PROSE
    + r"|use|run|to|as|like|do|be|add|call|need|want|once)\b)|gradlew|mvnw"
    r"|nix develop|devbox run)\b|-r requirements|pip install -e|\.venv/|node_modules"
    r"|\bPYTHONPATH=(?![/~$]|[A-Za-z]:)",  # a folder of the repository: its layout
)
_HOME = re.compile(
    r"(?:(?<![\w.])/home/[^/\s`'\"]+|/Users/[^/\s`'\"]+|\b[A-Za-z]:\\Users\\[^\\\s`'\"]+"
    r"|(?<![A-Za-z0-9_.~])~(?=[/\\]))[^\s`'\")\uff0c\u3001\u3002]*"
)
# A person's own folder, named rather than written out: "in my home folder", "我本地个人目录".
_OWN_FOLDER = re.compile(
    r"\bmy (?:own |local |personal |private )*(?:home|personal|local) (?:folder|directory|dir)\b"
    r"|我(?:的)?(?:本地|本机|电脑)?(?:的)?(?:个人|私人|用户|家)目录|私の(?:個人|ホーム)(?:フォルダ|ディレクトリ)"
    r"|\bmeine[mn]? (?:persönlichen |lokalen |eigenen )*(?:Home-?|Benutzer)?"
    r"(?:Ordner|Verzeichnis)\b"
    r"|\bmon (?:dossier|répertoire) (?:personnel|perso)\b"
    r"|\bmi (?:carpeta|directorio) (?:personal|local)\b|\bminha pasta (?:pessoal|local)\b",
    re.I,
)


# The person's own shorthand for the agent ("以后我说保存到ob中…", "when I say ship, …"): what
# one person's words mean, not a fact of the project.
_OWN_WORDS = re.compile(
    r"\b(?:when(?:ever)?|each time|every time) I (?:say|type) "
    r"(?:[\"'“`«][^\"'”`»]{1,30}[\"'”`»]|\S+(?: \S+)?,)"
    r"|(?:以后|今后|每次|只要|如果|当)我(?:一)?(?:说|讲|输入|打(?!算))(?!过)(?:了)?[「“\"'`]?[^，,。]{1,20}?[」”\"'`]?"
    r"(?:的时候|时|就|，|,)"
    r"|我(?:说|讲|输入|打)[「“\"'`][^」”\"'`]{1,20}[」”\"'`](?:的时候|时|就|，|,)"
    r"|私が.{1,20}?と(?:言|い)ったら"
    r"|\bquand je (?:dis|tape)\b|\bwenn ich\b.{1,30}?\b(?:sage|tippe)\b"
    r"|\bcuando (?:yo )?diga\b",
    re.I,
)


def locality(lesson: LessonView, root: Path) -> Locality:
    """The lesson's own words and remedy, and its evidence's quotes, read against the
    repository root (a path inside the repository is the team's, even under a home)."""
    said = " ".join([lesson.text, lesson.fix or ""])
    # a path in the line's words is someone's; one the fix ran on (`rg -- x ~/src/a.md`) is
    # only the file that run worked on, when the line says the rule without it
    if _personal_paths(lesson.text, root) or _OWN_FOLDER.search(said):
        return Locality.PERSON
    if REPLY_LANGUAGE.search(lesson.text) or _OWN_WORDS.search(lesson.text):
        return Locality.PERSON
    return Locality.MACHINE if machine_fact(lesson, root) else Locality.TEAM


def machine_fact(lesson: LessonView, root: Path | None = None) -> bool:
    """The lesson is a fact of the machine its runs were on, whatever the repository: a
    program or module missing there, its system tools' flags, its shell or sandbox. A remedy
    of the project's tooling is the team's, unless it names a folder outside the repository
    `root` (`/srv/app/.venv/bin/python`, `cd /srv/app && source .venv/bin/activate`): where
    that machine keeps it."""
    heard = " ".join([lesson.text, lesson.fix or "", *(e.quote for e in lesson.evidence)])
    if _NOT_THE_PROJECTS.search(lesson.text):
        return True  # a runner fetched the program: the project's tooling does not hold it
    if _RUNNER_MISSING.match(lesson.text):
        return True  # the project's task runner is what this machine lacks, whatever stood in
    if _SCRIPTS_REFUSED.match(lesson.text):
        return True  # its execution policy, whatever program's shim it refused
    remedy = lesson.fix or _remedy(lesson.text)
    if _PROJECT_TOOLING.search(remedy) and not _outside_paths(remedy, root):
        return False
    return bool(
        _missing_program(heard)
        or _MISSING_MODULE.search(heard)
        or _SYSTEM_TOOL_FLAG.match(lesson.text)
        or _THIS_MACHINE.search(heard)
    )


def _missing_program(text: str) -> bool:
    """`_MISSING_PROGRAM.search(text)`, searched only in a text that holds its words."""
    return _MISSING_WORDS.search(text) is not None and _MISSING_PROGRAM.search(text) is not None


def _remedy(text: str) -> str:
    """The commands a lesson's words tell the agent to run: the code spans after its first
    `;` or `:` (the rules extractor writes "what failed; what to do"), else in all of it
    (a lesson without code spans is read whole)."""
    for mark in ("; ", ": "):
        if mark in text:
            text = text.split(mark, 1)[1]
            break
    return " ".join(_CODE_SPAN.findall(text)) or text


_CODE_SPAN = re.compile(r"`([^`]+)`")


# An absolute path written in a command (`/srv/app/.venv/bin/python`), not a URL's.
_ABSOLUTE = re.compile(r"(?<![\w.~$:/>-])/[\w.-]+(?:/[\w.-]+)+")


def _outside_paths(remedy: str, root: Path | None) -> bool:
    """The remedy names an absolute path outside the repository `root` (a scratch file or a
    device, `/tmp/jest.json`, `/dev/null`, is nobody's place)."""
    return root is not None and any(
        not _inside(p, root) and not _SCRATCH.match(p) for p in _ABSOLUTE.findall(remedy)
    )


_SCRATCH = re.compile(r"/(?:tmp|dev|proc|var/tmp)(?:/|$)")


def _personal_paths(text: str, root: Path) -> list[str]:
    return [p for p in _HOME.findall(text) if not _inside(p, root)]


def _inside(path: str, root: Path) -> bool:
    path = path.rstrip(".,;:")
    if path.startswith("~"):  # a lesson's text says `~` for the home the repository may be in
        home = home_folder(str(root))
        if home is None:
            return False
        path = home + path[1:]
    pure, base = as_path(path), as_path(str(root))
    return type(pure) is type(base) and (pure == base or pure.is_relative_to(base))


def personal(lessons: Iterable[LessonView], root: Path) -> dict[str, Locality]:
    """The lessons that are not the team's, with what they are a fact of."""
    found = {v.id: locality(v, root) for v in lessons}
    return {i: where for i, where in found.items() if where != Locality.TEAM}
