"""The prompt templates: versioned, and every variable they use is provided."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.errors import ConfigError
from metis_distill.extract import prompts
from metis_distill.extract.claude import episode_values, session_values, system_values
from metis_distill.extract.outline import build_outlines
from metis_distill.extract.spans import Span, build_spans
from metis_distill.mine.episodes import find_episodes
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE, FIXTURES


def demo_span() -> Span:
    run = parse_file(DEMO_FILE, FIXTURES / "claude_code")
    return build_spans(run, list(find_episodes(run)))[0]


def demo_outline() -> Span:
    run = parse_file(DEMO_FILE, FIXTURES / "claude_code")
    (outline,) = build_outlines(run, read_lines(DEMO_FILE))
    return outline


def test_every_template_has_a_version() -> None:
    for path in sorted(prompts.default_prompts_dir().glob("*.j2")):
        assert prompts.load(path.name).version.isdigit(), path


def test_the_values_given_are_exactly_the_variables_used() -> None:
    """Drift: a template reading a variable nobody provides (or the reverse) fails here."""
    assert prompts.load(prompts.SYSTEM).variables() == set(system_values())
    assert prompts.load(prompts.EPISODE).variables() == set(episode_values(demo_span()))
    assert prompts.load(prompts.SESSION).variables() == set(session_values(demo_outline()))


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


def test_the_session_outline_renders_its_events_in_order() -> None:
    text = prompts.load(prompts.SESSION).render(**session_values(demo_outline()))
    assert '<event n="1" at="1" role="user" kind="text">' in text
    assert text.index("pytest: command not found") < text.index("generate a new alembic revision")


# The bar of issue 12 item 1, as the system prompt must state it (reworded, it still has to
# say each of these things).
BAR = [
    "same intent",  # a fix does what the failed call meant to do
    "right after",
    "same error gone",
    "coincidence",  # a later unrelated success is not a fix
    "skips a precondition",
    "weakens a test",
    "`fix` is null",
    '"might"',  # hedged guesses are no gotchas
    '"unlikely to be the cause"',
    "one-off task request",
    "pasted from a",
    "system reminders, slash-command expansions, `isMeta` lines",
    "skill files",
    "one lesson about the tool",
    "no user names, no branch names",
    "invisible characters",
]


@pytest.mark.parametrize("phrase", BAR)
def test_the_system_prompt_carries_the_bar(phrase: str) -> None:
    text = " ".join(prompts.load(prompts.SYSTEM).render(**system_values()).split())
    assert phrase in text
