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


def test_the_search_path_loads_neither_chromadb_nor_sqlalchemy() -> None:
    """It reads the ledger with sqlite3 alone and never opens the chromadb index; the brief's
    bar (`curate.earned`) brings no text splitter with it."""
    code = (
        "import sys, metis_distill.cli, metis_distill.retrieve.retriever, "
        "metis_distill.retrieve.records, metis_distill.retrieve.context\n"
        "print(sorted(m for m in ('chromadb', 'sqlalchemy', 'mcp', 'langchain_text_splitters')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
