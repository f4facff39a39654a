"""The review reports of a run's proposals as one Markdown text, for the flow's Prefect artifact.

The UI shows the artifact at its own address, where the reports' relative evidence links lead
nowhere: each becomes the absolute `file://` address of what it names, its text the absolute
path (a browser may refuse to open a local file from a web page; the path can be copied)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from metis_distill.run_report import ProposalOutcome

# an evidence line of report.md: - [label](link) (session): “`quote`”
_EVIDENCE = re.compile(r"^- \[(?P<label>[^\]\n]*)\]\((?P<link>[^)\s]+)\)", re.MULTILINE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def artifact_markdown(outcome: ProposalOutcome) -> str:
    """The report of each context file's proposal of the run (the target's first, then the
    files its lessons were placed in), links made absolute; "" when there is none."""
    folders = [outcome.folder, *(o.folder for o in outcome.others)]
    return "".join(report_of(Path(f)) for f in folders if f)


def report_of(folder: Path) -> str:
    report = folder / "report.md"
    if not report.is_file():
        return ""
    return "\n---\n\n" + absolute_links(report.read_text(encoding="utf-8"), folder)


def absolute_links(markdown: str, folder: Path) -> str:
    """Every relative evidence link, read from `folder`, as a `file://` address."""

    def absolute(found: re.Match[str]) -> str:
        link = found["link"]
        if _SCHEME.match(link):
            return found[0]
        path, _, fragment = link.partition("#")
        where = (folder / unquote(path)).resolve()
        lines = f"#{fragment}" if fragment else ""
        return f"- [{where}{lines}]({where.as_uri()}{lines})"

    return _EVIDENCE.sub(absolute, markdown)
