"""Versioned prompt templates from `prompts/`: `{# version: N #}` on the first line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Template, meta

from metis_distill.errors import ConfigError
from metis_distill.templating import environment

# The repository's prompts/ (an editable install); a wheel may ship them inside the package.
_CANDIDATES = (
    Path(__file__).resolve().parent.parent / "prompts",
    Path(__file__).resolve().parents[3] / "prompts",
)
_VERSION = re.compile(r"^\{#\s*version:\s*(?P<v>[\w.-]+)\s*#\}")

SYSTEM = "extract_system.md.j2"
EPISODE = "extract_episode.md.j2"
SESSION = "extract_session.md.j2"


def default_prompts_dir() -> Path:
    for folder in _CANDIDATES:
        if (folder / SYSTEM).is_file():
            return folder
    raise ConfigError(
        "the prompt templates are missing", hint=f"expected {SYSTEM} in one of {_CANDIDATES}"
    )


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    source: str
    template: Template

    @property
    def key(self) -> str:
        """`name@version`, as it enters cache keys."""
        return f"{self.name.removesuffix('.md.j2')}@{self.version}"

    def variables(self) -> set[str]:
        """Every variable the template reads (for the drift test)."""
        env = self.template.environment
        return set(meta.find_undeclared_variables(env.parse(self.source)))

    def render(self, **values: Any) -> str:
        return self.template.render(**values).strip() + "\n"


@cache
def load(name: str, folder: Path | None = None) -> Prompt:
    folder = folder or default_prompts_dir()
    path = folder / name
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read the prompt {path}: {e}") from e
    match = _VERSION.match(source)
    if match is None:
        raise ConfigError(f"{path} has no version", hint="start it with {# version: 1 #}")
    template = environment(folder).get_template(name)
    return Prompt(name, match["v"], source, template)
