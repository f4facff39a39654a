"""`python -m metis_distill.cli`: the `metis` command, for a subprocess with no script on PATH."""

from metis_distill.cli import app

if __name__ == "__main__":  # imported by a walk over the package, it does nothing
    app(prog_name="metis")
