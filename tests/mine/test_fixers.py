from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.extract.rules import RulesExtractor
from metis_distill.mine.episodes import Episode, find_episodes
from metis_distill.mine.fixers import fixed_nothing, mended_check, reruns_check
from metis_distill.mine.fixes import FixKind
from metis_distill.models import LessonCandidate, LessonKind
from metis_distill.sources.claude_code import parse_file
from metis_distill.textio import read_lines
from tests.mine.test_episodes import _write, call, edit, result
from tests.mine.test_rejections import REJECTED


def _lint_failed(found: str = "Found 3 errors.") -> str:
    """Biome's report under bun's echo of the `lint` script: a code frame, then the tally."""
    return (
        "Exit code 1\n$ biome check --error-on-warnings\n"
        "src/cart.ts:12:3 lint/suspicious/noEmptyBlockStatements ━━━━━━━━━━\n\n"
        "  × Unexpected empty block.\n\n"
        "    11 │ try {\n  > 12 │ } catch (error) {}\n       │   ^^^^^^^^^^\n\n"
        f"Checked 40 files in 20ms. No fixes applied.\n{found}\n"
        "check ━━━━━━━━━━\n\n  × Some errors were emitted while running checks.\n\n"
        'error: script "lint" exited with code 1'
    )


LINT_PASSED = "$ biome check --error-on-warnings\nChecked 40 files in 18ms. No fixes applied."
FIXED = "$ biome check --write\nChecked 40 files in 30ms. Fixed 3 files."
FIXED_NOTHING = "$ biome check --write\nChecked 40 files in 30ms. No fixes applied."
FIXED_SOME = (
    "Exit code 1\n$ biome check --write\nsrc/cart.ts:12:3 lint/suspicious/noEmptyBlockStatements\n"
    "Checked 40 files in 30ms. Fixed 2 files.\nFound 1 error."
)


def _failures(tmp_path: Path, records: list[dict]) -> list[tuple[Episode, LessonCandidate]]:  # type: ignore[type-arg]
    path = _write(tmp_path, records)
    run = parse_file(path, path.parent)
    episodes = [e for e in find_episodes(run) if e.kind is LessonKind.FAILURE]
    found = RulesExtractor().extract(run, episodes, read_lines(path))
    return list(zip(episodes, found, strict=True))


def _lint_then(steps: list[dict], failed: str = "Found 3 errors.") -> list[dict]:  # type: ignore[type-arg]
    """`bun run lint` failing, the `steps`, then the lint passing."""
    return [
        call("t1", "bun run lint 2>&1"),
        result("t1", _lint_failed(failed), True),
        *steps,
        call("t9", "bun run lint 2>&1"),
        result("t9", LINT_PASSED),
    ]


FIXER_LESSON = "`bun lint` fails here (“Found N errors.”); run `bun lint:fix` first."


def test_the_checks_own_fixer_then_the_check_passing_is_the_way(tmp_path: Path) -> None:
    ((episode, lesson),) = _failures(
        tmp_path, _lint_then([call("t2", "bun run lint:fix 2>&1"), result("t2", FIXED)])
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.FIXER
    assert lesson.text == FIXER_LESSON
    assert lesson.fix == "bun run lint:fix" and lesson.evidence.quote == "Found 3 errors."


def test_runs_that_found_other_counts_are_one_lesson(tmp_path: Path) -> None:
    fixer = [call("t2", "bun run lint:fix"), result("t2", FIXED)]
    ((_, three),) = _failures(tmp_path / "a", _lint_then(fixer))
    ((_, one),) = _failures(tmp_path / "b", _lint_then(fixer, failed="Found 1 error."))
    assert (three.text, three.key) == (one.text, one.key)
    assert one.evidence.quote == "Found 1 error."


def test_what_the_fixer_left_mended_by_hand_still_has_the_fixer_first(tmp_path: Path) -> None:
    """The fixer mended what it could and failed on the rest; edits mended that."""
    ((episode, lesson), *_) = _failures(
        tmp_path,
        _lint_then(
            [
                call("t2", "bun run lint:fix"),
                result("t2", FIXED_SOME, True),
                edit("e1", "src/cart.ts", "} catch (error) {}", "} catch {\n  // ignored\n}"),
                result("e1", "The file src/cart.ts has been updated successfully."),
            ]
        ),
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.FIXER
    assert lesson.text == FIXER_LESSON


def test_edits_by_hand_alone_teach_no_fixer(tmp_path: Path) -> None:
    """The control: no fixer ran, the agent's edits mended the code."""
    ((episode, lesson),) = _failures(
        tmp_path,
        _lint_then(
            [
                edit("e1", "src/cart.ts", "} catch (error) {}", "} catch {\n  // ignored\n}"),
                result("e1", "The file src/cart.ts has been updated successfully."),
            ]
        ),
    )
    assert episode.fix is not None and episode.fix.kind is FixKind.EDITED
    assert lesson.fix is None and "first" not in lesson.text
    assert lesson.evidence.quote == "Found 3 errors."


@pytest.mark.parametrize(
    "steps",
    [
        [  # the fixer said it changed nothing: the edits did it
            call("t2", "bun run lint:fix"),
            result("t2", FIXED_NOTHING),
            edit("e1", "src/cart.ts"),
            result("e1", "The file src/cart.ts has been updated successfully."),
        ],
        [  # the edits came first: which mended it is unseen
            edit("e1", "src/cart.ts"),
            result("e1", "The file src/cart.ts has been updated successfully."),
            call("t2", "bun run lint:fix"),
            result("t2", FIXED),
        ],
    ],
    ids=["fixed-nothing", "edited-first"],
)
def test_a_fixer_not_shown_to_mend_it_is_no_way(tmp_path: Path, steps: list[dict]) -> None:  # type: ignore[type-arg]
    ((episode, lesson), *_) = _failures(tmp_path, _lint_then(steps))
    assert episode.fix is None or episode.fix.kind is not FixKind.FIXER
    assert "lint:fix" not in lesson.text


@pytest.mark.parametrize(
    ("failed", "later", "check"),
    [
        ("bun run lint 2>&1", "bun run lint:fix", "bun run lint"),
        ("npm run lint", "npm run lint -- --fix", "npm run lint"),
        ("pnpm lint && pnpm typecheck", "pnpm format", "pnpm lint"),
        ("yarn check", "yarn check:fix", "yarn check"),
        ("ruff check .", "ruff check --fix .", "ruff check ."),
        ("uv run ruff format --check", "uv run ruff format", "uv run ruff format --check"),
        ("npx eslint src", "npx eslint --fix src", "npx eslint src"),
        ("black --check .", "black .", "black --check ."),
        ("cargo fmt -- --check", "cargo fmt", "cargo fmt -- --check"),
        ("prettier --check .", "prettier --write .", "prettier --check ."),
    ],
)
def test_the_fixer_of_a_check(failed: str, later: str, check: str) -> None:
    assert mended_check(failed, later) == check


@pytest.mark.parametrize("later", ["bunx biome check --write", "npx @biomejs/biome check --fix"])
def test_the_fixer_of_the_tool_a_script_ran_by_its_echo(later: str) -> None:
    assert mended_check("bun run lint", later, _lint_failed()) == "bun run lint"


@pytest.mark.parametrize(
    ("failed", "later"),
    [
        ("bun run typecheck", "bun run lint:fix"),  # types: no fixer mends them
        ("bun run test", "bun run format"),
        ("npm run lint", "npm run lint"),  # the check again
        ("npm run lint", "pnpm lint:fix"),  # another runner
        ("git add .", "git add -A ."),  # no linter
        ("ruff check .", "ruff format ."),  # another of its checks
        ("cargo build", "cargo build -a"),  # no lint or format command
        ("bun run lint", "bun run lint:fix && bun run lint"),  # a step first, not the fixer alone
    ],
)
def test_no_fixer_of_the_check(failed: str, later: str) -> None:
    assert mended_check(failed, later) is None


@pytest.mark.parametrize(
    ("output", "nothing"),
    [
        (FIXED_NOTHING, True),
        ("All done! ✨ 🍰 ✨\n3 files left unchanged.", True),
        ("1 file reformatted, 2 files left unchanged", False),
        ("Found 3 errors (3 fixed, 0 remaining).", False),
        (FIXED, False),
    ],
)
def test_a_fixer_that_changed_nothing(output: str, nothing: bool) -> None:
    assert fixed_nothing(output) is nothing


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("bun run lint 2>&1", True),
        ("bun run lint 2>&1 && bun run test 2>&1 | tail -5", True),  # the test ran: it passed
        ("cd web && bun run lint", True),
        ("bun run lint 2>&1 | tail -5", False),  # the status is tail's
        ("bun run lint; bun run test", False),
        ("bun run lint || true", False),
        ("bun run lint:fix", False),
    ],
)
def test_a_rerun_shows_the_checks_own_status(command: str, shown: bool) -> None:
    assert reruns_check("bun run lint", command) is shown


def test_a_fixer_the_user_turned_down_is_no_way(tmp_path: Path) -> None:
    """The fixer never ran: the check passing later owes it nothing."""
    ((episode, lesson),) = _failures(
        tmp_path,
        _lint_then(
            [call("t2", "bun run lint:fix"), result("t2", REJECTED.format(reason="no"), True)]
        ),
    )
    assert episode.fix is None or episode.fix.kind is not FixKind.FIXER
    assert "lint:fix" not in lesson.text


TYPE_ERROR = "src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'."


def test_a_fixer_that_printed_the_same_error_is_no_way(tmp_path: Path) -> None:
    """`check:fix` formatted, and failed on the type error it cannot mend: the edit did."""
    records = [
        call("t1", "bun run check"),
        result("t1", f"Exit code 2\n$ tsc --noEmit && biome check .\n{TYPE_ERROR}", True),
        call("t2", "bun run check:fix"),
        result("t2", f"Exit code 2\n$ tsc --noEmit && biome check --write .\n{TYPE_ERROR}", True),
        edit("e1", "src/a.ts", "const a: number = '1'", "const a: number = 1"),
        result("e1", "The file src/a.ts has been updated successfully."),
        call("t3", "bun run check"),
        result(
            "t3", "$ tsc --noEmit && biome check .\nChecked 40 files in 18ms. No fixes applied."
        ),
    ]
    ((episode, lesson), *_) = _failures(tmp_path, records)
    assert episode.fix is None or episode.fix.kind is not FixKind.FIXER
    assert "check:fix" not in lesson.text


def test_a_fixer_after_another_step_that_worked_is_no_way(tmp_path: Path) -> None:
    """The plugin was missing: the install mended the check, not the fixer after it."""
    records = _lint_then(
        [
            call("t2", "bun install"),
            result("t2", "installed eslint-plugin-react@7.37.0\n\n12 packages installed"),
            call("t3", "bun run lint:fix"),
            result("t3", FIXED),
        ]
    )
    ((episode, lesson), *_) = _failures(tmp_path, records)
    assert episode.fix is None or episode.fix.kind is not FixKind.FIXER
    assert "lint:fix" not in lesson.text
