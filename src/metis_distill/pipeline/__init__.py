"""A distill end to end, as plain functions: `distill(settings)` runs it (`run.py`); the stages
live in `discover`, `extraction`, `curation` and `steps`, the Prefect flow only wraps them."""

from metis_distill.pipeline.curation import curate_batches
from metis_distill.pipeline.discover import (
    Discovery,
    FileInfo,
    batches,
    changed_files,
    check_archive,
    discover,
    skipped_records,
    walk,
)
from metis_distill.pipeline.extraction import BatchResult, extract_batch
from metis_distill.pipeline.extractors import make_extractor, make_judge
from metis_distill.pipeline.run import LocalRunner, distill, distill_target
from metis_distill.pipeline.runner import BatchJob, Log, Runner, Stage

__all__ = [
    "BatchJob",
    "BatchResult",
    "Discovery",
    "FileInfo",
    "LocalRunner",
    "Log",
    "Runner",
    "Stage",
    "batches",
    "changed_files",
    "check_archive",
    "curate_batches",
    "discover",
    "distill",
    "distill_target",
    "extract_batch",
    "make_extractor",
    "make_judge",
    "skipped_records",
    "walk",
]
