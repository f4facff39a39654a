"""A project file read at a path it is not at, then read at its own: where it lives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, overload

import pytest

from metis_distill.conversations import support
from metis_distill.curate.earned import HeldBack, held_back
from metis_distill.curate.merge import curate
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger
from metis_distill.mine.misplaced import misplaced
from metis_distill.models import Event, LessonCandidate
from metis_distill.sources.claude_code import parse_file
from tests.mine.test_episodes import _write, call, failure_lessons, read, result


@dataclass(frozen=True)
class _Judged:
    text: str
    scope: tuple[str, ...]
    kind: str = "failure"
    fix: str | None = None
    support: int = 1


# A guide read where it is not, then read where it is: "where it lives".
_NOT_THERE = "Exit code 1\ncat: {}: No such file or directory"
_GUIDE = "# Contributing guide\n\nRun the checks before a commit."


def _looked_elsewhere(wrong: str, right: str, *between: dict) -> list[dict]:  # type: ignore[type-arg]
    return [
        call("t1", f"cat {wrong}"),
        result("t1", _NOT_THERE.format(wrong), True),
        *between,
        call("t9", f"cat {right}"),
        result("t9", _GUIDE),
    ]


def test_a_file_read_at_the_root_then_found_in_a_folder_says_where_it_lives(
    tmp_path: Path,
) -> None:

    listed = [call("t2", "ls handbook"), result("t2", "contributing.md\nsetup.md")]
    (lesson,) = failure_lessons(
        tmp_path, _looked_elsewhere("contributing.md", "handbook/contributing.md", *listed)
    )
    assert lesson.text == (
        "`contributing.md` is at `handbook/contributing.md`, not at the project root (reading "
        "`contributing.md` failed: “No such file or directory”)."
    )
    assert lesson.fix is None  # earned only when another session takes the same wrong turn
    assert held_back(_Judged(lesson.text, lesson.scope, support=1)) is HeldBack.ONE_SESSION
    assert held_back(_Judged(lesson.text, lesson.scope, support=2)) is None


def test_a_name_the_project_holds_several_of_is_not_told_where_it_lives(
    tmp_path: Path,
) -> None:
    """The search between listed the name in two workflows: the one read was that task's."""
    found = "flows/plan/steps/step-01.md\nflows/research/steps/step-01.md"
    listed = [call("t2", "rg --files -g step-01.md flows"), result("t2", found)]
    wrong, right = "flows/steps/step-01.md", "flows/plan/steps/step-01.md"
    lessons = failure_lessons(tmp_path, _looked_elsewhere(wrong, right, *listed))
    assert all("is at" not in lesson.text for lesson in lessons)


def test_one_file_found_under_another_folder_is_told_of_the_file_only(tmp_path: Path) -> None:
    """A monorepo may hold several `src/`: one file found in `packages/web/src/` says nothing
    of the folder `src/` (nor that `src/widgets/` is the wrong place)."""
    for n, (wrong, right) in enumerate(
        [
            ("src/Banner.tsx", "packages/web/src/Banner.tsx"),
            ("src/widgets/Banner.tsx", "src/ui/widgets/Banner.tsx"),
            ("x/y/z/guide.md", "y/z/guide.md"),
        ]
    ):
        (lesson,) = failure_lessons(tmp_path / str(n), _looked_elsewhere(wrong, right))
        name = wrong.rsplit("/", 1)[-1]
        assert lesson.text == (
            f"`{name}` is at `{right}`, not at `{wrong}` (reading `{wrong}` failed: “No such "
            "file or directory”)."
        )


def _two_sessions(tmp_path: Path, *between: dict) -> set[str]:  # type: ignore[type-arg]
    """Two sessions, each reading one file of `tools/ci/steps/` and finding it in
    `tools/steps/`: the lessons' texts."""
    texts = set()
    for name in ("lint.xml", "release.xml"):
        wrong, right = f"tools/ci/steps/{name}", f"tools/steps/{name}"
        (lesson,) = failure_lessons(tmp_path / name, _looked_elsewhere(wrong, right, *between))
        texts.add(lesson.text)
    return texts


def test_two_files_of_one_folder_are_two_lines_unless_the_folder_was_seen_missing(
    tmp_path: Path,
) -> None:
    """Files of one folder, found elsewhere in two sessions, are one line only when a look
    showed the folder itself missing: its files looked for were under the other."""
    assert len(_two_sessions(tmp_path / "a")) == 2
    listed = [
        call("t2", "ls tools/ci/steps"),
        result("t2", "ls: cannot access 'tools/ci/steps': No such file or directory", True),
        call("t3", "ls tools/ci"),
        result("t3", "ls: cannot access 'tools/ci': No such file or directory", True),
    ]
    assert _two_sessions(tmp_path / "b", *listed) == {
        "The project has no `tools/ci/` folder: the files looked for under it were under "
        "`tools/` (looking in it failed: “No such file or directory”)."
    }


def test_the_read_tool_s_absolute_paths_are_said_from_the_project_root(tmp_path: Path) -> None:

    records = [
        read("t1", "/w/contributing.md"),
        result("t1", "File does not exist.", True),
        read("t2", "/w/handbook/contributing.md"),
        result("t2", _GUIDE),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text == (
        "`contributing.md` is at `handbook/contributing.md`, not at the project root (reading "
        "`contributing.md` failed: “File does not exist”)."
    )
    assert "/w" not in lesson.text


@pytest.mark.parametrize(
    ("wrong", "right", "between"),
    [
        # made in between: the agent's own file
        (
            "contributing.md",
            "handbook/contributing.md",
            [
                call("t2", "mkdir -p handbook && cp ../x.md handbook/contributing.md"),
                result("t2", ""),
            ],
        ),
        (
            "contributing.md",
            "handbook/contributing.md",
            [call("t2", "echo hi > handbook/contributing.md"), result("t2", "")],
        ),
        ("contributing.md", "handbook/setup.md", []),  # another file
        ("src/api/index.ts", "src/web/index.ts", []),  # a name every package holds
        ("/etc/app/contributing.md", "handbook/contributing.md", []),  # outside the project
        ("../up/contributing.md", "handbook/contributing.md", []),
        ("contributing.md", "~/notes/contributing.md", []),
    ],
)
def test_a_file_found_elsewhere_only_as_a_look_inside_the_project_teaches_where_it_lives(
    tmp_path: Path,
    wrong: str,
    right: str,
    between: list[dict],  # type: ignore[type-arg]
) -> None:

    found = failure_lessons(tmp_path, _looked_elsewhere(wrong, right, *between))
    assert not any("is at `" in c.text or "folder is `" in c.text for c in found)


def test_a_file_read_fine_at_the_path_later_in_the_session_was_moved_by_the_run(
    tmp_path: Path,
) -> None:

    records = _looked_elsewhere("contributing.md", "handbook/contributing.md")
    moved_back = [
        call("t10", "git mv handbook/contributing.md contributing.md"),
        result("t10", ""),
        call("t11", "cat contributing.md"),
        result("t11", _GUIDE),
    ]
    assert failure_lessons(tmp_path, [*records, *moved_back]) == []


def test_a_relative_path_after_a_cd_is_not_from_the_project_root(tmp_path: Path) -> None:
    """Claude Code's Bash keeps the folder a call moved into: `src/App.tsx` read in
    `backend/` is no claim about the project's `src/`."""
    records = [
        call("t1", "cd backend"),
        result("t1", ""),
        call("t2", "cat src/App.tsx"),
        result("t2", _NOT_THERE.format("src/App.tsx"), True),
        read("t3", "/w/frontend/src/App.tsx"),
        result("t3", "export default function App() {}"),
    ]
    found = failure_lessons(tmp_path / "moved", records)
    assert not any("is at `" in c.text for c in found)
    (lesson,) = failure_lessons(tmp_path / "stayed", records[2:])  # no `cd`: from the root
    assert lesson.text.startswith("`App.tsx` is at `frontend/src/App.tsx`")


def test_codex_s_fresh_shell_keeps_no_folder_from_an_earlier_cd(tmp_path: Path) -> None:
    from tests.mine.test_held_out import _rollout_lessons

    texts = _rollout_lessons(
        tmp_path,
        [
            ("cd backend", {}, 0, ""),
            ("cat contributing.md", {}, 1, "cat: contributing.md: No such file or directory"),
            ("cat handbook/contributing.md", {}, 0, _GUIDE),
        ],
    )
    assert any(t.startswith("`contributing.md` is at `handbook/contributing.md`") for t in texts)


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("HISTORY.md", "node_modules/left-pad/HISTORY.md"),  # a dependency's copy
        ("notes/usage.txt", ".venv/lib/python3.12/site-packages/pkg/usage.txt"),
        ("guide.md", "build/html/guide.md"),
        ("CHANGELOG.md", "docs/CHANGELOG.md"),  # names many folders hold
        ("app/models.py", "shop/models.py"),
        ("conftest.py", "tests/conftest.py"),
    ],
)
def test_a_copy_in_what_the_project_installs_or_a_name_every_folder_holds_is_no_place(
    tmp_path: Path, wrong: str, right: str
) -> None:
    found = failure_lessons(tmp_path, _looked_elsewhere(wrong, right))
    assert not any("is at `" in c.text for c in found)


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ("cat notes.md docs/setup.md", "cat: notes.md: No such file or directory"),
        ("head -n 5 notes.md docs/setup.md", "head: cannot open 'notes.md' for reading: "
         "No such file or directory"),
        ("cat docs/setup.md", "cat: /etc/app.conf: No such file or directory"),
    ],
)  # fmt: skip
def test_only_the_one_file_a_read_names_and_its_error_names_was_not_there(
    tmp_path: Path, command: str, error: str
) -> None:
    records = [
        call("t1", command),
        result("t1", f"Exit code 1\n{error}", True),
        call("t2", "cat docs/old/setup.md"),
        result("t2", _GUIDE),
    ]
    found = failure_lessons(tmp_path, records)
    assert not any("is at `" in c.text for c in found)


@pytest.mark.parametrize("command", ["head -n 40 {}", "sed -n 1,40p {}", "tail -n 5 {}"])
def test_a_reader_s_options_are_not_its_file(tmp_path: Path, command: str) -> None:
    records = [
        call("t1", command.format("contributing.md")),
        result("t1", "Exit code 1\nno such read: contributing.md: No such file or directory", True),
        call("t2", command.format("handbook/contributing.md")),
        result("t2", _GUIDE),
    ]
    (lesson,) = failure_lessons(tmp_path, records)
    assert lesson.text.startswith("`contributing.md` is at `handbook/contributing.md`")


class _Counted(Sequence[Event]):
    """Events that remember the most of them a slice handed out."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.events, self.most = list(events), 0

    @overload
    def __getitem__(self, at: int) -> Event: ...
    @overload
    def __getitem__(self, at: slice) -> Sequence[Event]: ...
    def __getitem__(self, at: Any) -> Any:
        got = self.events[at]
        if isinstance(at, slice):
            self.most = max(self.most, len(got))
        return got

    def __len__(self) -> int:
        return len(self.events)


def test_a_missing_file_is_looked_for_only_among_the_next_calls(tmp_path: Path) -> None:
    """A run of many failed reads costs each one its few next calls, not the whole run."""
    records = []
    for n in range(300):
        records += [
            call(f"t{n}", f"cat n{n}.md"),
            result(f"t{n}", _NOT_THERE.format(f"n{n}.md"), True),
        ]
    run = parse_file(_write(tmp_path, records), tmp_path)
    events = _Counted(run.events)
    calls = {e.tool_use_id: e for e in run.events if e.role == "assistant"}
    for index, event in enumerate(run.events):
        if event.role == "tool":
            assert misplaced(events, index, calls[event.tool_use_id], "/w") is None
    assert 0 < events.most <= 40


def _write_file(tool_id: str, path: str) -> dict:  # type: ignore[type-arg]
    block = {
        "type": "tool_use",
        "id": tool_id,
        "name": "Write",
        "input": {"file_path": path, "content": "# Report"},
    }
    return {"type": "assistant", "message": {"content": [block]}}


def _report_read_at_the_root(*before: dict) -> list[dict]:  # type: ignore[type-arg]
    """`REPORT.md` read at the root, not there, then read in `notes/`, after `before`."""
    return [
        *before,
        call("t5", "git status --short"),
        result("t5", " M app.py"),
        read("t6", "/w/REPORT.md"),
        result("t6", "File does not exist.", True),
        call("t7", "find . -name REPORT.md"),
        result("t7", "./notes/REPORT.md"),
        read("t8", "/w/notes/REPORT.md"),
        result("t8", "# Report"),
    ]


@pytest.mark.parametrize(
    "made",
    [
        [_write_file("t1", "/w/notes/REPORT.md"), result("t1", "File created successfully")],
        [call("t1", "mkdir notes"), result("t1", "")],
        [call("t1", "mkdir /w/notes && echo made"), result("t1", "made")],
        [call("t1", "echo '# Report' > notes/REPORT.md"), result("t1", "")],
        [call("t1", "cat draft.md | tee notes/REPORT.md"), result("t1", "# Report")],
        [call("t1", "cp draft/REPORT.md notes/"), result("t1", "")],
    ],
)
def test_a_file_the_run_made_itself_found_elsewhere_tells_no_layout(
    tmp_path: Path,
    made: list[dict],  # type: ignore[type-arg]
) -> None:
    """The agent wrote its report into its own folder, earlier in the session; a later read
    at the root missed it: where the agent put it is no place of the project's."""
    found = failure_lessons(tmp_path / "made", _report_read_at_the_root(*made))
    assert not any("is at `" in c.text for c in found)
    (lesson,) = failure_lessons(tmp_path / "not made", _report_read_at_the_root())
    assert lesson.text.startswith("`REPORT.md` is at `notes/REPORT.md`, not at the project root")


def _found_in_sessions(tmp_path: Path, name: str, rights: Sequence[str]) -> list[LessonCandidate]:
    """`name` read at the root and found at one of `rights` in each of as many sessions."""
    found = []
    for n, right in enumerate(rights):
        records = [
            read("t1", f"/w/{name}"),
            result("t1", "File does not exist.", True),
            read("t2", f"/w/{right}"),
            result("t2", _GUIDE),
        ]
        (lesson,) = failure_lessons(tmp_path / str(n), records)
        ref = replace(lesson.evidence.ref, path=f"p/s{n}.jsonl")
        found.append(
            replace(lesson, evidence=replace(lesson.evidence, ref=ref, session_id=f"s{n}"))
        )
    return found


def _earned_lines(tmp_path: Path, embedder, candidates: list[LessonCandidate]) -> list[str]:  # type: ignore[no-untyped-def]
    """The curated lessons' texts that have earned a line."""
    with Ledger.at(tmp_path / "data") as ledger:
        index = LessonIndex(tmp_path / "data" / "index", embedder)
        curate(candidates, ledger, index, archive_root="/a")
        rows = ledger.lessons()
        evidence = ledger.evidence_of([r.id for r in rows])
        return [
            r.text
            for r in rows
            if held_back(_Judged(r.text, tuple(r.scope or ()), support=support(evidence[r.id])))
            is None
        ]


def test_one_file_found_at_other_places_in_two_sessions_earns_no_line(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    """Each session found `PLAN.md` somewhere else: no layout, two one-offs."""
    found = _found_in_sessions(tmp_path, "PLAN.md", ["work/PLAN.md", "work-42/PLAN.md"])
    assert _earned_lines(tmp_path, embedder, found) == []


def test_one_file_found_at_the_same_place_in_two_sessions_earns_its_line(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    found = _found_in_sessions(
        tmp_path, "architecture.md", ["docs/architecture.md", "docs/architecture.md"]
    )
    assert _earned_lines(tmp_path, embedder, found) == [
        "`architecture.md` is at `docs/architecture.md`, not at the project root (reading "
        "`architecture.md` failed: “File does not exist”)."
    ]


def _edit_file(tool_id: str, path: str) -> dict:  # type: ignore[type-arg]
    block = {
        "type": "tool_use",
        "id": tool_id,
        "name": "Edit",
        "input": {"file_path": path, "old_string": "a", "new_string": "b"},
    }
    return {"type": "assistant", "message": {"content": [block]}}


@pytest.mark.parametrize(
    "before",
    [
        [call("t1", "mkdir -p notes && echo '# Plan' > notes/PLAN.md"), result("t1", "")],
        [_edit_file("t1", "/w/notes/REPORT.md"), result("t1", "The file has been updated.")],
    ],
)
def test_a_folder_that_may_have_been_there_or_a_file_edited_is_still_the_layout(
    tmp_path: Path,
    before: list[dict],  # type: ignore[type-arg]
) -> None:
    """`mkdir -p` passes on a folder that was there, and an Edit changes a file it did not
    make: neither makes the project's report the agent's own."""
    (lesson,) = failure_lessons(tmp_path, _report_read_at_the_root(*before))
    assert lesson.text.startswith("`REPORT.md` is at `notes/REPORT.md`, not at the project root")
