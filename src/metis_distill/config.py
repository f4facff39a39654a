"""Settings: flag > `METIS_*` env > `./metis.toml` > `~/.config/metis/metis.toml` > default."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from metis_distill.errors import ConfigError
from metis_distill.targets import Route

LOCAL_TOML = Path("metis.toml")


def user_toml() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "metis" / "metis.toml"


def default_data_dir() -> Path:
    return Path(user_data_dir("metis-distill", appauthor=False))


def local_timezone() -> str:
    """This machine's IANA zone name: $TZ, /etc/timezone, the /etc/localtime link, else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name and Path("/etc/timezone").is_file():
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
    if not name and Path("/etc/localtime").is_symlink():
        name = str(Path("/etc/localtime").resolve()).partition("zoneinfo/")[2]
    try:
        return check_timezone(name) if name else "UTC"
    except ValueError:
        return "UTC"


def sqlite_url(data_dir: Path) -> str:
    """The default ledger: a SQLite file in the data dir."""
    return f"sqlite:///{data_dir / 'ledger.sqlite'}"


def check_timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown time zone {name!r} (an IANA name, e.g. Europe/Paris)") from e
    return name


def default_archive() -> Path:
    return Path.home() / ".claude" / "projects"


class Settings(BaseSettings):
    """Everything metis-distill can be told. Each field can be set in any of the layers."""

    model_config = SettingsConfigDict(env_prefix="METIS_", extra="forbid")

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
    extractor: Literal["rules", "claude"] | None = Field(
        default=None,
        description="How lessons are written from episodes: `rules` (offline) or `claude`; "
        "unset: `claude` when an Anthropic API key is configured, `rules` otherwise.",
    )
    anthropic_api_key: SecretStr | None = Field(
        default=None, description="Anthropic API key (else ANTHROPIC_API_KEY is used)."
    )
    anthropic_model: str = Field(
        default="claude-sonnet-4-6", description="Model id of the Claude extractor."
    )
    anthropic_base_url: str | None = Field(
        default=None,
        description="Messages API base URL (a proxy, a gateway); else ANTHROPIC_BASE_URL.",
    )
    anthropic_concurrency: int = Field(
        default=4, ge=1, le=64, description="Claude calls in flight at once, per batch of files."
    )
    anthropic_max_retries: int = Field(
        default=4, ge=0, le=10, description="Retries (with backoff) of 429, 529, 5xx, timeouts."
    )
    anthropic_timeout: float = Field(
        default=120.0, gt=0, description="Seconds before one Claude call times out."
    )
    max_tokens_per_run: int | None = Field(
        default=1_000_000,
        ge=1,
        description="Tokens (in + out) one run may spend; the rest waits for the next run.",
    )
    batch: bool = Field(
        default=False,
        description="Send the claude extractor's calls as one Message Batch (half price, slower).",
    )
    batch_poll_interval: float = Field(
        default=30.0, gt=0, description="Seconds between polls of a submitted Message Batch."
    )
    batch_max_wait: float = Field(
        default=5 * 3600.0,
        ge=0,
        description="Seconds a run waits for its Message Batch; then it is left for the next run.",
    )
    max_failed_fraction: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Share of failed Claude calls above which the run stops for a human.",
    )
    span_tokens: int = Field(
        default=1200, ge=100, le=50_000, description="Token budget of one episode's excerpt."
    )
    section_budget: int = Field(
        default=12,
        ge=1,
        le=100_000,
        description="Lines (or tokens, see `budget_unit`) at most per section of the block.",
    )
    dedupe_distance: float = Field(
        default=0.12,
        ge=0.0,
        le=1.0,
        description="Cosine distance under which a candidate merges into an existing lesson.",
    )
    judge_distance: float = Field(
        default=0.4,
        ge=0.0,
        le=1.0,
        description="With the claude extractor: a near lesson closer than this (cosine "
        "distance) that the word-overlap rule did not merge is put to the curator prompt.",
    )
    batch_files: int = Field(
        default=50, ge=1, description="Archive files per parse/mine task of the flow."
    )
    model_dir: Path | None = Field(
        default=None, description="Folder of the offline embedding model (default: in the venv)."
    )
    # curation: budgets, near twins, retirement, routing to several context files -------------
    budget_unit: Literal["lines", "tokens"] = Field(
        default="lines",
        description="Unit of `section_budget` and `section_budgets`: lines, or tokens "
        "(characters / 4) of the rendered lines.",
    )
    section_budgets: dict[Literal["gotcha", "failure", "decision"], int] = Field(
        default_factory=dict,
        description="A section's own budget, in `budget_unit` (e.g. {failure = 20}); the "
        "others use `section_budget`.",
    )
    block_max_lines: int = Field(
        default=150,
        ge=15,
        description="Lines at most of the whole managed block; the lowest-ranked lessons go first.",
    )
    paraphrase_distance: float = Field(
        default=0.35,
        ge=0.0,
        le=1.0,
        description="Cosine distance under which a paraphrase naming the same things (paths, "
        "variables, commands, errors) merges into an existing lesson.",
    )
    retire_after_days: int = Field(
        default=180,
        ge=1,
        description="A lesson not seen for this many days (on its project's own clock) is "
        "retired: left out of the file, kept in the ledger, back if seen again.",
    )
    routes: list[Route] = Field(
        default_factory=list,
        description="More context files of the repository and the lessons they take, e.g. "
        '[{path = "web/CLAUDE.md"}, {path = "AGENTS.md", commands = ["cargo"]}]; the rest '
        "goes to the target.",
    )
    tree_files: Literal["rules", "subdir", "off"] = Field(
        default="rules",
        description="Where lessons about one part of the tree go: `rules` "
        "(.claude/rules/<part>.md with `paths:`), `subdir` (<part>/CLAUDE.md), or `off` (the "
        "target); for an AGENTS.md target, <part>/AGENTS.md unless off.",
    )
    personal_file: str = Field(
        default="",
        description="Where facts of one machine or person go (a program or module missing "
        "here, a home folder): a path relative to the repository, or ~/.claude/CLAUDE.md; "
        "empty: CLAUDE.local.md (for an AGENTS.md target, ~/.codex/AGENTS.md).",
    )
    # tripwires: when a proposal stops for a human (exit code 3) -----------------------------
    tripwire_max_removed_share: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Share of the block's lessons removed at once."
    )
    tripwire_min_block_lessons: int = Field(
        default=6, ge=1, description="Blocks smaller than this may change wholesale."
    )
    tripwire_jump_factor: float = Field(
        default=4.0, gt=1.0, description="New lessons or failures per event vs the previous run."
    )
    tripwire_jump_min: int = Field(
        default=30, ge=1, description="Fewer new lessons or failures than this is never a jump."
    )
    tripwire_max_error_rate: float = Field(
        default=0.25, ge=0.0, le=1.0, description="Share of failed extractions or files."
    )
    tripwire_min_errors: int = Field(
        default=3, ge=1, description="Fewer errors than this is never a spike."
    )
    # --- the nightly: served deployment, schedule, scale-out (issue 6) ---
    nightly_cron: str = Field(
        default="0 3 * * *", description="Cron of the served `distill/nightly` deployment."
    )
    nightly_timezone: str = Field(
        default_factory=local_timezone,
        description="IANA time zone of the nightly cron (default: this machine's zone).",
    )
    task_runner: Literal["default", "dask"] = Field(
        default="default",
        description="Where mapped parse/mine tasks run: Prefect's threads, or a Dask cluster.",
    )
    dask_address: str | None = Field(
        default=None,
        description="Scheduler of a running Dask cluster (e.g. tcp://10.0.0.5:8786); "
        "unset: a local cluster of `dask_workers` processes.",
    )
    dask_workers: int = Field(default=2, ge=1, le=256, description="Workers of a local cluster.")
    index_url: str | None = Field(
        default=None,
        description="A Chroma server shared by several workers (e.g. http://127.0.0.1:8000, "
        "started with `chroma run`); unset: the embedded index in the data dir.",
    )
    ledger_url: str = Field(
        default="",
        description="SQLAlchemy URL of the ledger (e.g. postgresql+psycopg://…); "
        "empty: a SQLite file in the data dir.",
    )
    distill_wait: float = Field(
        default=3600.0,
        ge=0,
        description="Seconds a distill waits for another one of the same target to finish.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=LOCAL_TOML),
            TomlConfigSettingsSource(settings_cls, toml_file=user_toml()),
        )

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
        if self.extractor is None:
            self.extractor = "claude" if self.api_key() else "rules"
        return self

    @model_validator(mode="after")
    def _nightly(self) -> Settings:
        """The ledger in the data dir unless a URL is given; a time zone that exists."""
        if not self.ledger_url:
            self.ledger_url = sqlite_url(self.data_dir)
        check_timezone(self.nightly_timezone)
        return self

    def api_key(self) -> str | None:
        if self.anthropic_api_key is not None:
            return self.anthropic_api_key.get_secret_value() or None
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


def load_settings(**flags: Any) -> Settings:
    """Settings from every layer; flags left as None do not override the layers below."""
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        return Settings(**given)
    except (SettingsError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(
            f"cannot read the settings: {e}",
            hint="check METIS_* variables (lists are JSON, e.g. '[\"/src/app\"]') and metis.toml",
        ) from e
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
        raise ConfigError(
            f"invalid settings: {problems}", hint="check flags, METIS_* variables and metis.toml"
        ) from e


class _Given(Settings):
    """Settings read from the values given and the defaults, no other layer."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],  # noqa: ARG003
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def default_settings(**values: Any) -> Settings:
    """These values over the defaults, ignoring env and metis.toml: the eval, replay and the
    benchmarks measure the defaults, in a data dir of their own (never the user's ledger,
    index or extra sources)."""
    return _Given(**values)


def origins() -> dict[str, str]:
    """Which layer each effective value came from: flag, env, ./metis.toml, user toml, default."""
    layers: list[tuple[str, PydanticBaseSettingsSource]] = [
        ("env", _env_source()),
        (str(LOCAL_TOML), TomlConfigSettingsSource(Settings, toml_file=LOCAL_TOML)),
        (str(user_toml()), TomlConfigSettingsSource(Settings, toml_file=user_toml())),
    ]
    found = {name: source() for name, source in layers}
    result: dict[str, str] = {}
    for name in Settings.model_fields:
        origin = next((label for label, values in found.items() if name in values), "default")
        result[name] = origin
    return result


def _env_source() -> PydanticBaseSettingsSource:
    from pydantic_settings import EnvSettingsSource

    return EnvSettingsSource(Settings, env_prefix="METIS_")
