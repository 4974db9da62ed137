"""A seeded data folder per module for the verb tests: one account per role, a few documents."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from archive_store.models import User


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from archive_store.system import init_data_dir
    from tests.web.seed import seed

    system, _ = init_data_dir(tmp_path_factory.mktemp("verbs") / "data")
    data = seed(system)
    yield system, data
    system.close()


def users_of(system) -> dict[str, User]:
    """role -> its seeded account (fresh rows, detached)."""
    from tests.web.seed import USERS

    with system.db.read() as s:
        return {role: s.scalar(select(User).where(User.username == name)) for role, name in USERS.items()}
