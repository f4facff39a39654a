"""Other people's real runs are ordinary advice: what users and agents said in the corpus is
hardly ever taken for dangerous advice (measured: 0 of the text events; the budget is 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill import pipeline, sources
from metis_distill.advice import dangers
from metis_distill.models import EventKind


@pytest.mark.corpus
def test_what_people_said_in_the_corpus_is_not_flagged(corpus: Path) -> None:
    said = flagged = 0
    for path in pipeline.walk(corpus):
        found = sources.detect(path)
        if found.format is None:
            continue
        for event in found.format.parse_file(path, corpus).events:
            if event.kind is EventKind.TEXT:
                said += 1
                flagged += bool(dangers(event.text))
    assert said > 500 and flagged <= 1
