"""A module an import error named: which step of a command line raised it, which environment
that step ran in, and whether an install put that module into that environment.

Installing another package (`torchvision` for a missing `torch`), or the right one into
another conda env or virtualenv, mends nothing of the failure.
"""

from __future__ import annotations

import re

from metis_distill.mine.text import shell_steps, split_heredocs

# Packages whose name is not their module's (PEP 503 names; conda's where they differ too).
PROVIDERS: dict[str, frozenset[str]] = {
    "yaml": frozenset({"pyyaml"}),
    "cv2": frozenset(
        {
            "opencv-python",
            "opencv-python-headless",
            "opencv-contrib-python",
            "opencv-contrib-python-headless",
            "opencv",
            "py-opencv",
        }
    ),
    "pil": frozenset({"pillow"}),
    "sklearn": frozenset({"scikit-learn"}),
    "skimage": frozenset({"scikit-image"}),
    "bs4": frozenset({"beautifulsoup4"}),
    "dateutil": frozenset({"python-dateutil"}),
    "dotenv": frozenset({"python-dotenv"}),
    "jwt": frozenset({"pyjwt"}),
    "serial": frozenset({"pyserial"}),
    "crypto": frozenset({"pycryptodome", "pycrypto"}),
    "docx": frozenset({"python-docx"}),
    "pptx": frozenset({"python-pptx"}),
    "fitz": frozenset({"pymupdf"}),
    "magic": frozenset({"python-magic"}),
    "attr": frozenset({"attrs"}),
    "openssl": frozenset({"pyopenssl"}),
    "git": frozenset({"gitpython"}),
    "zmq": frozenset({"pyzmq"}),
    "mysqldb": frozenset({"mysqlclient"}),
    "psycopg2": frozenset({"psycopg2-binary"}),
    "win32api": frozenset({"pywin32"}),
    "win32com": frozenset({"pywin32"}),
    "torch": frozenset({"pytorch"}),
    "faiss": frozenset({"faiss-cpu", "faiss-gpu"}),
    "dns": frozenset({"dnspython"}),
    "nacl": frozenset({"pynacl"}),
    "gi": frozenset({"pygobject"}),
    "pkg-resources": frozenset({"setuptools"}),
}
# A step that installs packages, with any package manager (the words after it name them).
INSTALL = re.compile(
    r"\b(?:pip3?(?:\.exe)?|-m pip|uv pip|poetry|pipx)\s+(?:install|add)\b|\buv add\b|"
    r"\b(?:npm|pnpm|yarn|bun)(?:\.cmd|\.exe)?\s+(?:install|i|add)\b|"
    r"\b(?:apt-get|apt|brew|conda|mamba|dnf|yum|apk|cargo|go|gem|winget|choco|scoop)\s+"
    r"(?:install|add)\b|\b(?:pacman|yay|paru)\s+-S\b|\bdotnet\s+tool\s+install\b|\bcorepack\s+enable\b"
)
_PYTHON_ERROR = re.compile(r"No module named|ModuleNotFoundError|ImportError")
_INTERPRETER = re.compile(r"^(?:python[\d.]*|py|pytest|py\.test|ipython|node|nodejs)(?:\.exe)?$")
# What runs each language: its programs (anywhere in the step: `conda run -n ml python3`),
# and its scripts run as the program.
_PYTHON = (
    re.compile(
        r"^(?:python[\d.]*|py|pytest|py\.test|ipython|jupyter|uv|uvx|poetry|pipenv|pdm|hatch|"
        r"rye|tox|nox)(?:\.exe)?$"
    ),
    re.compile(r"\.py$"),
)
_NODE = (
    re.compile(
        r"^(?:node|nodejs|npx|npm|pnpm|yarn|bun|bunx|deno|tsx|ts-node|tsc|jest|vitest|mocha|"
        r"next|vite|eslint|webpack)(?:\.exe|\.cmd)?$"
    ),
    re.compile(r"\.[cm]?[jt]s$"),
)
# Commands that only look, though they may name an interpreter (`which python3`).
_LOOKS = frozenset({"which", "where", "type", "command", "echo", "printf", "ls", "cat", "test"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
_CONDA_ENV = re.compile(
    r"\b(?:conda|mamba|micromamba)\s+(?:run|install|remove|update)\b[^|]*?\s"
    r"(?:-n|--name|-p|--prefix)(?:\s+|=)(?P<env>\S+)"
)
# An environment the shell stays in for the steps after: `conda activate ml`, `source
# .venv/bin/activate`.
_ACTIVATED = re.compile(
    r"\b(?:conda|mamba|micromamba)\s+activate\s+(?P<conda>[\w.@/~-]+)"
    r"|(?:\bsource|(?:^|(?<=[;&|]))\s*\.)\s+['\"]?(?P<venv>[^\s'\";&|]*?)[/\\](?:bin|Scripts)"
    r"[/\\]activate\b"
)
_VENV_PROGRAM = re.compile(
    r"^(?P<dir>.+)/(?:bin|Scripts)/(?:python[\d.]*|pip[\d.]*|py|pytest)(?:\.exe)?$"
)
_PROJECT_RUNNERS = frozenset({"uv", "poetry", "pipenv", "pdm", "hatch", "rye", "pixi"})


def importing_step(command: str, error: str) -> str | None:
    """The step of a command line that raised the import error: the only one that runs the
    error's language (`conda run -n ml python3 …` of `ls data && conda run -n ml python3 …`),
    or None when several might have."""
    found = shell_steps(command)
    if len(found) <= 1:
        return found[0] if found else None
    language = _PYTHON if _PYTHON_ERROR.search(error) else _NODE
    candidates = [step for step in found if _runs(step, *language) and not INSTALL.search(step)]
    return candidates[0] if len(candidates) == 1 else None


def interpreter(step: str) -> str:
    """The words of a step up to the interpreter it runs (`conda run -n ml python3` of
    `conda run -n ml python3 x.py`), else its program."""
    words = step.split()
    at = next((i for i, w in enumerate(words) if _INTERPRETER.match(_name(w))), 0)
    return " ".join(words[: at + 1])


def environment(command: str, step: str) -> str:
    """Where a step of `command` runs Python or installs into: a conda env, a virtualenv's
    folder, a project runner (`uv`, `poetry`), or "" for whatever the shell finds."""
    own = _own_environment(step)
    if own:
        return own
    flat = " ".join(split_heredocs(command)[0].split())
    at = flat.find(step)
    before = flat[:at] if at >= 0 else ""
    activated = list(_ACTIVATED.finditer(before))
    if not activated:
        return ""
    last = activated[-1]
    if last["conda"]:
        return f"conda {last['conda']}"
    return f"venv {_folder(last['venv'])}"


def installs(step: str, module: str) -> bool:
    """The step installs the package that holds `module` (`pip install PyYAML` for `yaml`)."""
    verb = INSTALL.search(step)
    if verb is None:
        return False
    wanted = {_normal(module), *PROVIDERS.get(_normal(module), ())}
    for word in step.split("|", 1)[0][verb.end() :].split():
        package = _package(word)
        if package and (package in wanted or _normal(module).startswith(package + "/")):
            return True
    return False


def _runs(step: str, programs: re.Pattern[str], scripts: re.Pattern[str]) -> bool:
    words = [w for w in step.split("|", 1)[0].split() if not _ASSIGNMENT.match(w)]
    if not words or _name(words[0]) in _LOOKS:
        return False
    return bool(scripts.search(_name(words[0]))) or any(programs.match(_name(w)) for w in words)


def _own_environment(step: str) -> str:
    conda = _CONDA_ENV.search(step)
    if conda is not None:
        return f"conda {conda['env'].strip(chr(39) + chr(34))}"
    words = [w for w in step.split() if not _ASSIGNMENT.match(w)]
    if words and _name(words[0]) in _PROJECT_RUNNERS:
        return _name(words[0])
    for word in words[:3]:
        program = _VENV_PROGRAM.match(word.strip("'\"").replace("\\", "/"))
        if program is not None:
            return f"venv {_folder(program['dir'])}"
    return ""


def _name(word: str) -> str:
    """A word as a program's name: no quotes, no folder, lower case."""
    return word.strip("'\"").replace("\\", "/").rsplit("/", 1)[-1].lower()


def _folder(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./").rstrip("/")


def _package(word: str) -> str:
    """The package an install argument names (`pyyaml` of `"PyYAML>=6"`), "" for a flag."""
    word = word.strip("'\"")
    if not word or word.startswith(("-", ".", "/")):
        return ""
    word = word.split("::", 1)[-1]  # conda's `channel::package`
    scope = "@" if word.startswith("@") else ""
    name = re.split(r"[=<>!~@\[;]", word.removeprefix("@"), maxsplit=1)[0]
    return _normal(scope + name)


def _normal(name: str) -> str:
    """A package or module name as PEP 503 compares them: `PyYAML` and `pyyaml` are one."""
    return re.sub(r"[-_.]+", "-", name).lower()
