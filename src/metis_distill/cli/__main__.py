"""`python -m metis_distill.cli`: the `metis` command (the tests start `metis serve` so)."""

from metis_distill.cli import app

if __name__ == "__main__":
    app(prog_name="metis")
