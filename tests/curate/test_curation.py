"""Curation through the real stages (rules extractor, real embedder, real chromadb, real
files): paraphrases across runs become one lesson, a newer decision retires an older one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from metis_distill.config import Settings
from metis_distill.curate.earned import HeldBack
from metis_distill.ledger import Ledger, LessonRow
from metis_distill.review.proposal import accept
from tests.conftest import FIXTURES
from tests.curate.sessions import CWD, Bash, Say, Turn, distil, proposed_lines, write_session

START = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
PARAPHRASES = (FIXTURES / "curation" / "paraphrases.txt").read_text().splitlines()


def test_twenty_paraphrases_across_twenty_runs_are_one_lesson(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    assert len(PARAPHRASES) == 20 and len(set(PARAPHRASES)) == 20
    archive = tmp_path / "archive"
    for n, sentence in enumerate(PARAPHRASES):
        turns = [
            Say("user", "Why does the test run fail to start?"),
            Say("assistant", sentence),
            Say("user", "Thanks, that fixed it."),  # the claim is accepted: a fact
        ]
        write_session(archive, f"{n:08x}", START + timedelta(days=n), turns)
    # near in the vector space, but about other things: they stay lessons of their own
    others = [
        "Turns out mypy cannot find the app package stubs unless MYPYPATH=src is set.",
        "Turns out pytest -x stops early when PYTHONPATH=tests is set.",
    ]
    for n, sentence in enumerate(others, start=20):
        turns = [Say("user", "What else?"), Say("assistant", sentence), Say("user", "Right.")]
        write_session(archive, f"{n:08x}", START + timedelta(days=n), turns)
    data = tmp_path / "data"
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")

    ledger = Ledger.at(data)
    lessons = ledger.lessons()
    assert len(lessons) == 3, [r.text for r in lessons]
    (lesson,) = [r for r in lessons if "PYTHONPATH=src" in r.text]
    evidence = ledger.evidence_of([lesson.id])[lesson.id]
    assert len(evidence) == 20 and len({e.session_id for e in evidence}) == 20
    assert lesson.first_seen is not None and lesson.last_seen is not None
    assert (lesson.last_seen - lesson.first_seen).days == 19
    quotes = {e.quote for e in evidence}
    assert len(quotes) == 20  # each record quotes its own run's words

    lines = [line for line in proposed_lines(outcome) if "PYTHONPATH=src" in line]
    assert len(lines) == 1 and " [20](" in lines[0]
    assert f"/{lesson.id}.txt#L" in lines[0]


def decision_session(archive: Path, name: str, day: int, text: str) -> None:
    turns = [Say("user", text), Say("assistant", "Understood.")]
    write_session(archive, name, START + timedelta(days=day), turns)


def by_text(ledger: Ledger, start: str) -> LessonRow:
    (row,) = [r for r in ledger.lessons() if r.text.startswith(start)]
    return row


def test_a_newer_contradicting_decision_retires_the_older(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, data = tmp_path / "archive", tmp_path / "data"
    target = tmp_path / "repo" / "CLAUDE.md"
    decision_session(archive, "a0000001", 0, "Always use npm for installs because CI caches it.")
    decision_session(archive, "a0000002", 1, "Never commit generated files to the repository.")
    first = distil(archive, data, embedder, target)
    assert any("use npm" in line for line in proposed_lines(first))
    target.parent.mkdir()
    target.write_text(Path(first.folder or "", "proposed.md").read_text())  # as if accepted

    decision_session(archive, "a0000003", 5, "Use pnpm instead of npm, the lockfile is pnpm's.")
    second = distil(archive, data, embedder, target)
    ledger = Ledger.at(data)
    old = by_text(ledger, "Always use npm")
    new = by_text(ledger, "Use pnpm instead of npm")
    assert (old.status, old.retired_reason, old.retired_by) == ("retired", "contradicted", new.id)
    assert new.status == "active"
    assert by_text(ledger, "Never commit").status == "active"  # not about npm: untouched
    lines = proposed_lines(second)
    assert not any("use npm" in line for line in lines)
    assert any("Use pnpm instead of npm" in line for line in lines)
    assert len(ledger.lessons()) == 3  # retired, never deleted
    (row,) = ledger.pending_proposals()
    assert row.summary["retired"] == {old.id: {"reason": "contradicted", "retired_by": new.id}}
    ledger.close()

    # the old choice said again, later still: it wins back, and the other one is retired
    decision_session(archive, "a0000004", 9, "Always use npm for installs because CI caches it.")
    distil(archive, data, embedder, target)
    ledger = Ledger.at(data)
    old, new = by_text(ledger, "Always use npm"), by_text(ledger, "Use pnpm instead of npm")
    assert (old.status, old.retired_by) == ("active", None)
    assert (new.status, new.retired_by) == ("retired", old.id)


def test_settings_route_a_sub_directory_lesson_to_its_own_file(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    repo = tmp_path / "repo"
    (repo / "web").mkdir(parents=True)
    archive, data = tmp_path / "archive", tmp_path / "data"
    root_text = "Turns out the API server reads its port from SHOP_PORT, not PORT."
    web_text = "Turns out vite serves the web app on port 5173 unless VITE_PORT is set."
    write_session(archive, "b0000001", START, [Say("assistant", root_text)], cwd=str(repo))
    web_turns = [Say("assistant", web_text)]
    write_session(archive, "b0000002", START, web_turns, cwd=str(repo / "web"))
    settings = Settings(routes=[{"path": "web/CLAUDE.md"}])
    root_outcome = distil(archive, data, embedder, repo / "CLAUDE.md", settings)
    with Ledger.at(data) as ledger:
        (web,) = ledger.pending_proposals(str(repo / "web" / "CLAUDE.md"))
    root_lines = proposed_lines(root_outcome)
    web_lines = proposed_lines(web.folder)
    assert len(root_lines) == 1 and "SHOP_PORT" in root_lines[0]
    assert len(web_lines) == 1 and "VITE_PORT" in web_lines[0]
    assert "](.metis/CLAUDE/" in web_lines[0]  # its evidence file is beside its own file
    assert Path(web.folder, ".metis", "CLAUDE").is_dir()


@pytest.mark.parametrize("unit", ["lines", "tokens"])
def test_a_section_keeps_its_best_lessons_within_budget(tmp_path: Path, embedder, unit) -> None:  # type: ignore[no-untyped-def]
    """Distinct gotchas seen in more or fewer runs: the budget keeps the best supported."""
    archive = tmp_path / "archive"
    topics = ["REDIS_URL", "STRIPE_KEY", "S3_BUCKET", "SMTP_HOST", "SENTRY_DSN", "JWT_SECRET"]
    n = 0
    for rank, topic in enumerate(topics):
        for _ in range(len(topics) - rank):  # the first topic in 6 runs, the last in 1
            text = f"Turns out the worker crashes at start when {topic} is empty in .env.test."
            write_session(
                archive, f"c{n:07x}", START + timedelta(hours=n), [Say("assistant", text)]
            )
            n += 1
    budget = 3 if unit == "lines" else 3 * ((70 + 80) // 4 + 1)
    settings = Settings(budget_unit=unit, section_budgets={"gotcha": budget})
    outcome = distil(archive, tmp_path / "data", embedder, tmp_path / "CLAUDE.md", settings)
    lines = proposed_lines(outcome)
    assert [t for t in topics if any(t in line for line in lines)] == topics[:3]


OTHER_HOME = "/home/ops/src/shop"  # another machine's user: its runs say nothing of this one


def rg_session(archive: Path, name: str, day: int, works: bool, cwd: str = CWD) -> None:
    """A run that searches with `rg`: it works, or the machine has none and `grep -R` does."""
    found = "src/cart.py:12:# TODO round half up"
    turns: list[Turn] = [Say("user", "Which TODOs are left in the cart code?")]
    if works:
        turns += [Bash("pwd && rg -n TODO src", f"{cwd}\n{found}")]
    else:
        turns += [
            Bash("rg -n TODO src", "bash: rg: command not found", failed=True, code=127),
            Bash("grep -Rn TODO src", found),
        ]
    write_session(archive, name, START + timedelta(days=day), turns, cwd=cwd)


def rg_lines(data: Path) -> list[str]:
    with Ledger.at(data) as ledger:
        folders = [p.folder for p in ledger.pending_proposals()]
    return [line for folder in folders for line in proposed_lines(folder) if "`rg`" in line]


@pytest.mark.parametrize(
    ("runs", "shown"),
    [
        ([(0, False, CWD), (30, True, "/home/dev/src/blog")], False),  # installed since
        ([(0, True, CWD), (30, False, CWD)], True),  # removed since: an earlier run says nothing
        ([(0, False, CWD), (30, True, OTHER_HOME)], True),  # another machine has it
    ],
)
def test_a_program_missing_here_that_a_later_run_here_ran_is_out_of_date(  # type: ignore[no-untyped-def]
    tmp_path: Path, embedder, runs: list[tuple[int, bool, str]], shown: bool
) -> None:
    archive, data = tmp_path / "archive", tmp_path / "data"
    for n, (day, works, cwd) in enumerate(runs):
        rg_session(archive, f"c000000{n}", day, works, cwd)
    outcome = distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    with Ledger.at(data) as ledger:
        lesson = by_text(ledger, "`rg` is not on the PATH here")
    assert bool(rg_lines(data)) is shown
    if shown:
        assert lesson.status == "active"
    else:
        assert (lesson.status, lesson.retired_reason) == ("retired", "ran later")
        assert outcome.waiting_why.get(HeldBack.RAN_LATER) == 1  # said in distill's summary


def missing_session(archive: Path, name: str, day: int, program: str, cwd: str = CWD) -> None:
    """A run whose machine has no `program` on the PATH: `python3` or `~/.cargo/bin` answer."""
    other = {"python": "python3 -m pytest -q", "cargo": "~/.cargo/bin/cargo build"}[program]
    tried = other.split(maxsplit=1)[1] if program == "python" else "build"
    turns: list[Turn] = [
        Say("user", "Build it and run the tests, please."),
        Bash(f"{program} {tried}", f"bash: {program}: command not found", failed=True, code=127),
        Bash(other, "3 passed in 0.2s"),
    ]
    write_session(archive, name, START + timedelta(days=day), turns, cwd=cwd)


@pytest.mark.parametrize(
    ("program", "later", "cwd"),
    [
        ("rg", "rg -n TODO src 2>/dev/null || grep -Rn TODO src", CWD),  # grep answered
        ("rg", "command -v rg >/dev/null && rg -n TODO src || grep -Rn TODO src", CWD),
        ("python", "source .venv/bin/activate && python -m pytest -q", CWD),  # the venv's
        ("cargo", "export PATH=$HOME/.cargo/bin:$PATH; cargo build", CWD),
        ("rg", "pwd && rg -n TODO src", "/root/shop"),  # another container of the image
        ("rg", "pwd && rg -n TODO src", "/home/node/app"),
    ],
)
def test_a_later_call_that_need_not_have_run_the_program_leaves_it_missing(  # type: ignore[no-untyped-def]
    tmp_path: Path, embedder, program: str, later: str, cwd: str
) -> None:
    """A later call of the same home that exited 0 says the program is there only when its step
    surely ran it from the PATH, and only when the home is one machine's, not every container's."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    if program == "rg":
        rg_session(archive, "e0000000", 0, works=False, cwd=cwd)
    else:
        missing_session(archive, "e0000000", 0, program, cwd)
        missing_session(archive, "e0000001", 3, program, cwd)
    found = "src/cart.py:12:# TODO round half up" if program == "rg" else "3 passed in 0.2s"
    turns: list[Turn] = [Say("user", "Once more, please."), Bash(later, f"{cwd}\n{found}")]
    write_session(archive, "e0000002", START + timedelta(days=30), turns, cwd=cwd)
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    with Ledger.at(data) as ledger:
        lesson = by_text(ledger, f"`{program}` is not on the PATH here")
    assert (lesson.status, lesson.retired_reason) == ("active", None)


def test_a_program_missing_again_after_it_ran_comes_back(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, data = tmp_path / "archive", tmp_path / "data"
    target = tmp_path / "repo" / "CLAUDE.md"
    rg_session(archive, "d0000001", 0, works=False)
    distil(archive, data, embedder, target)
    assert rg_lines(data)
    with Ledger.at(data) as ledger:
        for proposal in ledger.pending_proposals():
            Path(proposal.target).parent.mkdir(parents=True, exist_ok=True)
            accept(ledger, data / "locks", Path(proposal.target))

    rg_session(archive, "d0000002", 5, works=True)  # installed since, read the next night
    distil(archive, data, embedder, target)
    with Ledger.at(data) as ledger:
        assert by_text(ledger, "`rg` is not on the PATH here").retired_reason == "ran later"
    assert not rg_lines(data)

    rg_session(archive, "d0000003", 9, works=False)  # removed again since
    distil(archive, data, embedder, target)
    with Ledger.at(data) as ledger:
        assert by_text(ledger, "`rg` is not on the PATH here").status == "active"
    assert rg_lines(data)


def off_path_session(archive: Path, name: str, day: int, program: str, way: str) -> None:
    """A run whose machine keeps `program` in `/opt/<program>/bin`, off the PATH: the call that
    worked put that folder on the PATH first (`export`), named the program by its full path
    (`full`), or none was seen (`none`)."""
    folder = f"/opt/{program}/bin"
    worked = {
        "export": f"export PATH={folder}:$PATH && {program} build",
        "full": f"{folder}/{program} build",
    }
    turns: list[Turn] = [
        Say("user", "Build it, please."),
        Bash(f"{program} build", f"bash: {program}: command not found", failed=True, code=127),
    ]
    if way in worked:
        turns.append(Bash(worked[way], "Build succeeded: 3 of 3 steps."))
    write_session(archive, name, START + timedelta(days=day), turns)


def program_lines(data: Path, program: str) -> list[str]:
    with Ledger.at(data) as ledger:
        folders = [p.folder for p in ledger.pending_proposals()]
    found = (line for folder in folders for line in proposed_lines(folder))
    return [line for line in found if f"`{program}`" in line]


@pytest.mark.parametrize(
    "ways", [["export", "full"], ["full", "export"], ["export", "none", "full"]]
)
def test_one_program_off_the_path_is_one_line_with_its_full_path(  # type: ignore[no-untyped-def]
    tmp_path: Path, embedder, ways: list[str]
) -> None:
    """Each run got past it its own way (or none): one fact of the machine, told with the way
    that lasts, the full path (a PATH step is gone at the next call), supported by them all."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    for n, way in enumerate(ways):
        off_path_session(archive, f"f000000{n}", n, "zig", way)
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (line,) = program_lines(data, "zig")
    assert "use its full path (`/opt/zig/bin/zig`)" in line
    assert f" [{len(ways)}](" in line
    with Ledger.at(data) as ledger:
        lesson = by_text(ledger, "`zig` is not on the PATH here")
    assert lesson.fix == "/opt/zig/bin/zig"


def test_a_path_step_alone_is_the_way_told(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, data = tmp_path / "archive", tmp_path / "data"
    off_path_session(archive, "f1000000", 0, "zig", "none")
    off_path_session(archive, "f1000001", 1, "zig", "export")
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (line,) = program_lines(data, "zig")
    assert "put its folder on the PATH first (`export PATH=/opt/zig/bin:$PATH`)" in line
    assert " [2](" in line


def test_two_programs_off_the_path_are_two_lines(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, data = tmp_path / "archive", tmp_path / "data"
    off_path_session(archive, "f2000000", 0, "zig", "export")
    off_path_session(archive, "f2000001", 1, "odin", "full")
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (zig,) = program_lines(data, "zig")
    (odin,) = program_lines(data, "odin")
    assert "`export PATH=/opt/zig/bin:$PATH`" in zig and "`/opt/odin/bin/odin`" in odin


FORGE_ERRORS = {
    "F101": "forge: error F101: more than one workspace file in this folder; name the one to build",
    "F202": "forge: error F202: the toolchain cache is locked by another build",
}


def forge_session(
    archive: Path, name: str, day: int, way: str, said: str = "", error: str = "F101"
) -> None:
    """A run where `forge build` fails with `error`, then `way` builds; the person's `said`
    words (if any) come between the two calls."""
    turns: list[Turn] = [
        Say("user", "Build it, please."),
        Bash("forge build", FORGE_ERRORS[error], failed=True, code=2),
    ]
    if said:
        turns.append(Say("user", said))
    turns.append(Bash(way, "Built 12 of 12 targets."))
    write_session(archive, name, START + timedelta(days=day), turns)


def forge_lines(data: Path, error: str = "F101") -> list[str]:
    with Ledger.at(data) as ledger:
        folders = [p.folder for p in ledger.pending_proposals()]
    found = (line for folder in folders for line in proposed_lines(folder))
    return [line for line in found if f"error {error}" in line]


def test_one_failure_mended_two_ways_is_one_line_with_the_way_the_person_asked_for(  # type: ignore[no-untyped-def]
    tmp_path: Path, embedder
) -> None:
    """The person named the workspace to build in one run; another run built a single project:
    one lesson of both runs, told with the person's way, whichever came first."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    forge_session(archive, "f3000000", 0, "forge build core/core.proj")
    forge_session(archive, "f3000001", 1, "forge build app.ws", said="Build @app.ws from now on.")
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (line,) = forge_lines(data)
    assert "use `forge build app.ws` instead" in line and "core.proj" not in line
    assert " [2](" in line


def test_one_failure_mended_two_ways_unasked_is_told_with_the_way_of_most_sessions(  # type: ignore[no-untyped-def]
    tmp_path: Path, embedder
) -> None:
    archive, data = tmp_path / "archive", tmp_path / "data"
    forge_session(archive, "f4000000", 0, "forge build core/core.proj")
    forge_session(archive, "f4000001", 1, "forge build app.ws")
    forge_session(archive, "f4000002", 2, "forge build app.ws")
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    (line,) = forge_lines(data)
    assert "use `forge build app.ws` instead" in line and " [3](" in line


def test_one_command_failing_with_two_errors_is_two_lessons(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    archive, data = tmp_path / "archive", tmp_path / "data"
    forge_session(archive, "f5000000", 0, "forge build app.ws")
    forge_session(archive, "f5000001", 1, "forge build app.ws")
    forge_session(archive, "f5000002", 2, "forge build --wait-for-lock", error="F202")
    forge_session(archive, "f5000003", 3, "forge build --wait-for-lock", error="F202")
    distil(archive, data, embedder, tmp_path / "repo" / "CLAUDE.md")
    with Ledger.at(data) as ledger:
        texts = [r.text for r in ledger.lessons() if "forge" in r.text]
    assert len(texts) == 2, texts
    (workspace,) = [t for t in texts if "F101" in t]
    (lock,) = [t for t in texts if "F202" in t]
    assert "`forge build app.ws`" in workspace and "`forge build --wait-for-lock`" in lock
