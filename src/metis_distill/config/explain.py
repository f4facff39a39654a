"""`metis config`: each effective value, the layer it came from, and the flat name of old
it was given by (to be spelled the grouped way)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_settings import InitSettingsSource

from metis_distill.config.legacy import ENV_PREFIX, FLAT, FlatEnv, FlatName, Regrouped
from metis_distill.config.settings import Settings, given, layers


@dataclass(frozen=True)
class Effective:
    path: str  # `extract.model`, or `data_dir` at the top
    value: Any
    origin: str  # flag, env, metis.toml, the user's metis.toml, default
    flat: FlatName | None = None

    @property
    def shown(self) -> str:
        """The value as `metis config` prints it: an unset one says what it stands for."""
        if self.value not in (None, "") or not self.unset:
            return str(self.value)
        return f"({self.unset})"

    @property
    def unset(self) -> str:
        """What the setting's description says an unset value means ("empty: CLAUDE.local.md")."""
        found = _UNSET.search(_description(self.path))
        return found.group(1).rstrip(". ") if found else ""


# "(default: in the venv)", "; empty: CLAUDE.local.md (for an AGENTS.md target, …)."
_UNSET = re.compile(
    r"(?:\(|;\s*|^)(?:default|empty|unset|none):\s*((?:[^()]|\([^()]*\))+?)(?:\)|$)"
)


def _description(path: str) -> str:
    model: type[BaseModel] = Settings
    *groups, name = path.split(".")
    for group in groups:
        annotation = model.model_fields[group].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    field = model.model_fields.get(name)
    return field.description or "" if field else ""


def effective(settings: Settings, flags: Mapping[str, Any]) -> list[Effective]:
    """Every setting of `settings` with where it came from, highest layer first."""
    found = []
    for label, source in layers(Settings, InitSettingsSource(Settings, given(flags))):
        values = source()
        flat = source.flat if isinstance(source, Regrouped | FlatEnv) else []
        found.append((label, values, flat))
    rows = []
    for path, value in leaves(settings):
        row = Effective(path, value, "default")
        for label, values, names in found:
            if _holds(values, path):
                row = Effective(path, value, label, _flat_name(label, names, path))
                break
        rows.append(_key_from_environment(row))
    return rows


def _key_from_environment(row: Effective) -> Effective:
    """An API key given nowhere else is ANTHROPIC_API_KEY's, when that is set: said so, the
    key itself never shown."""
    if row.path != "extract.api_key" or row.value is not None:
        return row
    if not os.environ.get("ANTHROPIC_API_KEY"):
        return row
    return Effective(row.path, "(set, from ANTHROPIC_API_KEY)", "env")


def leaves(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every setting; a group's fields one by one."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel) and not prefix:
            yield from leaves(value, f"{name}.")
        else:
            yield f"{prefix}{name}", value


def _holds(values: Mapping[str, Any], path: str) -> bool:
    group, _, field = path.rpartition(".")
    table = values.get(group, {}) if group else values
    return isinstance(table, Mapping) and field in table


def _flat_name(label: str, names: list[str], path: str) -> FlatName | None:
    for name in names:
        if ".".join(FLAT[name]) == path:
            spelled = f"{ENV_PREFIX}{name.upper()}" if label == "env" else name
            return FlatName(label, spelled, path)
    return None
