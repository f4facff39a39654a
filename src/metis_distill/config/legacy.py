"""The flat names settings had before they were grouped (`anthropic_model = …` in metis.toml,
`METIS_ANTHROPIC_MODEL`): still read from every layer, each moved into its group, and
remembered so that `metis config` can name the new spelling."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsError

ENV_PREFIX = "METIS_"
ENV_DELIMITER = "__"

# old flat name -> (group, field); names at the top level did not change
FLAT: Mapping[str, tuple[str, str]] = {
    "extractor": ("extract", "extractor"),
    "anthropic_api_key": ("extract", "api_key"),
    "anthropic_model": ("extract", "model"),
    "anthropic_base_url": ("extract", "base_url"),
    "anthropic_concurrency": ("extract", "concurrency"),
    "anthropic_max_retries": ("extract", "max_retries"),
    "anthropic_timeout": ("extract", "timeout"),
    "batch": ("extract", "batch"),
    "batch_poll_interval": ("extract", "batch_poll_interval"),
    "batch_max_wait": ("extract", "batch_max_wait"),
    "max_failed_fraction": ("extract", "max_failed_fraction"),
    "span_tokens": ("extract", "span_tokens"),
    "max_tokens_per_run": ("budgets", "max_tokens_per_run"),
    "section_budget": ("budgets", "per_section"),
    "section_budgets": ("budgets", "sections"),
    "budget_unit": ("budgets", "unit"),
    "block_max_lines": ("budgets", "block_max_lines"),
    "dedupe_distance": ("curate", "dedupe_distance"),
    "judge_distance": ("curate", "judge_distance"),
    "paraphrase_distance": ("curate", "paraphrase_distance"),
    "retire_after_days": ("curate", "retire_after_days"),
    "routes": ("curate", "routes"),
    "tripwire_max_removed_share": ("tripwires", "max_removed_share"),
    "tripwire_min_block_lessons": ("tripwires", "min_block_lessons"),
    "tripwire_jump_factor": ("tripwires", "jump_factor"),
    "tripwire_jump_min": ("tripwires", "jump_min"),
    "tripwire_max_error_rate": ("tripwires", "max_error_rate"),
    "tripwire_min_errors": ("tripwires", "min_errors"),
    "batch_files": ("scale", "batch_files"),
    "nightly_cron": ("scale", "nightly_cron"),
    "nightly_timezone": ("scale", "nightly_timezone"),
    "task_runner": ("scale", "task_runner"),
    "dask_address": ("scale", "dask_address"),
    "dask_workers": ("scale", "dask_workers"),
    "distill_wait": ("scale", "distill_wait"),
}


@dataclass(frozen=True)
class FlatName:
    """A flat name found in a layer: how it was spelled there and how to spell it now."""

    layer: str
    spelled: str
    path: str  # group.field

    @property
    def instead(self) -> str:
        group, _, field = self.path.partition(".")
        if self.layer == "env":
            return f"{ENV_PREFIX}{group.upper()}{ENV_DELIMITER}{field.upper()}"
        return f"[{group}] {field}"


def nest(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values with each flat name moved into its group, and the flat names found. A
    grouped value given in the same layer wins over its flat name."""
    grouped = {k: v for k, v in values.items() if k not in FLAT}
    found = []
    for name, value in values.items():
        if name not in FLAT:
            continue
        group, field = FLAT[name]
        table = grouped.get(group, {})
        if isinstance(table, Mapping) and field not in table:  # else the grouped value wins
            grouped[group] = {**table, field: value}
            found.append(name)
    return grouped, found


class Regrouped(PydanticBaseSettingsSource):
    """A layer (flags, a metis.toml) read as usual, its flat names moved into their groups."""

    def __init__(self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        self.inner = inner
        self.flat: list[str] = []

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values, self.flat = nest(self.inner())
        return values


class FlatEnv(PydanticBaseSettingsSource):
    """`METIS_<flat name>` variables, read into their groups (after the grouped
    `METIS_<GROUP>__<FIELD>`, which win)."""

    def __init__(self, settings_cls: type[BaseSettings]):
        super().__init__(settings_cls)
        self.flat: list[str] = []

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:  # noqa: ARG002
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        env = {k.upper(): v for k, v in os.environ.items() if k.upper().startswith(ENV_PREFIX)}
        found = {}
        for name, (group, field) in FLAT.items():
            raw = env.get(f"{ENV_PREFIX}{name.upper()}")
            if raw is not None:
                found[name] = self._decoded(raw, name, group, field)
        values, self.flat = nest(found)
        return values

    def _decoded(self, raw: str, name: str, group: str, field: str) -> Any:
        """Lists and tables are JSON in the environment, as for every other variable."""
        table = self.settings_cls.model_fields[group].annotation
        assert isinstance(table, type) and issubclass(table, BaseModel)
        if get_origin(table.model_fields[field].annotation) not in (list, dict):
            return raw
        try:
            return json.loads(raw)
        except ValueError as e:
            raise SettingsError(
                f'error parsing value for field "{name}" from source "FlatEnv"'
            ) from e
