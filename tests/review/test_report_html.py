"""The static HTML report opens from disk in headless Chromium, loads nothing from a network,
and shows the diff side by side with the evidence (contract 13: Debian's chromium)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from metis_distill.ledger import LessonRow
from metis_distill.review.proposal import accept
from tests.review.test_items import FAILURE, GOTCHA, add_lesson, save_proposal

CHROMIUM = Path("/usr/bin/chromium")
# what the curation stage leaves in a proposal's summary for the report
CURATION_NOTES = {
    "retired": {FAILURE: {"reason": "stale", "retired_by": None}},
    "lessons_not_working": [
        {
            "id": GOTCHA,
            "text": "Vitest runs in node.",
            "recurrences": 2,
            "last_seen": "2026-11-20T10:00:00+00:00",
        },
    ],
    "recovery": {
        "command_not_found": {
            "failures": 4,
            "recovered": 3,
            "mean_seconds_to_recovery": 95.0,
            "recurrences": 1,
            "sessions": 3,
            "top_command": "python -m pytest",
        },
    },
}
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is missing at /usr/bin/chromium (.ci/run installs it)")
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    return CHROMIUM


def a_rich_proposal(world):  # type: ignore[no-untyped-def]
    """A proposal with a line added, one reworded and one retired, after a first accept."""
    ledger, target, tmp = world
    save_proposal(ledger, target, tmp)
    accept(ledger, tmp / "locks", target)
    add_lesson(ledger, "00000000aa", "gotcha", "Ports below 1024 need root <b>here</b>.", 5)
    with ledger.session() as db:
        db.get(LessonRow, GOTCHA).text = "Vitest runs in node unless a file says jsdom."  # type: ignore[union-attr]
    ledger.set_status([FAILURE], "retired")
    _, row = save_proposal(ledger, target, tmp, CURATION_NOTES)
    return Path(row.folder)


def test_html_report_is_self_contained(world) -> None:  # type: ignore[no-untyped-def]
    folder = a_rich_proposal(world)
    page = (folder / "report.html").read_text()
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page)  # no external URL
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert "&lt;b&gt;here&lt;/b&gt;" in page  # text from transcripts is escaped, not markup


def test_html_report_renders_in_headless_chromium(world, chromium: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import Route, sync_playwright

    folder = a_rich_proposal(world)
    report = folder / "report.html"
    requests: list[str] = []
    blocked: list[str] = []

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route("**/*", only_files)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri())
            diff = page.inner_text("#diff")
            counts = page.inner_text("#counts")
            added = page.inner_text("#item-1")
            reworded = page.inner_text("#item-2")
            retired = page.inner_text("#item-3")
            not_working = page.inner_text("#not-working")
            recovery = page.inner_text("#recovery")
            badges = page.locator("#diff a.badge").all_inner_texts()
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert requests and all(url.startswith("file://") for url in requests), requests
    assert blocked == []  # nothing even tried the network
    assert "Ports below 1024 need root <b>here</b>." in diff  # shown as text, side by side
    assert "Vitest runs in node unless a file says jsdom." in diff
    assert "Vitest runs in node." in diff  # the old wording, on the left
    assert counts == "1 line added, 1 reworded, 1 retired"
    assert "1. added" in added and "quote number 5" in added
    assert "2. reworded" in reworded and "Vitest runs in node." in reworded
    assert "3. retired (stale)" in retired and "quote number 2" in retired
    assert "0000000000 Vitest runs in node. — 2 sessions since it was accepted" in not_working
    assert "command_not_found\t4\t3\t95 s\t1\t3\tpython -m pytest" in recovery
    assert sorted(set(badges)) == ["1", "2", "3"]
    assert shot.stat().st_size > 10_000
    shutil.copy(shot, folder / "report.png")
    print(f"screenshot of the HTML report: {folder / 'report.png'}")
