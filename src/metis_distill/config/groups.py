"""The groups of settings, each a table of metis.toml (`[extract]`) and an env prefix
(`METIS_EXTRACT__MODEL`). Every default is written here once; the library's own config
records (`ClaudeConfig`, `Budget`, the `DEFAULT_*` of curation) take theirs from these."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from metis_distill.config.places import check_timezone, local_timezone
from metis_distill.targets import Route

Kind = Literal["gotcha", "failure", "decision"]


class Group(BaseModel):
    """A table of settings: unknown keys are refused (a typo is an error, not a no-op)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class ExtractSettings(Group):
    """How lessons are written from episodes, and the Claude calls that write them."""

    extractor: Literal["rules", "claude"] | None = Field(
        default=None,
        description="How lessons are written from episodes: `rules` (offline) or `claude`; "
        "unset: `claude` when an Anthropic API key is configured, `rules` otherwise.",
    )
    api_key: SecretStr | None = Field(
        default=None, description="Anthropic API key (else ANTHROPIC_API_KEY is used)."
    )
    # its prompt-cache minimum is met by the system prompt
    model: str = Field(default="claude-sonnet-4-6", description="Model id of the Claude extractor.")
    base_url: str | None = Field(
        default=None,
        description="Messages API base URL (a proxy, a gateway); else ANTHROPIC_BASE_URL.",
    )
    concurrency: int = Field(
        default=4, ge=1, le=64, description="Claude calls in flight at once, per batch of files."
    )
    max_retries: int = Field(
        default=4, ge=0, le=10, description="Retries (with backoff) of 429, 529, 5xx, timeouts."
    )
    timeout: float = Field(
        default=120.0, gt=0, description="Seconds before one Claude call times out."
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


class BudgetSettings(Group):
    """How much a run may take: of the context file (per section, the whole block) and of
    the API (tokens)."""

    max_tokens_per_run: int | None = Field(
        default=1_000_000,
        ge=1,
        description="Tokens (in + out) one run of the claude extractor may spend; the rest "
        "waits for the next run (exit code 4).",
    )
    max_usd_per_run: float | None = Field(
        default=None,
        gt=0,
        description="US dollars (list price) one run of the claude extractor may spend; the "
        "rest waits for the next run (exit code 4). Unset: no cap in dollars.",
    )
    max_usd_per_day: float | None = Field(
        default=None,
        gt=0,
        description="US dollars all runs of a day (UTC, by the day a run started) may spend; "
        "the rest waits for the next day (exit code 4). Unset: no cap.",
    )
    unit: Literal["lines", "tokens"] = Field(
        default="lines",
        description="Unit of `per_section` and `sections`: lines, or tokens (characters / 4) "
        "of the rendered lines.",
    )
    per_section: int = Field(
        default=12,
        ge=1,
        le=100_000,
        description="Lines (or tokens, see `unit`) at most per section of the block.",
    )
    sections: dict[Kind, int] = Field(
        default_factory=dict,
        description="A section's own budget, in `unit` (e.g. {failure = 20}); the others use "
        "`per_section`.",
    )
    block_max_lines: int = Field(
        default=150,
        ge=15,
        description="Lines at most of the whole managed block; the lowest-ranked lessons go first.",
    )


class CurateSettings(Group):
    """How candidates become lessons: near twins merged, stale lessons retired, routing."""

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


class ScaleSettings(Group):
    """The nightly deployment and where its work runs."""

    nightly_cron: str = Field(
        default="0 3 * * *", description="Cron of the served `distill/nightly-…` deployments."
    )
    nightly_timezone: str = Field(
        default_factory=local_timezone,
        description="IANA time zone of the nightly cron (default: this machine's zone).",
    )
    batch_files: int = Field(
        default=50, ge=1, description="Archive files per extract task of the flow."
    )
    task_runner: Literal["default", "dask"] = Field(
        default="default",
        description="Where mapped extract tasks run: Prefect's threads, or a Dask cluster.",
    )
    dask_address: str | None = Field(
        default=None,
        description="Scheduler of a running Dask cluster (e.g. tcp://10.0.0.5:8786); "
        "unset: a local cluster of `dask_workers` processes.",
    )
    dask_workers: int = Field(default=2, ge=1, le=256, description="Workers of a local cluster.")
    distill_wait: float = Field(
        default=3600.0,
        ge=0,
        description="Seconds a distill waits for another one of the same target to finish.",
    )

    @field_validator("nightly_timezone")
    @classmethod
    def _zone_exists(cls, name: str) -> str:
        return check_timezone(name)
