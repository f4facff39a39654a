"""The CLI stays fast to start: the retrieve commands load the MCP SDK and the model lazily."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_cli_loads_no_mcp_sdk_nor_model() -> None:
    code = (
        "import sys, metis_distill.cli\n"
        "print(sorted(m for m in ('mcp', 'onnxruntime', 'chromadb', 'prefect') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
