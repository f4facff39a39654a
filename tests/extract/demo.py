"""The demo transcript the extractor tests send to the fake API, and how they check results."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from metis_distill.extract.claude import ClaudeConfig, ClaudeExtractor
from metis_distill.extract.spend import Spend, upper_bound
from metis_distill.ledger import Ledger
from metis_distill.mine.episodes import find_episodes
from metis_distill.models import LessonCandidate
from metis_distill.provenance import quote_in_span
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.conftest import DEMO_FILE, FIXTURES
from tests.fakes.anthropic_server import fake_anthropic

ROOT = FIXTURES / "claude_code"
EXCERPTS = 4  # distinct episode excerpts of the demo transcript
SESSIONS = 1  # its session outlines (the session pass)
SPANS = EXCERPTS + SESSIONS  # prompts sent for it
UV_LESSON = "Run the tests with `uv run pytest`; bare `pytest` is not on the PATH here."


def extract(ex: ClaudeExtractor) -> list[LessonCandidate]:
    run = parse_file(DEMO_FILE, ROOT)
    return ex.extract(run, list(find_episodes(run)), read_lines(DEMO_FILE))


def resolves(candidate: LessonCandidate) -> bool:
    ref = candidate.evidence.ref
    return quote_in_span(ROOT / ref.path, ref.line_start, ref.line_end, candidate.evidence.quote)


def demo_archive(tmp_path: Path) -> Path:
    """A folder of runs holding the demo transcript in its project folder."""
    folder = tmp_path / "runs" / "-home-dev-src-demo"
    folder.mkdir(parents=True)
    shutil.copy(DEMO_FILE, folder / DEMO_FILE.name)
    return tmp_path / "runs"


def demo_target(tmp_path: Path) -> Path:
    """A repository whose CLAUDE.md holds one human line."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "CLAUDE.md").write_text("# Demo\n", encoding="utf-8")
    return repo / "CLAUDE.md"


def request_bounds(model: str, *, batch: bool = False) -> list[Spend]:
    """The most each of the demo's requests may cost (`spend.upper_bound`), in the order a
    lone extractor sends them."""
    with fake_anthropic() as fake, tempfile.TemporaryDirectory() as folder:
        ledger = Ledger.at(Path(folder))
        config = ClaudeConfig(base_url=fake.url, model=model, concurrency=1)
        extract(ClaudeExtractor(config, ledger, api_key="test-key"))
        ledger.close()
    return [upper_bound(model, body, batch=batch) for body in fake.requests]
