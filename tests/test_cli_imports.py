"""The CLI starts fast: importing it (and running a non-flow command) loads no Prefect."""

from __future__ import annotations

import subprocess
import sys


def run_python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_importing_the_cli_loads_no_prefect() -> None:
    code = "import sys, metis_distill.cli; print('prefect' in sys.modules)"
    assert run_python(code) == "False"


def test_library_modules_never_import_prefect() -> None:
    code = (
        "import sys, pkgutil, importlib, metis_distill\n"
        "for m in pkgutil.walk_packages(metis_distill.__path__, 'metis_distill.'):\n"
        "    if '.migrations' not in m.name:  # alembic scripts run only inside alembic\n"
        "        importlib.import_module(m.name)\n"
        "print('prefect' in sys.modules)"
    )
    assert run_python(code) == "False"
