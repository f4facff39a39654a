"""Plain-text and CI logs: GitHub Actions job logs (raw, or `gh run view --log`), act runs,
pytest output, Python tracebacks, node/npm errors, and any other text file that reads like a
log.

A log is read in two passes. The first takes every line apart: the `gh run view` columns
(`job<TAB>step<TAB>`), the runner's `YYYY-MM-DDThh:mm:ss.fffffffZ ` stamp (or, in a log without
runner stamps, a leading date-time), ANSI colour codes; what is left is the line's content.
The second finds the structure. A GitHub Actions step starts at its `##[group]Run <command>`
header (the script echoed in cyan, `shell:`/`with:`/`env:` lines, `##[endgroup]`) and runs to
the next step, the post-job cleanup or the next `gh` step; in a plain terminal log a `$ command`
prompt starts one. A step is a TOOL_CALL: `Bash` for a script (its lines, without comments and
`source …/activate`, `cd`, `set -e` set-up), `action` for a `uses:` step. In the output, failure
blocks are found (a Python traceback, a pytest short summary, or its failure entries when there
is no summary, a node/Java error with its stack, an `npm ERR!` run, `##[error]` lines,
compiler-style `error:` lines) and each is one ERROR event spanning the block, paired with its
step; the runner's `##[error]` lines of one step are one block (the step failed once).
Raw compiler and test-runner output is a log too: rustc's `error[E…]`, XCTest, cargo, go test
and jest verdicts.
The runner's `Process completed with exit code N.` is the step's exit code: it joins the
failure block just above it, or is an ERROR of its own with the error-looking lines over it; a
workflow step that ends without it gets a one-line TOOL_RESULT (its last output line), exit
code 0, unless the runner's own `##[error]` lines say it failed; none of its other
error-looking output is an ERROR (a test suite prints the errors it tests for).
An act (nektos/act) local run is read per job (its `[Workflow/Job] ` prefix; jobs interleave):
a `⭐ Run <stage> <step>` line starts a step (its name, without the `Main` stage, is the call's
text), its `| ` lines are its output, and `❌ Failure - …` or `exitcode 'N': …` is its failure;
act's own notes (🚀, 🐳, 🏁, its lines without a prefix) are no event.
Other output is not an event. Event text is block content (prefixes and colour codes removed),
so each of its lines is in the file verbatim unless a colour code sat in the middle of it.
A line with decoding damage (NUL, U+FFFD) or a cut-off runner stamp is corrupt and skipped; an
unknown `##[command]` line is counted as unknown and skipped.
"""

from __future__ import annotations

from metis_distill.sources.base import SourceFormat
from metis_distill.sources.logs.log import FORMAT, parse_lines
from metis_distill.sources.logs.sniff import looks_like

SOURCE = SourceFormat(FORMAT, looks_like, parse_lines)
parse_file = SOURCE.parse_file

__all__ = ["FORMAT", "SOURCE", "looks_like", "parse_file", "parse_lines"]
