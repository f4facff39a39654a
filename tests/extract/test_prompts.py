"""The prompt templates: versioned, and every variable they use is provided."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.errors import ConfigError
from metis_distill.extract import prompts
from metis_distill.extract.claude import episode_values, system_values
from metis_distill.extract.spans import build_spans
from metis_distill.mine.episodes import find_episodes
from metis_distill.sources.claude_code import parse_file
from tests.conftest import DEMO_FILE, FIXTURES


def demo_span():  # type: ignore[no-untyped-def]
    run = parse_file(DEMO_FILE, FIXTURES / "claude_code")
    return build_spans(run, list(find_episodes(run)))[0]


def test_every_template_has_a_version() -> None:
    for path in sorted(prompts.default_prompts_dir().glob("*.j2")):
        assert prompts.load(path.name).version.isdigit(), path


def test_the_values_given_are_exactly_the_variables_used() -> None:
    """Drift: a template reading a variable nobody provides (or the reverse) fails here."""
    assert prompts.load(prompts.SYSTEM).variables() == set(system_values())
    assert prompts.load(prompts.EPISODE).variables() == set(episode_values(demo_span()))


def test_rendering_is_strict_and_tidy() -> None:
    episode = prompts.load(prompts.EPISODE)
    text = episode.render(**episode_values(demo_span()))
    assert "{#" not in text and "version" not in text.split("\n")[0]
    assert '<event n="1" role="user" kind="text">' in text
    with pytest.raises(Exception, match="undefined"):
        episode.render(project="p")


def test_a_template_without_a_version_is_refused(tmp_path: Path) -> None:
    (tmp_path / prompts.SYSTEM).write_text("no version here\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no version"):
        prompts.load(prompts.SYSTEM, tmp_path)
