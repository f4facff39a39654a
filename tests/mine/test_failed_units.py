"""The unit a runner names as failed, and whether a later call runs it."""

from __future__ import annotations

import pytest

from metis_distill.mine.failed_units import failed_units, runs_failed_unit


@pytest.mark.parametrize(
    ("output", "units"),
    [
        ("[lint:fmt] Finished in 40ms\n[lint:deps] ERROR task failed", {"lint:deps"}),
        ('task: Failed to run task "lint:deps": exit status 1', {"lint:deps"}),
        ("make: *** [Makefile:8: lint-go] Error 1", {"lint-go"}),
        ("make[1]: *** [test] Error 2", {"test"}),
        ("npm error Lifecycle script `test:unit` failed with error:", {"test:unit"}),
        ("npm ERR! Failed at the shop@1.0.0 lint script.", {"lint"}),
        ("web#lint: command (/w/apps/web) pnpm run lint exited (1)", {"web#lint"}),
        ("  Tasks:    1 successful, 2 total\n  Failed:    @shop/api#test", {"@shop/api#test"}),
        ("FAILED tests/test_cart.py::test_total[2] - assert 3 == 4", {"tests/test_cart.py::test_total"}),
        ("--- FAIL: TestTotal (0.00s)\nFAIL\tacme/cart\t0.01s", {"TestTotal"}),
        ("Error: 3 problems found", set()),  # names no unit
        ("[lint:deps] go.mod is not tidy", set()),  # a task's own line, not its failure
    ],
)  # fmt: skip
def test_the_unit_a_runner_names_as_failed(output: str, units: set[str]) -> None:
    assert failed_units(output) == units


@pytest.mark.parametrize(
    ("unit", "failed", "retry", "runs"),
    [
        ("lint:deps", "mise run lint 2>&1", "mise run lint:fmt && mise run lint:vet", False),
        ("lint:deps", "mise run lint 2>&1", "mise run lint:fmt && echo lint ok", False),
        ("lint:deps", "mise run lint", "go mod tidy && git add go.mod && mise run lint:deps", True),
        ("lint:deps", "mise run lint 2>&1", "cd /w && mise run lint 2>&1 | tail -5", True),
        ("lint-go", "make lint", "make lint-py", False),
        ("lint-go", "make lint", "make -C tools lint", True),
        ("test", "npm test", "npm run test:unit", False),
        ("test", "npm test", "pnpm test", True),
        ("web#lint", "turbo run lint", "pnpm --filter web lint", True),
        ("web#lint", "turbo run lint", "turbo run lint --filter=api", False),
        ("web#lint", "turbo run lint", "turbo run lint --filter=web", True),
        ("tests/a.py::test_b", "pytest", "pytest tests/c.py", False),
        ("tests/a.py::test_b", "pytest", "pytest tests/a.py", True),
        ("tests/a.py::test_b", "pytest", "pytest -x ./tests/", True),
        ("tests/a.py::test_b", "pytest", "pytest -k 'test_b or test_c'", True),
        ("TestTotal", "go test ./...", "go test ./... -run '^TestTax$'", False),
        ("TestTotal", "go test ./... -run 'Test'", "go test ./... -run 'Test' -v", True),
        ("TestTotal", "go test ./cart", "go test -run '^TestTax$' ./tax", False),
        ("TestTotal", "go test ./cart", "go test -run '^TestTotal$' ./cart", True),
        # the whole suite again, spelt another way, or with options that pick no tests
        ("tests/a.py::test_b", "pytest -q", ".venv/bin/pytest -q", True),
        ("tests/a.py::test_b", "pytest -q", "pytest -q --cov=src/shop", True),
        ("tests/a.py::test_b", "pytest -q", "pytest -q -c tests/pytest.ini", True),
        ("tests/a.py::test_b", "pytest -q", "pytest -q 2>&1 | tee /tmp/pytest.log", True),
        ("tests/a.py::test_b", "git push", "git push -u origin feat/cart", True),
        ("lint-go", "make lint", "make -k lint", True),  # make's -k keeps going
        ("web#lint", "turbo run lint", "turbo run lint --filter=web...", True),
    ],
)  # fmt: skip
def test_a_retry_runs_the_failed_unit_or_all_the_failed_call_ran(
    unit: str, failed: str, retry: str, runs: bool
) -> None:
    assert runs_failed_unit(frozenset({unit}), failed, retry) is runs
