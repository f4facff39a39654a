"""Each lesson to its context file: facts of one machine or person to the personal file, the
configured routes, lessons about one part of the tree to its rules file (or sub-folder file),
everything else to the target. A lesson that holds for other agents alone is held back: the
agents that read the file would only be misled by it (it renders for a target of theirs).
Files written before by the same rules take part too, so a lesson that leaves them is proposed
for removal there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from metis_distill.ledger import LessonView
from metis_distill.placement.agents import fits, named_for
from metis_distill.placement.files import (
    RULES,
    TreeFiles,
    is_codex,
    personal_file,
    tree_file,
    tree_part,
)
from metis_distill.placement.locality import Locality, locality
from metis_distill.targets import Route, lesson_scope, route


class Why(StrEnum):
    """Why a context file takes the lessons it takes."""

    TARGET = "target"
    ROUTE = "route"  # a route of the settings
    TREE = "tree"  # lessons about one part of the tree
    PERSONAL = "personal"  # facts of one machine or one person


@dataclass(frozen=True)
class Destination:
    path: Path
    why: Why
    preamble: str = ""  # what a new file starts with (a rules file's `paths:` frontmatter)
    part: str = ""  # the part of the tree (Why.TREE)


@dataclass(frozen=True)
class Rules:
    """The placement settings."""

    routes: tuple[Route, ...] = ()
    tree_files: TreeFiles = TreeFiles.RULES
    personal_file: str = ""


@dataclass(frozen=True)
class Placement:
    files: tuple[Destination, ...]  # the target first
    lessons: dict[Path, list[LessonView]]
    locality: dict[str, Locality]  # lessons that are not the team's
    held_back: tuple[LessonView, ...] = ()  # for other agents than the files' readers

    def of(self, path: Path) -> list[LessonView]:
        return self.lessons.get(path, [])


def place(
    lessons: Sequence[LessonView],
    target: Path,
    root: Path,
    rules: Rules,
    written: Iterable[Path] = (),
) -> Placement:
    """Where each lesson goes; `written`: files metis wrote before (their blocks may now lose
    lines), of which those these rules could have made take part."""
    personal = Destination(personal_file(target, root, rules.personal_file), Why.PERSONAL)
    found: dict[Path, Destination] = {target: Destination(target, Why.TARGET)}
    for r in rules.routes:
        found.setdefault(root / r.path, Destination(root / r.path, Why.ROUTE))
    placed: dict[Path, list[LessonView]] = {}
    local: dict[str, Locality] = {}
    held_back: list[LessonView] = []
    for lesson in lessons:
        where = locality(lesson, root)
        if where != Locality.TEAM:
            local[lesson.id] = where
            destination = personal
        else:
            destination = _team_file(lesson, target, root, rules)
        if not fits(lesson, destination.path):
            held_back.append(lesson)
            continue
        found.setdefault(destination.path, destination)
        placed.setdefault(destination.path, []).append(named_for(lesson, destination.path))
    for path in written:
        mine = _made_by_rules(path, target, root, personal.path)
        if mine is not None:
            found.setdefault(path, mine)
    return Placement(tuple(found.values()), placed, local, tuple(held_back))


def _team_file(lesson: LessonView, target: Path, root: Path, rules: Rules) -> Destination:
    scope = lesson_scope(lesson.scope, [e.cwd for e in lesson.evidence], root)
    routed = route(scope, rules.routes)
    if routed is not None:
        return Destination(root / routed, Why.ROUTE)
    part = tree_part(lesson, root)
    made = tree_file(part, target, root, rules.tree_files) if part else None
    if part is None or made is None:
        return Destination(target, Why.TARGET)
    return Destination(made[0], Why.TREE, preamble=made[1], part=part)


def _made_by_rules(path: Path, target: Path, root: Path, personal: Path) -> Destination | None:
    """A file metis wrote before that these rules make: the personal file, a rules file, or
    a sub-folder's file of the target's name."""
    if path == personal:
        return Destination(path, Why.PERSONAL)
    if not path.is_relative_to(root) or path == target:
        return None
    rel = path.relative_to(root)
    if rel.parent == RULES and rel.suffix == ".md" and not is_codex(target):
        return Destination(path, Why.TREE)
    if path.name == target.name and rel.parent != Path("."):
        return Destination(path, Why.TREE, part=rel.parent.as_posix())
    return None
