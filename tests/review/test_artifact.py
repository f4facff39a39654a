"""The Prefect artifact's reports: every context file's proposal of the run, with evidence
links that open outside the proposal's folder (absolute `file://` addresses)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from metis_distill.review.artifact import absolute_links, artifact_markdown
from metis_distill.run_report import ProposalOutcome
from metis_distill.statuses import PublishStatus
from tests.placement.test_routing import publish, shop  # noqa: F401 (fixture)

LINK = re.compile(
    r"^- \[(?P<label>[^\]]*)\]\((?P<link>[^)]*)\) \([^)]*\): “`(?P<quote>[^`]*)`”", re.M
)


def test_every_file_of_the_run_is_reported_with_absolute_links(shop) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ledger, root, tmp = shop
    first, *_ = publish(ledger, root, tmp)
    text = artifact_markdown(first)
    for name in ("CLAUDE.md", "CLAUDE.local.md", ".claude/rules/web.md"):
        assert "# Proposal #" in text and f"for `{root / name}`" in text
    assert "Money is integer cents" in text and "python3" in text and "Vite reads" in text
    assert "```diff\n" in text and "+- Money is integer cents" in text
    links = list(LINK.finditer(text))
    assert len(links) == 4  # one evidence record per lesson
    for found in links:
        url = urlparse(found["link"])
        assert url.scheme == "file" and url.fragment.startswith("L")
        path = Path(unquote(url.path))
        assert path.is_absolute() and found["label"] == f"{path}#{url.fragment}"
        first_line, last_line = (int(n) for n in url.fragment[1:].split("-L"))
        lines = path.read_text().splitlines()[first_line - 1 : last_line]
        assert any(found["quote"] in line for line in lines)  # it opens on the quote
    prose = re.sub(r"```diff\n.*?```", "", text, flags=re.S)  # the diff is code, not links
    assert "](../" not in prose and "](.metis" not in prose


def test_no_proposal_no_report(tmp_path: Path) -> None:
    outcome = ProposalOutcome(
        status=PublishStatus.NOTHING,
        proposal_id=None,
        folder=None,
        added=0,
        removed=0,
        lessons_shown=0,
    )
    assert artifact_markdown(outcome) == ""


def test_only_relative_evidence_links_change(tmp_path: Path) -> None:
    text = (
        "- [a.jsonl#L2-L3](../../archive/a%20b.jsonl#L2-L3) (s1): “q”\n"
        "- [web](https://example.invalid/x) (s2): “q”\n"
        "See [the docs](docs/x.md).\n"
    )
    out = absolute_links(text, tmp_path / "proposals" / "1")
    where = (tmp_path / "archive" / "a b.jsonl").resolve()
    assert out.splitlines()[0] == f"- [{where}#L2-L3]({where.as_uri()}#L2-L3) (s1): “q”"
    assert out.splitlines()[1:] == text.splitlines()[1:]
