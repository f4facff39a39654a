"""A block whose markers a hand edit broke is named, so that no block is written into it."""

from __future__ import annotations

from metis_distill.render.claude_md import marker_problem, render_block

BLOCK = render_block([])


def test_one_whole_block_or_none_is_fine() -> None:
    assert marker_problem("# Mine\n") is None
    assert marker_problem(f"# Mine\n\n{BLOCK}\n\nBelow.\n") is None


def test_each_broken_shape_is_named_with_its_mending() -> None:
    begin, end = BLOCK.splitlines()[0], BLOCK.splitlines()[-1]
    no_end = marker_problem(BLOCK.replace(end, "") + "\n## Mine\n")
    assert no_end is not None and "has no `<!-- metis:end -->` after it" in no_end
    no_begin = marker_problem(BLOCK.replace(begin, ""))
    assert no_begin is not None and "no `<!-- metis:begin -->` before it" in no_begin
    two = marker_problem(f"{BLOCK}\n\n## Mine\n\n{BLOCK}\n")
    assert two is not None and "2 managed blocks" in two
    swapped = marker_problem(f"{end}\nbody\n{begin}\n")
    assert swapped is not None and "comes before" in swapped
    stale_begin = marker_problem(BLOCK.replace(end, "") + "\n## Mine\n\n" + BLOCK)
    assert stale_begin is not None and "has no `<!-- metis:end -->`" in stale_begin
