"""Warnings another lesson already answers are left out of what is shown."""

from __future__ import annotations


def test_a_missing_program_warned_of_beside_its_way_shows_only_the_way() -> None:
    from dataclasses import replace

    from metis_distill.curate.answered import without_answered_warnings
    from tests.curate.test_retire import view

    warning = view(1, "failure", 3, "`python` is not on the PATH here (“python: command not "
                   "found”); find the project's way to run it before retrying.")  # fmt: skip
    way = replace(
        view(2, "failure", 2, "`python` is not on the PATH here (…); use `python3 …` instead."),
        fix="python3",
    )
    other = view(3, "failure", 3, "`node` is not on the PATH here (…); find the project's "
                 "way to run it before retrying.")  # fmt: skip
    assert without_answered_warnings([warning, way, other]) == [way, other]
    assert without_answered_warnings([warning, other]) == [warning, other]
    # a fix for another failure of the same program answers nothing of it missing
    imports = replace(
        view(
            4, "failure", 2, "`python` fails with “ImportError: x”; run `pip install -e .` first."
        ),
        fix="pip install -e .",
    )
    assert without_answered_warnings([warning, imports]) == [warning, imports]


def _pythonpath_way():  # type: ignore[no-untyped-def]
    """The lesson with a shown way for the project's missing `shop`: `PYTHONPATH=src`."""
    from dataclasses import replace

    from tests.curate.test_retire import view

    text = (
        "`python3 …` fails here (“ModuleNotFoundError: No module named 'shop'”); run it with "
        "`PYTHONPATH=src` set."
    )
    return replace(view(1, "failure", 2, text), fix="PYTHONPATH=src")


def test_a_module_missing_with_no_fix_seen_beside_a_fix_for_the_same_module_shows_the_fix() -> None:
    """The same module missing, whatever command met it: the lesson that shows a way past it
    answers the warning of another command that saw none."""

    from metis_distill.curate.answered import without_answered_warnings
    from tests.curate.test_retire import view

    way = _pythonpath_way()
    warning = view(2, "failure", 3, "`python3 -m unittest tests/test_cart.py` fails here: "
                   "“ModuleNotFoundError: No module named 'shop'” (no fix seen).")  # fmt: skip
    run_as_module = view(3, "failure", 3, "`python -m shop.cli` fails here: “/usr/bin/python: "
                         "No module named shop” (no fix seen).")  # fmt: skip
    assert without_answered_warnings([way, warning, run_as_module]) == [way]


def test_a_module_missing_with_no_fix_seen_still_renders_beside_another_modules_fix() -> None:
    from metis_distill.curate.answered import without_answered_warnings
    from tests.curate.test_retire import view

    way = _pythonpath_way()
    other_module = view(2, "failure", 3, "`python3 -m unittest` fails here: “ModuleNotFoundError"
                        ": No module named 'shop_admin'” (no fix seen).")  # fmt: skip
    submodule = view(3, "failure", 3, "`python3 -m unittest` fails here: “ModuleNotFoundError: "
                     "No module named 'shop.legacy'” (no fix seen).")  # fmt: skip
    unanswered = view(4, "failure", 3, "`python3 -m unittest` fails here: “ModuleNotFoundError: "
                      "No module named 'shop'” (no fix seen).")  # fmt: skip
    assert without_answered_warnings([way, other_module, submodule]) == [
        way,
        other_module,
        submodule,
    ]
    assert without_answered_warnings([other_module, unanswered]) == [other_module, unanswered]


def test_a_tool_missing_as_a_module_and_as_a_program_is_told_once_by_the_programs_line() -> None:
    """`python3 -m pytest` finding no `pytest` module and `pytest` not on the PATH: one cause,
    the tool not installed here; the program's line says what to do about it."""
    from dataclasses import replace

    from metis_distill.curate.answered import without_answered_warnings
    from tests.curate.test_retire import view

    as_module = view(1, "failure", 3, "`python3 -m pytest` fails here: “/usr/bin/python3: No "
                     "module named pytest” (no fix seen).")  # fmt: skip
    program = view(2, "failure", 3, "`pytest` is not on the PATH here (“pytest: command not "
                   "found”); find the project's way to run it before retrying.")  # fmt: skip
    assert without_answered_warnings([as_module, program]) == [program]
    way = replace(
        view(3, "failure", 2, "`pytest` is not on the PATH here (…); use `uv run pytest` instead."),
        fix="uv run pytest",
    )
    assert without_answered_warnings([as_module, way]) == [way]


def test_a_module_run_with_m_stays_beside_another_programs_line() -> None:
    from metis_distill.curate.answered import without_answered_warnings
    from tests.curate.test_retire import view

    as_module = view(1, "failure", 3, "`python3 -m pytest` fails here: “/usr/bin/python3: No "
                     "module named pytest” (no fix seen).")  # fmt: skip
    other = view(2, "failure", 3, "`ruff` is not on the PATH here (“ruff: command not found”); "
                 "find the project's way to run it before retrying.")  # fmt: skip
    # the module ran, and one it imports is what is missing: not the tool itself
    imports = view(3, "failure", 3, "`python3 -m pytest` fails here: “ModuleNotFoundError: No "
                   "module named 'shop'” (no fix seen).")  # fmt: skip
    shop = view(4, "failure", 3, "`shop` is not on the PATH here (“shop: command not found”); "
                "find the project's way to run it before retrying.")  # fmt: skip
    assert without_answered_warnings([as_module, other]) == [as_module, other]
    assert without_answered_warnings([imports, shop]) == [imports, shop]


def test_a_sandboxed_failure_with_no_rerun_seen_beside_its_let_out_lesson_shows_the_lesson() -> (
    None
):
    from dataclasses import replace

    from metis_distill.curate.answered import without_answered_warnings
    from tests.curate.test_retire import view

    let_out = replace(
        view(
            1,
            "failure",
            6,
            "`mix` fails inside Codex's sandbox here and works outside it; "
            "ask to run it with escalated permissions.",
        ),  # fmt: skip
        fix="run it with escalated permissions",
    )
    stuck = view(2, "failure", 3, "`mix precommit` fails inside Codex's sandbox here: “** "
                 "(RuntimeError) failed to start Mix.PubSub…” (no fix seen).")  # fmt: skip
    other = view(3, "failure", 3, "`cargo test` fails inside Codex's sandbox here: “error: "
                 "failed to open …” (no fix seen).")  # fmt: skip
    assert without_answered_warnings([let_out, stuck, other]) == [let_out, other]
    assert without_answered_warnings([stuck, other]) == [stuck, other]


def test_an_environment_lacking_a_module_is_told_once_whichever_way_past_it_each_run_found() -> (
    None
):
    from dataclasses import replace

    from metis_distill.curate.answered import without_answered_warnings
    from tests.curate.test_retire import view

    def lack(n: int, support: int, program: str, module: str, way: str) -> object:
        text = (
            f"`{program}` here lacks the module `{module}` (“ModuleNotFoundError: No module "
            f"named '{module}'”); run it as `{way} …`."
        )
        return replace(view(n, "failure", support, text), fix=way)

    best = lack(1, 3, "/opt/tools/env/bin/python", "yaml", "/srv/app/.venv/bin/python")
    again = lack(2, 1, "/opt/tools/env/bin/python3", "yaml", "/srv/app/env/bin/python3")
    third = lack(3, 2, "/opt/tools/env/bin/python", "yaml", "/srv/app/env/bin/python")
    other_module = lack(4, 1, "/opt/tools/env/bin/python", "pytest", "/srv/app/.venv/bin/python")
    other_env = lack(5, 1, "/srv/app/env/bin/python", "yaml", "/opt/tools/env/bin/python")
    on_path = lack(6, 1, "python", "yaml", ".venv/bin/python")
    on_path3 = lack(7, 2, "python3", "yaml", ".venv/bin/python3")
    windows = lack(8, 1, r"C:\tools\env\Scripts\python.exe", "yaml", r".venv\Scripts\python.exe")
    shown = without_answered_warnings(
        [again, best, third, other_module, other_env, on_path, on_path3, windows]
    )
    assert shown == [best, other_module, other_env, on_path3, windows]
