"""`metis eval`'s gold labels: the checkout's wherever it runs from, a way on without any."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.errors import ConfigError
from metis_distill.evaluate import gold, run

REPOSITORY_GOLD = Path(__file__).parents[2] / "eval" / "gold"


def test_eval_reads_the_checkout_s_gold_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given: list[Path] = []

    def evaluate(gold_dir: Path, *args: Any, **kwargs: Any) -> None:
        given.append(gold_dir)
        raise ConfigError("stopped here")

    monkeypatch.setattr(run, "evaluate", evaluate)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["eval", "--corpus", str(tmp_path)])
    assert "stopped here" in result.output
    assert given == [REPOSITORY_GOLD.resolve()]


@pytest.mark.parametrize("flags", [[], ["--gold", "labels"]])
def test_without_gold_the_hint_names_gold_and_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setattr(gold, "CHECKOUT_GOLD", tmp_path / "eval" / "gold")  # an installed copy
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["eval", *flags, "--corpus", str(tmp_path)])
    assert result.exit_code == 2
    assert "--gold" in result.output and "metis replay" in result.output
    assert "pass --gold eval/gold" not in result.output
