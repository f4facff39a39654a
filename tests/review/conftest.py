"""The `world` fixture (a ledger with three lessons and a target) for every review test."""

from tests.review.test_proposal import world  # noqa: F401 (fixture)
