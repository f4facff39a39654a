"""The ledger: the truth about files read, lessons, evidence, proposals and versions written.

SQLAlchemy over a SQLite file by default (any SQLAlchemy URL works); the chromadb index is
derived from it and can always be rebuilt. Its SQL lives in this package only: `schema.py`
(the tables), `engine.py` (connect, migrate, check), one repository per group of tables
(`files.py`, `lessons.py`, `proposals.py`, `runs.py`) and `core.py`, the `Ledger` over them.

The names below load their modules on first use: the check of a run with nothing new reads
the ledger through `glance` (the standard library's sqlite3) and never imports SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from metis_distill.ledger.core import SCHEMA_VERSION, Ledger
    from metis_distill.ledger.engine import LedgerError, migrate
    from metis_distill.ledger.files import FileRecord
    from metis_distill.ledger.lessons import Curating, Evidence, LessonView
    from metis_distill.ledger.runs import RecoveryRecord, SpendCaps
    from metis_distill.ledger.schema import (
        AcceptIntentRow,
        Base,
        CopyRow,
        DistillRunRow,
        EvidenceRow,
        ExtractBatchRow,
        ExtractionRow,
        ExtractQueueRow,
        ExtractRunRow,
        FileRow,
        LessonRow,
        MetaRow,
        ProposalItemRow,
        ProposalRow,
        RecoveryRow,
        RefusalRow,
        UTCDateTime,
        VersionRow,
        WordingRow,
        now,
    )
    from metis_distill.ledger.where import MIGRATIONS
    from metis_distill.statuses import (
        BatchStatus,
        Change,
        DistillStatus,
        ExtractionStatus,
        ItemDecision,
        LessonStatus,
        ProposalOrigin,
        ProposalState,
        Refusal,
        RetiredReason,
        VersionReason,
        WordingSource,
    )

_MODULE_OF = {
    "SCHEMA_VERSION": "metis_distill.ledger.core",
    "Ledger": "metis_distill.ledger.core",
    "MIGRATIONS": "metis_distill.ledger.where",
    "LedgerError": "metis_distill.ledger.engine",
    "migrate": "metis_distill.ledger.engine",
    "FileRecord": "metis_distill.ledger.files",
    "Curating": "metis_distill.ledger.lessons",
    "LessonView": "metis_distill.ledger.lessons",
    "Evidence": "metis_distill.ledger.lessons",
    "RecoveryRecord": "metis_distill.ledger.runs",
    "SpendCaps": "metis_distill.ledger.runs",
    "AcceptIntentRow": "metis_distill.ledger.schema",
    "Base": "metis_distill.ledger.schema",
    "CopyRow": "metis_distill.ledger.schema",
    "DistillRunRow": "metis_distill.ledger.schema",
    "EvidenceRow": "metis_distill.ledger.schema",
    "ExtractBatchRow": "metis_distill.ledger.schema",
    "ExtractionRow": "metis_distill.ledger.schema",
    "ExtractQueueRow": "metis_distill.ledger.schema",
    "ExtractRunRow": "metis_distill.ledger.schema",
    "FileRow": "metis_distill.ledger.schema",
    "LessonRow": "metis_distill.ledger.schema",
    "MetaRow": "metis_distill.ledger.schema",
    "ProposalItemRow": "metis_distill.ledger.schema",
    "ProposalRow": "metis_distill.ledger.schema",
    "RecoveryRow": "metis_distill.ledger.schema",
    "RefusalRow": "metis_distill.ledger.schema",
    "UTCDateTime": "metis_distill.ledger.schema",
    "VersionRow": "metis_distill.ledger.schema",
    "WordingRow": "metis_distill.ledger.schema",
    "now": "metis_distill.ledger.schema",
    "BatchStatus": "metis_distill.statuses",
    "Change": "metis_distill.statuses",
    "DistillStatus": "metis_distill.statuses",
    "ExtractionStatus": "metis_distill.statuses",
    "ItemDecision": "metis_distill.statuses",
    "LessonStatus": "metis_distill.statuses",
    "ProposalOrigin": "metis_distill.statuses",
    "ProposalState": "metis_distill.statuses",
    "Refusal": "metis_distill.statuses",
    "RetiredReason": "metis_distill.statuses",
    "VersionReason": "metis_distill.statuses",
    "WordingSource": "metis_distill.statuses",
}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "AcceptIntentRow",
    "Base",
    "BatchStatus",
    "Change",
    "ItemDecision",
    "ExtractionStatus",
    "LessonStatus",
    "ProposalOrigin",
    "ProposalState",
    "Refusal",
    "RetiredReason",
    "VersionReason",
    "WordingSource",
    "CopyRow",
    "Curating",
    "DistillRunRow",
    "DistillStatus",
    "EvidenceRow",
    "ExtractBatchRow",
    "ExtractQueueRow",
    "ExtractRunRow",
    "ExtractionRow",
    "FileRecord",
    "FileRow",
    "Ledger",
    "LedgerError",
    "LessonRow",
    "LessonView",
    "Evidence",
    "MetaRow",
    "ProposalItemRow",
    "ProposalRow",
    "RecoveryRecord",
    "RecoveryRow",
    "RefusalRow",
    "SpendCaps",
    "UTCDateTime",
    "VersionRow",
    "WordingRow",
    "migrate",
    "now",
]
