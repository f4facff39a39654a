"""A retry that dropped the version the error could not find, and installed nothing, is no fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from metis_distill.mine.dropped_pin import dropped_pin
from tests.mine.test_episodes import call, result
from tests.mine.test_fixes import _failures

_NO_SUCH_VERSION = (
    "ERROR: Could not find a version that satisfies the requirement acme-tools==2.4.1 "
    "(from versions: 2.3.0, 2.4.0)\nERROR: No matching distribution found for acme-tools==2.4.1"
)
_ALREADY_THERE = (
    "Requirement already satisfied: acme-tools in ./.venv/lib/python3.12/site-packages (2.4.0)\n"
    "Requirement already satisfied: click>=8.0 in ./.venv/lib/python3.12/site-packages (8.1.7)"
)


@pytest.mark.parametrize(
    ("failed", "error", "retry", "output"),
    [
        ("pip install --upgrade acme-tools==2.4.1", _NO_SUCH_VERSION, "pip install --upgrade --pre acme-tools", _ALREADY_THERE),
        ("pip install acme-tools==2.4.1", _NO_SUCH_VERSION, "pip install 'acme-tools>=2.4'", _ALREADY_THERE),
        ("npm install left-pad@9.9.9", "npm ERR! notarget No matching version found for left-pad@9.9.9.", "npm install left-pad", "up to date, audited 120 packages in 1s"),
    ],
)  # fmt: skip
def test_the_version_dropped_and_nothing_installed_is_no_fix(
    tmp_path: Path, failed: str, error: str, retry: str, output: str
) -> None:
    """The version asked for never arrived: the retry only found what was there before."""
    ((episode, lesson),) = _failures(
        tmp_path,
        [call("t1", failed), result("t1", error, True), call("t2", retry), result("t2", output)],
    )
    assert episode.fix is None and lesson.fix is None
    assert "instead" not in lesson.text and "(no fix seen)" in lesson.text


@pytest.mark.parametrize(
    ("retry", "output", "fix"),
    [
        # another version that exists, installed: what the tool made of it stands
        ("pip install acme-tools==2.4.0", "Successfully installed acme-tools-2.4.0", None),
        # the version dropped, and a release installed: something arrived
        (
            "pip install --pre acme-tools",
            "Collecting acme-tools\nSuccessfully installed acme-tools-2.4.1rc1",
            "pip install --pre acme-tools",
        ),
    ],
)
def test_a_retry_that_installed_something_is_judged_as_before(
    tmp_path: Path, retry: str, output: str, fix: str | None
) -> None:
    ((_, lesson),) = _failures(
        tmp_path,
        [
            call("t1", "pip install acme-tools==2.4.1"),
            result("t1", _NO_SUCH_VERSION, True),
            call("t2", retry),
            result("t2", output),
        ],
    )
    assert lesson.fix == fix


@pytest.mark.parametrize(
    ("failed", "error", "retry", "dropped"),
    [
        ("pip install x==1.3.2", "No matching distribution found for x==1.3.2", "pip install x", True),
        # the error names another version than the one pinned: not the pin it could not find
        ("pip install x==1.3.2", "No matching distribution found for x==1.3.21", "pip install x", False),
        ("pip install x==1.3.2", "No matching distribution found for x==1.3.2", "pip install --pre x==1.3.2", False),
        ("pip install X_Tools==1.3.2", "No matching distribution found for X_Tools==1.3.2", "pip install x-tools", True),
        ("npm i @acme/ui@3.0.0", "No matching version found for @acme/ui@3.0.0.", "npm i @acme/ui", True),
        ("npm i @acme/ui@3.0.0", "No matching version found for @acme/ui@3.0.0.", "npm i @acme/core", False),
    ],
)  # fmt: skip
def test_a_dropped_pin_is_the_version_the_error_named(
    failed: str, error: str, retry: str, dropped: bool
) -> None:
    assert dropped_pin(error, failed, retry, "Requirement already satisfied: x") is dropped
