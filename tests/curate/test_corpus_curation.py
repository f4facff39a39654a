"""The whole corpus, read in two nights: the block stays within budget, what is left out is
the lowest ranked, and no tripwire fires on ordinary runs."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from metis_distill import tripwires
from metis_distill.config import Settings
from metis_distill.curate.select import BLOCK_OVERHEAD_LINES, Scope, lessons_for, ranked, verified
from metis_distill.ledger import Ledger, LessonView
from metis_distill.placement.agents import fits
from metis_distill.placement.locality import personal
from metis_distill.publish import Curation, publish_targets
from metis_distill.render.claude_md import find_block, line_id
from metis_distill.run_report import ProposalOutcome, RunSummary
from metis_distill.targets import repository_root
from tests.curate.sessions import distil

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@dataclass(frozen=True)
class Nights:
    data: Path
    target: Path
    first: ProposalOutcome
    second: ProposalOutcome


@pytest.fixture(scope="module")
def nights(corpus: Path, embedder, tmp_path_factory: pytest.TempPathFactory) -> Nights:  # type: ignore[no-untyped-def]
    """Every other file of the corpus on the first night, the rest on the second; the first
    proposal accepted in between."""
    root = tmp_path_factory.mktemp("corpus-nights")
    archive, data, target = root / "archive", root / "data", root / "repo" / "CLAUDE.md"
    target.parent.mkdir()
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    halves = (files[::2], files[1::2])
    outcomes = []
    for half in halves:
        for path in half:
            copy = archive / path.relative_to(corpus)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, copy)
        outcome = distil(archive, data, embedder, target)
        outcomes.append(outcome)
        if outcome.folder:
            target.write_text(Path(outcome.folder, "proposed.md").read_text(encoding="utf-8"))
    return Nights(data, target, outcomes[0], outcomes[1])


def block_of(outcome: ProposalOutcome) -> list[str]:
    assert outcome.folder is not None
    block = find_block(Path(outcome.folder, "proposed.md").read_text(encoding="utf-8"))
    assert block is not None
    return block.body.splitlines()


def test_no_tripwire_fires_on_the_ordinary_corpus(nights: Nights) -> None:
    assert nights.first.status == "created" and nights.first.reasons == ()
    assert nights.second.status == "created" and nights.second.reasons == ()
    ledger = Ledger.at(nights.data)
    texts = {r.id: r.text for r in ledger.lessons()}
    assert len(texts) > 30 and tripwires.dangerous(texts) == []
    ledger.close()


def team_lessons(ledger: Ledger, target: Path) -> list[LessonView]:
    """The lessons the team's file may show: verified, not a fact of one machine or person
    (those go to the personal file), and not for other agents than the file's readers."""
    views = [v for v in map(verified, lessons_for(ledger, Scope(None))) if v]
    mine = personal(views, repository_root(target))
    assert mine  # the corpus has some: `python` missing here, a module missing for `py`
    return [v for v in views if v.id not in mine and fits(v, target)]


def test_the_block_stays_within_budget_and_leaves_out_the_lowest_ranked(nights: Nights) -> None:
    lines = block_of(nights.second)
    assert len(lines) + 2 <= 150  # with its two markers
    ledger = Ledger.at(nights.data)
    assert nights.second.other_agents == ()  # aider's edit blocks: a refused edit never renders
    best = ranked(team_lessons(ledger, nights.target))
    shown = [line_id(line) for line in lines if line.startswith("- ")]
    for kind, lessons in best.items():
        mine = [i for i in shown if i in {v.id for v in lessons}]
        assert len(mine) == min(12, len(lessons))  # the default budget: 12 lines a section
        assert mine == [v.id for v in lessons[: len(mine)]], kind  # the best, best first
    ledger.close()


@pytest.mark.parametrize(
    "given",
    [
        {"per_section": 40, "block_max_lines": 20},
        {"unit": "tokens", "per_section": 150},
        {"sections": {"failure": 2, "decision": 30}, "block_max_lines": 40},
    ],
)
def test_tighter_budgets_cut_from_the_bottom(nights: Nights, given: dict[str, object]) -> None:
    settings = Settings(budgets=given)  # type: ignore[arg-type]
    ledger = Ledger.at(nights.data)
    curation = Curation.of(settings)
    target = nights.target.parent / f"budget-{len(list(nights.target.parent.iterdir()))}" / "x.md"
    target.parent.mkdir()
    outcome, *_ = publish_targets(
        target,
        ledger,
        nights.data / "proposals",
        scope=Scope(None),
        run=RunSummary(extractor="rules"),
        locks_dir=nights.data / "locks",
        curation=curation,
    )
    lines = block_of(outcome)
    assert len(lines) + 2 <= settings.budgets.block_max_lines
    best = ranked(team_lessons(ledger, target))
    shown = [line_id(line) for line in lines if line.startswith("- ")]
    for kind, lessons in best.items():
        mine = [v for v in lessons if v.id in shown]
        assert [v.id for v in mine] == [v.id for v in lessons[: len(mine)]], kind
        spent = sum(curation.budget.cost(v) for v in mine)
        assert spent <= curation.budget.of(kind)
    assert len(shown) <= settings.budgets.block_max_lines - BLOCK_OVERHEAD_LINES
    assert len(shown) < sum(len(v) for v in best.values())  # some were left out
    ledger.close()
