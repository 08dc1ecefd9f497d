"""Fixtures of the stack package's tests."""

from __future__ import annotations

import pytest
from pg_cluster import Cluster


@pytest.fixture
def pg_cluster():
    """An initdb'd PostgreSQL cluster, not started (cluster.start())."""
    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.remove()
