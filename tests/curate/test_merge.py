"""Curation against the real embedder and a real chromadb in a temp dir."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from metis_distill.curate.ids import lesson_id, word_overlap
from metis_distill.curate.merge import curate, is_twin
from metis_distill.index import LessonIndex
from metis_distill.ledger import Ledger
from metis_distill.models import Evidence, LessonCandidate, LessonKind, SourceRef
from metis_distill.statuses import WordingSource


def candidate(
    text: str, line: int, session: str = "s1", kind: LessonKind = LessonKind.GOTCHA
) -> LessonCandidate:
    ref = SourceRef(f"p/{session}.jsonl", line, line)
    when = datetime(2026, 11, 1, 10, line, tzinfo=UTC)
    return LessonCandidate(kind, text, Evidence(ref, text[:20], session, when), 2, (), "/w")


@pytest.fixture
def stores(tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    ledger = Ledger.at(tmp_path / "data")
    index = LessonIndex(tmp_path / "data" / "index", embedder)
    yield ledger, index
    ledger.close()


def test_exact_duplicate_merges_evidence(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    text = "Vitest runs in node, not jsdom, unless the file says otherwise."
    stats = curate(
        [candidate(text, 1, "s1"), candidate(text, 9, "s2")], ledger, index, archive_root="/a"
    )
    assert (stats.new, stats.merged, stats.merged_into_new) == (1, 1, 1)  # a repeat of this run
    evidence = ledger.evidence_of([lesson_id(LessonKind.GOTCHA, text)])
    assert sorted(e.session_id for e in next(iter(evidence.values()))) == ["s1", "s2"]
    again = curate([candidate(text, 1, "s1")], ledger, index, archive_root="/a")
    assert again.known_evidence == 1 and ledger.counts()["evidence"] == 2  # idempotent
    later = curate([candidate(text, 20, "s3")], ledger, index, archive_root="/a")
    assert (later.merged, later.merged_into_new) == (1, 0)  # into a lesson known before


def test_near_duplicate_merges_but_a_different_lesson_does_not(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    first = "SQLite ignores foreign keys unless PRAGMA foreign_keys=ON is set on every connection."
    near = "SQLite ignores foreign keys unless PRAGMA foreign_keys=ON is set on each connection."
    other = "Vitest runs in node, not jsdom, unless the file says otherwise."
    stats = curate(
        [candidate(first, 1), candidate(near, 2, "s2"), candidate(other, 3)],
        ledger,
        index,
        archive_root="/a",
    )
    assert stats.new == 2 and stats.merged == 1
    assert len(index.ids()) == 2 == len(ledger.lessons())


def test_same_words_other_kind_stay_apart(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    text = "Keep money as integer cents because floats broke the totals."
    curate(
        [candidate(text, 1), candidate(text, 2, kind=LessonKind.DECISION)],
        ledger,
        index,
        archive_root="/a",
    )
    assert len(ledger.lessons()) == 2


def test_rejected_lesson_suppresses_its_near_twins(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    text = "The CI image has no git-lfs, so the fixtures come up empty."
    curate([candidate(text, 1)], ledger, index, archive_root="/a")
    ledger.set_status([lesson_id(LessonKind.GOTCHA, text)], "rejected")
    twin = "The CI image has no git-lfs, so fixtures come up empty."
    stats = curate([candidate(twin, 5, "s3")], ledger, index, archive_root="/a")
    assert stats.suppressed == 1 and stats.new == 0
    assert [r.status for r in ledger.lessons()] == ["rejected"]


def test_reconcile_rebuilds_the_index_from_the_ledger(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    curate(
        [candidate("Run alembic through uv run, never the global python.", 1)],
        ledger,
        index,
        archive_root="/a",
    )
    index.delete(list(index.ids()))
    index.upsert(["stale00000"], ["a lesson the ledger no longer has"], ["gotcha"])
    added, removed = index.reconcile({r.id: (r.kind, r.text) for r in ledger.lessons()})
    assert (added, removed) == (1, 1) and index.ids() == {r.id for r in ledger.lessons()}


def test_ids_are_stable_and_overlap_is_symmetric() -> None:
    assert lesson_id("gotcha", "A  b") == lesson_id(LessonKind.GOTCHA, "a b")
    assert lesson_id("gotcha", "a b") != lesson_id("failure", "a b")
    assert word_overlap("a b c", "b c d") == word_overlap("b c d", "a b c") == 0.5


def test_a_rejected_lesson_reworded_without_backticks_stays_suppressed(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    text = "Run the tests with `uv run pytest`; a bare `pytest` misses the project's packages."
    curate([candidate(text, 1)], ledger, index, archive_root="/a")
    ledger.set_status([lesson_id(LessonKind.GOTCHA, text)], "rejected")
    reworded = "Run the tests with uv run pytest; a bare pytest misses the project's packages."
    stats = curate([candidate(reworded, 5, "s3")], ledger, index, archive_root="/a")
    assert stats.suppressed == 1 and stats.new == 0


def test_two_spellings_of_one_package_script_are_one_lesson(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    error = "“sh: 1: vitest: not found”"
    a = f"`npm run test` fails here: {error} (no fix seen)."
    b = f"`npm test` fails here: {error} (no fix seen)."
    stats = curate(
        [candidate(a, 1, kind=LessonKind.FAILURE), candidate(b, 4, "s2", LessonKind.FAILURE)],
        ledger,
        index,
        archive_root="/a",
    )
    assert (stats.new, stats.merged) == (1, 1)


def test_a_fix_joins_a_lesson_only_with_its_own_words(stores) -> None:  # type: ignore[no-untyped-def]
    """A line saying "no fix seen" never carries the fix of a near one merged into it."""
    ledger, index = stores
    unfixed = "`yarn test …` fails here: “Testem finished with 1 failure” (no fix seen)."
    fixed = "`yarn test …` fails here: “Testem finished with 1 failure”; use `yarn test --filter=b` instead."
    first, second = (
        candidate(unfixed, 1, kind=LessonKind.FAILURE),
        candidate(fixed, 2, "s2", kind=LessonKind.FAILURE),
    )
    second = LessonCandidate(**{**second.__dict__, "fix": "yarn test --filter=b"})
    curate([first, second], ledger, index, archive_root="/a")
    rows = {row.text: row for row in ledger.lessons()}
    assert rows[unfixed].fix is None
    same = LessonCandidate(**{**first.__dict__, "fix": "yarn test --filter=a"})
    curate(
        [LessonCandidate(**{**same.__dict__, "evidence": candidate(unfixed, 5, "s3").evidence})],
        ledger,
        index,
        archive_root="/a",
    )
    assert {row.text: row for row in ledger.lessons()}[unfixed].fix == "yarn test --filter=a"


def test_a_fixed_failure_does_not_join_the_same_failure_without_a_fix(stores) -> None:  # type: ignore[no-untyped-def]
    """One run could not mend the failure, another did: the fixed lesson stands on its own
    (its words give the fix) instead of adding its evidence under "no fix seen"."""
    ledger, index = stores
    error = "`tox -e docs` fails here: “InterpreterNotFound: python3.13”"
    unfixed = candidate(f"{error} (no fix seen).", 3, "s1", LessonKind.FAILURE)
    fixed = replace(
        candidate(f"{error}; run `uv python install 3.13` first.", 5, "s2", LessonKind.FAILURE),
        fix="uv python install 3.13",
    )
    curate([unfixed], ledger, index, archive_root="/a")
    stats = curate([fixed], ledger, index, archive_root="/a")
    assert (stats.new, stats.merged) == (1, 0)
    (row,) = [r for r in ledger.lessons() if r.fix is not None]
    assert row.text.endswith("first.")


_DROP = "`tk link drop …` fails with “Error: cannot drop link: sqlite3: database is locked”"


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        # passed on a plain rerun: the failure went away with no step at all
        (
            "`tk link drop …` failed once with “Error: cannot drop link: sqlite3: database is "
            "locked” and passed when run again.",
            None,
        ),
        # mended by an edit
        (
            "`tk link drop …` failed with “Error: cannot drop link: sqlite3: database is locked” "
            "until files were edited (tk.toml).",
            None,
        ),
        # another step made first
        (f"{_DROP}; run `tk unlock --stale` first.", "tk unlock --stale"),
    ],
)
def test_a_failure_past_which_another_way_led_does_not_join_a_fix(  # type: ignore[no-untyped-def]
    stores, text: str, fix: str | None
) -> None:
    """Another run showed the same failure go away otherwise: its evidence would count for a
    fix it does not show ("run X first", X never run there)."""
    ledger, index = stores
    fixed = replace(
        candidate(f"{_DROP}; run `crew nudge-waiting` first.", 3, "s1", LessonKind.FAILURE),
        fix="crew nudge-waiting",
    )
    curate([fixed], ledger, index, archive_root="/a")
    stats = curate(
        [replace(candidate(text, 9, "s2", LessonKind.FAILURE), fix=fix)],
        ledger,
        index,
        archive_root="/a",
    )
    assert (stats.new, stats.merged) == (1, 0)
    (row,) = [r for r in ledger.lessons() if r.fix == "crew nudge-waiting"]
    assert [e.session_id for e in ledger.evidence_of([row.id])[row.id]] == ["s1"]


def test_the_same_failure_without_a_way_past_it_still_joins_a_fix(stores) -> None:  # type: ignore[no-untyped-def]
    """A run where the failure came and nothing mended it adds to the lesson that says how."""
    ledger, index = stores
    fixed = replace(
        candidate(f"{_DROP}; run `crew nudge-waiting` first.", 3, "s1", LessonKind.FAILURE),
        fix="crew nudge-waiting",
    )
    curate([fixed], ledger, index, archive_root="/a")
    unfixed = candidate(f"{_DROP} (no fix seen).", 9, "s2", LessonKind.FAILURE)
    stats = curate([unfixed], ledger, index, archive_root="/a")
    assert (stats.new, stats.merged) == (0, 1)


def test_a_standing_correction_joins_the_same_rule_said_before(stores) -> None:  # type: ignore[no-untyped-def]
    """A correction keeps its words as its fix: with or without them it is one rule."""
    ledger, index = stores
    rule = candidate("Always use pnpm in this repo, never npm.", 1, "s1", LessonKind.FAILURE)
    said = "Always use pnpm in this repository, never npm."
    correction = replace(candidate(said, 4, "s2", LessonKind.FAILURE), fix=said)
    curate([rule], ledger, index, archive_root="/a")
    stats = curate([correction], ledger, index, archive_root="/a")
    assert (stats.new, stats.merged) == (0, 1)


def test_one_program_taken_for_another_is_one_lesson_whatever_the_error(stores) -> None:  # type: ignore[no-untyped-def]
    """`npm` failing with ERESOLVE in one run and with another error in the next, `pnpm`
    working after each: one lesson (use pnpm), not a line per error."""
    ledger, index = stores

    def swap(error: str, line: int, session: str, new: str = "pnpm") -> LessonCandidate:
        text = f"`npm …` fails here (“{error}”); use `{new} …` instead."
        return replace(candidate(text, line, session, LessonKind.FAILURE), fix=new)

    first = swap("npm error ERESOLVE unable to resolve dependency tree", 1, "s1")
    second = swap("npm error Cannot read properties of null (reading 'matches')", 2, "s2")
    other = swap("npm error code E404", 3, "s3", new="yarn")
    stats = curate([first, second, other], ledger, index, archive_root="/a")
    assert (stats.new, stats.merged) == (2, 1)
    evidence = ledger.evidence_of([lesson_id(LessonKind.FAILURE, first.text)])
    assert sorted(e.session_id for e in next(iter(evidence.values()))) == ["s1", "s2"]


def test_a_rule_in_chinese_said_twice_with_a_thanks_is_one_lesson(stores) -> None:  # type: ignore[no-untyped-def]
    """Chinese has no spaces between its words: two wordings of one rule share nearly all
    their pairs of characters; a rule with one word swapped (简体/繁体, 测试/代码检查) is
    another, though the English model's vectors cannot tell them apart."""
    ledger, index = stores
    first = "除了专有名词外, 请用简体中文回答我。"
    again = "除了专有名词外, 请用简体中文回答我, 谢谢!"
    others = [
        "除了专有名词外, 请用繁体中文回答我。",
        "提交前请先运行全部测试。",
        "提交前请先运行全部代码检查。",
    ]
    said = [first, again, *others]
    stats = curate(
        [candidate(text, n, f"s{n}", LessonKind.DECISION) for n, text in enumerate(said, 1)],
        ledger,
        index,
        archive_root="/a",
    )
    assert (stats.new, stats.merged) == (4, 1)
    assert {row.text for row in ledger.lessons()} == {first, *others}


ZIG = "`zig` is not on the PATH here"
ZIG_WAYS = {
    "export PATH=/opt/zig/bin:$PATH": "put its folder on the PATH first "
    "(`export PATH=/opt/zig/bin:$PATH`) or use its full path.",
    "/opt/zig/bin/zig": "use its full path (`/opt/zig/bin/zig`) or put its folder on the PATH.",
    None: "find the project's way to run it before retrying.",
}


def zig_off_path(way: str | None, line: int, session: str) -> LessonCandidate:
    text = f"{ZIG} (“zig: command not found”); {ZIG_WAYS[way]}"
    found = candidate(text, line, session, LessonKind.FAILURE)
    return replace(found, fix=way, key=ZIG)


@pytest.mark.parametrize(
    "ways",
    [
        ["export PATH=/opt/zig/bin:$PATH", "/opt/zig/bin/zig", None],
        [None, "/opt/zig/bin/zig", "export PATH=/opt/zig/bin:$PATH"],
    ],
)
def test_one_key_is_one_lesson_worded_by_the_way_that_lasts(  # type: ignore[no-untyped-def]
    stores, ways: list[str | None]
) -> None:
    """A program off the PATH got past by its folder put on the PATH, by its full path, or by
    no way seen: one lesson of them all, telling the full path whichever came first."""
    ledger, index = stores
    found = [zig_off_path(way, 1 + n, f"s{n}") for n, way in enumerate(ways)]
    curate(found, ledger, index, archive_root="/a")
    (lesson,) = ledger.lessons()
    assert (lesson.text, lesson.fix) == (
        found[ways.index("/opt/zig/bin/zig")].text,
        "/opt/zig/bin/zig",
    )
    assert len(ledger.evidence_of([lesson.id])[lesson.id]) == 3
    again = curate(found, ledger, index, archive_root="/a")
    assert again.known_evidence == 3 and [r.text for r in ledger.lessons()] == [lesson.text]


def test_a_path_step_never_rewords_a_lesson_that_names_the_full_path(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    full, step = (
        zig_off_path("/opt/zig/bin/zig", 1, "s1"),
        zig_off_path("export PATH=/opt/zig/bin:$PATH", 2, "s2"),
    )
    curate([full], ledger, index, archive_root="/a")
    curate([step], ledger, index, archive_root="/a")
    (lesson,) = ledger.lessons()
    assert lesson.text == full.text


def test_a_persons_words_for_a_keyed_lesson_stand(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    curate(
        [zig_off_path("export PATH=/opt/zig/bin:$PATH", 1, "s1")], ledger, index, archive_root="/a"
    )
    (lesson,) = ledger.lessons()
    ledger.learn_wording(lesson.id, "Zig lives in /opt/zig/bin here.", WordingSource.HAND_EDIT)
    curate([zig_off_path("/opt/zig/bin/zig", 2, "s2")], ledger, index, archive_root="/a")
    (lesson,) = ledger.lessons()
    assert (
        lesson.text == "Zig lives in /opt/zig/bin here."
        and lesson.fix == "export PATH=/opt/zig/bin:$PATH"
    )


_PYCACHE = (
    "`python3 -m py_compile …` fails inside Codex's sandbox here (“PermissionError: [Errno 1] "
    "Operation not permitted: …”); run it with `{setting}` set."
)


def _setting_fix(setting: str, line: int, session: str) -> LessonCandidate:
    text = _PYCACHE.format(setting=setting)
    fix = f"{setting} python3 -m py_compile app/main.py"
    return replace(candidate(text, line, session, LessonKind.FAILURE), fix=fix)


@pytest.mark.parametrize("temp_first", [True, False])
def test_a_setting_fix_is_one_lesson_whatever_its_value(stores, temp_first: bool) -> None:  # type: ignore[no-untyped-def]
    """Two runs set the same variable to other folders: one lesson, its support adding up,
    its line giving the folder outside the workspace (a temp folder), not the cache one run
    wrote into the project."""
    ledger, index = stores
    in_project = _setting_fix("PYTHONPYCACHEPREFIX=app/.pycache", 1, "s1")
    in_temp = _setting_fix("PYTHONPYCACHEPREFIX=/tmp/app-pycache", 2, "s2")
    found = [in_temp, in_project] if temp_first else [in_project, in_temp]
    stats = curate(found, ledger, index, archive_root="/a")
    assert (stats.new, stats.merged) == (1, 1)
    (row,) = ledger.lessons()
    assert (row.text, row.fix) == (in_temp.text, in_temp.fix)
    assert len(ledger.evidence_of([row.id])[row.id]) == 2
    assert lesson_id(row.kind, in_project.text) == row.id


def test_two_settings_stay_two_lessons(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    found = [
        _setting_fix("PYTHONPYCACHEPREFIX=/tmp/app-pycache", 1, "s1"),
        _setting_fix("PYTHONDONTWRITEBYTECODE=1", 2, "s2"),
    ]
    stats = curate(found, ledger, index, archive_root="/a")
    assert (stats.new, stats.merged) == (2, 0)


def test_a_persons_value_for_a_setting_lesson_stands(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    curate([_setting_fix("PYTHONPYCACHEPREFIX=/tmp/a", 1, "s1")], ledger, index, archive_root="/a")
    (row,) = ledger.lessons()
    mine = row.text.replace("/tmp/a", ".pycache")
    ledger.learn_wording(row.id, mine, WordingSource.HAND_EDIT)
    curate([_setting_fix("PYTHONPYCACHEPREFIX=/tmp/b", 2, "s2")], ledger, index, archive_root="/a")
    (row,) = ledger.lessons()
    assert row.text == mine


def test_a_path_into_a_checkout_is_no_better_value(stores) -> None:  # type: ignore[no-untyped-def]
    """`~/code/app/src` is one person's checkout, not a folder outside the workspace."""
    ledger, index = stores
    relative = _setting_fix("PYTHONPATH=src", 1, "s1")
    checkout = _setting_fix("PYTHONPATH=~/code/app/src", 2, "s2")
    curate([relative, checkout], ledger, index, archive_root="/a")
    (row,) = ledger.lessons()
    assert row.text == relative.text


FORGE = "`forge build` fails here (“forge: error F101: more than one workspace file here”)"


def forge_mended(way: str, line: int, session: str, asked: bool = False) -> LessonCandidate:
    """`forge build` failing with F101, got past by `way` (the person's `asked` way or not)."""
    found = candidate(f"{FORGE}; use `{way}` instead.", line, session, LessonKind.FAILURE)
    shown = replace(found.evidence, shows_fix=True)
    return replace(found, evidence=shown, fix=way, key=FORGE, asked=asked)


@pytest.mark.parametrize(
    ("found", "told"),
    [
        # the way the person asked for, whichever came first and however few its sessions
        (
            [("forge build core.proj", "s1", False), ("forge build core.proj", "s2", False),
             ("forge build app.ws", "s3", True)],
            "forge build app.ws",
        ),
        # none asked: the way of the most sessions (two calls of one session count once)
        (
            [("forge build core.proj", "s1", False), ("forge build core.proj", "s1", False),
             ("forge build app.ws", "s2", False), ("forge build app.ws", "s3", False)],
            "forge build app.ws",
        ),
        # as many sessions each: the first
        ([("forge build core.proj", "s1", False), ("forge build app.ws", "s2", False)],
         "forge build core.proj"),
    ],
)  # fmt: skip
def test_one_failure_mended_several_ways_is_one_lesson_with_one_way(  # type: ignore[no-untyped-def]
    stores, found: list[tuple[str, str, bool]], told: str
) -> None:
    ledger, index = stores
    candidates = [forge_mended(w, 1 + n, s, asked) for n, (w, s, asked) in enumerate(found)]
    curate(candidates, ledger, index, archive_root="/a")
    (lesson,) = ledger.lessons()
    assert (lesson.text, lesson.fix) == (f"{FORGE}; use `{told}` instead.", told)
    evidence = ledger.evidence_of([lesson.id])[lesson.id]
    assert len(evidence) == len(found)
    # a line links to a span that shows its own way, never another's
    assert {e.line_start for e in evidence if e.shows_fix} == {
        1 + n for n, (w, _, _) in enumerate(found) if w == told
    }


def test_a_way_asked_for_later_rewords_the_lesson_and_another_unasked_does_not(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    curate([forge_mended("forge build core.proj", 1, "s1")], ledger, index, archive_root="/a")
    curate([forge_mended("forge build lib.proj", 2, "s2")], ledger, index, archive_root="/a")
    (lesson,) = ledger.lessons()
    assert lesson.fix == "forge build core.proj"
    curate(
        [forge_mended("forge build app.ws", 3, "s3", asked=True)], ledger, index, archive_root="/a"
    )
    curate([forge_mended("forge build lib.proj", 4, "s4")], ledger, index, archive_root="/a")
    (lesson,) = ledger.lessons()
    assert lesson.fix == "forge build app.ws"


def test_one_command_failing_with_another_error_is_another_lesson(stores) -> None:  # type: ignore[no-untyped-def]
    ledger, index = stores
    other = "`forge build` fails here (“forge: error F202: the toolchain cache is locked”)"
    locked = candidate(f"{other}; use `forge build --wait` instead.", 2, "s2", LessonKind.FAILURE)
    curate(
        [
            forge_mended("forge build app.ws", 1, "s1"),
            replace(locked, fix="forge build --wait", key=other),
        ],
        ledger,
        index,
        archive_root="/a",
    )
    assert sorted(r.fix or "" for r in ledger.lessons()) == [
        "forge build --wait",
        "forge build app.ws",
    ]


def test_errors_of_other_classes_from_one_command_stay_apart(stores) -> None:  # type: ignore[no-untyped-def]
    """The same command, one run's module missing and another's attribute missing: the
    lines are alike but for their errors, and those name other classes (other failures)."""
    ledger, index = stores
    said = "`python -m pytest tests/unit/ -v` fails here: “{}” (no fix seen)."
    missing = said.format("ModuleNotFoundError: No module named 'ledgerkit'")
    attribute = said.format("AttributeError: module 'ledgerkit' has no attribute 'Client'")
    again = missing.replace("tests/unit/", "tests/unit")
    failures = [
        candidate(text, n, f"s{n}", LessonKind.FAILURE)
        for n, text in enumerate((missing, attribute, again), start=1)
    ]
    stats = curate(failures, ledger, index, archive_root="/a")
    assert (stats.new, stats.merged) == (2, 1)  # the same error, the folder spelt otherwise
    assert {r.text for r in ledger.lessons()} == {missing, attribute}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("java.lang.NoClassDefFoundError: org/slf4j/LoggerFactory",
         "java.lang.ClassNotFoundException: org.slf4j.LoggerFactory"),
        ("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
         "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"),
    ],
)  # fmt: skip
def test_one_message_under_two_classes_is_one_failure(one: str, other: str) -> None:
    said = "`mvn exec:java` fails here: “{}” (no fix seen)."
    assert is_twin(said.format(one), said.format(other), 0.03, 0.2)


def test_two_bare_classes_are_two_failures() -> None:
    said = "`pytest -x` fails here: “{}” (no fix seen)."
    assert not is_twin(said.format("AssertionError"), said.format("ZeroDivisionError"), 0.03, 0.2)
