"""Gold lessons: hand-checked expectations for transcripts of a labeled archive (eval/gold/).

One YAML file per transcript: `transcript` (path relative to the archive root), `format`, and
`lessons`, each with `kind`, `gist`, `terms` and `evidence` (1-based line ranges, contract 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from metis_distill.errors import ConfigError
from metis_distill.models import LessonKind

Span = tuple[int, int]


@dataclass(frozen=True)
class GoldLesson:
    path: str
    kind: str
    gist: str
    terms: tuple[str, ...]
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class GoldFile:
    name: str  # the gold file's name
    transcript: str
    format: str
    lessons: tuple[GoldLesson, ...]


def load_gold(folder: Path) -> list[GoldFile]:
    """Every `*.yaml` file of the folder, checked; a bad label is an error naming its file."""
    if not folder.is_dir():
        raise ConfigError(f"gold folder not found: {folder}", hint="pass --gold eval/gold")
    files = [_load_file(p) for p in sorted(folder.glob("*.yaml"))]
    if not files:
        raise ConfigError(f"no gold files (*.yaml) in {folder}")
    return files


def _load_file(path: Path) -> GoldFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        transcript = str(data["transcript"])
        lessons = tuple(_lesson(transcript, item) for item in data.get("lessons") or [])
        return GoldFile(path.name, transcript, str(data.get("format", "")), lessons)
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"bad gold file {path}: {e}") from e


def _lesson(transcript: str, item: dict[str, Any]) -> GoldLesson:
    kind = LessonKind(item["kind"]).value
    spans = tuple(_span(s) for s in item["evidence"])
    if not spans:
        raise ValueError(f"lesson without evidence: {item['gist']!r}")
    terms = tuple(str(t) for t in item.get("terms") or ())
    return GoldLesson(transcript, kind, str(item["gist"]), terms, spans)


def _span(raw: Any) -> Span:
    a, b = int(raw[0]), int(raw[1])
    if a < 1 or b < a:
        raise ValueError(f"bad line range {raw}")
    return a, b
