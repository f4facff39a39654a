"""Settings in groups: every flat name of old still read into its group, the layers' order
kept across both spellings, and each default written once (the library agrees)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.config import (
    BudgetSettings,
    CurateSettings,
    ExtractSettings,
    Settings,
    load_settings,
    with_values,
)
from metis_distill.config.explain import effective
from metis_distill.config.legacy import FLAT
from metis_distill.errors import ConfigError

# The 44 settings as they were named before the groups: each must still be understood.
OLD_NAMES = [
    "data_dir",
    "archive",
    "extra_sources",
    "target",
    "all_projects",
    "aliases",
    "extractor",
    "anthropic_api_key",
    "anthropic_model",
    "anthropic_base_url",
    "anthropic_concurrency",
    "anthropic_max_retries",
    "anthropic_timeout",
    "max_tokens_per_run",
    "batch",
    "batch_poll_interval",
    "batch_max_wait",
    "max_failed_fraction",
    "span_tokens",
    "section_budget",
    "dedupe_distance",
    "judge_distance",
    "batch_files",
    "model_dir",
    "budget_unit",
    "section_budgets",
    "block_max_lines",
    "paraphrase_distance",
    "retire_after_days",
    "routes",
    "tripwire_max_removed_share",
    "tripwire_min_block_lessons",
    "tripwire_jump_factor",
    "tripwire_jump_min",
    "tripwire_max_error_rate",
    "tripwire_min_errors",
    "nightly_cron",
    "nightly_timezone",
    "task_runner",
    "dask_address",
    "dask_workers",
    "index_url",
    "ledger_url",
    "distill_wait",
]

# (old flat name, a value, where it lands, the value read back)
CASES: list[tuple[str, Any, str, Any]] = [
    ("anthropic_model", "claude-old", "extract.model", "claude-old"),
    ("anthropic_max_retries", 1, "extract.max_retries", 1),
    ("batch", True, "extract.batch", True),
    ("max_tokens_per_run", 5000, "budgets.max_tokens_per_run", 5000),
    ("section_budget", 7, "budgets.per_section", 7),
    ("section_budgets", {"failure": 20}, "budgets.sections", {"failure": 20}),
    ("dedupe_distance", 0.2, "curate.dedupe_distance", 0.2),
    ("routes", [{"path": "web/CLAUDE.md"}], "curate.routes", None),
    ("tripwire_jump_min", 40, "tripwires.jump_min", 40),
    ("nightly_timezone", "Europe/Paris", "scale.nightly_timezone", "Europe/Paris"),
    ("distill_wait", 9.0, "scale.distill_wait", 9.0),
]


def value_at(settings: Settings, path: str) -> Any:
    group, _, field = path.partition(".")
    return getattr(getattr(settings, group), field)


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def env_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def test_every_old_name_is_at_the_top_or_mapped_onto_a_group_field() -> None:
    assert len(OLD_NAMES) == 44
    for name in OLD_NAMES:
        if name in Settings.model_fields:
            assert name not in FLAT
            continue
        group, field = FLAT[name]
        table = Settings.model_fields[group].annotation
        assert field in table.model_fields, name  # type: ignore[union-attr]
    assert set(FLAT) <= set(OLD_NAMES)


@pytest.mark.parametrize(("name", "value", "path", "read"), CASES)
def test_a_flat_name_in_metis_toml_lands_in_its_group(
    name: str, value: Any, path: str, read: Any
) -> None:
    Path("metis.toml").write_text(f"{name} = {toml_value(value)}\n")
    assert_read(value_at(load_settings(), path), read)


@pytest.mark.parametrize(("name", "value", "path", "read"), CASES)
def test_a_flat_env_variable_lands_in_its_group(
    name: str, value: Any, path: str, read: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"METIS_{name.upper()}", env_value(value))
    assert_read(value_at(load_settings(), path), read)


def assert_read(got: Any, read: Any) -> None:
    if read is None:  # routes: records, not plain values
        assert [r.path for r in got] == ["web/CLAUDE.md"]
    else:
        assert got == read


def test_grouped_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METIS_EXTRACT__MODEL", "claude-env")
    monkeypatch.setenv("METIS_BUDGETS__SECTIONS", '{"gotcha": 3}')
    Path("metis.toml").write_text("[curate]\nretire_after_days = 30\n[scale]\ndask_workers = 5\n")
    settings = load_settings()
    assert settings.extract.model == "claude-env"
    assert settings.budgets.sections == {"gotcha": 3}
    assert settings.curate.retire_after_days == 30
    assert settings.scale.dask_workers == 5


def user_toml(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "metis" / "metis.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_precedence_holds_whichever_spelling_each_layer_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flag > env > ./metis.toml > user toml, mixing flat and grouped names in the layers."""
    user_toml(tmp_path).write_text(
        "[budgets]\nper_section = 1\nmax_tokens_per_run = 1\nunit = 'tokens'\n"
        "block_max_lines = 20\n"
    )
    Path("metis.toml").write_text(
        "section_budget = 2\nmax_tokens_per_run = 2\nbudget_unit = 'lines'\n"
    )
    monkeypatch.setenv("METIS_BUDGETS__PER_SECTION", "3")
    monkeypatch.setenv("METIS_MAX_TOKENS_PER_RUN", "3")
    settings = load_settings(budgets={"per_section": 4, "max_tokens_per_run": None})
    budgets = settings.budgets
    assert budgets.per_section == 4  # flag over env
    assert budgets.max_tokens_per_run == 3  # a flat env name over ./metis.toml
    assert budgets.unit == "lines"  # a flat key of ./metis.toml over the user's table
    assert budgets.block_max_lines == 20  # the user's table over the default


def test_in_one_layer_the_grouped_name_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METIS_ANTHROPIC_MODEL", "flat")
    monkeypatch.setenv("METIS_EXTRACT__MODEL", "grouped")
    Path("metis.toml").write_text("span_tokens = 300\n[extract]\nspan_tokens = 400\n")
    settings = load_settings()
    assert settings.extract.model == "grouped"
    assert settings.extract.span_tokens == 400
    names = {r.path: r.flat for r in effective(settings, {})}
    assert names["extract.model"] is None and names["extract.span_tokens"] is None


def test_flat_names_still_work_as_keyword_values() -> None:
    """Prefect deployment parameters and old callers pass flat names."""
    settings = Settings(section_budget=9, extractor="rules", task_runner="dask")  # type: ignore[call-arg]
    assert settings.budgets.per_section == 9
    assert settings.extractor == "rules"
    assert settings.scale.task_runner == "dask"


def test_with_values_overrides_a_group_field_by_field(tmp_path: Path) -> None:
    settings = load_settings(budgets={"unit": "tokens", "per_section": 100})
    again = with_values(settings, {"budgets": {"per_section": 5, "max_tokens_per_run": None}})
    assert again.budgets.unit == "tokens" and again.budgets.per_section == 5
    moved = with_values(settings, {"data_dir": str(tmp_path / "other")})
    assert moved.ledger_url == f"sqlite:///{tmp_path / 'other' / 'ledger.sqlite'}"


def test_a_misspelt_key_in_a_table_is_an_error() -> None:
    Path("metis.toml").write_text("[extract]\nmodle = 'x'\n")
    with pytest.raises(ConfigError, match="extract.modle"):
        load_settings()


def test_each_default_is_the_settings_one() -> None:
    """The library's records take their defaults from the settings: no copy can drift."""
    from metis_distill.curate.merge import (
        DEFAULT_JUDGE_DISTANCE,
        DEFAULT_MAX_DISTANCE,
        DEFAULT_PARAPHRASE_DISTANCE,
    )
    from metis_distill.curate.retire import DEFAULT_RETIRE_AFTER_DAYS
    from metis_distill.curate.select import Budget
    from metis_distill.extract.claude import ClaudeConfig
    from metis_distill.extract.spans import DEFAULT_SPAN_TOKENS
    from metis_distill.publish import Curation

    extract, budgets, curate = ExtractSettings(), BudgetSettings(), CurateSettings()
    claude = ClaudeConfig()
    assert (claude.model, claude.base_url, claude.concurrency, claude.max_retries) == (
        extract.model, extract.base_url, extract.concurrency, extract.max_retries,
    )  # fmt: skip
    assert (claude.timeout, claude.max_failed_fraction, claude.span_tokens) == (
        extract.timeout, extract.max_failed_fraction, extract.span_tokens,
    )  # fmt: skip
    assert (claude.batch, claude.poll_interval, claude.batch_max_wait) == (
        extract.batch, extract.batch_poll_interval, extract.batch_max_wait,
    )  # fmt: skip
    assert claude.max_tokens_per_run == budgets.max_tokens_per_run == 1_000_000
    assert extract.span_tokens == DEFAULT_SPAN_TOKENS
    assert Budget() == Budget.from_settings(budgets)
    assert (
        curate.dedupe_distance, curate.judge_distance, curate.paraphrase_distance,
    ) == (DEFAULT_MAX_DISTANCE, DEFAULT_JUDGE_DISTANCE, DEFAULT_PARAPHRASE_DISTANCE)  # fmt: skip
    assert curate.retire_after_days == DEFAULT_RETIRE_AFTER_DAYS
    assert Curation() == Curation.of(Settings())


def test_config_shows_groups_origins_and_old_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METIS_SECTION_BUDGET", "7")
    monkeypatch.setenv("METIS_EXTRACT__MODEL", "claude-env")
    Path("metis.toml").write_text("dedupe_distance = 0.2\n[scale]\ndask_workers = 3\n")
    result = CliRunner().invoke(app, ["config", "--data-dir", "/tmp/x"])
    assert result.exit_code == 0, result.output
    out = result.output
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") >= 3}
    assert "7" in rows["budgets.per_section"] and "env (old name)" in rows["budgets.per_section"]
    assert "claude-env" in rows["extract.model"] and "env " in rows["extract.model"]
    assert "metis.toml (old name)" in rows["curate.dedupe_distance"]
    assert "metis.toml" in rows["scale.dask_workers"] and "old" not in rows["scale.dask_workers"]
    assert "flag" in rows["data_dir"] and "default" in rows["curate.judge_distance"]
    assert "deprecated: METIS_SECTION_BUDGET (env) is now METIS_BUDGETS__PER_SECTION" in out
    assert "deprecated: dedupe_distance (metis.toml) is now [curate] dedupe_distance" in out


def test_config_shows_long_values_whole_and_what_an_unset_one_means(tmp_path: Path) -> None:
    data = tmp_path / "a-data-dir-whose-path-is-long-enough" / "to-be-cut-at-eighty-columns"
    result = CliRunner().invoke(app, ["config", "--data-dir", str(data)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert str(data / "ledger.sqlite") in "".join(
        line.split("│")[2].strip() for line in result.output.splitlines() if line.count("│") >= 3
    )
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "(in the venv)" in rows["model_dir"]
    assert "(CLAUDE.local.md" in rows["curate.personal_file"]


def test_config_says_the_key_comes_from_anthropic_api_key_and_never_shows_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = "sk-ant-api03-" + "k" * 30
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    result = CliRunner().invoke(app, ["config", "--data-dir", "/tmp/x"])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "(set, from ANTHROPIC_API_KEY)" in rows["extract.api_key"]
    assert "env" in rows["extract.api_key"] and "claude" in rows["extract.extractor"]
    assert key not in result.output and "kkkk" not in result.output


def user_file(tmp_path: Path, text: str) -> Path:
    """The user's metis.toml (the `isolated` fixture points XDG_CONFIG_HOME at tmp/config)."""
    toml = tmp_path / "config" / "metis" / "metis.toml"
    toml.parent.mkdir(parents=True, exist_ok=True)
    toml.write_text(text)
    return toml


def test_a_misspelt_key_in_the_user_file_names_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = user_file(tmp_path, "[budgets]\nper_sectoin = 5\n")
    monkeypatch.delenv("METIS_DATA_DIR")
    with pytest.raises(ConfigError, match=rf"budgets\.per_sectoin: .* \(in {toml}\)"):
        load_settings()


def test_a_wrong_type_names_the_layer_that_gave_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_file(tmp_path, "[budgets]\nper_section = 4\n")
    Path("metis.toml").write_text("[budgets]\nper_section = 'many'\n")
    local = Path("metis.toml").absolute()
    with pytest.raises(ConfigError, match=rf"budgets\.per_section: .* \(in {local}\)"):
        load_settings()
    monkeypatch.setenv("METIS_BUDGETS__PER_SECTION", "lots")
    with pytest.raises(ConfigError, match=r"per_section: .* \(from a METIS_\* variable\)"):
        load_settings()


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    toml = user_file(tmp_path, "[budgets\nper_section = 5\n")
    with pytest.raises(
        ConfigError, match=rf"cannot read the settings in {toml}: .*line 1"
    ) as raised:
        load_settings()
    assert "\n" not in str(raised.value)


def test_the_cli_names_the_file_in_one_line(tmp_path: Path) -> None:
    toml = user_file(tmp_path, "[budgets]\nper_sectoin = 5\n")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 2
    assert f"(in {toml})" in result.output and "Traceback" not in result.output


def test_relative_paths_in_the_user_file_are_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METIS_DATA_DIR")
    toml = user_file(tmp_path, 'data_dir = "mydata"\nextra_sources = ["runs", "/abs", "~/h"]\n')
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        settings = load_settings()
        assert settings.data_dir == toml.parent / "mydata"
        assert settings.extra_sources == [
            toml.parent / "runs",
            Path("/abs"),
            Path("~/h").expanduser(),
        ]


@pytest.mark.parametrize(
    "path",
    ["../outside/CLAUDE.md", "web/../../CLAUDE.md", "/etc/CLAUDE.md", "C:\\\\x\\\\AGENTS.md"],
)
def test_a_route_outside_the_repository_is_refused_naming_it_and_its_file(path: str) -> None:
    Path("metis.toml").write_text(f'[[curate.routes]]\npath = "{path}"\ncommands = ["git"]\n')
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert said.startswith("error: invalid settings: curate.routes.0: the route ")
    assert "lies outside the repository" in said and "Value error" not in said
    assert f"(in {Path('metis.toml').absolute()})" in said and "Traceback" not in said


def test_a_route_inside_the_repository_is_kept() -> None:
    Path("metis.toml").write_text('[[curate.routes]]\npath = "web/../AGENTS.md"\n')
    assert [r.path for r in load_settings().curate.routes] == ["web/../AGENTS.md"]
