"""A screenshot of the HTML review report, for people to look at (docs/report.png).

    .venv/bin/python bench/report_screenshot.py [--out docs/report.png]

Distils the authored sample archive (`data/sample`, rules extractor, every project) into a
scratch repository whose README already states one lesson, then opens the proposal's
report.html in Debian's headless chromium (every non-file request blocked) and saves a
full-page screenshot.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from metis_distill import pipeline
from metis_distill.config import default_settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
README = "# Shop\n\n- Keep money in integer cents, never floats: rounding broke totals before.\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "report.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="metis-shot-") as scratch:
        root = Path(scratch) / "shop"
        root.mkdir()
        (root / "README.md").write_text(README, encoding="utf-8")
        (root / "CLAUDE.md").write_text("# Shop\n\nWritten by people.\n", encoding="utf-8")
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        settings = default_settings(
            archive=REPO / "data" / "sample",
            data_dir=Path(scratch) / "data",
            target=root / "CLAUDE.md",
            all_projects=True,
            extractor="rules",
        )
        folder = pipeline.distill(settings).proposal.folder
        assert folder is not None, "the sample made no proposal"
        shoot(Path(folder) / "report.html", args.out)
    print(args.out)


def shoot(report: Path, out: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route("**/*", only_files)
            page = context.new_page()
            page.goto(report.as_uri())
            kind = "png" if out.suffix == ".png" else "jpeg"
            quality = None if kind == "png" else 80
            page.screenshot(path=str(out), full_page=True, type=kind, quality=quality)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
