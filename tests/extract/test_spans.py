"""Excerpts: the episode's events and a little context, within a token budget."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from metis_distill.extract.spans import CUT, build_spans, estimate_tokens, trim
from metis_distill.mine.episodes import find_episodes
from metis_distill.sources import detect
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE, FIXTURES
from tests.extract import transcripts as t


def demo_run():  # type: ignore[no-untyped-def]
    return parse_file(DEMO_FILE, FIXTURES / "claude_code")


def test_an_excerpt_holds_the_episode_and_its_context() -> None:
    run = demo_run()
    first = build_spans(run, list(find_episodes(run)))[0]
    texts = [e.text for e in first.events]
    assert "pytest -q" in texts and "uv run pytest -q" in texts  # the failed call and its fix
    assert any("command not found" in t for t in texts)
    assert texts[0] == "Run the tests please"  # context before
    assert first.hints == ("a failure (exit_code), then another form of the call worked",)


def test_a_long_output_is_cut_to_the_budget_keeping_its_end() -> None:
    run = demo_run()
    events = list(run.events)
    noise = "\n".join(f"collecting module_{i}.py ... ok" for i in range(3000))
    events[2] = replace(events[2], text=noise + "\n/bin/bash: line 1: pytest: command not found")
    run = replace(run, events=tuple(events))
    spans = build_spans(run, list(find_episodes(run)), budget_tokens=300)
    for span in spans:
        assert span.tokens <= 300
    error = next(e.text for e in spans[0].events if e.event.seq == 2)
    assert CUT in error and error.endswith("pytest: command not found")


def test_a_traceback_keeps_the_line_naming_its_cause() -> None:
    # "ModuleNotFoundError: No module named …" holds no error word of its own; the frames
    # above it do ("Traceback"), and the log's last line is the runner's "exit code 1"
    frames = [f'  File "/ci/src/pkg/mod_{i}.py", line {i}, in <module>' for i in range(80)]
    output = "\n".join(
        [
            "Traceback (most recent call last):",
            *frames,
            "    from statsforecast import StatsForecast",
            "ModuleNotFoundError: No module named 'statsforecast'",
            "Process completed with exit code 1.",
        ]
    )
    cut = trim(output, 1200, around_errors=True)
    assert "ModuleNotFoundError: No module named 'statsforecast'" in cut
    assert cut.startswith("Traceback") and CUT in cut and len(cut) <= 1200


@pytest.mark.corpus
def test_excerpts_are_a_small_fraction_of_the_transcripts(corpus: Path) -> None:
    transcript = sent = 0
    for path in sorted((corpus / "claude-code").glob("*.jsonl")):
        lines = read_lines(path)
        fmt = detect(path).format
        assert fmt is not None
        run = fmt.parse_lines(path.relative_to(corpus).as_posix(), list(enumerate(lines, 1)))
        spans = build_spans(run, list(find_episodes(run)))
        transcript += estimate_tokens(sum(len(line) for line in lines))
        sent += sum(s.tokens for s in spans)
        assert all(s.tokens <= 1200 for s in spans)
    assert sent / transcript < 0.05


def test_the_hint_says_what_kind_of_fix_the_miner_saw(tmp_path: Path) -> None:
    path = t.write(tmp_path, t.cents_session())
    run = parse_file(path, tmp_path)
    (span,) = build_spans(run, list(find_episodes(run)), lines=read_lines(path))
    (hint,) = span.hints
    assert "worked after files were edited" in hint and "weakened test" in hint
    assert any(e.event.tool_name == "Edit" for e in span.events)  # the edit, with its diff
