"""What the Claude extractor would be shown of each gold lesson: its ceiling, without a key."""

from __future__ import annotations

from pathlib import Path

from metis_distill.evaluate.gold import GoldFile, GoldLesson
from metis_distill.evaluate.reach import Pass, reach, sent_lines
from metis_distill.extract.claude import ClaudeConfig
from metis_distill.ledger import Ledger
from tests.extract import transcripts as t

LABELED = "claude-code/cents.jsonl"  # the transcript's path in the labeled archive


def lesson(kind: str, terms: tuple[str, ...], lines: tuple[int, int]) -> GoldLesson:
    return GoldLesson(LABELED, kind, f"a {kind}", terms, (lines,))


def test_a_lesson_is_shown_only_when_its_lines_are_sent_with_its_point(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = t.write(archive, t.cents_session())  # line 4: the failing output, 6: a mid-turn rule
    failure = lesson("failure", ("price_cents", "AttributeError"), (4, 4))
    rule = lesson("decision", ("integer cents",), (6, 6))
    off_point = lesson("gotcha", ("kubernetes", "helm chart"), (4, 4))
    nowhere = lesson("gotcha", ("price_cents",), (40, 41))
    gold = [GoldFile("cents.yaml", LABELED, "claude_code", (failure, rule, off_point, nowhere))]
    with Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as fresh:
        sent = sent_lines(archive, fresh, ClaudeConfig())
    found = reach(gold, sent, {LABELED: path.relative_to(archive).as_posix()})
    shown = {r.lesson.kind + ":" + r.lesson.terms[0]: r for r in found}
    assert shown["failure:price_cents"].excerpt and shown["failure:price_cents"].outline
    assert shown["decision:integer cents"].reached
    assert not shown["gotcha:kubernetes"].reached  # its lines are sent, its point is not
    assert not shown["gotcha:price_cents"].reached  # no event lives on its lines
    # the failing output is sent cut around its error, not whole
    sent_text = sent.text_within(path.relative_to(archive).as_posix(), 4, 4, Pass.EXCERPT)
    assert t.PRICE_ERROR in sent_text and len(sent_text) < 4_000


def test_without_the_session_pass_only_excerpts_show(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    path = t.write(archive, [t.user("Keep every amount in integer cents in this repository.")])
    rule = lesson("decision", ("integer cents",), (1, 1))
    gold = [GoldFile("cents.yaml", LABELED, "claude_code", (rule,))]
    paths = {LABELED: path.relative_to(archive).as_posix()}
    with Ledger(f"sqlite:///{tmp_path / 'a.sqlite'}") as fresh:
        (with_pass,) = reach(gold, sent_lines(archive, fresh, ClaudeConfig()), paths)
    with Ledger(f"sqlite:///{tmp_path / 'b.sqlite'}") as fresh:
        config = ClaudeConfig(session_pass=False)
        (without,) = reach(gold, sent_lines(archive, fresh, config), paths)
    assert with_pass.outline and not without.reached
