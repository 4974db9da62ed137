"""Migration 0004_loans goes down to 0003 and up again on a database that has loans' tables."""
from alembic import command
from sqlalchemy import inspect

from archive_store.db import _alembic_config

LOAN_TABLES = {"borrow_requests", "borrow_approvals", "loans", "loan_extensions", "view_openings"}


def test_the_loans_migration_goes_down_and_up_again(system):
    cfg = _alembic_config()
    assert LOAN_TABLES <= set(inspect(system.db.engine).get_table_names())
    for target in ("0003", "head"):
        with system.db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, target) if target == "0003" else command.upgrade(cfg, target)
        tables = set(inspect(system.db.engine).get_table_names())
        assert (LOAN_TABLES <= tables) == (target == "head")
