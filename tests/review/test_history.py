"""History, rewind and show: any past state of a target comes back, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from metis_distill.cli import app
from metis_distill.errors import ProposalError, UsageError
from metis_distill.ledger import Ledger
from metis_distill.render.claude_md import find_block, splice, without_block
from metis_distill.review.history import find_version, history, rewind, show
from metis_distill.review.proposal import accept, reject
from tests.review.test_items import DECISION, FAILURE, GOTCHA, add_lesson, ids_in, save_proposal
from tests.review.test_proposal import evidence_files_needed, files_beside

runner = CliRunner()
NEW = "00000000aa"


def three_versions(ledger: Ledger, target: Path, tmp: Path) -> list[str]:
    """The human file, then three lessons accepted, then a fourth: the contents, in order."""
    human = target.read_text()
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    second = target.read_text()
    add_lesson(ledger, NEW, "gotcha", "Ports below 1024 need root.", 5)
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    return [human, second, target.read_text()]


def test_history_lists_every_version_with_its_lessons(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    three_versions(ledger, target, tmp)
    (versions,) = history(ledger, target).values()
    assert [v.reason for v in versions] == ["before", "accepted", "accepted"]
    assert [len(v.lessons) for v in versions] == [0, 3, 4]
    assert (NEW, "Ports below 1024 need root.") in versions[2].lessons


def test_rewind_reproduces_an_earlier_version_byte_for_byte(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    human, second, third = three_versions(ledger, target, tmp)
    versions = ledger.versions(str(target.resolve()))
    row, version = rewind(ledger, target, f"v{versions[1].id}", tmp / "proposals", tmp / "locks")
    assert version.content == second and row.origin == "rewind"
    assert target.read_text() == third  # a rewind is a proposal: nothing written yet
    (item,) = ledger.proposal_items(row.id)
    assert (item.change, item.lesson_id) == ("removed", NEW)
    assert "as it was at v" in Path(row.folder, "report.md").read_text()
    accept(ledger, tmp / "locks", target)
    assert target.read_bytes() == second.encode()
    assert ledger.lesson(NEW).status == "rejected"  # type: ignore[union-attr]
    assert [v.content for v in ledger.versions(str(target.resolve()))][-1] == second

    rewind(ledger, target, f"{versions[0].id}", tmp / "proposals", tmp / "locks")
    accept(ledger, tmp / "locks", target)
    assert target.read_bytes() == human.encode()  # back to the file before metis
    assert files_beside(target) == ["CLAUDE.md"]  # no line left: no evidence file either

    rewind(ledger, target, f"{versions[2].id}", tmp / "proposals", tmp / "locks")
    accept(ledger, tmp / "locks", target)
    assert target.read_bytes() == third.encode()
    assert files_beside(target) == evidence_files_needed(target)  # made again, resolving


def test_rewind_by_item_keeps_what_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    human, _, third = three_versions(ledger, target, tmp)
    first = ledger.versions(str(target.resolve()))[0]
    row, _ = rewind(ledger, target, f"v{first.id}", tmp / "proposals", tmp / "locks")
    items = {i.lesson_id: i.number for i in ledger.proposal_items(row.id)}
    assert set(items) == {GOTCHA, FAILURE, DECISION, NEW}
    reject(ledger, tmp / "locks", target, [items[GOTCHA]])
    accept(ledger, tmp / "locks", target)
    assert ids_in(target) == (GOTCHA,)
    assert target.read_text().startswith(human)


def test_rewind_by_date(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    _, second, _ = three_versions(ledger, target, tmp)
    versions = ledger.versions(str(target.resolve()))
    assert find_version(ledger, target, versions[1].created_at.isoformat()).content == second
    with pytest.raises(ProposalError, match="no version of .* is that old"):
        find_version(ledger, target, "2001-01-01")
    with pytest.raises(ProposalError, match="already as it was"):
        rewind(ledger, target, versions[-1].created_at.strftime("%Y-%m-%d"), tmp, tmp)
    with pytest.raises(UsageError, match="not a version or a date"):
        find_version(ledger, target, "last tuesday")


def test_rewind_to_what_is_neither_a_version_nor_a_date_is_a_usage_error(tmp_path: Path) -> None:
    """Exit 2, as for any argument that cannot be parsed, even before any ledger exists."""
    data = ["--data-dir", str(tmp_path / "data"), "--target", str(tmp_path / "CLAUDE.md")]
    for when in ("garbage", "2026-13-45"):
        out = runner.invoke(app, ["rewind", "--to", when, *data])
        assert out.exit_code == 2, out.output
        assert f"error: not a version or a date: '{when}'" in out.output
        assert "Traceback" not in out.output


def test_show_prints_a_lesson_with_all_its_evidence(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    three_versions(ledger, target, tmp)
    detail = show(ledger, GOTCHA)
    assert detail.id == GOTCHA and detail.evidence[0]["quote"] == "quote number 1"
    assert detail.evidence[0]["where"] == "p/s.jsonl#L1-L2" and detail.support == 1
    assert detail.evidence[0]["file"].endswith("/archive/p/s.jsonl#L1-L2")
    assert detail.decisions == ("proposal #1 item 1 (added): accepted",)
    assert show(ledger, NEW[:9]).id == NEW  # a unique prefix is enough
    with pytest.raises(ProposalError, match="names 4 lessons"):
        show(ledger, "0000")
    with pytest.raises(ProposalError, match="no lesson"):
        show(ledger, "ffffffffff")


def test_history_rewind_and_show_through_the_cli(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    _, second, _ = three_versions(ledger, target, tmp)
    data = ["--data-dir", str(tmp / "data")]
    out = runner.invoke(app, ["history", "--target", str(target), *data]).output
    assert "before" in out and "4 lessons" in out and "Ports below 1024 need root." in out
    version = ledger.versions(str(target.resolve()))[1].id
    out = runner.invoke(app, ["rewind", "--to", f"v{version}", *data])  # the only target
    assert out.exit_code == 0 and "1 item. Next" in out.output, out.output
    assert runner.invoke(app, ["accept", "--all", *data]).exit_code == 0
    assert target.read_text() == second
    out = runner.invoke(app, ["show", NEW, *data])
    assert out.exit_code == 0
    assert "p/s.jsonl#L5-L5" in out.output and "quote number 5" in out.output
    assert "(removed): accepted" in out.output  # the rewind's decision
    assert "seen in 1 session" in out.output and "1 sessions" not in out.output
    bad = runner.invoke(app, ["rewind", "--to", "v999", "-t", str(target), *data])
    assert bad.exit_code == 1 and "has no version v999" in bad.output


def test_a_rewind_never_takes_away_text_written_outside_the_block(world) -> None:  # type: ignore[no-untyped-def]
    """The file before metis had no block; a person then wrote below the block and above it.
    Rewinding to that first version removes the block and keeps both notes, whether its items
    are accepted all at once or one by one (the last one used to write the old file whole)."""
    ledger, target, tmp = world
    human, _, third = three_versions(ledger, target, tmp)
    first = ledger.versions(str(target.resolve()))[0]
    mine = third.replace(human, human + "A note above the block.\n") + "My own note, after.\n"
    target.write_text(mine)

    row, _ = rewind(ledger, target, f"v{first.id}", tmp / "proposals", tmp / "locks")
    diff = Path(row.folder, "diff.patch").read_text()
    assert "-My own note" not in diff and "-A note above" not in diff
    assert "your text outside it is kept" in Path(row.folder, "report.md").read_text()
    numbers = [i.number for i in ledger.proposal_items(row.id)]
    for number in numbers:  # item by item: the last accept is the whole proposal
        accept(ledger, tmp / "locks", target, [number])
        assert "A note above the block.\n" in target.read_text()
        assert target.read_text().endswith("\nMy own note, after.\n")
    assert target.read_text() == human + "A note above the block.\n\nMy own note, after.\n"
    assert find_block(target.read_text()) is None


def test_a_rewind_to_a_version_with_a_block_keeps_the_text_outside_it(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    _, second, third = three_versions(ledger, target, tmp)
    versions = ledger.versions(str(target.resolve()))
    target.write_text("Written on top.\n" + third + "\nWritten below.\n")
    rewind(ledger, target, f"v{versions[1].id}", tmp / "proposals", tmp / "locks")
    accept(ledger, tmp / "locks", target)  # all at once
    assert target.read_text() == "Written on top.\n" + second + "\nWritten below.\n"


def test_a_rewind_with_only_the_text_outside_the_block_changed_proposes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    _, _, third = three_versions(ledger, target, tmp)
    last = ledger.versions(str(target.resolve()))[-1]
    target.write_text(third + "My own note.\n")
    with pytest.raises(ProposalError, match="block is already as it was"):
        rewind(ledger, target, f"v{last.id}", tmp / "proposals", tmp / "locks")
    assert target.read_text() == third + "My own note.\n"


def test_without_block_is_the_inverse_of_splice() -> None:
    block = "<!-- metis:begin sha=0 -->\nbody\n<!-- metis:end -->"
    for human in ("# T\n", "", "# T\r\nline\r\n"):  # ("# T" reads as "# T\n")
        assert without_block(splice(human, block)) == human
    assert without_block(f"top\n\n{block}\n\nbelow\n") == "top\n\n\nbelow\n"


def test_a_rewind_refuses_a_block_whose_end_marker_was_deleted(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    _, _, third = three_versions(ledger, target, tmp)
    first = ledger.versions(str(target.resolve()))[0]
    broken = third.replace("<!-- metis:end -->", "") + "## Mine\n"
    target.write_text(broken)
    with pytest.raises(ProposalError, match="has no `<!-- metis:end -->` after it"):
        rewind(ledger, target, f"v{first.id}", tmp / "proposals", tmp / "locks")
    assert target.read_text() == broken


def test_a_rewind_of_a_deleted_target_brings_back_the_whole_file() -> None:
    """Nothing of the person's is left to keep: the version comes back whole, not its block alone."""
    from metis_distill.review.history import rewound_text

    then = "# Project\n\nMy notes.\n\n<!-- metis:begin sha=abc -->\n## Gotchas\n- old line\n<!-- metis:end -->\n"
    assert rewound_text("", then) == then


OWN = "- Our CI runs on Ubuntu 22.04; do not use macOS-only flags."


def with_own_line(target: Path) -> None:
    """A line the person wrote under the block's first section heading."""
    lines = target.read_text().splitlines(keepends=True)
    heading = next(i for i, line in enumerate(lines) if line.startswith("### "))
    lines.insert(heading + 1, OWN + "\n")
    target.write_text("".join(lines))


@pytest.mark.parametrize("back_to", [0, 1])
def test_rewind_keeps_the_persons_own_lines_in_the_block(world, back_to: int) -> None:  # type: ignore[no-untyped-def]
    """A rewind to a version without the person's line deleted it, though no item named it."""
    ledger, target, tmp = world
    three_versions(ledger, target, tmp)
    with_own_line(target)
    version = ledger.versions(str(target.resolve()))[back_to]
    row, _ = rewind(ledger, target, f"v{version.id}", tmp / "proposals", tmp / "locks")
    assert OWN in Path(row.folder, "proposed.md").read_text()
    assert "your own lines inside it are kept" in Path(row.folder, "report.md").read_text()
    assert all(i.change == "removed" for i in ledger.proposal_items(row.id))
    accept(ledger, tmp / "locks", target)
    assert OWN in target.read_text().splitlines()
    assert ids_in(target) == ids_in_text(version.content)


def test_rewind_by_item_keeps_the_persons_own_lines(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    three_versions(ledger, target, tmp)
    with_own_line(target)
    first = ledger.versions(str(target.resolve()))[0]
    row, _ = rewind(ledger, target, f"v{first.id}", tmp / "proposals", tmp / "locks")
    numbers = [i.number for i in ledger.proposal_items(row.id)]
    accept(ledger, tmp / "locks", target, numbers[:1])
    assert OWN in target.read_text().splitlines()
    accept(ledger, tmp / "locks", target, numbers[1:])  # the rest: every item now accepted
    assert OWN in target.read_text().splitlines() and ids_in(target) == ()


def test_a_rewind_that_would_only_drop_the_persons_lines_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    ledger, target, tmp = world
    _, _, third = three_versions(ledger, target, tmp)
    with_own_line(target)
    now = target.read_text()
    third_version = ledger.versions(str(target.resolve()))[2]
    with pytest.raises(ProposalError, match="already as it was") as refused:
        rewind(ledger, target, f"v{third_version.id}", tmp / "proposals", tmp / "locks")
    assert "own lines" in (refused.value.hint or "")
    assert target.read_text() == now != third


def ids_in_text(text: str) -> tuple[str, ...]:
    block = find_block(text)
    return block.ids if block else ()
