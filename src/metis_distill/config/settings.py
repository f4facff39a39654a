"""Settings: flag > `METIS_*` env > `./metis.toml` > `~/.config/metis/metis.toml` > default.

The places (data dir, archive, target, stores) sit at the top; the rest in groups, each a
table of metis.toml (`[extract] model = …`) and an env prefix (`METIS_EXTRACT__MODEL`)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from metis_distill.config.groups import (
    BudgetSettings,
    CurateSettings,
    ExtractSettings,
    ScaleSettings,
)
from metis_distill.config.legacy import ENV_DELIMITER, ENV_PREFIX, FlatEnv, Regrouped
from metis_distill.config.places import (
    LOCAL_TOML,
    default_archive,
    default_data_dir,
    sqlite_url,
    user_toml,
)
from metis_distill.errors import ConfigError
from metis_distill.textio import file_in_the_way
from metis_distill.tripwires import Thresholds


class Settings(BaseSettings):
    """Everything metis-distill can be told. Each field can be set in any of the layers."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_DELIMITER, extra="forbid"
    )

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the ledger, the index and the proposals live.",
    )
    archive: Path = Field(
        default_factory=default_archive,
        description="Folder of agent runs to distil (read-only), e.g. ~/.claude/projects.",
    )
    extra_sources: list[Path] = Field(
        default_factory=list,
        description="More folders or files of runs archived with every distill and by "
        "`metis archive` (e.g. ~/.codex/sessions, a repo's .aider.chat.history.md).",
    )
    target: Path | None = Field(
        default=None, description="The context file to propose changes to, e.g. repo/CLAUDE.md."
    )
    all_projects: bool = Field(
        default=False,
        description="Use runs of every project, not only those whose cwd is in the target's repo.",
    )
    aliases: list[str] = Field(
        default_factory=list,
        description="Extra cwd prefixes whose runs feed the target (e.g. an old checkout path).",
    )
    model_dir: Path | None = Field(
        default=None, description="Folder of the offline embedding model (default: in the venv)."
    )
    ledger_url: str = Field(
        default="",
        description="SQLAlchemy URL of the ledger (e.g. postgresql+psycopg://…); "
        "empty: a SQLite file in the data dir.",
    )
    index_url: str | None = Field(
        default=None,
        description="A Chroma server shared by several workers (e.g. http://127.0.0.1:8000, "
        "started with `chroma run`); unset: the embedded index in the data dir.",
    )
    extract: ExtractSettings = Field(default_factory=ExtractSettings)
    budgets: BudgetSettings = Field(default_factory=BudgetSettings)
    curate: CurateSettings = Field(default_factory=CurateSettings)
    tripwires: Thresholds = Field(default_factory=Thresholds)
    scale: ScaleSettings = Field(default_factory=ScaleSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return tuple(source for _, source in layers(settings_cls, init_settings))

    @model_validator(mode="after")
    def _expand_home(self) -> Settings:
        """`~` in any path (and alias) means the home folder, wherever the value came from."""
        for name in ("data_dir", "archive", "target", "model_dir"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value.expanduser())
        self.extra_sources = [p.expanduser() for p in self.extra_sources]
        self.aliases = [os.path.expanduser(a) for a in self.aliases]
        if self.ledger_url.startswith("sqlite:///~"):
            self.ledger_url = "sqlite:///" + os.path.expanduser(self.ledger_url[10:])
        return self

    @model_validator(mode="after")
    def _choose_extractor(self) -> Settings:
        """No extractor named: Claude when a key is configured, the offline rules otherwise."""
        if self.extract.extractor is None:
            self.extract.extractor = "claude" if self.api_key() else "rules"
        return self

    @model_validator(mode="after")
    def _default_ledger(self) -> Settings:
        """The ledger in the data dir unless a URL is given."""
        if not self.ledger_url:
            self.ledger_url = sqlite_url(self.data_dir)
        return self

    @property
    def extractor(self) -> str:
        """The extractor chosen (`rules` or `claude`), never unset once loaded."""
        return self.extract.extractor or "rules"

    def api_key(self) -> str | None:
        if self.extract.api_key is not None:
            return self.extract.api_key.get_secret_value() or None
        return os.environ.get("ANTHROPIC_API_KEY") or None

    def source_roots(self) -> list[Path]:
        """Every place runs are archived from: `archive` and the extra sources that exist."""
        roots = [self.archive, *self.extra_sources]
        return [r.expanduser() for r in roots if r == self.archive or r.expanduser().exists()]

    @property
    def archive_dir(self) -> Path:
        """The permanent archive: runs are copied here first, and distilled from here."""
        return self.data_dir / "archive"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def proposals_dir(self) -> Path:
        return self.data_dir / "proposals"

    @property
    def locks_dir(self) -> Path:
        return self.data_dir / "locks"


# The settings that hold paths: in a metis.toml, a relative one means beside that file.
PATH_SETTINGS = ("data_dir", "archive", "extra_sources", "target", "model_dir")


class TomlFile(TomlConfigSettingsSource):
    """A metis.toml: a syntax error names the file, and relative paths are read against the
    file's folder (the user's file must not mean another folder from each working directory)."""

    def _read_file(self, file_path: Any) -> dict[str, Any]:
        try:
            values = super()._read_file(file_path)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(
                f"cannot read the settings in {Path(file_path).absolute()}: {e}",
                hint="fix the TOML syntax at that line (https://toml.io)",
            ) from e
        folder = Path(file_path).parent
        for name in PATH_SETTINGS:
            if name in values:
                values[name] = _beside(folder, values[name])
        return values


def _beside(folder: Path, value: Any) -> Any:
    """A path (or a list of them) read against `folder`; `~` and absolute paths as given."""
    if isinstance(value, list):
        return [_beside(folder, item) for item in value]
    if not isinstance(value, str) or not value or value.startswith("~"):
        return value
    return value if Path(value).is_absolute() else str(folder / value)


def layers(
    settings_cls: type[BaseSettings], init: PydanticBaseSettingsSource
) -> list[tuple[str, PydanticBaseSettingsSource]]:
    """The layers, highest first, each with the name `metis config` shows as its origin."""
    tomls = [LOCAL_TOML, user_toml()]
    return [
        ("flag", Regrouped(settings_cls, init)),
        ("env", EnvSettingsSource(settings_cls)),
        ("env", FlatEnv(settings_cls)),
        *((str(toml), Regrouped(settings_cls, TomlFile(settings_cls, toml))) for toml in tomls),
    ]


def _said(problem: ErrorDetails) -> str:
    """A problem's message; our own checks' without pydantic's "Value error, "."""
    if problem["type"] == "value_error":
        return str(problem.get("ctx", {}).get("error", problem["msg"]))
    return problem["msg"]


def _origin(flags: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """Where the value at `loc` came from: ` (in <file>)`, ` (from a METIS_* variable)`,
    ` (from a flag)`; empty when no layer holds it (a default)."""
    for depth in range(len(loc), 0, -1):
        for label, source in layers(Settings, InitSettingsSource(Settings, flags)):
            if _holds(source(), loc[:depth]):
                if label == "flag":
                    return " (from a flag)"
                if label == "env":
                    return " (from a METIS_* variable)"
                return f" (in {Path(label).absolute()})"
    return ""


def _holds(values: Any, loc: tuple[int | str, ...]) -> bool:
    for key in loc:
        in_table = isinstance(values, Mapping) and key in values
        in_list = isinstance(values, list) and isinstance(key, int) and key < len(values)
        if not (in_table or in_list):
            return False
        values = values[key]
    return True


def given(flags: Mapping[str, Any]) -> dict[str, Any]:
    """The values given, without those left as None (at any depth): those do not override
    the layers below."""
    kept: dict[str, Any] = {}
    for name, value in flags.items():
        if isinstance(value, Mapping):
            value = given(value)
        if value is not None and value != {}:
            kept[name] = value
    return kept


def load_settings(**flags: Any) -> Settings:
    """Settings from every layer; flags (a top-level name, a group as a dict of its fields, or
    a flat name of old) left as None do not override the layers below."""
    try:
        settings = Settings(**given(flags))
    except SettingsError as e:
        raise ConfigError(
            f"cannot read the settings: {e}",
            hint="check METIS_* variables (lists are JSON, e.g. '[\"/src/app\"]') and metis.toml",
        ) from e
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(map(str, x['loc']))}: {_said(x)}{_origin(given(flags), x['loc'])}"
            for x in e.errors()
        )
        raise ConfigError(
            f"invalid settings: {problems}", hint="check flags, METIS_* variables and metis.toml"
        ) from e
    _check_data_dir(settings.data_dir)
    return settings


def _check_data_dir(data_dir: Path) -> None:
    """A data dir that is a file (or lies under one) is said at once, before any command
    tries to make a folder in it."""
    blocker = file_in_the_way(data_dir)
    if blocker is None:
        return
    said = "is" if blocker == data_dir else f"cannot be made: {blocker} is"
    raise ConfigError(
        f"the data dir {data_dir} {said} a file, not a folder",
        hint="pass --data-dir (or set METIS_DATA_DIR to) a folder, or one not made yet",
    )


def with_values(settings: Settings, values: Mapping[str, Any]) -> Settings:
    """These values (None: not given) over the settings, a group's fields one by one."""
    current = settings.model_dump()
    if current["ledger_url"] == sqlite_url(settings.data_dir):
        current["ledger_url"] = ""  # the default ledger follows the data dir
    return type(settings)(**_merged(current, given(values)))


def _merged(below: Mapping[str, Any], above: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(below)
    for name, value in above.items():
        if isinstance(value, Mapping) and isinstance(merged.get(name), Mapping):
            value = _merged(merged[name], value)
        merged[name] = value
    return merged


class _Given(Settings):
    """Settings read from the values given and the defaults, no other layer."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (Regrouped(settings_cls, init_settings),)


def default_settings(**values: Any) -> Settings:
    """These values over the defaults, ignoring env and metis.toml: the eval, replay and the
    benchmarks measure the defaults, in a data dir of their own (never the user's ledger,
    index or extra sources)."""
    return _Given(**values)
