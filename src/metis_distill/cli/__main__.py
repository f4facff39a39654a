"""`python -m metis_distill.cli`: the `metis` command, for a subprocess with no script on PATH."""

from metis_distill.cli import main

main()
