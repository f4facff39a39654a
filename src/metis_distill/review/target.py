"""The target's text as stored, and its hash: what every command reads first. A module of its
own so that `metis distill` checks the target without importing the review's machinery."""

from __future__ import annotations

import hashlib
from pathlib import Path

from metis_distill.errors import ProposalError


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_target(target: Path) -> str:
    """The target's text exactly as stored (line endings kept); "" when it does not exist."""
    if not target.exists():
        return ""
    if not target.is_file():
        raise ProposalError(f"the target is not a file: {target}", hint="point --target at a file")
    try:
        return target.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProposalError(
            f"the target is not UTF-8 text: {target} (byte {e.start})",
            hint="convert it to UTF-8 first; metis never rewrites text it cannot read",
        ) from e
