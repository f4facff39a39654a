"""The ledger: the truth about files read, lessons, evidence, proposals and versions written.

SQLAlchemy over a SQLite file by default (any SQLAlchemy URL works); the chromadb index is
derived from it and can always be rebuilt. Its SQL lives in this package only: `schema.py`
(the tables), `engine.py` (connect, migrate, check), one repository per group of tables
(`files.py`, `lessons.py`, `proposals.py`, `runs.py`) and `core.py`, the `Ledger` over them.
"""

from metis_distill.ledger.core import SCHEMA_VERSION, Ledger
from metis_distill.ledger.engine import MIGRATIONS, LedgerError, migrate
from metis_distill.ledger.files import FileRecord
from metis_distill.ledger.lessons import Curating, LessonView
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
    UTCDateTime,
    VersionRow,
    WordingRow,
    now,
)
from metis_distill.statuses import (
    BatchStatus,
    Change,
    DistillStatus,
    ExtractionStatus,
    ItemDecision,
    LessonStatus,
    ProposalOrigin,
    ProposalState,
    RetiredReason,
    VersionReason,
    WordingSource,
)

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
    "MetaRow",
    "ProposalItemRow",
    "ProposalRow",
    "RecoveryRow",
    "UTCDateTime",
    "VersionRow",
    "WordingRow",
    "migrate",
    "now",
]
