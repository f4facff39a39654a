"""`python -m metis_distill`: the `metis` command (how the hook runs metis when no `metis`
script sits beside the interpreter)."""

from metis_distill.cli import app

if __name__ == "__main__":
    app(prog_name="metis")
