"""Lifecycle fixtures: a fresh data folder (tests/conftest.py `system`) with one account per job."""
from __future__ import annotations

import pytest

from tests.lifecycle.helpers import add_staff


@pytest.fixture
def staff(system):
    return add_staff(system)
