"""Gold lessons: hand-checked expectations for transcripts of a labeled archive (eval/gold/).

One YAML file per transcript: `transcript` (path relative to the archive root), `format`, and
`lessons`, each with `kind`, `gist`, `terms` and `evidence` (1-based line ranges, contract 1).
A failure also states its fix: `fix` (what made the error go away, as the run shows it, or
null when it shows none), `fix_terms` (words a correct remedy mentions) and `wrong_fix_terms`
(words of a tempting but wrong remedy the run shows); other kinds may state them too.
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
class GoldFix:
    """What fixed a failure in the run (None: nothing did) and the words that tell a correct
    remedy from a wrong one."""

    fix: str | None
    terms: tuple[str, ...] = ()
    wrong_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoldLesson:
    path: str
    kind: str
    gist: str
    terms: tuple[str, ...]
    spans: tuple[Span, ...]
    fix: GoldFix | None = None  # None: the label says nothing about a fix (decisions, most gotchas)


@dataclass(frozen=True)
class GoldFile:
    name: str  # the gold file's name
    transcript: str
    format: str
    lessons: tuple[GoldLesson, ...]


# The labels of the corpus, in a checkout of the repository (src/metis_distill/ -> eval/gold);
# an installed package has none.
CHECKOUT_GOLD = Path(__file__).resolve().parents[3] / "eval" / "gold"
NO_GOLD_HINT = (
    "pass --gold with a folder of *.yaml labels; to measure lessons on your own runs, "
    "without labels, use `metis replay --archive DIR`"
)


def default_gold() -> Path:
    """The checkout's gold labels, wherever the command runs from."""
    if not CHECKOUT_GOLD.is_dir():
        raise ConfigError(
            "no gold labels: `metis eval` scores against the labels of a checkout of "
            "metis-distill (eval/gold)",
            hint=NO_GOLD_HINT,
        )
    return CHECKOUT_GOLD


def load_gold(folder: Path) -> list[GoldFile]:
    """Every `*.yaml` file of the folder, checked; a bad label is an error naming its file."""
    if not folder.is_dir():
        raise ConfigError(f"gold folder not found: {folder}", hint=NO_GOLD_HINT)
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
    fix = _fix(item, kind)
    return GoldLesson(transcript, kind, str(item["gist"]), terms, spans, fix)


def _fix(item: dict[str, Any], kind: str) -> GoldFix | None:
    if "fix" not in item:
        if kind == LessonKind.FAILURE:
            raise ValueError(
                f"failure without `fix` (null when the run shows none): {item['gist']!r}"
            )
        return None
    fix = None if item["fix"] is None else str(item["fix"])
    terms = tuple(str(t) for t in item.get("fix_terms") or ())
    if fix is not None and not terms:
        raise ValueError(f"a fix needs `fix_terms`: {item['gist']!r}")
    wrong = tuple(str(t) for t in item.get("wrong_fix_terms") or ())
    return GoldFix(fix, terms, wrong)


def _span(raw: Any) -> Span:
    a, b = int(raw[0]), int(raw[1])
    if a < 1 or b < a:
        raise ValueError(f"bad line range {raw}")
    return a, b
