"""A missing module: the step that raised it, its environment, and the install that mends it."""

from __future__ import annotations

import pytest

from metis_distill.mine.modules import environment, importing_step, installs, interpreter
from metis_distill.mine.text import shell_steps

NO_NUMPY = "ModuleNotFoundError: No module named 'numpy'"


def test_shell_steps_split_outside_quotes() -> None:
    command = 'ls data && python3 -c "import numpy; print(1)" || echo no; true'
    assert shell_steps(command) == [
        "ls data",
        'python3 -c "import numpy; print(1)"',
        "echo no",
        "true",
    ]


@pytest.mark.parametrize(
    ("command", "error", "step"),
    [
        ("python3 x.py", NO_NUMPY, "python3 x.py"),
        ("ls a/ && ls b/ && conda run -n ml python3 -c 'import numpy'", NO_NUMPY,
         "conda run -n ml python3 -c 'import numpy'"),
        ("pip install -r req.txt && uv run pytest -q", NO_NUMPY, "uv run pytest -q"),
        ("which python3 && ./tools/run.py", NO_NUMPY, "./tools/run.py"),
        ("cat a.json && node build.mjs", "Error: Cannot find module 'esbuild'", "node build.mjs"),
        # two interpreters: which one raised it, the error does not say
        ("python3 a.py && python3 b.py", NO_NUMPY, None),
        ("ls a && ls b", NO_NUMPY, None),
    ],
)  # fmt: skip
def test_the_step_that_raised_the_import_error(command: str, error: str, step: str | None) -> None:
    assert importing_step(command, error) == step


@pytest.mark.parametrize(
    ("command", "step", "where"),
    [
        ("python3 x.py", "python3 x.py", ""),
        ("pip install numpy", "pip install numpy", ""),
        ("conda run -n ml python3 x.py", "conda run -n ml python3 x.py", "conda ml"),
        ("conda run --name=ml pip install numpy", "conda run --name=ml pip install numpy", "conda ml"),
        ("conda install -n ml numpy", "conda install -n ml numpy", "conda ml"),
        ("conda activate ml && pip install numpy", "pip install numpy", "conda ml"),
        ("source .venv/bin/activate && pip install numpy", "pip install numpy", "venv .venv"),
        ("./.venv/bin/python -m pip install numpy", "./.venv/bin/python -m pip install numpy", "venv .venv"),
        ("uv add numpy", "uv add numpy", "uv"),
        # `conda run` holds for its own step only
        ("conda run -n ml python3 x.py && pip install numpy", "pip install numpy", ""),
    ],
)  # fmt: skip
def test_the_environment_a_step_runs_in(command: str, step: str, where: str) -> None:
    assert environment(command, step) == where


@pytest.mark.parametrize(
    ("step", "module", "installed"),
    [
        ("pip install PyYAML --quiet", "yaml", True),
        ("pip install 'opencv-python-headless>=4.8' -q", "cv2", True),
        ("python3 -m pip install scikit-learn==1.5", "sklearn", True),
        ("conda install -n ml -c conda-forge pytorch", "torch", True),
        ("npm install -D @types/node@20", "@types/node", True),
        ("npm i lodash", "lodash/fp", True),
        ("pip install torchvision", "torch", False),  # another package
        ("pip install -r requirements.txt", "yaml", False),
        ("pip install typing_extensions", "typing_extensions", True),
        ("pip list | grep yaml", "yaml", False),
    ],
)  # fmt: skip
def test_an_install_names_the_module_s_package(step: str, module: str, installed: bool) -> None:
    assert installs(step, module) is installed


def test_the_interpreter_of_a_step() -> None:
    assert interpreter("conda run -n ml python3 -c x") == "conda run -n ml python3"
    assert interpreter("uv run pytest -q") == "uv run pytest"
    assert interpreter("py -c x") == "py"
    assert interpreter("make test") == "make"
