"""What every repository of the ledger stands on: one transaction per call."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy.orm import Session


class Repository:
    """A group of the ledger's tables and the queries on them; `Ledger` gives the session."""

    def session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError
