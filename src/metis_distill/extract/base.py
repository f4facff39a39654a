"""What every extractor does: turn a run's episodes into lesson candidates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from metis_distill.mine.episodes import Episode
from metis_distill.models import LessonCandidate, Run
from metis_distill.provenance import Lines


class Extractor(Protocol):
    name: str

    def extract(self, run: Run, episodes: Sequence[Episode], lines: Lines) -> list[LessonCandidate]:
        """Candidates whose every quote resolves in `lines` (the run's file, as read)."""
        ...
