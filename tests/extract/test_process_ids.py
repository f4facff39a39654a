"""A process stopped by its number is that boot's; one looked up as the step runs is not."""

from __future__ import annotations

import pytest

from metis_distill.extract.process_ids import stops_by_id


@pytest.mark.parametrize(
    ("way", "by_number"),
    [
        ("kill -9 4242", True),
        ("kill 4242 && npm run dev", True),
        ('powershell -Command "Stop-Process -Id 6220 -Force; docker compose up -d"', True),
        ("taskkill //F //PID 77", True),
        ("taskkill /PID 77 /F", True),
        ("kill $(lsof -ti :3000)", False),
        ("pkill -f 'next dev'", False),
        ("docker kill web", False),
        ("Stop-Process -Id (Get-NetTCPConnection -LocalPort 3000).OwningProcess -Force", False),
    ],
)
def test_a_stop_by_number(way: str, by_number: bool) -> None:
    assert stops_by_id(way) is by_number
