"""What the Claude extractor would be shown of each gold lesson, measured without a key.

The rules extractor's recall is scored against gold; the Claude extractor's cannot be without
an API key. What can be measured is its ceiling: a lesson whose span no excerpt and no session
outline sends cannot be found by it, however good the model. `reach` builds the very excerpts
and outlines the extractor would send (the nightly's own parse and mining) and checks, for each
gold lesson, whether the text sent from its evidence lines holds its terms (as the eval's term
rule reads a lesson): an event sent cut to its first lines may touch the span and miss the point.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from metis_distill.evaluate.gold import GoldFile, GoldLesson
from metis_distill.evaluate.match import MIN_TERM_SHARE, term_share
from metis_distill.extract.base import ExtractStats
from metis_distill.extract.claude import ClaudeConfig
from metis_distill.extract.outline import build_outlines
from metis_distill.extract.spans import Span, build_spans
from metis_distill.ledger import Ledger
from metis_distill.mine.episodes import Episode
from metis_distill.models import LessonCandidate, Run
from metis_distill.pipeline import changed_files, extract_batch
from metis_distill.provenance import Lines


class Pass(Enum):
    """Which of the extractor's two passes shows a line."""

    EXCERPT = "excerpt"  # the excerpt of a mined episode
    OUTLINE = "outline"  # the session's outline


@dataclass
class SentLines:
    """What each pass sends of each file (relative to the archive root): the lines an event
    lives on, with the text sent of it."""

    sent: dict[tuple[str, Pass], list[tuple[int, int, str]]] = field(default_factory=dict)

    def add(self, spans: Iterable[Span], kind: Pass) -> None:
        for span in spans:
            for event in span.events:
                ref = event.event.ref
                self.sent.setdefault((ref.path, kind), []).append(
                    (ref.line_start, ref.line_end, event.text)
                )

    def text_within(self, path: str, first: int, last: int, kind: Pass) -> str:
        """The text sent of the events on lines `first`..`last`."""
        found = self.sent.get((path, kind), [])
        return "\n".join(text for start, end, text in found if start <= last and end >= first)


class InputRecorder:
    """An extractor that builds what the Claude extractor would send and keeps its lines
    instead of sending them."""

    name = "claude-input"

    def __init__(self, config: ClaudeConfig) -> None:
        self.config = config
        self.stats = ExtractStats()
        self.sent = SentLines()

    def extract(self, run: Run, episodes: Sequence[Episode], lines: Lines) -> list[LessonCandidate]:
        self.sent.add(build_spans(run, episodes, self.config.span_tokens, lines), Pass.EXCERPT)
        if self.config.session_pass:
            self.sent.add(build_outlines(run, lines), Pass.OUTLINE)
        return []


@dataclass(frozen=True)
class Reach:
    """Whether each pass sends enough of a gold lesson's evidence to find it."""

    lesson: GoldLesson
    excerpt: bool
    outline: bool

    @property
    def reached(self) -> bool:
        return self.excerpt or self.outline

    def as_dict(self) -> dict[str, object]:
        return {
            "transcript": self.lesson.path,
            "kind": self.lesson.kind,
            "gist": self.lesson.gist,
            "excerpt": self.excerpt,
            "outline": self.outline,
        }


def sent_lines(archive_root: Path, ledger: Ledger, config: ClaudeConfig) -> SentLines:
    """Every line of the archive's runs the Claude extractor would send: `ledger` is a fresh
    one, so that every file is read whole."""
    recorder = InputRecorder(config)
    extract_batch(archive_root, changed_files(archive_root, ledger).changed, recorder)
    return recorder.sent


def reach(
    gold: Sequence[GoldFile], sent: SentLines, archive_paths: Mapping[str, str]
) -> list[Reach]:
    """Each gold lesson with what shows it; `archive_paths` maps a gold transcript (relative
    to the labeled archive) to its path in the archive read."""
    found: list[Reach] = []
    for lesson in (lesson for g in gold for lesson in g.lessons):
        path = archive_paths.get(lesson.path, lesson.path)
        shown = {kind: _shows(sent, path, lesson, kind) for kind in Pass}
        found.append(Reach(lesson, shown[Pass.EXCERPT], shown[Pass.OUTLINE]))
    return found


def _shows(sent: SentLines, path: str, lesson: GoldLesson, kind: Pass) -> bool:
    text = "\n".join(sent.text_within(path, first, last, kind) for first, last in lesson.spans)
    if not text.strip():
        return False
    return not lesson.terms or term_share(lesson.terms, text) >= MIN_TERM_SHARE
