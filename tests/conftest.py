"""Fixtures shared by every test suite: where the shared Hacienda material lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "docs" / "examples"


def shared_hacienda_dir() -> Path:
    """Hacienda's official XSDs, samples and catalogues, used by path (never copied here):
    $HACIENDA_SHARED_DIR (scripts/test finds it: find_shared_hacienda in scripts/lib/common.sh),
    else ../shared/hacienda beside the checkout."""
    explicit = os.environ.get("HACIENDA_SHARED_DIR")
    candidates = [Path(explicit)] if explicit else [REPO.parent / "shared" / "hacienda"]
    for path in candidates:
        if (path / "xsd" / "v4.4").is_dir():
            return path
    raise RuntimeError(
        f"Hacienda's shared material is not at {', '.join(map(str, candidates))}: set HACIENDA_SHARED_DIR "
        "to the directory holding xsd/v4.4, xsd/v4.4-2026, samples/ and catalogs/"
    )


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return shared_hacienda_dir()


@pytest.fixture(scope="session")
def xsd_dir(shared_dir) -> Path:
    return shared_dir / "xsd"


@pytest.fixture(scope="session")
def schema_store(xsd_dir):
    from hacienda_cr.schemas import store_for

    return store_for(xsd_dir)
